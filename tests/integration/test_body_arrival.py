"""A chat request whose body never fully arrives (found by the hostile-input pass of
2026-12-04 against ``serve``): the client hangs up mid-body, or declares more than it
sends and waits. Either way the request is booked once, nothing reserved stays held, and
no unhandled error is logged; a body that does not come is refused after
``limits.body_timeout_s`` (408), not waited for as long as the connection lives.

Raw ASGI messages, since an HTTP client always sends the body it declares.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import yaml

from llm_router.catalog import parse_catalog
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage
from .resilience_setup import pair_catalog, unique
from .settle_harness import Harness, UpstreamFaults

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["thread", "loop"])
def harness(storage: Storage, simulator: SimulatorProcess,
            request: pytest.FixtureRequest) -> Iterator[Harness]:
    h = Harness(storage, simulator.url, unique("body"), books_on_loop=request.param == "loop")
    data = yaml.safe_load(pair_catalog(h.sim_url, [h.model]))
    data["resilience"]["breaker"]["failure_threshold"] = 1_000_000
    data["limits"] = {"body_timeout_s": 0.5}
    h.catalog = parse_catalog(data)
    yield h


def send_part_of_the_body(harness: Harness, key: str, then: str) -> tuple[int, bytes]:
    """POST a chat request whose first half arrives; then the client hangs up
    (``disconnect``) or sends nothing more (``wait``). Returns the status and body sent."""
    body = json.dumps(harness.body()).encode()
    parts: list[dict[str, Any]] = [{"type": "http.request", "body": body[:20],
                                    "more_body": True}]
    status, sent = 0, b""

    async def receive() -> dict[str, Any]:
        if parts:
            return parts.pop()
        if then == "disconnect":
            return {"type": "http.disconnect"}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, sent
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            sent += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/v1/chat/completions",
             "raw_path": b"/v1/chat/completions", "query_string": b"", "root_path": "",
             "headers": [(b"authorization", f"Bearer {key}".encode()),
                         (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()), (b"host", b"router")],
             "client": ("127.0.0.1", 50000), "server": ("router", 80)}

    async def go() -> None:
        async with harness.app(UpstreamFaults()) as app:
            with anyio.fail_after(30):
                await app(scope, receive, send)

    anyio.run(go)
    return status, sent


def test_a_client_hanging_up_mid_body_is_booked_as_499_and_logs_no_error(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    key = harness.new_key()
    with caplog.at_level(logging.ERROR):
        send_part_of_the_body(harness, key, "disconnect")
    assert not [r for r in caplog.records if r.getMessage() == "unhandled error"]
    [item] = harness.check_books(key, 1)  # nothing reserved, nothing left held
    assert item["status"] == 499 and item["error_code"] == "client_disconnected"
    assert item["cost_usd"] == 0


def test_a_body_that_stops_arriving_is_a_408_after_the_limit_and_booked(
        harness: Harness) -> None:
    key = harness.new_key()
    status, sent = send_part_of_the_body(harness, key, "wait")
    assert status == 408
    error = json.loads(sent)["error"]
    assert error["code"] == "request_timeout" and "0.5 s" in error["message"]
    assert set(error) == {"message", "type", "param", "code"}
    [item] = harness.check_books(key, 1)
    assert item["status"] == 408 and item["cost_usd"] == 0
