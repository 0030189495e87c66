"""The request path of one chat completion, from raw body to booked ledger item.

``ChatService.complete`` parses, routes, calls the provider and settles. Settling (the
ledger item and its rollups) happens exactly once per authenticated request, success or
failure, in ``_settle``; everything before it only gathers what to book.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn, Protocol, TypeVar

import anyio

from llm_router.cache.entry import CacheHit, Found
from llm_router.cache.service import PendingEntry, ResponseCache, Stored
from llm_router.catalog import Catalog
from llm_router.complexity import TierPicker, query_text
from llm_router.errors import (
    InternalError,
    InvalidRequestError,
    RequestCancelledError,
    RouterError,
    StorageError,
)
from llm_router.guards import (
    GuardAction,
    GuardPolicy,
    StreamGuard,
    guard_completion,
    guard_input,
    refuse_blocked,
)
from llm_router.keys import Principal
from llm_router.ledger import (
    AttemptRecord,
    CacheMiss,
    CacheStatus,
    LedgerEntry,
    UsageSource,
    now_utc,
)
from llm_router.preflight import estimate_max_cost
from llm_router.pricing import cost_of
from llm_router.providers.bedrock.client import BedrockRuntime
from llm_router.providers.calls import ProviderCalls
from llm_router.providers.session import UpstreamHttp
from llm_router.request_body import parse_chat_request, requested_model
from llm_router.resilience.admission import Reservation
from llm_router.resilience.executor import Trail
from llm_router.resilience.layer import Resilience, Target
from llm_router.routing import (
    RouteDecision,
    check_output_limit,
    select_auto,
    select_explicit,
)
from llm_router.schema import INLINE_TEXT_CHARS, ChatCompletion, ChatRequest, Usage
from llm_router.scopes import scoped_request
from llm_router.streaming.chat_stream import ChatStream
from llm_router.streaming.errors import StreamInterruptedError
from llm_router.streaming.relay import StreamOutcome, StreamRelay
from llm_router.streaming.replay import ReplayRelay
from llm_router.streaming.upstream import OpenedStream
from llm_router.telemetry import RequestTelemetry

# Bodies up to this size parse in well under a millisecond on the event loop; larger ones
# go to a worker thread (the hop itself costs about 0.1 ms).
INLINE_BODY_BYTES = 64 * 1024
T = TypeVar("T")

log = logging.getLogger("llm_router.service")
# Tries of the ledger transaction at settle (botocore retries throttling inside each).
SETTLE_ATTEMPTS = 3
SETTLE_BACKOFF_S = 0.05


def _large(booking: _Booking, completion: ChatCompletion | None) -> bool:
    """A settle that may write long text (a cache entry of a long query or answer):
    its items are built and serialised in a worker thread, off the event loop."""
    chars = len(booking.query)
    if completion is not None:
        chars += sum(len(c.message.content or "") for c in completion.choices)
    return chars > INLINE_TEXT_CHARS


def as_router_error(exc: BaseException) -> RouterError:
    """How the ledger classes whatever ended a request."""
    if isinstance(exc, RouterError):
        return exc
    if isinstance(exc, Exception):
        return InternalError(exc)
    return RequestCancelledError()  # cancellation, KeyboardInterrupt, SystemExit


class Ledger(Protocol):
    @property
    def books_on_loop(self) -> bool: ...

    def record(self, entry: LedgerEntry, also: Sequence[dict[str, Any]] = ()) -> bool: ...
    async def record_on_loop(self, entry: LedgerEntry,
                             also: Sequence[dict[str, Any]] = ()) -> bool: ...
    async def aclose(self) -> None: ...
    def transaction(self, entry: LedgerEntry,
                    also: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]: ...


class SettleOutbox(Protocol):
    def park(self, request_id: str, transaction: list[dict[str, Any]]) -> str: ...


@dataclass
class Timings:
    """Milliseconds per phase, for the Server-Timing header."""

    phases: dict[str, float] = field(default_factory=dict)
    # When each phase ran: (phase, perf_counter start, end), for trace subsegments.
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    # Each storage round trip, in order: (operation, ms); shown as ddb-1, ddb-2, ...
    calls: list[tuple[str, float]] = field(default_factory=list)
    # The request's X-Ray trace header (``x-amzn-trace-id``), for the tracer to use where
    # the process environment does not carry it (the stream relay, llm_router.tracing).
    trace_header: str | None = None

    def add(self, phase: str, started: float) -> None:
        ended = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + (ended - started) * 1000
        self.spans.append((phase, started, ended))

    def call(self, operation: str, ms: float) -> None:
        self.calls.append((operation, ms))

    def header(self) -> str:
        parts = [f"{name};dur={ms:.1f}" for name, ms in self.phases.items()]
        parts += [f'ddb-{i};desc="{op}";dur={ms:.1f}'
                  for i, (op, ms) in enumerate(list(self.calls), start=1)]
        return ", ".join(parts)


@dataclass(frozen=True)
class ChatResult:
    completion: ChatCompletion
    decision: RouteDecision
    cost_usd: Decimal
    cache: CacheStatus = "miss"
    guards: tuple[GuardAction, ...] = ()


@dataclass
class _Booking:
    """What settle books; filled in as the request moves along."""

    started_at: datetime
    started: float
    tenant: str
    requested_model: str = ""
    decision: RouteDecision | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)
    stream: bool = False
    max_tokens: int | None = None
    cache_status: CacheStatus = "miss"
    cache_miss: CacheMiss | None = None  # why a miss was no want of a match, if it was
    cost_saved: Decimal = Decimal(0)
    embedding: Any = None  # the last user turn's, made once by the cache stage
    # Admission's reservation (rate limits, budgets), settled in the ledger transaction.
    reservation: Reservation | None = None
    trail: Trail | None = None
    request: ChatRequest | None = None
    query: str = ""  # the last user turn's text, taken once
    hit: CacheHit | None = None  # the cache hit being served; settle counts it
    cache_partition: str = ""  # the tenant, or tenant/key where the cache is per key
    guards: list[GuardAction] = field(default_factory=list)  # docs/guards.md
    # Booked (or handed to a stream relay that books it): the finaliser has nothing to do.
    finalised: bool = False
    # The provider's answer, once in hand: a request that ends after it books its usage.
    answered: ChatCompletion | None = None
    # The settle transaction's extra items (settlements, cache write), made once; and the
    # cache entry to remember once it is booked.
    writes: list[dict[str, Any]] | None = None
    pending: PendingEntry | None = None


class ChatService:
    def __init__(
        self,
        catalog: Catalog,
        http: UpstreamHttp,
        ledger: Ledger,
        *,
        max_body_bytes: int,
        cache: ResponseCache | None = None,
        tiers: TierPicker | None = None,
        telemetry: RequestTelemetry | None = None,
        resilience: Resilience,
        clock: Callable[[], datetime] = now_utc,
        bedrock: BedrockRuntime | None = None,
        outbox: SettleOutbox | None = None,
    ):
        self.catalog = catalog
        self._outbox = outbox
        self._resilience = resilience
        self._telemetry = telemetry
        self._tiers = tiers
        self._calls = ProviderCalls(http, bedrock)
        self._ledger = ledger
        self._max_body_bytes = max_body_bytes
        self._clock = clock
        self._cache = cache

    async def aclose(self) -> None:
        """Closes the provider and storage connections: the app's lifespan calls it on
        shutdown."""
        await self._calls.aclose()
        await self._ledger.aclose()

    async def complete(
        self, principal: Principal, raw_body: bytes, request_id: str, timings: Timings
    ) -> ChatResult | ChatStream:
        """The answer, or for ``stream: true`` a stream whose first chunk is in hand (its
        relay settles when it ends).

        The one finaliser: whatever ends the request (an answer, a ``RouterError``, any
        other exception, cancellation), it is booked exactly once and its reservation
        settled or released, before the exception goes on up."""
        booking = _Booking(self._clock(), time.perf_counter(), principal.tenant_id)
        try:
            return await self._complete(principal, raw_body, request_id, timings, booking)
        except BaseException as exc:
            if not booking.finalised:
                await self._finalise(principal, request_id, booking, timings, exc, raw_body)
            raise

    async def _complete(self, principal: Principal, raw_body: bytes, request_id: str,
                        timings: Timings, booking: _Booking) -> ChatResult | ChatStream:
        request = await self._parse(raw_body)
        booking.requested_model = request.model
        booking.stream = request.stream
        booking.max_tokens = request.output_limit
        policy = self.catalog.guards.policy_for(principal.tenant_id)
        request, actions = await self._off_loop_if(len(raw_body) > INLINE_BODY_BYTES,
                                                   guard_input, request, policy)
        booking.guards.extend(actions)
        refuse_blocked(actions)
        request = scoped_request(request, principal, self.catalog)
        booking.request = request
        booking.query = query_text(request)  # once, after the guards rewrote it
        # A named model is checked before the cache is asked: a request its route refuses
        # (a model not in the catalog or not allowed, more output than it generates) gets
        # the same 400 whether or not an answer is cached (one cached before the catalog
        # changed, say), with nothing reserved.
        explicit = self._explicit(request)
        hit = await self._cache_lookup(principal, request, booking, timings,
                                       inline=len(raw_body) <= INLINE_BODY_BYTES)
        if hit is not None:
            booking.reservation = await self._admit_hit(principal, timings)
            served = await self._serve_hit(principal, request_id, booking, timings, hit,
                                           policy)
            if request.stream:
                return ChatStream(served.decision, ReplayRelay(served.completion, request),
                                  served.cache, served.guards)
            return served
        booking.decision = await self._decide(request, booking, timings, explicit)
        booking.reservation = await self._admit(principal, request, booking, timings)
        if request.stream:
            return await self._open_stream(principal, request, booking, request_id, timings,
                                           policy)
        completion = booking.answered = await self._call(request, booking, request_id, timings)
        completion, actions = await self._guard_output(completion, policy)
        booking.guards.extend(actions)
        cost = await self._settle(principal, request_id, booking, timings, completion=completion)
        return ChatResult(completion, booking.decision, cost, booking.cache_status,
                          tuple(booking.guards))

    async def _finalise(self, principal: Principal, request_id: str, booking: _Booking,
                        timings: Timings, exc: BaseException, raw_body: bytes = b"") -> None:
        """Book a request that ended in ``exc``, shielded so a cancellation cannot skip it.
        A booking that fails is logged (with the entry); ``exc`` stays the client's error.
        ``raw_body``: where the model asked for is read from when the body did not parse."""
        with anyio.CancelScope(shield=True):
            if not booking.requested_model and raw_body:
                booking.requested_model = await self._off_loop_if(
                    len(raw_body) > INLINE_BODY_BYTES, requested_model, raw_body)
            try:
                # Ended after the provider answered (cancelled, say): its tokens are billed.
                await self._settle(principal, request_id, booking, timings,
                                   completion=booking.answered, error=as_router_error(exc))
            except Exception:
                log.exception("booking a failed request failed",
                              extra={"request_id": request_id})

    async def refuse(
        self, principal: Principal, request_id: str, error: RouterError, timings: Timings
    ) -> NoReturn:
        """Book a request refused before its body was read (say, too large), then raise."""
        booking = _Booking(self._clock(), time.perf_counter(), principal.tenant_id)
        await self._finalise(principal, request_id, booking, timings, error)
        raise error

    # --- response cache (llm_router.cache; docs/semantic-cache.md) ---------------------

    async def _cache_lookup(
        self, principal: Principal, request: ChatRequest, booking: _Booking, timings: Timings,
        *, inline: bool = False,
    ) -> CacheHit | None:
        """An exact repeat first (no embedding needed); then the semantic layer on the one
        embedding of the last user turn, which ``model: auto`` routing then reuses. The
        embedder is the tier picker's: without one (its files missing) only the exact
        layer looks, and a miss says so (``exact_only``).
        ``inline``: a small request, whose exact repeat with its answer held in memory
        is answered here on the event loop (no storage call, no hop to a thread)."""
        if self._cache is None:
            return None
        plan = self._cache.plan(request)
        booking.cache_status = "bypass" if plan.bypass else "miss"
        if plan.bypass:
            return None
        started = time.perf_counter()
        tenant = booking.cache_partition = self._cache.config.partition(
            principal.tenant_id, principal.key_id)
        try:
            held, hit = (self._cache.lookup_exact_held(tenant, request) if inline
                         else (False, None))
            if not held:
                found = await anyio.to_thread.run_sync(self._cache.find_exact, tenant, request)
                hit, booking.cache_miss = found.hit, found.miss
            if hit is None and plan.semantic and self._tiers is not None:
                booking.embedding, found = await anyio.to_thread.run_sync(
                    self._semantic_lookup, tenant, request, booking.query, timings)
                hit, booking.cache_miss = found.hit, booking.cache_miss or found.miss
        finally:
            timings.add("cache", started)
        if hit is not None and hit.answer.model not in self.catalog.models:
            booking.cache_miss = "model_removed"  # since removed from the catalog: afresh
            return None
        # Only the exact layer looked: the request allows no other (tools, a high
        # temperature...) or this router has no embedder (no tier picker loaded).
        semantic = plan.semantic and self._tiers is not None
        if hit is None and not semantic and booking.cache_miss is None:
            booking.cache_miss = "exact_only"
        return hit

    def _semantic_lookup(self, tenant: str, request: ChatRequest, query: str,
                         timings: Timings) -> tuple[Any, Found]:
        """Embed the query and search the tenant's index (a worker thread: both are CPU)."""
        assert self._cache is not None and self._tiers is not None
        started = time.perf_counter()
        embedding = self._cache.embed_query(self._tiers.embedder, query)
        ask = self._cache.embed_ask(self._tiers.embedder, query)  # None: cache.ask_clause off
        timings.add("embed", started)  # inside "cache": shown on its own too
        return embedding, self._cache.find_semantic(tenant, request, embedding, query, ask)

    async def _serve_hit(self, principal: Principal, request_id: str, booking: _Booking,
                         timings: Timings, hit: CacheHit, policy: GuardPolicy) -> ChatResult:
        """A cached answer passes the output guard like a fresh one."""
        assert self._cache is not None
        answer = hit.answer
        completion, actions = await self._guard_output(answer.completion, policy)
        booking.guards.extend(actions)
        model = self.catalog.models[answer.model]
        similarity = f", similarity {hit.similarity:.3f}" if hit.kind == "semantic" else ""
        if hit.respelling:
            similarity += f", same question respelled ({', '.join(hit.respelling)})"
        booking.decision = RouteDecision(
            model, self.catalog.provider_of(model), None,
            f"cache {hit.kind} hit of {answer.request_id}{similarity}")
        booking.cache_status, booking.cost_saved = hit.kind, answer.cost_usd
        booking.hit = hit
        await self._settle(principal, request_id, booking, timings, completion=completion)
        return ChatResult(completion, booking.decision, Decimal(0), hit.kind,
                          tuple(booking.guards))

    async def _parse(self, raw_body: bytes) -> ChatRequest:
        """Parse and validate the body; a large one in a worker thread, so a 1 MB prompt
        never holds up the event loop (and every other request on it)."""
        return await self._off_loop_if(len(raw_body) > INLINE_BODY_BYTES, parse_chat_request,
                                       raw_body, self.catalog.limits, self._max_body_bytes)

    async def _guard_output(self, completion: ChatCompletion, policy: GuardPolicy
                            ) -> tuple[ChatCompletion, list[GuardAction]]:
        """The PII guard on an answer; in a worker thread for a long one (it scans every
        character with several patterns)."""
        chars = sum(len(c.message.content or "") for c in completion.choices)
        return await self._off_loop_if(policy.pii != "off" and chars > INLINE_TEXT_CHARS,
                                       guard_completion, completion, policy.pii)

    @staticmethod
    async def _off_loop_if(large: bool, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a worker thread when its input is large, else right here
        (the hop costs about 0.1 ms, more than small work itself)."""
        return await anyio.to_thread.run_sync(work, *args) if large else work(*args)

    def _explicit(self, request: ChatRequest) -> RouteDecision | None:
        """A named model's route (a catalog lookup), or the 400/404 that refuses it;
        None under ``auto``."""
        if request.model == "auto":
            return None
        decision = select_explicit(self.catalog, request.model, request.allowed_models)
        check_output_limit(request, decision.model)
        return decision

    async def _decide(self, request: ChatRequest, booking: _Booking, timings: Timings,
                      explicit: RouteDecision | None) -> RouteDecision:
        """The route. An explicit model with no cost cap is already decided; anything
        that counts tokens, embeds or classifies runs in a worker thread."""
        if explicit is not None and request.max_cost_usd is None:
            return explicit
        return await anyio.to_thread.run_sync(self._route, request, timings, booking.embedding,
                                              booking.query, explicit)

    def _route(self, request: ChatRequest, timings: Timings, embedding: Any,
               query: str | None, explicit: RouteDecision | None) -> RouteDecision:
        """``explicit``: ``_explicit``'s route for a named model (None under ``auto``),
        checked once per request before the cache was asked."""
        if explicit is not None:
            decision = explicit
            if request.max_cost_usd is None:
                return decision
            cost = estimate_max_cost(request, decision.model)
            if cost > Decimal(str(request.max_cost_usd)):
                raise InvalidRequestError(
                    f"This request may cost up to ${cost:.6f} on {decision.model.name}, over "
                    f"its max_cost_usd of ${request.max_cost_usd}. Lower max_tokens or raise "
                    "the limit.",
                    param="max_cost_usd",
                    code="max_cost_exceeded",
                )
            return RouteDecision(decision.model, decision.provider, None, decision.reason, cost,
                                 decision.fallbacks)
        if self._tiers is None:
            raise InvalidRequestError(
                "model 'auto' needs the complexity classifier, which this router has not "
                "loaded. Name a model from GET /v1/models.",
                param="model",
                code="auto_routing_unavailable",
            )
        started = time.perf_counter()
        choice = self._tiers.pick(request, embedding, text=query)
        timings.add("classify", started)
        return select_auto(self.catalog, request, choice.tier,
                           estimate=estimate_max_cost, why=choice.describe())

    async def _admit(
        self, principal: Principal, request: ChatRequest, booking: _Booking, timings: Timings
    ) -> Reservation | None:
        """Rate limits and budget reservation: one conditional write, or 429 / 402."""
        assert booking.decision is not None
        started = time.perf_counter()
        try:
            return await self._resilience.admit(principal, request, booking.decision)
        finally:
            timings.add("admit", started)

    async def _admit_hit(self, principal: Principal, timings: Timings) -> Reservation:
        started = time.perf_counter()
        try:
            return await self._resilience.admit_hit(principal)
        finally:
            timings.add("admit", started)

    async def _call(
        self, request: ChatRequest, booking: _Booking, request_id: str, timings: Timings
    ) -> ChatCompletion:
        """Retries, breakers, free-tier quotas and failover down the decision's chain."""
        assert booking.decision is not None
        booking.trail = Trail(attempts=booking.attempts, tenant=booking.tenant)

        async def attempt(target: Target, timeout_s: float) -> ChatCompletion:
            return await self._calls.complete(request, target.model, target.provider,
                                              request_id, timeout_s=timeout_s)

        started = time.perf_counter()
        try:
            done, booking.decision = await self._resilience.run(
                request, booking.decision, attempt, booking.trail)
        finally:
            timings.add("upstream", started)
        return done.result

    async def _open_stream(
        self, principal: Principal, request: ChatRequest, booking: _Booking, request_id: str,
        timings: Timings, policy: GuardPolicy,
    ) -> ChatStream:
        """Retries and failover happen here, before the first byte (an attempt succeeds
        once its stream has yielded a chunk); the relay settles at the end."""
        assert booking.decision is not None
        started = time.perf_counter()
        booking.trail = Trail(attempts=booking.attempts, tenant=booking.tenant)

        async def attempt(target: Target, timeout_s: float) -> OpenedStream:
            return await self._calls.open_stream(request, target.model, target.provider,
                                                 request_id, timeout_s=timeout_s)

        try:
            done, booking.decision = await self._resilience.run(
                request, booking.decision, attempt, booking.trail)
        finally:
            timings.add("upstream", started)
        opened, served = done.result, done.target
        guard = StreamGuard(policy.pii)
        input_actions = tuple(booking.guards)

        async def settle(outcome: StreamOutcome) -> None:
            booking.guards.extend(guard.actions())
            # Only a whole answer (no error) is cached, in the settle's transaction.
            # What is cached is what the guard lets out (redacted; never a blocked answer).
            guarded, _ = await self._guard_output(outcome.completion, policy)
            await self._settle(principal, request_id, booking, timings,
                               completion=guarded, error=outcome.error,
                               usage_source=outcome.usage_source)
            if isinstance(outcome.error, StreamInterruptedError):
                # A mid-stream failure counts for the provider's health too.
                latency = (time.perf_counter() - started) * 1000
                await self._resilience.executor.report(served, outcome.error.cause, latency)

        relay = StreamRelay(opened, request, settle, request_id=request_id, guard=guard)
        booking.finalised = True  # from here on the relay settles, however the stream ends
        return ChatStream(booking.decision, relay, booking.cache_status, input_actions)

    async def _settle(
        self,
        principal: Principal,
        request_id: str,
        booking: _Booking,
        timings: Timings,
        *,
        completion: ChatCompletion | None = None,
        error: RouterError | None = None,
        usage_source: UsageSource | None = None,
    ) -> Decimal:
        booking.finalised = True  # once: a failure below is not booked a second time
        started = time.perf_counter()
        decision = booking.decision
        usage = completion.usage if completion else None
        cost = cost_of(usage, decision.model) if usage and decision else Decimal(0)
        if booking.cache_status in ("exact", "semantic"):
            usage, cost = None, Decimal(0)  # served from the cache: no tokens, no spend
        entry = LedgerEntry(
            request_id=request_id,
            tenant_id=principal.tenant_id,
            key_id=principal.key_id,
            started_at=booking.started_at,
            requested_model=booking.requested_model,
            success=error is None,
            status=200 if error is None else error.status,
            latency_ms=(time.perf_counter() - booking.started) * 1000,
            model=decision.model.name if decision else "",
            provider=decision.provider.name if decision else "",
            tier=decision.tier if decision else None,
            reason=decision.reason if decision else None,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            cached_tokens=usage.cached_tokens if usage else 0,
            reasoning_tokens=usage.reasoning_tokens if usage else 0,
            cost_usd=cost,
            usage_source=usage_source or ("reported" if usage else "none"),
            stream=booking.stream,
            max_tokens=booking.max_tokens,
            error_code=error.code if error else None,
            error_message=error.ledger_message[:500] if error else None,
            attempts=tuple(booking.attempts),
            guards=tuple(str(a) for a in booking.guards),
            cache_status=booking.cache_status,
            cache_miss=booking.cache_miss if booking.cache_status == "miss" else None,
            cost_saved_usd=booking.cost_saved,
        )
        also = self._settle_items(booking, cost, usage)
        await self._record(entry, also, booking, completion, request_id)
        timings.add("settle", started)
        if self._telemetry is not None:
            self._telemetry.publish(entry, timings, prompt=booking.query)
        return cost

    async def _record(self, entry: LedgerEntry, also: list[dict[str, Any]], booking: _Booking,
                      completion: ChatCompletion | None, request_id: str) -> None:
        """The settle transaction, tried again on a storage failure that may pass
        (throttling, a 5xx, a timeout): it is idempotent on the request id, so a try that
        did commit makes the next one a no-op. When every try failed, or at once on one
        that no retry mends (credentials, a missing table, an invalid item), the
        transaction is parked in the outbox (S3) for the alert checker to replay, and the
        request goes on as booked (docs/faults.md). Shielded: a request cancelled
        meanwhile (its client gone) is still booked, once."""
        with anyio.CancelScope(shield=True):
            for attempt in range(SETTLE_ATTEMPTS):
                try:
                    if self._ledger.books_on_loop and not _large(booking, completion):
                        await self._book_on_loop(entry, also, booking, completion, request_id)
                    else:
                        await anyio.to_thread.run_sync(self._book, entry, also, booking,
                                                       completion, request_id)
                    return
                except StorageError as exc:
                    if not exc.retryable or attempt == SETTLE_ATTEMPTS - 1:
                        await anyio.to_thread.run_sync(self._park, entry, booking, exc)
                        return
                    await anyio.sleep(SETTLE_BACKOFF_S * 2**attempt)

    def _park(self, entry: LedgerEntry, booking: _Booking, refused: StorageError) -> None:
        """The settle transaction into the outbox; without one (no bucket), or when S3
        fails too, the entry is logged in full and ``refused`` (DynamoDB's error) goes on
        up."""
        why = "no settle outbox (no bucket configured)"
        if self._outbox is not None:
            try:
                transaction = self._ledger.transaction(entry, booking.writes or [])
                key = self._outbox.park(entry.request_id, transaction)
            except StorageError as exc:
                why = exc.message
            else:
                log.warning("settle parked for replay: %s", key,
                            extra={"request_id": entry.request_id, "outbox_key": key})
                return
        log.error("request not booked: %s (%s; %s)", entry.request_id, refused.message, why,
                  extra={"request_id": entry.request_id, "entry": repr(entry)})
        raise refused

    def _book(self, entry: LedgerEntry, also: list[dict[str, Any]], booking: _Booking,
              completion: ChatCompletion | None, request_id: str) -> None:
        """One transaction books the request: the ledger item and its rollup, the
        reservations settled, and the cache's write (a fresh answer's entry, or a hit's
        count). Runs in a worker thread: it serialises and waits on storage."""
        partition = self._prepare_writes(entry, also, booking, completion, request_id)
        if self._ledger.record(entry, booking.writes or []):
            self._remember(partition, booking)

    async def _book_on_loop(self, entry: LedgerEntry, also: list[dict[str, Any]],
                            booking: _Booking, completion: ChatCompletion | None,
                            request_id: str) -> None:
        """``_book`` on the event loop, for a ledger that can (the embedded store's): a
        small settle's items and botocore's serialising of them cost less than the hops
        to a worker thread and back, and aiohttp sends for less than urllib3
        (docs/performance.md)."""
        partition = self._prepare_writes(entry, also, booking, completion, request_id)
        if await self._ledger.record_on_loop(entry, booking.writes or []):
            self._remember(partition, booking)

    def _prepare_writes(self, entry: LedgerEntry, also: list[dict[str, Any]],
                        booking: _Booking, completion: ChatCompletion | None,
                        request_id: str) -> str:
        """The items are made once (``booking.writes``): a retry and the outbox reuse
        them. Returns the cache partition they write to."""
        partition = booking.cache_partition or entry.tenant_id
        if booking.writes is None:
            booking.writes, booking.pending = self._settle_writes(
                entry, also, booking, completion, request_id, partition)
        return partition

    def _remember(self, partition: str, booking: _Booking) -> None:
        if booking.pending is not None and self._cache is not None:
            self._cache.remember(partition, booking.pending)

    def _settle_writes(self, entry: LedgerEntry, also: list[dict[str, Any]],
                       booking: _Booking, completion: ChatCompletion | None, request_id: str,
                       partition: str) -> tuple[list[dict[str, Any]], PendingEntry | None]:
        """``also`` plus the cache's write on a miss (a hit writes nothing to the cache:
        the ledger and rollups count it), and the entry to remember once booked."""
        items, pending = list(also), None
        cache, decision = self._cache, booking.decision
        if (cache is not None and entry.success and completion is not None
              and booking.cache_status == "miss" and decision is not None
              and booking.request is not None):
            pending = cache.entry_for(
                partition, booking.request, booking.embedding, booking.query, completion,
                Stored(decision.model.name, decision.provider.name, entry.cost_usd), request_id)
            items += pending.items if pending else []
        return items, pending

    def _settle_items(
        self, booking: _Booking, cost: Decimal, usage: Usage | None
    ) -> list[dict[str, Any]]:
        """Reservations settled to the actual cost and tokens (or released), in the
        ledger's transaction so they apply exactly once."""
        if self._resilience is None or (booking.reservation is None and booking.trail is None):
            return []
        tokens = usage.prompt_tokens + usage.completion_tokens if usage else 0
        return self._resilience.settle_items(booking.reservation, booking.trail or Trail(),
                                             cost, tokens)

