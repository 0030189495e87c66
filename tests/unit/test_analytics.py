from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from llm_router.analytics.recommendations import recommendations
from llm_router.analytics.service import Analytics
from llm_router.analytics.usage import DayRange, parse_group_by
from llm_router.catalog import parse_catalog
from llm_router.errors import InvalidRequestError, PermissionDeniedError
from llm_router.ledger import LedgerEntry
from llm_router.rollups import Counters, increments, keys_of, source_of

DAY = datetime(2026, 12, 3, 10, tzinfo=UTC)
CATALOG = parse_catalog({
    "providers": {"p": {"kind": "openai", "base_url": "http://127.0.0.1:1/v1"},
                  "free": {"kind": "openai", "base_url": "http://127.0.0.1:2/v1",
                           "free_tier": {"tokens_per_day": 1_000_000}}},
    "models": {
        "big": {"provider": "p", "input_per_mtok": 10, "output_per_mtok": 30,
                "tiers": ["simple", "complex"]},
        "small": {"provider": "p", "input_per_mtok": 1, "output_per_mtok": 3,
                  "tiers": ["simple"]},
        "gratis": {"provider": "free", "input_per_mtok": 0, "output_per_mtok": 0,
                   "tiers": ["complex"]},
    },
    "analytics": {"admin_tenants": ["ops"]},
})


class FakeRollups:
    """The real rollup keys and increments, summed in memory (no shards)."""

    def __init__(self, entries: list[LedgerEntry]):
        self.entries = entries

    def read(self, tenant_id, granularity, dimension, first, last):
        stored, value_of = source_of(granularity, dimension)  # as DynamoRollups reads
        out: dict = {}
        for e in self.entries:
            if e.tenant_id != tenant_id:
                continue
            for k in keys_of(e):
                if (k.granularity, k.dimension) == (granularity, stored) and (
                        first <= k.period <= last):
                    out.setdefault((k.period, value_of(k.value)), Counters()).add(
                        increments(e))
        return out


def entry(i: int, **kw) -> LedgerEntry:
    base = dict(request_id=f"r{i}", tenant_id="t", key_id="k", started_at=DAY,
                requested_model="auto", success=True, status=200, latency_ms=100,
                model="big", provider="p", tier="simple", prompt_tokens=1000,
                completion_tokens=1000, cost_usd=Decimal("0.04"))
    return LedgerEntry(**{**base, **kw})


SPAN = DayRange(date(2026, 12, 3), date(2026, 12, 3))


def kinds(report) -> dict[str, dict]:
    return {item["kind"]: item for item in report["data"]}


def test_downgrade_prices_the_same_tokens_on_the_cheapest_model_of_the_tier() -> None:
    report = recommendations(FakeRollups([entry(i) for i in range(10)]), CATALOG, "t", SPAN)
    item = kinds(report)["downgrade_candidate"]
    assert item["suggested_model"] == "small"
    # 10 x (0.04 - 0.004) = 0.36 on one day, x 30 days
    assert Decimal(item["estimated_monthly_saving_usd"]) == Decimal("10.8")


def test_cache_opportunity_uses_the_observed_hit_rate() -> None:
    rows = [entry(i, cache_status="bypass") for i in range(4)]  # 0.16 skipped the cache
    rows += [entry(10 + i, cache_status="exact", cost_usd=Decimal(0)) for i in range(2)]
    rows += [entry(20 + i, cache_status="miss") for i in range(2)]  # 2 of 4 cached hit
    item = kinds(recommendations(FakeRollups(rows), CATALOG, "t", SPAN))["cache_opportunity"]
    assert item["repeat_rate"] == 0.5 and item["requests_bypassing"] == 4
    assert Decimal(item["estimated_monthly_saving_usd"]) == Decimal("0.16") * Decimal(
        "0.5") * 30


def test_max_tokens_waste_counts_truncated_answers() -> None:
    rows = [entry(i, max_tokens=1000) for i in range(3)]  # cut off at the cap
    item = kinds(recommendations(FakeRollups(rows), CATALOG, "t", SPAN))["max_tokens_waste"]
    assert item["truncated"] == 3
    assert Decimal(item["estimated_monthly_saving_usd"]) == Decimal("0.12") * 30


def test_unused_free_tier_moves_paid_tokens_of_its_tiers() -> None:
    rows = [entry(i, tier="complex", cost_usd=Decimal("0.04")) for i in range(5)]
    item = kinds(recommendations(FakeRollups(rows), CATALOG, "t", SPAN))["unused_free_tier"]
    assert item["model"] == "gratis"
    # 10k paid tokens a day fit in the free 1M a day: all of the paid cost, x 30.
    assert Decimal(item["estimated_monthly_saving_usd"]) == Decimal("0.2") * 30


def test_scope_and_parsing() -> None:
    rollups = FakeRollups([entry(1), entry(2, tenant_id="u")])
    analytics = Analytics(CATALOG, rollups, lambda: ["t", "u"], clock=lambda: DAY)
    assert analytics.usage("t")["total"]["requests"] == 1
    assert analytics.usage(None)["total"]["requests"] == 2  # an admin
    assert analytics.usage(None, tenant="u")["total"]["requests"] == 1
    with pytest.raises(PermissionDeniedError):
        analytics.usage("t", tenant="u")
    with pytest.raises(InvalidRequestError):
        parse_group_by("colour")
    with pytest.raises(InvalidRequestError):
        DayRange.parse("2026-12-04", "2026-12-03", DAY.date())
    assert DayRange.parse(None, None, DAY.date()).first == DAY.date() - timedelta(days=6)
    hourly = analytics.usage("t", group_by="hour")["data"]
    assert [r["hour"] for r in hourly] == ["2026-12-03T10"]
