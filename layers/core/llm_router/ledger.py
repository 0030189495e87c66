"""The usage ledger's record: one per request, successful or not.

Pure data. ``llm_router.storage.ledger.DynamoLedger`` writes it together with the
day's rollup counters in one DynamoDB transaction, idempotent on the request id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

UsageSource = Literal["reported", "estimated", "none"]
CacheStatus = Literal["miss", "exact", "semantic", "bypass"]
# Why a request the cache was asked about missed, when it was not for want of a match (no
# entry near enough, the verifier or the amounts check said no): a storage or verifier
# failure, an entry the index holds whose answer could not be read or had expired, a
# request only the exact layer may serve (tools, temperature, a non-text or very long last
# turn), a hit whose model the catalog no longer has. docs/semantic-cache.md, "Stats".
CacheMiss = Literal["failed", "gone", "exact_only", "model_removed"]
CACHE_MISSES: tuple[CacheMiss, ...] = ("failed", "gone", "exact_only", "model_removed")


@dataclass(frozen=True)
class AttemptRecord:
    """One call to one provider inside a request."""

    provider: str
    model: str
    latency_ms: float
    outcome: str  # "ok" or an error code such as "upstream_503", "upstream_timeout"
    error: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    request_id: str
    tenant_id: str
    key_id: str
    started_at: datetime
    requested_model: str
    success: bool
    status: int
    latency_ms: float
    model: str = ""
    provider: str = ""
    tier: str | None = None
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    usage_source: UsageSource = "none"
    cache_status: CacheStatus = "miss"
    cache_miss: CacheMiss | None = None  # a miss's reason, when it is one of ``CacheMiss``
    # A cache hit's ledger cost of the original answer: what the hit saved.
    cost_saved_usd: Decimal = Decimal(0)
    stream: bool = False
    # The request's output cap (max_tokens / max_completion_tokens), if it set one.
    max_tokens: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: tuple[AttemptRecord, ...] = field(default_factory=tuple)
    # What the input and output guards did ("pii=redacted(email)"); docs/guards.md.
    guards: tuple[str, ...] = ()

    @property
    def day(self) -> str:
        return self.started_at.astimezone(UTC).strftime("%Y-%m-%d")

    @property
    def sort_key(self) -> str:
        """Time-ordered within a tenant; the request id makes it unique and idempotent."""
        return sort_key_text(self.started_at.astimezone(UTC), self.request_id)

    def to_item(self) -> dict[str, Any]:
        """Plain values for DynamoDB (None fields are left out)."""
        at = self.started_at.astimezone(UTC)
        item: dict[str, Any] = {
            "tenant_id": self.tenant_id,
            "sk": sort_key_text(at, self.request_id),
            "request_id": self.request_id,
            "key_id": self.key_id,
            "started_at": at.isoformat(),
            "requested_model": self.requested_model,
            "model": self.model,
            "provider": self.provider,
            "tier": self.tier,
            "reason": self.reason,
            "success": self.success,
            "status": self.status,
            "latency_ms": tenth_ms(self.latency_ms),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cost_usd": self.cost_usd,
            "usage_source": self.usage_source,
            "cache_status": self.cache_status,
            "cache_miss": self.cache_miss,
            "cost_saved_usd": self.cost_saved_usd,
            "stream": self.stream,
            "max_tokens": self.max_tokens,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "attempts": [
                {
                    "provider": a.provider,
                    "model": a.model,
                    "latency_ms": tenth_ms(a.latency_ms),
                    "outcome": a.outcome,
                    **({"error": a.error} if a.error else {}),
                }
                for a in self.attempts
            ],
            "guards": list(self.guards) or None,
        }
        return {k: v for k, v in item.items() if v is not None}


def sort_key_text(at: datetime, request_id: str) -> str:
    """``at`` (UTC) as ``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` writes it, then the id.
    isoformat writes the same text for less than half the time (the key 3.2 -> 1.4 us,
    timeit; strftime goes through the time module and the C library on each call). It
    pads a year under 1000 to four digits where glibc's %Y does not: those keep
    strftime (tests/unit/test_ledger_entry.py compares the two)."""
    if at.year < 1000:
        return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{request_id}"
    return f"{at.replace(tzinfo=None).isoformat(timespec='microseconds')}Z#{request_id}"


def now_utc() -> datetime:
    return datetime.now(UTC)


def tenth_ms(value: float) -> Decimal:
    # DynamoDB numbers are Decimals; a tenth of a millisecond is all the precision we need.
    return Decimal(str(round(value, 1)))
