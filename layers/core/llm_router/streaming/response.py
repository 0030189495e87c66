"""The HTTP edge of a relay: a Starlette streaming response with SSE headers that
guarantees the relay is closed (upstream dropped, request settled) however it ends,
even when the client left before the body started."""

from __future__ import annotations

from collections.abc import Mapping

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from llm_router.streaming.chat_stream import Relay

# no-cache: proxies must not hold events; x-accel-buffering: nginx-style proxies must not
# buffer them. No content-encoding: compressing would batch events.
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class RelayResponse(StreamingResponse):
    def __init__(self, relay: Relay, headers: Mapping[str, str]):
        self._relay = relay
        self._body = relay.body()
        super().__init__(self._body, media_type="text/event-stream",
                         headers={**SSE_HEADERS, **headers})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._body.aclose()
                await self._relay.close()
