"""Bedrock ConverseStream events -> OpenAI chunks.

boto3 decodes the binary event stream into one dict per event, keyed by its type:
messageStart -> the role chunk; contentBlockStart with a toolUse -> a tool call (id,
name); contentBlockDelta text -> content, toolUse.input pieces -> arguments; messageStop
(stopReason) -> the finish chunk; metadata (usage, after messageStop) ends the stream.
Reasoning deltas and citations have no OpenAI equivalent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.bedrock.adapter import STOP_REASONS, parse_usage
from llm_router.providers.wire import obj, opt_str
from llm_router.schema import FinishReason, Usage
from llm_router.streaming.chunks import Chunk, ChunkFactory


@dataclass
class BedrockStreamTransform:
    model: str
    stream_id: str
    clock: Callable[[], float] = time.time
    usage: Usage | None = None
    done: bool = False
    complete: bool = False
    _factory: ChunkFactory | None = None
    _tools: dict[int, int] = field(default_factory=dict)  # block index -> tool call index

    def feed(self, event: Any) -> list[Chunk]:
        event = obj(event, "a stream event")
        if "messageStart" in event:
            self._factory = ChunkFactory(self.stream_id, int(self.clock()), self.model)
            return [self._factory.role()]
        if "contentBlockStart" in event:
            return self._block_start(obj(event["contentBlockStart"], "contentBlockStart"))
        if "contentBlockDelta" in event:
            return self._delta(obj(event["contentBlockDelta"], "contentBlockDelta"))
        if "messageStop" in event:
            stop = obj(event["messageStop"], "messageStop")
            reason = opt_str(stop.get("stopReason"), "messageStop.stopReason")
            self.complete = True
            finish: FinishReason = STOP_REASONS.get(reason or "", "stop")
            if self._tools and finish == "stop":
                finish = "tool_calls"
            return [self._chunks().finish(finish)]
        if "metadata" in event:
            metadata = obj(event["metadata"], "metadata")
            self.usage = parse_usage(metadata.get("usage"))
            self.done = True
        return []  # contentBlockStop, and event types added later

    def _chunks(self) -> ChunkFactory:
        if self._factory is None:
            raise UpstreamProtocolError("the stream did not begin with messageStart")
        return self._factory

    def _block_start(self, data: dict[str, Any]) -> list[Chunk]:
        start = obj(data.get("start") or {}, "contentBlockStart.start")
        if "toolUse" not in start:
            return []
        tool = obj(start["toolUse"], "contentBlockStart.start.toolUse")
        call_id = opt_str(tool.get("toolUseId"), "toolUse.toolUseId")
        name = opt_str(tool.get("name"), "toolUse.name")
        if not call_id or not name:
            raise UpstreamProtocolError("a toolUse block lacks a toolUseId or a name")
        index = len(self._tools)
        self._tools[_index(data)] = index
        return [self._chunks().tool_call(index, call_id, name)]

    def _delta(self, data: dict[str, Any]) -> list[Chunk]:
        delta = obj(data.get("delta"), "contentBlockDelta.delta")
        if "text" in delta:
            text = opt_str(delta["text"], "delta.text") or ""
            return [self._chunks().content(text)] if text else []
        if "toolUse" in delta:
            piece = opt_str(obj(delta["toolUse"], "delta.toolUse").get("input"),
                            "delta.toolUse.input") or ""
            tool = self._tools.get(_index(data))
            if tool is None:
                raise UpstreamProtocolError("a toolUse delta for a block that is not toolUse")
            return [self._chunks().tool_arguments(tool, piece)] if piece else []
        return []  # reasoningContent, citation


def _index(data: dict[str, Any]) -> int:
    index = data.get("contentBlockIndex", 0)
    if isinstance(index, bool) or not isinstance(index, int):
        raise UpstreamProtocolError(f"a content block index is not a number: {index!r}")
    return index
