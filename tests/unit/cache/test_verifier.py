"""The shipped verifier artefact: hash-checked loading, the lookup path that uses it,
and a few pairs of the issue's kinds it must get right."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy, policy_for
from llm_router.cache.verifier import ARTEFACT_DIR, META, WEIGHTS, PairVerifier, load_verifier
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.errors import ConfigError


@pytest.fixture(scope="module")
def verifier() -> PairVerifier:
    return load_verifier()


@pytest.fixture(scope="module")
def nets() -> PairVerifier:
    """The alignment nets (the fallback model, and the word view's IDF)."""
    return load_verifier(model_kind="nets")


def test_artefact_is_small_and_records_its_sources(nets: PairVerifier) -> None:
    assert (ARTEFACT_DIR / WEIGHTS).stat().st_size < 1_000_000
    assert {"qqp", "support_tune", "heldout1"} <= set(nets.meta["sources"])
    assert 0 < nets.threshold < 1


def test_a_tampered_artefact_is_refused(tmp_path: Path) -> None:
    shutil.copy(ARTEFACT_DIR / META, tmp_path / META)
    raw = bytearray((ARTEFACT_DIR / WEIGHTS).read_bytes())
    raw[-1] ^= 1
    (tmp_path / WEIGHTS).write_bytes(bytes(raw))
    with pytest.raises(ConfigError, match="sha256"):
        load_verifier(tmp_path)
    meta = json.loads((ARTEFACT_DIR / META).read_text())
    (tmp_path / META).write_text(json.dumps({**meta, "features": ["other"]}))
    (tmp_path / WEIGHTS).write_bytes((ARTEFACT_DIR / WEIGHTS).read_bytes())
    with pytest.raises(ConfigError, match="other features"):
        load_verifier(tmp_path)


def test_the_default_policy_uses_the_verifier() -> None:
    policy = policy_for(CacheConfig(), "t")
    assert policy.verifier is not None and policy.threshold == CacheConfig().verifier_floor
    assert policy_for(CacheConfig(verifier=False), "t").verifier is None


PAIRS = [
    ("How do I transfer money from savings to checking?",
     "How do I transfer money from checking to savings?", False),
    ("How do I enable two-factor authentication?",
     "How do I disable two-factor authentication?", False),
    ("How do I reset my password?", "How do I reset my router?", False),
    ("How do I cancel my subscription?", "How can I cancel my subscription?", True),
    ("Do you ship to the US?", "Do you ship to the USA?", True),
]


def test_lookup_with_the_verifier(verifier: PairVerifier, minilm: MiniLMEmbedder) -> None:
    # The verifier itself judges every pair: no same-question-respelled check first.
    policy = MatchPolicy(CacheConfig().verifier_floor, True, verifier, verifier.threshold,
                         spelling=False)
    for cached, query, expected in PAIRS:
        index = TenantIndex(capacity=1)
        vecs = minilm.embed([cached, query])
        index.add(IndexRecord("k", "c", cached, vecs[0], 2**62, ""))
        lookup = index.search(vecs[1], "c", 0, policy, query)
        assert (lookup.match is not None) is expected, (cached, query, lookup)
        assert lookup.probability is not None
        if not expected:
            assert lookup.refused_by in ("verifier", "threshold")


def test_amounts_are_a_hard_check(verifier: PairVerifier) -> None:
    policy = MatchPolicy(0.5, True, verifier, 0.0)
    sig = None
    verdict = policy.judge(0.95, sig, sig, "Where is order 1234?",  # type: ignore[arg-type]
                           "Where is order 5678?")
    assert verdict.refused_by == "numbers"
    verdict = MatchPolicy(0.5, False, verifier, 0.0).judge(
        0.95, sig, sig, "Where is order 1234?", "Where is order 5678?")  # type: ignore[arg-type]
    assert verdict.hit and verdict.probability is not None
    assert np.isfinite(verdict.probability)


def test_context_features_read_token_states_in_context(nets: PairVerifier) -> None:
    """The contextual half of the nets' features: a text against itself is fully
    covered; a direction swap keeps the words but not their order."""
    from llm_router.cache.context import CONTEXT_FEATURES, context_features

    verifier = nets
    a = verifier.states("How do I transfer money from savings to checking?")
    b = verifier.states("How do I transfer money from checking to savings?")
    same = context_features(a, a)
    assert same[CONTEXT_FEATURES.index("ctx_cover_min")] == pytest.approx(1.0, abs=1e-5)
    assert same[CONTEXT_FEATURES.index("ctx_inversions")] == 0
    swapped = context_features(a, b)
    assert swapped[CONTEXT_FEATURES.index("ctx_cover_min")] < 1.0
    assert a.shape[1] == 384 and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_prepared_texts_reuse_given_states_and_stay_bounded(minilm: MiniLMEmbedder) -> None:
    from llm_router.cache.context import MAX_TOKENS, unit_rows

    shared = load_verifier(model_kind="nets")
    verifier = PairVerifier(shared.vocabulary, shared.model, shared.threshold, shared.meta,
                            shared.embedder, keep_bytes=1)
    text = "Can I change my delivery address?"
    _, states = minilm.embed_with_states([text], MAX_TOKENS)
    assert states[0] is not None
    given = verifier.prepare(text, states[0])
    assert np.allclose(given.states, unit_rows(states[0]))
    assert verifier.prepare(text) is given  # kept: no second pass
    computed = PairVerifier(shared.vocabulary, shared.model, shared.threshold, shared.meta,
                            shared.embedder).prepare(text)
    assert np.allclose(computed.states, given.states, atol=1e-4)
    assert verifier.prepare("two") is not None  # over the byte bound: the oldest went
    assert verifier.prepare(text) is not given
    assert given.nbytes > 0


def test_a_kept_text_counts_the_text_itself(minilm: MiniLMEmbedder) -> None:
    """The kept texts' budget counts each text (its key) beside what it is prepared
    into: ~20 KB of a 20,000-character message that session 16's count left out."""
    shared = load_verifier(model_kind="nets")
    verifier = PairVerifier(shared.vocabulary, shared.model, shared.threshold, shared.meta,
                            shared.embedder, keep_bytes=2**40)
    text = "Where is my order? " + "It was sent last week and has not come. " * 500
    prepared = verifier.prepare(text)
    assert verifier._prepared.held == sys.getsizeof(text) + prepared.nbytes
    assert sys.getsizeof(text) > 20_000


@pytest.mark.parametrize("words", [5, 12, 60])
def test_the_prepared_texts_count_what_they_hold(minilm: MiniLMEmbedder, words: int) -> None:
    """``Prepared.nbytes`` (the bound of the kept texts) and ``TextView.nbytes`` (the
    cross-encoder's views) are within 10 % of what tracemalloc measures them holding,
    for questions of a few words and long messages alike."""
    import gc
    import tracemalloc

    from llm_router.cache.context import MAX_TOKENS

    shared = load_verifier(model_kind="nets")
    texts = [" ".join(f"refund{i} order{j}" for j in range(words // 2)) + " please?"
             for i in range(60)]
    _, states = minilm.embed_with_states(texts, MAX_TOKENS)
    for text in texts:  # the word caches views read (``quantities``, pieces) filled
        shared.vocabulary.view(text)
    verifier = PairVerifier(shared.vocabulary, shared.model, shared.threshold, shared.meta,
                            shared.embedder, keep_bytes=2**40)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for text, rows in zip(texts, states, strict=True):
            verifier.prepare(text, rows)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        before = tracemalloc.get_traced_memory()[0]
        views = [shared.vocabulary.view(text) for text in texts]
        gc.collect()
        held_views = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    held += sum(sys.getsizeof(text) for text in texts)  # the keys: made before tracing
    assert 0.9 * held <= verifier._prepared.held <= 1.1 * held
    assert 0.9 * held_views <= sum(view.nbytes for view in views) <= 1.1 * held_views


def test_the_lookups_embedding_pass_gives_the_verifier_the_query(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One MiniLM pass a request: the query's token states come from its embedding."""
    from llm_router.cache.service import ResponseCache
    from llm_router.cache.verifier import shared_verifier

    verifier = shared_verifier("nets")
    assert isinstance(verifier, PairVerifier)
    cache = ResponseCache(CacheConfig(verifier_model="nets"), store=None)  # type: ignore[arg-type]
    query = "Is there a fee for paying my electricity bill by card?"
    embedding = cache.embed_query(verifier.embedder, query)
    assert np.allclose(embedding, verifier.embedder.embed_one(query), atol=1e-6)

    def second_pass(*args: object) -> None:
        raise AssertionError("the query's token states were computed again")

    monkeypatch.setattr(verifier.embedder, "token_states", second_pass)
    verifier.prepare(query)


def test_a_lookups_cold_candidates_are_prepared_in_one_pass(
        minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every candidate over the floor is judged unless one hits: their texts go through
    MiniLM together (no single-text pass), and the verdict is the one-at-a-time path's."""
    shared = load_verifier()

    def fresh() -> PairVerifier:
        return PairVerifier(shared.vocabulary, shared.model, shared.threshold, shared.meta,
                            shared.embedder)

    cached = ["How do I enable two-factor authentication?",
              "How do I turn off two-factor authentication?",
              "How do I set up two-step verification?"]
    query = "How do I disable two-factor authentication?"
    vectors = minilm.embed([*cached, query])
    index = TenantIndex(capacity=4)
    for i, text in enumerate(cached):
        index.add(IndexRecord(f"k{i}", "c", text, vectors[i], 2**62, ""))

    batched = fresh()
    passes: list[int] = []
    embedder = batched.embedder
    embed_with_states = embedder.embed_with_states

    def counted(texts: list[str], max_tokens: int, layers: int | None = None) -> object:
        passes.append(len(texts))
        return embed_with_states(texts, max_tokens, layers)

    def single_pass(*args: object) -> None:
        raise AssertionError("a candidate was prepared alone")

    with monkeypatch.context() as patch:
        patch.setattr(embedder, "embed_with_states", counted)
        patch.setattr(embedder, "token_states", single_pass)
        got = index.search(vectors[3], "c", 0, MatchPolicy(0.5, True, batched, 0.99), query)
    over_floor = int(np.sum(vectors[:3] @ vectors[3] >= 0.5))
    assert over_floor >= 2 and passes == [1 + over_floor]  # query and candidates, once

    one_at_a_time = fresh()
    monkeypatch.setattr(one_at_a_time, "prepare_many", lambda texts: None)
    expected = index.search(vectors[3], "c", 0, MatchPolicy(0.5, True, one_at_a_time, 0.99),
                            query)
    assert got.match == expected.match and got.refused_by == expected.refused_by
    assert got.probability == pytest.approx(expected.probability, abs=1e-4)
