"""The store's HTTP client (``storage.store_http``): one send per request, connections
kept alive, and each failure raised as the botocore exception urllib3's would be."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from llm_router.storage.store_http import StoreHttp

Answer = Callable[[bytes], Awaitable[bytes | None]]


class _Server:
    """A loopback server: each request's raw bytes (one read per request: the client
    sends it in one write) and the connections it accepted."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while data := await reader.read(65536):
                self.requests.append(data)
                reply = await self.answer(data)
                if reply is None:
                    break
                writer.write(reply)
        finally:
            writer.close()


def _run(answer: Answer, body: Callable[[StoreHttp, str, _Server], Awaitable[Any]],
         read_timeout: float = 2.0) -> Any:
    async def main() -> Any:
        server = _Server(answer)
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/"
        http = StoreHttp(url, connect_timeout=1, read_timeout=read_timeout, limit=4)
        try:
            return await body(http, url, server)
        finally:
            await http.aclose()
            listener.close()

    return asyncio.run(main())


def _ok(payload: bytes = b"{}", extra: str = "") -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n{extra}"
            f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload


def test_requests_go_in_one_send_and_share_a_kept_alive_connection() -> None:
    async def answer(data: bytes) -> bytes:
        return _ok(b'{"n":1}', "x-amzn-RequestId: abc\r\n")

    async def body(http: StoreHttp, url: str, server: _Server) -> Any:
        first = await http.post(url, {"X-Amz-Target": "T"}, b'{"a":1}')
        second = await http.post(url, {"X-Amz-Target": "T"}, b'{"a":2}')
        return first, second, server

    first, second, server = _run(answer, body)
    assert first == (200, {"content-type": "application/x-amz-json-1.0",
                           "x-amzn-requestid": "abc", "content-length": "7"}, b'{"n":1}')
    assert second[2] == b'{"n":1}'
    assert server.connections == 1
    assert len(server.requests) == 2
    head, _, sent = server.requests[0].partition(b"\r\n\r\n")
    assert sent == b'{"a":1}'  # head and body in one read: one send
    assert head.startswith(b"POST / HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 7" in head and b"\r\nX-Amz-Target: T" in head


def test_a_reply_that_closes_its_connection_is_not_reused() -> None:
    async def answer(data: bytes) -> bytes:
        return _ok(extra="Connection: close\r\n")

    async def body(http: StoreHttp, url: str, server: _Server) -> int:
        for _ in range(2):
            assert (await http.post(url, {}, b"{}"))[0] == 200
        return server.connections

    assert _run(answer, body) == 2


def test_a_refused_connection_is_an_endpoint_connection_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    probe.close()

    async def main() -> None:
        await StoreHttp(url, connect_timeout=1, read_timeout=1, limit=1).post(url, {}, b"")

    with pytest.raises(EndpointConnectionError):
        asyncio.run(main())


def test_a_reply_that_never_comes_is_a_read_timeout() -> None:
    async def answer(data: bytes) -> bytes:
        await asyncio.sleep(5)
        return _ok()

    async def body(http: StoreHttp, url: str, server: _Server) -> None:
        await http.post(url, {}, b"{}")

    with pytest.raises(ReadTimeoutError):
        _run(answer, body, read_timeout=0.2)


def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    """The read timeout's timer turns only its own cancellation into ReadTimeoutError
    (as asyncio.timeout did): a caller's cancellation goes on up, and the timer is gone
    (the task is not cancelled again when it would have expired)."""
    async def answer(data: bytes) -> bytes:
        await asyncio.sleep(5)
        return _ok()

    async def body(http: StoreHttp, url: str, server: _Server) -> tuple[bool, int]:
        task = asyncio.ensure_future(http.post(url, {}, b"{}"))
        await asyncio.sleep(0.1)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            cancelled = True
        else:
            cancelled = False
        await asyncio.sleep(0.4)  # past the read timeout
        current = asyncio.current_task()
        assert current is not None
        return cancelled, current.cancelling()

    assert _run(answer, body, read_timeout=0.3) == (True, 0)


def test_a_reply_within_the_timeout_leaves_the_task_uncancelled() -> None:
    async def answer(data: bytes) -> bytes:
        return _ok()

    async def body(http: StoreHttp, url: str, server: _Server) -> tuple[int, int]:
        status, _, _ = await http.post(url, {}, b"{}")
        await asyncio.sleep(0.3)  # past the read timeout: its timer was cancelled
        current = asyncio.current_task()
        assert current is not None
        return status, current.cancelling()

    assert _run(answer, body, read_timeout=0.2) == (200, 0)


@pytest.mark.parametrize("cut", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"])
def test_a_connection_cut_before_the_whole_reply_is_closed_error(cut: bytes) -> None:
    async def cutting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(cut)
        await writer.drain()
        writer.close()

    async def main() -> None:
        listener = await asyncio.start_server(cutting, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/"
        try:
            await StoreHttp(url, connect_timeout=1, read_timeout=1, limit=1).post(url, {}, b"")
        finally:
            listener.close()

    with pytest.raises(ConnectionClosedError):
        asyncio.run(main())


def test_only_an_http_url_is_taken() -> None:
    with pytest.raises(ValueError, match="http:// URL"):
        StoreHttp("https://dynamodb.us-east-1.amazonaws.com", connect_timeout=1,
                  read_timeout=1, limit=1)
