"""Usage analytics from the rollups: rows per model, provider, key, tier, day or hour.

Every number is a sum of rollup counters, so totals equal the ledger's exactly (the
rollups are written in the ledger's own transaction). Money is a decimal string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

from llm_router.errors import InvalidRequestError
from llm_router.rollups import Counters, Dimension, Granularity

GroupBy = Literal["model", "provider", "key", "tier", "day", "hour"]
GROUP_BY: tuple[GroupBy, ...] = ("model", "provider", "key", "tier", "day", "hour")
MAX_DAYS = 400
DEFAULT_DAYS = 7


class Rollups(Protocol):
    def read(self, tenant_id: str, granularity: Granularity, dimension: Dimension,
             first: str, last: str) -> dict[tuple[str, str], Counters]: ...


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @classmethod
    def parse(cls, first: str | None, last: str | None, today: date) -> DayRange:
        end = _day(last, "to") if last else today
        start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise InvalidRequestError(f"from ({start}) is after to ({end}).", param="from",
                                      code="invalid_value")
        if (end - start).days >= MAX_DAYS:
            raise InvalidRequestError(f"At most {MAX_DAYS} days at once.", param="from",
                                      code="invalid_value")
        return cls(start, end)


def parse_group_by(value: str | None) -> GroupBy:
    for choice in GROUP_BY:
        if value in (None, "") and choice == "model" or value == choice:
            return choice
    raise InvalidRequestError(
        f"group_by must be one of {', '.join(GROUP_BY)}, not {value!r}.", param="group_by",
        code="invalid_value")


def grouped(rollups: Rollups, tenant_id: str, span: DayRange,
            group_by: GroupBy) -> dict[str, Counters]:
    """group value -> counters summed over the range."""
    first, last = span.first.isoformat(), span.last.isoformat()
    if group_by == "hour":
        raw = rollups.read(tenant_id, "hour", "all", first + "T00", last + "T23")
    else:
        dimension: Dimension = "model" if group_by == "day" else group_by
        raw = rollups.read(tenant_id, "day", dimension, first, last)
    out: dict[str, Counters] = {}
    for (period, value), counters in raw.items():
        group = period if group_by in ("day", "hour") else value
        out.setdefault(group, Counters()).add(counters.values)
    return out


def usage_row(counters: Counters) -> dict[str, Any]:
    hits = int(counters["cache_exact_hits"] + counters["cache_semantic_hits"])
    p50, p95 = counters.latency_percentile(0.5), counters.latency_percentile(0.95)
    return {
        "requests": counters.requests,
        "prompt_tokens": int(counters["prompt_tokens"]),
        "completion_tokens": int(counters["completion_tokens"]),
        "cost_usd": f"{counters['cost_usd']:f}",
        "cost_saved_usd": f"{counters['cost_saved_usd']:f}",
        "cache_exact_hits": int(counters["cache_exact_hits"]),
        "cache_semantic_hits": int(counters["cache_semantic_hits"]),
        "cache_hit_rate": round(hits / counters.requests, 4) if counters.requests else 0.0,
        "errors": int(counters["errors"]),
        "errors_by_class": counters.errors_by_class(),
        "failovers": int(counters["failovers"]),
        "p50_ms": _ms(p50),
        "p95_ms": _ms(p95),
    }


def usage_report(rollups: Rollups, tenants: Iterable[str], span: DayRange,
                 group_by: GroupBy) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    total = Counters()
    for tenant in tenants:
        for group, counters in sorted(grouped(rollups, tenant, span, group_by).items()):
            rows.append({"tenant_id": tenant, group_by: group, **usage_row(counters)})
            total.add(counters.values)
    return {"object": "analytics.usage", "from": span.first.isoformat(),
            "to": span.last.isoformat(), "group_by": group_by, "data": rows,
            "total": usage_row(total)}


def _ms(value: float | None) -> float | str | None:
    # The upper bound of the histogram bucket; past the last bound there is none.
    if value is None:
        return None
    return "inf" if value == float("inf") else value


def _day(text: str, param: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError(f"{param} must be a day as YYYY-MM-DD, not {text!r}.",
                                  param=param, code="invalid_value") from None
