"""Folding chunks back into an answer, and the usage a stream is booked with."""

from __future__ import annotations

from llm_router.catalog import ModelConfig
from llm_router.providers.anthropic.stream import AnthropicStreamTransform
from llm_router.schema import ChatRequest, Usage
from llm_router.streaming.accumulator import Accumulator
from llm_router.streaming.usage import settled_usage
from llm_router.tokens import count_chat_tokens, count_text_tokens

from .conftest import payload_events, run

MODEL = ModelConfig(name="gpt-4o-mini", provider="p", input_per_mtok=1, output_per_mtok=1)
REQUEST = ChatRequest.model_validate(
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]})


def test_accumulator_rebuilds_text_tool_calls_and_finish() -> None:
    acc = Accumulator()
    for chunk in run(AnthropicStreamTransform("claude", "r"), payload_events(
            "anthropic_tool.sse")):
        acc.add(chunk)
    completion = acc.completion(Usage.of(1, 2))
    message = completion.choices[0].message
    assert message.content == "Okay, let's check the weather."
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.arguments == '{"location": "San Francisco, CA"}'
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.id == "msg_014p7gG3wDgGV9EUtLvnow3U" and completion.model == "claude"
    assert acc.generated_text().startswith("Okay, let's check the weather.get_weather{")


def test_reported_usage_of_a_complete_stream_is_used_as_is() -> None:
    reported = Usage.of(10, 20, cached=4)
    assert settled_usage(reported, True, REQUEST, MODEL, "whatever") == (reported, "reported")


def test_no_usage_is_estimated_with_tiktoken_from_request_and_streamed_text() -> None:
    usage, source = settled_usage(None, True, REQUEST, MODEL, "Hello there, friend!")
    assert source == "estimated"
    assert usage.prompt_tokens == count_chat_tokens(REQUEST.messages, "gpt-4o-mini").prompt_tokens
    assert usage.completion_tokens == count_text_tokens("Hello there, friend!",
                                                        "gpt-4o-mini").prompt_tokens
    assert usage.completion_tokens == 5


def test_a_broken_off_stream_keeps_the_reported_prompt_and_estimates_output() -> None:
    partial = Usage.of(572, 2, cached=100)
    usage, source = settled_usage(partial, False, REQUEST, MODEL, "one two three four five six")
    assert source == "estimated"
    assert (usage.prompt_tokens, usage.cached_tokens) == (572, 100)
    assert usage.completion_tokens == 6


def test_nothing_generated_books_only_the_prompt() -> None:
    usage, _ = settled_usage(None, False, REQUEST, MODEL, "")
    assert usage.completion_tokens == 0 and usage.prompt_tokens > 0
