"""What the rules read: a tenant's rollups, free-tier counters and breaker states."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from llm_router.alerting.rules import QuotaUse, TenantUsage
from llm_router.catalog import Catalog
from llm_router.resilience.breaker import BreakerState
from llm_router.resilience.quota import has_quota, quota_ops
from llm_router.rollups import Counters, Dimension, Granularity, period_of

TRAILING_DAYS = 7


class Rollups(Protocol):
    def read(self, tenant_id: str, granularity: Granularity, dimension: Dimension,
             first: str, last: str) -> dict[tuple[str, str], Counters]: ...


class CounterReader(Protocol):
    def read(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]: ...


class BreakerReader(Protocol):
    def load(self) -> dict[str, BreakerState]: ...


def tenant_usage(rollups: Rollups, tenant_id: str, now: datetime,
                 window_minutes: int) -> TenantUsage:
    """Two reads (each one Query per shard): days since the earlier of the month's start
    and 7 days ago, and the 5-minute buckets of the window."""
    day = period_of("day", now)
    month_start = now.replace(day=1)
    first = min(month_start, now - timedelta(days=TRAILING_DAYS))
    per_day: dict[str, Decimal] = {}
    for (period, _), counters in rollups.read(tenant_id, "day", "all",
                                              period_of("day", first), day).items():
        per_day[period] = per_day.get(period, Decimal(0)) + counters["cost_usd"]
    trailing = tuple(per_day.get(period_of("day", now - timedelta(days=back)), Decimal(0))
                     for back in range(TRAILING_DAYS, 0, -1))
    month = now.strftime("%Y-%m")
    # The window covers whole 5-minute buckets: the current one and enough before it.
    start = now - timedelta(minutes=window_minutes - 5)
    window = Counters()
    for counters in rollups.read(tenant_id, "5min", "all", period_of("5min", start),
                                 period_of("5min", now)).values():
        window.add(counters.values)
    return TenantUsage(
        tenant_id=tenant_id, day=day, month=month, today_cost=per_day.get(day, Decimal(0)),
        month_cost=sum((c for p, c in per_day.items() if p.startswith(month)), Decimal(0)),
        trailing_costs=trailing, window=window)


def quota_uses(catalog: Catalog, counters: CounterReader, now: datetime) -> list[QuotaUse]:
    """Daily and monthly free-tier counters (per-minute ones flap too fast to alert on)."""
    ops = {}
    for model in catalog.models.values():
        provider = catalog.provider_of(model)
        if not has_quota(provider, model):
            continue
        for op in quota_ops(provider, model, 0, now):
            if op.limit and not op.sk.startswith("m#"):
                ops[(op.pk, op.sk)] = op
    if not ops:
        return []
    used = counters.read(ops)
    return [QuotaUse(label=op.label, subject=f"{op.pk.removeprefix('QUOTA#')}:"
                     f"{op.sk.split('#')[0]}{op.sk.split('#')[-1]}",
                     window=op.sk, used=used.get(key, Decimal(0)), limit=op.limit or Decimal(0))
            for key, op in sorted(ops.items())]


def open_circuits(breakers: BreakerReader) -> list[str]:
    return [target for target, state in breakers.load().items() if state.state == "open"]
