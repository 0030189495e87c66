"""The exported MiniLM files: a float16 ``.npz`` of weights, ``tokenizer.json`` and a
``manifest.json`` holding the sha256 of each. Loading verifies every hash, so a layer
with truncated or swapped weights fails at start-up instead of embedding garbage."""

from __future__ import annotations

import hashlib
import io
import json
import mmap
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import map_verified, npz_arrays, read_verified
from llm_router.errors import ConfigError

MANIFEST = "manifest.json"
WEIGHTS = "minilm-l6-v2.f16.npz"
TOKENIZER = "tokenizer.json"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "embedding"


@dataclass(frozen=True)
class ModelFiles:
    """Verified contents of an export directory."""

    manifest: dict[str, Any]
    # Read-only views of the mapped file, most of them misaligned.
    weights: dict[str, npt.NDArray[np.float16]]
    tokenizer_json: str
    mapping: mmap.mmap | None = None

    def release(self) -> None:
        """Drop the mapped file's pages from this process's memory (the hash, or the
        caller's widening, read them all) while the views stay valid: a page read again
        comes back from the page cache. What an embedder keeps reading in place (the
        word table: the rows of a query's tokens) is then all that stays resident."""
        if self.mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
            self.mapping.madvise(mmap.MADV_DONTNEED)

    @property
    def model_id(self) -> str:
        digest = str(self.manifest["files"][WEIGHTS])
        return f"{self.manifest['model']}@f16:{digest[:12]}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_model_files(directory: Path | None = None) -> ModelFiles:
    """Read and hash-check an export directory (``make data`` writes the default one).

    Not cached: share the embedder instead (``minilm.shared_embedder``). The weights
    file (45 MB) is mapped rather than read (``map_verified``)."""
    return _load_model_files((directory or DEFAULT_DIR).resolve())


def _load_model_files(directory: Path) -> ModelFiles:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"no embedding model manifest in {directory}; run `make data`") from exc
    what = "embedding model file"
    # Most members of the export sit at odd offsets; the embedder widens every array but
    # the word table, which it reads in place, so copying them here would only add work.
    mapping = map_verified(directory / WEIGHTS, files[WEIGHTS], what=what)
    weights = npz_arrays(mapping, copy_misaligned=False)
    tokenizer_json = read_verified(directory / TOKENIZER, files[TOKENIZER], what=what)
    return ModelFiles(manifest=manifest, weights=weights,  # type: ignore[arg-type]
                      tokenizer_json=tokenizer_json.decode("utf-8"), mapping=mapping)


def npz_bytes(arrays: Mapping[str, npt.NDArray[np.generic]]) -> bytes:
    """An uncompressed ``.npz`` with fixed timestamps, so re-exporting is byte-identical."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, np.ascontiguousarray(arrays[name]))
    return buffer.getvalue()
