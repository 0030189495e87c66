"""OpenAI-compatible adapter: request building and response parsing, no I/O."""

from __future__ import annotations

import pytest

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.openai.adapter import OpenAIAdapter
from llm_router.schema import ChatRequest

ADAPTER = OpenAIAdapter(clock=lambda: 1_700_000_000.0)


def test_request_passes_openai_fields_and_drops_extensions(payload, model, provider):
    case = payload("openai_request_tools")
    upstream = ADAPTER.build_request(
        ChatRequest.model_validate(case["openai"]),
        model("gpt-4o-mini-2024-07-18"),
        provider("openai", headers={"HTTP-Referer": "https://app.example"}),
    )
    assert upstream.method == "POST"
    assert upstream.url == "https://api.example.com/v1/chat/completions"
    assert upstream.json == case["upstream"]
    assert upstream.headers["Authorization"] == "Bearer sk-secret-key"
    assert upstream.headers["HTTP-Referer"] == "https://app.example"
    assert "sk-secret-key" not in str(upstream.redacted)


def test_fields_openai_does_not_document_are_not_forwarded(model, provider):
    request = ChatRequest.model_validate({
        "model": "m", "messages": [{"role": "user", "content": "hi"}],
        "store": True, "metadata": {"team": "a"}, "internal_trace_id": "t-1", "top_k": 5,
        "optimize_for": "cost", "max_latency_ms": 900,
    })
    body = ADAPTER.build_request(request, model(), provider("openai")).json
    assert body["store"] is True and body["metadata"] == {"team": "a"}
    assert not {"internal_trace_id", "top_k", "optimize_for", "max_latency_ms"} & set(body)


def test_streaming_fields_are_not_sent_on_the_buffered_call(model, provider):
    request = ChatRequest.model_validate({
        "model": "m", "messages": [{"role": "user", "content": "hi"}],
        "stream": True, "stream_options": {"include_usage": True},
    })
    body = ADAPTER.build_request(request, model(), provider("openai")).json
    assert "stream" not in body and "stream_options" not in body


def test_no_key_sends_no_authorization_header(model, provider):
    request = ChatRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    )
    upstream = ADAPTER.build_request(request, model(), provider("openai", api_key=None))
    assert "Authorization" not in upstream.headers


def test_parse_plain_text(payload, model):
    completion = ADAPTER.parse_response(payload("openai_response_text"), model(), "req-1")
    assert completion.model == "catalog-model"
    assert completion.id == "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
    assert completion.created == 1741569952
    assert completion.choices[0].message.content == "Hello! How can I assist you today?"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (19, 10)
    assert completion.system_fingerprint == "fp_06737a9306"


def test_parse_tool_calls(payload, model):
    completion = ADAPTER.parse_response(payload("openai_response_tool_calls"), model(), "r")
    message = completion.choices[0].message
    assert message.content is None
    assert message.tool_calls is not None
    assert message.tool_calls[0].id == "call_abc123"
    assert message.tool_calls[0].function.name == "get_current_weather"
    assert message.tool_calls[0].function.arguments == '{\n"location": "Boston, MA"\n}'
    assert completion.choices[0].finish_reason == "tool_calls"


def test_parse_cached_and_reasoning_tokens(payload, model):
    usage = ADAPTER.parse_response(payload("openai_response_cached_reasoning"), model(), "r").usage
    assert usage is not None
    assert usage.prompt_tokens == 2006 and usage.cached_tokens == 1920
    assert usage.completion_tokens == 300 and usage.reasoning_tokens == 256
    assert usage.total_tokens == 2306


def test_compatible_server_nulls_and_odd_finish_reason(payload, model):
    completion = ADAPTER.parse_response(payload("openai_response_compatible_nulls"), model(), "r")
    assert completion.choices[0].finish_reason == "stop"  # "eos" is not an OpenAI reason
    assert completion.usage is not None and completion.usage.cached_tokens == 0


def test_missing_id_and_created_are_filled(model):
    body = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
    completion = ADAPTER.parse_response(body, model(), "req-9")
    assert completion.id == "chatcmpl-req-9"
    assert completion.created == 1_700_000_000
    assert completion.usage is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not an object",
        [],
        {},
        {"choices": []},
        {"choices": "nope"},
        {"choices": [None]},
        {"choices": [{"finish_reason": "stop"}]},
        {"choices": [{"message": {"content": 5}}]},
        {"choices": [{"message": {"content": "x", "tool_calls": [{"id": "c"}]}}]},
        {"choices": [{"message": {"content": None, "tool_calls": [
            {"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}}]},
        {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": "12"}},
        {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": -1}},
        {"choices": [{"message": {"content": "x"}}], "usage": [1]},
    ],
)
def test_malformed_bodies_raise_protocol_error(body, model):
    with pytest.raises(UpstreamProtocolError):
        ADAPTER.parse_response(body, model(), "r")


def test_error_message(payload):
    message = ADAPTER.error_message(429, payload("openai_error_429"))
    assert message.startswith("Rate limit reached for gpt-4o-mini")
    assert ADAPTER.error_message(502, "<html>Bad gateway</html>") == "<html>Bad gateway</html>"
    assert ADAPTER.error_message(500, {"detail": "vLLM crashed"}) == "vLLM crashed"
    assert ADAPTER.error_message(503, "") == "HTTP 503 with an empty body"
