"""DynamoDB down at settle: the settle transaction is parked in S3 (the outbox) and the
alert checker's replay books it exactly once, later, from another process.

Faults are injected at the HTTP boundary of the router's own boto3 client (the settle
harness's ``before-send`` hook); the replay uses a client of its own, as the alert
checker does in another Lambda function.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anyio
import boto3
import pytest

from llm_router.service import SETTLE_ATTEMPTS
from llm_router.storage.outbox import PREFIX, S3SettleOutbox, replay_parked
from llm_router_local.aws import LOCAL_CREDENTIALS
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage
from .resilience_setup import unique
from .settle_harness import THROTTLED, VALIDATION, Harness, UpstreamFaults, post
from .test_alert_checker import FakeLambdaContext
from .test_handlers import ROOT, load_handler_module

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bucket(storage: Storage) -> str:
    name = f"outbox-{uuid.uuid4().hex[:8]}"
    s3(storage).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module", params=["thread", "loop"])
def harness(storage: Storage, simulator: SimulatorProcess,
            request: pytest.FixtureRequest) -> Iterator[Harness]:
    """Each test runs twice: the settle booked from a worker thread (as on Lambda), and
    from the event loop (as ``serve`` books against its embedded store)."""
    yield Harness(storage, simulator.url, unique("outbox"),
                  books_on_loop=request.param == "loop")


def s3(storage: Storage) -> Any:
    return boto3.client("s3", endpoint_url=storage.settings.aws_endpoint_url,
                        region_name=storage.settings.region, **LOCAL_CREDENTIALS)


def outbox(storage: Storage, bucket: str) -> S3SettleOutbox:
    client = s3(storage)
    return S3SettleOutbox(lambda: client, bucket)


def run(harness: Harness, key: str, body: dict[str, Any], settle_failures: int,
        **settings: Any) -> Any:
    async def go() -> Any:
        assert harness.settle_fault is not None
        harness.settle_fault.times = settle_failures
        async with harness.app(UpstreamFaults(), **settings) as app:
            return await post(app, key, body)

    return anyio.run(go)


def parked_for(harness: Harness, bucket: str, request_id: str) -> list[str]:
    return [k for k in outbox(harness.storage, bucket).parked() if request_id in k]


def test_storage_down_at_settle_parks_the_booking_and_replay_books_it_once(
        harness: Harness, bucket: str) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket)
    # The provider answered: the client gets the answer, not a storage error.
    assert resp.status_code == 200, resp.text
    request_id = resp.headers["x-request-id"]
    assert parked_for(harness, bucket, request_id) == [f"{PREFIX}{request_id}.json"]
    key_id = harness.keys[key]
    assert harness.ledger_items(key_id) == []
    # Until the replay, the reservation (the worst case) stays held: errs towards refusing.
    reserved = harness.budget_used(key_id)
    assert reserved > 0

    report = replay_parked(outbox(harness.storage, bucket), harness.storage.ledger)
    assert (report.booked, report.already, report.failed) == (1, 0, [])
    [item] = harness.check_books(key, 1)  # one item; budget used == booked cost
    assert item["request_id"] == request_id and item["status"] == 200
    assert Decimal(str(item["cost_usd"])) == Decimal(resp.headers["x-router-cost-usd"]) > 0
    assert harness.budget_used(key_id) < reserved  # the reservation became the real cost
    assert parked_for(harness, bucket, request_id) == []


def park_one(harness: Harness, bucket: str) -> tuple[str, Any, S3SettleOutbox, str]:
    """A request answered while every settle try failed: its key, the response, the
    outbox and the parked transaction's S3 key."""
    key = harness.new_key()
    resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    [parked] = parked_for(harness, bucket, resp.headers["x-request-id"])
    return key, resp, outbox(harness.storage, bucket), parked


def test_a_parked_booking_that_did_commit_is_not_applied_twice(
        harness: Harness, bucket: str) -> None:
    # An ambiguous failure: the transaction committed but its answer was lost. Parked
    # and replayed anyway, it must change nothing.
    key, resp, box, parked = park_one(harness, bucket)
    transaction = box.load(parked)
    assert replay_parked(box, harness.storage.ledger).booked >= 1
    harness.check_books(key, 1)
    box.park(resp.headers["x-request-id"], transaction)  # the same booking, again
    report = replay_parked(box, harness.storage.ledger)
    assert (report.booked, report.already) == (0, 1)
    harness.check_books(key, 1)
    assert parked_for(harness, bucket, resp.headers["x-request-id"]) == []


def test_a_replay_after_the_counter_window_expired_books_once_and_recreates_no_counter(
        harness: Harness, bucket: str) -> None:
    # Replayed more than two hours after the budget's day window ended: TTL has removed
    # the window's item, and its settlement (actual cost minus the reservation, below
    # zero) must not bring it back as a negative counter. The booking itself still lands.
    key, resp, box, parked = park_one(harness, bucket)
    settlements = [op["Update"] for op in box.load(parked) if "Update" in op
                   and op["Update"]["Key"]["pk"]["S"].startswith("BUDGET#key#")]
    assert settlements and all(Decimal(u["ExpressionAttributeValues"][":amount"]["N"]) < 0
                               for u in settlements)
    key_id = harness.keys[key]
    assert harness.budget_used(key_id) > 0  # the reservation, held until now
    for update in settlements:  # what DynamoDB's TTL does after expires_at
        harness.client.delete_item(TableName=update["TableName"], Key=update["Key"])
    late = max(int(u["ExpressionAttributeValues"][":exp"]["N"]) for u in settlements) + 60

    report = replay_parked(box, harness.storage.ledger, clock=lambda: late)
    assert (report.booked, report.already, report.failed) == (1, 0, [])
    assert len(harness.ledger_items(key_id)) == 1
    for update in settlements:
        assert "Item" not in harness.client.get_item(
            TableName=update["TableName"], Key=update["Key"], ConsistentRead=True)
    assert report.expired_counters == len(settlements)
    assert parked_for(harness, bucket, resp.headers["x-request-id"]) == []


def test_a_stream_whose_settle_fails_is_parked_and_replayed(
        harness: Harness, bucket: str) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(stream=True), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200 and "data: [DONE]" in resp.text
    assert parked_for(harness, bucket, resp.headers["x-request-id"])
    assert replay_parked(outbox(harness.storage, bucket), harness.storage.ledger).booked >= 1
    [item] = harness.check_books(key, 1)
    assert item["stream"] is True and item["status"] == 200


def test_a_cached_answer_parked_and_replayed_is_booked_with_its_cache_write(
        harness: Harness, bucket: str) -> None:
    # The transaction carries the cache entry (binary embedding included when present);
    # it survives the round trip through S3's JSON.
    key = harness.new_key()
    body = harness.body(cache=True, max_tokens=400,  # a whole answer: only those are cached
                        messages=[{"role": "user", "content": unique("q")}])
    resp = run(harness, key, body, SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    assert resp.json()["choices"][0]["finish_reason"] == "stop"
    [parked] = parked_for(harness, bucket, resp.headers["x-request-id"])
    tables = {next(iter(op.values()))["TableName"]
              for op in outbox(harness.storage, bucket).load(parked)}
    assert harness.storage.settings.cache_table in tables
    assert replay_parked(outbox(harness.storage, bucket), harness.storage.ledger).booked >= 1
    harness.check_books(key, 1)
    again = run(harness, key, body, 0, bucket=bucket)  # a new instance: from the table
    assert again.status_code == 200 and again.headers["x-router-cache"] == "exact"
    harness.check_books(key, 2)


@pytest.mark.parametrize(("bucket_name", "why"), [
    ("llm-router-no-such-bucket", "NoSuchBucket"),  # S3 down too
    (None, "no settle outbox"),  # no bucket configured
])
def test_with_s3_down_too_the_client_gets_503_and_the_entry_is_logged(
        harness: Harness, caplog: pytest.LogCaptureFixture, bucket_name: str | None,
        why: str) -> None:
    key = harness.new_key()
    assert harness.settle_fault is not None
    failed = harness.settle_fault.failed
    with caplog.at_level(logging.ERROR, logger="llm_router.service"):
        resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket_name)
    assert resp.status_code == 503, resp.text
    # Throttled: a retry might have passed, so every try was made before giving up.
    assert harness.settle_fault.failed - failed == SETTLE_ATTEMPTS
    error = resp.json()["error"]
    # The client hears DynamoDB's refusal, not the outbox's.
    assert error["code"] == "storage_unavailable"
    assert "booking the request in the ledger: TransactionCanceledException" in \
        error["message"]
    [record] = [r for r in caplog.records if r.getMessage().startswith("request not booked")]
    assert resp.headers["x-request-id"] in record.getMessage()
    assert why in record.getMessage()
    assert resp.headers["x-request-id"] in record.entry  # type: ignore[attr-defined]
    assert harness.ledger_items(harness.keys[key]) == []


@pytest.mark.parametrize("with_bucket", [True, False], ids=["parked", "no-bucket"])
def test_a_settle_refused_as_invalid_is_tried_once_and_nothing_lost_or_doubled(
        harness: Harness, bucket: str, caplog: pytest.LogCaptureFixture,
        with_bucket: bool) -> None:
    # Storage said no retry can mend it (likewise credentials, a missing table): the
    # settle does not try again (before 2026-12-04 it did, twice, after 0.05 + 0.1 s).
    fault = harness.settle_fault
    assert fault is not None
    key, failed = harness.new_key(), fault.failed
    fault.body = VALIDATION
    try:
        with caplog.at_level(logging.ERROR, logger="llm_router.service"):
            resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS,
                       bucket=bucket if with_bucket else None)
    finally:
        fault.body, fault.times = THROTTLED, 0
    assert fault.failed - failed == 1
    key_id = harness.keys[key]
    assert harness.ledger_items(key_id) == []
    if not with_bucket:
        assert resp.status_code == 503, resp.text
        message = resp.json()["error"]["message"]
        assert "ValidationException" in message and "retrying will not help" in message
        assert any(resp.headers["x-request-id"] in r.getMessage() for r in caplog.records)
        return
    assert resp.status_code == 200, resp.text
    request_id = resp.headers["x-request-id"]
    assert parked_for(harness, bucket, request_id) == [f"{PREFIX}{request_id}.json"]
    report = replay_parked(outbox(harness.storage, bucket), harness.storage.ledger)
    assert report.failed == [] and report.booked >= 1
    [item] = harness.check_books(key, 1)
    assert item["request_id"] == request_id and item["cost_usd"] > 0


def test_the_alert_checker_function_replays_the_outbox(
        harness: Harness, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    for name, value in {**harness.storage.env(), "LLM_ROUTER_BUCKET": bucket}.items():
        monkeypatch.setenv(name, value)
    module = load_handler_module(ROOT / "functions" / "alert_checker" / "app.py")
    result = module.handler({}, FakeLambdaContext())
    assert result["outbox"]["booked"] >= 1 and result["outbox"]["still_parked"] == 0
    harness.check_books(key, 1)


def test_ledger_replay_command(harness: Harness, bucket: str) -> None:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    env = {**harness.storage.env(), "LLM_ROUTER_BUCKET": bucket, "PATH": ""}
    done = subprocess.run([sys.executable, "-m", "llm_router_local.cli", "ledger", "replay"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["booked"] >= 1 and report["still_parked"] == 0
    harness.check_books(key, 1)
    no_bucket = {k: v for k, v in env.items() if k != "LLM_ROUTER_BUCKET"}
    refused = subprocess.run([sys.executable, "-m", "llm_router_local.cli", "ledger", "replay"],
                             capture_output=True, text=True, timeout=120, env=no_bucket)
    assert refused.returncode != 0 and "LLM_ROUTER_BUCKET" in refused.stderr


def test_binary_attributes_survive_parking_and_the_store_lists_by_prefix_in_pages(
        storage: Storage, bucket: str) -> None:
    box = outbox(storage, bucket)
    prefix = f"{PREFIX}{unique('page')}-"
    vector = bytes(range(256))
    for i in range(3):
        box.park(f"{prefix[len(PREFIX):]}{i}", [{"Put": {"TableName": "t", "Item": {
            "embedding": {"B": vector}, "n": {"N": str(i)}}}}])
    mine = sorted(k for k in box.parked() if k.startswith(prefix))
    assert mine == [f"{prefix}{i}.json" for i in range(3)]
    assert box.load(mine[1])[0]["Put"]["Item"] == {"embedding": {"B": vector},
                                                   "n": {"N": "1"}}
    client = s3(storage)
    first = client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=2)
    assert [o["Key"] for o in first["Contents"]] == mine[:2] and first["IsTruncated"]
    rest = client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=2,
                                  ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in rest["Contents"]] == mine[2:] and not rest["IsTruncated"]
    for key in mine:
        box.remove(key)
    assert not [k for k in box.parked() if k.startswith(prefix)]
