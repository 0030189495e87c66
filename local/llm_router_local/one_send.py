"""uvicorn's HTTP protocols with a response's head and body leaving in one send.

uvicorn writes a response's status line and headers to the socket when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two sends,
each a wake-up of the client, which reads the head, parses it, and waits again for the
body. So the transport serve's protocols write through holds a response's head (a write
that starts with the status line) until the next write, and sends the two together at
once; a head with nothing after it in the same pass of the event loop (a stream whose
first chunk is not there yet) leaves at the end of that pass. Every other write goes
straight to the socket, so nothing waits behind the other requests a busy loop serves.
(Gathering every write until the end of the pass, the first version, did: at c32 the
time from a head's write to its send was 1.2-2.3 ms p50, 4.7-9.4 ms p90, against 2.5-2.8
us p50 now; docs/performance.md.)
"""

from __future__ import annotations

import asyncio
from typing import Any

_STATUS_LINE = b"HTTP/1.1 "  # how uvicorn (h11 and httptools alike) starts every head


class OneSendPerPass:
    """Wraps a transport: a response's head leaves with the write after it."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._head = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data)
        if not data:  # h11's end of a sized body: nothing to send (nor to send a head with)
            return
        if self._head:
            data, self._head = self._head + data, b""
        elif data.startswith(_STATUS_LINE):
            self._head = data
            self._loop.call_soon(self.flush)
            return
        if not self._transport.is_closing():
            self._transport.write(data)

    def flush(self) -> None:
        """Send a head still held (no body followed it in its pass)."""
        if self._head:
            head, self._head = self._head, b""
            if not self._transport.is_closing():
                self._transport.write(head)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def get_write_buffer_size(self) -> int:
        return len(self._head) + self._transport.get_write_buffer_size()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()  # what was written before close() is sent, as by the socket itself
        self._transport.close()

    def abort(self) -> None:
        self._head = b""
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
