"""What a journal sync costs when nothing new has come: the whole overlap read again (the
read before session 15) against the cursor (the overlap's keys only, items from the
first unseen key on).

    .venv/bin/python bench/journal_sync.py [--entries 2400] [--syncs 50]

A tenant's journal holds ``--entries`` entries of the last minute (a 384-float
embedding and a short text each, as the soak's: ``bench/soak.py --cache`` stores ~2,300
a minute at ~40 requests a second), all already in the instance's index (its own, or
read before). Each sync reads the journal through the real ``DynamoCacheStore`` and
boto3 client on the embedded store in this process (``InProcessStore``: no socket, so
the figure is the store's work and the client's, without HTTP). Prints the CPU of a sync
(process time, both sides) and the items and keys it read, for both reads.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from llm_router.cache.entry import CachedAnswer, IndexRecord
from llm_router.cache.service import ResponseCache
from llm_router.cache.store import DynamoCacheStore, journal_sk, overlap_start
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatCompletion
from llm_router.settings import RouterSettings
from llm_router.storage.tables import physical_table_names
from llm_router_local.store.inprocess import InProcessStore

TENANT = "bench"


class Counting(DynamoCacheStore):
    items = keys = 0

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        found = super().journal_since(tenant_id, after, newest)
        self.items += len(found)
        return found

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        found = super().journal_keys(tenant_id, after, through)
        self.keys += len(found)
        return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2400)
    parser.add_argument("--syncs", type=int, default=50)
    args = parser.parse_args()
    settings = RouterSettings(aws_endpoint_url=None)
    client = InProcessStore().create_tables(physical_table_names(settings))
    store = Counting(client, settings.cache_table)
    now = datetime.now(UTC)
    rng = np.random.default_rng(0)
    records = []
    for i in range(args.entries):
        vector = rng.standard_normal(384).astype(np.float32)
        key = f"{i:064x}"
        records.append(IndexRecord(
            key, "ctx", f"Benchmark request {i}: say hello.", vector / np.linalg.norm(vector),
            int((now + timedelta(days=1)).timestamp()),
            journal_sk(now - timedelta(seconds=59 * (1 - i / args.entries)), key)))
    for start in range(0, len(records), 50):
        client.transact_write_items(TransactItems=[
            _journal_put(store, r) for r in records[start:start + 50]])
    cache = ResponseCache(CacheConfig(refresh_seconds=0), store, clock=lambda: now)
    with cache._synced(TENANT) as tenant:  # the first read: every entry, whole
        index = tenant.index

    def whole_overlap() -> None:  # the sync before session 15: read it all, add it again
        for record in store.journal_since(TENANT, overlap_start(index.watermark)):
            index.add(record)

    def cursor() -> None:  # the sync now (``ResponseCache._unseen``)
        with cache._synced(TENANT):
            pass

    for name, sync in (("whole overlap", whole_overlap), ("cursor", cursor)):
        store.items = store.keys = 0
        started = time.process_time()
        for _ in range(args.syncs):
            sync()
        cpu_ms = (time.process_time() - started) * 1000 / args.syncs
        print(f"{name:>13}: {cpu_ms:7.2f} ms CPU a sync, {store.items / args.syncs:,.0f} "
              f"items and {store.keys / args.syncs:,.0f} keys read a sync", flush=True)
    return 0


def _journal_put(store: Counting, record: IndexRecord) -> dict[str, Any]:
    """The entry's journal item (``entry_items``' second Put; its answer, "hello", is
    never too large to cache)."""
    items = store.entry_items(TENANT, record, _answer(record))
    assert items is not None
    return items[1]


def _answer(record: IndexRecord) -> CachedAnswer:
    completion = ChatCompletion.model_validate({
        "id": "c", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "hello"}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
    return CachedAnswer(record.key, completion, "m", "p", Decimal("0.001"), "r",
                        datetime.now(UTC), record.expires_at)


if __name__ == "__main__":
    raise SystemExit(main())
