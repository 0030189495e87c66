"""A tenant's cache statistics, read from the ledger's daily rollups (no extra writes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from llm_router.ledger import CACHE_MISSES, now_utc


class RollupReader(Protocol):
    def rollup(self, day: str, tenant_id: str) -> dict[str, dict[str, Decimal]]: ...


class CacheStats:
    def __init__(self, rollups: RollupReader, clock: Callable[[], datetime] = now_utc):
        self._rollups = rollups
        self._clock = clock

    def for_tenant(self, tenant_id: str, days: int = 1) -> dict[str, Any]:
        """Requests, exact and semantic hits, hit rate and cost saved over the last
        ``days`` UTC days (today included); ``misses``: the misses that were not for want
        of a match, by reason (``ledger.CacheMiss``). Money is a decimal string, never a
        float."""
        today = self._clock()
        misses = [f"cache_miss_{reason}" for reason in CACHE_MISSES]
        totals = {k: Decimal(0) for k in ("requests", "cache_exact_hits",
                                          "cache_semantic_hits", "cost_usd", "cost_saved_usd",
                                          *misses)}
        for back in range(days):
            day = (today - timedelta(days=back)).strftime("%Y-%m-%d")
            for counters in self._rollups.rollup(day, tenant_id).values():
                for name in totals:
                    totals[name] += Decimal(counters.get(name, 0))
        requests = int(totals["requests"])
        exact, semantic = int(totals["cache_exact_hits"]), int(totals["cache_semantic_hits"])
        return {
            "object": "cache.stats",
            "tenant_id": tenant_id,
            "days": days,
            "requests": requests,
            "exact_hits": exact,
            "semantic_hits": semantic,
            "hit_rate": round((exact + semantic) / requests, 4) if requests else 0.0,
            "cost_usd": f"{totals['cost_usd']:f}",
            "cost_saved_usd": f"{totals['cost_saved_usd']:f}",
            "misses": {reason: int(totals[name])
                       for reason, name in zip(CACHE_MISSES, misses, strict=True)},
        }
