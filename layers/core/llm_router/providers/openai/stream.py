"""OpenAI-compatible streams: already chunks; relayed as they are, with three changes.

``model`` becomes the catalog name (as in buffered answers), a missing id is filled in,
and the upstream's usage chunk (always requested) is kept aside: the relay sends its own
usage chunk only to clients that asked for one. Non-standard finish reasons become the
standard ones, as the buffered adapter does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llm_router.providers.openai.adapter import parse_usage
from llm_router.schema import FINISH_REASONS, Usage
from llm_router.streaming.chunks import Chunk
from llm_router.streaming.events import event_json
from llm_router.streaming.sse import SseEvent


@dataclass
class OpenAIStreamTransform:
    model: str
    request_id: str
    clock: Callable[[], float] = time.time
    usage: Usage | None = None
    done: bool = False
    complete: bool = False
    _tool_calls: bool = False

    def feed(self, event: SseEvent) -> list[Chunk]:
        if event.data.strip() == "[DONE]":
            self.done = True
            return []
        chunk = event_json(event)
        if chunk.get("usage") is not None:
            self.usage = parse_usage(chunk["usage"])
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices:
            return []  # the usage chunk
        out: dict[str, Any] = {k: v for k, v in chunk.items() if k != "usage"}
        out["model"] = self.model
        out.setdefault("object", "chat.completion.chunk")
        if not isinstance(out.get("id"), str):
            out["id"] = f"chatcmpl-{self.request_id}"
        if not isinstance(out.get("created"), int):
            out["created"] = int(self.clock())
        out["choices"] = [self._choice(c) for c in choices]
        return [out]

    def _choice(self, choice: Any) -> Any:
        if not isinstance(choice, dict):
            return choice
        delta = choice.get("delta")
        if isinstance(delta, dict) and delta.get("tool_calls"):
            self._tool_calls = True
        reason = choice.get("finish_reason")
        if reason is None:
            return choice
        self.complete = True
        if reason not in FINISH_REASONS:
            # Some compatible servers invent reasons ("eos"); say what the client needs.
            return {**choice, "finish_reason": "tool_calls" if self._tool_calls else "stop"}
        return choice
