"""The Gemini generateContent wire format, as the simulator speaks it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from llm_router_local.simulator.text import Answer, BadRequest, Prompt, ToolSpec, chunks, strings_in

NAME = "gemini"
DOWN_STATUS = 503

# error kind -> (HTTP status, google.rpc status name)
_ERRORS = {
    "invalid": (400, "INVALID_ARGUMENT"),
    "auth": (401, "UNAUTHENTICATED"),
    "server": (500, "INTERNAL"),
    "rate": (429, "RESOURCE_EXHAUSTED"),
    "down": (503, "UNAVAILABLE"),
}
_FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}


def authorized(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return bool(headers.get("x-goog-api-key", "").strip() or query.get("key", "").strip())


def error(kind: str, message: str) -> dict[str, Any]:
    code, status = _ERRORS[kind]
    return {"error": {"code": code, "message": message, "status": status}}


def model_of(body: dict[str, Any], path_model: str | None) -> str:
    return path_model or "unknown"


def parse(body: dict[str, Any], model: str) -> Prompt:
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise BadRequest("* GenerateContentRequest.contents: contents is not specified")
    if not all(isinstance(c, dict) and isinstance(c.get("parts"), list) for c in contents):
        raise BadRequest("* GenerateContentRequest.contents: each content needs parts")
    declarations = [
        d
        for t in body.get("tools") or []
        if isinstance(t, dict)
        for d in t.get("functionDeclarations") or []
        if isinstance(d, dict) and d.get("name")
    ]
    mode = ((body.get("toolConfig") or {}).get("functionCallingConfig") or {}).get("mode")
    config = body.get("generationConfig") or {}
    limit = config.get("maxOutputTokens")
    texts = strings_in(body.get("systemInstruction")) + strings_in(contents)
    return Prompt(
        model=model,
        texts=tuple(texts + strings_in(declarations)),
        last_user=_last_user(contents),
        tools=tuple(ToolSpec(d["name"], d.get("parameters") or {}) for d in declarations),
        tool_choice_forced=mode == "ANY",
        tools_disabled=mode == "NONE"
        or any("functionResponse" in p for p in contents[-1]["parts"] if isinstance(p, dict)),
        max_tokens=limit if isinstance(limit, int) else None,
        stop=tuple(config.get("stopSequences") or []),
    )


def _last_user(contents: list[dict[str, Any]]) -> str:
    for content in reversed(contents):
        if content.get("role", "user") != "user":
            continue
        texts = [p["text"] for p in content["parts"] if isinstance(p, dict) and "text" in p]
        if texts:
            return " ".join(str(t) for t in texts)
    return ""


def _usage(answer: Answer) -> dict[str, Any]:
    usage = {
        "promptTokenCount": answer.prompt_tokens,
        "candidatesTokenCount": answer.completion_tokens - answer.reasoning_tokens,
        "totalTokenCount": answer.prompt_tokens + answer.completion_tokens,
    }
    if answer.reasoning_tokens:
        usage["thoughtsTokenCount"] = answer.reasoning_tokens
    return usage


def _chunk(parts: list[dict[str, Any]], model: str, rid: str, finish: str | None,
           usage: dict[str, Any] | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {"candidates": [candidate], "modelVersion": model, "responseId": rid}
    if usage:
        body["usageMetadata"] = usage
    return body


def completion(answer: Answer, model: str, rid: str, created: int) -> dict[str, Any]:
    parts: list[dict[str, Any]]
    if answer.tool_name:
        parts = [{"functionCall": {"name": answer.tool_name, "args": answer.tool_arguments}}]
    else:
        parts = [{"text": answer.text}]
    return _chunk(parts, model, rid, _FINISH[answer.finish], _usage(answer))


def stream(answer: Answer, model: str, rid: str, created: int, body: dict[str, Any]) -> list[str]:
    """``streamGenerateContent?alt=sse``: each event is a whole GenerateContentResponse;
    the last one carries finishReason and the usage."""
    if answer.tool_name:
        pieces = [completion(answer, model, rid, created)]
    else:
        texts = chunks(answer.text)
        pieces = [_chunk([{"text": t}], model, rid, None, None) for t in texts[:-1]]
        pieces.append(_chunk([{"text": texts[-1]}], model, rid, _FINISH[answer.finish],
                             _usage(answer)))
    return [f"data: {json.dumps(p)}\r\n\r\n" for p in pieces]
