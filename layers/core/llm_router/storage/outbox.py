"""Settle transactions that could not be written, parked in S3 until DynamoDB is back.

When the settle transaction (ledger item, rollups, budget and quota settlements, cache
write) still fails after the request path's tries, the request is not lost: the exact
TransactItems go to ``s3://<bucket>/outbox/settle/<request id>.json`` (another service,
so a DynamoDB outage does not take it down too; the Lambda container may be gone by the
time DynamoDB is back, S3 is not). The alert checker replays every parked transaction
on its five-minute schedule (``llm-router ledger replay`` does it by hand). A replay is
idempotent: the ledger item is put with ``attribute_not_exists``, so a transaction that
did commit after all (an ambiguous failure) cancels as a whole and is only removed.
A counter update whose window item has expired by the time of the replay is left out
(``storage.counters.without_expired_counters``): it would re-create the item holding
only the settlement, below zero.

A transaction that fails its replay is tried again with backoff (``ReplayPolicy``:
the next try after 5, 10, 20 ... minutes, recorded in the parked object itself), and
after a bounded number of failed replays it is moved to ``outbox/dead/<request id>.json``
with what an operator needs (request id, tenant, key, cost, the last error, how often it
was tried) and the transaction itself. A dead letter is never replayed by the schedule
and never dropped: ``llm-router ledger dead-letters`` lists them, ``llm-router ledger
requeue REQUEST_ID`` parks one again once its cause is fixed (the replay stays
idempotent, so a requeued booking that did commit is not applied twice), and the alert
checker publishes their count (``SettleDeadLetters``, alarmed in template.yaml).
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.errors import StorageError
from llm_router.settings import RouterSettings
from llm_router.storage.counters import (
    counter_expiry,
    split_counter_updates,
    without_expired_counters,
)
from llm_router.storage.dynamo import RETRY_CONFIG, make_dynamodb_client, storage_error
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.tables import LEDGER

PREFIX = "outbox/settle/"
DEAD_PREFIX = "outbox/dead/"
# A dead letter's released reservation: one item in the counters table per request.
RELEASED_PREFIX = "RELEASED#"
log = logging.getLogger("llm_router.outbox")


class Replayer(Protocol):
    def replay(self, transaction: list[dict[str, Any]]) -> bool: ...
    def release(self, items: list[dict[str, Any]]) -> str: ...


@dataclass(frozen=True)
class ReplayPolicy:
    """How often a parked transaction is replayed before it becomes a dead letter.

    A failure a retry may mend (throttling, DynamoDB down) gets ``max_replays`` tries,
    the next one ``first_backoff_s`` after the first failure and twice as long after each
    later one, capped at ``max_backoff_s`` (defaults: about 10.6 hours of DynamoDB
    refusing before a dead letter). A failure storage says no retry mends
    (``StorageError.retryable`` False: a ValidationException, a missing table, bad
    credentials) gets ``max_invalid_replays``: a few, so a deploy that fixes the cause
    between two runs still books it, not one every five minutes for ever."""

    max_replays: int = 8
    max_invalid_replays: int = 3
    first_backoff_s: float = 300.0
    max_backoff_s: float = 6 * 3600.0

    def limit(self, retryable: bool) -> int:
        return self.max_replays if retryable else self.max_invalid_replays

    def backoff_s(self, failures: int) -> float:
        return min(self.first_backoff_s * 2 ** (failures - 1), self.max_backoff_s)


@dataclass(frozen=True)
class Parked:
    """One parked transaction and its replay history (absent in objects parked before
    2026-12-04: read as never replayed)."""

    request_id: str
    transaction: list[dict[str, Any]]
    replays: int = 0  # failed replays so far
    next_replay_at: float = 0.0  # epoch seconds; not replayed before
    last_error: str | None = None

    def body(self) -> bytes:
        return json.dumps({"request_id": self.request_id, "transaction": self.transaction,
                           "replays": self.replays, "next_replay_at": self.next_replay_at,
                           "last_error": self.last_error},
                          default=_encode_bytes, separators=(",", ":")).encode()


class S3SettleOutbox:
    """Parked settle transactions, one S3 object each. The client is made on first use:
    parking is rare, and a cold start should not pay for an S3 client it never uses."""

    def __init__(self, make_client: Callable[[], Any], bucket: str, prefix: str = PREFIX,
                 dead_prefix: str = DEAD_PREFIX):
        self._make_client = make_client
        self._bucket = bucket
        self._prefix = prefix
        self._dead_prefix = dead_prefix

    @cached_property
    def _s3(self) -> Any:
        return self._make_client()

    def park(self, request_id: str, transaction: list[dict[str, Any]]) -> str:
        """Store one transaction; returns its S3 key. Raises ``StorageError``."""
        return self.store(Parked(request_id, transaction))

    def store(self, parked: Parked) -> str:
        """Park ``parked`` (again: with its replay history); returns its S3 key."""
        key = f"{self._prefix}{parked.request_id}.json"
        self._put(key, parked.body(), "parking the settle transaction in S3")
        return key

    def parked(self) -> Iterator[str]:
        """Every parked transaction's key, oldest request ids not necessarily first."""
        return self._keys(self._prefix, "listing parked settle transactions")

    def load(self, key: str) -> list[dict[str, Any]]:
        return self.load_parked(key).transaction

    def load_parked(self, key: str) -> Parked:
        """Raises ``StorageError`` when S3 fails, ``UnreadableParked`` when the object is
        not a parked transaction."""
        data = self._get(key, "reading a parked settle transaction")
        try:
            transaction = data["transaction"]
            if not isinstance(transaction, list) or not all(
                    isinstance(op, dict) for op in transaction):
                raise TypeError("its transaction is not a list of TransactItems")
            return Parked(str(data.get("request_id") or _request_id_of(key)), transaction,
                          int(data.get("replays", 0)), float(data.get("next_replay_at", 0)),
                          data.get("last_error"))
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableParked(f"{key} is not a parked settle transaction: {exc!r}",
                                   data) from exc

    def remove(self, key: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("removing a replayed settle transaction", exc) from exc

    def bury(self, key: str, letter: dict[str, Any]) -> str:
        """Move the parked object ``key`` to the dead letters as ``letter``; returns the
        dead letter's key. Written before the parked object is removed: a failure between
        the two leaves both, and the next run buries it again (same key)."""
        dead = f"{self._dead_prefix}{letter['request_id']}.json"
        body = json.dumps(letter, default=_encode_bytes, separators=(",", ":")).encode()
        self._put(dead, body, "writing a settle dead letter")
        self.remove(key)
        return dead

    def rewrite(self, letter: dict[str, Any]) -> None:
        """Write a dead letter again (its reservation's state changed)."""
        body = json.dumps(letter, default=_encode_bytes, separators=(",", ":")).encode()
        self._put(f"{self._dead_prefix}{letter['request_id']}.json", body,
                  "updating a settle dead letter")

    def dead_letter_keys(self) -> Iterator[str]:
        return self._keys(self._dead_prefix, "listing settle dead letters")

    def dead_letters(self) -> Iterator[dict[str, Any]]:
        """Every dead letter, transaction included."""
        for key in self.dead_letter_keys():
            yield self.load_dead(key)

    def load_dead(self, key: str) -> Any:
        return self._get(key, "reading a settle dead letter")

    def requeue(self, request_id: str, ledger: Replayer | None = None,
                clock: Callable[[], float] = time.time) -> str:
        """Park a dead letter's transaction again, its replay history reset; returns the
        parked key. Raises ``KeyError`` when there is no such dead letter.

        A letter whose budget reservation is still held (``reservation: held``) has it
        released first, through ``ledger`` (``release_letter``): the booking parked
        again carries no counter settlements. ``StorageError`` when that release fails
        in a way a retry may mend (the letter stays); one storage calls invalid leaves
        the reservation held (to its window's end) and parks the booking all the same."""
        dead = f"{self._dead_prefix}{request_id}.json"
        letter = self._get(dead, "reading a settle dead letter", missing_ok=True)
        if letter is None:
            raise KeyError(f"no dead letter for request {request_id}")
        if not isinstance(letter.get("transaction"), list) or not letter["transaction"]:
            raise KeyError(f"the dead letter of {request_id} holds no transaction to book "
                           "(it was unreadable when parked: see its 'unreadable')")
        parked = f"{self._prefix}{request_id}.json"
        try:
            still_parked = self._get(parked, "reading a parked settle transaction",
                                     missing_ok=True) is not None
        except UnreadableParked:  # there, whatever it holds: the next run buries it
            still_parked = True
        if still_parked:
            # Burying it failed to remove the parked booking, which replays whole: the
            # letter is a stale copy (its release would apply the settlements twice).
            self._delete(dead, "removing a requeued settle dead letter")
            return parked
        if letter.get("reservation") == "held":
            if ledger is None:
                raise ValueError(f"the dead letter of {request_id} still holds its budget "
                                 "reservation: requeue it with storage to release it")
            letter, _ = release_letter(ledger, letter, clock())
            if letter["reservation"] == "held":
                if letter.get("release_retryable", True):
                    raise StorageError(letter["release_error"])
                log.warning("requeueing %s without releasing its budget reservation, "
                            "held to its windows' end: %s", request_id,
                            letter["release_error"])
        key = self.store(Parked(request_id, letter["transaction"]))
        self._delete(dead, "removing a requeued settle dead letter")
        return key

    def _delete(self, key: str, action: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc

    def _keys(self, prefix: str, action: str) -> Iterator[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix)
        try:
            for page in pages:
                yield from (o["Key"] for o in page.get("Contents", []))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc

    def _put(self, key: str, body: bytes, action: str) -> None:
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=body,
                                ContentType="application/json")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc

    def _get(self, key: str, action: str, *, missing_ok: bool = False) -> Any:
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if missing_ok and exc.response.get("Error", {}).get("Code") in (
                    "NoSuchKey", "404"):
                return None
            raise storage_error(action, exc) from exc
        except BotoCoreError as exc:
            raise storage_error(action, exc) from exc
        try:
            return json.loads(body, object_hook=_decode_bytes)
        except ValueError as exc:
            raise UnreadableParked(f"{key} is not JSON",
                                   body.decode("utf-8", "replace")) from exc


class UnreadableParked(ValueError):
    """An object under the outbox's prefix that is not a parked transaction (written by
    hand, truncated): dead-lettered as it is (``content``), never retried, never left to
    stop a run."""

    def __init__(self, message: str, content: Any):
        super().__init__(message)
        self.content = content


@dataclass
class ReplayReport:
    """One replay run: how many parked transactions were booked now, had been booked
    already, failed (still parked, tried again after their backoff), waited for their
    backoff, and became dead letters this run; how many dead letters there are in all;
    how many counter updates were left out because their window had expired."""

    booked: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    buried: list[dict[str, Any]] = field(default_factory=list)
    dead_letters: int = 0
    expired_counters: int = 0
    released: int = 0  # dead letters whose budget reservation was released this run

    def as_dict(self) -> dict[str, Any]:
        return {"booked": self.booked, "already_booked": self.already,
                "still_parked": len(self.failed) + self.waiting,
                "failed_now": len(self.failed), "waiting": self.waiting,
                "errors": self.failed[:10], "dead_lettered": self.buried[:10],
                "dead_letters": self.dead_letters,
                "reservations_released": self.released,
                "expired_counters_skipped": self.expired_counters}


def replay_parked(outbox: S3SettleOutbox, ledger: Replayer,
                  clock: Callable[[], float] = time.time,
                  policy: ReplayPolicy = ReplayPolicy()) -> ReplayReport:
    """Write every parked transaction that is due to DynamoDB and remove it once it is
    booked; one that fails is rescheduled, or dead-lettered past ``policy``'s bound.
    Then the dead letters whose reservation could not be released yet are tried again
    (``release_letter``). ``clock``: epoch seconds (counter windows' expiry, the
    backoff)."""
    report = ReplayReport()
    for key in list(outbox.parked()):
        now = clock()
        try:
            parked = outbox.load_parked(key)
        except StorageError as exc:
            log.warning("reading %s failed: %s", key, exc)
            report.failed.append(f"{key}: {exc.message}")
            continue
        except UnreadableParked as exc:
            _bury(outbox, ledger, key, Parked(_request_id_of(key), []), str(exc), now,
                  report, unreadable=exc.content)
            continue
        if parked.next_replay_at > now:
            report.waiting += 1
            continue
        try:
            transaction, expired = without_expired_counters(parked.transaction, now)
            booked = ledger.replay(transaction)
        except StorageError as exc:
            _failed(outbox, ledger, key, parked, exc, now, policy, report)
            continue
        except (KeyError, TypeError, ValueError) as exc:  # a malformed TransactItem
            _bury(outbox, ledger, key, parked, f"malformed transaction: {exc!r}", now, report,
                  whole=True)
            continue
        try:
            outbox.remove(key)
        except StorageError as exc:  # booked; the next run finds it booked and removes it
            report.failed.append(f"{key}: {exc.message}")
            continue
        if booked:
            report.booked += 1
            report.expired_counters += expired
        else:
            report.already += 1
    _release_held(outbox, ledger, clock(), report)
    return report


def _release_held(outbox: S3SettleOutbox, ledger: Replayer, now: float,
                  report: ReplayReport) -> None:
    """Count the dead letters; release the reservation of each whose release failed
    before in a way a retry may mend (DynamoDB throttling when it was buried). Not one
    whose booking is still parked too (burying it wrote the letter, then failed to
    remove the parked object): that whole transaction may yet be replayed, settlements
    and all. Parked objects are listed after the letters, so one removed later is not
    missed: nothing parks a whole transaction again."""
    try:
        keys = list(outbox.dead_letter_keys())
        parked = {_request_id_of(k) for k in outbox.parked()}
    except StorageError as exc:
        log.warning("listing settle dead letters failed: %s", exc)
        report.dead_letters = len(report.buried)
        return
    report.dead_letters = len(keys)
    for key in keys:
        if _request_id_of(key) in parked:
            continue
        try:
            letter = outbox.load_dead(key)
        except (StorageError, UnreadableParked) as exc:
            log.warning("reading the dead letter %s failed: %s", key, exc)
            continue
        if isinstance(letter, dict) and letter.get("reservation") == "held" \
                and letter.get("release_retryable", True):
            _release_and_record(outbox, ledger, letter, now, report)


def _failed(outbox: S3SettleOutbox, ledger: Replayer, key: str, parked: Parked,
            exc: StorageError, now: float, policy: ReplayPolicy, report: ReplayReport
            ) -> None:
    replays = parked.replays + 1
    if replays >= policy.limit(exc.retryable):
        _bury(outbox, ledger, key, replace(parked, replays=replays), exc.message, now, report)
        return
    log.warning("replaying %s failed (%d of %d): %s", key, replays,
                policy.limit(exc.retryable), exc)
    report.failed.append(f"{key}: {exc.message}")
    try:
        outbox.store(replace(parked, replays=replays, last_error=exc.message,
                             next_replay_at=now + policy.backoff_s(replays)))
    except StorageError as stored:  # tried again next run, the count not advanced
        log.warning("rescheduling %s failed: %s", key, stored)


def _bury(outbox: S3SettleOutbox, ledger: Replayer, key: str, parked: Parked, error: str,
          now: float, report: ReplayReport, unreadable: Any = None, whole: bool = False
          ) -> None:
    """Move a parked booking to the dead letters, then release its budget reservation.

    The letter holds the booking without its counter settlements, and those apart
    (``counter_settlements``): from then on they are applied only by
    ``release_letter``, which a marker makes happen at most once and which does nothing
    once the booking is in the ledger. The release comes after the parked object is
    removed (``bury`` raises if it was not), so no copy of the whole transaction is left
    to be replayed with them. ``whole``: a malformed transaction, kept as it was
    (nothing split out, nothing released; requeued whole)."""
    letter: dict[str, Any] = {
        **booking_summary(parked), "error": error, "replays": parked.replays,
        "dead_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")}
    if unreadable is not None:
        kept: dict[str, Any] = {"transaction": [], "unreadable": unreadable}
    elif whole:
        kept = {"transaction": parked.transaction}
    else:
        booking, held = split_counter_updates(parked.transaction)
        kept = {"transaction": booking, "counter_settlements": held,
                "reservation": "held" if held else "none"}
    letter = {**letter, **kept}
    try:
        outbox.bury(key, letter)
    except StorageError as exc:
        log.warning("dead-lettering %s failed: %s", key, exc)
        report.failed.append(f"{key}: {exc.message}")
        return
    summary = {k: v for k, v in letter.items()
               if k not in ("transaction", "counter_settlements", "unreadable")}
    log.error("settle transaction dead-lettered (not booked; llm-router ledger "
              "dead-letters): %s", json.dumps(summary, default=str))
    report.buried.append(summary)
    if letter.get("reservation") == "held":
        _release_and_record(outbox, ledger, letter, now, report)


def _release_and_record(outbox: S3SettleOutbox, ledger: Replayer, letter: dict[str, Any],
                        now: float, report: ReplayReport) -> None:
    released, outcome = release_letter(ledger, letter, now)
    if outcome == "held":
        log.warning("releasing the reservation of dead letter %s failed: %s",
                    letter["request_id"], released["release_error"])
    elif outcome == "released":
        report.released += 1
    try:
        outbox.rewrite(released)
    except StorageError as exc:  # the marker says it was released: never applied twice
        log.warning("recording the release of dead letter %s failed: %s",
                    letter["request_id"], exc)


def release_items(request_id: str, booking: list[dict[str, Any]],
                  settlements: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """The transaction that applies a dead letter's counter ``settlements`` apart from
    its ``booking``: the booking's ledger item must be absent (once it is booked, they
    were applied with it), and a marker item in the counters table must be too (put
    here: a second release does nothing). Windows that have expired are left out, as a
    late replay leaves them out; nothing at all when every one has."""
    live, _ = without_expired_counters(settlements, now)
    if not live:
        return []
    put = booking[0]["Put"]
    key = {name: put["Item"][name] for name in (LEDGER.partition_key, LEDGER.sort_key or "")}
    until = max(counter_expiry(item) for item in live)
    return [
        {"ConditionCheck": {"TableName": put["TableName"], "Key": key,
                            "ConditionExpression": "attribute_not_exists(sk)"}},
        {"Put": {"TableName": live[0]["Update"]["TableName"],
                 "Item": {"pk": {"S": f"{RELEASED_PREFIX}{request_id}"},
                          "sk": {"S": "counters"}, "expires_at": {"N": str(int(until))}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        *live,
    ]


def release_letter(ledger: Replayer, letter: dict[str, Any], now: float
                   ) -> tuple[dict[str, Any], str]:
    """``letter`` with its reservation released (``released``; ``booked``: it had been,
    with the booking; ``expired``: its windows are over) or, when storage refused,
    still ``held`` with the error and whether a retry may mend it; and what happened
    now (those, or ``before``: released by an earlier call)."""
    try:
        items = release_items(letter["request_id"], letter["transaction"],
                              letter["counter_settlements"], now)
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError) as exc:
        return {**letter, "reservation": "held", "release_retryable": False,
                "release_error": f"malformed transaction: {exc!r}"}, "held"
    if not items:
        return {**letter, "reservation": "expired", "release_error": None}, "expired"
    try:
        done = ledger.release(items)
    except StorageError as exc:
        return {**letter, "reservation": "held", "release_error": exc.message,
                "release_retryable": exc.retryable}, "held"
    at = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    state = "booked" if done == "booked" else "released"
    return {**letter, "reservation": state, "release_error": None, "released_at": at}, done


def booking_summary(parked: Parked) -> dict[str, Any]:
    """What an operator reads first about a booking: request id, tenant, key, model,
    status, cost in USD (a string: a Decimal's digits) and when it started, from the
    transaction's ledger item (its first Put); None for what it lacks."""
    item: dict[str, Any] = {}
    for op in parked.transaction[:1]:
        put = op.get("Put") if isinstance(op, dict) else None
        if isinstance(put, dict) and isinstance(put.get("Item"), dict):
            item = put["Item"]

    def text(name: str, kind: str = "S") -> str | None:
        value = item.get(name)
        return value.get(kind) if isinstance(value, dict) else None

    return {"request_id": parked.request_id, "tenant_id": text("tenant_id"),
            "key_id": text("key_id"), "model": text("model"),
            "status": text("status", "N"), "cost_usd": text("cost_usd", "N"),
            "started_at": text("started_at")}


def _request_id_of(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".json") else name


def outbox_for(settings: RouterSettings) -> S3SettleOutbox | None:
    """The bucket's outbox, or None without a bucket. Its S3 client is made on first use,
    not at cold start."""
    if not settings.bucket:
        return None

    def make_s3() -> Any:
        from llm_router import aws

        return aws.client("s3", region=settings.region, endpoint_url=settings.aws_endpoint_url,
                          config=RETRY_CONFIG)

    return S3SettleOutbox(make_s3, settings.bucket)


def replay_from(settings: RouterSettings) -> ReplayReport | None:
    """One replay run over the settings' bucket and tables (the alert checker's schedule,
    ``llm-router ledger replay``); None without a bucket (nothing can be parked)."""
    outbox = outbox_for(settings)
    if outbox is None:
        return None
    ledger = DynamoLedger(make_dynamodb_client(settings), settings.ledger_table,
                          settings.counters_table)
    return replay_parked(outbox, ledger)


def _encode_bytes(value: Any) -> Any:
    # Binary attributes (a cache entry's embedding): ``{"B": bytes}`` in boto3's form.
    if isinstance(value, bytes | bytearray):
        return {"$b64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot park a {type(value).__name__}")


def _decode_bytes(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$b64"}:
        return base64.b64decode(obj["$b64"])
    return obj
