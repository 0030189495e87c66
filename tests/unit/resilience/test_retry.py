from __future__ import annotations

import pytest

from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.policies import RetryConfig
from llm_router.resilience.retry import backoff, counts_against_health, next_step

CFG = RetryConfig(attempts_per_target=3, base_delay_s=0.5, max_delay_s=4, max_retry_after_s=5)


def status(code: int, retry_after: float | None = None) -> UpstreamStatusError:
    return UpstreamStatusError("x", upstream_status=code, retry_after=retry_after)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    assert [backoff(n, CFG, lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff(3, CFG, lambda: 0.25) == 0.5
    assert backoff(3, CFG, lambda: 0.0) == 0.0


@pytest.mark.parametrize("exc", [status(500), status(503), status(529), status(408),
                                 UpstreamTimeoutError("t"), UpstreamProtocolError("m")])
def test_server_side_failures_retry_then_fail_over(exc) -> None:
    assert next_step(exc, 1, CFG, time_left_s=60, rand=lambda: 1.0).action == "retry"
    assert next_step(exc, 1, CFG, time_left_s=60, rand=lambda: 1.0).delay_s == 0.5
    assert next_step(exc, 2, CFG, time_left_s=60, rand=lambda: 1.0).delay_s == 1.0
    assert next_step(exc, 3, CFG, time_left_s=60).action == "failover"


def test_connection_errors_are_retried_like_5xx_then_fail_over() -> None:
    reset = UpstreamConnectionError("reset")
    assert next_step(reset, 1, CFG, time_left_s=60, rand=lambda: 1.0) == \
        next_step(status(503), 1, CFG, time_left_s=60, rand=lambda: 1.0)
    assert next_step(reset, 1, CFG, time_left_s=60).action == "retry"
    assert next_step(reset, 3, CFG, time_left_s=60).action == "failover"


def test_429_honours_retry_after_within_the_cap() -> None:
    step = next_step(status(429, retry_after=2.0), 1, CFG, time_left_s=60)
    assert (step.action, step.delay_s) == ("retry", 2.0)


def test_429_without_retry_after_backs_off() -> None:
    step = next_step(status(429), 2, CFG, time_left_s=60, rand=lambda: 0.5)
    assert (step.action, step.delay_s) == ("retry", 0.5)


def test_429_with_a_long_retry_after_fails_over_and_cools_the_target_down() -> None:
    step = next_step(status(429, retry_after=120), 1, CFG, time_left_s=600)
    assert (step.action, step.cooldown_s) == ("failover", 120)


def test_no_wait_crosses_the_deadline() -> None:
    step = next_step(status(429, retry_after=3), 1, CFG, time_left_s=2)
    assert step.action == "failover"


@pytest.mark.parametrize("code", [400, 404, 413, 422])
def test_request_errors_stop(code: int) -> None:
    assert next_step(status(code), 1, CFG, time_left_s=60).action == "stop"


@pytest.mark.parametrize("code", [401, 403])
def test_credential_errors_fail_over_without_retry(code: int) -> None:
    assert next_step(status(code), 1, CFG, time_left_s=60).action == "failover"


def test_only_health_failures_feed_the_breaker() -> None:
    assert counts_against_health(status(503))
    assert counts_against_health(UpstreamTimeoutError("t"))
    assert counts_against_health(UpstreamConnectionError("c"))
    assert not counts_against_health(status(429))
    assert not counts_against_health(status(400))
    assert not counts_against_health(status(401))
