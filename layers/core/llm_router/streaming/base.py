"""The port every provider's stream transform implements (one small class per wire format).

A transform is pure and stateful for one stream: it reads the provider's events in order
and returns OpenAI chunks, keeping the usage the provider reported so far.
"""

from __future__ import annotations

from typing import Protocol

from llm_router.schema import Usage
from llm_router.streaming.chunks import Chunk
from llm_router.streaming.sse import SseEvent


class StreamState(Protocol):
    """What the relay reads from a stream's transform when it settles."""

    @property
    def usage(self) -> Usage | None:
        """Usage as reported so far (cumulative); None until the provider reports any."""
        ...

    @property
    def done(self) -> bool:
        """The provider's terminal event arrived: stop reading."""
        ...

    @property
    def complete(self) -> bool:
        """The answer is whole (a finish reason arrived): the end of the body is no error."""
        ...


class StreamTransform(StreamState, Protocol):
    def feed(self, event: SseEvent) -> list[Chunk]:
        """The OpenAI chunks for one provider event (often one, sometimes none).

        Raises ``UpstreamProtocolError`` for an event that breaks the provider's format and
        ``UpstreamStreamError`` for an error the provider reports inside the stream.
        """
        ...
