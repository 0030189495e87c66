"""The OpenAI chat-completions wire format, as the simulator speaks it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llm_router_local.simulator.text import Answer, BadRequest, Prompt, ToolSpec, chunks, strings_in

NAME = "openai"
DOWN_STATUS = 503

# error kind -> (type, code), per OpenAI's documented error object.
_ERRORS = {
    "invalid": ("invalid_request_error", None),
    "auth": ("invalid_request_error", "invalid_api_key"),
    "server": ("server_error", None),
    "rate": ("requests", "rate_limit_exceeded"),
    "down": ("server_error", "service_unavailable"),
}


def authorized(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def error(kind: str, message: str) -> dict[str, Any]:
    error_type, code = _ERRORS[kind]
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def model_of(body: dict[str, Any], path_model: str | None) -> str:
    model = body.get("model")
    return model if isinstance(model, str) and model else "unknown"


def parse(body: dict[str, Any], model: str) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty array")
    if not all(isinstance(m, dict) for m in messages):
        raise BadRequest("each message must be an object")
    tools = tuple(
        ToolSpec(t["function"]["name"], t["function"].get("parameters") or {})
        for t in body.get("tools") or []
        if isinstance(t, dict) and isinstance(t.get("function"), dict) and t["function"].get("name")
    )
    choice = body.get("tool_choice")
    stop = body.get("stop") or []
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    return Prompt(
        model=model,
        texts=tuple(strings_in(messages) + strings_in(body.get("tools") or [])),
        last_user=_last_user(messages),
        tools=tools,
        tool_choice_forced=choice == "required" or isinstance(choice, dict),
        tools_disabled=choice == "none" or messages[-1].get("role") == "tool",
        max_tokens=limit if isinstance(limit, int) else None,
        stop=tuple([stop] if isinstance(stop, str) else stop),
    )


def _last_user(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return " ".join(strings_in(message.get("content")))
    return ""


def _tool_call(answer: Answer, rid: str) -> dict[str, Any]:
    return {
        "id": f"call_{rid}",
        "type": "function",
        "function": {"name": answer.tool_name, "arguments": json.dumps(answer.tool_arguments)},
    }


def _usage(answer: Answer) -> dict[str, Any]:
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": answer.prompt_tokens + answer.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": answer.reasoning_tokens},
    }


def completion(answer: Answer, model: str, rid: str, created: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
    if answer.tool_name:
        message["tool_calls"] = [_tool_call(answer, rid)]
    else:
        message["content"] = answer.text
    return {
        "id": f"chatcmpl-{rid}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": answer.finish,
                     "logprobs": None}],
        "usage": _usage(answer),
        "system_fingerprint": "fp_simulator",
    }


def stream(answer: Answer, model: str, rid: str, created: int, body: dict[str, Any]) -> list[str]:
    """SSE frames: role, content deltas, finish, optional usage chunk, then [DONE]."""
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    base = {"id": f"chatcmpl-{rid}", "object": "chat.completion.chunk", "created": created,
            "model": model, "system_fingerprint": "fp_simulator"}

    def frame(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        extra = {"usage": None} if include_usage else {}
        return f"data: {json.dumps({**base, 'choices': [choice], **extra})}\n\n"

    frames = [frame({"role": "assistant", "content": ""})]
    if answer.tool_name:
        call = _tool_call(answer, rid)
        arguments = call["function"]["arguments"]
        frames.append(frame({"tool_calls": [
            {"index": 0, "id": call["id"], "type": "function",
             "function": {"name": answer.tool_name, "arguments": ""}}]}))
        frames += [frame({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                   for piece in chunks(arguments)]
    else:
        frames += [frame({"content": piece}) for piece in chunks(answer.text)]
    frames.append(frame({}, answer.finish))
    if include_usage:
        frames.append(f"data: {json.dumps({**base, 'choices': [], 'usage': _usage(answer)})}\n\n")
    frames.append("data: [DONE]\n\n")
    return frames
