"""Cosine similarity over unit-norm float32 rows: the only vector math of the cache."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


def cosine_scores(rows: Matrix, query: Vector) -> npt.NDArray[np.float32]:
    """Similarity of ``query`` to every row; both sides are unit-norm, so a dot product."""
    if rows.shape[0] == 0:
        return np.empty(0, dtype=np.float32)
    return rows @ query.reshape(-1).astype(np.float32, copy=False)


def top_k(scores: npt.NDArray[np.float32], k: int, floor: float) -> list[int]:
    """Indices of the ``k`` best scores at or above ``floor``, best first; equal scores in
    index order (the lower first), whatever else the array holds.

    ``argpartition`` keeps this linear in the number of rows: it finds the ``k``-th best
    value, then every index at or over it is sorted (the ``k`` survivors and any tied with
    the last). Which of two tied rows ``argpartition`` alone puts first depends on the rest
    of the array (session 29: the hard check's filter, reading other rows, turned "is 221
    prime?" and "Is 221 prime?", one MiniLM vector, around).
    """
    if scores.size == 0 or k <= 0:
        return []
    k = min(k, scores.size)
    if k < scores.size:
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        part = np.flatnonzero(scores >= max(kth, np.float32(floor)))
    else:
        part = np.arange(scores.size)
    best = part[np.argsort(-scores[part], kind="stable")][:k]
    return [int(i) for i in best if scores[i] >= floor]


def cosine(a: Vector, b: Vector) -> float:
    return float(np.dot(a.reshape(-1), b.reshape(-1)))
