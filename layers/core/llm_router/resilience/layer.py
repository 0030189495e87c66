"""What the request path asks of resilience, in three calls.

  admit(principal, request, decision)  one conditional write: rate limits and budget
                                       reservations, or a 429 / 402 before any call
  run(request, decision, attempt)      the executor down the scored chain
  settle_items(...)                    the counter updates that ride in the ledger's
                                       transaction: reservations become actual usage

``ChatService`` (buffered) and the streaming path both use it; the attempt callable is
theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import anyio

from llm_router.catalog import Catalog, ModelConfig, ProviderConfig
from llm_router.keys import Principal
from llm_router.ledger import now_utc
from llm_router.policies import Environment, KeyLimits
from llm_router.preflight import preflight_estimate
from llm_router.resilience.admission import (
    Reservation,
    effective_limits,
    plan_admission,
    refusal,
)
from llm_router.resilience.counters import CounterOp, LimitReached, merge
from llm_router.resilience.executor import Attempt, Done, Executor, Trail
from llm_router.resilience.executor import Target as Target
from llm_router.resilience.health import HealthBoard
from llm_router.resilience.quota import has_quota, quota_ops, remaining_fraction
from llm_router.resilience.scoring import Signals, rank
from llm_router.routing import RouteDecision
from llm_router.schema import ChatRequest

T = TypeVar("T")


class CounterStore(Protocol):
    def reserve(self, ops: Sequence[CounterOp], action: str = ...) -> None: ...
    def read(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]: ...
    def update_of(self, op: CounterOp) -> dict[str, Any]: ...


class Resilience:
    def __init__(
        self,
        catalog: Catalog,
        counters: CounterStore,
        board: HealthBoard,
        *,
        environment: Environment = "prod",
        wall: Callable[[], datetime] = now_utc,
        executor: Executor | None = None,
    ):
        self.catalog = catalog
        self.counters = counters
        self.board = board
        self.environment = environment
        self._wall = wall
        # Free-tier counters for scoring, each with when it was read (monotonic).
        self._usage: dict[tuple[str, str], Decimal] = {}
        self._usage_at: dict[tuple[str, str], float] = {}
        self.executor = executor or Executor(catalog.resilience.retry, board, counters,
                                             wall=wall, on_full=self._note_full)

    # --- admission ----------------------------------------------------------------

    async def admit(
        self, principal: Principal, request: ChatRequest, decision: RouteDecision
    ) -> Reservation:
        limits = effective_limits(principal, self.catalog.limits.keys)
        tenant = self.catalog.limits.tenants.get(principal.tenant_id,
                                                 self.catalog.limits.tenant_default)
        needs_cost = any(v is not None for v in (
            limits.daily_budget_usd, limits.monthly_budget_usd,
            tenant and tenant.daily_budget_usd, tenant and tenant.monthly_budget_usd))
        if limits.rpm is None and limits.tpm is None and not needs_cost:
            return Reservation()
        # Token counting reads the whole prompt: a worker thread, not the event loop.
        max_cost, tokens = await anyio.to_thread.run_sync(
            self._worst_case, request, decision, needs_cost, limits.tpm is not None)
        now = self._wall()
        return await self._reserve(plan_admission(principal, limits, tenant,
                                                  max_cost_usd=max_cost, tokens=tokens,
                                                  now=now), now)

    async def admit_hit(self, principal: Principal) -> Reservation:
        """A cache hit still counts against the key's requests per minute, but it costs
        nothing and uses no provider tokens, so no budget or token limit can refuse it."""
        rpm = effective_limits(principal, self.catalog.limits.keys).rpm
        if rpm is None:
            return Reservation()
        now = self._wall()
        return await self._reserve(plan_admission(principal, KeyLimits(rpm=rpm), None,
                                                  max_cost_usd=Decimal(0), tokens=0,
                                                  now=now), now)

    async def _reserve(self, reservation: Reservation, now: datetime) -> Reservation:
        """One conditional write for every limited counter, or the 429 / 402 that says
        which limit did not fit."""
        # A store that takes its calls on the event loop (the embedded one's counters,
        # ``DynamoCounters.reserve_on_loop``) skips the hop to a worker thread.
        on_loop = getattr(self.counters, "reserves_on_loop", False)
        try:
            if on_loop:
                await self.counters.reserve_on_loop(  # type: ignore[attr-defined]
                    reservation.ops, "admitting the request")
            else:
                await anyio.to_thread.run_sync(self.counters.reserve, reservation.ops,
                                               "admitting the request")
        except LimitReached as exc:
            raise refusal(exc.op, reservation, now, exc.used) from exc
        return reservation

    # --- attempts -----------------------------------------------------------------

    async def run(
        self, request: ChatRequest, decision: RouteDecision, attempt: Attempt[T], trail: Trail
    ) -> tuple[Done[T], RouteDecision]:
        """The result, and the decision actually served (a fallback's, after failover)."""
        chain = await self.chain(request, decision, trail.tenant)
        done = await self.executor.run(chain, attempt, trail)
        served = done.target
        if served.model is decision.model and served.provider == decision.provider:
            return done, decision
        # A stronger tier serves only once every candidate of the routed one could not,
        # so climbing is always a failover; the tier is then the one that served.
        tier = decision.tier_serving(served.model)
        failed = tier != decision.tier or any(a.outcome != "ok" for a in trail.attempts)
        how = "failed over to" if failed else "scored first:"
        climbed = f" (tier {tier})" if tier != decision.tier else ""
        return done, replace(decision, model=served.model, provider=served.provider, tier=tier,
                             reason=f"{decision.reason}; {how} {served.model.name}{climbed}")

    async def chain(self, request: ChatRequest, decision: RouteDecision,
                    tenant: str | None = None) -> list[Target]:
        """Every target the request may be served by, best first. All of them: the
        executor skips those that cannot serve now (no key, breaker open, free tier used
        up) at no cost and stops after ``max_targets`` calls."""
        tier_models = [decision.model, *decision.fallbacks]
        targets = [self._target(request, m, decision.provider if i == 0 else None)
                   for i, m in enumerate([*tier_models, *decision.escalation])]
        if decision.tier is None:
            return targets  # an explicit model stays first; fallbacks on failure
        await self.board.refresh()
        usage = await self._free_tier_usage(targets, tenant)

        def describe(t: Target) -> tuple[ModelConfig, Any, Signals]:
            stats = self.board.stats(t.key)
            free = None
            if has_quota(t.provider, t.model):
                free = remaining_fraction(
                    quota_ops(t.provider, t.model, 0, self._wall(), tenant), usage)
            return t.model, t.provider, Signals(self.board.state(t.key), stats.error_rate,
                                                stats.latency_ms, free)

        # Scoring reorders within the routed tier, and within the stronger tiers failover
        # may climb to: a stronger tier only serves once the routed one cannot.
        weights = self.catalog.routing.environments[self.environment]
        split = len(tier_models)
        return (rank(targets[:split], describe, weights)
                + rank(targets[split:], describe, weights))

    def _target(self, request: ChatRequest, model: ModelConfig,
                provider: ProviderConfig | None) -> Target:
        return Target(model, provider or self.catalog.provider_of(model),
                      _max_tokens(request, model) if self._counts_tokens(model) else 0)

    # --- settle -------------------------------------------------------------------

    def settle_items(
        self, reservation: Reservation | None, trail: Trail, cost_usd: Decimal, tokens: int
    ) -> list[dict[str, Any]]:
        """TransactItems for the ledger's transaction (so they apply exactly once)."""
        ops = list(reservation.settle_ops(cost_usd, tokens)) if reservation else []
        ops += trail.quota_settle_ops(tokens)
        return [{"Update": self.counters.update_of(op)} for op in merge(ops)]

    # --- helpers ------------------------------------------------------------------

    def _chain_models(self, decision: RouteDecision) -> list[ModelConfig]:
        # All of them: admission reserves the worst case over any that may be tried.
        return [decision.model, *decision.fallbacks, *decision.escalation]

    def _worst_case(self, request: ChatRequest, decision: RouteDecision, needs_cost: bool,
                    needs_tokens: bool) -> tuple[Decimal, int]:
        """What admission reserves: the most any model of the chain may cost, and the
        most tokens the chosen model may use."""
        max_cost = max((self._max_cost(request, decision, m)
                        for m in self._chain_models(decision)),
                       default=Decimal(0)) if needs_cost else Decimal(0)
        return max_cost, _max_tokens(request, decision.model) if needs_tokens else 0

    def _max_cost(self, request: ChatRequest, decision: RouteDecision,
                  model: ModelConfig) -> Decimal:
        if model is decision.model and decision.max_cost_usd is not None:
            return decision.max_cost_usd
        return preflight_estimate(request, model).max_cost_usd

    def _counts_tokens(self, model: ModelConfig) -> bool:
        provider = self.catalog.provider_of(model)
        return any(t is not None and (t.tokens_per_minute or t.tokens_per_day
                                      or t.tokens_per_month)
                   for t in (provider.free_tier, model.free_tier))

    async def _free_tier_usage(self, targets: list[Target],
                               tenant: str | None) -> dict[tuple[str, str], Decimal]:
        """Free-tier counters of the chain, each read at most every ``quota_cache_ttl_s``
        (scoring only: enforcement is the conditional write in the executor). Per
        counter: a chain reads those of its targets that no chain read within the TTL,
        so one whose targets another request's chain lacked never takes their absence
        for an unused free tier. A counter the store does not hold reads 0."""
        now = time.monotonic()
        ttl = self.catalog.resilience.quota_cache_ttl_s
        keys = dict.fromkeys((op.pk, op.sk) for t in targets if has_quota(t.provider, t.model)
                             for op in quota_ops(t.provider, t.model, 0, self._wall(), tenant))
        stale = [k for k in keys if now - self._usage_at.get(k, float("-inf")) >= ttl]
        if stale:
            read = await anyio.to_thread.run_sync(self.counters.read, stale)
            # Counters past their TTL are dropped (a minute window's are never asked again).
            self._usage_at = {k: at for k, at in self._usage_at.items() if now - at < ttl}
            self._usage = {k: self._usage[k] for k in self._usage_at}
            for k in stale:
                if self._usage_at.get(k, now) > now:
                    continue  # found full by a reservation while this read was under way
                self._usage[k] = read.get(k, Decimal(0))
                self._usage_at[k] = now
        return self._usage

    def _note_full(self, op: CounterOp, used: Decimal | None) -> None:
        """A reservation did not fit ``op``'s counter: scoring reads the value the store
        gave (else the limit: full) from now until the counter's next read, rather than
        what it read up to ``quota_cache_ttl_s`` ago, so the requests right behind this
        one put a used-up free tier last instead of skipping it too."""
        if op.limit is not None:
            key = (op.pk, op.sk)
            seen = op.limit if used is None else used
            self._usage[key] = max(self._usage.get(key, Decimal(0)), seen)
            self._usage_at[key] = time.monotonic()


def _max_tokens(request: ChatRequest, model: ModelConfig) -> int:
    estimate = preflight_estimate(request, model)
    return estimate.prompt_tokens + estimate.max_output_tokens
