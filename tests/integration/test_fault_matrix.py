"""The fault matrix of docs/faults.md, the rows not proven elsewhere: ``model: auto``,
cache hits and streams, each with a fault at the provider, at DynamoDB (admission, cache
read, settle) or at the client. Every test ends on the same invariant: one ledger item
per request, and the key's budget counter equal to the booked cost (the reservation
settled or released), once any parked settle has been replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import boto3
import pytest
import yaml
from botocore.awsrequest import AWSResponse

from llm_router import service as service_module
from llm_router.catalog import parse_catalog
from llm_router.service import SETTLE_ATTEMPTS, ChatService
from llm_router.storage.outbox import S3SettleOutbox, replay_parked
from llm_router_local.aws import LOCAL_CREDENTIALS
from llm_router_local.simulated import SimulatorProcess

from .aws_faults import aws_error
from .conftest import Storage
from .resilience_setup import pair_catalog, unique
from .settle_harness import VALIDATION, Harness, TableFault, UpstreamFaults, post
from .test_failover_tiers import FixedTier

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["thread", "loop"])
def harness(storage: Storage, simulator: SimulatorProcess,
            request: pytest.FixtureRequest) -> Iterator[Harness]:
    """Each test runs twice: the settle booked from a worker thread (as on Lambda), and
    from the event loop (as ``serve`` books against its embedded store)."""
    h = Harness(storage, simulator.url, unique("matrix"),
                books_on_loop=request.param == "loop")
    h.catalog = parse_catalog(matrix_catalog(h))
    yield h


def matrix_catalog(harness: Harness) -> dict[str, Any]:
    data = yaml.safe_load(pair_catalog(harness.sim_url, [harness.model]))
    data["resilience"]["breaker"]["failure_threshold"] = 1_000_000  # as the harness's
    for name in (harness.model, f"{harness.model}-backup"):  # both serve simple for auto
        data["models"][name]["tiers"] = ["simple"]
    return data


@contextmanager
def cache_per_key(harness: Harness) -> Iterator[None]:
    """Each key its own cache partition (``cache.scope: key``): the module's tests and
    both harnesses share a tenant, so a paraphrase could otherwise hit another test's
    entry."""
    kept = harness.catalog
    harness.catalog = parse_catalog({**matrix_catalog(harness), "cache": {"scope": "key"}})
    try:
        yield
    finally:
        harness.catalog = kept


@pytest.fixture(scope="module")
def bucket(storage: Storage) -> str:
    name = unique("matrix-outbox")
    s3(storage).create_bucket(Bucket=name)
    return name


def s3(storage: Storage) -> Any:
    return boto3.client("s3", endpoint_url=storage.settings.aws_endpoint_url,
                        region_name=storage.settings.region, **LOCAL_CREDENTIALS)


def replay(harness: Harness, bucket: str) -> int:
    client = s3(harness.storage)
    report = replay_parked(S3SettleOutbox(lambda: client, bucket), harness.storage.ledger)
    assert report.failed == []
    return report.booked


def fault_on(harness: Harness, operation: str, table: str, times: int) -> TableFault:
    fault = TableFault(table, VALIDATION)
    fault.times = times
    harness.client.meta.events.register(f"before-send.dynamodb.{operation}", fault)
    return fault


def run(harness: Harness, key: str, body: dict[str, Any], *, mode: str | None = None,
        settle_failures: int = 0, auto: bool = False, **settings: Any) -> Any:
    async def go() -> Any:
        upstream = UpstreamFaults()
        upstream.mode = mode
        assert harness.settle_fault is not None
        harness.settle_fault.times = settle_failures
        async with harness.app(upstream, FixedTier("simple") if auto else None,
                               **settings) as app:
            return await post(app, key, body)

    return anyio.run(go)


# --- model: auto -------------------------------------------------------------------


def test_auto_with_every_provider_timing_out_is_504_booked_and_released(harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(model="auto"), mode="timeout", auto=True)
    assert resp.status_code == 504, resp.text
    assert resp.json()["error"]["code"] == "upstream_timeout"
    [item] = harness.check_books(key, 1)  # budget used == 0: the reservation released
    assert item["status"] == 504 and item["tier"] == "simple" and item["cost_usd"] == 0


def test_auto_with_storage_down_at_settle_is_answered_and_booked_once_replayed(
        harness, bucket) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(model="auto"), settle_failures=SETTLE_ATTEMPTS,
               auto=True, bucket=bucket)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-router-tier"] == "simple"
    assert harness.ledger_items(harness.keys[key]) == []
    assert replay(harness, bucket) >= 1
    [item] = harness.check_books(key, 1)
    assert item["tier"] == "simple" and item["cost_usd"] > 0


# --- model: auto with the semantic layer on (one embedding: cache, then classifier) ---

QUESTION = "How do I enable two-factor authentication on my account?"
PARAPHRASE = "How can I enable two-factor authentication on my account?"


def auto_body(harness: Harness, question: str) -> dict[str, Any]:
    return harness.body(model="auto", cache=True, max_tokens=400,
                        messages=[{"role": "user", "content": question}])


def test_auto_with_the_semantic_layer_routes_a_miss_and_serves_a_paraphrase(
        harness) -> None:
    key = harness.new_key()
    with cache_per_key(harness):
        first = run(harness, key, auto_body(harness, QUESTION), auto=True)
        assert first.status_code == 200, first.text
        assert first.headers["x-router-cache"] == "miss"
        assert first.headers["x-router-tier"] == "simple"
        again = run(harness, key, auto_body(harness, PARAPHRASE), auto=True)
    assert again.status_code == 200, again.text
    assert again.headers["x-router-cache"] == "semantic", again.headers["x-router-reason"]
    assert again.json()["choices"] == first.json()["choices"]
    miss, hit = sorted(harness.check_books(key, 2), key=lambda i: i["started_at"])
    assert miss["tier"] == "simple" and miss["cost_usd"] > 0
    assert hit["cache_status"] == "semantic" and hit["cost_usd"] == 0
    assert hit["cost_saved_usd"] == miss["cost_usd"]


def test_auto_with_the_semantic_layer_and_every_provider_timing_out_is_504_booked(
        harness) -> None:
    key = harness.new_key()
    with cache_per_key(harness):
        resp = run(harness, key, auto_body(harness, QUESTION), mode="timeout", auto=True)
    assert resp.status_code == 504, resp.text
    [item] = harness.check_books(key, 1)  # budget used == 0: the reservation released
    assert item["status"] == 504 and item["tier"] == "simple" and item["cost_usd"] == 0


def test_auto_with_the_semantic_layer_and_cache_reads_failing_is_answered_upstream(
        harness) -> None:
    key = harness.new_key()
    table = harness.storage.settings.cache_table
    with cache_per_key(harness):
        assert run(harness, key, auto_body(harness, QUESTION), auto=True).status_code == 200
        faults = [("Query", fault_on(harness, "Query", table, 100)),
                  ("GetItem", fault_on(harness, "GetItem", table, 100))]
        try:
            resp = run(harness, key, auto_body(harness, PARAPHRASE), auto=True)
        finally:
            for operation, fault in faults:
                harness.client.meta.events.unregister(f"before-send.dynamodb.{operation}",
                                                      fault)
    assert resp.status_code == 200 and resp.headers["x-router-cache"] == "miss"
    assert resp.headers["x-router-tier"] == "simple"
    [_, again] = sorted(harness.check_books(key, 2), key=lambda i: i["started_at"])
    assert again["cache_miss"] == "failed" and again["cost_usd"] > 0


def test_auto_semantic_hit_with_storage_down_at_settle_is_served_and_booked_once(
        harness, bucket) -> None:
    key = harness.new_key()
    with cache_per_key(harness):
        assert run(harness, key, auto_body(harness, QUESTION), auto=True).status_code == 200
        hit = run(harness, key, auto_body(harness, PARAPHRASE), auto=True,
                  settle_failures=SETTLE_ATTEMPTS, bucket=bucket)
    assert hit.status_code == 200 and hit.headers["x-router-cache"] == "semantic"
    assert len(harness.ledger_items(harness.keys[key])) == 1  # the hit is parked
    assert replay(harness, bucket) >= 1
    items = harness.check_books(key, 2)
    [booked] = [i for i in items if i["request_id"] == hit.headers["x-request-id"]]
    assert booked["cache_status"] == "semantic" and booked["cost_usd"] == 0


def test_without_an_embedder_a_miss_says_only_the_exact_layer_looked(harness) -> None:
    # No tier picker (its files missing: bootstrap's load_tier_picker warns and goes
    # on): model: auto is a 400, and the semantic layer, which embeds with the picker's
    # embedder, is skipped. The miss is named so, not booked as one for want of a match.
    key = harness.new_key()
    with cache_per_key(harness):
        resp = run(harness, key, auto_body(harness, QUESTION) | {"model": harness.model})
    assert resp.status_code == 200 and resp.headers["x-router-cache"] == "miss"
    [item] = harness.check_books(key, 1)
    assert item["cache_miss"] == "exact_only" and item["cost_usd"] > 0


# --- cache hits ----------------------------------------------------------------------


def cached_body(harness: Harness) -> dict[str, Any]:
    return harness.body(cache=True, max_tokens=400,
                        messages=[{"role": "user", "content": unique("Where is order ")}])


def test_a_cache_hit_with_storage_down_at_settle_is_served_and_booked_once(
        harness, bucket) -> None:
    key = harness.new_key()
    body = cached_body(harness)
    assert run(harness, key, body).status_code == 200  # cached
    hit = run(harness, key, body, settle_failures=SETTLE_ATTEMPTS, bucket=bucket)
    assert hit.status_code == 200 and hit.headers["x-router-cache"] == "exact"
    assert len(harness.ledger_items(harness.keys[key])) == 1  # the hit is parked
    assert replay(harness, bucket) >= 1
    items = harness.check_books(key, 2)
    [booked_hit] = [i for i in items if i["request_id"] == hit.headers["x-request-id"]]
    assert booked_hit["cache_status"] == "exact" and booked_hit["cost_usd"] == 0


def test_a_cache_hit_with_storage_down_at_admission_is_503_and_booked(harness) -> None:
    # A hit counts against the key's rpm: one conditional write, which fails here.
    key = harness.new_key(rpm=100)
    body = cached_body(harness)
    assert run(harness, key, body).status_code == 200  # cached
    fault = fault_on(harness, "UpdateItem", harness.storage.settings.counters_table, 1)
    try:
        resp = run(harness, key, body)
    finally:
        harness.client.meta.events.unregister("before-send.dynamodb.UpdateItem", fault)
    assert resp.status_code == 503, resp.text
    assert resp.json()["error"]["code"] == "storage_unavailable"
    items = harness.check_books(key, 2)
    [refused] = [i for i in items if i["request_id"] == resp.headers["x-request-id"]]
    assert refused["status"] == 503 and refused["cost_usd"] == 0


def test_cache_reads_failing_are_a_miss_answered_upstream_and_booked_once(harness) -> None:
    key = harness.new_key()
    body = cached_body(harness)
    assert run(harness, key, body).status_code == 200  # cached
    table = harness.storage.settings.cache_table
    faults = [("Query", fault_on(harness, "Query", table, 100)),
              ("GetItem", fault_on(harness, "GetItem", table, 100))]
    try:
        resp = run(harness, key, body)
    finally:
        for operation, fault in faults:
            harness.client.meta.events.unregister(f"before-send.dynamodb.{operation}", fault)
    assert resp.status_code == 200 and resp.headers["x-router-cache"] == "miss"
    [_, again] = sorted(harness.check_books(key, 2), key=lambda i: i["started_at"])
    assert again["cache_status"] == "miss" and again["cost_usd"] > 0
    assert again["cache_miss"] == "failed"  # named: not a miss for want of a match


def test_a_hit_whose_model_left_the_catalog_is_answered_afresh_and_booked_so(
        harness) -> None:
    key = harness.new_key()
    # model "auto" (an explicit model that left would be a 404); a temperature over
    # max_temperature keeps it to the exact layer (the module's other questions, as alike
    # as "Where is order <id>", share the tenant's cache).
    body = {**cached_body(harness), "model": "auto", "temperature": 1.5}
    first = run(harness, key, body, auto=True)
    assert first.status_code == 200 and first.headers["x-router-cache"] == "miss"
    served = first.headers["x-router-model"]
    data = yaml.safe_load(pair_catalog(harness.sim_url, [harness.model]))
    data["resilience"]["breaker"]["failure_threshold"] = 1_000_000
    del data["models"][served]  # a deploy since dropped the model that answered
    for model in data["models"].values():
        model["tiers"] = ["simple"]
        model.pop("fallbacks", None)
    kept, harness.catalog = harness.catalog, parse_catalog(data)
    try:
        again = run(harness, key, body, auto=True)
    finally:
        harness.catalog = kept
    assert again.status_code == 200 and again.headers["x-router-cache"] == "miss"
    assert again.headers["x-router-model"] != served
    [_, booked] = sorted(harness.check_books(key, 2), key=lambda i: i["started_at"])
    assert booked["cache_miss"] == "model_removed" and booked["cost_usd"] > 0


# --- streams -------------------------------------------------------------------------


def test_a_stream_with_storage_down_at_admission_is_a_json_503_and_booked(harness) -> None:
    key = harness.new_key()
    fault = fault_on(harness, "UpdateItem", harness.storage.settings.counters_table, 1)
    try:
        resp = run(harness, key, harness.body(stream=True))
    finally:
        harness.client.meta.events.unregister("before-send.dynamodb.UpdateItem", fault)
    assert resp.status_code == 503, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"]["code"] == "storage_unavailable"
    [item] = harness.check_books(key, 1)
    assert item["status"] == 503 and item["stream"] is True


def test_a_stream_failing_before_its_first_byte_is_a_json_error_booked_and_released(
        harness) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(stream=True), mode="timeout")
    assert resp.status_code == 504, resp.text
    assert resp.json()["error"]["code"] == "upstream_timeout"
    [item] = harness.check_books(key, 1)
    assert item["status"] == 504 and item["stream"] is True and item["cost_usd"] == 0


def test_a_client_hanging_up_mid_stream_is_booked_with_what_was_relayed(harness) -> None:
    key = harness.new_key()
    body = harness.body(stream=True, max_tokens=200)

    async def go() -> tuple[int, list[bytes]]:
        async with harness.app(UpstreamFaults()) as app:
            return await hang_up_after(app, key, body, 3)

    status, chunks = anyio.run(go)
    assert status == 200 and len(chunks) >= 3
    [item] = harness.check_books(key, 1)  # budget used == the partial cost booked
    assert item["status"] == 499 and item["error_code"] == "client_disconnected"
    assert item["cost_usd"] > 0 and item["completion_tokens"] < 200


async def hang_up_after(app: Any, key: str, body: dict[str, Any],
                        chunks: int) -> tuple[int, list[bytes]]:
    """A raw ASGI client that reads ``chunks`` body chunks and then disconnects (the
    in-process transport buffers a whole body, so it cannot hang up mid-stream)."""
    sent: list[bytes] = []
    enough = anyio.Event()
    status = 0
    request = [{"type": "http.request", "body": json.dumps(body).encode(),
                "more_body": False}]

    async def receive() -> dict[str, Any]:
        if request:
            return request.pop()
        await enough.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            sent.append(message["body"])
            if len(sent) >= chunks:
                enough.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/v1/chat/completions",
             "raw_path": b"/v1/chat/completions", "query_string": b"", "root_path": "",
             "headers": [(b"authorization", f"Bearer {key}".encode()),
                         (b"content-type", b"application/json"), (b"host", b"router")],
             "client": ("127.0.0.1", 50000), "server": ("router", 80)}
    with anyio.fail_after(60):
        await app(scope, receive, send)
    return status, sent


def test_a_stream_of_a_cache_hit_is_replayed_and_booked_once(harness) -> None:
    key = harness.new_key()
    body = cached_body(harness)
    assert run(harness, key, body).status_code == 200  # cached
    resp = run(harness, key, {**body, "stream": True})
    assert resp.status_code == 200 and resp.headers["x-router-cache"] == "exact"
    assert "data: [DONE]" in resp.text
    harness.check_books(key, 2)


# --- cancellation after the provider answered ------------------------------------------


def cancel_when(harness: Harness, key: str, reached: anyio.Event) -> None:
    """Send one request and cancel it (the client or the server gives up) once
    ``reached`` is set."""
    async def go() -> None:
        async with harness.app(UpstreamFaults()) as app, anyio.create_task_group() as tg:
            tg.start_soon(post, app, key, harness.body())
            with anyio.fail_after(30):
                await reached.wait()
            tg.cancel_scope.cancel()

    anyio.run(go)


def test_cancelled_after_the_provider_answered_books_what_it_cost(
        harness, monkeypatch) -> None:
    # Cancelled while the answer is in the output guard: the provider has billed the
    # tokens, so the 499 books them (and the budget counter holds that cost).
    reached = anyio.Event()

    async def stuck(self: ChatService, completion: Any, policy: Any) -> Any:
        reached.set()
        await anyio.sleep_forever()

    monkeypatch.setattr(ChatService, "_guard_output", stuck)
    key = harness.new_key()
    cancel_when(harness, key, reached)
    [item] = harness.check_books(key, 1)
    assert item["status"] == 499 and item["error_code"] == "request_cancelled"
    assert item["cost_usd"] > 0 and item["completion_tokens"] > 0


def test_cancelled_while_settle_waits_to_try_again_still_books_once(
        harness, monkeypatch) -> None:
    # The settle's first try failed; the request is cancelled during the wait before the
    # second: the settle must still finish (it is shielded), not leave the request unbooked.
    monkeypatch.setattr(service_module, "SETTLE_BACKOFF_S", 1.0)
    reached = anyio.Event()
    fault = harness.settle_fault
    assert fault is not None
    real = fault.__call__

    def failing_once(request: Any, **kw: Any) -> Any:
        response = real(request, **kw)
        if response is not None:
            reached.set()
        return response

    monkeypatch.setattr(fault, "__call__", failing_once)
    harness.client.meta.events.unregister("before-send.dynamodb.TransactWriteItems", fault)
    harness.client.meta.events.register("before-send.dynamodb.TransactWriteItems",
                                        failing_once)
    try:
        fault.times = 1
        key = harness.new_key()
        cancel_when(harness, key, reached)
    finally:
        harness.client.meta.events.unregister("before-send.dynamodb.TransactWriteItems",
                                              failing_once)
        harness.client.meta.events.register("before-send.dynamodb.TransactWriteItems", fault)
    [item] = harness.check_books(key, 1)
    assert item["status"] == 200 and item["cost_usd"] > 0


# --- TransactionConflict (concurrent transactions on one item) ------------------------

CONFLICT = (b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",'
            b'"message":"Transaction cancelled, please refer cancellation reasons for '
            b'specific reasons [None, TransactionConflict]","CancellationReasons":'
            b'[{"Code":"None"},{"Code":"TransactionConflict","Message":"Transaction is '
            b'ongoing for the item"}]}')


class Conflict:
    """Answers the next ``times`` transactions that name ``table`` (and not ``unless``)
    with a conflict, as DynamoDB does when another transaction holds one of its items."""

    def __init__(self, table: str, times: int, unless: str):
        self.table, self.times, self.answered = table.encode(), times, 0
        self.unless = unless.encode()

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        body = request.body if isinstance(request.body, bytes) else b""
        if self.times == 0 or self.table not in body or self.unless in body:
            return None
        self.times -= 1
        self.answered += 1
        return aws_error(request, CONFLICT)


@pytest.mark.parametrize("where", ["settle", "admission"])
def test_transaction_conflicts_are_retried_and_book_once(harness, where: str) -> None:
    # Admission is one transaction when a key has two limits (rpm and a budget); the
    # settle transaction names the ledger table.
    settings = harness.storage.settings
    conflict = (Conflict(settings.ledger_table, 2, unless="-no-such-table-")
                if where == "settle" else
                Conflict(settings.counters_table, 2, unless=settings.ledger_table))
    event = "before-send.dynamodb.TransactWriteItems"
    harness.client.meta.events.register_first(event, conflict)
    try:
        key = harness.new_key(rpm=100)
        resp = run(harness, key, harness.body())
    finally:
        harness.client.meta.events.unregister(event, conflict)
    assert resp.status_code == 200, resp.text
    assert conflict.answered == 2
    [item] = harness.check_books(key, 1)
    assert item["cost_usd"] > 0
