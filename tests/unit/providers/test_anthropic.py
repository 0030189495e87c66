"""Anthropic Messages adapter: request building and response parsing, no I/O."""

from __future__ import annotations

import json

import pytest

from llm_router.errors import InvalidRequestError, UpstreamProtocolError
from llm_router.providers.anthropic.adapter import AnthropicAdapter, messages_of, tool_choice_of
from llm_router.schema import ChatRequest

ADAPTER = AnthropicAdapter(clock=lambda: 1_700_000_000.0)


def _request(**fields):
    return ChatRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], **fields}
    )


def test_full_conversation_maps_to_messages_api(payload, model, provider):
    case = payload("anthropic_request_full")
    upstream = ADAPTER.build_request(
        ChatRequest.model_validate(case["openai"]),
        model("claude-sonnet-4-5-20250929", max_output_tokens=8192),
        provider("anthropic", base_url="https://api.anthropic.com"),
    )
    assert upstream.url == "https://api.anthropic.com/v1/messages"
    assert upstream.json == case["upstream"]
    assert upstream.headers["x-api-key"] == "sk-secret-key"
    assert upstream.headers["anthropic-version"] == "2023-06-01"
    assert upstream.redacted["x-api-key"] == "***"


@pytest.mark.parametrize(
    ("fields", "max_output", "expected"),
    [
        ({"max_tokens": 100}, 8192, 100),
        ({"max_completion_tokens": 50, "max_tokens": 100}, None, 50),
        ({}, 8192, 8192),
        ({}, None, 4096),
    ],
)
def test_max_tokens_is_always_sent(fields, max_output, expected, model, provider):
    upstream = ADAPTER.build_request(
        _request(**fields), model(max_output_tokens=max_output), provider("anthropic")
    )
    assert upstream.json["max_tokens"] == expected


def test_roles_alternate_after_merging():
    request = ChatRequest.model_validate({"model": "m", "messages": [
        {"role": "user", "content": "a"},
        {"role": "user", "content": "b"},
        {"role": "assistant", "content": "c"},
        {"role": "assistant", "content": "d"},
        {"role": "user", "content": "e"},
    ]})
    turns = messages_of(request.messages)
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert [b["text"] for b in turns[0]["content"]] == ["a", "b"]


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        (None, None, None),
        ("auto", None, {"type": "auto"}),
        ("none", False, {"type": "none"}),
        ("required", None, {"type": "any"}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ({"type": "function", "function": {"name": "f"}}, None, {"type": "tool", "name": "f"}),
    ],
)
def test_tool_choice_mapping(choice, parallel, expected):
    assert tool_choice_of(choice, parallel) == expected


def test_tool_choice_unknown_is_rejected():
    with pytest.raises(InvalidRequestError):
        tool_choice_of("sometimes", None)


def test_invalid_tool_arguments_are_a_client_error(model, provider):
    request = ChatRequest.model_validate({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "tool_calls": [
            {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{oops"}}]},
        {"role": "tool", "tool_call_id": "t", "content": "r"},
    ]})
    with pytest.raises(InvalidRequestError):
        ADAPTER.build_request(request, model(), provider("anthropic"))


def test_audio_is_rejected_with_a_clear_error(model, provider):
    request = ChatRequest.model_validate({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}]})
    with pytest.raises(InvalidRequestError, match="audio"):
        ADAPTER.build_request(request, model(), provider("anthropic"))


def test_parse_text(payload, model):
    completion = ADAPTER.parse_response(payload("anthropic_response_text"), model(), "r")
    assert completion.id == "msg_013Zva2CMHLNnXjNJJKqJ2EF"
    assert completion.model == "catalog-model"
    assert completion.choices[0].message.content == "Hi! My name is Claude."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (2095, 503)


def test_parse_tool_use(payload, model):
    completion = ADAPTER.parse_response(payload("anthropic_response_tool_use"), model(), "r")
    message = completion.choices[0].message
    assert message.content == "I'll check the current weather in San Francisco for you."
    assert message.tool_calls is not None and len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call.id == "toolu_01A09q90qw90lq917835lq9"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "San Francisco, CA",
                                                   "unit": "celsius"}
    assert completion.choices[0].finish_reason == "tool_calls"


def test_cache_tokens_are_added_to_prompt_tokens(payload, model):
    completion = ADAPTER.parse_response(payload("anthropic_response_cache"), model(), "r")
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == 21 + 188086 + 1500
    assert usage.cached_tokens == 1500
    assert usage.cache_write_tokens == 188086
    assert usage.completion_tokens == 393
    assert completion.choices[0].message.content == "The document says refunds take 5 days."
    assert completion.choices[0].finish_reason == "length"


def test_thinking_blocks_are_not_part_of_the_answer(payload, model):
    completion = ADAPTER.parse_response(payload("anthropic_response_thinking"), model(), "r")
    assert completion.choices[0].message.content == "Based on my analysis, the answer is 12."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == 1200


def test_refusal_is_content_filter(payload, model):
    completion = ADAPTER.parse_response(payload("anthropic_response_refusal"), model(), "r")
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == ""


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"type": "message"},
        {"content": "text"},
        {"content": [None]},
        {"content": [{"type": "text", "text": 3}]},
        {"content": [{"type": "tool_use", "name": "f", "input": {}}]},
        {"content": [{"type": "tool_use", "id": "t", "name": "f", "input": "x"}]},
        {"content": [], "stop_reason": 1},
        {"content": [], "usage": {"input_tokens": 1.5}},
    ],
)
def test_malformed_bodies_raise_protocol_error(body, model):
    with pytest.raises(UpstreamProtocolError):
        ADAPTER.parse_response(body, model(), "r")


def test_error_message(payload):
    assert ADAPTER.error_message(529, payload("anthropic_error_overloaded")) == (
        "overloaded_error: Overloaded"
    )
    assert ADAPTER.error_message(500, "upstream connect error") == "upstream connect error"
