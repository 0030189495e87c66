"""The one way the local tools open a listening socket: TCP named, TCP_NODELAY set.

asyncio sets TCP_NODELAY on an accepted connection only when the listening socket was
created with ``IPPROTO_TCP``; a plain ``socket(AF_INET, SOCK_STREAM)`` has protocol 0,
so every reused (keep-alive) connection then waits on Nagle's algorithm and the peer's
delayed ACK: about 40 ms whenever a response goes out in two writes. Linux copies
TCP_NODELAY from the listener to each accepted socket; ``accepted`` sets it again for
servers that accept themselves (and for systems that do not copy it).
"""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A bound, listening TCP socket (``port`` 0 picks a free one) with TCP_NODELAY."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        # Which address: the CLI prints this one line ("Address already in use" alone
        # does not say which of serve's or the simulator's ports it was).
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def accepted(conn: socket.socket) -> socket.socket:
    """An accepted connection with TCP_NODELAY set (for servers that call accept)."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn
