"""Every local listener hands out connections with TCP_NODELAY (no 40 ms Nagle stalls)."""

from __future__ import annotations

import argparse
import asyncio
import errno
import socket
import threading

import pytest

from llm_router_local.sockets import listening_socket


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def _accepted_by_asyncio(listener: socket.socket, loop: str = "asyncio") -> int:
    """TCP_NODELAY of the connection the event loop (``serve --loop``) accepts on
    ``listener`` (uvicorn's path)."""
    seen: list[int] = []

    async def main() -> None:
        done = asyncio.Event()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                seen.append(_nodelay(transport.get_extra_info("socket")))
                transport.close()
                done.set()

        loop = asyncio.get_running_loop()
        server = await loop.create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        client = await asyncio.to_thread(socket.create_connection, ("127.0.0.1", port))
        await asyncio.wait_for(done.wait(), 5)
        client.close()
        server.close()

    factory = None
    if loop == "uvloop":
        factory = pytest.importorskip("uvloop").new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())
    return seen[0]


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_the_loop_sets_nodelay_on_connections_from_listening_socket(loop: str) -> None:
    assert _accepted_by_asyncio(listening_socket("127.0.0.1", 0), loop) == 1


def test_a_plain_socket_would_not_get_nodelay() -> None:
    """The failure the helper exists for: protocol 0 and no option on the listener, on
    asyncio's loop (`serve --loop asyncio`; uvloop sets TCP_NODELAY on every TCP
    connection it accepts, whatever the listener)."""
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    plain.bind(("127.0.0.1", 0))
    plain.listen()
    assert _accepted_by_asyncio(plain) == 0


def test_the_embedded_store_accepts_with_nodelay(tmp_path) -> None:
    from llm_router_local.store.database import Database
    from llm_router_local.store.objects import ObjectStore
    from llm_router_local.store.operations import Operations
    from llm_router_local.store.server import StoreServer

    path = str(tmp_path / "db")
    server = StoreServer(("127.0.0.1", 0), Operations(Database(path)), ObjectStore(path))
    try:
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(server.get_request()[0]))
        thread.start()
        client = socket.create_connection(("127.0.0.1", server.server_port))
        thread.join(5)
        assert _nodelay(accepted[0]) == 1
        client.close()
        accepted[0].close()
    finally:
        server.server_close()


def test_simulate_binds_through_the_helper(monkeypatch) -> None:
    from llm_router_local.cli import simulate

    calls: list[tuple[str, int]] = []

    def spy(host: str, port: int) -> socket.socket:
        calls.append((host, port))
        raise RuntimeError("stop here")

    monkeypatch.setattr(simulate, "listening_socket", spy)
    args = argparse.Namespace(host="127.0.0.1", port=0)  # the socket comes first
    with pytest.raises(RuntimeError, match="stop here"):
        simulate.run(args)
    assert calls == [("127.0.0.1", 0)]


def test_a_port_in_use_says_which() -> None:
    taken = listening_socket("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: ") as refused:
            listening_socket("127.0.0.1", port)
        assert refused.value.errno == errno.EADDRINUSE
    finally:
        taken.close()
