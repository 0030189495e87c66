"""Every adapter through ``call_provider`` (aiohttp) against the simulator over real HTTP,
including each scripted fault and the error class it must become."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import aiohttp
import httpx
import pytest

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.registry import adapter_for
from llm_router.providers.session import UpstreamHttp
from llm_router.providers.transport import call_provider
from llm_router.schema import ChatCompletion, ChatRequest

pytestmark = pytest.mark.integration

KINDS = ("openai", "anthropic", "gemini")
SUFFIX = {"openai": "/v1", "anthropic": "", "gemini": "/v1beta"}
KEY = "sk-sim-secret-123"
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}]


def _provider(url: str, kind: str, name: str | None = None, **extra) -> ProviderConfig:
    name = name or f"{kind}-{uuid.uuid4().hex[:8]}"  # own name: own faults
    return ProviderConfig(name=name, kind=kind, base_url=f"{url}/{name}{SUFFIX[kind]}",
                          **{"api_key": KEY, **extra})


def _model(upstream: str = "sim-model") -> ModelConfig:
    return ModelConfig(name="catalog-name", provider="p", upstream_model=upstream,
                       input_per_mtok=1, output_per_mtok=1)


def _request(*messages: dict, **fields) -> ChatRequest:
    messages = messages or ({"role": "user", "content": "What is the capital of France?"},)
    return ChatRequest.model_validate({"model": "auto", "messages": list(messages), **fields})


def _call(provider: ProviderConfig, request: ChatRequest | None = None,
          model: ModelConfig | None = None, timeout_s: float | None = None) -> ChatCompletion:
    async def run() -> ChatCompletion:
        http = UpstreamHttp()
        try:
            return await call_provider(http, adapter_for(provider.kind), request or _request(),
                                       model or _model(), provider, "req-1", timeout_s=timeout_s)
        finally:
            await http.aclose()

    return asyncio.run(run())


def _arm(url: str, provider: ProviderConfig, mode: str, **extra) -> None:
    response = httpx.post(f"{url}/_sim/faults", timeout=5,
                          json={"provider": provider.name, "mode": mode, **extra})
    response.raise_for_status()


@pytest.mark.parametrize("kind", KINDS)
def test_plain_answer(simulator, kind):
    completion = _call(_provider(simulator.url, kind),
                       _request({"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "What is the capital of France?"}))
    text = completion.choices[0].message.content
    assert text and "sim-model" in text  # the simulator names the upstream model
    assert completion.model == "catalog-name"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens >= 10  # system + user text
    assert completion.usage.completion_tokens > 5


@pytest.mark.parametrize("kind", KINDS)
def test_tool_call_round_trip(simulator, kind):
    provider = _provider(simulator.url, kind)
    ask = {"role": "user", "content": "Use get_weather for Paris please"}
    first = _call(provider, _request(ask, tools=TOOLS))
    calls = first.choices[0].message.tool_calls
    assert first.choices[0].finish_reason == "tool_calls"
    assert calls is not None and calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}

    # Send the result back: each adapter must encode the call and its result.
    second = _call(provider, _request(
        ask,
        {"role": "assistant", "content": None, "tool_calls": [c.model_dump() for c in calls]},
        {"role": "tool", "tool_call_id": calls[0].id, "content": '{"temp_c": 18}'},
        tools=TOOLS,
    ))
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content


@pytest.mark.parametrize("kind", ["openai", "gemini"])
def test_reasoning_tokens_reach_usage(simulator, kind):
    completion = _call(_provider(simulator.url, kind), model=_model("sim-reasoner"))
    assert completion.usage is not None
    assert 0 < completion.usage.reasoning_tokens < completion.usage.completion_tokens


@pytest.mark.parametrize("kind", KINDS)
def test_output_limit_gives_length(simulator, kind):
    completion = _call(_provider(simulator.url, kind), _request(max_tokens=4))
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 4


@pytest.mark.parametrize("kind", KINDS)
def test_500(simulator, kind):
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "500")
    with pytest.raises(UpstreamStatusError) as info:
        _call(provider)
    assert info.value.upstream_status == 500 and info.value.retryable
    assert "simulated 500" in info.value.message
    assert _call(provider).choices[0].message.content  # count 1: the next call succeeds


@pytest.mark.parametrize(("kind", "expected"),
                         [("openai", 2.5), ("anthropic", 3.0), ("gemini", 3.0)])
def test_429_carries_retry_after(simulator, kind, expected):
    # OpenAI's retry-after-ms keeps the fraction; the others send whole seconds.
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "429", retry_after=2.5)
    with pytest.raises(UpstreamStatusError) as info:
        _call(provider)
    assert info.value.upstream_status == 429 and info.value.retry_after == expected
    assert "simulated rate limit" in info.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_timeout(simulator, kind):
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "timeout")
    with pytest.raises(UpstreamTimeoutError) as info:
        _call(provider, timeout_s=0.3)
    assert isinstance(info.value.__cause__, asyncio.TimeoutError)
    assert info.value.provider == provider.name


@pytest.mark.parametrize("kind", KINDS)
def test_malformed(simulator, kind):
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "malformed")
    with pytest.raises(UpstreamProtocolError):
        _call(provider)


@pytest.mark.parametrize("kind", KINDS)
def test_reset(simulator, kind):
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "reset")
    with pytest.raises(UpstreamConnectionError) as info:
        _call(provider)
    assert isinstance(info.value.__cause__, aiohttp.ClientError)


@pytest.mark.parametrize(("kind", "status"), [("openai", 503), ("anthropic", 529),
                                              ("gemini", 503)])
def test_down_until_cleared(simulator, kind, status):
    provider = _provider(simulator.url, kind)
    _arm(simulator.url, provider, "down", count=-1)
    for _ in range(2):
        with pytest.raises(UpstreamStatusError) as info:
            _call(provider)
        assert info.value.upstream_status == status and info.value.retryable
    httpx.delete(f"{simulator.url}/_sim/faults", params={"provider": provider.name}, timeout=5)
    assert _call(provider).choices[0].message.content


@pytest.mark.parametrize("kind", KINDS)
def test_missing_key_is_a_non_retryable_401(simulator, kind):
    provider = _provider(simulator.url, kind, api_key=None)
    with pytest.raises(UpstreamStatusError) as info:
        _call(provider)
    assert info.value.upstream_status == 401 and not info.value.retryable
    assert "missing or invalid API key" in info.value.message


def test_connection_refused():
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = ProviderConfig(name="gone", kind="openai", base_url=f"http://127.0.0.1:{port}/v1",
                              api_key=KEY)
    with pytest.raises(UpstreamConnectionError):
        _call(provider)


@pytest.mark.parametrize("mode", ["500", "429", "malformed", "reset", "down"])
def test_the_key_never_appears_in_errors(simulator, mode):
    provider = _provider(simulator.url, "openai")
    _arm(simulator.url, provider, mode)
    with pytest.raises(UpstreamError) as info:
        _call(provider)
    assert KEY not in str(info.value) and KEY not in json.dumps(info.value.to_body())
