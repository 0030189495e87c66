"""The catalog's policy sections: ``resilience:`` (retry, breaker), the environments'
routing weights, and the per-key / per-tenant limits.

Pure pydantic models, referenced by ``llm_router.catalog`` and read by
``llm_router.resilience`` (which itself imports the catalog, so they cannot live there);
defaults are what a catalog without the section gets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RetryConfig(BaseModel):
    model_config = _FROZEN
    # Calls to one target before failing over (1 = never retry the same target).
    attempts_per_target: int = Field(default=2, ge=1, le=10)
    # Exponential backoff with full jitter after the n-th failed attempt:
    # uniform(0, min(max, base * 2**(n - 1))) (retry.backoff).
    base_delay_s: float = Field(default=0.2, ge=0)
    max_delay_s: float = Field(default=2.0, ge=0)
    # A 429's Retry-After is honoured up to this; a longer wait fails over instead.
    max_retry_after_s: float = Field(default=5.0, ge=0)
    # Per-attempt timeout; None uses the provider's timeout_s (the smaller one wins).
    attempt_timeout_s: float | None = Field(default=None, gt=0)
    # The whole request (every attempt and wait) must finish within this.
    deadline_s: float = Field(default=60.0, gt=0)
    # Targets (model x provider) tried per request, the first included.
    max_targets: int = Field(default=4, ge=1, le=20)


class BreakerConfig(BaseModel):
    model_config = _FROZEN
    enabled: bool = True
    # Consecutive failures (across instances) that open a target's breaker.
    failure_threshold: int = Field(default=3, ge=1)
    # How long an open breaker rejects calls before one probe is let through.
    open_s: float = Field(default=30.0, gt=0)
    # How long a probe holds the half-open lease before another instance may probe.
    probe_lease_s: float = Field(default=15.0, gt=0)
    # Per-container cache of the shared breaker table (one Query per refresh).
    cache_ttl_s: float = Field(default=2.0, ge=0)
    # Breaker items expire this long after their last change (DynamoDB TTL).
    item_ttl_s: int = Field(default=3600, gt=0)


class ResilienceConfig(BaseModel):
    model_config = _FROZEN
    retry: RetryConfig = RetryConfig()
    breaker: BreakerConfig = BreakerConfig()
    # Per-container cache of free-tier usage for scoring (quota *enforcement* is exact).
    quota_cache_ttl_s: float = Field(default=2.0, ge=0)


Environment = Literal["dev", "prod"]


class EnvironmentWeights(BaseModel):
    """Scoring points an environment adds (``routing.environments``; docs/resilience.md).

    ``local``: a provider on your own machine (``local: true``: Ollama, vLLM). ``free``: a
    model that costs nothing (prices 0), or one with free-tier room, times the share left.
    """

    model_config = _FROZEN
    local: float = Field(default=0.0, ge=0, le=100)
    free: float = Field(default=0.0, ge=0, le=100)


# dev spends nothing it need not: a local model first, then free ones. prod: routing's
# own order (cost, latency or quality) and health decide alone.
DEFAULT_ENVIRONMENTS: dict[Environment, EnvironmentWeights] = {
    "dev": EnvironmentWeights(local=50, free=25),
    "prod": EnvironmentWeights(),
}


def _money(v: Any) -> Any:
    # YAML reads 10.5 as a float; go through its shortest repr, never its binary value.
    return Decimal(repr(v)) if isinstance(v, float) else v


class KeyLimits(BaseModel):
    """Limits of one API key. ``rpm`` and ``daily_budget_usd`` stored on a key (``keys
    create --rpm --daily-budget-usd``) win over these catalog defaults."""

    model_config = _FROZEN
    rpm: int | None = Field(default=None, gt=0)
    tpm: int | None = Field(default=None, gt=0)
    daily_budget_usd: Decimal | None = Field(default=None, ge=0)
    monthly_budget_usd: Decimal | None = Field(default=None, ge=0)

    _exact = field_validator("daily_budget_usd", "monthly_budget_usd", mode="before")(
        classmethod(lambda cls, v: _money(v))
    )


class TenantBudget(BaseModel):
    model_config = _FROZEN
    daily_budget_usd: Decimal | None = Field(default=None, ge=0)
    monthly_budget_usd: Decimal | None = Field(default=None, ge=0)

    _exact = field_validator("daily_budget_usd", "monthly_budget_usd", mode="before")(
        classmethod(lambda cls, v: _money(v))
    )
