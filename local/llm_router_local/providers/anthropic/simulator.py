"""The Anthropic Messages wire format, as the simulator speaks it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llm_router_local.simulator.text import Answer, BadRequest, Prompt, ToolSpec, chunks, strings_in

NAME = "anthropic"
DOWN_STATUS = 529  # Anthropic's "overloaded"

_ERRORS = {
    "invalid": "invalid_request_error",
    "auth": "authentication_error",
    "server": "api_error",
    "rate": "rate_limit_error",
    "down": "overloaded_error",
}
_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def authorized(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return bool(headers.get("x-api-key", "").strip())


def error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": _ERRORS[kind], "message": message}}


def model_of(body: dict[str, Any], path_model: str | None) -> str:
    model = body.get("model")
    return model if isinstance(model, str) and model else "unknown"


def parse(body: dict[str, Any], model: str) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages: field required (a non-empty array)")
    if not all(isinstance(m, dict) and m.get("role") in ("user", "assistant") for m in messages):
        raise BadRequest("messages: roles must be 'user' or 'assistant'")
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        raise BadRequest("max_tokens: field required")
    tools = tuple(
        ToolSpec(t["name"], t.get("input_schema") or {})
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("name")
    )
    choice = body.get("tool_choice") or {}
    stop = body.get("stop_sequences") or []
    texts = strings_in(body.get("system")) + strings_in(messages)
    return Prompt(
        model=model,
        texts=tuple(texts + strings_in(body.get("tools") or [])),
        last_user=_last_user(messages),
        tools=tools,
        tool_choice_forced=choice.get("type") in ("any", "tool"),
        tools_disabled=choice.get("type") == "none" or _ends_with_tool_result(messages),
        max_tokens=body["max_tokens"],
        stop=tuple(stop),
    )


def _last_user(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        content = message.get("content")
        if message["role"] != "user":
            continue
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content or [] if isinstance(b, dict)
                 and b.get("type") == "text"]
        if texts:
            return " ".join(texts)
    return ""


def _ends_with_tool_result(messages: list[dict[str, Any]]) -> bool:
    content = messages[-1].get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    )


def _content(answer: Answer, rid: str) -> list[dict[str, Any]]:
    if answer.tool_name:
        return [{"type": "tool_use", "id": f"toolu_{rid}", "name": answer.tool_name,
                 "input": answer.tool_arguments or {}}]
    return [{"type": "text", "text": answer.text}]


def _stop_reason(answer: Answer) -> str:
    return "stop_sequence" if answer.stop_sequence else _STOP[answer.finish]


def completion(answer: Answer, model: str, rid: str, created: int) -> dict[str, Any]:
    return {
        "id": f"msg_{rid}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _content(answer, rid),
        "stop_reason": _stop_reason(answer),
        "stop_sequence": answer.stop_sequence,
        "usage": {
            "input_tokens": answer.prompt_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": answer.completion_tokens,
        },
    }


def stream(answer: Answer, model: str, rid: str, created: int, body: dict[str, Any]) -> list[str]:
    """message_start, one content block (text or tool_use) with deltas, message_delta,
    message_stop: the documented event sequence."""

    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"

    message = completion(answer, model, rid, created)
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {**message["usage"], "output_tokens": 1}}
    frames = [event("message_start", {"message": start})]
    block = message["content"][0]
    if block["type"] == "tool_use":
        frames.append(event("content_block_start",
                            {"index": 0, "content_block": {**block, "input": {}}}))
        deltas = [{"type": "input_json_delta", "partial_json": piece}
                  for piece in chunks(json.dumps(block["input"]))]
    else:
        frames.append(event("content_block_start",
                            {"index": 0, "content_block": {"type": "text", "text": ""}}))
        deltas = [{"type": "text_delta", "text": piece} for piece in chunks(answer.text)]
    frames += [event("content_block_delta", {"index": 0, "delta": d}) for d in deltas]
    frames.append(event("content_block_stop", {"index": 0}))
    frames.append(event("message_delta", {
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": answer.stop_sequence},
        "usage": {"output_tokens": answer.completion_tokens},
    }))
    frames.append(event("message_stop", {}))
    return frames
