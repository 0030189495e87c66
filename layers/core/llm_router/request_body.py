"""Turning a raw request body into a ``ChatRequest``, with OpenAI-style 400s.

The limits themselves live in ``llm_router.input_limits``."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from llm_router.catalog import LimitsConfig
from llm_router.errors import InvalidRequestError
from llm_router.input_limits import (
    check_message_count,
    check_model_name,
    load_json,
    too_large,
)
from llm_router.schema import ChatRequest

LEDGER_MODEL_CHARS = 256


def parse_chat_request(raw: bytes, limits: LimitsConfig, max_body_bytes: int) -> ChatRequest:
    """Every input limit (``llm_router.input_limits``), then the schema, strictly typed."""
    if len(raw) > max_body_bytes:
        raise too_large(str(len(raw)), max_body_bytes)
    data = decode_json(raw)
    if isinstance(data.get("messages"), list):
        check_message_count(len(data["messages"]), limits.max_messages)
    try:
        request = ChatRequest.model_validate(data, strict=True)
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    check_model_name(request.model, "model")
    for i, name in enumerate(request.allowed_models or ()):
        check_model_name(name, f"allowed_models.{i}")
    return request


def decode_json(raw: bytes) -> dict[str, Any]:
    data = load_json(raw)
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"The request body must be a JSON object, not {type(data).__name__}.",
            code="invalid_json",
        )
    return data


def requested_model(data: bytes) -> str:
    """The ``model`` a body asked for, for the ledger of a request that failed to parse
    (any body at all: too deep, not JSON, not an object; cut to a storable length)."""
    try:
        value = json.loads(data).get("model")
    except (ValueError, AttributeError, RecursionError):
        return ""
    if not isinstance(value, str):
        return ""
    # Lone surrogates cannot be stored (DynamoDB strings are UTF-8).
    return value[:LEDGER_MODEL_CHARS].encode("utf-8", "replace").decode("utf-8")


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
