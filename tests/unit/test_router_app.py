"""The chat route taken before Starlette's stack (api/app.py ``RouterApp``): it must answer
exactly as the same endpoint does through Starlette's middleware, route and handlers."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from llm_router.api.app import CHAT_PATH, RouterApp
from llm_router.api.errors import ERROR_HANDLERS, ContainErrors
from llm_router.errors import InvalidRequestError, RateLimitedError

STARLETTE_PATH = "/v1/same-endpoint"  # the same endpoint, the way every other route goes


async def endpoint(request: Request) -> Response:
    request.state.request_id = "req_test"
    body = await request.body()
    if body == b"invalid":
        raise InvalidRequestError("Bad thing.", param="messages", code="invalid_value")
    if body == b"limited":
        raise RateLimitedError("Slow down.", retry_after=7)
    if body == b"crash":
        raise ValueError("a bug")
    return Response(b'{"ok":' + body + b"}", headers={"x-request-id": "req_test"},
                    media_type="application/json")


def make_app() -> RouterApp:
    routes = [Route(CHAT_PATH, endpoint, methods=["POST"]),
              Route(STARLETTE_PATH, endpoint, methods=["POST"])]
    return RouterApp(hot=endpoint, routes=routes, exception_handlers=dict(ERROR_HANDLERS),
                     middleware=[Middleware(ContainErrors)])


async def post(app: RouterApp, path: str, body: bytes, **kwargs: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, **kwargs)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path, content=body)


@pytest.mark.parametrize("body", [b"1", b"invalid", b"limited", b"crash"])
def test_the_hot_route_answers_as_starlette_does(body, caplog):
    app = make_app()
    with caplog.at_level(logging.ERROR, logger="llm_router.api"):
        hot = asyncio.run(post(app, CHAT_PATH, body))
        assert app.middleware_stack is None  # answered without Starlette's stack
        via_starlette = asyncio.run(post(app, STARLETTE_PATH, body))
    assert app.middleware_stack is not None
    assert hot.status_code == via_starlette.status_code
    assert hot.content == via_starlette.content
    assert dict(hot.headers) == dict(via_starlette.headers)
    if body == b"crash":  # logged once each way, answered in OpenAI's shape
        assert hot.status_code == 500
        assert hot.json()["error"]["type"]
        assert [r.message for r in caplog.records] == ["unhandled error"] * 2


async def get(app: RouterApp, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


def test_other_methods_and_a_root_path_take_starlettes_way():
    got = asyncio.run(get(make_app(), CHAT_PATH))
    assert got.status_code == 405
    assert got.json()["error"]["code"] == "method_not_allowed"

    app = make_app()
    mounted = asyncio.run(post(app, "/base" + CHAT_PATH, b"2", root_path="/base"))
    assert mounted.status_code == 200 and mounted.json() == {"ok": 2}
    assert app.middleware_stack is not None
