"""One finaliser per admitted request: whatever ends it (an answer, a router error, any
other exception, a timeout, cancellation, a stream that breaks), it is booked exactly
once and its budget reservation settled or released. A fault is injected at each stage
(after admission, during the provider call, during settle); after any sequence of
them a key's remaining budget equals its limit minus the ledger's booked cost, exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_router.resilience.layer import Resilience
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage
from .resilience_setup import unique
from .settle_harness import Harness, UpstreamFaults, post

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["thread", "loop"])
def harness(storage: Storage, simulator: SimulatorProcess,
            request: pytest.FixtureRequest) -> Iterator[Harness]:
    """Each test runs twice: the settle booked from a worker thread (as on Lambda), and
    from the event loop (as ``serve`` books against its embedded store)."""
    yield Harness(storage, simulator.url, unique("settle"),
                  books_on_loop=request.param == "loop")


def run(harness: Harness, key: str, body: dict[str, Any], mode: str | None = None,
        settle_failures: int = 0) -> Any:
    async def go() -> Any:
        upstream = UpstreamFaults()
        upstream.mode = mode
        assert harness.settle_fault is not None
        harness.settle_fault.times = settle_failures
        async with harness.app(upstream) as app:
            return await post(app, key, body)

    return anyio.run(go)


def only_item(harness: Harness, key: str) -> dict[str, Any]:
    return harness.check_books(key, 1)[0]


def test_success_books_the_actual_cost(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body())
    assert resp.status_code == 200, resp.text
    item = only_item(harness, key)
    assert item["status"] == 200 and item["cost_usd"] > 0


def test_a_bug_after_admission_is_booked_and_releases_the_reservation(
    harness, monkeypatch
) -> None:
    async def broken_chain(self: Resilience, *_: Any) -> Any:
        raise KeyError("injected: a bug after admission")

    monkeypatch.setattr(Resilience, "chain", broken_chain)
    key = harness.new_key()
    resp = run(harness, key, harness.body())
    assert resp.status_code == 500
    error = resp.json()["error"]
    assert error["code"] == "internal_error" and "KeyError" not in error["message"]
    item = only_item(harness, key)
    assert item["status"] == 500 and item["error_code"] == "internal_error"
    assert "KeyError" in item["error_message"]  # the class stays in the ledger
    assert item["cost_usd"] == 0


def test_a_bug_during_the_provider_call_is_booked(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), mode="bug")
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "internal_error"
    item = only_item(harness, key)
    assert item["error_code"] == "internal_error" and "RuntimeError" in item["error_message"]


def test_a_timeout_everywhere_is_booked_as_504(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), mode="timeout")
    assert resp.status_code == 504, resp.text
    item = only_item(harness, key)
    assert item["status"] == 504 and item["error_code"] == "upstream_timeout"
    assert len(item["attempts"]) >= 2  # retried and failed over before giving up


def test_cancellation_during_the_provider_call_is_booked_as_499(harness) -> None:
    key = harness.new_key()

    async def go() -> None:
        upstream = UpstreamFaults()
        upstream.mode = "hang"
        async with harness.app(upstream) as app, anyio.create_task_group() as tg:
            tg.start_soon(post, app, key, harness.body())
            with anyio.fail_after(30):
                await upstream.entered.wait()
            tg.cancel_scope.cancel()  # the client (or the server) gives up

    anyio.run(go)
    item = only_item(harness, key)
    assert item["status"] == 499 and item["error_code"] == "request_cancelled"
    assert item["cost_usd"] == 0


def test_a_failed_settle_is_tried_again_and_books_once(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), settle_failures=1)
    assert resp.status_code == 200, resp.text
    assert harness.settle_fault is not None and harness.settle_fault.failed >= 1
    assert only_item(harness, key)["cost_usd"] > 0


def test_a_failed_settle_after_a_router_error_books_once(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(model=unique("nope")), settle_failures=1)
    assert resp.status_code == 404
    assert only_item(harness, key)["status"] == 404


def test_a_bug_mid_stream_ends_the_stream_with_an_error_event_and_books_it(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(stream=True), mode="broken-stream")
    assert resp.status_code == 200  # the status line went out with the first chunk
    assert '"code": "internal_error"' in resp.text or '"code":"internal_error"' in resp.text
    item = only_item(harness, key)
    assert item["status"] == 500 and item["error_code"] == "internal_error"


def test_a_body_that_cannot_be_parsed_is_booked(harness) -> None:
    key = harness.new_key()

    async def go() -> Any:
        transport_body = b"[" * 5000 + b"]" * 5000
        import httpx

        async with harness.app(UpstreamFaults()) as app, httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://router") as c:
            return await c.post("/v1/chat/completions", content=transport_body,
                                headers={"authorization": f"Bearer {key}",
                                         "content-type": "application/json"})

    resp = anyio.run(go)
    assert resp.status_code == 400, resp.text
    assert only_item(harness, key)["status"] == 400


def test_s3_unavailable_at_cold_start_serves_from_upstream(harness) -> None:
    # The cache snapshot cannot be loaded (no such bucket): lookups are misses, the
    # request is answered and booked as usual.
    key = harness.new_key()

    async def go() -> Any:
        async with harness.app(UpstreamFaults(), bucket="llm-router-no-such-bucket") as app:
            return await post(app, key, harness.body(cache=True))

    resp = anyio.run(go)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-router-cache"] == "miss"
    assert only_item(harness, key)["status"] == 200


STEPS = {
    # name: (body extras, upstream mode, settle failures, expected statuses)
    "ok": ({}, None, 0, {200}),
    "stream": ({"stream": True}, None, 0, {200}),
    "bug": ({}, "bug", 0, {500}),
    "timeout": ({}, "timeout", 0, {504}),
    "broken-stream": ({"stream": True}, "broken-stream", 0, {200}),
    "settle-blip": ({}, None, 1, {200}),
    "unknown-model": ({"model": "no-such-model"}, None, 1, {404}),
    "bad-field": ({"temperature": "hot"}, None, 0, {400}),
    "over-budget": ({"max_tokens": 10_000_000}, None, 0, {400, 402}),
}


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=6))
def test_after_any_sequence_of_failures_remaining_budget_is_limit_minus_booked(
    storage, simulator, steps: list[str]
) -> None:
    harness = Harness(storage, simulator.url, unique("seq"))
    key = harness.new_key()
    for step in steps:
        extra, mode, settle_failures, expected = STEPS[step]
        resp = run(harness, key, harness.body(**extra), mode=mode,
                   settle_failures=settle_failures)
        assert resp.status_code in expected, (step, resp.status_code, resp.text)
    harness.check_books(key, len(steps))
