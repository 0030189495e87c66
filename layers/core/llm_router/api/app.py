"""The HTTP app: ``/v1/chat/completions``, ``/v1/models``, ``/health`` and the rest.

``create_app`` takes ready services: ``llm_router.bootstrap`` builds them (for Lambda,
``create_app_from_env``; for ``llm-router serve``), and so do tests. One Starlette app
serves every edge (Mangum in the router function, uvicorn in the stream relay and
``serve``): routes are plain ``Request -> Response`` functions, so the app needs no
more than Starlette (FastAPI's import alone was a sixth of the Lambda cold start;
docs/performance.md). The OpenAPI description is written from the same route table
(api/docs.py).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from llm_router import __version__
from llm_router.analytics.service import Analytics
from llm_router.api.admin import admin_routes
from llm_router.api.docs import docs_routes
from llm_router.api.errors import ERROR_HANDLERS, ContainErrors, error_response
from llm_router.auth import Authenticator
from llm_router.cache.stats import CacheStats
from llm_router.catalog import Catalog
from llm_router.errors import (
    BodyNotReceivedError,
    InvalidRequestError,
    RequestTimeoutError,
    RequestTooLargeError,
    RouterError,
)
from llm_router.guards import header_value
from llm_router.ids import uuid4_hex
from llm_router.input_limits import read_body_within, too_large
from llm_router.keyring import KeyRing
from llm_router.keys import Principal
from llm_router.service import ChatService, Timings
from llm_router.storage.calls import recording_calls
from llm_router.streaming.chat_stream import ChatStream
from llm_router.streaming.response import RelayResponse


@dataclass(frozen=True)
class Services:
    catalog: Catalog
    authenticator: Authenticator
    chat: ChatService
    max_body_bytes: int
    mode: str  # "live" or "simulated", shown by /health and the serve banner
    cache_stats: CacheStats | None = None
    analytics: Analytics | None = None
    keyring: KeyRing | None = None  # the admin API's keys (api/admin.py); None: no admin API
    # /openapi.json and /docs for admin keys and keys of these tenants; None: not served.
    docs_admin_tenants: frozenset[str] | None = None
    body_timeout_s: float = 60.0  # catalog limits.body_timeout_s


def _analytics_caller(principal: Principal) -> str | None:
    """Whose analytics a caller reads: an admin (docs/keys.md) reads every tenant's."""
    return None if principal.admin else principal.tenant_id


def new_request_id() -> str:
    return "req_" + uuid4_hex()  # uuid.uuid4().hex's text, without the UUID object


CHAT_PATH = "/v1/chat/completions"


class RouterApp(Starlette):
    """Starlette, with the hot route answered first: a POST to /v1/chat/completions goes
    straight to its endpoint, without Starlette's middleware stack, route scan and
    per-request wrappers (docs/performance.md: "The router's own work, piece by piece").
    What answers it is what Starlette's stack would: a ``RouterError`` through
    ``error_response`` (the app's one handler for it), anything else through
    ``ContainErrors``. Every other request, the lifespan, and a chat POST under a
    ``root_path``, take Starlette's way (its table still lists the route: the API docs,
    a 405 for GET)."""

    def __init__(self, *, hot: Callable[[Request], Awaitable[Response]], **kwargs: Any):
        super().__init__(**kwargs)
        self._hot = hot
        self._contained = ContainErrors(self._answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] == CHAT_PATH and not scope.get("root_path")):
            scope["app"] = self
            await self._contained(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await self._hot(request)
        except RouterError as exc:
            response = error_response(request, exc)
        await response(scope, receive, send)


def create_app(services: Services) -> Starlette:
    async def authenticate(request: Request, timings: Timings) -> Principal:
        started = time.perf_counter()
        header = request.headers.get("authorization")
        principal = services.authenticator.authenticate_cached(header)
        if principal is None:  # storage asked: a worker thread
            principal = await anyio.to_thread.run_sync(services.authenticator.authenticate,
                                                       header)
        timings.add("auth", started)
        return principal

    async def health(request: Request) -> JSONResponse:
        """ok / not ok (no provider can be called) for anyone; the configuration only
        to a caller with a valid key."""
        providers = services.catalog.providers.values()
        ok = any(p.configured for p in providers)
        body: dict[str, object] = {"status": "ok" if ok else "not ok"}
        if request.headers.get("authorization"):
            try:
                await authenticate(request, Timings())
            except RouterError:
                pass
            else:
                body.update(version=__version__, mode=services.mode, providers={
                    p.name: "configured" if p.configured else "no key" for p in providers})
        return JSONResponse(body, status_code=200 if ok else 503)

    async def models(request: Request) -> JSONResponse:
        await authenticate(request, Timings())
        return JSONResponse({
            "object": "list",
            "data": [
                {"id": m.name, "object": "model", "created": 0, "owned_by": m.provider}
                for m in services.catalog.models.values()
            ],
        })

    async def cache_stats(request: Request) -> JSONResponse:
        """The caller's tenant only: hits, hit rate and cost saved over ``days`` (1-31)."""
        principal = await authenticate(request, Timings())
        raw = request.query_params.get("days", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 31:
            raise InvalidRequestError("days must be a whole number from 1 to 31.",
                                      param="days", code="invalid_value")
        if services.cache_stats is None:
            raise InvalidRequestError("This router has no response cache configured.",
                                      code="cache_unavailable")
        return JSONResponse(await anyio.to_thread.run_sync(
            services.cache_stats.for_tenant, principal.tenant_id, int(raw)))

    def analytics_of() -> Analytics:
        if services.analytics is None:
            raise InvalidRequestError("This router has no analytics configured.",
                                      code="analytics_unavailable")
        return services.analytics

    async def analytics_usage(request: Request) -> JSONResponse:
        """Rows per group_by (model|provider|key|tier|day|hour) from ``from`` to ``to``
        (UTC days, default the last 7): the caller's tenant; an admin tenant's key sees
        all (or ``tenant``)."""
        principal = await authenticate(request, Timings())
        q = request.query_params
        return JSONResponse(await anyio.to_thread.run_sync(lambda: analytics_of().usage(
            _analytics_caller(principal), first=q.get("from"), last=q.get("to"),
            group_by=q.get("group_by"), tenant=q.get("tenant"))))

    async def analytics_recommendations(request: Request) -> JSONResponse:
        principal = await authenticate(request, Timings())
        q = request.query_params
        return JSONResponse(await anyio.to_thread.run_sync(lambda: analytics_of().recommendations(
            _analytics_caller(principal), first=q.get("from"), last=q.get("to"),
            tenant=q.get("tenant"))))

    async def chat_completions(request: Request) -> Response:
        request.state.request_id = request_id = new_request_id()
        timings = Timings(trace_header=request.headers.get("x-amzn-trace-id"))
        with recording_calls(timings):
            return await _chat(request, request_id, timings)

    async def _chat(request: Request, request_id: str, timings: Timings) -> Response:
        principal = await authenticate(request, timings)
        declared = request.headers.get("content-length")
        try:
            if declared and declared.isdigit() and int(declared) > services.max_body_bytes:
                raise too_large(declared, services.max_body_bytes)
            raw = await read_body_within(request.stream(), services.max_body_bytes,
                                         services.body_timeout_s)
        except (RequestTooLargeError, RequestTimeoutError) as exc:
            await services.chat.refuse(principal, request_id, exc, timings)
        except ClientDisconnect:  # before 2026-12-04: an unhandled error, logged as a 500
            await services.chat.refuse(principal, request_id, BodyNotReceivedError(),
                                       timings)
        result = await services.chat.complete(principal, raw, request_id, timings)
        decision = result.decision
        headers = {
            "x-request-id": request_id,
            "x-router-model": decision.model.name,
            "x-router-provider": decision.provider.name,
            "x-router-cache": result.cache,
            "x-router-reason": decision.reason,
            "server-timing": timings.header(),
        }
        if decision.tier:
            headers["x-router-tier"] = decision.tier
        if result.guards:
            headers["x-router-guard"] = header_value(result.guards)
        if isinstance(result, ChatStream):
            # The cost is known only at the end: in the ledger and a final SSE comment.
            return RelayResponse(result.relay, headers)
        headers["x-router-cost-usd"] = f"{result.cost_usd:f}"
        # pydantic writes the same bytes as JSONResponse(model_dump(mode="json")) in a
        # third of the time (tests/unit/api: byte for byte).
        return Response(result.completion.model_dump_json(), headers=headers,
                        media_type="application/json")

    # Starlette tries the routes in order (a regex match each): the hot one first, 0.9
    # instead of 5.7 us of routing per completion (timeit).
    routes: list[BaseRoute] = [
        Route(CHAT_PATH, chat_completions, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/cache/stats", cache_stats, methods=["GET"]),
        Route("/v1/analytics/usage", analytics_usage, methods=["GET"]),
        Route("/v1/analytics/recommendations", analytics_recommendations, methods=["GET"]),
    ]
    if services.keyring is not None:
        routes += admin_routes(services.keyring, services.authenticator, services.catalog,
                               lambda request: authenticate(request, Timings()))
    if services.docs_admin_tenants is not None:
        routes += docs_routes(routes, lambda request: authenticate(request, Timings()),
                              services.docs_admin_tenants)
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # uvicorn (`serve`, the stream relay) runs this; Mangum runs the router with the
        # lifespan off, and a Lambda container is frozen, never shut down cleanly.
        yield
        await services.chat.aclose()

    return RouterApp(hot=chat_completions, routes=routes,
                     exception_handlers=dict(ERROR_HANDLERS),
                     middleware=[Middleware(ContainErrors)], lifespan=lifespan)
