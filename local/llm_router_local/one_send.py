"""uvicorn's HTTP protocols with a response's head and body leaving in one send.

uvicorn writes a response's status line and headers to the socket when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two sends,
each a wake-up of the client, which reads the head, parses it, and waits again for the
body. The app sends the two in one pass of the event loop (Starlette's ``Response``
does not yield between them), so a transport that gathers the writes of one pass and
hands them to the socket at the end of it sends a buffered answer in one piece. A
streamed answer's chunks each leave on the pass that wrote them, as before: the flush
is the next callback on the loop, not a timer.
"""

from __future__ import annotations

import asyncio
from typing import Any


class OneSendPerPass:
    """Wraps a transport: the writes made in one pass of the loop leave in one send."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def get_write_buffer_size(self) -> int:
        return sum(map(len, self._pending)) + self._transport.get_write_buffer_size()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()  # what was written before close() is sent, as by the socket's own
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, pause_reading, is_closing...
        return getattr(self._transport, name)


def one_send_protocol(http: str) -> type[asyncio.Protocol]:
    """uvicorn's protocol for ``http`` (``httptools`` or ``h11``), writing through
    ``OneSendPerPass``; imported here, so h11 alone needs no httptools installed."""
    if http == "httptools":
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    elif http == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol as base  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown HTTP implementation {http!r}")

    class OneSend(base):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(OneSendPerPass(transport, self.loop))  # type: ignore[arg-type]

    OneSend.__name__ = OneSend.__qualname__ = f"{base.__name__}OneSend"
    return OneSend
