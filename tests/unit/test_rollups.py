import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from llm_router.ledger import AttemptRecord, LedgerEntry
from llm_router.rollups import (
    LAYOUT,
    Counters,
    increments,
    keys_of,
    latency_bucket,
    period_of,
    shard_of,
    source_of,
    total,
)
from llm_router.storage.rollups import RETENTION, partition, rollup_updates

AT = datetime(2026, 12, 3, 14, 7, 30, tzinfo=UTC)


def entry(**kw) -> LedgerEntry:
    base = dict(request_id="req_1", tenant_id="t", key_id="k1", started_at=AT,
                requested_model="auto", success=True, status=200, latency_ms=420.0,
                model="small", provider="p", tier="simple")
    return LedgerEntry(**{**base, **kw})


def test_periods() -> None:
    assert period_of("day", AT) == "2026-12-03"
    assert period_of("hour", AT) == "2026-12-03T14"
    assert period_of("5min", AT) == "2026-12-03T14:05"


def test_one_request_is_counted_once_per_granularity_and_dimension() -> None:
    keys = keys_of(entry())
    assert {(k.granularity, k.dimension, k.value) for k in keys} == {
        ("day", "route", "simple|small"), ("day", "provider", "p"), ("day", "key", "k1"),
        ("hour", "all", "all"), ("5min", "all", "all")}
    explicit = keys_of(entry(tier=None))
    assert ("day", "route", "-|small") in {(k.granularity, k.dimension, k.value)
                                           for k in explicit}


def test_views_not_stored_are_read_from_the_one_they_derive_from() -> None:
    assert source_of("day", "key")[0] == "key"
    stored, value_of = source_of("day", "model")
    assert (stored, value_of("simple|small")) == ("route", "small")
    stored, value_of = source_of("day", "tier")
    assert (stored, value_of("-|small")) == ("route", "-")
    stored, value_of = source_of("day", "all")
    assert value_of("p") == "all" and stored in LAYOUT["day"]
    assert source_of("hour", "all")[0] == "all"
    with pytest.raises(ValueError, match="hour x model"):
        source_of("hour", "model")


def test_a_model_name_with_a_bar_survives_the_route() -> None:
    key = next(k for k in keys_of(entry(model="a|b")) if k.dimension == "route")
    assert source_of("day", "model")[1](key.value) == "a|b"


def test_increments_of_a_failed_request_with_failover() -> None:
    e = entry(success=False, status=503, error_code="all_providers_failed", latency_ms=6000,
              cost_usd=Decimal("0.0000009"), attempts=(
                  AttemptRecord("p", "small", 10, "upstream_503"),
                  AttemptRecord("p", "small", 10, "upstream_503"),
                  AttemptRecord("q", "big", 10, "upstream_timeout")))
    inc = increments(e)
    assert inc["requests"] == 1 and inc["errors"] == 1 and inc["server_errors"] == 1
    assert inc["failovers"] == 1  # a retry on the same target is no failover
    assert inc["err_all_providers_failed"] == 1
    assert inc["lat_10000"] == 1 and "lat_5000" not in inc
    assert inc["cost_usd"] == Decimal("0.0000009")


def test_a_miss_for_another_reason_than_no_match_is_counted_by_name() -> None:
    inc = increments(entry(cache_status="miss", cache_miss="failed"))
    assert inc["cache_miss_failed"] == 1
    assert not any(k.startswith("cache_miss") for k in increments(entry(cache_status="miss")))
    assert entry(cache_miss="exact_only").to_item()["cache_miss"] == "exact_only"
    assert "cache_miss" not in entry().to_item()


def test_max_tokens_and_truncation() -> None:
    inc = increments(entry(max_tokens=100, completion_tokens=100, cost_usd=Decimal("0.01")))
    assert inc["max_tokens_requests"] == 1 and inc["truncated"] == 1
    assert inc["truncated_cost_usd"] == Decimal("0.01")
    assert "truncated" not in increments(entry(max_tokens=100, completion_tokens=99))


def test_shards_are_stable_and_spread() -> None:
    assert shard_of("req_1", 8) == shard_of("req_1", 8)
    used = {shard_of(f"req_{i}", 8) for i in range(200)}
    assert used == set(range(8))


def test_percentiles_from_the_histogram() -> None:
    rows = [increments(entry(latency_ms=ms)) for ms in [30] * 90 + [4000] * 5 + [7000] * 5]
    counters = total(rows)
    assert counters.requests == 100
    assert counters.latency_percentile(0.5) == 50
    assert counters.latency_percentile(0.95) == 5000
    assert counters.latency_percentile(0.96) == 10000
    assert Counters().latency_percentile(0.95) is None
    assert latency_bucket(5000) == "lat_5000" and latency_bucket(70000) == "lat_inf"


def test_money_sums_exactly() -> None:
    rows = [increments(entry(cost_usd=Decimal("0.1"))) for _ in range(3)]
    assert total(rows)["cost_usd"] == Decimal("0.3")


def test_each_counter_adds_its_own_value_through_shared_placeholders() -> None:
    e = entry(prompt_tokens=12, completion_tokens=5, max_tokens=16,
              cost_usd=Decimal("0.0000009"))
    adds = increments(e)
    updates = rollup_updates(e, "counters")
    assert len(updates) == len(keys_of(e))
    for update in (u["Update"] for u in updates):
        expression = update["UpdateExpression"]
        assert expression.endswith(" SET expires_at = :exp")
        names, values = update["ExpressionAttributeNames"], update["ExpressionAttributeValues"]
        terms = expression.removeprefix("ADD ").removesuffix(" SET expires_at = :exp")
        added = {names[n]: Decimal(values[v]["N"])
                 for n, v in (t.split(" ") for t in terms.split(", "))}
        assert added == {k: Decimal(v) for k, v in adds.items()}
        # one placeholder per distinct number (requests, lat_*, max_tokens_requests: 1)
        assert len(values) - 1 == len({Decimal(v) for v in adds.values()}) < len(adds)
        assert values[":v1"]["N"] == "0.0000009"  # plain notation, never 9E-7


def _keys_and_expiry(update: dict) -> tuple[str, str, str]:
    u = update["Update"]
    return u["Key"]["pk"]["S"], u["Key"]["sk"]["S"], u["ExpressionAttributeValues"][":exp"]["N"]


def test_rollup_keys_and_expiry_are_each_keys_of_with_its_retention() -> None:
    """The periods are kept per 5-minute slot (storage.rollups._periods): requests at
    random times, in and across slots, hours, days and time zones, in random order, get
    exactly the keys ``keys_of`` names and ``int((started_at + retention).timestamp())``."""
    rng = random.Random(7)
    base = datetime(2026, 12, 31, 23, 50, tzinfo=UTC)
    times = [base + timedelta(seconds=rng.randrange(0, 3 * 3600),
                              microseconds=rng.choice((0, 1, 999_999, rng.randrange(10**6))))
             for _ in range(300)]
    times += [datetime(2027, 1, 1, 0, 0, tzinfo=UTC) - timedelta(microseconds=1),
              datetime(2026, 12, 31, 20, 4, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))]
    for at in times:
        e = entry(started_at=at, tier=rng.choice(("simple", None)),
                  request_id=f"req_{rng.randrange(10**6)}")
        shard = shard_of(e.request_id, 8)
        want = [(partition(e.tenant_id, k.granularity, k.dimension, shard),
                 f"{k.period}#{k.value}",
                 str(int((e.started_at + RETENTION[k.granularity]).timestamp())))
                for k in keys_of(e)]
        assert [_keys_and_expiry(u) for u in rollup_updates(e, "counters", 8)] == want, at
