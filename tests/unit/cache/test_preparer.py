"""Learnt entries' texts are prepared for the verifier off the request path: the newest
first, up to ``prepare_ahead``, never while a lookup runs, each text once; an entry this
instance stored itself is not offered (its text was prepared as the query)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from llm_router.cache.entry import CachedAnswer, IndexRecord
from llm_router.cache.preparer import Preparer
from llm_router.cache.service import ResponseCache
from llm_router.cache.store import journal_sk
from llm_router.catalog import CacheConfig

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
FAR = int((T0 + timedelta(days=1)).timestamp())


class Nets:
    """``PairVerifier.prepare_many``'s contract: texts not kept yet are prepared."""

    def __init__(self) -> None:
        self.kept: set[str] = set()
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()

    def prepare_many(self, texts: Sequence[str], lone: bool = False) -> int:
        assert lone
        self.gate.wait(10)
        cold = [t for t in dict.fromkeys(texts) if t not in self.kept]
        self.batches.append(cold)
        self.kept.update(cold)
        return len(cold)


def record(key: str, at: datetime, vector: bool = True) -> IndexRecord:
    embedding = np.ones(8, dtype=np.float32) if vector else None
    return IndexRecord(key, "ctx", f"text {key}", embedding, FAR, journal_sk(at, key))


class Store:
    def __init__(self, journal: list[IndexRecord]) -> None:
        self.journal = journal

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        return [r for r in self.journal if r.journal_sk > after][-newest if newest else 0:]

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        return [r.journal_sk for r in self.journal if after < r.journal_sk <= through]

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        return None


class Snapshots:
    def __init__(self, records: list[IndexRecord]) -> None:
        self.records = records

    def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
        return self.records, self.records[-1].journal_sk if self.records else ""


def test_the_newest_texts_are_prepared_first_and_only_up_to_ahead() -> None:
    nets = Nets()
    preparer = Preparer(lambda: nets, ahead=5, batch=2)  # type: ignore[arg-type,return-value]
    preparer.offer([f"t{i}" for i in range(12)])  # oldest first
    assert preparer.drain(10)
    assert nets.batches == [["t11", "t10"], ["t9", "t8"], ["t7"]]
    assert preparer.prepared == 5
    preparer.offer(["t11", "t12"])  # t11 is kept: only t12 costs a pass
    assert preparer.drain(10)
    assert nets.batches[-1] == ["t12"] and preparer.prepared == 6


def test_no_batch_starts_while_a_lookup_runs() -> None:
    nets = Nets()
    preparer = Preparer(lambda: nets, ahead=10, batch=2)  # type: ignore[arg-type,return-value]
    with preparer.lookup():
        preparer.offer(["a", "b"])
        assert not preparer.drain(0.3)
        assert nets.batches == []
    assert preparer.drain(10)
    assert nets.batches == [["b", "a"]]


def test_nothing_is_prepared_when_there_are_no_nets_or_none_ahead() -> None:
    alone = Preparer(lambda: None, ahead=10)
    alone.offer(["a", "b"])
    assert alone.drain(10) and alone.prepared == 0
    nets = Nets()
    off = Preparer(lambda: nets, ahead=0)  # type: ignore[arg-type,return-value]
    off.offer(["a"])
    assert off.drain(1) and nets.batches == []


def test_a_failing_load_drops_the_offers_and_is_logged() -> None:
    def broken() -> Any:
        raise OSError("no artefact")

    preparer = Preparer(broken, ahead=10)
    preparer.offer(["a"])
    assert preparer.drain(10) and preparer.prepared == 0


def test_entries_learnt_from_the_snapshot_and_the_journal_are_offered_once() -> None:
    nets = Nets()
    preparer = Preparer(lambda: nets, ahead=100)  # type: ignore[arg-type,return-value]
    snapshot = [record(f"s{i}", T0 + timedelta(seconds=i)) for i in range(3)]
    later = record("j0", T0 + timedelta(seconds=10))
    journal = [*snapshot, later, record("x", T0 + timedelta(seconds=11), vector=False)]
    clock = [0.0]
    cache = ResponseCache(CacheConfig(refresh_seconds=1.0, retrieval_map=None), Store(journal),  # type: ignore[arg-type]
                          snapshots=Snapshots(snapshot), dim=8, preparer=preparer,
                          monotonic=lambda: clock[0], clock=lambda: T0)
    with cache._synced("t"):
        pass
    assert preparer.drain(10)
    # The snapshot's, then the journal's (the overlap re-reads the snapshot's: no-ops);
    # the exact-only entry has no text to judge.
    assert sorted(nets.kept) == ["text j0", "text s0", "text s1", "text s2"]
    assert sum(len(b) for b in nets.batches) == 4
    clock[0] += 2.0
    with cache._synced("t"):  # the overlap reads them all again: nothing offered
        pass
    assert preparer.drain(10)
    assert sum(len(b) for b in nets.batches) == 4


def test_an_entry_this_instance_stored_is_not_offered() -> None:
    nets = Nets()
    preparer = Preparer(lambda: nets, ahead=100)  # type: ignore[arg-type,return-value]
    own = record("own", T0)
    store = Store([])
    cache = ResponseCache(CacheConfig(refresh_seconds=0, retrieval_map=None), store,  # type: ignore[arg-type]
                          dim=8, preparer=preparer, clock=lambda: T0)
    with cache._synced("t") as tenant:
        tenant.index.add(own)  # what ``remember`` does once the settle applied
    store.journal.append(own)  # then the journal serves it back
    with cache._synced("t"):
        pass
    assert preparer.drain(10)
    assert nets.batches == []


def test_with_the_verifier_off_nothing_is_offered() -> None:
    nets = Nets()
    preparer = Preparer(lambda: nets, ahead=100)  # type: ignore[arg-type,return-value]
    cache = ResponseCache(CacheConfig(verifier=False, retrieval_map=None), Store([]),  # type: ignore[arg-type]
                          snapshots=Snapshots([record("s", T0)]), dim=8, preparer=preparer,
                          clock=lambda: T0)
    with cache._synced("t"):
        pass
    assert preparer.drain(10) and nets.batches == []


def test_the_router_builds_its_cache_with_a_preparer_unless_told_not_to() -> None:
    from llm_router.bootstrap import build_cache
    from llm_router.catalog import Catalog
    from llm_router.settings import RouterSettings

    settings = RouterSettings(aws_endpoint_url="http://127.0.0.1:9")

    def preparer_of(cache: CacheConfig) -> Preparer | None:
        built = build_cache(settings, Catalog(cache=cache), dynamodb=None)
        assert built is not None
        return built._preparer

    on = preparer_of(CacheConfig())
    assert on is not None and on._ahead == CacheConfig().prepare_ahead == 1000
    assert preparer_of(CacheConfig(prepare_ahead=0)) is None
    assert preparer_of(CacheConfig(verifier=False)) is None
