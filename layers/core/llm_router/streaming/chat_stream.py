"""What the HTTP edge gets for ``stream: true``: the decision and a relay to stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol

from llm_router.guards.actions import GuardAction
from llm_router.routing import RouteDecision


class Relay(Protocol):
    """What the HTTP edge streams: a live ``StreamRelay`` or a cache ``ReplayRelay``."""

    def body(self) -> AsyncGenerator[bytes, None]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ChatStream:
    """A streaming answer whose first chunk is in hand: routing is final, headers can go."""

    decision: RouteDecision
    relay: Relay
    cache: str = "miss"  # miss | exact | semantic | bypass, for x-router-cache
    # Guard actions known before the first byte (input; a cache hit's output): the
    # x-router-guard header. A live stream's output guard reports in its last comment.
    guards: tuple[GuardAction, ...] = ()
