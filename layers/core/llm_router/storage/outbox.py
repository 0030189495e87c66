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
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.errors import StorageError
from llm_router.settings import RouterSettings
from llm_router.storage.counters import without_expired_counters
from llm_router.storage.dynamo import RETRY_CONFIG, make_dynamodb_client, storage_error
from llm_router.storage.ledger import DynamoLedger

PREFIX = "outbox/settle/"
log = logging.getLogger("llm_router.outbox")


class Replayer(Protocol):
    def replay(self, transaction: list[dict[str, Any]]) -> bool: ...


class S3SettleOutbox:
    """Parked settle transactions, one S3 object each. The client is made on first use:
    parking is rare, and a cold start should not pay for an S3 client it never uses."""

    def __init__(self, make_client: Callable[[], Any], bucket: str, prefix: str = PREFIX):
        self._make_client = make_client
        self._bucket = bucket
        self._prefix = prefix

    @cached_property
    def _s3(self) -> Any:
        return self._make_client()

    def park(self, request_id: str, transaction: list[dict[str, Any]]) -> str:
        """Store one transaction; returns its S3 key. Raises ``StorageError``."""
        key = f"{self._prefix}{request_id}.json"
        body = json.dumps({"request_id": request_id, "transaction": transaction},
                          default=_encode_bytes, separators=(",", ":"))
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=body.encode(),
                                ContentType="application/json")
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("parking the settle transaction in S3", exc) from exc
        return key

    def parked(self) -> Iterator[str]:
        """Every parked transaction's key, oldest request ids not necessarily first."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._prefix)
        try:
            for page in pages:
                yield from (o["Key"] for o in page.get("Contents", []))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("listing parked settle transactions", exc) from exc

    def load(self, key: str) -> list[dict[str, Any]]:
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("reading a parked settle transaction", exc) from exc
        transaction: list[dict[str, Any]] = json.loads(
            body, object_hook=_decode_bytes)["transaction"]
        return transaction

    def remove(self, key: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("removing a replayed settle transaction", exc) from exc


@dataclass
class ReplayReport:
    """One replay run: how many parked transactions were booked now, had been booked
    already, and failed (still parked, tried again next run); how many counter updates
    were left out because their window had expired."""

    booked: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)
    expired_counters: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"booked": self.booked, "already_booked": self.already,
                "still_parked": len(self.failed), "errors": self.failed[:10],
                "expired_counters_skipped": self.expired_counters}


def replay_parked(outbox: S3SettleOutbox, ledger: Replayer,
                  clock: Callable[[], float] = time.time) -> ReplayReport:
    """Write every parked transaction to DynamoDB and remove it once it is booked.
    ``clock``: epoch seconds, to tell which counter windows have expired."""
    report = ReplayReport()
    for key in list(outbox.parked()):
        try:
            transaction, expired = without_expired_counters(outbox.load(key), clock())
            booked = ledger.replay(transaction)
            outbox.remove(key)
        except StorageError as exc:
            log.warning("replaying %s failed: %s", key, exc)
            report.failed.append(f"{key}: {exc.message}")
            continue
        if booked:
            report.booked += 1
            report.expired_counters += expired
        else:
            report.already += 1
    return report


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
