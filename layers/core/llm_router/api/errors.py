"""Every error response in OpenAI's shape. Nothing else turns exceptions into HTTP."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llm_router.errors import InternalError, RouterError

log = logging.getLogger("llm_router.api")


def error_response(request: Request, exc: RouterError) -> JSONResponse:
    headers = dict(exc.headers())
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        headers["x-request-id"] = request_id
    return JSONResponse(exc.to_body(), status_code=exc.status, headers=headers)


async def _router_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RouterError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (method), in OpenAI's shape."""
    assert isinstance(exc, HTTPException)
    err = RouterError(str(exc.detail), code=None)
    err.status = exc.status_code
    err.type = "invalid_request_error"
    if exc.status_code == 404:
        err.message = f"Unknown path {request.method} {request.url.path}."
        err.code = "not_found"
    elif exc.status_code == 405:
        err.message = f"Method {request.method} is not allowed on {request.url.path}."
        err.code = "method_not_allowed"
    return error_response(request, err)


# For Starlette(exception_handlers=...): the app's only exception-to-HTTP mapping.
ERROR_HANDLERS: Mapping[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    RouterError: _router_error, HTTPException: _http_error}


class ContainErrors:
    """Any other exception becomes a logged, OpenAI-shaped 500 right here.

    Starlette's own last-resort handler re-raises after answering, so the server logs
    it a second time and drops the connection; this one answers and stops. After the
    response has started there is nothing left to send: it is logged only."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            request_id = scope.get("state", {}).get("request_id")
            log.exception("unhandled error", extra={"request_id": request_id})
            if started:
                return
            error = InternalError(exc)
            headers = {"x-request-id": request_id} if request_id else {}
            response = JSONResponse(error.to_body(), status_code=error.status, headers=headers)
            await response(scope, receive, send)
