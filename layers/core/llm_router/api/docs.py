"""The API's own description: ``/openapi.json`` and ``/docs``, for admin keys only.

Off unless ``api_docs`` is set (``LLM_ROUTER_API_DOCS``; ``llm-router serve`` turns it on
for the dev tenant). When on, both need an admin key (``keys create --admin``) or a key
of an admin tenant (the catalog's ``analytics.admin_tenants``, ``LLM_ROUTER_ADMIN_TENANT``);
anyone else gets the same 404 as for any unknown path,
so a deployment does not advertise its surface. The schema is written from the app's
route table (every route, its methods and path parameters, its docstring) and carries
the chat request's body (``ChatRequest``), so schema-driven fuzzers generate real
requests from it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from llm_router import __version__
from llm_router.errors import RouterError
from llm_router.keys import Principal
from llm_router.schema import ChatRequest

Authenticate = Callable[[Request], Awaitable[Principal]]
CHAT_PATH = "/v1/chat/completions"
TITLE = "llm-router"
_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
# Swagger UI from its CDN (the page is for a developer's browser, never the router).
_SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"


def docs_routes(routes: Sequence[BaseRoute], authenticate: Authenticate,
                admins: frozenset[str]) -> list[BaseRoute]:
    """``/openapi.json`` and ``/docs`` describing ``routes`` (as they are now)."""
    described = tuple(routes)
    cached: dict[str, Any] = {}

    async def admin_only(request: Request) -> None:
        try:
            principal = await authenticate(request)
        except RouterError as exc:
            raise _not_found(request) from exc
        if not principal.admin and principal.tenant_id not in admins:
            raise _not_found(request)

    async def openapi(request: Request) -> JSONResponse:
        await admin_only(request)
        if not cached:
            cached.update(openapi_schema(described))
        return JSONResponse(cached)

    async def docs(request: Request) -> HTMLResponse:
        await admin_only(request)
        return HTMLResponse(swagger_page("/openapi.json", f"{TITLE} API"))

    return [Route("/openapi.json", openapi, methods=["GET"]),
            Route("/docs", docs, methods=["GET"])]


def openapi_schema(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """OpenAPI 3.1 for ``routes``, with the chat request body and bearer auth."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or route.methods is None:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            paths.setdefault(route.path, {})[method.lower()] = _operation(route, method)
    body = ChatRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = {**body.pop("$defs", {}), "ChatRequest": body}
    chat = paths.get(CHAT_PATH, {}).get("post")
    if chat is not None:
        chat["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ChatRequest"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": __version__},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }


def _operation(route: Route, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.name.replace("_", " ").title(),
        "operationId": re.sub(r"\W", "_", f"{route.name}{route.path}_{method.lower()}"),
        "responses": {"200": {"description": "Successful Response",
                              "content": {"application/json": {"schema": {}}}}},
    }
    if route.endpoint.__doc__:
        operation["description"] = " ".join(route.endpoint.__doc__.split())
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "title": name.replace("_", " ").title()}}
                  for name in _PATH_PARAM.findall(route.path)]
    if parameters:
        operation["parameters"] = parameters
    return operation


def swagger_page(openapi_url: str, title: str) -> str:
    """Swagger UI reading ``openapi_url``."""
    return f"""<!DOCTYPE html>
<html>
<head>
<link type="text/css" rel="stylesheet" href="{_SWAGGER}/swagger-ui.css">
<title>{html.escape(title)}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_SWAGGER}/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{url: '{openapi_url}', dom_id: '#swagger-ui', layout: 'BaseLayout',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]}})
</script>
</body>
</html>
"""


def _not_found(request: Request) -> RouterError:
    error = RouterError(f"Unknown path {request.method} {request.url.path}.", code="not_found")
    error.status, error.type = 404, "invalid_request_error"
    return error
