from __future__ import annotations

from llm_router.policies import BreakerConfig
from llm_router.resilience.breaker import (
    CLOSED,
    BreakerState,
    after_failure,
    after_success,
    available_in,
    take_probe,
    verdict,
)

CFG = BreakerConfig(failure_threshold=3, open_s=30, probe_lease_s=10)


def fail(state: BreakerState, times: int, now: float = 100.0) -> BreakerState:
    for _ in range(times):
        state = after_failure(state, now, CFG)
    return state


def test_opens_after_threshold_consecutive_failures() -> None:
    assert fail(CLOSED, 2).state == "closed"
    opened = fail(CLOSED, 3)
    assert (opened.state, opened.opened_at) == ("open", 100.0)
    assert verdict(opened, 129.9, CFG) == "refuse"


def test_a_success_resets_the_count() -> None:
    state = after_success(fail(CLOSED, 2))
    assert fail(state, 2).state == "closed"


def test_half_open_lets_one_probe_through() -> None:
    opened = fail(CLOSED, 3)
    assert verdict(opened, 130.0, CFG) == "probe"
    probing = take_probe(opened, 130.0, CFG)
    assert probing.state == "half_open"
    assert verdict(probing, 135.0, CFG) == "refuse"  # the lease is held
    assert verdict(probing, 140.0, CFG) == "probe"  # the prober vanished: lease lapsed


def test_probe_failure_reopens_and_success_closes() -> None:
    probing = take_probe(fail(CLOSED, 3), 130.0, CFG)
    reopened = after_failure(probing, 131.0, CFG)
    assert (reopened.state, reopened.opened_at) == ("open", 131.0)
    assert verdict(reopened, 150.0, CFG) == "refuse"
    assert after_success(probing).state == "closed"


def test_cooldown_refuses_without_opening() -> None:
    cooling = BreakerState(cooldown_until=200.0)
    assert verdict(cooling, 199.0, CFG) == "refuse"
    assert verdict(cooling, 200.0, CFG) == "allow"


def test_disabled_breaker_always_allows() -> None:
    off = BreakerConfig(enabled=False)
    assert verdict(fail(CLOSED, 5), 101.0, off) == "allow"


def test_available_in_says_when_a_refusal_ends() -> None:
    opened = fail(CLOSED, 3)  # opened at 100, open_s 30
    assert available_in(opened, 110.0, CFG) == 20.0
    assert available_in(opened, 140.0, CFG) == 0.0
    assert available_in(take_probe(opened, 130.0, CFG), 131.0, CFG) == 9.0
    cooling = BreakerState(cooldown_until=105.0)
    assert available_in(cooling, 100.0, CFG) == 5.0
    assert available_in(CLOSED, 100.0, CFG) == 0.0
