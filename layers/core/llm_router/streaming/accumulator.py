"""Folding OpenAI chunks back into the whole answer: for the ledger's token estimate,
the cache, and the ``ChatCompletion`` a completed stream is settled with. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llm_router.schema import (
    FINISH_REASONS,
    ChatCompletion,
    Choice,
    FinishReason,
    FunctionCall,
    ResponseMessage,
    ToolCall,
    Usage,
)
from llm_router.streaming.chunks import Chunk


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class Accumulator:
    id: str = ""
    created: int = 0
    model: str = ""
    finish_reason: FinishReason | None = None
    chunks: int = 0
    _text: list[str] = field(default_factory=list)
    _calls: dict[int, _Call] = field(default_factory=dict)

    def add(self, chunk: Chunk) -> None:
        if not self.chunks:
            self.id = str(chunk.get("id", ""))
            created = chunk.get("created")
            self.created = created if isinstance(created, int) else 0
            self.model = str(chunk.get("model", ""))
        self.chunks += 1
        for choice in chunk.get("choices") or []:
            if isinstance(choice, dict) and choice.get("index", 0) == 0:
                self._choice(choice)

    def _choice(self, choice: dict[str, Any]) -> None:
        delta = choice.get("delta") or {}
        if isinstance(delta.get("content"), str):
            self._text.append(delta["content"])
        for raw in delta.get("tool_calls") or []:
            if not isinstance(raw, dict):
                continue
            call = self._calls.setdefault(int(raw.get("index", 0)), _Call())
            call.id = raw.get("id") or call.id
            function = raw.get("function") or {}
            call.name = function.get("name") or call.name
            if isinstance(function.get("arguments"), str):
                call.arguments.append(function["arguments"])
        reason = choice.get("finish_reason")
        if reason in FINISH_REASONS:
            self.finish_reason = reason

    @property
    def text(self) -> str:
        return "".join(self._text)

    def generated_text(self) -> str:
        """Everything the model produced, as text: what an output-token estimate counts."""
        calls = "".join(c.name + "".join(c.arguments) for c in self._calls.values())
        return self.text + calls

    def completion(self, usage: Usage | None) -> ChatCompletion:
        calls = [
            ToolCall(id=c.id, function=FunctionCall(name=c.name, arguments="".join(c.arguments)))
            for _, c in sorted(self._calls.items())
        ]
        text = self.text
        message = ResponseMessage(content=text if text or not calls else None,
                                  tool_calls=calls or None)
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[Choice(message=message, finish_reason=self.finish_reason)],
            usage=usage,
        )
