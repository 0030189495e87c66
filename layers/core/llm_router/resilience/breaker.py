"""The circuit breaker of one target (provider x model) as a pure state machine.

  closed     calls flow; each failure adds one to ``failures``, a success resets it.
             ``failures`` reaching the threshold opens the breaker.
  open       calls are refused until ``open_s`` after ``opened_at``; then the first
             instance to take the probe lease (a conditional write) sends one call.
  half_open  one probe is in flight until ``probe_until``; everyone else is refused.
             The probe's success closes the breaker, its failure re-opens it.
             A lapsed lease (the prober died) lets another instance probe.

The state is shared by every instance through the counters table
(``llm_router.storage.breakers``); each instance keeps a copy a second or two old
as its fast path, so a closed breaker costs no round trip at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from llm_router.policies import BreakerConfig

State = Literal["closed", "open", "half_open"]
Verdict = Literal["allow", "probe", "refuse"]


@dataclass(frozen=True)
class BreakerState:
    state: State = "closed"
    failures: int = 0
    opened_at: float = 0.0
    probe_until: float = 0.0
    # Until when the provider asked us (429 Retry-After) to stay away; not a failure.
    cooldown_until: float = 0.0


CLOSED = BreakerState()


def verdict(s: BreakerState, now: float, cfg: BreakerConfig) -> Verdict:
    if now < s.cooldown_until:
        return "refuse"
    if s.state == "closed" or not cfg.enabled:
        return "allow"
    if s.state == "open":
        return "probe" if now >= s.opened_at + cfg.open_s else "refuse"
    return "probe" if now >= s.probe_until else "refuse"


def available_in(s: BreakerState, now: float, cfg: BreakerConfig) -> float:
    """Seconds until ``verdict`` would no longer refuse (0: it does not refuse now)."""
    at = s.cooldown_until
    if cfg.enabled and s.state == "open":
        at = max(at, s.opened_at + cfg.open_s)
    elif cfg.enabled and s.state == "half_open":
        at = max(at, s.probe_until)
    return max(0.0, at - now)


def after_failure(s: BreakerState, now: float, cfg: BreakerConfig) -> BreakerState:
    if s.state == "half_open":
        return replace(s, state="open", opened_at=now, probe_until=0.0, failures=s.failures + 1)
    failures = s.failures + 1
    if s.state == "closed" and failures >= cfg.failure_threshold:
        return replace(s, state="open", failures=failures, opened_at=now)
    return replace(s, failures=failures)


def after_success(s: BreakerState) -> BreakerState:
    return replace(CLOSED, cooldown_until=s.cooldown_until)


def take_probe(s: BreakerState, now: float, cfg: BreakerConfig) -> BreakerState:
    return replace(s, state="half_open", probe_until=now + cfg.probe_lease_s)
