"""The cross-encoder in the lookup (``cache.verifier_model: cross``), with an untrained
artefact of MiniLM's first layers (its probabilities mean nothing; which candidates it
is asked about, in how many passes, and what the lookup does with its answers, do)."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache import verifier as verifier_module
from llm_router.cache.cross import CrossVerifier, load_cross_verifier
from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy, policy_for
from llm_router.cache.service import ResponseCache
from llm_router.cache.verifier import PairVerifier, default_model, load_verifier, shared_verifier
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder
from llm_router.errors import ConfigError
from llm_router_local.cli.cache_probe import probe_lines
from train.cache_verifier.cross_export import from_minilm, write_cross

from .toy_cross import installed, toy_artefact

QUERY = "How do I cancel my order?"
CACHED = ["How can I cancel my order?", "How do I cancel an order I placed?",
          "Can I cancel my order after it shipped?", "How do I track my order?",
          "Ship 5 kg of flour to my order address"]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return shared_embedder()


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return toy_artefact(tmp_path_factory)


@pytest.fixture()
def cross(embedder: MiniLMEmbedder, artefact: Path,
          monkeypatch: pytest.MonkeyPatch) -> CrossVerifier:
    """A fresh cross verifier, also the process's shared "cross" one; every per-text
    MiniLM state pass the nets would make fails the test."""
    verifier = installed(embedder, artefact, monkeypatch)

    def no_states(*args: object, **kwargs: object) -> None:
        raise AssertionError("a MiniLM token-state pass in cross mode")

    for name in ("prepare", "prepare_many"):
        monkeypatch.setattr(PairVerifier, name, no_states)
    for name in ("embed_with_states", "token_states"):
        monkeypatch.setattr(embedder, name, no_states)
    return verifier


def _index(embedder: MiniLMEmbedder, texts: list[str]) -> tuple[TenantIndex, np.ndarray]:
    vectors = embedder.embed([*texts, QUERY])
    index = TenantIndex(capacity=len(texts))
    for i, text in enumerate(texts):
        index.add(IndexRecord(f"k{i}", "c", text, vectors[i], 2**62, ""))
    return index, vectors[-1]


def _passes(cross: CrossVerifier, monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, str]]]:
    passes: list[list[tuple[str, str]]] = []
    scored = cross.encoder.scored

    def counted(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, list[tuple[int, int]]]:
        passes.append(list(pairs))
        return scored(pairs)

    monkeypatch.setattr(cross.encoder, "scored", counted)
    return passes


def test_all_candidates_are_scored_in_one_pass_and_the_nearest_passing_answers(
        cross: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    index, query = _index(embedder, CACHED)
    nearest = index.nearest(query, "c", 0)
    over = [(row, s) for row, s in nearest if s >= 0.5]
    assert len(over) >= 3
    p = {index.text(row): float(cross.encoder.probabilities([(QUERY, index.text(row))])[0])
         for row, _ in over}
    passes = _passes(cross, monkeypatch)
    # Nothing reaches 1.0: every candidate over the floor is refused, all from one pass.
    refused = index.search(query, "c", 0, MatchPolicy(0.5, True, cross, 1.0), QUERY)
    assert refused.match is None and refused.refused_by == "verifier"
    first = index.text(over[0][0])
    assert refused.probability == pytest.approx(p[first], abs=1e-5)
    assert passes == [[(QUERY, index.text(row)) for row, _ in over]]
    # A cut between the probabilities: the nearest candidate that reaches it answers. Not
    # one of them: a pair's probability scored in a batch differs from its own pass's in
    # float32 rounding (~1e-6: the order BLAS sums in depends on the batch's shape).
    ranked = sorted(p.values())
    cut = (ranked[len(p) // 2 - 1] + ranked[len(p) // 2]) / 2
    cross.forget()
    passes.clear()
    hit = index.search(query, "c", 0, MatchPolicy(0.5, True, cross, cut), QUERY)
    expected = next(row for row, _ in over if p[index.text(row)] >= cut)
    assert hit.match is not None and hit.match.key == f"k{expected}"
    assert hit.probability == pytest.approx(p[index.text(expected)], abs=1e-5)
    assert len(passes) == 1 and len(passes[0]) == len(over)


def test_the_amounts_check_comes_before_the_model(cross: CrossVerifier,
                                                  embedder: MiniLMEmbedder,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Same amount, units that cannot be the same: refused, never scored."""
    cached, query_text = "Can I ship 5 kg to Boston?", "Can I ship 5 lb to Boston?"
    vectors = embedder.embed([cached, query_text])
    index = TenantIndex(capacity=1)
    index.add(IndexRecord("k", "c", cached, vectors[0], 2**62, ""))
    passes = _passes(cross, monkeypatch)
    lookup = index.search(vectors[1], "c", 0, MatchPolicy(0.5, True, cross, 0.0), query_text)
    assert lookup.match is None and lookup.refused_by == "numbers" and passes == []
    lookup = index.search(vectors[1], "c", 0, MatchPolicy(0.5, False, cross, 0.0), query_text)
    assert lookup.match is not None and passes == [[(query_text, cached)]]


def test_the_catalog_setting_picks_the_model(cross: CrossVerifier, artefact: Path,
                                             tmp_path: Path) -> None:
    assert policy_for(CacheConfig(verifier_model="cross"), "t").verifier is cross
    assert policy_for(CacheConfig(verifier_model="cross", verifier_threshold=0.3),
                      "t").min_probability == 0.3
    assert policy_for(CacheConfig(verifier_model="cross"), "t").min_probability == 0.5
    assert isinstance(shared_verifier("nets"), PairVerifier)
    assert default_model(artefact) == "cross" and default_model(tmp_path) == "nets"
    with pytest.raises(ConfigError, match="unknown cache verifier model"):
        shared_verifier("stacked")
    with pytest.raises(ValueError):
        CacheConfig(verifier_model="other")  # type: ignore[arg-type]


def test_the_querys_lookup_embedding_is_its_only_pass(cross: CrossVerifier,
                                                      embedder: MiniLMEmbedder) -> None:
    cache = ResponseCache(CacheConfig(verifier_model="cross"), store=None)  # type: ignore[arg-type]
    vector = cache.embed_query(embedder, QUERY)
    assert np.allclose(vector, embedder.embed_one(QUERY), atol=1e-6)


def test_cache_probe_scores_its_pairs_together(cross: CrossVerifier, embedder: MiniLMEmbedder,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [(c, QUERY) for c in CACHED] + [("What time is it in Tokyo?", QUERY),
                                            ("Where is order 1234?", "Where is order 5678?")]
    lines = io.StringIO("".join(json.dumps({"cached": c, "query": q}) + "\n" for c, q in pairs))
    out = io.StringIO()
    passes = _passes(cross, monkeypatch)
    policy = MatchPolicy(0.5, True, cross, 0.5)
    assert probe_lines(embedder, policy, lines, out, explain=True) == 0
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(passes) == 1  # every pair over the floor, in one call
    scored = set(passes[0])
    for (cached, query), result in zip(pairs, results, strict=True):
        if result["refused_by"] == "threshold":
            assert (query, cached) not in scored
        elif result["refused_by"] == "numbers":
            assert (query, cached) not in scored and "probability" not in result
        elif result.get("respelling") is None:
            assert (query, cached) in scored
            alone = float(cross.encoder.probabilities([(query, cached)])[0])
            assert result["probability"] == pytest.approx(alone, abs=1e-4)
            assert result["hit"] is (alone >= 0.5)
    assert results[-1]["refused_by"] == "numbers"
    assert results[-2]["refused_by"] == "threshold"


@pytest.fixture()
def stacked(embedder: MiniLMEmbedder, tmp_path: Path) -> CrossVerifier:
    """An untrained cross-encoder stacked on fresh nets (nothing kept), as the router
    loads an artefact whose cross.json says "combine": "nets"."""
    arrays, meta = from_minilm(2, seed=5)
    write_cross(tmp_path, arrays, {**meta, "combine": "nets", "threshold": 0.8})
    verifier = load_cross_verifier(embedder, tmp_path)
    assert verifier.combines_nets
    verifier.nets = load_verifier(model_kind="nets")
    return verifier


def _state_passes(embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Texts per ``embed_with_states`` call; a text's states computed alone, or a plain
    ``embed`` (which gives no states), fail the test."""
    passes: list[int] = []
    embed_with_states = embedder.embed_with_states

    def counted(texts: list[str], max_tokens: int, layers: int | None = None) -> object:
        passes.append(len(texts))
        return embed_with_states(texts, max_tokens, layers)

    def not_here(*args: object) -> None:
        raise AssertionError("a MiniLM pass the nets' states did not come from")

    monkeypatch.setattr(embedder, "embed_with_states", counted)
    monkeypatch.setattr(embedder, "token_states", not_here)
    monkeypatch.setattr(embedder, "embed", not_here)
    return passes


def test_stacked_a_lookup_readies_both_models_in_one_pass_each(
        stacked: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_router.cache.cross import stack

    index, query = _index(embedder, CACHED)
    nearest = [(index.text(row), s) for row, s in index.nearest(query, "c", 0) if s >= 0.5]
    passes = _passes(stacked, monkeypatch)
    states = _state_passes(embedder, monkeypatch)
    lookup = index.search(query, "c", 0, MatchPolicy(0.5, True, stacked, 1.0), QUERY)
    assert lookup.match is None and lookup.refused_by == "verifier"
    assert passes == [[(QUERY, text) for text, _ in nearest]]
    assert states == [1 + len(nearest)]  # the query and every candidate, once
    first, similarity = nearest[0]  # the nets read the cosine too
    assert stacked.nets is not None
    expected = stack(float(stacked.encoder.probabilities([(QUERY, first)])[0]),
                     stacked.nets.probability(first, QUERY, similarity))
    assert lookup.probability == pytest.approx(expected, abs=1e-6)


def test_stacked_the_querys_embedding_pass_gives_the_nets_its_states(
        stacked: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(verifier_module._SHARED, "cross", stacked)
    cache = ResponseCache(CacheConfig(verifier_model="cross"), store=None)  # type: ignore[arg-type]
    states = _state_passes(embedder, monkeypatch)
    cache.embed_query(embedder, QUERY)
    assert states == [1]
    assert stacked.nets is not None
    stacked.nets.prepare(QUERY)  # kept: token_states would fail the test


def test_stacked_an_entry_stored_here_is_judged_from_its_lookups_pass(
        stacked: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The text that missed was prepared from its own lookup's embedding pass
    (``embed_query``): once its answer is an entry, a later query's lookup reads that view
    and those states (no MiniLM pass over the cached text), and they are what a cold
    instance's lookup builds, to float32 rounding (batched pass against a lone one)."""
    from llm_router.cache.cross import stack

    monkeypatch.setitem(verifier_module._SHARED, "cross", stacked)
    cache = ResponseCache(CacheConfig(verifier_model="cross"), store=None)  # type: ignore[arg-type]
    stored = CACHED[0]
    index = TenantIndex(capacity=1)
    index.add(IndexRecord("k0", "c", stored, cache.embed_query(embedder, stored), 2**62, ""))
    cold_nets = load_verifier(model_kind="nets")  # an instance that never saw the text
    cold = cold_nets.prepare(stored)
    assert stacked.nets is not None
    kept = stacked.nets.prepare(stored)
    assert kept is not cold and kept.view.words == cold.view.words
    assert kept.view.quantities == cold.view.quantities and kept.view.ids == cold.view.ids
    assert np.array_equal(kept.view.vectors, cold.view.vectors)
    assert kept.states.shape == cold.states.shape
    assert np.allclose(kept.states, cold.states, atol=1e-5)

    states = _state_passes(embedder, monkeypatch)
    query = cache.embed_query(embedder, QUERY)
    lookup = index.search(query, "c", 0, MatchPolicy(0.0, True, stacked, 1.0), QUERY)
    assert states == [1]  # the query's embedding pass; none over the entry's text
    assert lookup.probability is not None
    [(_, similarity)] = index.nearest(query, "c", 0)
    monkeypatch.undo()  # the cold instance prepares the query with a pass of its own
    expected = stack(float(stacked.encoder.probabilities([(QUERY, stored)])[0]),
                     cold_nets.probability(stored, QUERY, similarity))
    assert lookup.probability == pytest.approx(expected, abs=1e-5)


def test_stacked_an_entry_learnt_from_a_snapshot_is_prepared_ahead(
        stacked: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry another instance stored reaches this one through the snapshot: the
    preparer runs its text's MiniLM pass in the background (batched with the others
    learnt), so the lookup that finds it alone runs none over it, and its probability is
    a cold lookup's to float32 rounding (batched pass against a lone one)."""
    from llm_router.cache.cross import stack
    from llm_router.cache.preparer import Preparer

    monkeypatch.setitem(verifier_module._SHARED, "cross", stacked)
    assert stacked.nets is not None
    vectors = embedder.embed(CACHED)
    records = [IndexRecord(f"k{i}", "c", text, vectors[i], 2**62, f"J#{i}")
               for i, text in enumerate(CACHED)]

    class Snapshot:
        def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
            return records, "J#9"

    class NoJournal:
        def journal_since(self, tenant_id: str, after: str,
                          newest: int | None = None,
                          newest_bytes: int | None = None) -> list[IndexRecord]:
            return []

        def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
            return []

    preparer = Preparer(lambda: stacked.nets, ahead=10, batch=4)
    cache = ResponseCache(CacheConfig(verifier_model="cross", refresh_seconds=3600),
                          NoJournal(), snapshots=Snapshot(), preparer=preparer)  # type: ignore[arg-type]
    with cache._synced("t"):
        pass
    assert preparer.drain(60) and preparer.prepared == len(CACHED)

    states = _state_passes(embedder, monkeypatch)
    learnt = CACHED[3]  # "How do I track my order?": alone in its index
    index = TenantIndex(capacity=1)
    index.add(records[3])
    query = cache.embed_query(embedder, QUERY)
    lookup = index.search(query, "c", 0, MatchPolicy(0.0, True, stacked, 1.0), QUERY)
    assert states == [1]  # the query's embedding pass; none over the learnt text
    assert lookup.probability is not None
    [(_, similarity)] = index.nearest(query, "c", 0)
    monkeypatch.undo()
    cold_nets = load_verifier(model_kind="nets")
    expected = stack(float(stacked.encoder.probabilities([(QUERY, learnt)])[0]),
                     cold_nets.probability(learnt, QUERY, similarity))
    assert lookup.probability == pytest.approx(expected, abs=1e-5)


def test_stacked_cache_probe_makes_one_minilm_pass_a_batch(
        stacked: CrossVerifier, embedder: MiniLMEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedding pass gives the nets their states: no second pass over the texts."""
    pairs = [(c, QUERY) for c in CACHED]
    lines = io.StringIO("".join(json.dumps({"cached": c, "query": q}) + "\n" for c, q in pairs))
    out = io.StringIO()
    passes = _passes(stacked, monkeypatch)
    states = _state_passes(embedder, monkeypatch)
    assert probe_lines(embedder, MatchPolicy(0.5, True, stacked, 0.8), lines, out,
                       explain=True) == 0
    assert states == [len(CACHED) + 1] and len(passes) == 1
    assert len(out.getvalue().splitlines()) == len(pairs)


def test_an_artefact_that_decides_alone_runs_no_nets_and_judges_as_the_offline_scorer(
        embedder: MiniLMEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Session 16: a cross.json with no "combine" (``cross_continue fit --teacher-stack``
    exports "combine": null) is the router's whole verifier: ``shared_verifier`` loads no
    nets, the query's lookup embedding is a plain one, no MiniLM token-state pass runs, and
    each lookup's verdict is the one the candidate's probability scored offline (batched,
    as bench/cache_losses.py scores) gives at the cut."""
    from llm_router.cache import cross as cross_module

    arrays, meta = from_minilm(2, seed=16)
    write_cross(tmp_path, arrays, {**meta, "combine": None})
    monkeypatch.setattr(cross_module, "ARTEFACT_DIR", tmp_path)
    monkeypatch.setattr(verifier_module, "_SHARED", {})

    def no_states(*args: object, **kwargs: object) -> None:
        raise AssertionError("a MiniLM token-state pass with a model that decides alone")

    for name in ("prepare", "prepare_many", "probability"):
        monkeypatch.setattr(PairVerifier, name, no_states)
    for name in ("embed_with_states", "token_states"):
        monkeypatch.setattr(embedder, name, no_states)
    alone = shared_verifier("cross")
    assert isinstance(alone, CrossVerifier) and alone.nets is None
    assert not alone.combines_nets and "nets" not in verifier_module._SHARED
    cache = ResponseCache(CacheConfig(verifier_model="cross"), store=None)  # type: ignore[arg-type]
    query = cache.embed_query(embedder, QUERY)
    assert np.allclose(query, embedder.embed_one(QUERY), atol=1e-6)
    offline = alone.encoder.probabilities([(QUERY, c) for c in CACHED])
    ranked = sorted(offline.tolist())
    cut = (ranked[1] + ranked[2]) / 2  # some pass, some do not
    vectors = embedder.embed(CACHED)
    verdicts = []
    for text, vector, p in zip(CACHED, vectors, offline.tolist(), strict=True):
        index = TenantIndex(capacity=1)  # a lone candidate, new to the verifier
        index.add(IndexRecord("k", "c", text, vector, 2**62, ""))
        alone.forget()
        lookup = index.search(query, "c", 0, MatchPolicy(0.0, True, alone, cut), QUERY)
        if lookup.refused_by == "numbers":
            continue
        assert lookup.probability == pytest.approx(p, abs=1e-5)
        assert (lookup.match is not None) is (p >= cut)
        verdicts.append(lookup.match is not None)
    assert True in verdicts and False in verdicts
