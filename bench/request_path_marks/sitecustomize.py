"""Marks along one request's path inside ``llm-router serve``, for bench/request_path.py.

Loaded by ``serve`` only when bench/request_path.py puts this folder first on its
``PYTHONPATH`` (Python imports ``sitecustomize`` at start-up). It wraps a few functions
of uvicorn, aiohttp, botocore and the router with a ``perf_counter`` mark each (the
clock is system-wide, so the client's marks compare), and appends one JSON line per
request to ``$REQUEST_PATH_MARKS``. Bench only: nothing in the router imports it, and the
wrapped names are internals of the pinned versions (requirements/).
"""

from __future__ import annotations

import atexit
import json
import os
import time
from typing import Any

from when_serve_runs import when_serve_runs

_marks: dict[str, float] = {}
_rows: list[dict[str, float]] = []
_out = os.environ.get("REQUEST_PATH_MARKS", "")


def _mark(name: str) -> None:
    _marks.setdefault(name, time.perf_counter())


def _flush() -> None:
    with open(_out, "a") as f:
        f.writelines(json.dumps(row) + "\n" for row in _rows)
    _rows.clear()


def _around(owner: Any, name: str, before: str, after: str) -> None:
    """``owner.name`` (a coroutine function) marked on entry and on return."""
    inner = getattr(owner, name)

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        _mark(before)
        try:
            return await inner(*args, **kwargs)
        finally:
            _mark(after)

    setattr(owner, name, wrapped)


def _after(owner: Any, name: str, mark: str) -> None:
    inner = getattr(owner, name)

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = await inner(*args, **kwargs)
        _mark(mark)
        return result

    setattr(owner, name, wrapped)


def _mark_server(protocol: Any, cycle: Any) -> None:
    """uvicorn's first and last bytes of a request, and its response's writes (either
    HTTP implementation: ``serve --http``)."""
    received = protocol.data_received

    def data_received(self: Any, data: bytes) -> None:
        if "request_head" not in _marks:
            _marks.clear()
            _mark("request_head")
        _marks["request_last_bytes"] = time.perf_counter()
        received(self, data)

    protocol.data_received = data_received
    sent = cycle.send

    async def send(self: Any, message: Any) -> None:
        kind, more = message["type"], message.get("more_body", False)
        if kind == "http.response.start":
            _mark("response_start")
        await sent(self, message)
        if kind == "http.response.body" and more and message.get("body"):
            _mark("first_body_written")
        if kind == "http.response.body" and not more:
            _mark("response_written")
            if "request_head" in _marks:
                _rows.append(dict(_marks))
                if len(_rows) >= 200:
                    _flush()
            _marks.clear()

    cycle.send = send


def _install() -> None:
    import botocore.endpoint
    from aiohttp.client_reqrep import ClientRequest, ClientResponse
    from uvicorn.protocols.http import h11_impl, httptools_impl

    import llm_router.providers.calls as calls
    import llm_router.streaming.upstream as upstream
    from llm_router import service
    from llm_router.providers import transport
    from llm_router.storage.loop_client import LoopDynamoClient

    for protocol, cycle in ((h11_impl.H11Protocol, h11_impl.RequestResponseCycle),
                            (httptools_impl.HttpToolsProtocol,
                             httptools_impl.RequestResponseCycle)):
        _mark_server(protocol, cycle)
    _around(service.ChatService, "complete", "handler_in", "handler_out")
    _around(service.ChatService, "_parse", "parse_in", "parse_out")
    _around(service.ChatService, "_decide", "route_in", "route_out")
    _around(service.ChatService, "_admit", "admit_in", "admit_out")
    _around(service.ChatService, "_call", "upstream_phase_in", "upstream_phase_out")
    _around(service.ChatService, "_open_stream", "upstream_phase_in", "upstream_phase_out")
    _around(service.ChatService, "_settle", "settle_in", "settle_out")
    _around(transport, "send", "upstream_send_in", "upstream_send_out")
    _after(ClientRequest, "write_bytes", "upstream_body_written")
    _after(ClientResponse, "start", "upstream_headers_read")
    _around(upstream, "open_attempt", "open_stream_in", "first_chunk_in")
    calls.open_attempt = upstream.open_attempt  # type: ignore[attr-defined]
    book = service.ChatService._book

    def booked(*args: Any, **kwargs: Any) -> None:
        _mark("worker_thread_in")
        try:
            book(*args, **kwargs)
        finally:
            _mark("worker_thread_out")

    service.ChatService._book = booked  # type: ignore[method-assign]
    endpoint_send = botocore.endpoint.Endpoint._send

    def storage_send(*args: Any, **kwargs: Any) -> Any:
        _mark("storage_bytes_out")
        try:
            return endpoint_send(*args, **kwargs)
        finally:
            _mark("storage_reply_in")

    botocore.endpoint.Endpoint._send = storage_send  # type: ignore[method-assign]
    # The settle against the embedded store, booked on the event loop (no worker thread):
    # items and botocore's request built, then aiohttp's exchange with the store.
    _around(service.ChatService, "_book_on_loop", "book_on_loop_in", "book_on_loop_out")
    _around(LoopDynamoClient, "_post", "storage_bytes_out", "storage_reply_in")


if _out:
    atexit.register(_flush)
    when_serve_runs(_install)  # bench/marks_hook
