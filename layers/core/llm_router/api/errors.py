"""Every error response in OpenAI's shape. Nothing else turns exceptions into HTTP."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from llm_router.errors import InvalidRequestError, RouterError

log = logging.getLogger("llm_router.api")


def error_response(request: Request, exc: RouterError) -> JSONResponse:
    headers = dict(exc.headers())
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        headers["x-request-id"] = request_id
    return JSONResponse(exc.to_body(), status_code=exc.status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RouterError)
    async def _router_error(request: Request, exc: RouterError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
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

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, InvalidRequestError(str(exc.errors()[0]["msg"])))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback; the client gets a plain message and the request id.
        request_id = getattr(request.state, "request_id", None)
        log.exception("unhandled error", extra={"request_id": request_id})
        err = RouterError("The router hit an internal error. It has been logged; retry later.")
        return error_response(request, err)
