"""Free-tier quotas of providers and models as limited counter ops. Pure.

A provider's ``free_tier`` is shared by all its models (``QUOTA#<provider>``); a model's
own ``free_tier`` is counted separately (``QUOTA#<provider>#<model>``). Each limit is one
counter per window:

  requests_per_minute / requests_per_day     sk m#<minute>#req / d#<day>#req
  tokens_per_minute / _per_day / _per_month  sk m#<minute>#tok / d#<day>#tok / mo#<month>#tok

Fairness: each tenant may use at most ``tenant_share`` of each limit (default half), on
its own counter beside the shared one (``QUOTA#<provider>#tenant#<tenant>``), so one
busy tenant cannot use up a free tier every tenant shares.

Before each attempt the executor reserves one request and the attempt's token maximum
on every counter of the target (shared and the tenant's), all-or-nothing; a refusal
means the target is skipped (the router stops before the provider would answer 429).
Tokens are settled to the actual usage at the end (zero for failed attempts); requests
stay counted, as the provider counts them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from llm_router.catalog import FreeTier, ModelConfig, ProviderConfig
from llm_router.resilience.counters import CounterOp, Unit
from llm_router.resilience.windows import WindowKind, window_of

_LIMITS: tuple[tuple[str, WindowKind, Unit, str], ...] = (
    ("requests_per_minute", "minute", "requests", "requests per minute"),
    ("requests_per_day", "day", "requests", "requests per day"),
    ("tokens_per_minute", "minute", "tokens", "tokens per minute"),
    ("tokens_per_day", "day", "tokens", "tokens per day"),
    ("tokens_per_month", "month", "tokens", "tokens per month"),
)


def has_quota(provider: ProviderConfig, model: ModelConfig) -> bool:
    return provider.free_tier is not None or model.free_tier is not None


def quota_ops(
    provider: ProviderConfig, model: ModelConfig, tokens: int, now: datetime,
    tenant: str | None = None,
) -> list[CounterOp]:
    """The limited ops reserving one attempt of ``tokens`` on ``model`` at ``provider``
    (with ``tenant``: its share of each limit too)."""
    ops: list[CounterOp] = []
    scopes: list[tuple[str, str, FreeTier | None]] = [
        (f"QUOTA#{provider.name}", f"{provider.name}'s free tier", provider.free_tier),
        (f"QUOTA#{provider.name}#{model.name}", f"{model.name}'s free tier", model.free_tier),
    ]
    for pk, who, tier in scopes:
        if tier is None:
            continue
        for field, kind, unit, what in _LIMITS:
            limit = getattr(tier, field)
            if limit is None:
                continue
            window = window_of(kind, now)
            suffix = "#req" if unit == "requests" else "#tok"
            amount = Decimal(1) if unit == "requests" else Decimal(tokens)
            ops.append(CounterOp(pk, window.id + suffix, amount, window.expires_at,
                                 Decimal(limit), unit, f"{who}: {limit} {what}",
                                 window.end.timestamp()))
            if tenant is not None and tier.tenant_share < 1:
                share = tenant_limit(limit, tier.tenant_share)
                ops.append(CounterOp(f"{pk}#tenant#{tenant}", window.id + suffix, amount,
                                     window.expires_at, Decimal(share), unit,
                                     f"tenant {tenant}'s share of {who}: {share} {what}",
                                     window.end.timestamp()))
    return ops


def tenant_limit(limit: int, share: float) -> int:
    """One tenant's part of a shared limit: the share rounded down, never below one."""
    return max(1, int(limit * share))


def remaining_fraction(ops: list[CounterOp], used: Mapping[tuple[str, str], Decimal]) -> float:
    """The tightest remaining share (0..1) of the counters ``ops`` would touch."""
    shares = [
        float(max(Decimal(0), op.limit - used.get((op.pk, op.sk), Decimal(0))) / op.limit)
        for op in ops if op.limit
    ]
    return min(shares, default=1.0)
