"""The ledger and its daily rollups in DynamoDB, written in one transaction.

The ledger item is put with ``attribute_not_exists`` on its key, so a settle that runs
twice (a retried Lambda, a retried write) cancels the whole transaction the second time:
the rollup counters are never incremented twice for one request.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.ledger import AttemptRecord, LedgerEntry, sort_key_text, tenth_ms
from llm_router.rollups import DEFAULT_SHARDS
from llm_router.storage.dynamo import storage_error
from llm_router.storage.items import WireForm, deserialize, serialize
from llm_router.storage.rollups import DynamoRollups, rollup_updates

if TYPE_CHECKING:
    from llm_router.storage.loop_client import LoopDynamoClient

CONFLICT_RETRIES = 5
# What ``DynamoLedger.release`` did: applied the settlements now, or found the booking
# committed (they were applied with it), or found them released before.
Released = Literal["released", "booked", "before"]


class DynamoLedger:
    def __init__(
        self, client: Any, ledger_table: str, counters_table: str, *, retention_days: int = 400,
        shards: int = DEFAULT_SHARDS, on_loop: LoopDynamoClient | None = None,
    ):
        self._client = client
        # The same client's calls made on the event loop (the embedded store): the
        # settle books without a worker thread (``record_on_loop``).
        self._on_loop = on_loop
        self._ledger_table = ledger_table
        self._counters_table = counters_table
        self._retention = timedelta(days=retention_days) if retention_days else None
        self._shards = shards
        self.rollups = DynamoRollups(client, counters_table, shards)

    def record(
        self, entry: LedgerEntry, also: Sequence[dict[str, Any]] = ()
    ) -> bool:
        """Book one request. Returns False when it was already booked (a no-op).

        ``also``: more TransactItems applied in the same transaction, so exactly once
        (budget and quota settlements, ``llm_router.resilience``)."""
        return self.replay(self.transaction(entry, also))

    @property
    def books_on_loop(self) -> bool:
        return self._on_loop is not None

    async def record_on_loop(
        self, entry: LedgerEntry, also: Sequence[dict[str, Any]] = ()
    ) -> bool:
        """``record`` from the event loop (``books_on_loop``): the same transaction, the
        same retries and errors."""
        return await self.replay_on_loop(self.transaction(entry, also))

    async def aclose(self) -> None:
        if self._on_loop is not None:
            await self._on_loop.aclose()

    def transaction(
        self, entry: LedgerEntry, also: Sequence[dict[str, Any]] = ()
    ) -> list[dict[str, Any]]:
        """The TransactItems that book ``entry``: the ledger item first (its condition is
        what makes the whole transaction idempotent), then its rollups and ``also``."""
        item = ledger_attributes(entry)
        if self._retention is not None:
            item["expires_at"] = serialize(
                int((entry.started_at + self._retention).timestamp()))
        return [
            # Built in botocore's wire form (no bytes in a ledger item): serve's
            # serializer passes it on unread (storage.wire_json).
            WireForm(Put={
                "TableName": self._ledger_table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(sk)",
            }),
            *rollup_updates(entry, self._counters_table, self._shards),
            *also,
        ]

    def replay(self, transaction: list[dict[str, Any]], *, attempt: int = 0) -> bool:
        """Write a booking transaction (``transaction``'s, or one parked in the outbox).
        False when its ledger item exists already: booked before, nothing applied."""
        try:
            self._client.transact_write_items(TransactItems=transaction)
        except (ClientError, BotoCoreError) as exc:
            if _booked_before(exc, attempt):
                return False
            time.sleep(_conflict_backoff(attempt))
            return self.replay(transaction, attempt=attempt + 1)
        return True

    def release(self, items: list[dict[str, Any]], *, attempt: int = 0) -> Released:
        """Apply a dead letter's counter settlements apart from its booking
        (``storage.outbox.release_items``: a check that the ledger item is absent, the
        release's marker, the settlements). ``booked`` when the ledger item exists (the
        booking committed after all, its settlements with it), ``before`` when the
        marker does (released already): nothing applied either way."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if _condition_failed(exc, 0):  # the ledger item exists
                return "booked"
            if _condition_failed(exc, 1):  # the release's marker exists
                return "before"
            if _cancelled(exc) and _conflicted(exc) and attempt < CONFLICT_RETRIES:
                time.sleep(_conflict_backoff(attempt))
                return self.release(items, attempt=attempt + 1)
            raise storage_error("releasing a dead letter's budget reservation", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("releasing a dead letter's budget reservation", exc) from exc
        return "released"

    async def replay_on_loop(self, transaction: list[dict[str, Any]], *,
                             attempt: int = 0) -> bool:
        """``replay`` from the event loop."""
        assert self._on_loop is not None
        try:
            await self._on_loop.call("TransactWriteItems", {"TransactItems": transaction})
        except (ClientError, BotoCoreError) as exc:
            if _booked_before(exc, attempt):
                return False
            await asyncio.sleep(_conflict_backoff(attempt))
            return await self.replay_on_loop(transaction, attempt=attempt + 1)
        return True

    def entries(self, tenant_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ledger items of a tenant, newest first."""
        try:
            resp = self._client.query(
                TableName=self._ledger_table,
                KeyConditionExpression="tenant_id = :t",
                ExpressionAttributeValues={":t": {"S": tenant_id}},
                ScanIndexForward=False,
                Limit=limit,
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("reading the ledger", exc) from exc
        return [_deserialize(i) for i in resp.get("Items", [])]

    def all_entries(self, tenant_id: str) -> Iterator[dict[str, Any]]:
        """Every ledger item of a tenant, oldest first, page by page (for reports that
        must see all of them: the benchmark's ledger cost)."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._ledger_table, KeyConditionExpression="tenant_id = :t",
            ExpressionAttributeValues={":t": {"S": tenant_id}})
        try:
            for page in pages:
                yield from (_deserialize(i) for i in page.get("Items", []))
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("reading the ledger", exc) from exc

    def rollup(self, day: str, tenant_id: str) -> dict[str, dict[str, Decimal]]:
        """The day's counters of a tenant, per model (shards summed)."""
        per_model = self.rollups.by_value(tenant_id, "day", "model", day, day)
        return {model: dict(c.values) for model, c in per_model.items()}


def _booked_before(exc: ClientError | BotoCoreError, attempt: int) -> bool:
    """A failed booking: True when its ledger item exists already (nothing to do);
    False when it conflicted with another transaction and may be tried again; else
    raises the StorageError the request fails with."""
    if isinstance(exc, ClientError):
        if _condition_failed(exc, 0):  # the ledger item, the transaction's first
            return True
        if _conflicted(exc) and attempt < CONFLICT_RETRIES:
            return False
    raise storage_error("booking the request in the ledger", exc) from exc


def _conflict_backoff(attempt: int) -> float:
    return random.uniform(0, 0.01 * 2**attempt)


def _cancelled(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "TransactionCanceledException"


def _condition_failed(exc: ClientError, index: int) -> bool:
    """The transaction was cancelled because the condition of its ``index``-th item
    failed (a booking's ledger item is its first: booked already)."""
    if not _cancelled(exc):
        return False
    reasons = exc.response.get("CancellationReasons") or []
    return len(reasons) > index and reasons[index].get("Code") == "ConditionalCheckFailed"


def _conflicted(exc: ClientError) -> bool:
    # Concurrent transactions on one item (a hot rollup or budget) cancel each other;
    # botocore does not retry that, so record does, briefly.
    reasons = exc.response.get("CancellationReasons") or []
    return any(r.get("Code") == "TransactionConflict" for r in reasons)


def ledger_attributes(entry: LedgerEntry) -> dict[str, Any]:
    """``{k: serialize(v) for k, v in entry.to_item().items()}``, built without the plain
    item between (15 -> 11 us, timeit): the same attribute values in the same order
    (tests/unit/test_storage_ledger_item.py compares the two over generated entries)."""
    at = entry.started_at.astimezone(UTC)
    item: dict[str, Any] = {
        "tenant_id": _s(entry.tenant_id),
        "sk": {"S": sort_key_text(at, entry.request_id)},
        "request_id": _s(entry.request_id),
        "key_id": _s(entry.key_id),
        "started_at": {"S": at.isoformat()},
        "requested_model": _s(entry.requested_model),
        "model": _s(entry.model),
        "provider": _s(entry.provider),
    }
    if entry.tier is not None:
        item["tier"] = _s(entry.tier)
    if entry.reason is not None:
        item["reason"] = _s(entry.reason)
    item["success"] = _b(entry.success)
    item["status"] = serialize(entry.status)
    item["latency_ms"] = serialize(tenth_ms(entry.latency_ms))
    item["prompt_tokens"] = serialize(entry.prompt_tokens)
    item["completion_tokens"] = serialize(entry.completion_tokens)
    item["cached_tokens"] = serialize(entry.cached_tokens)
    item["reasoning_tokens"] = serialize(entry.reasoning_tokens)
    item["cost_usd"] = serialize(entry.cost_usd)
    item["usage_source"] = _s(entry.usage_source)
    item["cache_status"] = _s(entry.cache_status)
    if entry.cache_miss is not None:
        item["cache_miss"] = _s(entry.cache_miss)
    item["cost_saved_usd"] = serialize(entry.cost_saved_usd)
    item["stream"] = _b(entry.stream)
    if entry.max_tokens is not None:
        item["max_tokens"] = serialize(entry.max_tokens)
    if entry.error_code is not None:
        item["error_code"] = _s(entry.error_code)
    if entry.error_message is not None:
        item["error_message"] = _s(entry.error_message)
    item["attempts"] = {"L": [{"M": _attempt(a)} for a in entry.attempts]}
    if entry.guards:
        item["guards"] = serialize(list(entry.guards))
    return item


def _attempt(a: AttemptRecord) -> dict[str, Any]:
    out = {"provider": _s(a.provider), "model": _s(a.model),
           "latency_ms": serialize(tenth_ms(a.latency_ms)), "outcome": _s(a.outcome)}
    if a.error:
        out["error"] = _s(a.error)
    return out


def _s(value: Any) -> dict[str, Any]:
    return {"S": value} if type(value) is str else serialize(value)


def _b(value: Any) -> dict[str, Any]:
    return {"BOOL": value} if type(value) is bool else serialize(value)


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: deserialize(v) for k, v in item.items()}
