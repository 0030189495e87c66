"""The cross-encoder's artefact format, written in one place (``llm_router.cache.cross``
reads it): ``cross.npz``, float16 BERT arrays under their torch names and layouts
(position rows 0..79, both token-type rows, the embedding LayerNorm, encoder layers
0..L-1) plus ``head.weight`` (768,) and ``head.bias`` (1,) in float32; no word-piece
table (frozen in training: the layer's MiniLM export holds it). ``cross.json`` beside
it: the npz's sha256, ``layers``, ``max_side_tokens``, ``threshold``, ``embedding`` (the
export's weights sha256 it was trained against) and whatever else the trainer records
(sources, scores); optionally ``check``: a few ``{"query", "cached", "p"}`` with the
probability the trainer's own forward pass gives them with the float16 weights, which
a unit test holds the numpy pass to (``tests/unit/cache/test_cross.py``, within 2e-3).

``from_minilm`` builds an untrained artefact of that format from the export's own first
layers and a seeded random head: what the tests and ``bench/cross_cost.py`` run when no
trained one is shipped (its probabilities mean nothing; its cost and its hidden states,
which must equal MiniLM's own, do).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.cross import META, POSITIONS, WEIGHTS
from llm_router.embedding.artefact import WEIGHTS as EMBEDDING_WEIGHTS
from llm_router.embedding.artefact import load_model_files, npz_bytes

MAX_SIDE_TOKENS = 38
_ENCODER = ("attention.self.query", "attention.self.key", "attention.self.value",
            "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
            "output.dense", "output.LayerNorm")


def write_cross(directory: Path, arrays: Mapping[str, npt.NDArray[Any]],
                meta: Mapping[str, Any]) -> str:
    """Write ``cross.npz`` (byte-identical for the same arrays) and ``cross.json`` (with
    the npz's sha256) into ``directory``; the sha256."""
    data = npz_bytes(arrays)
    digest = hashlib.sha256(data).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / WEIGHTS).write_bytes(data)
    (directory / META).write_text(json.dumps({"sha256": digest, **meta}, indent=2) + "\n",
                                  encoding="utf-8")
    return digest


def from_minilm(layers: int, seed: int = 0, embedding_dir: Path | None = None
                ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """The arrays and metadata of an untrained cross-encoder: the export's embeddings
    (token type row 1 = row 0, so a pair's states are MiniLM's own on its ids) and
    first ``layers`` layers, a head drawn from ``seed``."""
    files = load_model_files(embedding_dir)
    w = files.weights
    f16 = np.float16
    arrays: dict[str, npt.NDArray[Any]] = {
        "embeddings.position_embeddings.weight":
            np.array(w["embeddings.position_embeddings.weight"][:POSITIONS], f16),
        "embeddings.token_type_embeddings.weight":
            np.array(np.stack([w["embeddings.token_type_embeddings.weight"][0]] * 2), f16),
        "embeddings.LayerNorm.weight": np.array(w["embeddings.LayerNorm.weight"], f16),
        "embeddings.LayerNorm.bias": np.array(w["embeddings.LayerNorm.bias"], f16),
    }
    for n in range(layers):
        for part in _ENCODER:
            for kind in ("weight", "bias"):
                name = f"encoder.layer.{n}.{part}.{kind}"
                arrays[name] = np.array(w[name], f16)
    rng = np.random.default_rng(seed)
    dim = int(files.manifest["config"]["hidden_size"])
    arrays["head.weight"] = rng.normal(0, 0.05, 2 * dim).astype(np.float32)
    arrays["head.bias"] = np.zeros(1, np.float32)
    meta = {"layers": layers, "max_side_tokens": MAX_SIDE_TOKENS, "threshold": 0.5,
            "embedding": str(files.manifest["files"][EMBEDDING_WEIGHTS]),
            "sources": {"untrained": f"MiniLM's first {layers} layers, head seed {seed}"}}
    return arrays, meta
