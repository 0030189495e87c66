"""Fakes shared by the cache's unit tests (not a test module)."""

from __future__ import annotations

from typing import Any

from llm_router.cache.pair_features import TextView


class PassingVerifier:
    """A verifier that passes every pair at ``p``, over the real word views of ``views``
    (the shipped verifier): the checks after the verifier read those views."""

    def __init__(self, views: Any, p: float):
        self._views, self._p = views, p

    def view(self, text: str) -> TextView:
        return self._views.view(text)  # type: ignore[no-any-return]

    def probability(self, cached: str, query: str, cosine: float) -> float:
        return self._p
