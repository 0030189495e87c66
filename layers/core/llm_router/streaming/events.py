"""Reading one provider event's JSON defensively (the stream twin of ``providers.wire``)."""

from __future__ import annotations

import json
from typing import Any

from llm_router.errors import UpstreamProtocolError
from llm_router.providers.wire import obj, quote
from llm_router.streaming.errors import UpstreamStreamError
from llm_router.streaming.sse import SseEvent


def event_json(event: SseEvent) -> dict[str, Any]:
    """The event's data as a JSON object; an ``{"error": ...}`` object raises."""
    try:
        value = json.loads(event.data)
    except ValueError as exc:
        raise UpstreamProtocolError(f"a stream event is not JSON: {quote(event.data)}") from exc
    body = obj(value, "a stream event")
    error = body.get("error")
    if error:
        raise UpstreamStreamError(f"error event in the stream: {error_text(error)}")
    return body


def error_text(error: Any) -> str:
    if isinstance(error, dict):
        kind = error.get("type") or error.get("status")
        message = error.get("message")
        if isinstance(message, str):
            return f"{kind}: {message}" if isinstance(kind, str) else message
    return quote(error)
