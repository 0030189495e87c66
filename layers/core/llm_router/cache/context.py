"""Pair features from MiniLM's contextual token states (pure numpy).

``pair_features`` aligns words through static vectors: "nicked" and "stolen" only match
if their input embeddings happen to be close, and a word means the same wherever it
stands. Here each text's tokens are MiniLM's last-layer states (the rows the sentence
embedding averages), so a token's vector carries its context; the features are
BERTScore-style: how well each side's tokens are covered by the other's (mean, weakest,
share below a few similarity levels), the order of mutually best-matched tokens, and the
cosine of the mean states. A text's states depend on that text only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

MAX_TOKENS = 40  # per text, [CLS] and [SEP] included (then dropped)
LEVELS = (0.5, 0.6, 0.7, 0.8)
ALIGN = 0.8

CONTEXT_FEATURES: tuple[str, ...] = (
    "ctx_cover_a", "ctx_cover_b", "ctx_cover_min", "ctx_weakest_a", "ctx_weakest_b",
    "ctx_weakest",
    *(f"ctx_{name}_{level}" for level in LEVELS for name in ("unmatched_share_max",
                                                             "unmatched_count")),
    "ctx_inversions", "ctx_inversion_rate", "ctx_mean_cosine",
)


def unit_rows(states: F32) -> F32:
    """A text's token states without [CLS] and [SEP], each row unit-norm."""
    rows = states[1:-1] if states.shape[0] > 2 else states
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-9)).astype(np.float32)


def context_features(a: F32, b: F32) -> F32:
    """One row of ``CONTEXT_FEATURES`` for two texts' ``unit_rows``."""
    sims = a @ b.T
    best_a, best_b = sims.max(axis=1), sims.max(axis=0)
    out = [best_a.mean(), best_b.mean(), min(best_a.mean(), best_b.mean()),
           best_a.min(), best_b.min(), min(best_a.min(), best_b.min())]
    for level in LEVELS:
        low_a, low_b = best_a < level, best_b < level
        out += [max(low_a.mean(), low_b.mean()), float(low_a.sum() + low_b.sum())]
    j_best, i_best = sims.argmax(axis=1), sims.argmax(axis=0)
    order = [int(j) for i, j in enumerate(j_best) if sims[i, j] > ALIGN and i_best[j] == i]
    inversions = sum(1 for x in range(len(order)) for y in range(x + 1, len(order))
                     if order[x] > order[y])
    ma, mb = a.mean(axis=0), b.mean(axis=0)
    mean_cosine = float(ma @ mb) / max(float(np.linalg.norm(ma) * np.linalg.norm(mb)), 1e-9)
    out += [float(inversions), inversions / max(len(order) * (len(order) - 1) / 2, 1.0),
            mean_cosine]
    return np.asarray(out, dtype=np.float32)
