"""Rollup items in the counters table: written in the settle transaction, summed on read.

Item key (``llm_router.rollups`` says what is counted):

  pk  RU#<tenant>#<granularity>#<dimension>#<shard>
  sk  <period>#<value>          e.g. 2026-12-03#gpt-4o-mini, 2026-12-03T14#simple

The shard is in the partition key, so a hot tenant's writes spread over ``shards``
partitions as well as items; the period leads the sort key, so any date range of one
(granularity, dimension) is one Query per shard.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from llm_router.ledger import LedgerEntry
from llm_router.rollups import (
    DEFAULT_SHARDS,
    LAYOUT,
    Counters,
    Dimension,
    Granularity,
    dimension_value,
    increments,
    period_of,
    shard_of,
    source_of,
)
from llm_router.storage.dynamo import paged_items
from llm_router.storage.items import WireForm, deserialize

RETENTION: dict[Granularity, timedelta] = {
    "day": timedelta(days=400), "hour": timedelta(days=35), "5min": timedelta(days=2)}
_META = ("pk", "sk", "expires_at")


def partition(tenant_id: str, granularity: Granularity, dimension: Dimension, shard: int) -> str:
    return f"RU#{tenant_id}#{granularity}#{dimension}#{shard}"


def rollup_updates(entry: LedgerEntry, table: str, shards: int = DEFAULT_SHARDS
                   ) -> list[dict[str, Any]]:
    """TransactItems adding one request to each of its rollup items (one shard): one per
    ``keys_of(entry)``, in its order, each in botocore's wire form (``WireForm``)."""
    shard = shard_of(entry.request_id, shards)
    adds = increments(entry)
    names = {f"#a{i}": name for i, name in enumerate(adds)}
    # One placeholder per distinct number: most counters of a request add 1, or its
    # completion tokens, and every value is serialised (botocore) and bound (the store)
    # once per item of the transaction.
    placeholders: dict[str, str] = {}
    terms = []
    for i, value in enumerate(adds.values()):
        text = _number(value)
        terms.append(f"#a{i} {placeholders.setdefault(text, f':v{len(placeholders)}')}")
    values = {placeholder: {"N": text} for text, placeholder in placeholders.items()}
    expression = "ADD " + ", ".join(terms) + " SET expires_at = :exp"
    at = entry.started_at.astimezone(UTC)
    periods = _periods(at)
    # int((at + RETENTION[g]).timestamp()), without a datetime per item: the retentions
    # are whole seconds (tests/unit/test_rollups.py compares the two).
    started_s = int(at.timestamp())
    items: list[dict[str, Any]] = []
    for granularity, dimensions in LAYOUT.items():
        period, expires = periods[granularity], {"N": str(started_s + _RETENTION_S[granularity])}
        for dimension in dimensions:
            items.append(WireForm(Update={
                "TableName": table,
                "Key": {"pk": {"S": partition(entry.tenant_id, granularity, dimension, shard)},
                        "sk": {"S": f"{period}#{dimension_value(entry, dimension)}"}},
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {**values, ":exp": expires},
            }))
    return items


_RETENTION_S: dict[Granularity, int] = {g: int(r.total_seconds()) for g, r in RETENTION.items()}


@dataclass(frozen=True)
class _Periods:
    """``period_of`` each granularity for one 5-minute slot of UTC time: a settle's keys
    were five datetime conversions and ``strftime`` calls (20-30 us), the same for
    every request of the slot."""

    slot: tuple[int, int, int, int, int]
    of: dict[Granularity, str]


_last: _Periods | None = None  # one slot; replaced as a whole (worker threads read it)


def _periods(at: datetime) -> dict[Granularity, str]:
    """``{g: period_of(g, at)}`` for ``at`` in UTC."""
    global _last
    slot = (at.year, at.month, at.day, at.hour, at.minute // 5)
    last = _last
    if last is None or last.slot != slot:
        last = _last = _Periods(slot, {g: period_of(g, at) for g in LAYOUT})
    return last.of


class DynamoRollups:
    """Reads rollups back, summing the shards."""

    def __init__(self, client: Any, table: str, shards: int = DEFAULT_SHARDS):
        self._client = client
        self._table = table
        self._shards = shards

    def read(
        self, tenant_id: str, granularity: Granularity, dimension: Dimension,
        first: str, last: str,
    ) -> dict[tuple[str, str], Counters]:
        """(period, value) -> counters, for periods from ``first`` to ``last`` inclusive
        (period strings: ``2026-12-03``, ``2026-12-03T14``, ``2026-12-03T14:05``).
        A dimension that is not stored is summed from the one it derives from
        (``llm_router.rollups.source_of``); one that cannot be raises ValueError."""
        stored, value_of = source_of(granularity, dimension)
        out: dict[tuple[str, str], Counters] = {}
        for shard in range(self._shards):
            pk = partition(tenant_id, granularity, stored, shard)
            for item in self._query(pk, first, last):
                period, _, value = item["sk"].partition("#")
                out.setdefault((period, value_of(value)), Counters()).add(
                    {k: v for k, v in item.items() if k not in _META})
        return out

    def by_value(self, tenant_id: str, granularity: Granularity, dimension: Dimension,
                 first: str, last: str) -> dict[str, Counters]:
        """value -> counters over the whole range."""
        out: dict[str, Counters] = {}
        for (_, value), counters in self.read(tenant_id, granularity, dimension,
                                              first, last).items():
            out.setdefault(value, Counters()).add(counters.values)
        return out

    def _query(self, pk: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        for raw in paged_items(
                self._client, "query", "reading the rollups", TableName=self._table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues={":pk": {"S": pk}, ":lo": {"S": first},
                                           ":hi": {"S": last + "#\U0010ffff"}}):
            yield {k: deserialize(v) for k, v in raw.items()}


def _number(value: int | Decimal) -> str:
    # Plain digits: str(Decimal) may print an exponent (9E-7), which moto refuses.
    # A whole number prints so already (most counters add 1 or a token count).
    return str(value) if type(value) is int else f"{Decimal(value):f}"
