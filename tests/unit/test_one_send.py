"""serve's uvicorn protocols send a buffered response's head and body in one write."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn

from llm_router_local import one_send
from llm_router_local.one_send import OneSendPerPass, one_send_protocol
from llm_router_local.sockets import listening_socket


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"extra:{name}"


def test_a_head_leaves_with_the_next_write_and_other_writes_at_once() -> None:
    async def main() -> FakeTransport:
        fake = FakeTransport()
        wrapped = OneSendPerPass(fake, asyncio.get_running_loop())  # type: ignore[arg-type]
        wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert fake.writes == [] and wrapped.get_write_buffer_size() == 19
        wrapped.write(memoryview(b"body"))  # sent now, not at the end of the pass
        assert fake.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        wrapped.write(b"next")
        assert fake.writes[-1] == b"next"
        wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")  # a head alone: sent when the pass ends
        assert len(fake.writes) == 2
        await asyncio.sleep(0)
        assert wrapped.get_extra_info("peername") == "extra:peername"
        return fake

    assert asyncio.run(main()).writes[2:] == [b"HTTP/1.1 200 OK\r\n\r\n"]


def test_close_sends_a_held_head_and_abort_drops_it() -> None:
    head = b"HTTP/1.1 204 No Content\r\n\r\n"

    async def main() -> tuple[FakeTransport, FakeTransport]:
        loop = asyncio.get_running_loop()
        closed, aborted = FakeTransport(), FakeTransport()
        for fake in (closed, aborted):
            wrapped = OneSendPerPass(fake, loop)  # type: ignore[arg-type]
            wrapped.write(head)
            wrapped.close() if fake is closed else wrapped.abort()
        await asyncio.sleep(0)  # the scheduled flush finds nothing left
        return closed, aborted

    closed, aborted = asyncio.run(main())
    assert (closed.writes, closed.closed) == ([head], True)
    assert (aborted.writes, aborted.aborted) == ([], True)


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Non-streamed for /plain (head and body in one pass), three chunks apart for /stream."""
    if scope["type"] != "http":
        return
    plain = scope["path"] == "/plain"
    headers = [(b"content-type", b"text/plain")] + ([(b"content-length", b"5")] if plain else [])
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    if plain:
        await send({"type": "http.response.body", "body": b"hello"})
        return
    for part in (b"a", b"b", b"c"):
        await send({"type": "http.response.body", "body": part, "more_body": True})
        await asyncio.sleep(0.01)
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_a_served_response_leaves_in_one_send_and_a_stream_chunk_by_chunk(
        http: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if http == "httptools":
        pytest.importorskip("httptools")
    sends: list[bytes] = []
    wrap = OneSendPerPass.__init__

    def counting(self: OneSendPerPass, transport: Any, loop: Any) -> None:
        class Counted:
            def write(self, data: bytes) -> None:
                sends.append(bytes(data))
                transport.write(data)

            def __getattr__(self, name: str) -> Any:
                return getattr(transport, name)

        wrap(self, Counted(), loop)  # type: ignore[arg-type]

    monkeypatch.setattr(one_send.OneSendPerPass, "__init__", counting)
    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app, http=one_send_protocol(http), lifespan="off",
                                           log_level="warning"))

    def exchange(path: str) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(f"GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
            received = b""
            while chunk := client.recv(65536):
                received += chunk
            return received

    async def main() -> tuple[bytes, bytes]:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            plain = await asyncio.to_thread(exchange, "/plain")
            plain_sends = len(sends)
            streamed = await asyncio.to_thread(exchange, "/stream")
        finally:
            server.should_exit = True
            await task
        assert plain_sends == 1, sends
        return plain, streamed

    plain, streamed = asyncio.run(main())
    assert plain.startswith(b"HTTP/1.1 200 OK\r\n") and plain.endswith(b"\r\n\r\nhello")
    assert sends[0] == plain
    # The stream: head with the first chunk, then each chunk on its own, then the end.
    assert len(sends) - 1 == 4, sends
    assert sends[1].endswith(b"\r\n\r\n1\r\na\r\n") and sends[2] == b"1\r\nb\r\n"
    assert streamed == b"".join(sends[1:])
