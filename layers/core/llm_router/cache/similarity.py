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
    """Indices of the ``k`` best scores at or above ``floor``, best first.

    ``argpartition`` keeps this linear in the number of rows; only the ``k`` survivors
    are sorted.
    """
    if scores.size == 0 or k <= 0:
        return []
    k = min(k, scores.size)
    part = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
    best = part[np.argsort(-scores[part], kind="stable")]
    return [int(i) for i in best if scores[i] >= floor]


def cosine(a: Vector, b: Vector) -> float:
    return float(np.dot(a.reshape(-1), b.reshape(-1)))
