"""Usage rollups: what one request adds to its tenant's counters, and how they sum. Pure.

Each request adds its numbers to one item per (granularity, dimension) it is counted
under, inside the ledger's settle transaction (``llm_router.storage.rollups``):

  day   x route (tier|model), provider, key   analytics, budgets, spikes, recommendations
  hour  x all                                 analytics by hour
  5min  x all                                 error rate and p95 alerts

Other views are sums of these, made on read (``source_of``): per model or per tier from
the routes (a route is one tier and one model), a day's total from the routes too. Five
items per request, not ten: every item is a write in the settle transaction (two write
units each on DynamoDB, and most of the settle's CPU on the embedded store).

Write sharding: an item takes at most 1,000 writes per second, so each request picks one
of ``shards`` copies of every item (from its request id) and readers sum the copies. A
tenant at R requests per second writes R / shards times per second to each item.

Latency is counted in fixed buckets (``LATENCY_BUCKETS_MS``), so p50 and p95 come from
the rollups: the percentile is reported as the upper bound of the bucket it falls in.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from llm_router.ledger import LedgerEntry

Granularity = Literal["day", "hour", "5min"]
Dimension = Literal["model", "provider", "key", "tier", "route", "all"]

LAYOUT: dict[Granularity, tuple[Dimension, ...]] = {
    "day": ("route", "provider", "key"),
    "hour": ("all",),
    "5min": ("all",),
}
DEFAULT_SHARDS = 8
# Upper bounds in ms; the last bucket is everything slower. 5,000 is a bound, so the
# "p95 over 5 s" alert is exact.
LATENCY_BUCKETS_MS: tuple[int, ...] = (25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
                                       60000)
NONE = "-"  # the value of a dimension a request has none of (no model, no tier)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def period_of(granularity: Granularity, at: datetime) -> str:
    at = at.astimezone(UTC)
    if granularity == "day":
        return at.strftime("%Y-%m-%d")
    if granularity == "hour":
        return at.strftime("%Y-%m-%dT%H")
    return at.strftime("%Y-%m-%dT%H:") + f"{at.minute - at.minute % 5:02d}"


def shard_of(request_id: str, shards: int) -> int:
    """Stable per request, so a retried settle writes the same items."""
    return zlib.crc32(request_id.encode()) % max(shards, 1)


def dimension_value(entry: LedgerEntry, dimension: Dimension) -> str:
    if dimension == "model":
        return entry.model or NONE
    if dimension == "provider":
        return entry.provider or NONE
    if dimension == "key":
        return entry.key_id or NONE
    if dimension == "tier":
        return entry.tier or NONE
    if dimension == "route":
        return f"{entry.tier or NONE}|{entry.model or NONE}"
    return "all"


def _model_of_route(value: str) -> str:
    return value.split("|", 1)[1]


def _tier_of_route(value: str) -> str:
    return value.split("|", 1)[0]


def _all(value: str) -> str:
    return "all"


def _same(value: str) -> str:
    return value


# Read from another dimension's items, each value mapped: route is "tier|model".
DERIVED: dict[Dimension, tuple[Dimension, Callable[[str], str]]] = {
    "model": ("route", _model_of_route),
    "tier": ("route", _tier_of_route),
}


def source_of(granularity: Granularity, dimension: Dimension
              ) -> tuple[Dimension, Callable[[str], str]]:
    """Which stored dimension a read of ``granularity`` x ``dimension`` sums, and how a
    stored value maps to the value asked for (every request is counted under exactly
    one value of each stored dimension, so the sums are exact)."""
    stored = LAYOUT[granularity]
    if dimension in stored:
        return dimension, _same
    if dimension == "all":
        return stored[0], _all
    derived = DERIVED.get(dimension)
    if derived is not None and derived[0] in stored:
        return derived
    raise ValueError(f"the rollups do not count {granularity} x {dimension}; they count "
                     f"{granularity} x {', '.join(stored)}")


def latency_bucket(ms: float) -> str:
    for bound in LATENCY_BUCKETS_MS:
        if ms <= bound:
            return f"lat_{bound}"
    return "lat_inf"


def failovers_of(entry: LedgerEntry) -> int:
    """Targets tried beyond the first (a retry on the same target is no failover)."""
    targets = {(a.provider, a.model) for a in entry.attempts}
    return max(len(targets) - 1, 0)


def error_class(code: str) -> str:
    return "err_" + _UNSAFE.sub("_", code)[:60]


def increments(entry: LedgerEntry) -> dict[str, int | Decimal]:
    """The counters one request adds (zeros left out, except requests and cost)."""
    out: dict[str, int | Decimal] = {"requests": 1, "cost_usd": entry.cost_usd}
    values: dict[str, int | Decimal] = {
        "errors": 0 if entry.success else 1,
        "server_errors": 1 if entry.status >= 500 else 0,
        "prompt_tokens": entry.prompt_tokens,
        "completion_tokens": entry.completion_tokens,
        "cached_tokens": entry.cached_tokens,
        "cost_saved_usd": entry.cost_saved_usd,
        "cache_exact_hits": 1 if entry.cache_status == "exact" else 0,
        "cache_semantic_hits": 1 if entry.cache_status == "semantic" else 0,
        "cache_bypass": 1 if entry.cache_status == "bypass" else 0,
        "failovers": failovers_of(entry),
        "latency_ms_sum": Decimal(str(round(entry.latency_ms, 1))),
        latency_bucket(entry.latency_ms): 1,
    }
    if entry.cache_status == "bypass":
        values["cache_bypass_cost_usd"] = entry.cost_usd
    if entry.cache_status == "miss" and entry.cache_miss:
        values[f"cache_miss_{entry.cache_miss}"] = 1
    if entry.error_code:
        values[error_class(entry.error_code)] = 1
    if entry.max_tokens is not None and entry.success:
        values["max_tokens_requests"] = 1
        values["max_tokens_sum"] = entry.max_tokens
        values["max_tokens_completion_tokens"] = entry.completion_tokens
        if entry.completion_tokens >= entry.max_tokens:
            values["truncated"] = 1
            values["truncated_cost_usd"] = entry.cost_usd
    out.update({k: v for k, v in values.items() if v})
    return out


@dataclass(frozen=True)
class RollupKey:
    granularity: Granularity
    dimension: Dimension
    period: str
    value: str


def keys_of(entry: LedgerEntry) -> list[RollupKey]:
    """Every rollup item one request is counted in (one per granularity x dimension)."""
    return [RollupKey(g, d, period_of(g, entry.started_at), dimension_value(entry, d))
            for g, dims in LAYOUT.items() for d in dims]


@dataclass
class Counters:
    """Summed rollup counters; money stays Decimal."""

    values: dict[str, Decimal] = field(default_factory=dict)

    def add(self, other: Mapping[str, Decimal | int]) -> None:
        for name, value in other.items():
            self.values[name] = self.values.get(name, Decimal(0)) + Decimal(value)

    def __getitem__(self, name: str) -> Decimal:
        return self.values.get(name, Decimal(0))

    @property
    def requests(self) -> int:
        return int(self["requests"])

    def rate(self, name: str) -> float:
        return float(self[name] / self["requests"]) if self.requests else 0.0

    def errors_by_class(self) -> dict[str, int]:
        return {k[4:]: int(v) for k, v in sorted(self.values.items())
                if k.startswith("err_") and v}

    def latency_percentile(self, q: float) -> float | None:
        """Upper bound (ms) of the bucket holding the q-quantile; inf past the last."""
        total = sum(int(self[f"lat_{b}"]) for b in (*LATENCY_BUCKETS_MS, "inf"))
        if not total:
            return None
        rank, seen = q * total, 0
        for bound in LATENCY_BUCKETS_MS:
            seen += int(self[f"lat_{bound}"])
            if seen >= rank:
                return float(bound)
        return float("inf")


def total(rows: Iterable[Mapping[str, Decimal | int]]) -> Counters:
    out = Counters()
    for row in rows:
        out.add(row)
    return out
