"""The store's HTTP front: how a reply leaves the socket."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from llm_router_local.store.database import Database
from llm_router_local.store.objects import ObjectStore
from llm_router_local.store.operations import Operations
from llm_router_local.store.server import StoreServer


class _CountingSocket(socket.socket):
    """An accepted connection that counts the writes made on it."""

    writes: list[int]

    def send(self, data: Any, *args: Any) -> int:
        self.writes.append(len(data))
        return super().send(data, *args)

    def sendall(self, data: Any, *args: Any) -> None:
        self.writes.append(len(data))
        super().sendall(data, *args)


class _CountingServer(StoreServer):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.writes: list[int] = []

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        counting = _CountingSocket(conn.family, conn.type, conn.proto, fileno=conn.detach())
        counting.writes = self.writes
        return counting, address


@pytest.fixture
def server(tmp_path: Any) -> Iterator[_CountingServer]:
    path = str(tmp_path / "store.sqlite3")
    made = _CountingServer(("127.0.0.1", 0), Operations(Database(path)), ObjectStore(path))
    thread = threading.Thread(target=made.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield made
    made.shutdown()
    made.server_close()
    thread.join(5)


def test_a_reply_leaves_in_one_write(server: _CountingServer) -> None:
    """Status line, headers and body go out in one send: in two, each wakes the client
    (and on a connection without TCP_NODELAY the second waits on Nagle)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    for _ in range(3):  # a kept-alive connection, as botocore's pool reuses it
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0"})
        reply = conn.getresponse()
        body = reply.read()
        assert reply.status == 200
        assert json.loads(body) == {"TableNames": []}
    conn.close()
    assert len(server.writes) == 3
    assert all(size > len(body) for size in server.writes)  # headers and body together
