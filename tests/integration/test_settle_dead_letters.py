"""A parked settle that fails its replay again and again: tried with backoff a bounded
number of times, then a dead letter (request id, cost, error, the transaction) that the
CLI lists and requeues and the alert checker counts; never dropped, never booked twice.

Replays run on the settle harness's client, so its ``TableFault`` (THROTTLED or
VALIDATION at the ledger's TransactWriteItems) refuses them as DynamoDB would.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from llm_router.errors import StorageError
from llm_router.service import SETTLE_ATTEMPTS
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.outbox import (
    DEAD_PREFIX,
    PREFIX,
    ReplayPolicy,
    ReplayReport,
    S3SettleOutbox,
    release_items,
    replay_parked,
)
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage
from .resilience_setup import unique
from .settle_harness import THROTTLED, VALIDATION, Harness
from .test_alert_checker import FakeLambdaContext
from .test_handlers import ROOT, load_handler_module
from .test_settle_outbox import outbox, run, s3

pytestmark = pytest.mark.integration


@pytest.fixture(params=["thread", "loop"])
def harness(storage: Storage, simulator: SimulatorProcess,
            request: pytest.FixtureRequest) -> Iterator[Harness]:
    h = Harness(storage, simulator.url, unique("dead"), books_on_loop=request.param == "loop")
    yield h
    assert h.settle_fault is not None
    h.settle_fault.body, h.settle_fault.times, h.settle_fault.spare = THROTTLED, 0, None


@pytest.fixture
def bucket(storage: Storage) -> str:
    """A bucket per test: a dead letter left by one test makes ``ledger replay`` and
    ``ledger dead-letters`` exit 1 in another."""
    name = f"dead-{uuid.uuid4().hex[:8]}"
    s3(storage).create_bucket(Bucket=name)
    return name


def park_one(harness: Harness, bucket: str) -> tuple[str, Any]:
    key = harness.new_key()
    resp = run(harness, key, harness.body(), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    request_id = resp.headers["x-request-id"]
    assert list(outbox(harness.storage, bucket).parked()) == [f"{PREFIX}{request_id}.json"]
    return key, resp


def refusing(harness: Harness, body: bytes, releases: bool = True) -> DynamoLedger:
    """The ledger on the harness's client, every transaction refused with ``body``
    (a dead letter's release too unless ``releases``)."""
    fault = harness.settle_fault
    assert fault is not None
    fault.body, fault.times = body, 1_000
    fault.spare = b"RELEASED#" if releases else None
    s = harness.storage.settings
    return DynamoLedger(harness.client, s.ledger_table, s.counters_table)


def replay_at(box: S3SettleOutbox, ledger: DynamoLedger, at: float,
              policy: ReplayPolicy | None = None) -> ReplayReport:
    return replay_parked(box, ledger, clock=lambda: at, policy=policy or ReplayPolicy())


def test_a_booking_refused_as_invalid_on_every_replay_is_dead_lettered_after_three(
        harness: Harness, bucket: str) -> None:
    key, resp = park_one(harness, bucket)
    request_id = resp.headers["x-request-id"]
    box, ledger, fault = outbox(harness.storage, bucket), refusing(harness, VALIDATION), \
        harness.settle_fault
    assert fault is not None
    t0, calls = time.time(), fault.failed

    first = replay_at(box, ledger, t0)
    assert (first.booked, len(first.failed), first.buried) == (0, 1, [])
    assert "ValidationException" in first.failed[0]
    assert box.load_parked(f"{PREFIX}{request_id}.json").next_replay_at == t0 + 300
    # Before its backoff is over the booking is not tried (no call reaches DynamoDB).
    waiting = replay_at(box, ledger, t0 + 299)
    assert (waiting.waiting, waiting.failed, fault.failed - calls) == (1, [], 1)
    assert len(replay_at(box, ledger, t0 + 300).failed) == 1  # the second; next in 600 s
    assert replay_at(box, ledger, t0 + 899).waiting == 1
    third = replay_at(box, ledger, t0 + 900)
    assert fault.failed - calls == 3

    [letter] = third.buried
    assert third.failed == [] and third.dead_letters == 1
    assert letter["request_id"] == request_id and letter["replays"] == 3
    assert letter["key_id"] == harness.keys[key] and letter["status"] == "200"
    assert Decimal(letter["cost_usd"]) == Decimal(resp.headers["x-router-cost-usd"]) > 0
    assert "ValidationException" in letter["error"]
    assert list(box.parked()) == []  # not replayed by the schedule any more
    assert list(box.dead_letter_keys()) == [f"{DEAD_PREFIX}{request_id}.json"]
    assert harness.ledger_items(harness.keys[key]) == []  # nothing booked, nothing lost
    assert replay_at(box, ledger, t0 + 10_000).dead_letters == 1
    assert fault.failed - calls == 3

    # The cause fixed, the operator requeues it: booked once, however often requeued.
    fault.times = 0
    [dead] = box.dead_letters()
    assert box.requeue(request_id) == f"{PREFIX}{request_id}.json"
    booked = replay_parked(box, harness.storage.ledger)
    assert (booked.booked, booked.dead_letters) == (1, 0)
    [item] = harness.check_books(key, 1)
    assert item["request_id"] == request_id
    box.bury(box.park(request_id, dead["transaction"]), dead)  # the same letter again
    box.requeue(request_id)
    again = replay_parked(box, harness.storage.ledger)
    assert (again.booked, again.already) == (0, 1)
    harness.check_books(key, 1)
    with pytest.raises(KeyError):
        box.requeue(request_id)


def test_a_booking_throttled_on_every_replay_backs_off_then_is_dead_lettered(
        harness: Harness, bucket: str) -> None:
    key, resp = park_one(harness, bucket)
    box, ledger = outbox(harness.storage, bucket), refusing(harness, THROTTLED)
    policy = ReplayPolicy(max_replays=4, max_invalid_replays=1, first_backoff_s=60,
                          max_backoff_s=100)
    t0 = time.time()
    # A failure a retry may mend gets max_replays tries: 60, 100 (capped), 100 s apart.
    for at in (t0, t0 + 60, t0 + 160):
        report = replay_at(box, ledger, at, policy)
        assert len(report.failed) == 1 and report.buried == [], at
        assert "Retry later" in report.failed[0]
    assert replay_at(box, ledger, t0 + 259, policy).waiting == 1
    [letter] = replay_at(box, ledger, t0 + 260, policy).buried
    assert letter["replays"] == 4 and "TransactionCanceledException" in letter["error"]
    assert harness.ledger_items(harness.keys[key]) == []


def test_an_unreadable_parked_object_is_dead_lettered_and_stops_no_replay(
        harness: Harness, bucket: str) -> None:
    key, resp = park_one(harness, bucket)
    client = s3(harness.storage)
    client.put_object(Bucket=bucket, Key=f"{PREFIX}garbage.json", Body=b"{not json")
    client.put_object(Bucket=bucket, Key=f"{PREFIX}wrong.json",
                      Body=b'{"request_id": "wrong", "transaction": {"Put": 1}}')
    report = replay_parked(outbox(harness.storage, bucket), harness.storage.ledger)
    assert report.booked == 1 and report.failed == []
    assert sorted(letter["request_id"] for letter in report.buried) == ["garbage", "wrong"]
    harness.check_books(key, 1)
    letters = {d["request_id"]: d for d in outbox(harness.storage, bucket).dead_letters()}
    assert letters["garbage"]["unreadable"] == "{not json"
    assert letters["wrong"]["unreadable"]["transaction"] == {"Put": 1}
    with pytest.raises(KeyError, match="holds no transaction"):
        outbox(harness.storage, bucket).requeue("garbage")


def cli(harness: Harness, bucket: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**harness.storage.env(), "LLM_ROUTER_BUCKET": bucket, "PATH": ""}
    return subprocess.run([sys.executable, "-m", "llm_router_local.cli", "ledger", *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_the_cli_lists_requeues_and_books_a_dead_letter(
        harness: Harness, bucket: str) -> None:
    key, resp = park_one(harness, bucket)
    request_id = resp.headers["x-request-id"]
    box, ledger = outbox(harness.storage, bucket), refusing(harness, VALIDATION)
    policy = ReplayPolicy(max_invalid_replays=1)
    assert len(replay_at(box, ledger, time.time(), policy).buried) == 1

    listed = cli(harness, bucket, "dead-letters")
    assert listed.returncode == 1, listed.stderr  # there is one
    [letter] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert letter["request_id"] == request_id and "transaction" not in letter
    assert letter["reservation"] in ("released", "none") and "counter_settlements" not in letter
    assert Decimal(letter["cost_usd"]) == Decimal(resp.headers["x-router-cost-usd"])
    full = json.loads(cli(harness, bucket, "dead-letters", "--transaction").stdout)
    assert full["transaction"][0]["Put"]["TableName"] == harness.storage.settings.ledger_table
    replayed = cli(harness, bucket, "replay")
    assert replayed.returncode == 1 and json.loads(replayed.stdout)["dead_letters"] == 1

    missing = cli(harness, bucket, "requeue", "no-such-request")
    assert missing.returncode != 0 and "no dead letter" in missing.stderr
    requeued = cli(harness, bucket, "requeue", request_id)
    assert requeued.returncode == 0, requeued.stderr
    assert json.loads(requeued.stdout)["parked"] == f"{PREFIX}{request_id}.json"
    booked = cli(harness, bucket, "replay")
    assert booked.returncode == 0, booked.stdout
    assert json.loads(booked.stdout)["booked"] == 1
    harness.check_books(key, 1)
    assert cli(harness, bucket, "dead-letters").returncode == 0


def test_the_alert_checker_reports_and_publishes_dead_letters(
        harness: Harness, bucket: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    park_one(harness, bucket)
    box = outbox(harness.storage, bucket)
    policy = ReplayPolicy(max_invalid_replays=1)
    assert len(replay_at(box, refusing(harness, VALIDATION), time.time(), policy).buried) == 1
    park_one(harness, bucket)  # and one more parked, which the checker books
    for name, value in {**harness.storage.env(), "LLM_ROUTER_BUCKET": bucket,
                        "LLM_ROUTER_METRICS_NAMESPACE": "LLMRouter/test"}.items():
        monkeypatch.setenv(name, value)
    module = load_handler_module(ROOT / "functions" / "alert_checker" / "app.py")
    with caplog.at_level(logging.INFO):
        result = module.handler({}, FakeLambdaContext())
    assert result["outbox"]["dead_letters"] == 1 and result["outbox"]["booked"] == 1
    # The EMF record's fields, as the Powertools logger is handed them (its JSON line).
    [emf] = [r.__dict__ for r in caplog.records if r.getMessage() == "settle outbox"]
    assert (emf["SettleParked"], emf["SettleDeadLettered"], emf["SettleDeadLetters"]) == \
        (0, 0, 1)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "LLMRouter/test"


# --- the reservation a dead letter held ------------------------------------------------
#
# A booking's counter settlements (its budget reservation settled to the actual cost)
# ride in its transaction; a dead letter's would hold the reservation to the end of its
# windows (the day's, the month's). They are split out when it is buried and applied
# once, apart from the booking (``release_letter``): each step below fails in turn.


class FlakyOutbox(S3SettleOutbox):
    """The test bucket's outbox whose next writes of a dead letter (``dead_puts``: each
    True fails one, False passes one) or removals of a parked object fail as S3 would."""

    def __init__(self, storage: Any, bucket: str):
        client = s3(storage)
        super().__init__(lambda: client, bucket)
        self.dead_puts: list[bool] = []
        self.removals = 0

    def _put(self, key: str, body: bytes, action: str) -> None:
        if key.startswith(DEAD_PREFIX) and self.dead_puts and self.dead_puts.pop(0):
            raise StorageError(f"{action}: injected S3 failure")
        super()._put(key, body, action)

    def remove(self, key: str) -> None:
        if key.startswith(PREFIX) and self.removals:
            self.removals -= 1
            raise StorageError("removing a replayed settle transaction: injected")
        super().remove(key)


def park_costly(harness: Harness, bucket: str) -> tuple[str, str, Decimal, Decimal]:
    """A parked booking whose reservation (max_tokens 500) is well over its cost: its key,
    request id, cost, and the key's daily budget counter while it is parked."""
    key = harness.new_key()
    resp = run(harness, key, harness.body(max_tokens=500), SETTLE_ATTEMPTS, bucket=bucket)
    assert resp.status_code == 200, resp.text
    cost = Decimal(resp.headers["x-router-cost-usd"])
    held = harness.budget_used(harness.keys[key])
    assert held > cost > 0
    return key, resp.headers["x-request-id"], cost, held


def letter_of(box: S3SettleOutbox, request_id: str) -> dict[str, Any]:
    letter = box.load_dead(f"{DEAD_PREFIX}{request_id}.json")
    assert isinstance(letter, dict)
    return letter


INVALID_ONCE = ReplayPolicy(max_invalid_replays=1, max_replays=1)
# The same, due again a second after its failure: a test that replays "later" and checks a
# release stays inside the booking's UTC day and month. Replaying hours later (as these
# tests once did) crosses midnight when run in the evening, and a window that has ended
# rightly keeps its reservation (it expires with the window), which made them fail
# between 21:13 and 24:00 UTC.
INVALID_ONCE_SOON = ReplayPolicy(max_invalid_replays=1, max_replays=1, first_backoff_s=1.0)
SOON = ReplayPolicy(first_backoff_s=1.0)
SOON_S = 10.0  # past the first backoffs of both (1, 2, 4 s)


def test_burying_releases_the_reservation_once_and_requeue_books_without_it(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], outbox(harness.storage, bucket)
    report = replay_at(box, refusing(harness, VALIDATION), time.time(), INVALID_ONCE)
    assert len(report.buried) == 1 and report.released == 1
    letter = letter_of(box, request_id)
    assert letter["reservation"] == "released" and letter["counter_settlements"]
    assert not any("BUDGET#" in json.dumps(item) for item in letter["transaction"])
    assert harness.budget_used(key_id) == cost  # the actual cost, not the reservation
    # Later runs leave it alone; a second release of the same letter applies nothing.
    assert replay_at(box, refusing(harness, VALIDATION), time.time()).released == 0
    assert harness.storage.ledger.release(release_items(
        request_id, letter["transaction"], letter["counter_settlements"],
        time.time())) == "before"
    assert harness.budget_used(key_id) == cost

    assert harness.settle_fault is not None
    harness.settle_fault.times = 0
    box.requeue(request_id, harness.storage.ledger)
    assert replay_parked(box, harness.storage.ledger).booked == 1
    harness.check_books(key, 1)  # the budget counter == the booked cost: applied once


def test_a_release_refused_for_now_is_retried_by_the_next_run(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], outbox(harness.storage, bucket)
    ledger = refusing(harness, THROTTLED, releases=False)
    report = replay_at(box, ledger, time.time(), INVALID_ONCE)
    assert len(report.buried) == 1 and report.released == 0
    letter = letter_of(box, request_id)
    assert letter["reservation"] == "held" and letter["release_retryable"] is True
    assert harness.budget_used(key_id) == held
    assert replay_at(box, ledger, time.time()).released == 0  # still refused
    # A requeue while it is refused fails and keeps the letter.
    with pytest.raises(StorageError):
        box.requeue(request_id, ledger)
    assert letter_of(box, request_id)["reservation"] == "held"

    refusing(harness, THROTTLED, releases=True)  # the booking still refused, not releases
    assert replay_at(box, ledger, time.time()).released == 1
    assert letter_of(box, request_id)["reservation"] == "released"
    assert harness.budget_used(key_id) == cost
    assert harness.settle_fault is not None
    harness.settle_fault.times = 0
    box.requeue(request_id, ledger)
    assert replay_parked(box, ledger).booked == 1
    harness.check_books(key, 1)


def test_a_release_storage_calls_invalid_is_not_retried_and_requeue_books_anyway(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], outbox(harness.storage, bucket)
    ledger = refusing(harness, VALIDATION, releases=False)
    assert len(replay_at(box, ledger, time.time(), INVALID_ONCE).buried) == 1
    letter = letter_of(box, request_id)
    assert letter["reservation"] == "held" and letter["release_retryable"] is False
    calls = harness.settle_fault.failed if harness.settle_fault else 0
    assert replay_at(box, ledger, time.time()).released == 0
    assert harness.settle_fault is not None and harness.settle_fault.failed == calls
    # Requeued with the release still refused: the booking goes on without it, and the
    # reservation stays held to its windows' end (the budget errs towards refusing).
    box.requeue(request_id, ledger)
    assert list(box.dead_letter_keys()) == []
    harness.settle_fault.times = 0
    assert replay_parked(box, ledger).booked == 1
    assert len(harness.ledger_items(key_id)) == 1
    assert harness.budget_used(key_id) == held


def test_a_dead_letter_not_written_leaves_the_booking_parked_and_nothing_released(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], FlakyOutbox(harness.storage, bucket)
    box.dead_puts = [True]
    ledger = refusing(harness, VALIDATION)
    report = replay_at(box, ledger, time.time(), INVALID_ONCE_SOON)
    assert report.buried == [] and len(report.failed) == 1
    assert list(box.parked()) == [f"{PREFIX}{request_id}.json"]
    assert harness.budget_used(key_id) == held
    # The next run buries it and releases it.
    report = replay_at(box, ledger, time.time() + SOON_S, INVALID_ONCE_SOON)
    assert len(report.buried) == 1 and report.released == 1
    assert harness.budget_used(key_id) == cost


def test_a_parked_object_not_removed_is_not_released_and_its_replay_settles_once(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], FlakyOutbox(harness.storage, bucket)
    box.removals = 1
    report = replay_at(box, refusing(harness, VALIDATION), time.time(), INVALID_ONCE_SOON)
    assert report.buried == [] and len(report.failed) == 1  # the letter is written...
    assert letter_of(box, request_id)["reservation"] == "held"
    assert list(box.parked()) == [f"{PREFIX}{request_id}.json"]  # ...the booking still parked
    assert harness.budget_used(key_id) == held  # so nothing released
    # Nor by a later run while the booking is parked, nor by a requeue: that drops the
    # stale letter and leaves the parked booking as it is.
    assert replay_at(box, refusing(harness, VALIDATION), time.time(), SOON).released == 0
    assert box.requeue(request_id, harness.storage.ledger) == f"{PREFIX}{request_id}.json"
    assert list(box.dead_letter_keys()) == []
    assert harness.budget_used(key_id) == held
    # DynamoDB back: the parked booking (settlements and all) is booked, once.
    assert harness.settle_fault is not None
    harness.settle_fault.times = 0
    assert replay_at(box, harness.storage.ledger, time.time() + SOON_S).booked == 1
    assert harness.budget_used(key_id) == cost
    harness.check_books(key, 1)


def test_a_release_whose_record_failed_is_not_applied_twice(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], FlakyOutbox(harness.storage, bucket)
    # The letter written; recording its release fails, and again when the same run
    # tries the held letter again.
    box.dead_puts = [False, True, True]
    ledger = refusing(harness, VALIDATION)
    report = replay_at(box, ledger, time.time(), INVALID_ONCE)
    assert len(report.buried) == 1 and report.released == 1
    assert letter_of(box, request_id)["reservation"] == "held"  # not recorded...
    assert harness.budget_used(key_id) == cost  # ...but released, once
    again = replay_at(box, ledger, time.time())  # tried again: the marker stops it
    assert again.released == 0 and letter_of(box, request_id)["reservation"] == "released"
    assert harness.budget_used(key_id) == cost
    assert harness.settle_fault is not None
    harness.settle_fault.times = 0
    box.requeue(request_id, ledger)
    assert replay_parked(box, ledger).booked == 1
    harness.check_books(key, 1)


def test_a_booking_that_committed_after_all_is_not_released(
        harness: Harness, bucket: str) -> None:
    key, request_id, cost, held = park_costly(harness, bucket)
    key_id, box = harness.keys[key], outbox(harness.storage, bucket)
    [parked] = [box.load_parked(k) for k in box.parked()]
    ledger = refusing(harness, THROTTLED, releases=False)
    assert len(replay_at(box, ledger, time.time(), INVALID_ONCE).buried) == 1
    assert letter_of(box, request_id)["reservation"] == "held"
    # The settle had committed after all (an ambiguous failure): booked, settled.
    assert harness.settle_fault is not None
    harness.settle_fault.times = 0
    assert harness.storage.ledger.replay(parked.transaction)
    assert harness.budget_used(key_id) == cost
    assert replay_parked(box, ledger).released == 0
    assert letter_of(box, request_id)["reservation"] == "booked"
    assert harness.budget_used(key_id) == cost  # not released on top
    box.requeue(request_id, ledger)
    assert replay_parked(box, ledger).already == 1
    harness.check_books(key, 1)
