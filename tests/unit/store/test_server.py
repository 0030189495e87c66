"""The store's HTTP front: how a reply leaves the socket."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from llm_router_local.store.database import Database
from llm_router_local.store.objects import ObjectStore
from llm_router_local.store.operations import Operations
from llm_router_local.store.server import READY_LINE, StoreServer, _stop_on_signals


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


def _exchange(server: StoreServer, raw: bytes) -> bytes:
    """Send ``raw`` on a fresh connection; everything the store sends back until it
    closes the connection (or goes quiet)."""
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
        conn.sendall(raw)
        conn.settimeout(0.5)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except TimeoutError:
            pass
        return received


LIST_TABLES = (b"POST / HTTP/1.1\r\nHost: x\r\nx-amz-target: DynamoDB_20120810.ListTables\r\n"
               b"Content-Length: 2\r\n")


def test_headers_are_read_in_any_case(server: _CountingServer) -> None:
    reply = _exchange(server, LIST_TABLES + b"Connection: close\r\n\r\n{}")
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b'{"TableNames":[]}')


def test_a_kept_alive_connection_serves_the_next_request(server: _CountingServer) -> None:
    reply = _exchange(server, LIST_TABLES + b"\r\n{}" + LIST_TABLES
                      + b"Connection: close\r\n\r\n{}")
    assert reply.count(b"HTTP/1.1 200") == 2


def test_http_1_0_closes_unless_kept_alive(server: _CountingServer) -> None:
    one_zero = LIST_TABLES.replace(b"HTTP/1.1", b"HTTP/1.0")
    assert _exchange(server, one_zero + b"\r\n{}" + one_zero + b"\r\n{}").count(b" 200 ") == 1
    kept = one_zero + b"Connection: keep-alive\r\n\r\n{}"
    assert _exchange(server, kept + one_zero + b"\r\n{}").count(b" 200 ") == 2


def test_expect_100_continue_is_answered_before_the_body(server: _CountingServer) -> None:
    """botocore sends ``Expect: 100-continue`` with a file-like S3 upload body."""
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
        conn.sendall(LIST_TABLES + b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        assert conn.recv(65536).startswith(b"HTTP/1.1 100")
        conn.sendall(b"{}")
        assert b'{"TableNames":[]}' in conn.recv(65536)


@pytest.mark.parametrize("bad", [b"no colon here\r\n", b": no name\r\n"])
def test_a_malformed_header_line_is_a_400(server: _CountingServer, bad: bytes) -> None:
    assert _exchange(server, LIST_TABLES + bad + b"\r\n{}").startswith(b"HTTP/1.1 400")


def test_too_many_headers_are_refused(server: _CountingServer) -> None:
    many = b"".join(b"x-h%d: v\r\n" % i for i in range(101))
    assert _exchange(server, LIST_TABLES + many + b"\r\n{}").startswith(b"HTTP/1.1 431")


def test_other_request_lines_get_the_standard_librarys_answer(
        server: _CountingServer) -> None:
    assert b"Error code: 505" in _exchange(server, b"POST / HTTP/2.0\r\n\r\n")
    assert b"Error code: 400" in _exchange(server, b"POST /\r\n\r\n")


def test_each_reply_has_its_own_request_id_and_a_current_date(
        server: _CountingServer) -> None:
    import email.utils
    import time

    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    ids = []
    for _ in range(3):
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables"})
        reply = conn.getresponse()
        reply.read()
        ids.append(reply.getheader("x-amzn-RequestId"))
        date = email.utils.parsedate_to_datetime(reply.getheader("Date") or "")
        assert abs(date.timestamp() - time.time()) < 5
    conn.close()
    assert len(set(ids)) == 3 and all(ids)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_shuts_the_loop_down_from_a_thread_and_raises_nothing(
        signum: int) -> None:
    """A handler that raised (KeyboardInterrupt, as the store's did) is dropped when the
    signal lands while the main thread runs a weakref callback or ``__del__``, and the
    store kept serving; this one only asks another thread to stop the loop."""
    asked: list[str] = []
    stopped = threading.Event()

    class _Server:
        def shutdown(self) -> None:
            asked.append(threading.current_thread().name)
            stopped.set()

    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        _stop_on_signals(_Server())  # type: ignore[arg-type]
        handler = signal.getsignal(signum)
        assert callable(handler)
        handler(signum, None)  # raises nothing
        assert stopped.wait(5)
    finally:
        for s, previous in before.items():
            signal.signal(s, previous)
    assert asked == ["store-stop"]


def test_sigterm_stops_the_store_process_and_removes_its_temporary_file() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "llm_router_local.store", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        path = first.split("SQLite file ", 1)[1].strip()
        assert READY_LINE in proc.stdout.readline()
        assert os.path.exists(path)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not os.path.exists(os.path.dirname(path))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
