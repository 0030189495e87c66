"""Building OpenAI ``chat.completion.chunk`` objects, the one shape every stream leaves in.

Pure. Provider transforms call a ``ChunkFactory`` so ids, ``created`` and the model name
are the same on every chunk of a stream, as OpenAI's are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llm_router.schema import FinishReason, Usage

Chunk = dict[str, Any]


@dataclass(frozen=True)
class ChunkFactory:
    id: str
    created: int
    model: str  # the catalog name, as in buffered answers

    def chunk(self, delta: dict[str, Any], finish: FinishReason | None = None) -> Chunk:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    def role(self) -> Chunk:
        return self.chunk({"role": "assistant", "content": ""})

    def content(self, text: str) -> Chunk:
        return self.chunk({"content": text})

    def tool_call(self, index: int, call_id: str, name: str, arguments: str = "") -> Chunk:
        return self.chunk({"tool_calls": [{
            "index": index, "id": call_id, "type": "function",
            "function": {"name": name, "arguments": arguments},
        }]})

    def tool_arguments(self, index: int, arguments: str) -> Chunk:
        return self.chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments}}]})

    def finish(self, reason: FinishReason) -> Chunk:
        return self.chunk({}, reason)


def usage_chunk(like: Chunk, usage: Usage) -> Chunk:
    """The final chunk OpenAI sends for ``stream_options.include_usage``: no choices."""
    chunk: Chunk = {k: like[k] for k in ("id", "object", "created", "model",
                                          "system_fingerprint") if k in like}
    return {**chunk, "choices": [], "usage": usage.model_dump(mode="json")}
