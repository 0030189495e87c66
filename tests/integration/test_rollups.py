"""Sharded rollups against moto: written in the settle transaction, summed on read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from llm_router.ledger import LedgerEntry
from llm_router.rollups import shard_of
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.rollups import partition

from .conftest import Storage

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def book(ledger: DynamoLedger, i: int, **kw) -> LedgerEntry:
    base = dict(request_id=f"req_sh_{i}", tenant_id="t-shard", key_id=f"k{i % 2}",
                started_at=AT + timedelta(minutes=i), requested_model="auto", success=True,
                status=200, latency_ms=100.0 + i, model="small" if i % 3 else "big",
                provider="p", tier="simple", prompt_tokens=10, completion_tokens=5,
                cost_usd=Decimal("0.000123") * (i + 1))
    entry = LedgerEntry(**{**base, **kw})
    assert ledger.record(entry)
    return entry


def test_sharded_rollups_sum_to_the_ledger(storage: Storage) -> None:
    ledger = DynamoLedger(storage.client, storage.settings.ledger_table,
                          storage.settings.counters_table, shards=4)
    entries = [book(ledger, i) for i in range(24)]
    assert not ledger.record(entries[0])  # a second settle of one request is a no-op
    shards_used = {shard_of(e.request_id, 4) for e in entries}
    assert len(shards_used) > 1  # the test means nothing if all landed in one shard
    for shard in shards_used:  # each shard holds part of the day, none all of it
        resp = storage.client.query(
            TableName=storage.settings.counters_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": partition("t-shard", "day", "route",
                                                              shard)}})
        assert 0 < sum(int(i["requests"]["N"]) for i in resp["Items"]) < len(entries)

    per_model = ledger.rollups.by_value("t-shard", "day", "model", "2026-11-20", "2026-11-20")
    assert sum(c.requests for c in per_model.values()) == len(entries)
    assert sum((c["cost_usd"] for c in per_model.values()), Decimal(0)) == sum(
        (e.cost_usd for e in entries), Decimal(0))
    assert per_model["big"].requests == len([e for e in entries if e.model == "big"])

    by_key = ledger.rollups.by_value("t-shard", "day", "key", "2026-11-20", "2026-11-20")
    assert {k: c.requests for k, c in by_key.items()} == {"k0": 12, "k1": 12}
    hours = ledger.rollups.read("t-shard", "hour", "all", "2026-11-20T09", "2026-11-20T10")
    assert {p: c.requests for (p, _), c in hours.items()} == {"2026-11-20T09": 24}
    windows = ledger.rollups.read("t-shard", "5min", "all", "2026-11-20T09:30",
                                  "2026-11-20T09:40")
    assert sum(c.requests for c in windows.values()) == 15  # 09:30 .. 09:44
    assert ledger.rollup("2026-11-20", "t-shard")["big"]["requests"] == 8
