"""Failover before the first byte: try the route's candidates in order until one stream
yields its first chunk.

A minimal stand-in for the resilience executor (retries, backoff, circuit breakers):
one attempt per candidate, no retry of the same one. ``open_first`` takes the attempt
function as a parameter so the executor can replace this loop without touching the relay.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from llm_router.catalog import Catalog, ModelConfig, ProviderConfig
from llm_router.errors import AllProvidersFailedError, AttemptSummary, UpstreamError
from llm_router.ledger import AttemptRecord
from llm_router.routing import RouteDecision
from llm_router.streaming.upstream import OpenedStream

Attempt = Callable[[ModelConfig, ProviderConfig], Awaitable[OpenedStream]]


async def open_first(
    catalog: Catalog,
    decision: RouteDecision,
    attempt: Attempt,
    attempts: list[AttemptRecord],
) -> tuple[RouteDecision, OpenedStream]:
    """The decision actually served (a fallback's, after failover) and its open stream.

    Every try is appended to ``attempts``. Raises the single ``UpstreamError`` when only
    one provider was tried (the caller maps it as for a buffered call), else
    ``AllProvidersFailedError`` listing every attempt.
    """
    summaries: list[AttemptSummary] = []
    errors: list[UpstreamError] = []
    for model in (decision.model, *decision.fallbacks):
        provider = decision.provider if model is decision.model else catalog.provider_of(model)
        if not provider.configured:
            attempts.append(AttemptRecord(provider.name, model.name, 0.0,
                                          "provider_not_configured"))
            summaries.append(AttemptSummary(provider.name, model.name,
                                            "provider has no API key configured",
                                            "provider_not_configured"))
            continue
        started = time.perf_counter()
        try:
            opened = await attempt(model, provider)
        except UpstreamError as exc:
            ms = (time.perf_counter() - started) * 1000
            attempts.append(AttemptRecord(provider.name, model.name, ms,
                                          exc.code or "error", exc.message))
            summaries.append(AttemptSummary(provider.name, model.name, exc.message, exc.code))
            errors.append(exc)
            if exc.status == 400:
                break  # the request itself was refused: another provider would refuse it too
            continue
        ms = (time.perf_counter() - started) * 1000
        attempts.append(AttemptRecord(provider.name, model.name, ms, "ok"))
        if model is decision.model:
            return decision, opened
        reason = f"{decision.reason}; failed over to {model.name} before the first byte"
        return replace(decision, model=model, provider=provider, reason=reason), opened
    if len(summaries) == 1 and errors:
        raise errors[0]
    raise AllProvidersFailedError(summaries, status=502 if errors else 503)
