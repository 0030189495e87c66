"""A deeper cross-encoder to start a fit from (session 39's capacity probe, C6): a shipped
cross-encoder's embeddings, fine-tuned layers and head, with the shipped MiniLM's pretrained
encoder layers above them (the first layer missing from the cross-encoder up to ``--layers``).

    .venv/bin/python -m train.cache_verifier.deepen --cross DIR --layers 6 --out DIR

The cross-encoder (``cross.npz``, ``llm_router.cache.cross``'s format) reads a pair with
MiniLM's first 4 of 6 layers; its head reads the last layer's [CLS] row and mean. Layers
4 and 5 of MiniLM (``encoder.layer.4.*``, ``encoder.layer.5.*`` in the embedding artefact,
the same names and shapes as the cross-encoder's layers) are put on top unchanged; the head
is kept as it is, so the deepened model starts off reading layer 6's states with a head fitted
to layer 4's: a start for ``cross_continue fit --init``, not a model to use as it is. The
folder written holds ``cross.npz`` (byte-identical for the same inputs, ``write_cross``) and a
``cross.json``: the source's with ``layers`` and ``sha256`` replaced and a ``deepened`` block
(the source's sha256, the MiniLM artefact's, the layers added), so ``fit`` reads it as a model
that decides alone when the source does (``starts_alone``).
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from train.cache_verifier.cross import layer_count
from train.cache_verifier.cross_export import write_cross
from train.cache_verifier.pairs import file_sha256

REPO = Path(__file__).resolve().parents[2]
EMBEDDING = REPO / "layers" / "core" / "llm_router" / "data" / "embedding"
LAYER = "encoder.layer."


def deepened(cross: Mapping[str, npt.NDArray[Any]], minilm: Mapping[str, npt.NDArray[Any]],
             layers: int) -> dict[str, npt.NDArray[Any]]:
    """``cross``'s arrays with ``minilm``'s encoder layers from ``cross``'s count up to
    ``layers`` added, each in ``cross``'s dtype for encoder weights; refuses a layer name or
    shape that does not match ``cross``'s layer 0 or a count at or under ``cross``'s."""
    have = layer_count(cross)
    if layers <= have:
        raise ValueError(f"the cross-encoder already has {have} layers (asked {layers})")
    if layer_count(minilm) < layers:
        raise ValueError(f"the MiniLM artefact has {layer_count(minilm)} layers, not {layers}")
    template = {k[len(f"{LAYER}0."):]: v for k, v in cross.items() if k.startswith(f"{LAYER}0.")}
    out = dict(cross)
    for n in range(have, layers):
        added = {k[len(f"{LAYER}{n}."):]: v for k, v in minilm.items()
                 if k.startswith(f"{LAYER}{n}.")}
        if set(added) != set(template):
            raise ValueError(f"MiniLM layer {n}: names {sorted(set(added) ^ set(template))} "
                             "differ from the cross-encoder's")
        for name, value in added.items():
            if value.shape != template[name].shape:
                raise ValueError(f"MiniLM layer {n} {name}: shape {value.shape}, the "
                                 f"cross-encoder's {template[name].shape}")
            out[f"{LAYER}{n}.{name}"] = np.asarray(value, template[name].dtype)
    return out


def write(cross_dir: Path, layers: int, out: Path, embedding_dir: Path = EMBEDDING) -> str:
    """The deepened model of ``cross_dir`` into ``out`` (see the module's text); its sha256."""
    minilm_path = embedding_dir / "minilm-l6-v2.f16.npz"
    with np.load(cross_dir / "cross.npz") as c, np.load(minilm_path) as m:
        cross = {k: c[k] for k in c.files}
        arrays = deepened(cross, {k: m[k] for k in m.files if k.startswith(LAYER)}, layers)
    meta = json.loads((cross_dir / "cross.json").read_text())
    meta.pop("sha256", None)
    meta = copy.deepcopy(meta)
    meta["layers"] = layers
    meta["deepened"] = {"from_sha256": file_sha256(cross_dir / "cross.npz"),
                        "from_layers": layer_count(cross),
                        "added": [f"{LAYER}{n}.*" for n in range(layer_count(cross), layers)],
                        "minilm": str(minilm_path.relative_to(REPO)
                                      if minilm_path.is_relative_to(REPO) else minilm_path),
                        "minilm_sha256": file_sha256(minilm_path)}
    return write_cross(out, arrays, meta)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cross", type=Path, required=True, help="a folder with cross.npz/.json")
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--embedding", type=Path, default=EMBEDDING,
                   help="the folder with minilm-l6-v2.f16.npz")
    args = p.parse_args()
    digest = write(args.cross, args.layers, args.out, args.embedding)
    print(f"wrote {args.out}/cross.npz (sha256 {digest}) and cross.json, {args.layers} layers")


if __name__ == "__main__":
    main()
