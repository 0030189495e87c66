"""Counter ops (``llm_router.resilience.counters``) applied to the counters table.

``reserve`` applies limited ops all-or-nothing: one conditional UpdateItem for a single
op, one TransactWriteItems for several. DynamoDB evaluates each condition against the
item's current value inside the write, so concurrent requests on any number of
instances can never push a counter past its limit. Transactions touching the same item
at the same moment may be cancelled with ``TransactionConflict``; those are retried
with jittered backoff (botocore's own retries already cover throttling), then the
router fails closed with a ``StorageError``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.resilience.counters import CounterOp, LimitReached
from llm_router.storage.dynamo import storage_error
from llm_router.storage.numbers import n

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
    ):
        self._client = client
        self._table = table
        self._sleep = sleep
        self._rand = rand

    def reserve(self, ops: Sequence[CounterOp], action: str = "admitting the request") -> None:
        """Apply every op or none. Raises ``LimitReached`` or ``StorageError``."""
        for op in ops:
            if not op.fits_alone:
                raise LimitReached(op, None)
        if not ops:
            return
        if len(ops) == 1:
            self._update_one(ops[0], action)
            return
        items = [{"Update": self.update_of(op)} for op in ops]
        for attempt in range(CONFLICT_RETRIES):
            try:
                self._client.transact_write_items(TransactItems=items)
                return
            except ClientError as exc:
                reasons = exc.response.get("CancellationReasons") or []
                for op, reason in zip(ops, reasons, strict=False):
                    if reason.get("Code") == "ConditionalCheckFailed":
                        raise LimitReached(op, _counter_of(reason.get("Item"))) from exc
                if not any(r.get("Code") == "TransactionConflict" for r in reasons):
                    raise storage_error(action, exc) from exc
                if attempt == CONFLICT_RETRIES - 1:
                    raise storage_error(action, exc) from exc
            except BotoCoreError as exc:
                raise storage_error(action, exc) from exc
            self._sleep(min(0.5, 0.01 * 2**attempt) * self._rand())

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

    def _update_one(self, op: CounterOp, action: str) -> None:
        try:
            self._client.update_item(**self.update_of(op))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise LimitReached(op, _counter_of(exc.response.get("Item"))) from exc
            raise storage_error(action, exc) from exc
        except BotoCoreError as exc:
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


def _expired_counter(item: dict[str, Any], now: float) -> bool:
    update = item.get("Update")
    if not update or update.get("UpdateExpression") != COUNTER_UPDATE:
        return False
    return Decimal(update["ExpressionAttributeValues"][":exp"]["N"]) <= Decimal(str(now))


def _counter_of(item: dict[str, Any] | None) -> Decimal | None:
    if not item or "n" not in item:
        return None
    return Decimal(item["n"]["N"])
