"""Anthropic Messages API (``POST /v1/messages``) <-> OpenAI chat completions.

Anthropic differs from OpenAI in ways that matter for correctness: the system prompt is
a top-level field, roles must alternate (so consecutive same-role turns are merged),
tool results are ``tool_result`` blocks inside a user turn, ``max_tokens`` is required,
and usage reports cached prompt tokens *beside* ``input_tokens`` instead of inside it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import InvalidRequestError, UpstreamProtocolError
from llm_router.providers.base import UpstreamRequest
from llm_router.providers.wire import (
    alternating_turns,
    arr,
    count,
    data_url,
    generic_error_message,
    obj,
    opt_str,
    tool_arguments,
)
from llm_router.schema import (
    AssistantMessage,
    AudioPart,
    ChatCompletion,
    ChatRequest,
    Choice,
    FilePart,
    FinishReason,
    FunctionCall,
    ImagePart,
    Message,
    ResponseMessage,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    Usage,
    text_of,
)

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

Block = dict[str, Any]


@dataclass  # not frozen: the ProviderAdapter protocol declares `kind` writable
class AnthropicAdapter:
    kind: str = "anthropic"
    clock: Callable[[], float] = time.time

    def build_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        body: dict[str, Any] = {
            "model": model.upstream_model,
            "max_tokens": request.output_limit or model.max_output_tokens or DEFAULT_MAX_TOKENS,
            "messages": messages_of(request.messages),
        }
        system = "\n\n".join(
            text_of(m.content) for m in request.messages if isinstance(m, SystemMessage)
        )
        if system:
            body["system"] = system
        if request.stop_list:
            body["stop_sequences"] = request.stop_list
        if request.temperature is not None:
            # OpenAI accepts 0..2, Anthropic 0..1: clamp rather than have the call rejected.
            body["temperature"] = min(request.temperature, 1.0)
        if request.top_p is not None:
            body["top_p"] = request.top_p
        if request.user:
            body["metadata"] = {"user_id": request.user}
        if request.tools:
            body["tools"] = [
                {
                    "name": t.function.name,
                    **({"description": t.function.description} if t.function.description else {}),
                    "input_schema": t.function.parameters or {"type": "object", "properties": {}},
                }
                for t in request.tools
            ]
            choice = tool_choice_of(request.tool_choice, request.parallel_tool_calls)
            if choice:
                body["tool_choice"] = choice
        headers = {**provider.headers, "anthropic-version": API_VERSION}
        redacted = dict(headers)
        if provider.api_key:
            headers["x-api-key"] = provider.api_key
            redacted["x-api-key"] = "***"
        return UpstreamRequest("POST", f"{provider.base_url}/v1/messages", headers, body, redacted)

    def build_stream_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        # Usage always comes in the stream: message_start (input), message_delta (output).
        buffered = self.build_request(request, model, provider)
        return replace(buffered, json={**buffered.json, "stream": True})

    def parse_response(self, body: Any, model: ModelConfig, request_id: str) -> ChatCompletion:
        body = obj(body, "the response body")
        texts: list[str] = []
        calls: list[ToolCall] = []
        for i, raw in enumerate(arr(body.get("content"), "content")):
            block = obj(raw, f"content[{i}]")
            if block.get("type") == "text":
                texts.append(opt_str(block.get("text"), f"content[{i}].text") or "")
            elif block.get("type") == "tool_use":
                calls.append(_tool_call(block, i))
            # thinking / redacted_thinking / server-tool blocks have no OpenAI equivalent.
        stop_reason = opt_str(body.get("stop_reason"), "stop_reason")
        finish: FinishReason = STOP_REASONS.get(stop_reason or "", "stop")
        if calls and finish == "stop":
            finish = "tool_calls"
        text = "".join(texts)
        return ChatCompletion(
            id=opt_str(body.get("id"), "id") or f"msg-{request_id}",
            created=int(self.clock()),
            model=model.name,
            choices=[
                Choice(
                    message=ResponseMessage(
                        content=text if text or not calls else None, tool_calls=calls or None
                    ),
                    finish_reason=finish,
                )
            ],
            usage=_usage(body.get("usage")),
        )

    def error_message(self, status: int, body: Any) -> str:
        # {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            if isinstance(error.get("type"), str) and isinstance(error.get("message"), str):
                return f"{error['type']}: {error['message']}"
        return generic_error_message(status, body)


def messages_of(messages: list[Message]) -> list[dict[str, Any]]:
    """OpenAI messages as alternating Anthropic turns (system messages are left out)."""
    return alternating_turns(messages, _blocks)


def _blocks(message: Message, index: int) -> list[Block]:
    if isinstance(message, ToolMessage):
        return [
            {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id,
                "content": text_of(message.content),
            }
        ]
    if isinstance(message, AssistantMessage):
        blocks = _text_blocks(text_of(message.content) or message.refusal or "")
        for call in message.tool_calls or []:
            where = f"messages[{index}].tool_calls"
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.function.name,
                    "input": tool_arguments(call.function.arguments, where),
                }
            )
        return blocks
    if isinstance(message.content, str):
        return _text_blocks(message.content)
    blocks = []
    for part in message.content:
        if isinstance(part, TextPart):
            blocks.extend(_text_blocks(part.text))
        elif isinstance(part, ImagePart):
            blocks.append({"type": "image", "source": _source(part.image_url.url)})
        elif isinstance(part, FilePart) and isinstance(part.file.get("file_data"), str):
            blocks.append({"type": "document", "source": _source(part.file["file_data"])})
        elif isinstance(part, AudioPart | FilePart):
            raise InvalidRequestError(
                f"messages[{index}]: Anthropic models accept no audio or file-id input",
                param="messages",
            )
    return blocks


def _text_blocks(text: str) -> list[Block]:
    # Anthropic rejects empty text blocks.
    return [{"type": "text", "text": text}] if text else []


def _source(url: str) -> dict[str, str]:
    inline = data_url(url)
    if inline is None:
        return {"type": "url", "url": url}
    media_type, data = inline
    return {"type": "base64", "media_type": media_type, "data": data}


def tool_choice_of(choice: str | dict[str, Any] | None, parallel: bool | None) -> Block | None:
    mapped: Block | None
    if choice is None:
        mapped = {"type": "auto"} if parallel is False else None
    elif choice == "auto":
        mapped = {"type": "auto"}
    elif choice == "none":
        return {"type": "none"}
    elif choice == "required":
        mapped = {"type": "any"}
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        mapped = {"type": "tool", "name": choice["function"].get("name")}
    else:
        raise InvalidRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")
    if mapped is not None and parallel is False:
        mapped["disable_parallel_tool_use"] = True
    return mapped


def _tool_call(block: Block, i: int) -> ToolCall:
    call_id = opt_str(block.get("id"), f"content[{i}].id")
    name = opt_str(block.get("name"), f"content[{i}].name")
    if not call_id or not name:
        raise UpstreamProtocolError(f"tool_use block content[{i}] lacks an id or a name")
    arguments = json.dumps(obj(block.get("input", {}), f"content[{i}].input"))
    return ToolCall(id=call_id, function=FunctionCall(name=name, arguments=arguments))


def _usage(value: Any) -> Usage | None:
    if value is None:
        return None
    usage = obj(value, "usage")
    read = count(usage.get("cache_read_input_tokens"), "usage.cache_read_input_tokens")
    write = count(usage.get("cache_creation_input_tokens"), "usage.cache_creation_input_tokens")
    uncached = count(usage.get("input_tokens"), "usage.input_tokens")
    # Thinking tokens are billed inside output_tokens and not reported apart.
    return Usage.of(
        uncached + read + write,
        count(usage.get("output_tokens"), "usage.output_tokens"),
        cached=read,
        cache_write=write,
    )


# The stream transform (stream.py, beside this) reads usage exactly as the buffered path does.
parse_usage = _usage
