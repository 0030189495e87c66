"""An HTTP server on 127.0.0.1 that answers POSTs from a script, for the synchronous
callers' tests (llm_router.jsonpost and its users): real sockets, no mock transport."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    # Answer only once the client has hung up (at most HOLD_S): a timeout test's server,
    # which no stall of a loaded machine can make answer before the client gives up.
    hold: bool = False


# How long a held reply waits for the client to go: a client that never times out gets
# the answer then, and its test fails instead of hanging.
HOLD_S = 30.0


def wait_for_hangup(sock: socket.socket, bound_s: float = HOLD_S) -> bool:
    """True once the peer has closed ``sock``; False after ``bound_s``."""
    deadline = time.monotonic() + bound_s
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                if not sock.recv(1, socket.MSG_PEEK):
                    return True
            except OSError:  # reset: gone too
                return True
            time.sleep(0.01)  # more bytes from a client still there
    return False


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ScriptedServer:
    url: str = ""
    script: list[Reply] = field(default_factory=list)  # answered in order; then 200 {}
    seen: list[Seen] = field(default_factory=list)


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers["content-length"]))
            state.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()},
                                   json.loads(raw)))
            reply = state.script.pop(0) if state.script else Reply(body={})
            time.sleep(reply.delay_s)
            if reply.hold:
                wait_for_hangup(self.connection)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
