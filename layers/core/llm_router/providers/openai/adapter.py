"""OpenAI-compatible chat completions: OpenAI, Groq, Together, OpenRouter, Mistral,
NVIDIA NIM, Cloudflare, Ollama, vLLM and any test server are catalog entries of this kind.

The request is the caller's own body, minus llm-router's extension fields, with the
catalog's upstream model name; unknown fields pass through untouched so provider-specific
parameters keep working. ``build_request`` builds the buffered call (``stream`` and
``stream_options`` are dropped); ``build_stream_request`` always asks for the usage chunk,
which the relay strips again unless the client asked for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import UpstreamProtocolError
from llm_router.providers.base import UpstreamRequest
from llm_router.providers.wire import arr, count, generic_error_message, obj, opt_str
from llm_router.schema import (
    EXTENSION_FIELDS,
    FINISH_REASONS,
    ChatCompletion,
    ChatRequest,
    FinishReason,
    FunctionCall,
    ToolCall,
    Usage,
)

_NOT_SENT = EXTENSION_FIELDS | {"stream", "stream_options"}
# Chat Completions parameters OpenAI documents. A field a client sends beyond these (and
# the router's own extension fields) is not forwarded: an upstream may reject it, log
# it, or act on it in ways the router does not account for.
OPENAI_PARAMS = frozenset({
    "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
    "max_completion_tokens", "max_tokens", "messages", "metadata", "modalities", "model",
    "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier",
    "stop", "store", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
    "verbosity", "web_search_options",
})


@dataclass  # not frozen: the ProviderAdapter protocol declares `kind` writable
class OpenAIAdapter:
    kind: str = "openai"
    clock: Callable[[], float] = time.time

    def build_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        # model_dump keeps the extra (unmodelled) fields: only OpenAI's own go on.
        unknown = {k for k in request.passthrough() if k not in OPENAI_PARAMS}
        body = request.model_dump(mode="json", exclude_none=True, exclude=set(_NOT_SENT) | unknown)
        body["model"] = model.upstream_model
        headers = dict(provider.headers)
        redacted = dict(provider.headers)
        if provider.api_key:
            headers["Authorization"] = f"Bearer {provider.api_key}"
            redacted["Authorization"] = "Bearer ***"
        return UpstreamRequest(
            method="POST",
            url=f"{provider.base_url}/chat/completions",
            headers=headers,
            json=body,
            redacted=redacted,
        )

    def build_stream_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        buffered = self.build_request(request, model, provider)
        body = {**buffered.json, "stream": True, "stream_options": {"include_usage": True}}
        return replace(buffered, json=body)

    def parse_response(self, body: Any, model: ModelConfig, request_id: str) -> ChatCompletion:
        body = obj(body, "the response body")
        choices = arr(body.get("choices"), "choices")
        if not choices:
            raise UpstreamProtocolError("the response has no choices")
        # Checked field by field above and below, then built in one validation: pydantic
        # makes the six nested models in one call, for less CPU than six constructors
        # (docs/performance.md, "The router's own work, piece by piece").
        return ChatCompletion.model_validate({
            "id": opt_str(body.get("id"), "id") or f"chatcmpl-{request_id}",
            "created": _created(body.get("created"), self.clock),
            "model": model.name,
            "choices": [_choice(obj(c, f"choices[{i}]"), i) for i, c in enumerate(choices)],
            "usage": _usage_fields(body.get("usage")),
            "system_fingerprint": opt_str(body.get("system_fingerprint"),
                                          "system_fingerprint"),
        })

    def error_message(self, status: int, body: Any) -> str:
        return generic_error_message(status, body)


def _created(value: Any, clock: Callable[[], float]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(clock())


def _choice(choice: dict[str, Any], index: int) -> dict[str, Any]:
    """A ``Choice``'s fields, checked."""
    where = f"choices[{index}]"
    message = obj(choice.get("message"), f"{where}.message")
    content = message.get("content")
    if isinstance(content, list):
        # A few compatible servers answer with content parts; keep their text.
        content = "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    tool_calls = _tool_calls(message.get("tool_calls"), where)
    return {
        "index": index,
        "message": {
            "content": opt_str(content, f"{where}.message.content"),
            "tool_calls": tool_calls,
            "refusal": opt_str(message.get("refusal"), f"{where}.message.refusal"),
        },
        "finish_reason": _finish_reason(choice.get("finish_reason"), tool_calls),
        "logprobs": choice.get("logprobs") if isinstance(choice.get("logprobs"), dict) else None,
    }


def _tool_calls(value: Any, where: str) -> list[ToolCall] | None:
    if not value:
        return None
    calls = []
    for i, raw in enumerate(arr(value, f"{where}.message.tool_calls")):
        call = obj(raw, f"{where}.message.tool_calls[{i}]")
        function = obj(call.get("function"), f"{where}.message.tool_calls[{i}].function")
        name = opt_str(function.get("name"), f"{where}...function.name")
        call_id = opt_str(call.get("id"), f"{where}...id")
        if not name or not call_id:
            raise UpstreamProtocolError(f"a tool call at {where} lacks an id or a name")
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            raise UpstreamProtocolError(f"tool call arguments at {where} are not a string")
        calls.append(ToolCall(id=call_id, function=FunctionCall(name=name, arguments=arguments)))
    return calls


def _finish_reason(value: Any, tool_calls: list[ToolCall] | None) -> FinishReason | None:
    if value in FINISH_REASONS:
        return value  # type: ignore[no-any-return]
    if value is None:
        return None
    # Some compatible servers invent reasons ("eos", "end_turn"); the caller only needs
    # to know whether to expect tool calls.
    return "tool_calls" if tool_calls else "stop"


def _usage(value: Any) -> Usage | None:
    fields = _usage_fields(value)
    return None if fields is None else Usage.model_validate(fields)


def _usage_fields(value: Any) -> dict[str, Any] | None:
    """The fields ``Usage.of`` would set, checked."""
    if value is None:
        return None
    usage = obj(value, "usage")
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    obj(prompt_details, "usage.prompt_tokens_details")
    obj(completion_details, "usage.completion_tokens_details")
    prompt = count(usage.get("prompt_tokens"), "usage.prompt_tokens")
    completion = count(usage.get("completion_tokens"), "usage.completion_tokens")
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {
            "cached_tokens": count(prompt_details.get("cached_tokens"), "usage...cached_tokens")},
        "completion_tokens_details": {"reasoning_tokens": count(
            completion_details.get("reasoning_tokens"), "usage...reasoning_tokens")},
    }


# The stream transform (stream.py, beside this) reads usage exactly as the buffered path does.
parse_usage = _usage
