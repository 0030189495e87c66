"""Fakes shared by the cache's unit tests (not a test module)."""

from __future__ import annotations

from typing import Any

import numpy as np

from llm_router.cache.pair_features import TextView

# Toy embeddings for the retrieval map's tests (cache/test_retrieval_map.py and
# test_cache_losses_map.py): 8 dimensions, and a map that reads only dimensions 0 and 1,
# dimension 1 tripled, so rows alike there come close.
DIM = 8
SQUEEZE = np.diag([1.0, 3.0, 0, 0, 0, 0, 0, 0]).astype(np.float32) + np.eye(DIM) * 0.01


def axis(i: int, j: int | None = None, share: float = 0.0) -> np.ndarray:
    """The unit vector along dimension ``i``, tilted by ``share`` towards ``j``."""
    v = np.zeros(DIM, np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = share
    return v / np.linalg.norm(v)


class PassingVerifier:
    """A verifier that passes every pair at ``p``, over the real word views of ``views``
    (the shipped verifier): the checks after the verifier read those views."""

    def __init__(self, views: Any, p: float):
        self._views, self._p = views, p

    def view(self, text: str) -> TextView:
        return self._views.view(text)  # type: ignore[no-any-return]

    def probability(self, cached: str, query: str, cosine: float) -> float:
        return self._p
