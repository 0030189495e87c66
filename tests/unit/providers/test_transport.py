"""Transport error translation through httpx's transport seam (no sockets), and the
pure Retry-After parser. The same mapping runs over real HTTP in
tests/integration/test_transport.py."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import httpx
import pytest

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    ConfigError,
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.registry import adapter_for
from llm_router.providers.transport import call_provider, retry_after_of
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
    assert retry_after_of(httpx.Headers(headers), now=NOW) == expected


def _call(handler, kind="openai", **kwargs):
    async def run():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await call_provider(
                client, adapter_for(kind), REQUEST, _model(), _provider(kind), "req-1", **kwargs
            )

    return asyncio.run(run())


def _model():
    return ModelConfig(name="cat", provider="p", input_per_mtok=1, output_per_mtok=1)


def _provider(kind):
    return ProviderConfig(name="p", kind=kind, base_url="http://up.test/v1",
                          api_key="sk-very-secret")


def _raise(exc_type):
    def handler(request):
        raise exc_type("boom sk-very-secret", request=request)

    return handler


@pytest.mark.parametrize(
    ("exc_type", "expected"),
    [
        (httpx.ConnectTimeout, UpstreamTimeoutError),
        (httpx.ReadTimeout, UpstreamTimeoutError),
        (httpx.ConnectError, UpstreamConnectionError),
        (httpx.ReadError, UpstreamConnectionError),
        (httpx.RemoteProtocolError, UpstreamConnectionError),
    ],
)
def test_transport_failures_are_translated(exc_type, expected):
    with pytest.raises(expected) as info:
        _call(_raise(exc_type))
    assert isinstance(info.value.__cause__, exc_type)
    assert "sk-very-secret" not in info.value.message
    assert (info.value.provider, info.value.model) == ("p", "cat")


def test_error_status_carries_provider_message_and_retry_after():
    def handler(request):
        assert request.headers["authorization"] == "Bearer sk-very-secret"
        return httpx.Response(429, headers={"retry-after": "3"},
                              json={"error": {"message": "slow down", "type": "requests"}})

    with pytest.raises(UpstreamStatusError) as info:
        _call(handler)
    assert info.value.upstream_status == 429 and info.value.retry_after == 3.0
    assert info.value.retryable and "slow down" in info.value.message


def test_status_error_with_non_json_body():
    with pytest.raises(UpstreamStatusError) as info:
        _call(lambda request: httpx.Response(502, text="<html>bad gateway</html>"))
    assert "bad gateway" in info.value.message and info.value.retry_after is None


def test_non_json_success_body_is_a_protocol_error():
    with pytest.raises(UpstreamProtocolError) as info:
        _call(lambda request: httpx.Response(200, text='{"choices": ['))
    assert info.value.__cause__ is not None


def test_wrong_shape_success_body_is_a_protocol_error_with_provider():
    with pytest.raises(UpstreamProtocolError) as info:
        _call(lambda request: httpx.Response(200, json={"content": []}), kind="gemini")
    assert info.value.provider == "p" and info.value.__cause__ is not None


def test_success_is_parsed():
    body = {"choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
    completion = _call(lambda request: httpx.Response(200, json=body))
    assert completion.choices[0].message.content == "hello"


def test_unknown_kind_is_a_config_error():
    with pytest.raises(ConfigError):
        adapter_for("cohere")


def test_calls_go_through_the_clients_transport_for_the_url_with_its_headers():
    """``send`` skips the client's per-request layers, not its configuration: a mount for
    the provider's host (a proxy, say) is used, and the client's default headers go out."""
    seen: list[tuple[str, httpx.Request]] = []
    body = {"choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1}}

    def via(name):
        def handler(request):
            seen.append((name, request))
            return httpx.Response(200, json=body)
        return httpx.MockTransport(handler)

    async def run():
        async with httpx.AsyncClient(transport=via("default"), headers={"x-team": "a"},
                                     mounts={"http://up.test": via("mounted")}) as client:
            return await call_provider(client, adapter_for("openai"), REQUEST, _model(),
                                       _provider("openai"), "req-1", timeout_s=7)

    assert asyncio.run(run()).choices[0].message.content == "hello"
    [(name, request)] = seen
    assert name == "mounted" and request.headers["x-team"] == "a"
    assert request.headers["authorization"] == "Bearer sk-very-secret"
    assert request.extensions["timeout"]["read"] == 7
