"""Gemini generateContent adapter: request building and response parsing, no I/O."""

from __future__ import annotations

import json

import pytest

from llm_router.errors import InvalidRequestError, UpstreamProtocolError
from llm_router.providers.gemini.adapter import GeminiAdapter, tool_config_of
from llm_router.schema import ChatRequest

ADAPTER = GeminiAdapter(clock=lambda: 1_700_000_000.0)
BASE = "https://generativelanguage.googleapis.com/v1beta"


def test_full_conversation_maps_to_generate_content(payload, model, provider):
    case = payload("gemini_request_full")
    upstream = ADAPTER.build_request(
        ChatRequest.model_validate(case["openai"]), model("gemini-2.5-flash"),
        provider("gemini", base_url=BASE),
    )
    assert upstream.url == f"{BASE}/models/gemini-2.5-flash:generateContent"
    assert upstream.json == case["upstream"]
    assert upstream.headers["x-goog-api-key"] == "sk-secret-key"
    assert "sk-secret-key" not in upstream.url and upstream.redacted["x-goog-api-key"] == "***"


def test_plain_request_has_no_optional_sections(model, provider):
    request = ChatRequest.model_validate({"model": "m", "messages": [
        {"role": "user", "content": "hi"}, {"role": "user", "content": "there"}]})
    body = ADAPTER.build_request(request, model(), provider("gemini")).json
    assert body == {"contents": [{"role": "user", "parts": [{"text": "hi"}, {"text": "there"}]}]}


def test_tool_result_without_a_matching_call_is_rejected(model, provider):
    request = ChatRequest.model_validate({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "tool", "tool_call_id": "nowhere", "content": "r"},
    ]})
    with pytest.raises(InvalidRequestError, match="nowhere"):
        ADAPTER.build_request(request, model(), provider("gemini"))


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        ("auto", {"functionCallingConfig": {"mode": "AUTO"}}),
        ("none", {"functionCallingConfig": {"mode": "NONE"}}),
        ("required", {"functionCallingConfig": {"mode": "ANY"}}),
        ({"type": "function", "function": {"name": "f"}},
         {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}}),
    ],
)
def test_tool_config_mapping(choice, expected):
    assert tool_config_of(choice) == expected


def test_parse_text(payload, model):
    completion = ADAPTER.parse_response(payload("gemini_response_text"), model(), "r")
    assert completion.id == "mMqYaPmBO5Lk7M8PkZbLqAQ"
    assert completion.created == 1_700_000_000
    assert completion.choices[0].message.content == "AI learns patterns from data."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (8, 12)


def test_parse_function_calls_with_generated_ids(payload, model):
    completion = ADAPTER.parse_response(payload("gemini_response_function_call"), model(), "req7")
    calls = completion.choices[0].message.tool_calls
    assert calls is not None
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert [c.id for c in calls] == ["call_req7_0", "call_req7_1"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}
    assert completion.choices[0].message.content is None
    assert completion.choices[0].finish_reason == "tool_calls"  # Gemini says STOP
    assert completion.id == "gemini-req7"


def test_thoughts_count_as_reasoning_and_cache_as_cached(payload, model):
    completion = ADAPTER.parse_response(payload("gemini_response_thinking_cached"), model(), "r")
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == 4200 and usage.cached_tokens == 4096
    assert usage.completion_tokens == 7 + 900 and usage.reasoning_tokens == 900
    assert completion.choices[0].message.content == "The total is 42."  # thought skipped
    assert completion.choices[0].finish_reason == "length"


def test_blocked_prompt_is_content_filter(payload, model):
    completion = ADAPTER.parse_response(payload("gemini_response_blocked_prompt"), model(), "r")
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == ""
    assert completion.usage is not None and completion.usage.prompt_tokens == 9


def test_safety_stop_without_content_is_content_filter(payload, model):
    completion = ADAPTER.parse_response(payload("gemini_response_safety"), model(), "r")
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == ""


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"candidates": []},
        {"candidates": {}},
        {"candidates": [[]]},
        {"candidates": [{"content": {"parts": "text"}}]},
        {"candidates": [{"content": {"parts": [{"text": 1}]}}]},
        {"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]},
        {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": []}}]}}]},
        {"candidates": [{"content": {"parts": []}}], "usageMetadata": {"promptTokenCount": "3"}},
    ],
)
def test_malformed_bodies_raise_protocol_error(body, model):
    with pytest.raises(UpstreamProtocolError):
        ADAPTER.parse_response(body, model(), "r")


def test_error_message(payload):
    message = ADAPTER.error_message(429, payload("gemini_error_429"))
    assert message.startswith("RESOURCE_EXHAUSTED: You exceeded your current quota")
    assert ADAPTER.error_message(400, [{"error": {"message": "bad"}}]) == "bad"
