"""bench/cache_shared.py's count of the pairs the cross-encoder scores in a lookup
(``scored_per_lookup``, session 22: what a lower floor costs, read as done rather than
rebuilt from the candidates as ``verified_per_lookup`` is)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from llm_router.cache.cross import load_cross_verifier
from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.retrieval_map import RetrievalMap
from llm_router.embedding.minilm import shared_embedder

ENTRIES = ["How do I reset my password?", "Where can I change my password?",
           "How do I cancel my order?", "What time does the shop open on Sundays?"]
QUERIES = ["I forgot my password, how can I reset it?", "can I cancel an order I placed"]


@pytest.fixture(scope="module")
def shared(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("cache_shared")


def test_the_count_is_every_pair_the_encoder_scores(shared: ModuleType) -> None:
    """A batched pass counts its pairs, a pair scored alone after it one more, a pair the
    kept scores answer none; the verdicts are the encoder's own."""
    cross = load_cross_verifier(shared_embedder())
    cross.forget()
    count = shared.count_scores(cross)
    policy = MatchPolicy(0.0, True, cross, cross.threshold)
    query = QUERIES[0]
    policy.before_judging([(query, text) for text in ENTRIES[:2]])
    assert count.pairs == 2
    for text in ENTRIES[:2]:
        policy.judge(0.9, None, None, text, query)
    assert count.pairs == 2  # judged from the batch's scores
    p = cross.probability(ENTRIES[2], query, 0.3)
    assert count.pairs == 3 and 0.0 <= p <= 1.0


def tiny_cache(shared: ModuleType) -> tuple[Any, dict[str, Any], TenantIndex,
                                            dict[str, list[dict[str, Any]]]]:
    """The shipped cross-encoder, the texts' vectors, an index of ENTRIES and QUERIES' rows
    (each a paraphrase of one entry), as the lookup tests below read them."""
    embedder = shared_embedder()
    cross = load_cross_verifier(embedder)
    vectors = dict(zip(ENTRIES + QUERIES, embedder.embed(ENTRIES + QUERIES), strict=True))
    index = TenantIndex(capacity=len(ENTRIES))
    for i, text in enumerate(ENTRIES):
        index.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], shared.FOREVER, ""))
    by_query = {q: [{"set": "tiny", "label": 1, "kind": "reworded", "a": a, "b": q}]
                for q, a in zip(QUERIES, (ENTRIES[0], ENTRIES[2]), strict=True)}
    return cross, vectors, index, by_query


def test_a_lookup_scores_what_it_hands_the_verifier(shared: ModuleType) -> None:
    """With no respelled answer and no refusal before the model, the pairs the lookups
    scored are the candidates over the floor they handed over (``handed_over``): all
    of the index at floor 0, none at a floor no pair reaches."""
    cross, vectors, index, by_query = tiny_cache(shared)
    variants = {name: shared.variant(name, cross, cross.threshold)
                for name in ("0.0:5", "0.99:5")}
    _, _, handed, scored = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                                          shared.PairGroups([]), cross)
    assert scored == handed
    assert scored["0.99:5"] == 0 < scored["0.0:5"] <= len(QUERIES) * len(ENTRIES)
    readings: list[dict[str, object]] = []  # --scored-out: the lookups' pairs, read again
    again = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                           shared.PairGroups([]), cross, readings=readings)
    assert again[3] == scored and len(readings) == scored["0.0:5"]
    assert {r["variant"] for r in readings} == {"0.0:5"}
    for r in readings:
        cross.forget()
        assert r["p"] == pytest.approx(cross.probability(r["cached"], r["query"], 0.0),
                                       abs=1e-6)


def test_f1_is_a_variant_field(shared: ModuleType) -> None:
    """``:nF`` after WIDEN_TO: F1 at F (``MatchPolicy.nearest_floor``), wherever it stands
    among the optional fields; without it, F1 is off."""
    policy, k = shared.variant("0.5:5:n0.45", None, 0.9)
    assert (policy.threshold, policy.nearest_floor, k) == (0.5, 0.45, 5)
    assert policy.rank_margin == shared.CacheConfig().verifier_rank_margin
    policy, _ = shared.variant("0.5:5:0:n0.4", None, 0.9)
    assert (policy.nearest_floor, policy.rank_margin) == (0.4, 0.0)
    assert shared.variant("0.5:5", None, 0.9)[0].nearest_floor is None
    assert shared.lowest_floor(shared.variant("0.5:5:n0.4", None, 0.9)[0]) == 0.4
    with pytest.raises(SystemExit):
        shared.variant("0.5/0.4@3:5:n0.45", None, 0.9)


def test_fcs_cut_is_a_variant_field_with_f1(shared: ModuleType) -> None:
    """``:NK`` with ``:nF``: F1's candidate judged at the cut K (``MatchPolicy.nearest_cut``,
    rule FC), recorded in ``judging``; not without F1, nor twice; the shipped lookup none."""
    policy, k = shared.variant("0.5:5:m:n0.45:N0.97", None, 0.93)
    assert (policy.threshold, policy.nearest_floor, policy.nearest_cut, k) == (0.5, 0.45, 0.97, 5)
    assert (policy.min_probability, policy.rank_margin) == (
        0.93, shared.CacheConfig().verifier_rank_margin)
    assert shared.variant("0.5:5:m", None, 0.93)[0].nearest_cut is None
    assert shared.variant("0.5:5:m:n0.45", None, 0.93)[0].nearest_cut is None
    record = shared.judging({"v": shared.variant("0.5:5:m:n0.4:N0.95", None, 0.93)})["v"]
    assert (record["nearest_floor"], record["nearest_cut"]) == (0.4, 0.95)
    assert "nearest_cut" not in shared.judging({"v": shared.variant("0.5:5:m", None, 0.93)})["v"]
    for bad in ("0.5:5:m:N0.97", "0.5:5:m:n0.4:N0.97:N0.98", "0.5:5:m:n0.4:N0.97:L0.95"):
        with pytest.raises(SystemExit):
            shared.variant(bad, None, 0.93)


def test_the_co_member_check_is_a_variant_field(shared: ModuleType) -> None:
    """``:c``: the layer's co-member table on the policy (``cache.co_members``, rule CH);
    without it, none."""
    from llm_router.cache.co_members import shared_co_members

    assert shared.variant("0.5:5:m:c", None, 0.9)[0].co_members is shared_co_members()
    assert shared.variant("0.5:5:m", None, 0.9)[0].co_members is None


def test_the_number_words_are_a_variant_field(shared: ModuleType) -> None:
    """``:w`` / ``:w0``: rule NW on or off (``MatchPolicy.number_words``); without either,
    ``cache.number_words`` (on since session 36), for plain and unequal floors alike."""
    assert shared.variant("0.5:5:m:w", None, 0.9)[0].number_words is True
    assert shared.variant("0.5:5:m:w0", None, 0.9)[0].number_words is False
    default = shared.CacheConfig().number_words
    assert default is True
    assert shared.variant("0.5:5:m", None, 0.9)[0].number_words is default
    assert shared.variant("0.5/0.4@3:5", None, 0.9)[0].number_words is default
    assert shared.variant("0.5/0.4@3:5:w0", None, 0.9)[0].number_words is False


def test_f1s_nearest_is_counted_as_handed_over(shared: ModuleType) -> None:
    """A round under the floor hands nothing over, or its first candidate alone where F1
    holds it to a lower floor."""
    policy, _ = shared.variant("0.5:5:n0.45", None, 0.9)
    walk = [[("a", 0.47), ("b", 0.46)]]
    assert shared.handed_over(walk, policy, None, False) == 0
    assert shared.handed_over(walk, policy, None, False, 0.45) == 1


def test_the_map_is_a_variant_field(shared: ModuleType) -> None:
    """``:m`` after WIDEN_TO: the variant looks up in the retrieval map's index; the other
    fields read as without it."""
    assert shared.mapped_variant("0.5:5:m") and shared.mapped_variant("0.45:5:3:m")
    assert not shared.mapped_variant("0.5:5") and not shared.mapped_variant("0.5:5:n0.45")
    policy, k = shared.variant("0.45:5:0:m", None, 0.9)
    assert (policy.threshold, policy.rank_margin, k) == (0.45, 0.0, 5)


def test_an_identity_map_looks_up_as_the_raw_index(shared: ModuleType, tmp_path: Path) -> None:
    """The same entries under the identity map: every outcome, answer and count as the
    raw index's, variant for variant."""
    embedder = shared_embedder()
    cross = load_cross_verifier(embedder)
    np.savez(tmp_path / "eye.npz", weight=np.eye(embedder.dim, dtype=np.float32))
    rmap = RetrievalMap.load(tmp_path / "eye.npz")
    vectors = dict(zip(ENTRIES + QUERIES, embedder.embed(ENTRIES + QUERIES), strict=True))
    index = TenantIndex(capacity=len(ENTRIES))
    mapped = TenantIndex(capacity=len(ENTRIES), retrieval_map=rmap)
    for i, text in enumerate(ENTRIES):
        for each in (index, mapped):
            each.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], shared.FOREVER, ""))
    by_query = {q: [{"set": "tiny", "label": 1, "kind": "reworded", "a": a, "b": q}]
                for q, a in zip(QUERIES, (ENTRIES[0], ENTRIES[2]), strict=True)}
    names = ("0.3:5", "0.3:5:m")
    variants = {name: shared.variant(name, cross, cross.threshold) for name in names}
    outcomes, _, handed, scored = shared.look_up(
        index, vectors, by_query, variants, ENTRIES, shared.PairGroups([]), cross, mapped,
        frozenset({"0.3:5:m"}))
    raw, moved = ([(a.outcome, a.answered, a.alone) for a in outcomes[n]] for n in names)
    assert raw == moved
    assert handed["0.3:5"] == handed["0.3:5:m"] and scored == {n: scored["0.3:5"] for n in names}


def test_ra_is_a_variant_field(shared: ModuleType) -> None:
    """``:r`` after WIDEN_TO: RA (``MatchPolicy.rank_margin_counts_refused``), wherever it
    stands among the optional fields; without it, off (the shipped lookup)."""
    policy, k = shared.variant("0.5:5:m:r", None, 0.9)
    assert policy.rank_margin_counts_refused and shared.mapped_variant("0.5:5:m:r")
    assert (policy.threshold, k, policy.rank_margin) == (
        0.5, 5, shared.CacheConfig().verifier_rank_margin)
    policy, _ = shared.variant("0.5:5:r:0:n0.4", None, 0.9)
    assert (policy.rank_margin_counts_refused, policy.rank_margin, policy.nearest_floor) == (
        True, 0.0, 0.4)
    assert not shared.variant("0.5:5:m", None, 0.9)[0].rank_margin_counts_refused
    assert shared.variant("0.5/0.4@3:5:r", None, 0.9)[0].rank_margin_counts_refused


def test_a_cut_is_the_fields_after_the_rank_margin(shared: ModuleType) -> None:
    """FLOOR:WIDEN_TO:m:RANK_MARGIN:CUT judges at CUT whatever the verifier's cut (rule
    S10c's S10 variants), the map field anywhere after WIDEN_TO; without CUT, the
    verifier's; the result's ``judging`` record holds the cut each variant judged at."""
    policy, k = shared.variant("0.5:5:m:3:0.93", None, 0.855177)
    assert (policy.threshold, k, policy.rank_margin, policy.min_probability) == (
        0.5, 5, 3.0, 0.93)
    assert shared.mapped_variant("0.5:5:m:3:0.93")
    plain, _ = shared.variant("0.5:5:m", None, 0.916959)
    assert (plain.min_probability, plain.rank_margin) == (
        0.916959, shared.CacheConfig().verifier_rank_margin)
    variants = {name: shared.variant(name, None, 0.855177)
                for name in ("0.5:5:m", "0.5:5:m:3:0.909847")}
    assert shared.judging(variants) == {
        "0.5:5:m": {"floor": 0.5, "widen_to": 5, "min_probability": 0.855177,
                    "rank_margin": shared.CacheConfig().verifier_rank_margin},
        "0.5:5:m:3:0.909847": {"floor": 0.5, "widen_to": 5, "min_probability": 0.909847,
                               "rank_margin": 3.0}}
    nearest = {"0.5:5:n0.4:m": shared.variant("0.5:5:n0.4:m", None, 0.93)}
    assert shared.judging(nearest)["0.5:5:n0.4:m"]["nearest_floor"] == 0.4


def test_kept_scores_give_the_same_verdicts_scoring_each_pair_once(shared: ModuleType) -> None:
    """``keep_scores`` (``--keep-scores``): a query's variants at two cuts read the scores its
    first variant made, so the pairs scored over both are one variant's alone, and every
    outcome is the one each variant gets scoring afresh."""
    cross, vectors, index, by_query = tiny_cache(shared)
    variants = {name: shared.variant(name, cross, cross.threshold)
                for name in ("0.0:5", "0.0:5:3:0.999")}
    afresh = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                            shared.PairGroups([]), cross)
    kept = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                          shared.PairGroups([]), cross, keep_scores=True)
    assert kept[0] == afresh[0]
    assert afresh[3]["0.0:5"] == afresh[3]["0.0:5:3:0.999"] > 0
    assert sum(kept[3].values()) == afresh[3]["0.0:5"]


def test_a_later_cut_judges_all_but_the_nearest_candidate(shared: ModuleType) -> None:
    """``:lC`` (``RankCut``, session 35's exploration): the lookup's nearest candidate at
    the variant's cut, the others at C. At a cut no pair reaches for the nearest and 0
    behind it, each query is answered by its second candidate (``rounds``' order), never
    its nearest; at the same cut for both, by what the plain variant answers; a pair
    alone (``probe``) is judged at the nearest's cut."""
    cross, vectors, index, by_query = tiny_cache(shared)
    variants = {name: shared.variant(name, cross, cross.threshold)
                for name in ("0.0:5:0:1.01", "0.0:5:0:1.01:l0.0", "0.0:5:0:0.0",
                             "0.0:5:0:0.0:l0.0")}
    policy = variants["0.0:5:0:1.01:l0.0"][0]
    assert (type(policy).__name__, policy.min_probability, policy.later_cut) == (
        "RankCut", 1.01, 0.0)
    assert shared.judging(variants)["0.0:5:0:1.01:l0.0"]["later_cut"] == 0.0
    out, *_ = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                             shared.PairGroups([]), cross)
    second = [shared.rounds(index, vectors[q], q, policy, 5)[0][1][0] for q in QUERIES]
    assert [a.answered for a in out["0.0:5:0:1.01"]] == [None, None]
    assert [a.answered for a in out["0.0:5:0:1.01:l0.0"]] == second
    assert [a.alone for a in out["0.0:5:0:1.01:l0.0"]] == [False, False]
    assert [a.answered for a in out["0.0:5:0:0.0:l0.0"]] == [
        a.answered for a in out["0.0:5:0:0.0"]]
    with pytest.raises(SystemExit):
        shared.variant("0.5:5:a:l0.9", None, 0.9)


def test_the_layers_later_cut_answers_as_rank_cut(shared: ModuleType) -> None:
    """``:LC`` (session 36: ``cache.verifier_later_cut`` C through ``verified_policy``, the
    nearest known from ``search``) answers every query as ``:lC`` (``RankCut``, the nearest
    learnt by the bench) at the same cuts: the second candidate where the nearest's cut is
    out of reach, none where the later one is too; its ``judging`` record names the later
    cut; and with other fields than the map it is refused."""
    cross, vectors, index, by_query = tiny_cache(shared)
    names = ("0.0:5:0:1.01:l0.0", "0.0:5:0:1.01:L0.0", "0.0:5:0:0.0:l1.01",
             "0.0:5:0:0.0:L1.01", "0.0:5:0:1.01:l1.01", "0.0:5:0:1.01:L1.01")
    variants = {name: shared.variant(name, cross, cross.threshold) for name in names}
    layer = variants["0.0:5:0:1.01:L0.0"][0]
    assert (type(layer), layer.min_probability, layer.later_probability) == (
        MatchPolicy, 1.01, 0.0)
    assert shared.judging(variants)["0.0:5:0:1.01:L0.0"]["later_probability"] == 0.0
    out, *_ = shared.look_up(index, vectors, by_query, variants, ENTRIES,
                             shared.PairGroups([]), cross)
    second = [shared.rounds(index, vectors[q], q, layer, 5)[0][1][0] for q in QUERIES]
    nearest = [shared.rounds(index, vectors[q], q, layer, 5)[0][0][0] for q in QUERIES]
    assert [a.answered for a in out["0.0:5:0:1.01:L0.0"]] == second
    assert [a.answered for a in out["0.0:5:0:0.0:L1.01"]] == nearest
    assert [a.answered for a in out["0.0:5:0:1.01:L1.01"]] == [None, None]
    for c in ("1.01:{}0.0", "0.0:{}1.01", "1.01:{}1.01"):
        assert [a.answered for a in out["0.0:5:0:" + c.format("L")]] == [
            a.answered for a in out["0.0:5:0:" + c.format("l")]]
    for bad in ("0.5:5:m:r:L1.01", "0.5:5:m:3:0.91:l1.01:L1.01", "0.5/0.4@3:5:L1.01"):
        with pytest.raises(SystemExit, match="one :LC at most"):
            shared.variant(bad, None, 0.9)
