"""What one instance knows about its targets' health, and the breakers' fast path.

``HealthBoard`` keeps the shared breaker states (refreshed from the store at most every
``cache_ttl_s``) plus this instance's own moving averages of latency and error rate per
target, which feed scoring. A closed breaker with no recent failure costs no round
trip: successes are only written when they close or reset a breaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from llm_router.policies import BreakerConfig
from llm_router.resilience.breaker import (
    CLOSED,
    BreakerState,
    Verdict,
    after_failure,
    available_in,
    take_probe,
    verdict,
)

# Weight of the newest sample in the moving averages (about the last ten calls).
EWMA_ALPHA = 0.2


class BreakerStore(Protocol):
    def load(self) -> dict[str, BreakerState]: ...
    def record_failure(self, target: str, now: float) -> BreakerState: ...
    def record_success(self, target: str, now: float) -> None: ...
    def take_probe(self, target: str, now: float) -> bool: ...
    def cool_down(self, target: str, now: float, until: float) -> None: ...


@dataclass
class TargetStats:
    latency_ms: float | None = None
    error_rate: float = 0.0
    calls: int = 0

    def add(self, latency_ms: float | None, failed: bool) -> None:
        self.calls += 1
        self.error_rate += EWMA_ALPHA * ((1.0 if failed else 0.0) - self.error_rate)
        if latency_ms is not None and not failed:
            self.latency_ms = latency_ms if self.latency_ms is None else (
                self.latency_ms + EWMA_ALPHA * (latency_ms - self.latency_ms))


def target_key(provider: str, model: str) -> str:
    return f"{provider}#{model}"


@dataclass
class HealthBoard:
    store: BreakerStore
    cfg: BreakerConfig
    clock: Callable[[], float] = time.time
    _states: dict[str, BreakerState] = field(default_factory=dict)
    _stats: dict[str, TargetStats] = field(default_factory=dict)
    _loaded_at: float = float("-inf")

    async def refresh(self) -> None:
        """Reload the shared states when the local copy is older than ``cache_ttl_s``."""
        now = self.clock()
        if now - self._loaded_at < self.cfg.cache_ttl_s:
            return
        self._states = await anyio.to_thread.run_sync(self.store.load)
        self._loaded_at = now

    def state(self, target: str) -> BreakerState:
        return self._states.get(target, CLOSED)

    def stats(self, target: str) -> TargetStats:
        return self._stats.setdefault(target, TargetStats())

    def available_in(self, target: str) -> float:
        """Seconds until ``target`` may be called again, as far as this instance knows."""
        return available_in(self.state(target), self.clock(), self.cfg)

    async def admit(self, target: str) -> Verdict:
        """allow, refuse, or probe (this instance holds the half-open lease)."""
        now = self.clock()
        seen = verdict(self.state(target), now, self.cfg)
        if seen != "probe":
            return seen
        if not await anyio.to_thread.run_sync(self.store.take_probe, target, now):
            # Someone else is probing; our copy is stale until the next refresh.
            self._loaded_at = float("-inf")
            return "refuse"
        self._states[target] = take_probe(self.state(target), now, self.cfg)
        return "probe"

    async def failure(self, target: str, latency_ms: float, *, unhealthy: bool) -> None:
        self.stats(target).add(latency_ms, failed=unhealthy)
        if not unhealthy or not self.cfg.enabled:
            return
        now = self.clock()
        # Locally first, so this request's later choices see it even if the write fails.
        self._states[target] = after_failure(self.state(target), now, self.cfg)
        self._states[target] = await anyio.to_thread.run_sync(
            self.store.record_failure, target, now)

    async def success(self, target: str, latency_ms: float) -> None:
        self.stats(target).add(latency_ms, failed=False)
        state = self.state(target)
        if state.state == "closed" and state.failures == 0:
            return  # the fast path: nothing to write
        await anyio.to_thread.run_sync(self.store.record_success, target, self.clock())
        self._states[target] = CLOSED

    async def cool_down(self, target: str, seconds: float) -> None:
        now = self.clock()
        until = now + seconds
        state = self.state(target)
        self._states[target] = BreakerState(state.state, state.failures, state.opened_at,
                                            state.probe_until, until)
        await anyio.to_thread.run_sync(self.store.cool_down, target, now, until)
