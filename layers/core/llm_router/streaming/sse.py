"""Server-sent events: decoding a provider's event stream line by line, and encoding ours.

Pure. The decoder follows the WHATWG rules the providers rely on: ``event:`` and
``data:`` fields (a repeated ``data:`` joins with a newline), comments start with ``:``,
and a blank line ends the event. Lines arrive already split (``\\n``, ``\\r\\n`` or ``\\r``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str | None = None


class SseDecoder:
    """Feed lines; an ``SseEvent`` comes out at each blank line that ends one."""

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, line: str) -> SseEvent | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None  # id: and retry: mean nothing to a relay

    def flush(self) -> SseEvent | None:
        """The last event when the stream ended without its blank line."""
        return self._dispatch()

    def _dispatch(self) -> SseEvent | None:
        if not self._data:
            self._event = None
            return None
        event = SseEvent("\n".join(self._data), self._event)
        self._event, self._data = None, []
        return event


def encode_data(payload: dict[str, Any]) -> bytes:
    """One ``data:`` event holding ``payload`` as compact JSON."""
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def encode_comment(text: str) -> bytes:
    """A comment line: clients (the openai SDK included) skip it."""
    return b": " + text.replace("\n", " ").encode() + b"\n\n"
