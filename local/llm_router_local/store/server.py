"""The store's HTTP front: DynamoDB's JSON protocol and S3's object calls; the rest
(SNS, for the alert tests) handed to moto.

``python -m llm_router_local.store --port 0`` prints ``llm-router store listening on
URL`` once it accepts connections; SIGTERM stops it and removes its temporary database.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from llm_router_local.sockets import accepted, listening_socket
from llm_router_local.store.database import Database
from llm_router_local.store.expiry import DEFAULT_INTERVAL_S, TtlSweeper
from llm_router_local.store.objects import ObjectStore
from llm_router_local.store.operations import Operations
from llm_router_local.store.protocol import TARGET_PREFIX, respond

_SERVICE = re.compile(r"Credential=[^/,]+/[^/,]+/[^/,]+/([^/,]+)/aws4_request")
READY_LINE = "llm-router store listening on"


_MAX_HEADERS = 100  # as http.client allows
# Request ids unique per store process without uuid4's 3 us a reply: a random prefix
# (as a new process's) and a counter.
_ID_PREFIX = uuid.uuid4().hex[:16]
_IDS = itertools.count()
_MAX_LINE = 65536


class _Headers:
    """A request's headers as the handler reads them: ``get`` by any case (the first of
    a repeated name, as ``email.message.Message`` answers) and ``items`` in order."""

    __slots__ = ("_items", "_by_name")

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items
        self._by_name = {name.lower(): value for name, value in reversed(items)}

    def get(self, name: str, default: Any = None) -> Any:
        return self._by_name.get(name.lower(), default)

    def __getitem__(self, name: str) -> str | None:
        return self._by_name.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)


class StoreHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as boto3's connection pool expects
    # Buffered writes: the status line, headers and body of a reply leave in one send
    # (http.server flushes after each request), not two, each waking the client.
    wbufsize = 64 * 1024
    server: StoreServer
    _date: tuple[int, str] = (-1, "")  # a second, and the Date header's text for it
    raw_requestline: bytes  # set by handle_one_request (not in typeshed's stub)

    def parse_request(self) -> bool:
        """The request line and headers of an HTTP/1.0 or 1.1 request, read line by line.
        ``http.server`` hands the headers to the email package's parser, which was a
        sixth of the store's CPU per settle (docs/performance.md); anything but a plain
        three-word request line still goes to it."""
        words = self.raw_requestline.split()
        if len(words) != 3 or words[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
            return super().parse_request()
        self.command, path, self.request_version = (w.decode("iso-8859-1") for w in words)
        self.requestline = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n")
        # as http.server does: "//host" must not read as a scheme-relative URL
        self.path = "/" + path.lstrip("/") if path.startswith("//") else path
        self.close_connection = True  # until the headers are read whole
        items: list[tuple[str, str]] = []
        while True:
            line = self.rfile.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                break
            if len(line) > _MAX_LINE or len(items) >= _MAX_HEADERS:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                                "Line too long" if len(line) > _MAX_LINE else "Too many headers")
                return False
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if not colon or not name.strip():
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad header line {line[:100]!r}")
                return False
            items.append((name.strip(), value.strip()))
        headers = _Headers(items)
        self.headers = headers  # type: ignore[assignment]  # what the handler reads of one
        connection = headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive")
        if (self.request_version == "HTTP/1.1"
                and headers.get("Expect", "").lower() == "100-continue"):
            return self.handle_expect_100()
        return True

    def handle_expect_100(self) -> bool:
        answered = super().handle_expect_100()
        self.wfile.flush()  # writes are buffered; the client holds its body until this
        return answered

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        target = self.headers.get("X-Amz-Target", "")
        if not target.startswith(TARGET_PREFIX):
            self._not_dynamodb()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, reply = respond(self.server.operations, target, body)
        self._send(status, json.dumps(reply, separators=(",", ":")).encode(),
                   [("Content-Type", "application/x-amz-json-1.0")])

    do_GET = do_PUT = do_HEAD = do_DELETE = lambda self: self._not_dynamodb()  # noqa: E731

    def _not_dynamodb(self) -> None:
        """S3 (signed for service ``s3``) is the store's own; anything else (SNS, in the
        alert tests) goes to moto's WSGI app, loaded on first use."""
        signed_for = _SERVICE.search(self.headers.get("Authorization", ""))
        if not signed_for or signed_for.group(1) != "s3":
            self._to_moto()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.objects.handle(self.command, self.path, body,
                                           self.headers.get("Content-Type", ""),
                                           self.headers.get("Content-Encoding", ""))
        self._send(reply.status, reply.body, list(reply.headers))

    def _to_moto(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "PATH_INFO": self.path.split("?", 1)[0],
            "QUERY_STRING": self.path.split("?", 1)[1] if "?" in self.path else "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": self.request_version, "CONTENT_LENGTH": str(length),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "wsgi.input": io.BytesIO(self.rfile.read(length)), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        started: list[Any] = []
        chunks = self.server.moto_app()(environ, lambda s, h, e=None: started.extend([s, h]))
        body = b"".join(chunks)
        status = int(str(started[0]).split()[0])
        headers = [(k, v) for k, v in started[1] if k.lower() != "content-length"]
        self._send(status, body, headers)

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("x-amzn-RequestId", f"{_ID_PREFIX}{next(_IDS):016x}")
        if not any(name.lower() == "content-length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, formatted once a second (4 us a reply otherwise)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        second = int(time.time())
        cached = StoreHandler._date  # one tuple, replaced whole: safe across threads
        if cached[0] != second:
            cached = StoreHandler._date = (second, super().date_time_string(second))
        return cached[1]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # one line per call would drown the router's own output


class StoreServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], operations: Operations,
                 objects: ObjectStore):
        super().__init__(address, StoreHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening_socket(*address)
        self.server_address = self.socket.getsockname()[:2]
        self.server_port = self.server_address[1]
        self.operations = operations
        self.objects = objects
        self._moto: Any = None

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = self.socket.accept()
        return accepted(conn), address

    def moto_app(self) -> Any:
        if self._moto is None:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )

            self._moto = DomainDispatcherApplication(create_backend_app)
        return self._moto


def _stop_on_signals(server: StoreServer) -> None:
    """SIGTERM and SIGINT stop ``serve_forever`` from a helper thread (``shutdown`` waits
    for the loop, so it cannot run on the loop's own thread). The handler raises nothing:
    an exception raised by a signal handler while the main thread runs a weakref callback
    or ``__del__`` is printed and dropped, and the store would keep serving."""
    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, name="store-stop", daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _stop_at_eof() -> None:
    sys.stdin.buffer.read()  # returns when the parent's end of the pipe closes
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llm_router_local.store",
                                     description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", help="SQLite file to keep (default: a temporary one, "
                                     "removed on exit)")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="stop when stdin closes (the parent that started it has exited, "
                             "even if it was killed and could not stop this process)")
    parser.add_argument("--ttl-sweep-seconds", type=float, default=DEFAULT_INTERVAL_S,
                        help="delete the items whose TTL has passed this often, as DynamoDB's "
                             "TTL does (default %(default)s; 0: never)")
    args = parser.parse_args(argv)
    folder = None if args.db else tempfile.mkdtemp(prefix="llm-router-store-")
    path = args.db or os.path.join(folder or "", "store.sqlite3")
    database = Database(path)
    server = StoreServer((args.host, args.port), Operations(database), ObjectStore(path))
    sweeper = TtlSweeper(database, args.ttl_sweep_seconds)
    if args.ttl_sweep_seconds > 0:
        sweeper.start()
    _stop_on_signals(server)
    if args.exit_with_stdin:
        threading.Thread(target=_stop_at_eof, daemon=True).start()
    print(f"llm-router store: SQLite file {path}", flush=True)
    print(f"{READY_LINE} http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        sweeper.stop()
        server.server_close()
        if folder:
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)
    return 0
