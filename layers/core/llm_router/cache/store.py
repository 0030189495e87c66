"""Cache entries in DynamoDB, one partition per tenant.

Two items per entry, written in one transaction:

- ``A#<key>``: the answer (completion JSON, model, provider, the ledger cost of the
  original answer) with its hit count and the cost its hits saved;
- ``J#<created>#<key>``: the journal item (context, last user turn, float32 embedding),
  time-ordered so an instance reads only what is newer than what it has.

Both carry ``expires_at`` (DynamoDB TTL). Every access is keyed by the tenant, so one
tenant's query can never return another's items.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from botocore.exceptions import BotoCoreError, ClientError

from llm_router.cache.entry import CachedAnswer, IndexRecord, newest_within
from llm_router.schema import ChatCompletion
from llm_router.storage.dynamo import paged_items, storage_error
from llm_router.storage.numbers import n

JOURNAL = "J#"
ANSWER = "A#"
_JOURNAL_END = "J$"  # sorts right after every "J#..." key
MAX_ANSWER_BYTES = 300_000  # DynamoDB items stop at 400 KB
# The journal item holds the query: a longer one is not cached (it would not fit, and it
# rides in the request's settle transaction, which must never fail for the cache's sake).
MAX_QUERY_BYTES = 100_000


_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
# Journal reads start this far before the newest entry already seen (see
# ``ResponseCache._sync``): more than any clock skew or write delay between instances.
JOURNAL_OVERLAP_S = 60


def journal_sk(created_at: datetime, key: str) -> str:
    return f"{JOURNAL}{created_at.strftime(_STAMP)}#{key}"


def overlap_start(watermark: str, seconds: float = JOURNAL_OVERLAP_S) -> str:
    """A journal sort key ``seconds`` before ``watermark`` ("" stays "": read it all)."""
    if not watermark:
        return ""
    stamp = watermark[len(JOURNAL):].split("#", 1)[0]
    try:
        at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return ""  # not a journal key: read everything rather than miss an entry
    return f"{JOURNAL}{(at - timedelta(seconds=seconds)).strftime(_STAMP)}"


class DynamoCacheStore:
    def __init__(self, client: Any, table: str):
        self._client = client
        self._table = table

    def put(self, tenant_id: str, record: IndexRecord, answer: CachedAnswer) -> bool:
        """Store one entry; False when the answer is too large to cache."""
        items = self.entry_items(tenant_id, record, answer)
        if items is None:
            return False
        self._call("storing a cache entry", "transact_write_items", TransactItems=items)
        return True

    def entry_items(self, tenant_id: str, record: IndexRecord,
                    answer: CachedAnswer) -> list[dict[str, Any]] | None:
        """The two Puts of one entry, for a transaction (the request's settle carries
        them); None when the answer is too large to cache."""
        body = answer.completion.model_dump_json()
        query_bytes = len(record.text.encode()) + len(record.context.encode())
        if len(body) > MAX_ANSWER_BYTES or query_bytes > MAX_QUERY_BYTES:
            return None
        journal: dict[str, Any] = {
            "tenant_id": {"S": tenant_id}, "sk": {"S": record.journal_sk},
            "key": {"S": record.key}, "context": {"S": record.context},
            "text": {"S": record.text}, "expires_at": n(record.expires_at),
        }
        if record.embedding is not None:
            vector = np.ascontiguousarray(record.embedding, dtype=np.float32).reshape(-1)
            journal["embedding"] = {"B": vector.tobytes()}
        item = {
            "tenant_id": {"S": tenant_id}, "sk": {"S": ANSWER + record.key},
            "completion": {"S": body}, "model": {"S": answer.model},
            "provider": {"S": answer.provider}, "cost_usd": n(answer.cost_usd),
            "request_id": {"S": answer.request_id},
            "created_at": {"S": answer.created_at.isoformat()},
            "expires_at": n(answer.expires_at),
        }
        return [{"Put": {"TableName": self._table, "Item": item}},
                {"Put": {"TableName": self._table, "Item": journal}}]

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        resp = self._call("reading a cache entry", "get_item", TableName=self._table,
                          Key={"tenant_id": {"S": tenant_id}, "sk": {"S": ANSWER + key}},
                          ConsistentRead=False)
        item = resp.get("Item")
        if not item or "completion" not in item:
            return None
        return CachedAnswer(
            key=key,
            completion=ChatCompletion.model_validate_json(item["completion"]["S"]),
            model=item["model"]["S"],
            provider=item["provider"]["S"],
            cost_usd=Decimal(item["cost_usd"]["N"]),
            request_id=item["request_id"]["S"],
            created_at=datetime.fromisoformat(item["created_at"]["S"]),
            expires_at=int(item["expires_at"]["N"]),
        )

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        """Journal items newer than the sort key ``after`` ("" for all), oldest first;
        with ``newest`` or ``newest_bytes``, only the newest that many or those that hold
        no more (``newest_within``: read newest first, so a cold start under
        ``cache.max_entries`` and ``max_index_bytes`` reads no more than its index keeps)."""
        if newest is None and newest_bytes is None:
            return [_record(item) for item in self._journal(tenant_id, after, _JOURNAL_END)]
        items = self._journal(tenant_id, after, _JOURNAL_END, ScanIndexForward=False)
        return list(newest_within(map(_record, items), newest, newest_bytes))[::-1]

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        """The sort keys of the journal items after ``after`` up to ``through``, oldest
        first: keys only, so a sync learns what it has not seen without the items."""
        return [item["sk"]["S"]
                for item in self._journal(tenant_id, after, through, ProjectionExpression="sk")]

    def _journal(self, tenant_id: str, after: str, through: str,
                 **options: Any) -> Iterator[dict[str, Any]]:
        """The tenant's journal items after the sort key ``after`` ("" for all) up to
        ``through``, page by page as they are read (a caller that stops early reads no
        further page); ``options``: the Query's own (order, projection)."""
        items = paged_items(
            self._client, "query", "reading new cache entries", TableName=self._table,
            KeyConditionExpression="tenant_id = :t AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":t": {"S": tenant_id}, ":lo": {"S": after or JOURNAL}, ":hi": {"S": through},
            },
            **options)
        return (item for item in items if item["sk"]["S"] != after)

    def _call(self, action: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, method)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc


def _record(item: dict[str, Any]) -> IndexRecord:
    raw = item.get("embedding", {}).get("B")
    embedding = np.frombuffer(bytes(raw), dtype=np.float32).copy() if raw else None
    return IndexRecord(
        key=item["key"]["S"], context=item["context"]["S"], text=item["text"]["S"],
        embedding=embedding, expires_at=int(item["expires_at"]["N"]), journal_sk=item["sk"]["S"],
    )
