"""Error translation and the body's handling in ``call_provider``, against an aiohttp
server on 127.0.0.1 (failures below HTTP are injected as aiohttp raises them, by a client
middleware); the pure Retry-After parser and line splitter. The same mapping runs against
the simulator in tests/integration/test_transport.py."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    ConfigError,
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.registry import adapter_for
from llm_router.providers.session import UpstreamHttp
from llm_router.providers.transport import LineSplitter, call_provider, retry_after_of
from llm_router.schema import ChatRequest

REQUEST = ChatRequest.model_validate(
    {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
)
NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": formatdate(NOW + 30, usegmt=True)}, 30.0),
        ({"retry-after": formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({"retry-after": "tomorrow"}, None),
        ({"retry-after": "inf"}, None),
    ],
)
def test_retry_after_of(headers, expected):
    assert retry_after_of(CIMultiDict(headers), now=NOW) == expected


def _call(handler, kind="openai", middlewares=(), **kwargs):
    """``call_provider`` against ``handler`` served on 127.0.0.1; what it returns."""
    async def run():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        http = UpstreamHttp(middlewares=middlewares)
        try:
            return await call_provider(http, adapter_for(kind), REQUEST, _model(),
                                       _provider(kind, f"http://127.0.0.1:{port}/v1"),
                                       "req-1", **kwargs)
        finally:
            await http.aclose()
            await runner.cleanup()

    return asyncio.run(run())


def _model():
    return ModelConfig(name="cat", provider="p", input_per_mtok=1, output_per_mtok=1)


def _provider(kind, base_url="http://up.test/v1"):
    return ProviderConfig(name="p", kind=kind, base_url=base_url, api_key="sk-very-secret")


BODY = {"choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


async def _answer(request):
    return web.json_response(BODY)


def _raising(exc):
    async def middleware(request, handler):
        raise exc

    return middleware


KEY_IN_TEXT = "boom sk-very-secret"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiohttp.ConnectionTimeoutError(KEY_IN_TEXT), UpstreamTimeoutError),
        (aiohttp.SocketTimeoutError(KEY_IN_TEXT), UpstreamTimeoutError),
        (TimeoutError(KEY_IN_TEXT), UpstreamTimeoutError),
        (aiohttp.ServerDisconnectedError(KEY_IN_TEXT), UpstreamConnectionError),
        (aiohttp.ClientPayloadError(KEY_IN_TEXT), UpstreamConnectionError),
        (aiohttp.ClientOSError(104, KEY_IN_TEXT), UpstreamConnectionError),
        (aiohttp.InvalidURL(KEY_IN_TEXT), UpstreamConnectionError),
    ],
)
def test_transport_failures_are_translated(exc, expected):
    with pytest.raises(expected) as info:
        _call(_answer, middlewares=[_raising(exc)])
    assert info.value.__cause__ is exc
    assert "sk-very-secret" not in info.value.message
    assert (info.value.provider, info.value.model) == ("p", "cat")


def test_a_bug_is_not_an_upstream_error():
    with pytest.raises(RuntimeError):
        _call(_answer, middlewares=[_raising(RuntimeError("a bug"))])


# A server that holds its answer holds it until the client has gone, at most this long: a
# client that never times out fails the test (it gets the answer) instead of hanging it.
HOLD_S = 30.0


async def _hold_until_the_client_goes(request):
    """Reads the request, then answers nothing until the client closes the connection."""
    held = time.monotonic()
    while request.transport is not None and not request.transport.is_closing():
        if time.monotonic() - held > HOLD_S:
            return web.json_response(BODY)
        await asyncio.sleep(0.01)
    return web.Response(status=499)


def test_a_read_timeout_over_real_sockets():
    """The server has the whole request and answers nothing: what times out is the read,
    after the call's timeout and long before the server would answer. The timeout (1 s)
    leaves the connect on loopback, which the same timeout bounds, a wide margin on a
    loaded machine: at 0.2 s it once lost that race (a ConnectionTimeoutError)."""
    seen = []

    async def holding(request):
        seen.append(await request.read())
        return await _hold_until_the_client_goes(request)

    started = time.monotonic()
    with pytest.raises(UpstreamTimeoutError) as info:
        _call(holding, timeout_s=1.0)
    waited = time.monotonic() - started
    assert isinstance(info.value.__cause__, aiohttp.SocketTimeoutError), info.value.__cause__
    assert "within 1s" in info.value.message
    assert len(seen) == 1 and seen[0].startswith(b'{"model":"cat"')
    assert 1.0 <= waited < HOLD_S


def test_a_body_cut_short_is_a_connection_error():
    async def truncated(request):
        response = web.StreamResponse(headers={"content-length": "100",
                                               "content-type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"choices": [')
        request.transport.close()  # type: ignore[union-attr]
        return response

    with pytest.raises(UpstreamConnectionError) as info:
        _call(truncated)
    assert isinstance(info.value.__cause__, aiohttp.ClientPayloadError)


def test_error_status_carries_provider_message_and_retry_after():
    async def handler(request):
        assert request.headers["authorization"] == "Bearer sk-very-secret"
        return web.json_response({"error": {"message": "slow down", "type": "requests"}},
                                 status=429, headers={"retry-after": "3"})

    with pytest.raises(UpstreamStatusError) as info:
        _call(handler)
    assert info.value.upstream_status == 429 and info.value.retry_after == 3.0
    assert info.value.retryable and "slow down" in info.value.message


def test_status_error_with_non_json_body():
    async def handler(request):
        return web.Response(status=502, text="<html>bad gateway</html>")

    with pytest.raises(UpstreamStatusError) as info:
        _call(handler)
    assert "bad gateway" in info.value.message and info.value.retry_after is None


def test_non_json_success_body_is_a_protocol_error():
    async def handler(request):
        return web.Response(text='{"choices": [')

    with pytest.raises(UpstreamProtocolError) as info:
        _call(handler)
    assert info.value.__cause__ is not None


def test_wrong_shape_success_body_is_a_protocol_error_with_provider():
    async def handler(request):
        return web.json_response({"content": []})

    with pytest.raises(UpstreamProtocolError) as info:
        _call(handler, kind="gemini")
    assert info.value.provider == "p" and info.value.__cause__ is not None


def test_success_is_parsed():
    assert _call(_answer).choices[0].message.content == "hello"


def test_unknown_kind_is_a_config_error():
    with pytest.raises(ConfigError):
        adapter_for("cohere")


def test_the_request_goes_out_as_compact_json_with_the_adapters_headers():
    """The bytes httpx's ``json=`` sent before (compact, UTF-8 as is), the provider's key
    in its header, no redirect followed."""
    seen = []

    async def handler(request):
        seen.append((request.path, dict(request.headers), await request.read()))
        return web.json_response(BODY)

    _call(handler)
    [(path, headers, body)] = seen
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sk-very-secret"
    assert headers["Content-Type"] == "application/json"
    assert body.startswith(b'{"model":"cat","messages":[{"role":"user","content":"hi"}]')


def test_a_redirect_is_not_followed():
    async def handler(request):
        raise web.HTTPFound("/elsewhere")

    with pytest.raises(UpstreamProtocolError):  # a 302 with a non-JSON body
        _call(handler)


@pytest.mark.parametrize(
    ("pieces", "lines"),
    [
        ([b"data: a\n\ndata: b\n\n"], ["data: a", "", "data: b", ""]),
        ([b"data: a\r\n\r\n"], ["data: a", ""]),
        ([b"data: a\r", b"\n\r", b"\n"], ["data: a", ""]),  # CRLF cut between pieces
        ([b"a\rb\r"], ["a", "b"]),  # bare CR ends a line too
        ([b"da", b"ta: \xc3", b"\xa9\n"], ["data: \u00e9"]),  # UTF-8 cut between pieces
        ([b"data: \xff\n"], ["data: \ufffd"]),  # not UTF-8: replaced
        ([b"no end"], ["no end"]),
        ([b""], []),
    ],
)
def test_line_splitter(pieces, lines):
    splitter = LineSplitter()
    out = [line for piece in pieces for line in splitter.feed(piece)]
    assert out + splitter.flush() == lines
