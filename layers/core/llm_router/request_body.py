"""Turning a raw request body into a ``ChatRequest``, with OpenAI-style 400s."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from llm_router.catalog import LimitsConfig
from llm_router.errors import InvalidRequestError, RequestTooLargeError
from llm_router.schema import ChatRequest


def parse_chat_request(raw: bytes, limits: LimitsConfig, max_body_bytes: int) -> ChatRequest:
    if len(raw) > max_body_bytes:
        raise RequestTooLargeError(
            f"The request body is {len(raw)} bytes; this router accepts at most "
            f"{max_body_bytes} bytes."
        )
    data = decode_json(raw)
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    if len(request.messages) > limits.max_messages:
        raise InvalidRequestError(
            f"messages has {len(request.messages)} entries; the limit is {limits.max_messages}.",
            param="messages",
        )
    return request


def decode_json(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise InvalidRequestError(
            "The request body is empty; send a JSON object.", code="invalid_json"
        )
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequestError(
            f"We could not parse the JSON body of your request ({exc}). "
            "Send a JSON object with 'model' and 'messages'.",
            code="invalid_json",
        ) from exc
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"The request body must be a JSON object, not {type(data).__name__}.",
            code="invalid_json",
        )
    return data


def requested_model(data: bytes) -> str:
    """The ``model`` a body asked for, for the ledger of a request that failed to parse."""
    try:
        value = json.loads(data).get("model")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def _validation_error(exc: ValidationError) -> InvalidRequestError:
    err = exc.errors(include_url=False)[0]
    param = _param_of(err["loc"])
    missing = err["type"] == "missing"
    if err["type"] == "union_tag_invalid" or err["type"] == "union_tag_not_found":
        message = "Each message needs a 'role' of system, developer, user, assistant or tool."
    elif missing:
        message = f"Missing required parameter: '{param}'."
    else:
        message = f"Invalid value for '{param}': {err['msg']}."
    return InvalidRequestError(message, param=param or None, code="missing_required_parameter"
                               if missing else "invalid_value")


_ROLE_TAGS = {"system", "developer", "user", "assistant", "tool"}
_BRANCH_NAMES = {"str", "int", "float", "bool", "dict", "none", "list"}


def _param_of(loc: tuple[int | str, ...]) -> str:
    """OpenAI-style parameter path ("messages.0.content") from a pydantic error location.

    pydantic inserts union branch names ("str", "list[...]") and discriminator tags
    (the message role after its index); a client never wrote those, so they go.
    """
    parts: list[str] = []
    for i, p in enumerate(loc):
        text = str(p)
        after_index = i > 0 and isinstance(loc[i - 1], int)
        if text in _BRANCH_NAMES or "[" in text or (after_index and text in _ROLE_TAGS):
            continue
        parts.append(text)
    return ".".join(parts)
