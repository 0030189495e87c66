"""The executor down a chain of targets, with a scripted attempt, a fake clock and the
in-memory stores (no sleeping: waits advance the clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import anyio
import pytest

from llm_router.catalog import FreeTier, ModelConfig, ProviderConfig
from llm_router.errors import (
    AllProvidersFailedError,
    InvalidRequestError,
    UpstreamConnectionError,
    UpstreamError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.ledger import AttemptRecord
from llm_router.policies import BreakerConfig, RetryConfig
from llm_router.resilience.executor import Executor, Target, Trail
from llm_router.resilience.health import HealthBoard

from .fakes import MemoryBreakers, MemoryCounters


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def target(name: str, free_tier: FreeTier | None = None, configured: bool = True) -> Target:
    provider = ProviderConfig(name=name, kind="openai", base_url="http://x",
                              api_key="k" if configured else None, free_tier=free_tier)
    model = ModelConfig(name=f"{name}-m", provider=name, input_per_mtok=1, output_per_mtok=1)
    return Target(model, provider, max_tokens=100)


Script = dict[str, list[UpstreamError | None]]


def scripted(script: Script, clock: Clock, calls: list[str]) -> Callable:
    async def attempt(t: Target, timeout_s: float) -> str:
        calls.append(t.provider.name)
        clock.now += 0.05
        outcome = script.get(t.provider.name, [None]).pop(0) if script.get(
            t.provider.name) else None
        if outcome is not None:
            raise outcome
        return f"answer from {t.provider.name}"

    return attempt


def make(clock: Clock, *, retry: RetryConfig | None = None,
         breaker: BreakerConfig | None = None, counters: MemoryCounters | None = None,
         ) -> tuple[Executor, MemoryBreakers]:
    bcfg = breaker or BreakerConfig(failure_threshold=3, open_s=30, cache_ttl_s=0)
    store = MemoryBreakers(bcfg)
    board = HealthBoard(store, bcfg, clock=clock)
    executor = Executor(retry or RetryConfig(attempts_per_target=2, base_delay_s=0.1),
                        board, counters, clock=clock, sleep=clock.sleep, rand=lambda: 1.0,
                        wall=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    return executor, store


def run(executor: Executor, chain: list[Target], attempt: Callable,
        tenant: str | None = None) -> tuple[object, Trail]:
    trail = Trail(tenant=tenant)

    async def go() -> object:
        return await executor.run(chain, attempt, trail)

    return anyio.run(go), trail


def e500() -> UpstreamError:
    return UpstreamStatusError("boom", upstream_status=500, provider="a", model="a-m")


def test_a_5xx_is_retried_on_the_same_target_after_backoff() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    done, trail = run(executor, [target("a"), target("b")],
                      scripted({"a": [e500(), None]}, clock, calls))
    assert done.result == "answer from a" and calls == ["a", "a"]
    assert clock.waits == [0.1]
    assert [a.outcome for a in trail.attempts] == ["upstream_500", "ok"]


def test_persistent_5xx_fails_over_to_the_next_target() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    done, trail = run(executor, [target("a"), target("b")],
                      scripted({"a": [e500(), e500()]}, clock, calls))
    assert done.target.provider.name == "b" and calls == ["a", "a", "b"]
    assert trail.served is done.target


def test_a_connection_reset_is_retried_on_the_same_target() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    done, _ = run(executor, [target("a"), target("b")],
                  scripted({"a": [UpstreamConnectionError("reset")]}, clock, calls))
    assert calls == ["a", "a"] and len(clock.waits) == 1 and done.target.provider.name == "a"


def test_resets_that_persist_fail_over_within_the_retry_budget() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    resets = [UpstreamConnectionError("refused")] * 10
    done, _ = run(executor, [target("a"), target("b")], scripted({"a": resets}, clock, calls))
    assert calls == ["a"] * executor.cfg.attempts_per_target + ["b"]


def test_429_waits_its_retry_after() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    limited = UpstreamStatusError("slow down", upstream_status=429, retry_after=1.5)
    done, _ = run(executor, [target("a")], scripted({"a": [limited, None]}, clock, calls))
    assert calls == ["a", "a"] and clock.waits == [1.5]


def test_a_long_retry_after_fails_over_and_later_requests_skip_the_target() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    limited = UpstreamStatusError("quota", upstream_status=429, retry_after=600)
    run(executor, [target("a"), target("b")], scripted({"a": [limited]}, clock, calls))
    assert calls == ["a", "b"] and clock.waits == []
    _, trail = run(executor, [target("a"), target("b")], scripted({}, clock, calls))
    assert calls[2:] == ["b"] and trail.attempts[0].outcome == "cooling_down"


def test_a_bad_request_stops_without_trying_others() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    bad = UpstreamStatusError("bad", upstream_status=400)
    with pytest.raises(InvalidRequestError):
        run(executor, [target("a"), target("b")], scripted({"a": [bad]}, clock, calls))
    assert calls == ["a"]


def test_a_dead_target_gets_only_probes_once_its_breaker_opens() -> None:
    clock, calls = Clock(), []
    executor, store = make(clock, retry=RetryConfig(attempts_per_target=1))
    dead = {"a": [e500() for _ in range(100)]}
    attempt = scripted(dead, clock, calls)
    for _ in range(10):
        done, _ = run(executor, [target("a"), target("b")], attempt)
        assert done.target.provider.name == "b"
    assert calls.count("a") == 3  # the threshold, then nothing while open
    clock.now += 31  # open_s later: exactly one probe
    for _ in range(5):
        run(executor, [target("a"), target("b")], attempt)
    assert calls.count("a") == 4
    assert store.states["a#a-m"].state == "open"


def test_a_successful_probe_closes_the_breaker() -> None:
    clock, calls = Clock(), []
    executor, store = make(clock, retry=RetryConfig(attempts_per_target=1))
    attempt = scripted({"a": [e500(), e500(), e500()]}, clock, calls)
    for _ in range(4):
        run(executor, [target("a"), target("b")], attempt)
    clock.now += 31
    done, _ = run(executor, [target("a"), target("b")], attempt)
    assert done.target.provider.name == "a" and store.states["a#a-m"].state == "closed"


def test_all_failing_lists_every_attempt_and_skip() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock)
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, [target("nokey", configured=False), target("a")],
            scripted({"a": [e500(), e500()]}, clock, calls))
    assert info.value.status == 502
    assert [a.code for a in info.value.attempts] == [
        "provider_not_configured", "upstream_500", "upstream_500"]


def test_nothing_callable_is_503() -> None:
    clock = Clock()
    executor, _ = make(clock)
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, [target("nokey", configured=False)], scripted({}, clock, []))
    assert info.value.status == 503


def test_only_timeouts_is_504() -> None:
    clock = Clock()
    executor, _ = make(clock)
    slow = [UpstreamTimeoutError("slow", provider="a", model="a-m") for _ in range(2)]
    with pytest.raises(UpstreamTimeoutError):
        run(executor, [target("a")], scripted({"a": slow}, clock, []))


def test_the_deadline_bounds_retries_and_attempt_timeouts() -> None:
    clock, timeouts = Clock(), []
    executor, _ = make(clock, retry=RetryConfig(attempts_per_target=5, deadline_s=1.0,
                                                base_delay_s=0.3))

    async def attempt(t: Target, timeout_s: float) -> str:
        timeouts.append(timeout_s)
        clock.now += 0.4
        raise e500()

    with pytest.raises(AllProvidersFailedError):
        run(executor, [target("a"), target("b")], attempt)
    assert timeouts[0] == 1.0 and all(t <= 1.0 for t in timeouts)
    assert clock.now <= 1000.0 + 1.0 + 0.4


def test_exhausted_free_tier_is_skipped_before_the_provider_would_429() -> None:
    clock, calls = Clock(), []
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    free = target("free", FreeTier(requests_per_day=3))
    attempt = scripted({}, clock, calls)
    served = [run(executor, [free, target("paid")], attempt)[0].target.provider.name
              for _ in range(5)]
    assert served == ["free", "free", "free", "paid", "paid"]
    assert calls.count("free") == 3


def test_one_tenant_cannot_use_up_a_shared_free_tier() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock, counters=MemoryCounters())
    free = target("free", FreeTier(requests_per_day=10))  # default tenant_share 0.5
    attempt = scripted({}, clock, calls)

    def served(tenant: str, n: int) -> list[str]:
        return [run(executor, [free, target("paid")], attempt, tenant)[0].target.provider.name
                for _ in range(n)]

    # The busy tenant gets its half, then pays; the quiet one still gets its half.
    assert served("busy", 8) == ["free"] * 5 + ["paid"] * 3
    assert served("quiet", 6) == ["free"] * 5 + ["paid"]
    assert calls.count("free") == 10


def test_the_tenant_share_is_configurable() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock, counters=MemoryCounters())
    free = target("free", FreeTier(requests_per_day=10, tenant_share=0.2))
    attempt = scripted({}, clock, calls)
    served = [run(executor, [free, target("paid")], attempt, "t")[0].target.provider.name
              for _ in range(4)]
    assert served == ["free", "free", "paid", "paid"]


def test_token_reservations_settle_to_usage_and_release_on_failure() -> None:
    clock = Clock()
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    a = target("a", FreeTier(tokens_per_day=10_000))
    b = target("b", FreeTier(tokens_per_day=10_000))
    _, trail = run(executor, [a, b],
                   scripted({"a": [UpstreamStatusError("bad key", upstream_status=401)]},
                            clock, []))
    settled = {op.pk: op.amount for op in trail.quota_settle_ops(tokens_used=42)}
    assert settled == {"QUOTA#a": -100, "QUOTA#b": 42 - 100}


def test_skipped_targets_do_not_use_up_max_targets() -> None:
    # Five free tiers already used up ahead of a paid target, one more than max_targets:
    # skipping costs no call, so the paid one still serves.
    clock, calls = Clock(), []
    counters = MemoryCounters()
    executor, _ = make(clock, retry=RetryConfig(max_targets=4), counters=counters)
    free = [target(f"free{i}", FreeTier(requests_per_day=1, tenant_share=1.0))
            for i in range(5)]
    attempt = scripted({}, clock, calls)
    for t in free:
        run(executor, [t], attempt)
    done, trail = run(executor, [*free, target("paid")], attempt)
    assert done.target.provider.name == "paid" and calls[-1] == "paid"
    assert [a.outcome for a in trail.attempts] == ["free_tier_exhausted"] * 5 + ["ok"]


def sibling(of: Target, name: str, free_tier: FreeTier | None = None,
            max_tokens: int = 100) -> Target:
    """Another model of ``of``'s provider (with its own free tier, if given)."""
    model = of.model.model_copy(update={"name": name, "free_tier": free_tier})
    return Target(model, of.provider, max_tokens=max_tokens)


@pytest.mark.parametrize("tenant", [None, "t"])
def test_a_request_does_not_ask_again_for_a_free_tier_it_was_refused(
        tenant: str | None) -> None:
    # Two models of one provider share its free tier's counters (the catalog's Groq and
    # Gemini): once the first is refused, the second is skipped without a round trip,
    # with the same skip record the store's refusal would have given.
    clock, calls = Clock(), []
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    first = target("free", FreeTier(requests_per_minute=2))
    second = sibling(first, "free-m2")
    attempt = scripted({}, clock, calls)
    for _ in range(1 if tenant else 2):  # a tenant's share: 1 of 2
        run(executor, [first], attempt, tenant)
    counters.reserve_calls = 0
    done, trail = run(executor, [first, second, target("paid")], attempt, tenant)
    assert done.target.provider.name == "paid" and calls[-1] == "paid"
    assert counters.reserve_calls == 1
    refused = ("tenant t's share of free's free tier: 1 requests per minute" if tenant
               else "free's free tier: 2 requests per minute")
    assert trail.attempts[:2] == [
        AttemptRecord("free", "free-m", 0.0, "free_tier_exhausted", refused),
        AttemptRecord("free", "free-m2", 0.0, "free_tier_exhausted", refused)]
    assert trail.attempts[2].outcome == "ok" and trail.served_quota == []


def test_nothing_callable_after_a_shared_refusal_still_says_when_it_is_back() -> None:
    clock = Clock()
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    first = target("free", FreeTier(requests_per_minute=1, tenant_share=1.0))
    attempt = scripted({}, clock, [])
    run(executor, [first], attempt)
    counters.reserve_calls = 0
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, [first, sibling(first, "free-m2")], attempt)
    assert counters.reserve_calls == 1
    assert info.value.status == 503 and info.value.retry_after == pytest.approx(55.0)
    assert [(a.model, a.code) for a in info.value.attempts] == [
        ("free-m", "free_tier_exhausted"), ("free-m2", "free_tier_exhausted")]


def test_models_with_their_own_free_tiers_are_each_asked() -> None:
    # Per-model free tiers (as Groq and Gemini count them) are separate counters: one
    # model's used-up tier says nothing of another's, so both are tried.
    clock, calls = Clock(), []
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    own = FreeTier(requests_per_minute=1, tenant_share=1.0)
    base = target("free")
    first, second = sibling(base, "free-a", own), sibling(base, "free-b", own)
    attempt = scripted({}, clock, calls)
    run(executor, [first], attempt)
    counters.reserve_calls = 0
    done, trail = run(executor, [first, second, target("paid")], attempt)
    assert done.target.model.name == "free-b" and counters.reserve_calls == 2
    assert [a.outcome for a in trail.attempts] == ["free_tier_exhausted", "ok"]


def test_a_smaller_token_reservation_on_a_refused_counter_is_still_asked() -> None:
    # A token counter refused 100 may still take 40: only as much or more is skipped.
    clock, calls = Clock(), []
    counters = MemoryCounters()
    executor, _ = make(clock, counters=counters)
    big = target("free", FreeTier(tokens_per_minute=50, tenant_share=1.0))
    also_big, small = sibling(big, "free-big2"), sibling(big, "free-small", max_tokens=40)
    done, trail = run(executor, [big, also_big, small], scripted({}, clock, calls))
    assert done.target.model.name == "free-small" and counters.reserve_calls == 2
    assert [a.outcome for a in trail.attempts] == ["free_tier_exhausted"] * 2 + ["ok"]


def test_max_targets_still_bounds_the_calls() -> None:
    clock, calls = Clock(), []
    executor, _ = make(clock, retry=RetryConfig(max_targets=2, attempts_per_target=1))
    chain = [target("nokey", configured=False), target("a"), target("b"), target("c")]
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, chain, scripted({p: [e500()] for p in "abc"}, clock, calls))
    assert calls == ["a", "b"] and info.value.status == 502
    assert "Retry-After" not in info.value.headers()


def test_nothing_callable_says_when_the_first_candidate_is_back() -> None:
    clock = Clock()
    counters = MemoryCounters()
    executor, store = make(clock, counters=counters)
    # 03:04:05 on the executor's wall clock: a per-minute free tier is back in 55 s.
    free = target("free", FreeTier(requests_per_minute=1, tenant_share=1.0))
    attempt = scripted({"cool": [UpstreamStatusError(
        "slow down", upstream_status=429, retry_after=600)]}, clock, [])
    run(executor, [free], attempt)
    cool = target("cool")
    with pytest.raises(AllProvidersFailedError):
        run(executor, [cool], attempt)  # a 429 with a long Retry-After cools it down
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, [free, cool, target("nokey", configured=False)], attempt)
    err = info.value
    assert err.status == 503 and err.retry_after == pytest.approx(55.0)
    assert err.headers() == {"Retry-After": "55"}
    assert [a.code for a in err.attempts] == [
        "free_tier_exhausted", "cooling_down", "provider_not_configured"]
    assert err.message.startswith("No provider can serve this request now")


def test_nothing_callable_without_a_known_end_has_no_retry_after() -> None:
    clock = Clock()
    executor, _ = make(clock)
    with pytest.raises(AllProvidersFailedError) as info:
        run(executor, [target("nokey", configured=False)], scripted({}, clock, []))
    assert info.value.status == 503 and info.value.headers() == {}
