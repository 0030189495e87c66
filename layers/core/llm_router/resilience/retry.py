"""What to do after a failed attempt, by error class. Pure (randomness is passed in).

  429                      wait Retry-After (when it is within max_retry_after_s) or back
                           off exponentially with jitter, retry; then fail over. A longer
                           Retry-After fails over at once and cools the target down.
  5xx, 408, 409, timeout,  back off with jitter and retry the same target up to
  malformed body,          attempts_per_target times, then fail over. A refused or
  connection error         reset connection is as often a passing blip (a recycled
                           keep-alive connection, a pod restarting) as a dead host.
  401, 403                 fail over without retrying (this provider's key is wrong;
                           another provider's may be fine).
  other 4xx                stop: the request itself is wrong, no provider will take it.

No wait ever crosses the request's deadline: a retry that would is a failover instead.
A stream is only ever retried before its first chunk (the executor's attempt ends
there); after that a failure ends the stream (``llm_router.streaming.relay``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from llm_router.errors import UpstreamError, UpstreamStatusError
from llm_router.policies import RetryConfig

Action = Literal["retry", "failover", "stop"]


@dataclass(frozen=True)
class Next:
    action: Action
    delay_s: float = 0.0
    # Keep away from this target for this long (a 429 with a long Retry-After).
    cooldown_s: float = 0.0


def backoff(attempt: int, cfg: RetryConfig, rand: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform(0, min(max_delay, base * 2**(attempt-1)))."""
    cap = min(cfg.max_delay_s, cfg.base_delay_s * (2 ** (attempt - 1)))
    return cap * rand()


def next_step(
    exc: UpstreamError,
    attempt: int,
    cfg: RetryConfig,
    *,
    time_left_s: float,
    rand: Callable[[], float] = random.random,
) -> Next:
    """``attempt`` is the 1-based number of the attempt that just failed on this target."""
    if isinstance(exc, UpstreamStatusError) and not exc.retryable:
        return Next("failover") if exc.upstream_status in (401, 403) else Next("stop")
    if isinstance(exc, UpstreamStatusError) and exc.upstream_status == 429:
        after = exc.retry_after
        if after is not None and after > cfg.max_retry_after_s:
            return Next("failover", cooldown_s=after)
        delay = after if after is not None else backoff(attempt, cfg, rand)
    else:
        delay = backoff(attempt, cfg, rand)
    if attempt >= cfg.attempts_per_target or delay >= time_left_s:
        pacing = exc.retry_after if isinstance(exc, UpstreamStatusError) else None
        return Next("failover", cooldown_s=pacing or 0.0)
    return Next("retry", delay)


def counts_against_health(exc: UpstreamError) -> bool:
    """Failures that say the target is unwell (they feed its breaker). A 429 is the
    provider pacing us, and a 4xx is about the request or our key, not its health."""
    if isinstance(exc, UpstreamStatusError):
        return exc.upstream_status >= 500 or exc.upstream_status == 408
    return True
