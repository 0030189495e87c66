"""Anthropic Messages stream -> OpenAI chunks.

message_start (id, input and cache usage) -> the role chunk; text_delta -> content;
a tool_use block -> a tool call (id, name), its input_json_delta pieces -> arguments;
message_delta (stop_reason, cumulative output usage) -> the finish chunk; message_stop
ends the stream. Thinking blocks, signatures and pings have no OpenAI equivalent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.anthropic.adapter import STOP_REASONS, parse_usage
from llm_router.providers.wire import obj, opt_str
from llm_router.schema import FinishReason, Usage
from llm_router.streaming.chunks import Chunk, ChunkFactory
from llm_router.streaming.events import event_json
from llm_router.streaming.sse import SseEvent


@dataclass
class AnthropicStreamTransform:
    model: str
    request_id: str
    clock: Callable[[], float] = time.time
    done: bool = False
    complete: bool = False
    _factory: ChunkFactory | None = None
    _usage: dict[str, Any] = field(default_factory=dict)
    _tools: dict[int, int] = field(default_factory=dict)  # block index -> tool call index

    @property
    def usage(self) -> Usage | None:
        return parse_usage(self._usage) if self._usage else None

    def feed(self, event: SseEvent) -> list[Chunk]:
        data = event_json(event)
        kind = data.get("type") or event.event
        if kind == "message_start":
            message = obj(data.get("message"), "message_start.message")
            self._usage.update(obj(message.get("usage") or {}, "message_start.usage"))
            message_id = opt_str(message.get("id"), "message.id") or f"msg-{self.request_id}"
            self._factory = ChunkFactory(message_id, int(self.clock()), self.model)
            return [self._factory.role()]
        if kind == "content_block_start":
            return self._block_start(data)
        if kind == "content_block_delta":
            return self._delta(data)
        if kind == "message_delta":
            return self._message_delta(data)
        if kind == "message_stop":
            self.done = self.complete = True
        return []  # ping, content_block_stop, and event types added later

    def _chunks(self) -> ChunkFactory:
        if self._factory is None:
            raise UpstreamProtocolError("the stream did not begin with message_start")
        return self._factory

    def _block_start(self, data: dict[str, Any]) -> list[Chunk]:
        block = obj(data.get("content_block"), "content_block_start.content_block")
        if block.get("type") != "tool_use":
            return []
        call_id = opt_str(block.get("id"), "content_block.id")
        name = opt_str(block.get("name"), "content_block.name")
        if not call_id or not name:
            raise UpstreamProtocolError("a tool_use block lacks an id or a name")
        index = len(self._tools)
        self._tools[_index(data)] = index
        return [self._chunks().tool_call(index, call_id, name)]

    def _delta(self, data: dict[str, Any]) -> list[Chunk]:
        delta = obj(data.get("delta"), "content_block_delta.delta")
        if delta.get("type") == "text_delta":
            text = opt_str(delta.get("text"), "text_delta.text") or ""
            return [self._chunks().content(text)] if text else []
        if delta.get("type") == "input_json_delta":
            piece = opt_str(delta.get("partial_json"), "input_json_delta.partial_json") or ""
            tool = self._tools.get(_index(data))
            if tool is None:
                raise UpstreamProtocolError("input_json_delta for a block that is not tool_use")
            return [self._chunks().tool_arguments(tool, piece)] if piece else []
        return []  # thinking_delta, signature_delta, citations_delta

    def _message_delta(self, data: dict[str, Any]) -> list[Chunk]:
        # Its usage is cumulative (output_tokens; newer API versions repeat input counts).
        self._usage.update(obj(data.get("usage") or {}, "message_delta.usage"))
        delta = obj(data.get("delta") or {}, "message_delta.delta")
        reason = opt_str(delta.get("stop_reason"), "message_delta.stop_reason")
        if reason is None:
            return []
        self.complete = True
        finish: FinishReason = STOP_REASONS.get(reason, "stop")
        if self._tools and finish == "stop":
            finish = "tool_calls"
        return [self._chunks().finish(finish)]


def _index(data: dict[str, Any]) -> int:
    index = data.get("index", 0)
    if isinstance(index, bool) or not isinstance(index, int):
        raise UpstreamProtocolError(f"a content block index is not a number: {index!r}")
    return index
