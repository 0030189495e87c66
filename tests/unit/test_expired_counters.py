"""A late replay leaves out only counter updates whose window item has expired."""

from __future__ import annotations

from decimal import Decimal

from llm_router.resilience.counters import CounterOp
from llm_router.storage.counters import DynamoCounters, without_expired_counters

NOW = 1_800_000_000


def counter(expires_at: int, amount: str = "-0.5") -> dict[str, object]:
    op = CounterOp("BUDGET#key#k", "d#20270115", Decimal(amount), expires_at)
    return {"Update": DynamoCounters(None, "counters").update_of(op)}


LEDGER_PUT = {"Put": {"TableName": "ledger", "Item": {"sk": {"S": "x"}},
                      "ConditionExpression": "attribute_not_exists(sk)"}}
# A rollup (same table, its own update) with an old expiry: booked data, always kept.
ROLLUP = {"Update": {"TableName": "counters", "Key": {"pk": {"S": "R"}, "sk": {"S": "s"}},
                     "UpdateExpression": "ADD requests :one SET expires_at = :exp",
                     "ExpressionAttributeValues": {":one": {"N": "1"},
                                                   ":exp": {"N": str(NOW - 10)}}}}


def test_expired_windows_are_left_out_and_everything_else_kept() -> None:
    live, expired, at_now = counter(NOW + 1), counter(NOW - 1), counter(NOW)
    kept, left_out = without_expired_counters([LEDGER_PUT, ROLLUP, live, expired, at_now],
                                              NOW)
    assert kept == [LEDGER_PUT, ROLLUP, live]
    assert left_out == 2


def test_a_transaction_replayed_in_time_is_unchanged() -> None:
    transaction = [LEDGER_PUT, ROLLUP, counter(NOW + 3600), counter(NOW + 7200, "3")]
    assert without_expired_counters(transaction, NOW) == (transaction, 0)
