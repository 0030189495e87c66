"""One request's attempts down its candidate chain, under the retry, breaker and quota
policies. The only place a provider call is retried or failed over.

The call itself is injected: ``attempt(target, timeout_s)`` returns the result or raises
an ``UpstreamError``. A buffered call returns the whole completion; a streaming call
returns once the provider's first chunk has arrived (say, an iterator primed with it),
so retries and failover happen before the client has seen a byte. After that the
stream is the caller's; ``Executor.report`` feeds a later mid-stream failure back to
the target's breaker.

For each target, in order: skip it when it has no key, its breaker refuses, or its free
tier has no room (reserved here, one conditional transaction; a counter the same request
was already refused is not asked again: the models of a provider share its free tier's
counters); otherwise call it, and
on failure ask ``retry.next_step`` whether to retry it (after a wait), fail over to the
next target, or stop. Every call and every skip is logged in the ``Trail`` the caller
books in the ledger.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

import anyio

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    AllProvidersFailedError,
    AttemptSummary,
    InvalidRequestError,
    RouterError,
    UpstreamError,
    UpstreamTimeoutError,
)
from llm_router.ledger import AttemptRecord, now_utc
from llm_router.policies import RetryConfig
from llm_router.resilience.counters import CounterOp, LimitReached
from llm_router.resilience.health import HealthBoard, target_key
from llm_router.resilience.quota import has_quota, quota_ops
from llm_router.resilience.retry import counts_against_health, next_step

T = TypeVar("T")
# Outcomes of targets that were not called.
SKIPPED = frozenset({"provider_not_configured", "circuit_open", "cooling_down",
                     "free_tier_exhausted"})


@dataclass(frozen=True)
class Target:
    model: ModelConfig
    provider: ProviderConfig
    # The most tokens one attempt may use (prompt + output cap), reserved on free tiers.
    max_tokens: int = 0

    @property
    def key(self) -> str:
        return target_key(self.provider.name, self.model.name)


class QuotaStore(Protocol):
    def reserve(self, ops: Sequence[CounterOp], action: str = ...) -> None: ...


@dataclass
class Trail:
    """What the attempts did, for the ledger and the settle transaction."""

    attempts: list[AttemptRecord] = field(default_factory=list)
    # Free-tier reservations of attempts that failed, and of the one that served.
    failed_quota: list[CounterOp] = field(default_factory=list)
    served_quota: list[CounterOp] = field(default_factory=list)
    served: Target | None = None
    # Whose request this is: free tiers are reserved against the tenant's share too.
    tenant: str | None = None
    # Free-tier counters this request's reservations were refused on, with the refusal.
    refused: dict[tuple[str, str], LimitReached] = field(default_factory=dict)

    def quota_settle_ops(self, tokens_used: int) -> list[CounterOp]:
        """Token reservations settled: the served attempt's to its usage, others to 0."""
        ops = [op.settle(Decimal(0)) for op in self.failed_quota if op.unit == "tokens"]
        ops += [op.settle(Decimal(tokens_used)) for op in self.served_quota
                if op.unit == "tokens"]
        return ops


Attempt = Callable[[Target, float], Awaitable[T]]


@dataclass(frozen=True)
class Done(Generic[T]):
    result: T
    target: Target


class Executor:
    def __init__(
        self,
        cfg: RetryConfig,
        board: HealthBoard,
        quotas: QuotaStore | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = now_utc,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        rand: Callable[[], float] = random.random,
        on_full: Callable[[CounterOp, Decimal | None], None] | None = None,
    ):
        self.cfg = cfg
        self.board = board
        self._quotas = quotas
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._rand = rand
        # Told of each free-tier counter a reservation did not fit, with the value the
        # store read when it is known (for the scoring's cache).
        self._on_full = on_full

    async def run(self, chain: Sequence[Target], attempt: Attempt[T], trail: Trail) -> Done[T]:
        deadline = self._clock() + self.cfg.deadline_s
        await self.board.refresh()
        last: UpstreamError | None = None
        called = 0
        waits: list[float] = []  # when each skipped target could serve again, if known
        for target in chain:
            # max_targets bounds the calls (latency), not the skips: a skip costs at most
            # one conditional write, and one more candidate may well serve.
            if called >= self.cfg.max_targets or self._clock() >= deadline:
                break
            skip = await self._skip_reason(target)
            if skip:
                trail.attempts.append(AttemptRecord(target.provider.name, target.model.name,
                                                    0.0, skip[0], skip[1]))
                if skip[2] is not None:
                    waits.append(skip[2])
                continue
            before = len(trail.attempts)
            outcome = await self._on_target(target, attempt, trail, deadline, waits)
            if isinstance(outcome, Done):
                trail.served = target
                return outcome
            called += any(a.outcome not in SKIPPED for a in trail.attempts[before:])
            last = outcome
        raise self._exhausted(trail, last, min(waits, default=None))

    async def report(self, target: Target, exc: UpstreamError, latency_ms: float) -> None:
        """A failure after ``run`` returned (mid-stream), for the target's breaker."""
        await self.board.failure(target.key, latency_ms, unhealthy=counts_against_health(exc))

    async def _skip_reason(self, target: Target) -> tuple[str, str, float | None] | None:
        """Why ``target`` cannot be called now, and in how many seconds it could be."""
        if not target.provider.configured:
            return "provider_not_configured", "provider has no API key configured", None
        verdict = await self.board.admit(target.key)
        if verdict == "refuse":
            state = self.board.state(target.key)
            wait = self.board.available_in(target.key)
            if state.state == "closed":
                return ("cooling_down", "the provider asked us to wait (429 Retry-After)",
                        wait)
            return "circuit_open", f"circuit breaker {state.state.replace('_', '-')}", wait
        return None

    async def _on_target(
        self, target: Target, attempt: Attempt[T], trail: Trail, deadline: float,
        waits: list[float],
    ) -> Done[T] | UpstreamError | None:
        last: UpstreamError | None = None
        for number in range(1, self.cfg.attempts_per_target + 1):
            if number > 1 and await self.board.admit(target.key) == "refuse":
                return last  # opened while we were retrying: fail over
            reserved = await self._reserve(target, trail, waits)
            if reserved is None:
                return last
            timeout = min(target.provider.timeout_s, self.cfg.attempt_timeout_s or 1e9,
                          max(0.001, deadline - self._clock()))
            started = self._clock()
            try:
                result = await attempt(target, timeout)
            except UpstreamError as exc:
                latency = (self._clock() - started) * 1000
                last = exc
                trail.failed_quota += reserved
                trail.attempts.append(AttemptRecord(target.provider.name, target.model.name,
                                                    latency, exc.code or "error", exc.message))
                await self.board.failure(target.key, latency,
                                         unhealthy=counts_against_health(exc))
                step = next_step(exc, number, self.cfg, time_left_s=deadline - self._clock(),
                                 rand=self._rand)
                if step.cooldown_s:
                    await self.board.cool_down(target.key, step.cooldown_s)
                if step.action == "stop":
                    raise _rejected(exc) from exc
                if step.action == "failover":
                    return exc
                await self._sleep(step.delay_s)
                continue
            latency = (self._clock() - started) * 1000
            trail.served_quota += reserved
            trail.attempts.append(AttemptRecord(target.provider.name, target.model.name,
                                                latency, "ok"))
            await self.board.success(target.key, latency)
            return Done(result, target)
        return last

    async def _reserve(self, target: Target, trail: Trail,
                       waits: list[float]) -> list[CounterOp] | None:
        """The target's free-tier reservation, [] without a free tier, None when full
        (then ``waits`` gets the seconds until the full window ends)."""
        if self._quotas is None or not has_quota(target.provider, target.model):
            return []
        ops = quota_ops(target.provider, target.model, target.max_tokens, self._wall(),
                        trail.tenant)
        refusal = _refused_before(ops, trail.refused)
        if refusal is None:
            try:
                await anyio.to_thread.run_sync(self._quotas.reserve, ops,
                                               "reserving free-tier quota")
                return ops
            except LimitReached as exc:
                refusal = trail.refused[exc.op.pk, exc.op.sk] = exc
                if self._on_full is not None:
                    self._on_full(exc.op, exc.used)
        trail.attempts.append(AttemptRecord(
            target.provider.name, target.model.name, 0.0, "free_tier_exhausted", str(refusal)))
        waits.append(max(0.0, refusal.op.resets_at - self._wall().timestamp()))
        return None

    def _exhausted(self, trail: Trail, last: UpstreamError | None,
                   retry_after: float | None) -> RouterError:
        summaries = [AttemptSummary(a.provider, a.model, a.error or a.outcome, a.outcome)
                     for a in trail.attempts]
        called = [a for a in trail.attempts if a.outcome not in SKIPPED]
        if called and all(a.outcome == "upstream_timeout" for a in called) and last:
            return UpstreamTimeoutError(
                f"No provider answered in time ({len(called)} attempts): {last.message}",
                provider=last.provider, model=last.model)
        if called:
            return AllProvidersFailedError(summaries, status=502)
        # Nothing could be called: every candidate lacks a key, has its breaker open, is
        # cooling down or has used up its free tier. Retry-After: the soonest one is back.
        return AllProvidersFailedError(summaries, status=503, retry_after=retry_after)


def _refused_before(ops: Sequence[CounterOp],
                   refused: dict[tuple[str, str], LimitReached]) -> LimitReached | None:
    """The refusal that already answers a reservation of ``ops``: an earlier one in the
    same request on a counter ``ops`` would add at least as much to, within no larger a
    limit (the models of one provider share its free tier's counters, and a request
    counter only grows within its window; the window is in the counter's key). None
    when each counter is new to the request or asked for less (a model with a smaller
    token maximum): then the store is asked."""
    for op in ops:
        prior = refused.get((op.pk, op.sk))
        if (prior is not None and op.limit is not None and prior.op.limit is not None
                and op.amount >= prior.op.amount and op.limit <= prior.op.limit):
            return prior
    return None


def _rejected(exc: UpstreamError) -> RouterError:
    """A provider refused the request itself (400, 404, 413, 422): the client's error."""
    return InvalidRequestError(f"The provider rejected the request: {exc.message}")
