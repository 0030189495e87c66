"""Counter ops (``llm_router.resilience.counters``) applied to the counters table.

``reserve`` applies limited ops all-or-nothing: one conditional UpdateItem for a single
op, one TransactWriteItems for several. DynamoDB evaluates each condition against the
item's current value inside the write, so concurrent requests on any number of
instances can never push a counter past its limit. Transactions touching the same item
at the same moment may be cancelled with ``TransactionConflict``; those are retried
with jittered backoff (botocore's own retries already cover throttling), then the
router fails closed with a ``StorageError``.

``reserve_on_loop`` is ``reserve`` from the event loop, for a store that can take the
client's calls there (``storage.loop_client``, the embedded store's): the same writes,
retries and errors, without the hop to a worker thread.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.resilience.counters import CounterOp, LimitReached
from llm_router.storage.dynamo import storage_error
from llm_router.storage.numbers import n

if TYPE_CHECKING:
    from llm_router.storage.loop_client import LoopDynamoClient

CONFLICT_RETRIES = 6
# Every counter op is this one update: add to the window's item, which DynamoDB's TTL
# removes at ``expires_at`` (two hours after the window's end, resilience.windows).
COUNTER_UPDATE = "ADD n :amount SET expires_at = if_not_exists(expires_at, :exp)"


class DynamoCounters:
    def __init__(
        self,
        client: Any,
        table: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        on_loop: LoopDynamoClient | None = None,
    ):
        self._client = client
        self._table = table
        self._sleep = sleep
        self._rand = rand
        # The same client's calls made on the event loop (the embedded store's).
        self._on_loop = on_loop

    def reserve(self, ops: Sequence[CounterOp], action: str = "admitting the request") -> None:
        """Apply every op or none. Raises ``LimitReached`` or ``StorageError``."""
        if not _needs_write(ops):
            return
        if len(ops) == 1:
            try:
                self._client.update_item(**self.update_of(ops[0]))
            except (ClientError, BotoCoreError) as exc:
                _raise_refused_one(ops[0], action, exc)
            return
        items = [{"Update": self.update_of(op)} for op in ops]
        for attempt in range(CONFLICT_RETRIES):
            try:
                self._client.transact_write_items(TransactItems=items)
                return
            except (ClientError, BotoCoreError) as exc:
                _raise_unless_conflict(ops, action, exc, attempt)
            self._sleep(self._conflict_backoff(attempt))

    @property
    def reserves_on_loop(self) -> bool:
        return self._on_loop is not None

    async def reserve_on_loop(self, ops: Sequence[CounterOp],
                              action: str = "admitting the request") -> None:
        """``reserve`` from the event loop (``reserves_on_loop``): the same writes,
        retries and errors."""
        assert self._on_loop is not None
        if not _needs_write(ops):
            return
        if len(ops) == 1:
            try:
                await self._on_loop.call("UpdateItem", self.update_of(ops[0]))
            except (ClientError, BotoCoreError) as exc:
                _raise_refused_one(ops[0], action, exc)
            return
        items = [{"Update": self.update_of(op)} for op in ops]
        for attempt in range(CONFLICT_RETRIES):
            try:
                await self._on_loop.call("TransactWriteItems", {"TransactItems": items})
                return
            except (ClientError, BotoCoreError) as exc:
                _raise_unless_conflict(ops, action, exc, attempt)
            await asyncio.sleep(self._conflict_backoff(attempt))

    def _conflict_backoff(self, attempt: int) -> float:
        return min(0.5, 0.01 * 2**attempt) * self._rand()

    def apply(self, ops: Iterable[CounterOp], action: str = "settling counters") -> None:
        """Unlimited ops, one UpdateItem each (used where no ledger transaction carries
        them, e.g. releasing a quota reservation)."""
        for op in ops:
            try:
                self._client.update_item(**self.update_of(op))
            except (ClientError, BotoCoreError) as exc:
                raise storage_error(action, exc) from exc

    def read(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
        """Current values of counters (missing ones are absent), eventually consistent."""
        wanted = list(dict.fromkeys(keys))
        out: dict[tuple[str, str], Decimal] = {}
        for start in range(0, len(wanted), 100):
            request = {self._table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}}
                                              for pk, sk in wanted[start:start + 100]]}}
            try:
                while request:
                    resp = self._client.batch_get_item(RequestItems=request)
                    for item in resp.get("Responses", {}).get(self._table, []):
                        value = _counter_of(item)
                        if value is not None:
                            out[(item["pk"]["S"], item["sk"]["S"])] = value
                    request = resp.get("UnprocessedKeys") or {}
            except (ClientError, BotoCoreError) as exc:
                raise storage_error("reading quota counters", exc) from exc
        return out

    def update_of(self, op: CounterOp) -> dict[str, Any]:
        """The UpdateItem (or transaction Update) that applies ``op``."""
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"pk": {"S": op.pk}, "sk": {"S": op.sk}},
            "UpdateExpression": COUNTER_UPDATE,
            "ExpressionAttributeValues": {
                ":amount": n(op.amount),
                ":exp": n(op.expires_at),
            },
        }
        if op.limit is not None:
            update["ConditionExpression"] = "attribute_not_exists(n) OR n <= :room"
            update["ExpressionAttributeValues"][":room"] = n(op.limit - op.amount)
            update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return update


def _needs_write(ops: Sequence[CounterOp]) -> bool:
    """False when there is nothing to write; ``LimitReached`` for an op no window fits."""
    for op in ops:
        if not op.fits_alone:
            raise LimitReached(op, None)
    return bool(ops)


def _raise_refused_one(op: CounterOp, action: str,
                       exc: ClientError | BotoCoreError) -> NoReturn:
    """A single op's UpdateItem failed: its limit, or storage."""
    if isinstance(exc, ClientError) and \
            exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
        raise LimitReached(op, _counter_of(exc.response.get("Item"))) from exc
    raise storage_error(action, exc) from exc


def _raise_unless_conflict(ops: Sequence[CounterOp], action: str,
                           exc: ClientError | BotoCoreError, attempt: int) -> None:
    """A reserving transaction failed: the limit that did not fit, storage, or (returns)
    a conflict to try again after a backoff."""
    if isinstance(exc, BotoCoreError):
        raise storage_error(action, exc) from exc
    reasons = exc.response.get("CancellationReasons") or []
    for op, reason in zip(ops, reasons, strict=False):
        if reason.get("Code") == "ConditionalCheckFailed":
            raise LimitReached(op, _counter_of(reason.get("Item"))) from exc
    if not any(r.get("Code") == "TransactionConflict" for r in reasons):
        raise storage_error(action, exc) from exc
    if attempt == CONFLICT_RETRIES - 1:
        raise storage_error(action, exc) from exc


def without_expired_counters(transaction: Sequence[dict[str, Any]],
                             now: float) -> tuple[list[dict[str, Any]], int]:
    """``transaction`` less its counter updates whose window item has expired by ``now``
    (epoch seconds), and how many were left out.

    A settle replayed late (the outbox, hours after DynamoDB came back) would otherwise
    re-create a window item TTL has removed, holding only the settlement: a budget or
    token counter below zero, for a window no admission reads any more. Leaving the
    update out loses nothing: the window is over, and the ledger item and rollups (other
    updates) still carry the booking."""
    kept = [item for item in transaction if not _expired_counter(item, now)]
    return kept, len(transaction) - len(kept)


def split_counter_updates(transaction: Sequence[dict[str, Any]]
                          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``transaction``'s other items, and its counter updates (budget, token and quota
    settlements: ``COUNTER_UPDATE``; rollups are other items)."""
    rest: list[dict[str, Any]] = []
    counters: list[dict[str, Any]] = []
    for item in transaction:
        (counters if is_counter_update(item) else rest).append(item)
    return rest, counters


def is_counter_update(item: dict[str, Any]) -> bool:
    update = item.get("Update")
    return isinstance(update, dict) and update.get("UpdateExpression") == COUNTER_UPDATE


def counter_expiry(item: dict[str, Any]) -> Decimal:
    """When a counter update's window item expires (epoch seconds)."""
    return Decimal(item["Update"]["ExpressionAttributeValues"][":exp"]["N"])


def _expired_counter(item: dict[str, Any], now: float) -> bool:
    if not is_counter_update(item):
        return False
    return counter_expiry(item) <= Decimal(str(now))


def _counter_of(item: dict[str, Any] | None) -> Decimal | None:
    if not item or "n" not in item:
        return None
    return Decimal(item["n"]["N"])
