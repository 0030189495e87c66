from __future__ import annotations

import json

import pytest

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.anthropic.stream import AnthropicStreamTransform
from llm_router.providers.gemini.stream import GeminiStreamTransform
from llm_router.providers.openai.stream import OpenAIStreamTransform
from llm_router.schema import Usage
from llm_router.streaming.errors import UpstreamStreamError
from llm_router.streaming.sse import SseEvent

from .conftest import content, events_of, payload_events, run


def clock() -> float:
    return 1_700_000_000.0


def test_openai_chunks_pass_through_with_catalog_model_and_usage_kept_aside() -> None:
    t = OpenAIStreamTransform("small", "req_1", clock)
    chunks = run(t, payload_events("openai_usage.sse"))
    assert content(chunks) == "Hello there!"
    assert len(chunks) == 4  # the usage chunk is not relayed
    assert all(c["model"] == "small" and "usage" not in c for c in chunks)
    assert chunks[0]["system_fingerprint"] == "fp_44709d6fcb"
    assert t.usage == Usage.of(12, 3) and t.done and t.complete


def test_openai_fills_missing_ids_and_normalises_invented_finish_reasons() -> None:
    t = OpenAIStreamTransform("m", "req_9", clock)
    (chunk,) = t.feed(SseEvent(json.dumps({"choices": [
        {"index": 0, "delta": {}, "finish_reason": "eos"}]})))
    assert chunk["id"] == "chatcmpl-req_9" and chunk["created"] == 1_700_000_000
    assert chunk["choices"][0]["finish_reason"] == "stop"
    assert t.complete and not t.done and t.usage is None


def test_openai_error_event_raises() -> None:
    t = OpenAIStreamTransform("m", "r")
    with pytest.raises(UpstreamStreamError, match="server_error: boom"):
        t.feed(SseEvent('{"error": {"message": "boom", "type": "server_error"}}'))
    with pytest.raises(UpstreamProtocolError):
        t.feed(SseEvent("{not json"))


def test_anthropic_text_and_tool_use_become_openai_chunks() -> None:
    t = AnthropicStreamTransform("claude", "req_1", clock)
    chunks = run(t, payload_events("anthropic_tool.sse"))
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[0]["id"] == "msg_014p7gG3wDgGV9EUtLvnow3U"
    assert content(chunks) == "Okay, let's check the weather."  # no thinking text
    calls = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    assert calls[0]["id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    assert calls[0]["function"]["name"] == "get_weather"
    assert all(tc["index"] == 0 for tc in calls)
    arguments = "".join(tc["function"]["arguments"] for tc in calls)
    assert json.loads(arguments) == {"location": "San Francisco, CA"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    # input 472 uncached + 100 read from the prompt cache; output from message_delta.
    assert t.usage == Usage.of(572, 89, cached=100)
    assert t.done and t.complete


def test_anthropic_usage_before_the_end_is_the_message_start_count() -> None:
    t = AnthropicStreamTransform("claude", "r", clock)
    events = payload_events("anthropic_tool.sse")
    run(t, events[:8])
    assert t.usage is not None and t.usage.prompt_tokens == 572
    assert t.usage.completion_tokens == 2 and not t.complete


def test_anthropic_error_event_and_events_before_message_start() -> None:
    with pytest.raises(UpstreamStreamError, match="overloaded_error: Overloaded"):
        AnthropicStreamTransform("c", "r").feed(SseEvent(
            '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
            "error"))
    delta = {"type": "content_block_delta", "index": 0,
             "delta": {"type": "text_delta", "text": "hi"}}
    with pytest.raises(UpstreamProtocolError, match="message_start"):
        AnthropicStreamTransform("c", "r").feed(SseEvent(json.dumps(delta)))


def test_gemini_events_become_chunks_and_the_last_usage_counts() -> None:
    t = GeminiStreamTransform("gem", "req_1", clock)
    chunks = run(t, payload_events("gemini_text.sse"))
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[0]["id"] == "abc123"
    assert content(chunks) == "Cats are small felines."  # the thought part is skipped
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert t.usage == Usage.of(9, 21, cached=4, reasoning=16)
    assert t.complete and not t.done


def test_gemini_function_calls_get_generated_ids_and_tool_calls_finish() -> None:
    event = {"candidates": [{"content": {"parts": [
        {"functionCall": {"name": "lookup", "args": {"id": "A1"}}}]}, "finishReason": "STOP"}]}
    t = GeminiStreamTransform("gem", "req_7", clock)
    chunks = run(t, events_of(f"data: {json.dumps(event)}\n\n"))
    call = chunks[1]["choices"][0]["delta"]["tool_calls"][0]
    assert call["id"] == "call_req_7_0" and json.loads(call["function"]["arguments"]) == {
        "id": "A1"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_gemini_blocked_prompt_finishes_with_content_filter() -> None:
    t = GeminiStreamTransform("gem", "r", clock)
    chunks = t.feed(SseEvent('{"promptFeedback": {"blockReason": "SAFETY"}}'))
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter" and t.complete
