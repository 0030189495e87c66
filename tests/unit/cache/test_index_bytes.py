"""``cache.max_index_bytes``: what a tenant's index holds in memory (``IndexRecord.nbytes``:
long questions' texts are most of it) is bounded as its entries are (``max_entries``): past
it the entry learnt first goes from both layers, is never served again, and is not added
back by a later journal read."""

from __future__ import annotations

import hashlib
import random
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from llm_router.cache.entry import EXACT_BYTES, ROW_BYTES, IndexRecord, newest_within
from llm_router.cache.index import TenantIndex
from llm_router.cache.service import ResponseCache, Stored
from llm_router.cache.store import journal_sk
from llm_router.catalog import CacheConfig

from .test_answers import Store, completion, request
from .test_entry_cap import POLICY, rec, vec
from .test_journal_sync import JournalStore, record

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def long(key: str, seed: int | None, sk: str, chars: int = 5_000) -> IndexRecord:
    return IndexRecord(key, "c", f"question {key} " + "about this account " * (chars // 19),
                       None if seed is None else vec(seed), 1000, sk)


def found(index: TenantIndex, key: str, seed: int) -> str | None:
    """What a lookup of entry ``key``'s own question answers with."""
    lookup = index.search(vec(seed), "c", 0, POLICY, long(key, seed, "").text)
    return lookup.match.key if lookup.match else None


def test_an_entry_counts_its_text_and_row_and_an_exact_only_one_its_key() -> None:
    semantic, exact = long("a", 1, "J#1"), long("b", None, "J#2")
    assert semantic.nbytes == ROW_BYTES + sys.getsizeof(semantic.text)
    assert exact.nbytes == EXACT_BYTES  # the index keeps no text for it
    index = TenantIndex(dim=16)
    index.add(semantic)
    index.add(exact)
    assert index.nbytes == semantic.nbytes + EXACT_BYTES
    index.add(rec("a", 1, "J#3", expires=2000))  # stored again, a short text now
    assert index.nbytes == rec("a", 1, "J#3").nbytes + EXACT_BYTES
    index.add(long("a", None, "J#4"))  # exact-only: the row and its text stay
    assert index.nbytes == rec("a", 1, "J#3").nbytes + EXACT_BYTES
    index.remove("b")
    index.drop_expired(3000)
    assert index.nbytes == 0 and len(index) == 0


def test_past_the_bytes_the_entries_learnt_first_go_from_both_layers() -> None:
    each = long("x", 0, "J#0").nbytes
    index = TenantIndex(dim=16, max_entries=100, max_bytes=3 * each + 100)
    for i in range(6):
        index.add(long(f"k{i}", i + 1, f"J#{i}"))
    assert (len(index), index.semantic_rows, index.evicted) == (3, 3, 3)
    assert index.nbytes <= index.max_bytes and index.evicted_through == "J#2"
    for i in range(3):  # the oldest went, in the order they came
        assert not index.has_live(f"k{i}", 0) and found(index, f"k{i}", i + 1) is None
    for i in range(3, 6):  # the rows that stayed are whole
        assert index.has_live(f"k{i}", 0) and found(index, f"k{i}", i + 1) == f"k{i}"
    # Short entries fit many to one long one: the next long one lets several go.
    for i in range(6, 9):
        index.add(rec(f"k{i}", i + 1, f"J#{i}"))
    assert len(index) == 5 and not index.has_live("k3", 0)
    index.add(long("k9", 10, "J#9"))
    assert [index.has_live(f"k{i}", 0) for i in range(4, 10)] == [False] + [True] * 5


def test_a_record_older_than_one_the_bytes_let_go_is_not_added_back() -> None:
    each = long("x", 0, "J#0").nbytes
    index = TenantIndex(dim=16, max_bytes=2 * each)
    for i in range(3):
        index.add(long(f"k{i}", i + 1, f"J#{i}"))
    assert not index.add(long("k0", 1, "J#0"))  # the journal's overlap re-reads it
    assert not index.has_live("k0", 0) and found(index, "k0", 1) is None


def test_the_newest_entry_stays_however_large() -> None:
    index = TenantIndex(dim=16, max_bytes=1_000)
    index.add(rec("a", 1, "J#1"))
    index.add(long("b", 2, "J#2"))
    assert len(index) == 1 and found(index, "b", 2) == "b" and index.nbytes > index.max_bytes


def test_the_count_is_never_under_what_the_index_holds() -> None:
    """tracemalloc's bytes for an index of questions of 40 to 20,000 characters, ASCII
    and not, their records dropped once added (as a journal read's): ``nbytes`` is never
    under them, and over by under 10 % (its matrix made as large as the entries, as the caps
    leave it)."""
    for chars, letter in ((40, "w"), (2_000, "w"), (20_000, "w"), (5_000, "é"), (5_000, "😀")):
        rng = np.random.default_rng(0)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            index = TenantIndex(384, capacity=200)
            for i in range(200):
                v = rng.normal(size=384).astype(np.float32)
                key = hashlib.sha256(str(i).encode()).hexdigest()  # as the request path's
                index.add(IndexRecord(key, hashlib.sha256(b"context").hexdigest(),
                                      f"Question {i}: " + letter * chars, v / np.linalg.norm(v),
                                      1000, journal_sk(T0 + timedelta(microseconds=i), key)))
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert held <= index.nbytes <= held * 1.1, (chars, letter, held, index.nbytes)


def test_the_cache_config_bounds_each_tenants_index_and_an_evicted_entry_is_not_served(
) -> None:
    """This instance stored them, so their answers are kept (``AnswerMemo``); once the
    bytes let the first go, neither lookup serves it."""
    store = Store()
    texts = [f"question {n}: " + "tell me about this account " * 40
             for n in ("one", "two", "three")]
    budget = 2 * IndexRecord("k", "c", texts[0], vec(1), 0, "J#").nbytes + 10
    config = CacheConfig(refresh_seconds=3600, max_index_bytes=budget, verifier=False,
                         retrieval_map=None)
    cache = ResponseCache(config, store, clock=lambda: T0, dim=16)  # type: ignore[arg-type]
    assert cache.lookup_exact("t", request(texts[0])) is None  # loads the tenant
    for seed, text in enumerate(texts, start=1):
        pending = cache.entry_for("t", request(text), vec(seed), text, completion(f"re {text}"),
                                  Stored("m", "p", Decimal("0.001")), "r")
        assert pending is not None
        store.apply(pending.items)
        cache.remember("t", pending)
    assert cache.entries("t") == 2
    assert cache.lookup_exact("t", request(texts[0])) is None
    assert cache.lookup_exact_held("t", request(texts[0])) == (False, None)
    assert cache.lookup_semantic("t", request(texts[0]), vec(1), texts[0]) is None
    assert cache.lookup_exact("t", request(texts[2])) is not None


def test_journal_reads_keep_the_newest_within_the_bytes() -> None:
    store, clock = JournalStore(), [0.0]
    each = record("k0", T0).nbytes
    rc = ResponseCache(CacheConfig(refresh_seconds=1.0, max_index_bytes=3 * each,
                                   retrieval_map=None), store,
                       dim=8, monotonic=lambda: clock[0], clock=lambda: T0)
    for i in range(5):  # all within the minute the journal's overlap re-reads
        store.put("t", record(f"k{i}", T0 + timedelta(seconds=i)), None)  # type: ignore[arg-type]
    for _ in range(3):
        with rc._synced("t") as tenant:
            assert [tenant.index.has_live(f"k{i}", 0) for i in range(5)] == [False] * 2 + [True] * 3
        clock[0] += 2.0


def test_what_a_journal_read_or_a_rebuild_keeps_is_what_the_index_keeps() -> None:
    """``newest_within`` over the newest first, against an index fed oldest first under the
    same caps, texts of random lengths (the snapshot rebuild and a cold instance's journal
    read keep no more than the index would)."""
    rng = random.Random(0)
    for _ in range(200):
        records = [IndexRecord(f"k{i}", "c", "x" * rng.choice([1, 100, 3_000, 20_000]),
                               vec(i) if rng.random() < 0.9 else None, 1000, f"J#{i:04d}")
                   for i in range(rng.randint(1, 40))]
        entries = rng.choice([None, 1, 5, 30])
        nbytes = rng.choice([None, 1, 10_000, 60_000])
        index = TenantIndex(dim=16, max_entries=entries, max_bytes=nbytes)
        for r in records:
            index.add(r)
        kept = [r.key for r in newest_within(reversed(records), entries, nbytes)][::-1]
        assert kept == list(index._exact), (entries, nbytes)
