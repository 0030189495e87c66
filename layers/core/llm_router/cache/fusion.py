"""The verifier's mid-fusion model: MiniLM's top layers over both texts at once (numpy).

MiniLM's bottom ``lower`` layers run on each text apart ("[CLS] text [SEP]"; the lookup
has the query's from its embedding pass and keeps each cached text's); the top layers,
fine-tuned from MiniLM's own, run over "[CLS] a [SEP] b [SEP]" (b's [CLS] dropped), so
each text's tokens attend to the other's: what the alignment nets over per-text states
could not do. A small head reads the [CLS] state and the mean state. Trained in JAX by
``train/cache_verifier/fusion.py``; weights float16 in ``fusion.npz`` (its sha256 in
``fusion.json``), widened once at load. The verifier uses it beside the nets
(``verifier.Stacked``) when ``verifier.MODEL_KIND`` says so; until a fusion model beats
the nets at the operating point it stays out of the layer (the repo's
data/cache_verifier/ holds the current one, docs/semantic-cache.md has its scores).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import npz_arrays, read_verified
from llm_router.embedding.minilm import gelu, layer_norm
from llm_router.errors import ConfigError

F32 = npt.NDArray[np.float32]
ARTEFACT = Path(__file__).resolve().parent.parent / "data" / "cache_verifier" / "fusion.npz"
META = ARTEFACT.with_suffix(".json")
HEADS = 12
EPS = 1e-12  # MiniLM's layer_norm_eps
LAYER_PARAMS = ("q_w", "q_b", "k_w", "k_b", "v_w", "v_b", "o_w", "o_b", "ln1_w", "ln1_b",
                "up_w", "up_b", "down_w", "down_b", "ln2_w", "ln2_b")


@dataclass(frozen=True)
class _Layer:
    qkv_w: F32  # (384, 3 * 384): query, key and value side by side
    qkv_b: F32
    o_w: F32
    o_b: F32
    ln1_w: F32
    ln1_b: F32
    up_w: F32
    up_b: F32
    down_w: F32
    down_b: F32
    ln2_w: F32
    ln2_b: F32

    def __call__(self, x: F32) -> F32:
        length, dim = x.shape
        hd = dim // HEADS
        qkv = (x @ self.qkv_w + self.qkv_b).reshape(length, 3, HEADS, hd)
        q, k, v = qkv.transpose(1, 2, 0, 3)  # each (heads, length, hd)
        scores = q @ k.transpose(0, 2, 1)
        scores *= np.float32(1.0 / np.sqrt(hd))
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        ctx = (scores @ v).transpose(1, 0, 2).reshape(length, dim)
        x = layer_norm(x + ctx @ self.o_w + self.o_b, self.ln1_w, self.ln1_b, EPS)
        up = gelu(x @ self.up_w + self.up_b)
        return layer_norm(x + up @ self.down_w + self.down_b, self.ln2_w, self.ln2_b, EPS)


@dataclass(frozen=True)
class FusionModel:
    lower: int  # MiniLM layers each text's states have been through
    layers: tuple[_Layer, ...]
    head_w: F32  # (768, head)
    head_b: F32
    out_w: F32  # (head, 1)
    out_b: F32

    def logit(self, a: F32, b: F32) -> float:
        """``a``, ``b``: each text's states after MiniLM's bottom ``lower`` layers, one row
        per token of "[CLS] text [SEP]"."""
        x = np.concatenate([a, b[1:]], axis=0).astype(np.float32)
        for layer in self.layers:
            x = layer(x)
        pooled = np.concatenate([x[0], x.mean(axis=0)])
        hidden = np.tanh(pooled @ self.head_w + self.head_b)
        return float((hidden @ self.out_w + self.out_b)[0])

    def probability(self, a: F32, b: F32) -> float:
        return float(1.0 / (1.0 + np.exp(-np.clip(self.logit(a, b), -30, 30))))

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], lower: int) -> FusionModel:
        def f(name: str) -> F32:
            return np.asarray(arrays[name], np.float32)

        n = len({k.split(".")[0] for k in arrays if k.startswith("l") and "." in k})
        layers = []
        for i in range(n):
            p = {name: f(f"l{i}.{name}") for name in LAYER_PARAMS}
            layers.append(_Layer(
                np.concatenate([p["q_w"], p["k_w"], p["v_w"]], axis=1),
                np.concatenate([p["q_b"], p["k_b"], p["v_b"]]), p["o_w"], p["o_b"],
                p["ln1_w"], p["ln1_b"], p["up_w"], p["up_b"], p["down_w"], p["down_b"],
                p["ln2_w"], p["ln2_b"]))
        return cls(lower, tuple(layers), f("head_w"), f("head_b"), f("out_w"), f("out_b"))


def load_fusion(path: Path = ARTEFACT) -> tuple[FusionModel, dict[str, Any]]:
    """The hash-checked model and its metadata (threshold, sources, scores)."""
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cache verifier fusion model missing: {meta_path} ({exc})") from exc
    raw = read_verified(path, str(meta.get("sha256")), what="cache verifier fusion model")
    return FusionModel.from_arrays(npz_arrays(raw), int(meta["lower_layers"])), meta
