"""The cache journal is read with an overlap, so an entry that lands late (a slow write,
an instance whose clock is behind) is not skipped; entries applied twice change
nothing; and the index is safe to use from many threads at once."""

from __future__ import annotations

import bisect
import random
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from llm_router.cache.entry import CachedAnswer, IndexRecord, newest_within
from llm_router.cache.service import PendingEntry, ResponseCache, _Tenant
from llm_router.cache.store import journal_sk, overlap_start
from llm_router.catalog import CacheConfig

from .test_answers import answer

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
FAR = int((T0 + timedelta(days=1)).timestamp())


class JournalStore:
    """The journal's contract as DynamoDB serves it: items sorted by sk, read after a
    sort key (exclusive), oldest first."""

    def __init__(self) -> None:
        self.journal: list[IndexRecord] = []
        self.reads: list[str] = []
        self.items_read = 0  # items returned whole
        self.keys_read = 0  # keys returned by ``journal_keys``
        self._lock = threading.Lock()

    def put(self, tenant_id: str, record: IndexRecord, answer: CachedAnswer) -> bool:
        with self._lock:
            keys = [r.journal_sk for r in self.journal]
            self.journal.insert(bisect.bisect(keys, record.journal_sk), record)
        return True

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        self.reads.append(after)
        with self._lock:
            found = [r for r in self.journal if r.journal_sk > after]
        if newest is not None or newest_bytes is not None:  # as DynamoCacheStore reads them
            found = list(newest_within(reversed(found), newest, newest_bytes))[::-1]
        self.items_read += len(found)
        return found

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        with self._lock:
            keys = [r.journal_sk for r in self.journal if after < r.journal_sk <= through]
        self.keys_read += len(keys)
        return keys

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        return None


def record(key: str, at: datetime, vector: bool = True) -> IndexRecord:
    embedding = np.random.default_rng(len(key)).random(8, dtype=np.float32) if vector else None
    return IndexRecord(key, "ctx", f"text {key}", embedding, FAR, journal_sk(at, key))


def cache(store: JournalStore, clock: list[float]) -> ResponseCache:
    return ResponseCache(CacheConfig(refresh_seconds=1.0, retrieval_map=None), store, dim=8,
                         monotonic=lambda: clock[0], clock=lambda: T0)


def test_an_entry_that_lands_late_with_an_older_stamp_is_still_read() -> None:
    store, clock = JournalStore(), [0.0]
    rc = cache(store, clock)
    store.put("t", record("a", T0), None)  # type: ignore[arg-type]
    assert rc.entries("t") == 0
    with rc._synced("t"):
        pass
    assert rc.entries("t") == 1
    # Another instance commits an entry stamped 5 s before "a", after we read "a".
    store.put("t", record("b", T0 - timedelta(seconds=5)), None)  # type: ignore[arg-type]
    clock[0] += 2.0
    with rc._synced("t") as tenant:
        assert tenant.index.has_live("b", 0)
    assert rc.entries("t") == 2
    assert store.reads[-1] == overlap_start(journal_sk(T0, "a"))


def test_overlap_start_is_a_sort_key_before_the_watermark() -> None:
    mark = journal_sk(T0, "k")
    start = overlap_start(mark, 60)
    assert start < journal_sk(T0 - timedelta(seconds=59), "") < mark
    assert overlap_start("") == "" and overlap_start("garbage") == ""


def test_applying_the_same_entries_twice_changes_nothing() -> None:
    store, clock = JournalStore(), [0.0]
    rc = cache(store, clock)
    for i in range(5):
        store.put("t", record(f"k{i}", T0 + timedelta(seconds=i)), None)  # type: ignore[arg-type]
    for _ in range(3):  # every read overlaps the previous one
        clock[0] += 2.0
        with rc._synced("t") as tenant:
            rows, count = tenant.index.semantic_rows, len(tenant.index)
    assert (rows, count) == (5, 5)


def test_many_threads_store_and_look_up_at_once() -> None:
    store, clock = JournalStore(), [0.0]
    rc = cache(store, clock)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(150):
                rec = record(f"w{worker}-{i}", T0 + timedelta(microseconds=worker * 1000 + i))
                store.put("t", rec, None)  # type: ignore[arg-type]
                with rc._synced("t") as tenant:
                    tenant.index.add(rec)
                    assert tenant.index.has_live(rec.key, 0)
                clock[0] += 0.5  # some threads also sync the journal meanwhile
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rc.entries("t") == 8 * 150
    with rc._synced("t") as tenant:
        assert tenant.index.semantic_rows == 8 * 150


def test_expired_entries_leave_memory_at_a_later_sync() -> None:
    from llm_router.cache.service import PRUNE_SECONDS

    store, clock, wall = JournalStore(), [0.0], [T0]
    rc = ResponseCache(CacheConfig(refresh_seconds=1.0, retrieval_map=None), store, dim=8,
                       monotonic=lambda: clock[0], clock=lambda: wall[0])
    soon = int((T0 + timedelta(minutes=5)).timestamp())
    store.put("t", IndexRecord("old", "ctx", "text old", np.ones(8, np.float32), soon,
                               journal_sk(T0, "old")), None)  # type: ignore[arg-type]
    store.put("t", record("new", T0 + timedelta(seconds=1)), None)  # type: ignore[arg-type]
    with rc._synced("t"):
        pass
    assert rc.entries("t") == 2
    wall[0] = T0 + timedelta(minutes=10)  # "old" expired; "new" lives a day
    clock[0] += PRUNE_SECONDS
    with rc._synced("t") as tenant:
        assert tenant.index.semantic_rows == 1 and not tenant.index.has_live("old", 0)
    assert rc.entries("t") == 1


def test_a_sync_reads_whole_only_the_items_it_has_not_seen() -> None:
    """Its own entries and the items it read are read again by key only (the overlap);
    what another instance wrote since, and an item that landed late, whole."""
    store, clock = JournalStore(), [0.0]
    rc = cache(store, clock)
    for i in range(5):
        store.put("t", record(f"k{i}", T0 + timedelta(seconds=i)), None)  # type: ignore[arg-type]
    with rc._synced("t"):
        pass
    assert store.items_read == 5
    own = record("own", T0 + timedelta(seconds=6))
    store.put("t", own, None)  # type: ignore[arg-type]
    rc.remember("t", PendingEntry(own, [], answer("own")))  # this instance's settle
    for _ in range(3):
        clock[0] += 2.0
        with rc._synced("t"):
            pass
    assert store.items_read == 5 and store.keys_read == 3 * 6
    store.put("t", record("other", T0 + timedelta(seconds=7)), None)  # type: ignore[arg-type]
    store.put("t", record("late", T0 + timedelta(seconds=3.5)), None)  # type: ignore[arg-type]
    clock[0] += 2.0
    with rc._synced("t") as tenant:
        assert tenant.index.has_live("other", 0) and tenant.index.has_live("late", 0)
    # read whole from "late" on: it, the two seen after it (k4, own) and "other"
    assert store.items_read == 5 + 4 and rc.entries("t") == 8


class FullOverlap(ResponseCache):
    """The journal read before the cursor: the whole overlap, every sync."""

    def _unseen(self, tenant_id: str, tenant: _Tenant) -> list[IndexRecord]:
        return self._store.journal_since(tenant_id, overlap_start(tenant.index.watermark),
                                         newest=self.config.max_entries,
                                         newest_bytes=self.config.max_index_bytes)


@pytest.mark.parametrize("seed", range(6))
def test_the_cursor_leaves_every_index_as_the_whole_overlap_did(seed: int) -> None:
    """Other instances' entries (some landing late, up to the overlap), this instance's
    own, entries expiring and the cap letting the oldest go, in random order: after every
    sync both indexes hold the same entries, in the same order, and the same marks; the
    caps on entries and on bytes alike."""
    rng = random.Random(seed)
    wall = [T0]
    clock = [0.0]
    store = JournalStore()
    config = CacheConfig(refresh_seconds=1.0, max_entries=rng.choice([10_000, 40]),
                         max_index_bytes=rng.choice([32 * 2**20, 30 * 2_160]),
                         retrieval_map=None)
    caches = [kind(config, store, dim=8, monotonic=lambda: clock[0], clock=lambda: wall[0])
              for kind in (ResponseCache, FullOverlap)]
    for step in range(400):
        wall[0] += timedelta(seconds=rng.choice([0.1, 0.5, 1.0]))
        clock[0] += rng.choice([0.3, 1.0, 2.5])
        late = timedelta(seconds=rng.choice([0, 0, 0, 1, 5, 30, 59]))
        ttl = rng.choice([20, 600, 86_400])
        key = f"k{step}"
        made = IndexRecord(key, "ctx", f"text {key}",
                           np.random.default_rng(step).random(8, dtype=np.float32),
                           int((wall[0] + timedelta(seconds=ttl)).timestamp()),
                           journal_sk(wall[0] - late, key))
        store.put("t", made, None)  # type: ignore[arg-type]
        if rng.random() < 0.3:  # this instance's own entry: both caches remember it
            for rc in caches:
                rc.remember("t", PendingEntry(made, [], answer(key)))
        states = []
        for rc in caches:
            with rc._synced("t") as tenant:
                states.append((list(tenant.index._exact.items()), tenant.index.watermark,
                               tenant.index.evicted_through, tenant.index.semantic_rows))
        assert states[0] == states[1], step
    assert store.keys_read > 0
