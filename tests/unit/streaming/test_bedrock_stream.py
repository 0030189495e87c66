"""Bedrock ConverseStream: the transform on recorded-shape events, and the simulator's
binary event stream read back by botocore's own decoder."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.eventstream import EventStream
from botocore.exceptions import EventStreamError
from botocore.parsers import EventStreamJSONParser

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import UpstreamProtocolError, UpstreamStatusError
from llm_router.providers.bedrock.client import translate
from llm_router.providers.bedrock.stream import BedrockStreamTransform
from llm_router.schema import Usage
from llm_router_local.providers.bedrock import simulator as bedrock_format
from llm_router_local.simulator.text import Answer

from .conftest import content

EVENTS: list[dict[str, Any]] = [
    {"messageStart": {"role": "assistant"}},
    {"contentBlockDelta": {"contentBlockIndex": 0,
                           "delta": {"reasoningContent": {"text": "Need the order."}}}},
    {"contentBlockStop": {"contentBlockIndex": 0}},
    {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"text": "Checking "}}},
    {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"text": "now."}}},
    {"contentBlockStop": {"contentBlockIndex": 1}},
    {"contentBlockStart": {"contentBlockIndex": 2, "start": {
        "toolUse": {"toolUseId": "tooluse_1", "name": "lookup_order"}}}},
    {"contentBlockDelta": {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '{"order'}}}},
    {"contentBlockDelta": {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '_id": 7}'}}}},
    {"contentBlockStop": {"contentBlockIndex": 2}},
    {"messageStop": {"stopReason": "tool_use"}},
    {"metadata": {"usage": {"inputTokens": 10, "outputTokens": 20, "totalTokens": 130,
                            "cacheReadInputTokens": 100}, "metrics": {"latencyMs": 300}}},
]


def test_text_reasoning_and_tool_use_become_openai_chunks() -> None:
    t = BedrockStreamTransform("nova", "bedrock-rid", clock=lambda: 1_700_000_000.0)
    chunks = [c for event in EVENTS for c in t.feed(event)]
    assert content(chunks) == "Checking now."
    assert all(c["id"] == "bedrock-rid" and c["model"] == "nova" for c in chunks)
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks
             if "tool_calls" in c["choices"][0]["delta"]]
    assert calls[0] == {"index": 0, "id": "tooluse_1", "type": "function",
                        "function": {"name": "lookup_order", "arguments": ""}}
    assert "".join(c["function"]["arguments"] for c in calls) == '{"order_id": 7}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert t.usage == Usage.of(110, 20, cached=100) and t.done and t.complete


def test_usage_arrives_after_message_stop() -> None:
    t = BedrockStreamTransform("nova", "rid")
    for event in EVENTS[:-1]:
        t.feed(event)
    assert t.complete and not t.done and t.usage is None


def test_events_before_message_start_are_a_protocol_error() -> None:
    t = BedrockStreamTransform("nova", "rid")
    with pytest.raises(UpstreamProtocolError, match="messageStart"):
        t.feed({"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "x"}}})
    with pytest.raises(UpstreamProtocolError):
        t.feed(["not", "an", "event"])


def _botocore_events(frames: list[bytes]) -> EventStream:
    """What boto3's converse_stream returns, reading these bytes."""
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    shape = model.operation_model("ConverseStream").output_shape.members["stream"]

    class Raw:
        def stream(self) -> Any:
            yield from frames

        def close(self) -> None:
            pass

    return EventStream(Raw(), shape, EventStreamJSONParser(), "ConverseStream")


def test_the_simulator_frames_decode_with_botocore_into_the_same_answer() -> None:
    answer = Answer("Pedals: SPD or flat ones work.", None, None, 7, 9, 0, "stop")
    frames = bedrock_format.stream(answer, "nova", "rid", 0, {})
    t = BedrockStreamTransform("nova", "rid")
    chunks = [c for event in _botocore_events(frames) for c in t.feed(event)]
    assert content(chunks) == answer.text
    assert t.usage == Usage.of(7, 9) and t.done


def test_an_exception_frame_is_raised_by_botocore_and_mapped_to_429() -> None:
    headers = {":exception-type": "throttlingException", ":content-type": "application/json",
               ":message-type": "exception"}
    frames = [bedrock_format.event("messageStart", {"role": "assistant"}),
              bedrock_format.frame(headers, json.dumps({"message": "Too many"}).encode())]
    events = iter(_botocore_events(frames))
    assert next(events) == {"messageStart": {"role": "assistant"}}
    with pytest.raises(EventStreamError) as info:
        next(events)
    provider = ProviderConfig(name="bedrock", kind="bedrock", region="us-east-1")
    model = ModelConfig(name="nova", provider="bedrock", input_per_mtok=1, output_per_mtok=1)
    error = translate(info.value, provider, model, 5.0)
    assert isinstance(error, UpstreamStatusError) and error.upstream_status == 429
    assert "Too many" in error.message
