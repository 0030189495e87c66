"""Windows, admission plans, free-tier quota ops and settlement. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from llm_router.catalog import FreeTier, ModelConfig, ProviderConfig
from llm_router.errors import BudgetExceededError, InvalidRequestError, RateLimitedError
from llm_router.keys import Principal
from llm_router.policies import KeyLimits, TenantBudget
from llm_router.resilience.admission import (
    Reservation,
    effective_limits,
    plan_admission,
    refusal,
)
from llm_router.resilience.counters import CounterOp, merge
from llm_router.resilience.quota import quota_ops, remaining_fraction
from llm_router.resilience.windows import window_of

NOW = datetime(2026, 1, 31, 23, 59, 30, 500_000, tzinfo=UTC)
ALICE = Principal("acme", "key_alice", rpm=5, daily_budget_usd=Decimal("1.50"))


def test_windows_are_fixed_utc_periods() -> None:
    minute, day, month = (window_of(k, NOW) for k in ("minute", "day", "month"))
    assert minute.id == "m#202601312359" and minute.seconds_left(NOW) == 29.5
    assert day.id == "d#20260131" and day.end == datetime(2026, 2, 1, tzinfo=UTC)
    assert month.id == "mo#202601" and month.end == datetime(2026, 2, 1, tzinfo=UTC)
    assert window_of("month", datetime(2026, 12, 5, tzinfo=UTC)).end.year == 2027


def test_the_key_wins_over_catalog_defaults() -> None:
    limits = effective_limits(ALICE, KeyLimits(rpm=100, tpm=1000,
                                               monthly_budget_usd=Decimal(20)))
    assert (limits.rpm, limits.tpm, limits.daily_budget_usd, limits.monthly_budget_usd) == \
        (5, 1000, Decimal("1.50"), Decimal(20))


def test_admission_plan_has_one_op_per_limit() -> None:
    limits = KeyLimits(rpm=5, tpm=1000, daily_budget_usd=Decimal("1.50"))
    plan = plan_admission(ALICE, limits, TenantBudget(monthly_budget_usd=Decimal(100)),
                          max_cost_usd=Decimal("0.02"), tokens=300, now=NOW)
    assert [(op.pk, op.sk, op.amount, op.limit) for op in plan.ops] == [
        ("RATE#key_alice", "m#202601312359#req", 1, 5),
        ("RATE#key_alice", "m#202601312359#tok", 300, 1000),
        ("BUDGET#key#key_alice", "d#20260131", Decimal("0.02"), Decimal("1.50")),
        ("BUDGET#tenant#acme", "mo#202601", Decimal("0.02"), 100),
    ]


def test_settling_turns_reservations_into_actual_usage() -> None:
    plan = plan_admission(ALICE, KeyLimits(rpm=5, tpm=1000, daily_budget_usd=Decimal(1)),
                          None, max_cost_usd=Decimal("0.02"), tokens=300, now=NOW)
    settled = {op.sk: op.amount for op in plan.settle_ops(Decimal("0.005"), 120)}
    assert settled == {"m#202601312359#tok": -180, "d#20260131": Decimal("-0.015")}
    released = {op.sk: op.amount for op in plan.settle_ops(Decimal(0), 0)}
    assert released == {"m#202601312359#tok": -300, "d#20260131": Decimal("-0.02")}
    assert all(op.limit is None for op in plan.settle_ops(Decimal(0), 0))


def test_refusals_are_429_with_retry_after_or_402() -> None:
    plan = plan_admission(ALICE, effective_limits(ALICE, KeyLimits()), None,
                          max_cost_usd=Decimal("0.02"), tokens=0, now=NOW)
    rate, budget = plan.ops
    err = refusal(rate, plan, NOW)
    assert isinstance(err, RateLimitedError) and err.status == 429
    assert err.headers() == {"Retry-After": "30"} and "5 requests per minute" in err.message
    err = refusal(budget, plan, NOW, used=Decimal("1.49"))
    assert isinstance(err, BudgetExceededError) and err.status == 402
    assert "daily budget of $1.50" in err.message and "$1.49" in err.message


def test_a_request_larger_than_the_token_limit_is_a_400_not_a_429() -> None:
    plan = plan_admission(ALICE, KeyLimits(tpm=100), None, max_cost_usd=Decimal(0),
                          tokens=500, now=NOW)
    assert not plan.ops[0].fits_alone
    assert isinstance(refusal(plan.ops[0], plan, NOW), InvalidRequestError)


def test_empty_reservation_settles_nothing() -> None:
    assert Reservation().settle_ops(Decimal(1), 10) == []


PROVIDER = ProviderConfig(name="groq", kind="openai", base_url="http://x", api_key="k",
                          free_tier=FreeTier(requests_per_minute=30, requests_per_day=1000,
                                             tokens_per_month=1_000_000))
MODEL = ModelConfig(name="llama", provider="groq", input_per_mtok=0, output_per_mtok=0,
                    free_tier=FreeTier(tokens_per_day=50_000))


def test_quota_ops_cover_provider_and_model_free_tiers() -> None:
    ops = quota_ops(PROVIDER, MODEL, 700, NOW)
    assert [(op.pk, op.sk, op.amount, op.limit) for op in ops] == [
        ("QUOTA#groq", "m#202601312359#req", 1, 30),
        ("QUOTA#groq", "d#20260131#req", 1, 1000),
        ("QUOTA#groq", "mo#202601#tok", 700, 1_000_000),
        ("QUOTA#groq#llama", "d#20260131#tok", 700, 50_000),
    ]


def test_remaining_fraction_is_the_tightest_counter() -> None:
    ops = quota_ops(PROVIDER, MODEL, 0, NOW)
    used = {("QUOTA#groq", "m#202601312359#req"): Decimal(15),
            ("QUOTA#groq", "d#20260131#req"): Decimal(900)}
    assert remaining_fraction(ops, used) == 0.1
    assert remaining_fraction(ops, {}) == 1.0
    assert remaining_fraction(ops, {("QUOTA#groq", "d#20260131#req"): Decimal(1001)}) == 0


def test_merge_folds_ops_on_one_item_and_drops_zeros() -> None:
    a = CounterOp("P", "s", Decimal(-5), 10)
    b = CounterOp("P", "s", Decimal(2), 20)
    c = CounterOp("Q", "s", Decimal(3), 10)
    d = CounterOp("R", "s", Decimal(0), 10)
    merged = merge([a, b, c, d])
    assert [(m.pk, m.amount, m.expires_at) for m in merged] == [("P", -3, 20), ("Q", 3, 10)]
