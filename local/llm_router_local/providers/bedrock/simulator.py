"""The Bedrock Converse wire format, as the simulator speaks it.

``POST /{provider}/model/{modelId}/converse`` answers JSON; ``.../converse-stream``
answers ``application/vnd.amazon.eventstream``: binary frames (prelude with lengths and a
CRC32, typed headers, a JSON payload, a CRC32 of the whole message), which boto3 decodes.
Errors carry their code in ``__type``, which is where botocore reads it.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from llm_router_local.simulator.text import Answer, BadRequest, Prompt, ToolSpec, chunks, strings_in

NAME = "bedrock"
DOWN_STATUS = 503
STREAM_MEDIA_TYPE = "application/vnd.amazon.eventstream"

_ERRORS = {
    "invalid": "ValidationException",
    "auth": "UnrecognizedClientException",
    "server": "InternalServerException",
    "rate": "ThrottlingException",
    "down": "ServiceUnavailableException",
}
_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
# Keys whose values a model does not read as text (ids, media).
_NOT_TEXT = frozenset({"toolUseId", "bytes", "format", "status"})


def authorized(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """A SigV4 signature for the bedrock service (its value is not checked)."""
    auth = headers.get("authorization", "")
    return auth.startswith("AWS4-HMAC-SHA256 ") and "/bedrock/aws4_request" in auth


def error(kind: str, message: str) -> dict[str, Any]:
    return {"__type": _ERRORS[kind], "message": message}


def model_of(body: dict[str, Any], path_model: str | None) -> str:
    return path_model or "unknown"


def parse(body: dict[str, Any], model: str) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages: Member must have length greater than or equal to 1")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            raise BadRequest("messages: roles must be 'user' or 'assistant'")
        if not isinstance(m.get("content"), list) or not m["content"]:
            raise BadRequest("messages: each message needs content blocks")
    if messages[0]["role"] != "user":
        raise BadRequest("A conversation must start with a user message.")
    if any(a["role"] == b["role"] for a, b in zip(messages, messages[1:], strict=False)):
        raise BadRequest("A conversation must alternate between user and assistant roles.")
    config = body.get("toolConfig") or {}
    specs = [t["toolSpec"] for t in config.get("tools") or []
             if isinstance(t, dict) and isinstance(t.get("toolSpec"), dict)]
    choice = config.get("toolChoice") or {}
    inference = body.get("inferenceConfig") or {}
    texts = _texts(body.get("system")) + _texts(messages)
    return Prompt(
        model=model,
        texts=tuple(texts + _texts(specs)),
        last_user=_last_user(messages),
        tools=tuple(ToolSpec(s["name"], (s.get("inputSchema") or {}).get("json") or {})
                    for s in specs if s.get("name")),
        tool_choice_forced="any" in choice or "tool" in choice,
        tools_disabled=_ends_with_tool_result(messages),
        max_tokens=inference.get("maxTokens"),
        stop=tuple(inference.get("stopSequences") or ()),
    )


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _texts(item)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in _NOT_TEXT for s in _texts(v)]
    return strings_in(value)


def _last_user(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        texts = [b["text"] for b in message["content"] if isinstance(b, dict)
                 and isinstance(b.get("text"), str)]
        if message["role"] == "user" and texts:
            return " ".join(texts)
    return ""


def _ends_with_tool_result(messages: list[dict[str, Any]]) -> bool:
    return any(isinstance(b, dict) and "toolResult" in b for b in messages[-1]["content"])


def _content(answer: Answer, rid: str) -> dict[str, Any]:
    if answer.tool_name:
        return {"toolUse": {"toolUseId": f"tooluse_{rid}", "name": answer.tool_name,
                            "input": answer.tool_arguments or {}}}
    return {"text": answer.text}


def _usage(answer: Answer) -> dict[str, int]:
    return {"inputTokens": answer.prompt_tokens, "outputTokens": answer.completion_tokens,
            "totalTokens": answer.prompt_tokens + answer.completion_tokens}


def _stop_reason(answer: Answer) -> str:
    return "stop_sequence" if answer.stop_sequence else _STOP[answer.finish]


def completion(answer: Answer, model: str, rid: str, created: int) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [_content(answer, rid)]}},
        "stopReason": _stop_reason(answer),
        "usage": _usage(answer),
        "metrics": {"latencyMs": 1},
    }


def stream(answer: Answer, model: str, rid: str, created: int,
           body: dict[str, Any]) -> list[bytes]:
    """messageStart, one content block with deltas, messageStop, metadata (usage)."""
    block = _content(answer, rid)
    frames = [event("messageStart", {"role": "assistant"})]
    if "toolUse" in block:
        tool = block["toolUse"]
        frames.append(event("contentBlockStart", {
            "contentBlockIndex": 0,
            "start": {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}},
        }))
        deltas: list[dict[str, Any]] = [{"toolUse": {"input": piece}}
                                         for piece in chunks(json.dumps(tool["input"]))]
    else:
        deltas = [{"text": piece} for piece in chunks(answer.text)]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": d}) for d in deltas]
    frames.append(event("contentBlockStop", {"contentBlockIndex": 0}))
    frames.append(event("messageStop", {"stopReason": _stop_reason(answer)}))
    frames.append(event("metadata", {"usage": _usage(answer), "metrics": {"latencyMs": 1}}))
    return frames


def event(event_type: str, payload: dict[str, Any]) -> bytes:
    return frame({":event-type": event_type, ":content-type": "application/json",
                  ":message-type": "event"}, json.dumps(payload).encode())


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One ``application/vnd.amazon.eventstream`` message (string headers only)."""
    encoded = b"".join(
        struct.pack("!B", len(name)) + name.encode() + b"\x07"
        + struct.pack("!H", len(value.encode())) + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack("!II", 16 + len(encoded) + len(payload), len(encoded))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack("!I", zlib.crc32(message))
