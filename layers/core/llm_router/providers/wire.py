"""Small, pure helpers the adapters share to read provider JSON defensively.

Provider bodies are untrusted: a missing key or a wrong type must surface as
``UpstreamProtocolError`` (the provider broke its contract), never as a ``KeyError`` or
``TypeError`` from deep inside a parser.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from llm_router.errors import InvalidRequestError, UpstreamProtocolError
from llm_router.schema import AssistantMessage, Message, SystemMessage

# How much of an unexpected body an error message may quote.
_QUOTE_CHARS = 200


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UpstreamProtocolError(f"expected an object at {where}, got {_kind(value)}")
    return value


def arr(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise UpstreamProtocolError(f"expected an array at {where}, got {_kind(value)}")
    return value


def opt_str(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise UpstreamProtocolError(f"expected a string at {where}, got {_kind(value)}")


def count(value: Any, where: str) -> int:
    """A token count: absent or null reads as 0; anything else must be a whole number."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UpstreamProtocolError(f"expected a token count at {where}, got {value!r}")
    return value


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def quote(body: Any) -> str:
    """A short, single-line rendering of a body for an error message."""
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS] + "..."


def tool_arguments(arguments: str, where: str) -> dict[str, Any]:
    """OpenAI carries tool-call arguments as JSON text; Anthropic and Gemini want an object."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError as exc:
        raise InvalidRequestError(
            f"tool call arguments at {where} are not valid JSON", param="messages"
        ) from exc
    if not isinstance(value, dict):
        raise InvalidRequestError(
            f"tool call arguments at {where} must be a JSON object", param="messages"
        )
    return value


def data_url(url: str) -> tuple[str, str] | None:
    """``(media_type, base64_data)`` of a ``data:`` URL, or None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, data = url[5:].partition(",")
    media_type, _, encoding = header.partition(";")
    if not sep or encoding != "base64":
        raise InvalidRequestError("data URLs must be base64-encoded", param="messages")
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequestError("a data URL holds invalid base64", param="messages") from exc
    return media_type or "application/octet-stream", data


def generic_error_message(status: int, body: Any) -> str:
    """The error text of the common shapes: ``{"error": {"message"}}``, ``{"error": "..."}``,
    ``{"message"}``, ``{"detail"}``; else the body quoted."""
    if isinstance(body, list) and body:
        body = body[0]  # some gateways wrap the error object in a list
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str) and error:
            return error
        for key in ("message", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    if body in (None, "", {}):
        return f"HTTP {status} with an empty body"
    return quote(body)


def alternating_turns(
    messages: list[Message], blocks_of: Callable[[Message, int], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """OpenAI messages as ``{"role", "content": [blocks]}`` turns that alternate between
    user and assistant, as Anthropic and Bedrock require: consecutive same-role turns
    (a tool result then a question) merge; system messages and empty turns are left out.
    ``blocks_of(message, index)`` gives one message's content blocks."""
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, SystemMessage):
            continue
        role = "assistant" if isinstance(message, AssistantMessage) else "user"
        blocks = blocks_of(message, index)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns
