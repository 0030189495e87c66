"""The semantic lookup's verifier pass runs outside the tenant's lock (``prescore``), its
verdict under it (``TenantIndex.search``): whatever happens to the index while the pass
runs, the answer is the one a serial ``search`` on the index as it is then gives, and the
exact lookup and the entry added after a settle do not wait for the pass. The
cross-encoder is an untrained artefact of MiniLM's first layers (its probabilities mean
nothing; which pairs it is asked about, when, and what the lookup answers, do)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llm_router.cache.cross import CrossVerifier, load_cross_verifier
from llm_router.cache.index import Lookup
from llm_router.cache.keys import context_key
from llm_router.cache.policy import policy_for
from llm_router.cache.service import ResponseCache, Stored
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder

from .test_answers import T0, Store, completion, request
from .toy_cross import installed, toy_artefact

QUERY = "How do I cancel my order?"
NEAREST = "How can I cancel my order?"  # added while the lookup's pass runs
OTHERS = ["How do I cancel an order I placed?", "Can I cancel my order after it shipped?",
          "How do I track my order?", "Where is my order?"]
WAIT = 20.0  # seconds a step may take before the test fails instead of hanging


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return shared_embedder()


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return toy_artefact(tmp_path_factory)


@pytest.fixture()
def cross(embedder: MiniLMEmbedder, artefact: Path,
          monkeypatch: pytest.MonkeyPatch) -> CrossVerifier:
    verifier = installed(embedder, artefact, monkeypatch)
    return verifier


# Every candidate over the floor passes the verifier: the nearest one the checks let
# through answers, so an entry added or removed meanwhile changes the answer.
# The raw cosine: the candidates below are the query's raw nearest entries.
CONFIG = CacheConfig(refresh_seconds=3600, verifier_model="cross", verifier_threshold=0.0,
                     retrieval_map=None)


class Cache:
    """A ``ResponseCache`` over the test store, one tenant, entries added as a settle
    does (``entry_for``, the transaction applied, ``remember``)."""

    def __init__(self, embedder: MiniLMEmbedder, texts: list[str]) -> None:
        self.embedder = embedder
        self.store = Store()
        self.cache = ResponseCache(CONFIG, self.store,  # type: ignore[arg-type]
                                   clock=lambda: T0)
        assert self.cache.lookup_exact("t", request(QUERY)) is None  # loads the tenant
        for text in texts:
            self.add(text)

    def add(self, text: str) -> str:
        pending = self.cache.entry_for("t", request(text), self.embedder.embed_one(text),
                                       text, completion(f"answer to {text}"),
                                       Stored("m", "p", Decimal("0.001")), "r")
        assert pending is not None
        self.store.apply(pending.items)
        self.cache.remember("t", pending)
        return pending.record.key

    def key(self, text: str) -> str:
        return next(r.key for r in self.store.journal if r.text == text)

    def lookup(self) -> Any:
        return self.cache.find_semantic("t", request(QUERY), self.embedder.embed_one(QUERY),
                                        QUERY)

    def serial(self, cross: CrossVerifier) -> Lookup:
        """``search`` alone on the index as it is now, every kept score dropped."""
        cross.forget()
        tenant = self.cache._tenants["t"]
        with tenant.lock:
            return tenant.index.search(self.embedder.embed_one(QUERY),
                                       context_key("t", request(QUERY)),
                                       int(T0.timestamp()), policy_for(CONFIG, "t"), QUERY)

    def locked(self) -> bool:
        return self.cache._tenants["t"].lock.locked()


class Passes:
    """The cross-encoder's passes: their pairs and whether the tenant's lock was held;
    the first pass blocks until ``go`` (what other requests do meanwhile is the test)."""

    def __init__(self, cross: CrossVerifier, cache: Cache,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[list[tuple[str, str]], bool]] = []
        self.entered, self.go = threading.Event(), threading.Event()
        scored = cross.encoder.scored

        def counted(pairs: list[tuple[str, str]]) -> Any:
            self.calls.append((list(pairs), cache.locked()))
            if len(self.calls) == 1:
                self.entered.set()
                assert self.go.wait(WAIT)
            return scored(pairs)

        monkeypatch.setattr(cross.encoder, "scored", counted)


@pytest.fixture()
def blocked(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Runs the lookup on a thread; yields a function that waits for its first pass."""
    threads: list[threading.Thread] = []

    def start(cache: Cache, passes: Passes) -> dict[str, Any]:
        out: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: out.update(found=cache.lookup()))
        threads.append(thread)
        thread.start()
        assert passes.entered.wait(WAIT), "the lookup never reached the verifier"
        out["thread"] = thread
        return out

    yield start
    for thread in threads:
        thread.join(WAIT)


def finish(out: dict[str, Any], passes: Passes) -> Any:
    passes.go.set()
    out["thread"].join(WAIT)
    assert not out["thread"].is_alive()
    return out["found"]


def test_the_pass_runs_outside_the_lock_and_search_finds_its_scores(
        cross: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(embedder, OTHERS)
    passes = Passes(cross, cache, monkeypatch)
    passes.go.set()
    found = cache.lookup()
    assert len(passes.calls) == 1  # one pass, outside; search scored nothing again
    pairs, locked = passes.calls[0]
    assert not locked and sorted(pairs) == sorted((QUERY, text) for text in OTHERS)
    serial = cache.serial(cross)
    assert found.hit is not None and serial.match is not None
    assert found.hit.answer.key == serial.match.key


def test_a_candidate_added_meanwhile_is_scored_once_under_the_lock_and_may_answer(
        cross: CrossVerifier, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch,
        blocked: Callable[..., Any]) -> None:
    cache = Cache(embedder, OTHERS)
    passes = Passes(cross, cache, monkeypatch)
    out = blocked(cache, passes)
    added = cache.add(NEAREST)  # another request's settle: ``remember`` does not wait
    found = finish(out, passes)
    new = (QUERY, NEAREST)
    assert [locked for pairs, locked in passes.calls if new in pairs] == [True]
    assert passes.calls[1] == ([new], True)  # only the new pair scored under the lock
    serial = cache.serial(cross)
    assert found.hit is not None and serial.match is not None
    assert found.hit.answer.key == serial.match.key == added


def test_entries_removed_and_rows_renumbered_meanwhile_answer_a_live_key(
        cross: CrossVerifier, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch,
        blocked: Callable[..., Any]) -> None:
    cache = Cache(embedder, [NEAREST, *OTHERS])
    passes = Passes(cross, cache, monkeypatch)
    out = blocked(cache, passes)
    tenant = cache.cache._tenants["t"]
    index = tenant.index
    with tenant.lock:  # evicted meanwhile: the last row moves into the first's hole
        rows_before = {index.text(row): row for row in range(len(index))}
        index.remove(cache.key(NEAREST))
        index.remove(cache.key(OTHERS[1]))
        rows_after = {index.text(row): row for row in range(len(index))}
    assert any(rows_after[text] != rows_before[text] for text in rows_after)
    added = cache.add("Where can I see my order?")
    found = finish(out, passes)
    serial = cache.serial(cross)
    assert found.hit is not None and serial.match is not None
    assert found.hit.answer.key == serial.match.key
    live = {cache.key(text) for text in rows_after} | {added}
    assert found.hit.answer.key in live
    assert found.hit.answer.key != cache.key(NEAREST)


def test_scores_evicted_before_the_verdict_are_scored_again_under_the_lock(
        cross: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(embedder, [NEAREST, *OTHERS])
    expected = cache.serial(cross)
    cross.forget()
    cross._scores.budget = 1  # one pair kept (the newest always is)
    passes = Passes(cross, cache, monkeypatch)
    passes.go.set()
    found = cache.lookup()
    assert [locked for _, locked in passes.calls][:2] == [False, True]
    assert len(passes.calls[1][0]) >= 1  # the evicted ones, again, under the lock
    assert found.hit is not None and expected.match is not None
    assert found.hit.answer.key == expected.match.key
    assert found.hit.similarity == pytest.approx(expected.match.similarity)


def test_an_exact_lookup_of_the_tenant_does_not_wait_for_the_pass(
        cross: CrossVerifier, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch,
        blocked: Callable[..., Any]) -> None:
    cache = Cache(embedder, OTHERS)
    passes = Passes(cross, cache, monkeypatch)
    out = blocked(cache, passes)
    exact: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: exact.update(
        found=cache.cache.find_exact("t", request(OTHERS[0]))))
    thread.start()
    thread.join(WAIT)  # the verifier's pass is still blocked
    assert not thread.is_alive() and not passes.go.is_set()
    assert exact["found"].hit is not None and exact["found"].hit.kind == "exact"
    assert finish(out, passes).hit is not None


def test_a_pair_scored_alone_and_in_the_lookups_batch_agree(embedder: MiniLMEmbedder) -> None:
    """The shipped cross-encoder: a pair's probability does not depend on the pass it was
    scored in (padding, BLAS's summation order) beyond 1e-6, so a score kept from the
    pass outside the lock is the one ``search`` would have made."""
    verifier = load_cross_verifier(embedder)
    pairs = [(QUERY, text) for text in [NEAREST, *OTHERS]]
    together = verifier.encoder.probabilities(pairs)
    alone = np.array([verifier.encoder.probabilities([pair])[0] for pair in pairs])
    assert np.max(np.abs(together - alone)) < 1e-6


def test_each_candidates_respelling_is_checked_once_and_a_respelled_hit_scores_nothing(
        cross: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``prescore`` checks the respellings (a respelled hit: no pass at all); ``search``
    reads its checks instead of repeating them: the CPU a lookup spends is as before."""
    from llm_router.cache.policy import MatchPolicy

    cache = Cache(embedder, OTHERS)
    checked: list[str] = []
    respelled = MatchPolicy.respelled

    def counted(self: MatchPolicy, similarity: float, cached: str, query: str) -> Any:
        checked.append(cached)
        return respelled(self, similarity, cached, query)

    monkeypatch.setattr(MatchPolicy, "respelled", counted)
    passes = Passes(cross, cache, monkeypatch)
    passes.go.set()
    assert cache.lookup().hit is not None
    assert sorted(checked) == sorted(OTHERS)
    checked.clear()
    added = cache.add("how do i cancel my ordre?")  # the query respelled
    found = cache.cache.find_semantic("t", request("How do I cancel my order"),
                                      embedder.embed_one("How do I cancel my order"),
                                      "How do I cancel my order")
    assert found.hit is not None and found.hit.answer.key == added
    assert found.hit.respelling is not None
    assert len(passes.calls) == 1  # the first lookup's pass only
    assert len(checked) == len(set(checked))


def test_search_reads_the_first_rounds_candidates_only_while_the_index_is_unchanged(
        cross: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch, blocked: Callable[..., Any]) -> None:
    """One ``nearest`` a lookup, as before, unless an entry came or went meanwhile."""
    from llm_router.cache.index import TenantIndex

    cache = Cache(embedder, OTHERS)
    reads: list[int] = []
    nearest = TenantIndex._nearest

    def counted(self: TenantIndex, *args: Any) -> Any:
        reads.append(self.generation)
        return nearest(self, *args)

    monkeypatch.setattr(TenantIndex, "_nearest", counted)
    passes = Passes(cross, cache, monkeypatch)
    out = blocked(cache, passes)
    finish(out, passes)
    assert len(reads) == 1
    reads.clear()
    cross.forget()
    passes = Passes(cross, cache, monkeypatch)
    out = blocked(cache, passes)
    cache.add(NEAREST)
    found = finish(out, passes)
    assert len(reads) == 2 and reads[0] < reads[1]
    serial = cache.serial(cross)
    assert found.hit is not None and serial.match is not None
    assert found.hit.answer.key == serial.match.key
