"""Gemini ``streamGenerateContent?alt=sse`` -> OpenAI chunks.

Every event is a whole GenerateContentResponse holding the next piece: text parts ->
content, functionCall parts -> a complete tool call (Gemini streams calls whole; ids are
generated as the buffered adapter does), finishReason -> the finish chunk. usageMetadata
is cumulative and the last one counts; thought parts are not part of the answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.gemini.adapter import FINISH_REASONS, parse_usage
from llm_router.providers.wire import arr, obj, opt_str
from llm_router.schema import Usage
from llm_router.streaming.chunks import Chunk, ChunkFactory
from llm_router.streaming.events import event_json
from llm_router.streaming.sse import SseEvent


@dataclass
class GeminiStreamTransform:
    model: str
    request_id: str
    clock: Callable[[], float] = time.time
    usage: Usage | None = None
    done: bool = False  # Gemini has no terminal event: the body simply ends
    complete: bool = False
    _factory: ChunkFactory | None = None
    _calls: int = 0

    def feed(self, event: SseEvent) -> list[Chunk]:
        body = event_json(event)
        out: list[Chunk] = []
        if self._factory is None:
            response_id = opt_str(body.get("responseId"), "responseId")
            self._factory = ChunkFactory(response_id or f"gemini-{self.request_id}",
                                         int(self.clock()), self.model)
            out.append(self._factory.role())
        if body.get("usageMetadata") is not None:
            self.usage = parse_usage(body["usageMetadata"])
        candidates = arr(body.get("candidates") or [], "candidates")
        if candidates:
            out += self._candidate(obj(candidates[0], "candidates[0]"), self._factory)
        elif isinstance(body.get("promptFeedback"), dict) and body["promptFeedback"].get(
            "blockReason"
        ):
            self.complete = True  # the prompt itself was blocked
            out.append(self._factory.finish("content_filter"))
        return out

    def _candidate(self, candidate: dict[str, Any], chunks: ChunkFactory) -> list[Chunk]:
        out: list[Chunk] = []
        content = obj(candidate.get("content") or {}, "candidates[0].content")
        for i, raw in enumerate(arr(content.get("parts") or [], "candidates[0].content.parts")):
            part = obj(raw, f"parts[{i}]")
            if part.get("thought") is True:
                continue
            if "text" in part:
                text = opt_str(part["text"], f"parts[{i}].text") or ""
                if text:
                    out.append(chunks.content(text))
            elif "functionCall" in part:
                out.append(self._tool_call(obj(part["functionCall"], "functionCall"), chunks))
        reason = opt_str(candidate.get("finishReason"), "candidates[0].finishReason")
        if reason:
            self.complete = True
            finish = "tool_calls" if self._calls else FINISH_REASONS.get(reason, "stop")
            out.append(chunks.finish(finish))
        return out

    def _tool_call(self, call: dict[str, Any], chunks: ChunkFactory) -> Chunk:
        name = opt_str(call.get("name"), "functionCall.name")
        if not name:
            raise UpstreamProtocolError("a functionCall part has no name")
        args = obj(call.get("args", {}), "functionCall.args")
        call_id = opt_str(call.get("id"), "functionCall.id") or (
            f"call_{self.request_id}_{self._calls}"
        )
        self._calls += 1
        return chunks.tool_call(self._calls - 1, call_id, name, json.dumps(args))
