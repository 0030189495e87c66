"""Keep-alive HTTP/1.1 POSTs to one store named by ``http://`` URL, from the event loop.

What ``serve`` needs to reach its embedded store (``storage.loop_client``): a request
written in one send, a reply read by its ``Content-Length``, idle connections kept for
the next call. aiohttp did this job at about 100 us of the loop's CPU a call; asyncio's
streams do it at about 20 (bench/settle_cost.py, docs/performance.md), and a settle is
one call per request. Failures are raised as the botocore exceptions urllib3's would
be, so the client's retry policy and the ledger's error mapping see what they saw:
refused or unreachable -> ``EndpointConnectionError``, no connection within the connect
timeout -> ``ConnectTimeoutError``, no whole reply within the read timeout ->
``ReadTimeoutError``, the connection cut -> ``ConnectionClosedError``.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

Reply = tuple[int, dict[str, str], bytes]
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
_MAX_HEAD = 64 * 1024


class StoreHttp:
    """At most ``limit`` connections to ``url``'s host and port, from one event loop."""

    def __init__(self, url: str, *, connect_timeout: float, read_timeout: float,
                 limit: int):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a store named by http:// URL is needed, not {url!r}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._netloc = parts.netloc
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._limit = limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[_Connection] = []

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply:
        """(status, headers, body) of one POST to ``url`` (on this store's host)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # connections and waiters belong to one loop
            self._loop, self._idle, self._slots = loop, [], asyncio.Semaphore(self._limit)
        async with self._slots:
            reader, writer = self._idle.pop() if self._idle else await self._connect(url)
            try:
                writer.write(self._head(url, headers, len(body)) + body)
                if writer.transport.get_write_buffer_size() > _MAX_HEAD:
                    await writer.drain()
                status, reply_headers, reply, keep = await self._read(reader, url)
            except BaseException:
                writer.close()
                raise
            if keep:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return status, reply_headers, reply

    async def aclose(self) -> None:
        idle, self._idle, self._loop = self._idle, [], None
        for _, writer in idle:
            writer.close()

    async def _connect(self, url: str) -> _Connection:
        try:
            async with asyncio.timeout(self._connect_timeout):
                return await asyncio.open_connection(self._host, self._port)
        except TimeoutError as exc:
            raise ConnectTimeoutError(endpoint_url=url, error=exc) from exc
        except OSError as exc:
            raise EndpointConnectionError(endpoint_url=url, error=exc) from exc

    def _head(self, url: str, headers: dict[str, str], length: int) -> bytes:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"POST {target} HTTP/1.1"]
        names = {name.lower() for name in headers}
        if "host" not in names:
            lines.append(f"Host: {self._netloc}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if "content-length" not in names:
            lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _read(self, reader: asyncio.StreamReader,
                    url: str) -> tuple[int, dict[str, str], bytes, bool]:
        """The reply, and whether its connection may serve the next request, within the
        read timeout: what ``asyncio.timeout`` did (the task cancelled when it expires,
        that cancellation turned into the timeout if it is the only one), with one loop
        timer instead of its context manager (17 K of the app's 2.53 M instructions a
        request, bench/results/own-work-session32.json), as ``input_limits``'s body
        deadline does."""
        task = asyncio.current_task()
        assert task is not None
        cancelling = task.cancelling()
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        timer = asyncio.get_running_loop().call_later(self._read_timeout, expire)
        uncancelled = False
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                status, headers = _parse_head(head)
                length = headers.get("content-length")
                if length is None:  # delimited by the end of the connection
                    return status, headers, await reader.read(), False
                body = await reader.readexactly(int(length))
            except asyncio.CancelledError as exc:
                if expired:
                    uncancelled = True
                    if task.uncancel() <= cancelling:  # ours alone: the read timed out
                        raise TimeoutError from exc
                raise
            finally:
                timer.cancel()
                if expired and not uncancelled:  # as asyncio.timeout's exit, however left
                    task.uncancel()
        except TimeoutError as exc:
            raise ReadTimeoutError(endpoint_url=url, error=exc) from exc
        except (OSError, EOFError, ValueError, asyncio.LimitOverrunError) as exc:
            # IncompleteReadError is an EOFError: the store closed the connection
            raise ConnectionClosedError(endpoint_url=url) from exc
        keep = headers.get("connection", "").lower() != "close"
        return status, headers, body, keep


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Status and headers (names lower-cased; botocore reads them case-insensitively)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return status, headers
