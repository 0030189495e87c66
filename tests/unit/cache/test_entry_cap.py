"""``cache.max_entries``: a tenant's index holds at most that many entries; the one
learnt first goes from the exact layer and the matrix together, is never served again,
and is not added back by a later journal read (the overlap re-reads the last minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.service import ResponseCache, Stored
from llm_router.catalog import CacheConfig

from .test_answers import Store, completion, request
from .test_journal_sync import JournalStore, record

POLICY = MatchPolicy(0.8)
T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=16)
    return (v / np.linalg.norm(v)).astype(np.float32)


def rec(key: str, seed: int | None, sk: str, expires: int = 1000,
        context: str = "c") -> IndexRecord:
    """``seed`` None: an exact-only entry (no embedding)."""
    return IndexRecord(key, context, f"question {key}", None if seed is None else vec(seed),
                       expires, sk)


def found(index: TenantIndex, seed: int, context: str = "c") -> str | None:
    lookup = index.search(vec(seed), context, 0, POLICY, "question")
    return lookup.match.key if lookup.match else None


def test_past_the_cap_the_entry_learnt_first_leaves_both_layers() -> None:
    index = TenantIndex(dim=16, capacity=1, max_entries=3)
    index.add(rec("a", 1, "J#1"))
    index.add(rec("b", None, "J#2"))  # exact-only entries count too
    for i, key in enumerate("cde", start=3):
        index.add(rec(key, i, f"J#{i}"))
    assert (len(index), index.semantic_rows, index.evicted) == (3, 3, 2)
    assert not index.has_live("a", 0) and not index.has_live("b", 0)
    assert found(index, 1) != "a"  # its own vector no longer finds it
    # The rows that stayed are whole: each is found by its own vector, text and all.
    for seed, key in ((3, "c"), (4, "d"), (5, "e")):
        assert index.has_live(key, 0) and found(index, seed) == key
        [(row, similarity)] = index.nearest(vec(seed), "c", 0, 1)
        assert index.text(row) == f"question {key}" and similarity > 0.999
    assert sorted(index.keys()) == ["c", "d", "e"]


def test_the_matrix_grows_no_further_than_the_cap() -> None:
    index = TenantIndex(dim=16, capacity=4, max_entries=6)
    for i in range(20):
        index.add(rec(f"k{i}", i, f"J#{i:03d}"))
    assert index._vectors.shape[0] == 6 and index.semantic_rows == 6
    assert index._vectors.base is None  # its own buffer, not a view of a larger one


def test_a_new_tenants_index_starts_small_and_grows_as_entries_come() -> None:
    """A new index of 384 dimensions holds a few KB (256 rows took 393 KB before session
    15: every tenant, or every key with ``scope: key``, paid it at its first entry)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = TenantIndex(384, max_entries=10_000)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 20_000
    for i in range(100):
        v = np.random.default_rng(i).normal(size=384).astype(np.float32)
        index.add(IndexRecord(f"k{i}", "c", f"q{i}", v / np.linalg.norm(v), 1000, f"J#{i:03d}"))
    assert 100 <= index._vectors.shape[0] <= 200 and len(index) == 100


def test_a_record_older_than_one_the_cap_let_go_is_not_added_back() -> None:
    index = TenantIndex(dim=16, max_entries=2)
    for i, key in enumerate("abc", start=1):
        index.add(rec(key, i, f"J#{i}"))
    assert index.evicted_through == "J#1"
    assert not index.add(rec("a", 1, "J#1"))  # the journal's overlap re-reads it
    assert not index.has_live("a", 0) and len(index) == 2
    # The same request answered again later is a new entry: in, and "b" out.
    assert index.add(rec("a", 1, "J#4"))
    assert index.has_live("a", 0) and not index.has_live("b", 0)
    assert sorted(index.keys()) == ["a", "c"]


def test_an_entry_added_again_with_a_new_expiry_counts_as_the_newest() -> None:
    index = TenantIndex(dim=16, max_entries=2)
    index.add(rec("a", 1, "J#1"))
    index.add(rec("b", 2, "J#2"))
    index.add(rec("a", 1, "J#3", expires=2000))  # stored again under the same key
    index.add(rec("c", 3, "J#4"))
    assert index.has_live("a", 1500) and not index.has_live("b", 0)


def test_without_a_cap_nothing_is_let_go() -> None:
    index = TenantIndex(dim=16)
    for i in range(50):
        index.add(rec(f"k{i}", i, f"J#{i:03d}"))
    assert len(index) == 50 and index.evicted == 0


def test_journal_reads_keep_the_newest_and_never_bring_an_evicted_entry_back() -> None:
    store, clock = JournalStore(), [0.0]
    rc = ResponseCache(CacheConfig(refresh_seconds=1.0, max_entries=3, retrieval_map=None),
                       store, dim=8, monotonic=lambda: clock[0], clock=lambda: T0)
    for i in range(5):  # all within the minute the journal's overlap re-reads
        store.put("t", record(f"k{i}", T0 + timedelta(seconds=i)), None)  # type: ignore[arg-type]
    for _ in range(3):
        with rc._synced("t") as tenant:
            assert [tenant.index.has_live(f"k{i}", 0) for i in range(5)] == [False] * 2 + [True] * 3
            assert tenant.index.semantic_rows == 3
        clock[0] += 2.0
    store.put("t", record("k5", T0 + timedelta(seconds=5)), None)  # type: ignore[arg-type]
    with rc._synced("t") as tenant:
        assert [tenant.index.has_live(f"k{i}", 0) for i in range(6)] == [False] * 3 + [True] * 3
    assert rc.entries("t") == 3


def test_an_evicted_entry_is_not_served_from_the_answers_kept_in_memory() -> None:
    """This instance stored it, so its answer is kept (``AnswerMemo``); once the cap lets
    the entry go, neither lookup serves it, though the memo still holds the answer."""
    store = Store()
    cache = ResponseCache(CacheConfig(refresh_seconds=3600, max_entries=2, retrieval_map=None),
                          store, clock=lambda: T0, dim=8)  # type: ignore[arg-type]
    assert cache.lookup_exact("t", request("first?")) is None  # loads the tenant
    for text in ("first?", "second?", "third?"):
        pending = cache.entry_for("t", request(text), None, text, completion(f"re {text}"),
                                  Stored("m", "p", Decimal("0.001")), "r")
        assert pending is not None
        store.apply(pending.items)
        cache.remember("t", pending)
    assert cache.lookup_exact("t", request("first?")) is None
    assert cache.lookup_exact_held("t", request("first?")) == (False, None)
    assert cache.lookup_exact("t", request("third?")) is not None
    assert cache.entries("t") == 2 and store.reads == 0



def test_contexts_no_entry_holds_are_forgotten_and_their_codes_never_reused() -> None:
    """Each conversation is a context: their codes must not outlive their entries, and a
    new context must never take the code of one still held (its rows would match)."""
    index = TenantIndex(dim=16)
    index.add(rec("a", 1, "J#1", expires=10, context="conversation 1"))
    index.add(rec("b", 2, "J#2", context="conversation 2"))
    index.drop_expired(100)
    index.add(rec("c", 3, "J#3", context="conversation 3"))
    assert found(index, 2, "conversation 3") != "b"
    assert found(index, 2, "conversation 2") == "b" and found(index, 3, "conversation 3") == "c"
    assert len(index._context_codes) == 2
