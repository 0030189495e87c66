"""In-memory stores with the same contracts as the DynamoDB ones (which the integration
tests run against moto): conditional reservations all-or-nothing, breaker transitions
through the same pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from llm_router.policies import BreakerConfig
from llm_router.resilience.breaker import (
    CLOSED,
    BreakerState,
    after_failure,
    take_probe,
    verdict,
)
from llm_router.resilience.counters import CounterOp, LimitReached


class MemoryCounters:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Decimal] = {}
        self.reserve_calls = 0

    def reserve(self, ops: Sequence[CounterOp], action: str = "") -> None:
        self.reserve_calls += 1
        for op in ops:
            used = self.values.get((op.pk, op.sk))
            if not op.fits_alone or (used is not None and op.limit is not None
                                     and used > op.limit - op.amount):
                raise LimitReached(op, used)
        for op in ops:
            self.values[(op.pk, op.sk)] = self.values.get((op.pk, op.sk), Decimal(0)) + op.amount

    def read(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
        return {k: self.values[k] for k in keys if k in self.values}

    def update_of(self, op: CounterOp) -> dict[str, Any]:
        return {"pk": op.pk, "sk": op.sk, "amount": op.amount}


class MemoryBreakers:
    def __init__(self, cfg: BreakerConfig) -> None:
        self.cfg = cfg
        self.states: dict[str, BreakerState] = {}
        self.writes = 0

    def load(self) -> dict[str, BreakerState]:
        return dict(self.states)

    def record_failure(self, target: str, now: float) -> BreakerState:
        self.writes += 1
        self.states[target] = after_failure(self.states.get(target, CLOSED), now, self.cfg)
        return self.states[target]

    def record_success(self, target: str, now: float) -> None:
        self.writes += 1
        self.states[target] = CLOSED

    def take_probe(self, target: str, now: float) -> bool:
        state = self.states.get(target, CLOSED)
        if verdict(state, now, self.cfg) != "probe":
            return False
        self.writes += 1
        self.states[target] = take_probe(state, now, self.cfg)
        return True

    def cool_down(self, target: str, now: float, until: float) -> None:
        state = self.states.get(target, CLOSED)
        self.states[target] = BreakerState(state.state, state.failures, state.opened_at,
                                           state.probe_until, until)
