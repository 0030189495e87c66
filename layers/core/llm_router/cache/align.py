"""The verifier's alignment model: reads the two texts' token alignment itself (numpy).

ESIM-style, over the MiniLM last-layer token states the lookup already has (``unit_rows``
of each text): both texts' tokens are projected to a small space; each token attends to
the other text's tokens and is composed with what it aligned to (both, their difference
and product, and its best raw cosine to the other text) through one ReLU layer; each
text's composed tokens are pooled (mean and max); the two pooled vectors are combined
symmetrically (sum and absolute difference) with the standardised hand features
(``pair_features`` + ``context_features``) into a ReLU layer and a logistic output.
Trained in JAX by ``train/cache_verifier/align.py``; several seeds averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import members_npz, npz_members

F32 = npt.NDArray[np.float32]
PARAMS = ("proj", "comp_w", "comp_b", "top_w", "top_b", "out_w", "out_b", "mean", "scale")


def _softmax(x: F32, axis: int) -> F32:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class AlignNet:
    proj: F32  # (384, d)
    comp_w: F32  # (4 d + 1, h)
    comp_b: F32
    top_w: F32  # (4 h + features, top)
    top_b: F32
    out_w: F32  # (top, 1)
    out_b: F32
    mean: F32  # the hand features' standardisation
    scale: F32

    def logit(self, a: F32, b: F32, features: F32) -> float:
        """``a``, ``b``: the two texts' ``unit_rows`` (tokens, 384); ``features``: the
        pair's hand features, raw."""
        pa, pb = a @ self.proj, b @ self.proj
        e = (pa @ pb.T) * np.float32(1.0 / np.sqrt(self.proj.shape[1]))
        sims = a @ b.T
        va = self._side(pa, _softmax(e, 1) @ pb, sims.max(axis=1))
        vb = self._side(pb, _softmax(e, 0).T @ pa, sims.max(axis=0))
        x = (features - self.mean) / self.scale
        top = np.maximum(np.concatenate([va + vb, np.abs(va - vb), x]) @ self.top_w
                         + self.top_b, 0.0)
        return float((top @ self.out_w + self.out_b)[0])

    def _side(self, p: F32, aligned: F32, cover: F32) -> F32:
        comp = np.concatenate([p, aligned, p - aligned, p * aligned, cover[:, None]], axis=1)
        hidden = np.maximum(comp @ self.comp_w + self.comp_b, 0.0)
        return np.concatenate([hidden.mean(axis=0), hidden.max(axis=0)])

    def arrays(self) -> dict[str, F32]:
        return {k: getattr(self, k) for k in PARAMS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> AlignNet:
        return cls(**{k: np.asarray(arrays[k], np.float32) for k in PARAMS})


@dataclass(frozen=True)
class AlignEnsemble:
    """Nets trained from different seeds; the probability is their mean."""

    members: tuple[AlignNet, ...]

    def score(self, a: F32, b: F32, features: F32) -> float:
        logits = np.asarray([m.logit(a, b, features) for m in self.members])
        return float(np.mean(1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))))

    def arrays(self) -> dict[str, Any]:
        return members_npz([m.arrays() for m in self.members], "a")

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> AlignEnsemble:
        return cls(tuple(AlignNet.from_arrays(m) for m in npz_members(arrays, "a")))
