"""The API's own description: ``/openapi.json`` and ``/docs``, for admin keys only.

Off unless ``api_docs`` is set (``LLM_ROUTER_API_DOCS``; ``llm-router serve`` turns it on
for the dev tenant). When on, both need an admin key (``keys create --admin``) or a key
of an admin tenant (the catalog's ``analytics.admin_tenants``, ``LLM_ROUTER_ADMIN_TENANT``);
anyone else gets the same 404 as for any unknown path,
so a deployment does not advertise its surface. The schema carries the chat request's
body (``ChatRequest``), so schema-driven fuzzers generate real requests from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from llm_router.errors import RouterError
from llm_router.keys import Principal
from llm_router.schema import ChatRequest

Authenticate = Callable[[Request], Awaitable[Principal]]
CHAT_PATH = "/v1/chat/completions"


def install_docs(app: FastAPI, authenticate: Authenticate, admins: frozenset[str]) -> None:
    async def admin_only(request: Request) -> None:
        try:
            principal = await authenticate(request)
        except RouterError as exc:
            raise _not_found(request) from exc
        if not principal.admin and principal.tenant_id not in admins:
            raise _not_found(request)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        await admin_only(request)
        return JSONResponse(openapi_schema(app))

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        await admin_only(request)
        return get_swagger_ui_html(openapi_url="/openapi.json", title="llm-router API")


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema of the routes, with the chat request body and bearer auth."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    body = ChatRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(body.pop("$defs", {}))
    schemas["ChatRequest"] = body
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    schema["security"] = [{"bearer": []}]
    chat = schema.get("paths", {}).get(CHAT_PATH, {}).get("post")
    if chat is not None:
        chat["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ChatRequest"}}}}
    app.openapi_schema = schema
    return schema


def _not_found(request: Request) -> RouterError:
    error = RouterError(f"Unknown path {request.method} {request.url.path}.", code="not_found")
    error.status, error.type = 404, "invalid_request_error"
    return error
