"""The continued training of the cross-encoder (``train.cache_verifier.cross_continue``,
sessions 12-23): what it may train on, the rules' cuts and verdicts, the stack as a teacher,
like-length batches and Quora's hard negatives."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from train.cache_verifier.cross import batch_order
from train.cache_verifier.cross_continue import (
    D2,
    D3,
    D4,
    D10,
    D48,
    D_SESSION16,
    DECIDES,
    DECISION_SETS,
    FLOOR,
    FOCUS_SETS,
    G26,
    G27,
    G34,
    G37,
    HELD_22,
    HELD_23,
    HELD_25,
    HELD_26,
    HELD_27,
    HELD_SESSION21,
    HELD_SETS,
    MATCHED_SETS,
    NEW_SETS,
    RULES,
    SESSION13_CUT,
    SHAPE_SETS,
    SHIPPED,
    _hit,
    _key,
    _losses,
    decide_cut,
    decision_pairs,
    first_sets,
    flag,
    frozen_names,
    held_sets,
    highest_cut,
    lowest_cut,
    pair_weights,
    probe_probabilities,
    sharing_a_text,
    shipped_cut,
    stacked,
    starts_alone,
)
from train.cache_verifier.pairs import read_jsonl

counts = _losses().counts  # bench/cache_losses.py's, which the rules count with
MATCHED_REQUESTS = 100  # added_request negatives per matched set, at least


def row(label: int, p: float, *, respelled: bool = False, numbers: bool = False,
        similarity: float = 0.9) -> dict[str, Any]:
    return {"label": label, "p": None if numbers else p, "numbers": numbers,
            "respelling": ["typo"] if respelled else None, "similarity": similarity}


def test_no_decision_set_is_a_training_set() -> None:
    """Session 19 trains on heldout9-11 and 14-21 (decision sets until then); D8,
    heldout22-29, decides and is never trained on."""
    trained = (set(NEW_SETS) | set(SHAPE_SETS) | set(FOCUS_SETS) | set(MATCHED_SETS)
               | set(HELD_SETS))
    assert not trained & set(DECISION_SETS)
    assert tuple(f"heldout{n}" for n in range(22, 30)) == DECISION_SETS
    assert set(HELD_SETS) == set(D_SESSION16[:11]) and all(p.is_file() for p in
                                                           HELD_SETS.values())
    assert {p["set"] for p in decision_pairs()} == set(DECISION_SETS)


def test_a_decision_pair_is_known_whatever_its_case_spacing_punctuation_or_order() -> None:
    assert _key("How do I Reset my  password", "reset password") == _key(
        "reset password", "how do i reset my password")
    assert _key("how do I undo my last commit?", "x") == _key("x", "How do I undo my last commit")


def test_the_lowest_cut_keeps_the_false_hits_at_the_bound() -> None:
    rows = [row(0, 0.95), row(0, 0.91), row(0, 0.5), row(0, 0.99, respelled=True),
            row(0, 0.0, numbers=True), row(1, 0.92), row(1, 0.9), row(1, 0.3)]
    # one false hit allowed: the respelled negative takes it, so the cut must pass 0.95
    assert lowest_cut(rows, 1) == 0.950001
    assert counts(rows, FLOOR, 0.950001)["false_hits"] == 1
    # two allowed: the cut just over 0.91 keeps 0.92's paraphrase
    cut = lowest_cut(rows, 2)
    assert cut == 0.910001 and counts(rows, FLOOR, cut)["hits"] == 1
    # a pair under the floor never passes, whatever its p
    assert counts([row(0, 0.99, similarity=0.4)], FLOOR, 0.5)["false_hits"] == 0


def test_the_shape_sets_hold_matched_pairs_of_both_new_kinds() -> None:
    """train13a-d: each ``specific_case`` negative has an ``added_context`` paraphrase of
    the same short question (the matched sets the loaders must accept)."""
    for name, path in SHAPE_SETS.items():
        rows = read_jsonl(path)
        kinds = {(r["kind"], int(r["label"])) for r in rows}
        assert {("added_context", 1), ("specific_case", 0)} <= kinds, name
        def short(r: dict[str, Any]) -> str:
            return str(min(r["a"], r["b"], key=len))

        context = {short(r) for r in rows if r["kind"] == "added_context"}
        cases = [r for r in rows if r["kind"] == "specific_case"]
        assert len(cases) >= 125, name
        assert sum(short(r) in context for r in cases) >= 0.95 * len(cases), name


def _losses_rows(path: Path, ps: dict[str, list[tuple[int, float]]]) -> Path:
    rows = [{"set": name, "kind": "k", "a": f"{name} {n}", "b": "q", "label": label, "p": p,
             "numbers": False, "respelling": None, "similarity": 0.9}
            for name, pairs in ps.items() for n, (label, p) in enumerate(pairs)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_the_rule_adopts_at_c_a_only_for_a_gain_that_every_set_and_the_newest_keep(
        tmp_path: Path) -> None:
    """Session 15's rule: at c_A (false hits at most FH0), recall on D'' gains 1.5 points,
    no set loses more than 1.5, heldout20+21 together gain; else no cut is chosen."""
    rule = RULES["session15"]
    shipped = {name: [(1, 0.97)] * 180 + [(1, 0.9)] * 20 + [(0, 0.97)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    fh0 = 5 * len(rule.sets)
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # the candidate lifts the 0.9 paraphrases over its negatives in every set: adopted
    better = {name: [(1, 0.97)] * 180 + [(1, 0.96)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
              for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "better.jsonl", better))
    assert result["shipped"]["false_hits"] == fh0 and rule.shipped_cut == SESSION13_CUT
    assert result["shipped_cut"] == 0.956217
    assert result["chosen"] == "c_A" and result["candidate"]["false_hits"] <= fh0
    assert result["recall_points"] == 10.0 and result["b"]["newest_points"] == 10.0
    # the same gain everywhere but heldout20-21, which lose a little: (b) fails
    kept = [(1, 0.97)] * 180 + [(1, 0.05)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
    uneven = dict(better, heldout20=[(1, 0.05)] + kept[1:], heldout21=kept)
    result = decide_cut(base, _losses_rows(tmp_path / "uneven.jsonl", uneven), rule)
    assert result["a"]["pass"] and not result["b"]["pass"] and result["chosen"] is None
    # negatives above the paraphrases: c_A keeps FH0 only by losing recall, (a) fails
    worse = {name: [(1, 0.96)] * 200 + [(0, 0.99)] * 10 + [(0, 0.1)] * 90
             for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "worse.jsonl", worse), rule)
    assert not result["a"]["pass"] and result["chosen"] is None
    # session 16's rule is over heldout9-11 and 14-23: these runs are not
    with pytest.raises(SystemExit, match="heldout23"):
        decide_cut(base, _losses_rows(tmp_path / "better.jsonl", better), RULES["session16"])


def test_session_16s_rule_allows_half_a_point_and_two_and_a_half_a_set(tmp_path: Path) -> None:
    """A model that decides alone: at c_S (false hits at most FH0), recall on heldout9-11
    and 14-23 may be
    0.5 point under the stack's, and a set may lose up to 2.5 points."""
    rule = RULES["session16"]
    assert rule.sets == D_SESSION16 and len(rule.sets) == 13
    shipped = {name: [(1, 0.97)] * 200 + [(0, 0.97)] * 2 + [(0, 0.1)] * 98
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # 1 of 200 paraphrases lost in each set (0.5 point), the same false hits: adopted
    near = {name: [(1, 0.97)] * 199 + [(1, 0.05)] + [(0, 0.97)] * 2 + [(0, 0.1)] * 98
            for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "near.jsonl", near), rule)
    assert result["recall_points"] == -0.5 and result["chosen"] == "c_A"
    assert result["rule"] == rule.text
    # 2 of 200 lost everywhere: (a) fails; 6 of 200 in one set only (3 points): (b) fails
    far = {name: [(1, 0.97)] * 198 + [(1, 0.05)] * 2 + [(0, 0.97)] * 2 + [(0, 0.1)] * 98
           for name in rule.sets}
    assert not decide_cut(base, _losses_rows(tmp_path / "far.jsonl", far), rule)["a"]["pass"]
    one = dict(shipped, heldout22=[(1, 0.97)] * 194 + [(1, 0.05)] * 6 + shipped["heldout22"][200:])
    result = decide_cut(base, _losses_rows(tmp_path / "one.jsonl", one), rule)
    assert result["a"]["pass"] and not result["b"]["pass"] and result["chosen"] is None


def test_the_matched_rule_adopts_at_c_a_with_the_newest_keeping_their_recall(
        tmp_path: Path) -> None:
    """Session 16's rule for the matched sets' candidate, route (a): at c_A recall on D'''
    gains 1.5 points, no set loses more than 1.5, heldout22+23 together lose none."""
    rule = RULES["session16-matched"]
    assert rule.sets == D_SESSION16 and rule.fewer == 0.75
    shipped = {name: [(1, 0.97)] * 180 + [(1, 0.9)] * 20 + [(0, 0.97)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    better = {name: [(1, 0.97)] * 180 + [(1, 0.96)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
              for name in rule.sets}
    # heldout22-23 merely keeping their recall is enough; losing one paraphrase is not
    kept = [(1, 0.97)] * 180 + [(1, 0.05)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
    even = dict(better, heldout22=kept, heldout23=kept)
    result = decide_cut(base, _losses_rows(tmp_path / "even.jsonl", even), rule)
    assert result["b"]["newest_points"] == 0.0 and result["chosen"] == "c_A"
    assert result["a"]["pass"] and result["cut"] == result["cuts"]["c_A"]
    uneven = dict(even, heldout22=[(1, 0.05)] + kept[1:])
    result = decide_cut(base, _losses_rows(tmp_path / "uneven.jsonl", uneven), rule)
    assert result["a"]["pass"] and not result["b"]["pass"] and result["chosen"] is None


def test_the_matched_rule_adopts_at_c_r_for_a_quarter_fewer_false_hits(tmp_path: Path) -> None:
    """Route (a'): at c_R (recall at least R0), false hits at most 0.75 x FH0."""
    rule = RULES["session16-matched"]
    shipped = {name: [(1, 0.97)] * 180 + [(1, 0.9)] * 20 + [(0, 0.97)] * 4 + [(0, 0.1)] * 96
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # the same paraphrases found, three of each set's four passed negatives between them and
    # the shipped cut; lowering the cut to FH0 finds nothing more
    cleaner = {name: [(1, 0.97)] * 180 + [(1, 0.5)] * 20 + [(0, 0.975)] + [(0, 0.96)] * 3
               + [(0, 0.8)] * 2 + [(0, 0.1)] * 94 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "cleaner.jsonl", cleaner), rule)
    assert not result["a"]["pass"] and result["a_prime"]["pass"]
    assert result["chosen"] == "c_R" and result["cut"] == result["cuts"]["c_R"] == 0.97
    assert result["candidate"]["false_hits"] == len(rule.sets)
    assert result["candidate"]["hits"] == result["shipped"]["hits"]
    # the other rules have no route (a')
    assert RULES["session16"].fewer is None and "c_R" not in decide_cut(
        base, _losses_rows(tmp_path / "cleaner.jsonl", cleaner), RULES["session16"])["cuts"]


def test_the_highest_cut_keeps_the_hits_at_the_bound() -> None:
    rows = [row(1, 0.99, respelled=True), row(1, 0.9712345), row(1, 0.95), row(1, 0.93),
            row(1, 0.97, similarity=0.4), row(1, 0.0, numbers=True), row(0, 0.96)]
    assert highest_cut(rows, 1) == 1.0  # the respelled paraphrase passes at any cut
    assert highest_cut(rows, 2) == 0.971234 and counts(rows, FLOOR, 0.971234)["hits"] == 2
    assert highest_cut(rows, 3) == 0.95 and counts(rows, FLOOR, 0.950001)["hits"] == 2


def test_the_matched_sets_hold_matched_pairs_of_both_new_kinds() -> None:
    """train16a-b: each ``added_request`` negative has an ``added_context`` paraphrase of
    the same short question (the matched sets session 16's prompt asked for)."""
    for name, path in MATCHED_SETS.items():
        rows = read_jsonl(path)
        kinds = {(r["kind"], int(r["label"])) for r in rows}
        assert {("added_context", 1), ("added_request", 0), ("reworded", 1)} <= kinds, name
        def short(r: dict[str, Any]) -> str:
            return str(min(r["a"], r["b"], key=len))

        context = {short(r) for r in rows if r["kind"] == "added_context"}
        requests = [r for r in rows if r["kind"] == "added_request"]
        assert len(requests) >= MATCHED_REQUESTS, name
        assert sum(short(r) in context for r in requests) >= 0.95 * len(requests), name


def test_the_stack_teaches_through_the_sum_of_both_logits(tmp_path: Path) -> None:
    """``fit --teacher-stack``: the target's teacher is the runtime's stacked probability;
    a pair the probe refused before the nets is taught the cross-encoder's alone."""
    from llm_router.cache.cross import stack

    p_cross = np.asarray([0.3, 0.9, 0.99, 1e-9, 0.6], np.float32)
    probe = tmp_path / "nets.jsonl"
    probe.write_text("".join(json.dumps(r) + "\n" for r in (
        {"hit": False, "probability": 0.8}, {"hit": False, "probability": 0.2},
        {"hit": True, "probability": 0.999}, {"hit": False, "probability": 0.5},
        {"hit": False, "refused_by": "numbers"})))
    p_nets = probe_probabilities(probe, 5)
    assert np.isnan(p_nets[4]) and not np.isnan(p_nets[:4]).any()
    taught = stacked(p_cross, p_nets)
    for i in range(4):
        assert taught[i] == pytest.approx(stack(float(p_cross[i]), float(p_nets[i])), abs=1e-6)
    assert taught[4] == pytest.approx(0.6, abs=1e-6)
    with pytest.raises(SystemExit, match="5 lines for 6 pairs"):
        probe_probabilities(probe, 6)


def test_like_length_batches_read_every_pair_once_and_group_lengths() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(10, 80, 32 * 120)
    order = batch_order(lengths, 32, np.random.default_rng(1), by_length=True)
    assert sorted(order.tolist()) == list(range(len(lengths)))
    spread = np.ptp(lengths[order].reshape(-1, 32), axis=1).mean()
    plain = batch_order(lengths, 32, np.random.default_rng(1), by_length=False)
    assert spread < np.ptp(lengths[plain].reshape(-1, 32), axis=1).mean() / 4
    assert (plain == np.random.default_rng(1).permutation(len(lengths))).all()


def test_freezing_below_a_layer_leaves_the_head_and_upper_layers_trained() -> None:
    names = {"embeddings.LayerNorm.weight": 0, "encoder.layer.0.output.dense.weight": 0,
             "encoder.layer.1.output.dense.weight": 0, "encoder.layer.2.output.dense.weight": 0,
             "head.weight": 0}
    assert frozen_names(names, 0) == frozenset()
    assert frozen_names(names, 2) == {"embeddings.LayerNorm.weight",
                                      "encoder.layer.0.output.dense.weight",
                                      "encoder.layer.1.output.dense.weight"}


def test_the_verdict_is_the_lookups_with_every_check_after_the_verifier() -> None:
    """``_hit`` reads a row as ``bench/cache_losses.py`` does: over the cut, a pair the
    narrowing, extra_ask or own_case check refused is a miss; a row of a run before those
    checks (no such fields) is judged as then."""
    assert _hit(row(1, 0.96), 0.95) and not _hit(row(1, 0.94), 0.95)
    for check in ("narrowed", "more", "own"):
        refused = dict(row(0, 0.99), **{check: True})
        assert not _hit(refused, 0.95), check
        assert counts([refused, row(0, 0.99)], FLOOR, 0.95)["false_hits"] == 1, check
    # a respelled pair is a hit whatever the checks; one the hard check refuses, never
    assert _hit(dict(row(1, 0.2, respelled=True), own=True), 0.95)
    assert not _hit(row(1, 0.99, numbers=True), 0.0)
    # c_R counts a positive the checks refuse as never found, whatever the cut
    rows = [row(1, 0.99), dict(row(1, 0.98), more=True), row(1, 0.97)]
    assert highest_cut(rows, 2) == 0.97


def test_each_rule_reads_the_shipped_stack_at_its_own_cut(tmp_path: Path) -> None:
    """Session 19's rule over D8 (heldout22-29) reads the shipped stack at session 17's cut
    (as session 20's does), the older rules at session 13's, session 21's at session 20's
    (C3's 0.927421); a rule that names none, at the layer's cross.json's."""
    rule = RULES["session19"]
    assert rule.sets == DECISION_SETS and rule.newest == ("heldout28", "heldout29")
    assert (rule.gain, rule.worst, rule.newest_must, rule.fewer) == (2.0, 2.0, "keep", 0.75)
    assert rule.shipped_cut == 0.945708 and "at its cut 0.945708" in rule.text
    assert {RULES[r].shipped_cut for r in RULES
            if r not in ("session19", "session20", "session21", "session21-alone", "session22",
                         "session23", "session25", "session26", "session27",
                         "session34", "session37")} == {
        SESSION13_CUT}
    assert RULES["session21"].shipped_cut == 0.927421 and "at 0.927421" in RULES["session21"].text
    layer = json.loads((SHIPPED / "cross.json").read_text())["threshold"]
    assert replace(rule, cut=None).shipped_cut == shipped_cut() == layer
    cut = rule.shipped_cut
    shipped = {name: [(1, cut + 0.01)] * 180 + [(1, cut - 0.01)] * 20 + [(0, cut + 0.01)] * 5
               + [(0, 0.1)] * 95 for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    better = {name: [(1, cut + 0.01)] * 180 + [(1, cut + 0.005)] * 20 + [(0, cut + 0.002)] * 5
              + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "better.jsonl", better), rule)
    assert result["shipped"]["hits"] == 180 * 8 and result["shipped_cut"] == cut
    assert result["chosen"] == "c_A" and result["recall_points"] == 10.0


def test_the_quora_replay_size_draws_that_many_quora_pairs_and_leaves_the_rest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import train.cache_verifier.build as build
    import train.cache_verifier.cross_continue as cc

    pool = ([{"a": f"q{i}", "b": f"r{i}", "label": i % 2, "source": "qqp"} for i in range(50)]
            + [{"a": f"h{i}", "b": f"k{i}", "label": 1, "source": "heldout1"} for i in range(40)]
            + [{"a": f"g{i}", "b": f"j{i}", "label": 0, "source": "qqp+typo"}
               for i in range(40)])
    monkeypatch.setattr(build, "build", lambda *a, **k: {"train": pool, "tune": []})
    monkeypatch.setattr(cc, "REPLAY", {"hand": 10, "qqp": 6, "generated": 5})
    monkeypatch.setattr(cc, "FIRST", {})
    monkeypatch.setattr(cc, "decision_pairs", lambda sets=(): [])
    monkeypatch.setattr(cc, "quora_leak", lambda rows, held: 0)
    public = tmp_path / "heldout.jsonl"
    public.write_text("")
    monkeypatch.setattr(cc, "PUBLIC_HELDOUT", public)

    def drawn(**kw: Any) -> dict[str, int]:
        pairs, record = cc.collect(**kw)
        counts = {s: sum(p["source"] == s for p in pairs) for s in ("qqp", "heldout1", "qqp+typo")}
        assert record["drawn"] == {"hand": counts["heldout1"], "qqp": counts["qqp"],
                                   "generated": counts["qqp+typo"]}
        return counts

    assert drawn() == {"qqp": 6, "heldout1": 10, "qqp+typo": 5}
    assert drawn(qqp_replay=12) == {"qqp": 12, "heldout1": 10, "qqp+typo": 5}
    assert drawn(qqp_replay=500) == {"qqp": 50, "heldout1": 10, "qqp+typo": 5}


def test_the_lowest_cut_with_quora_in_view_keeps_both_bounds() -> None:
    """Session 20's c_Q: the lowest cut at which the decision sets' false hits stay at FH0
    AND Quora's at shipped's; either bound can be the one that stops it."""
    rows = [row(0, 0.95), row(0, 0.91), row(1, 0.92), row(1, 0.9)]
    quora = [row(0, 0.93), row(0, 0.5), row(1, 0.94)]
    assert lowest_cut(rows, 2) == 0.000001  # the decision sets alone allow any cut ...
    assert lowest_cut(rows, 2, (quora, 0)) == 0.930001  # ... Quora's bound stops it higher
    assert lowest_cut(rows, 2, (quora, 1)) == 0.500001
    assert lowest_cut(rows, 1, (quora, 5)) == 0.910001  # here the decision sets' stops it


def _quora_rows(path: Path, negatives: list[float]) -> Path:
    rows = ([{"set": "pairs:qqp", "a": f"q{n}", "b": f"r{n}", "label": 0, "kind": "x", "p": p,
              "similarity": 0.9, "numbers": False, "respelling": None}
             for n, p in enumerate(negatives)]
            + [{"set": s, "a": "s", "b": "t", "label": 0, "kind": "x", "p": 0.999,
                "similarity": 0.9, "numbers": False, "respelling": None}
               for s in ("pairs:support_heldout", "pairs:qqp+generated")])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_session_20s_rule_adopts_at_c_q_with_quora_in_view(tmp_path: Path) -> None:
    """D10 (heldout22-31); the one cut is c_Q; (a) 1.5 points there, (b) 2.0 a set and
    heldout30+31 keeping their recall; the Quora rows are the pairs:qqp ones (not those
    generated from them)."""
    rule = RULES["session20"]
    assert rule.sets == D10 == (*DECISION_SETS, "heldout30", "heldout31")
    assert (rule.gain, rule.worst, rule.newest_must, rule.fewer, rule.quora) == (
        1.5, 2.0, "keep", None, True)
    assert rule.newest == ("heldout30", "heldout31") and rule.shipped_cut == 0.945708
    assert "c_Q(X) = the lowest 6-decimal cut" in rule.text
    cut = rule.shipped_cut
    shipped = {name: [(1, cut + 0.01)] * 180 + [(1, 0.5)] * 20 + [(0, cut + 0.01)] * 5
               + [(0, 0.1)] * 95 for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # the candidate's paraphrases sit at 0.90-0.93, its negatives at 0.89: on D10 alone a cut
    # of 0.89 would do; Quora's negative at 0.92 (shipped passes none) holds c_Q over it
    better = {name: [(1, cut + 0.01)] * 180 + [(1, 0.93)] * 10 + [(1, 0.90)] * 10
              + [(0, 0.89)] * 5 + [(0, 0.1)] * 95 for name in rule.sets}
    cand = _losses_rows(tmp_path / "better.jsonl", better)
    q_base = _quora_rows(tmp_path / "qb.jsonl", [0.9, 0.5])
    q_cand = _quora_rows(tmp_path / "qc.jsonl", [0.92, 0.5])
    result = decide_cut(base, cand, rule, (q_base, q_cand))
    assert result["cuts"] == {"c_Q": 0.920001} and result["cut"] == 0.920001
    assert result["chosen"] == "c_Q" and result["recall_points"] == 5.0
    assert result["quora"]["shipped"]["false_hits"] == 0
    assert result["quora"]["candidate"]["false_hits"] == 0
    assert result["quora"]["candidate_at_shipped_cut"]["false_hits"] == 0
    assert result["candidate_at_shipped_cut"]["hits"] == 180 * 10
    # Quora's negative at 0.935: c_Q climbs over the 0.93 paraphrases, (a) fails
    q_high = _quora_rows(tmp_path / "qh.jsonl", [0.935, 0.5])
    result = decide_cut(base, cand, rule, (q_base, q_high))
    assert result["cut"] == 0.935001 and not result["a"]["pass"] and result["chosen"] is None
    # a Quora rule needs the Quora runs, and only it takes them
    with pytest.raises(SystemExit, match="Quora rule"):
        decide_cut(base, cand, rule)
    with pytest.raises(SystemExit, match="Quora rule"):
        decide_cut(base, cand, replace(rule, quora=False), (q_base, q_cand))


def test_session_21s_rule_for_a_model_alone_allows_half_a_point_at_c_s(tmp_path: Path) -> None:
    """S2 (decides alone) on D4 (heldout30-33) against C3 at 0.927421: c_S is c_Q's search (D4's
    and Quora's false hits at X0's); (a) lets D4's recall fall half a point, (b) 2.5 a set."""
    rule = RULES["session21-alone"]
    assert rule.sets == D4 == ("heldout30", "heldout31", "heldout32", "heldout33")
    assert (rule.gain, rule.worst, rule.newest_must, rule.fewer, rule.quora) == (
        -0.5, 2.5, "", None, True)
    assert rule.shipped_cut == 0.927421 and "c_S = the lowest 6-decimal cut" in rule.text
    cut = rule.shipped_cut
    shipped = {name: [(1, cut + 0.01)] * 180 + [(1, 0.5)] * 20 + [(0, cut + 0.01)] * 5
               + [(0, 0.1)] * 95 for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # Quora: X0 passes one negative; S2's at 0.96 and 0.90 hold c_S at 0.900001, where S2
    # finds 179 of each set's 200 paraphrases: -0.5 points, the most (a) allows
    q_base = _quora_rows(tmp_path / "qb.jsonl", [0.93, 0.5])
    q_alone = _quora_rows(tmp_path / "qa.jsonl", [0.96, 0.9])
    alone = {name: [(1, 0.95)] * 179 + [(1, 0.85)] * 21 + [(0, 0.9)] * 5 + [(0, 0.1)] * 95
             for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "alone.jsonl", alone), rule,
                        (q_base, q_alone))
    assert result["cut"] == 0.900001 and result["chosen"] == "c_Q"
    assert result["recall_points"] == -0.5 and result["b"]["worst_set_points"] == -0.5
    # one set 3 points down ((b); the others gain, so (a) holds), or all a point ((a)): X0 stays
    worse = {name: [(1, 0.95)] * (174 if name == "heldout31" else 181)
             + [(1, 0.85)] * (26 if name == "heldout31" else 19) + [(0, 0.9)] * 5
             + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "worse.jsonl", worse), rule,
                        (q_base, q_alone))
    assert result["a"]["pass"] and result["b"]["worst_set_points"] == -3.0
    assert result["chosen"] is None
    fewer = {name: [(1, 0.95)] * 178 + [(1, 0.85)] * 22 + [(0, 0.9)] * 5 + [(0, 0.1)] * 95
             for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "fewer.jsonl", fewer), rule,
                        (q_base, q_alone))
    assert result["recall_points"] == -1.0 and not result["a"]["pass"]
    assert result["chosen"] is None


def test_the_quora_hard_negatives_are_close_unguarded_not_duplicates_outside_the_replay(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``prepare --qqp-hard N``: the build's Quora train pairs not drawn for the replay,
    labelled not-duplicate, MiniLM cosine >= 0.80, no guarded pair's texts, up to N (a seed-19
    sample), after the replay and flagged ``qneg``; none without it."""
    import llm_router.embedding.minilm as minilm
    import train.cache_verifier.build as build
    import train.cache_verifier.cross_continue as cc

    # text "c{i}" and "d{i}" embed at cosine 0.9 for even i, 0.5 for odd i
    def embed(texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            i = int(t[1:])
            angle = 0.0 if t[0] == "c" else math.acos(0.9 if i % 2 == 0 else 0.5)
            out.append([math.cos(angle), math.sin(angle)])
        return np.asarray(out)

    class Fake:
        pass

    fake = Fake()
    fake.embed = embed  # type: ignore[attr-defined]
    monkeypatch.setattr(minilm, "shared_embedder", lambda: fake)
    pool = [{"a": f"c{i}", "b": f"d{i}", "label": int(i % 5 == 0), "source": "qqp",
             "kind": "x"} for i in range(60)]
    monkeypatch.setattr(build, "build", lambda *a, **k: {"train": pool, "tune": []})
    monkeypatch.setattr(cc, "REPLAY", {"hand": 0, "qqp": 20, "generated": 0})
    monkeypatch.setattr(cc, "FIRST", {})
    guarded = [{"a": "C2", "b": "d2!", "label": 0}]  # c2 / d2, case and punctuation aside
    monkeypatch.setattr(cc, "decision_pairs", lambda sets=(): guarded if sets else [])
    monkeypatch.setattr(cc, "quora_leak", lambda rows, held: 0)
    public = tmp_path / "heldout.jsonl"
    public.write_text("")
    monkeypatch.setattr(cc, "PUBLIC_HELDOUT", public)

    pairs, record = cc.collect(guard=("heldoutX",), qqp_hard=100)
    replay = pairs[:20]
    hard = [p for p in pairs if p.get("qneg")]
    assert pairs[20:] == hard and not any(p.get("qneg") for p in replay)
    replayed = {p["a"] for p in replay}
    eligible = {f"c{i}" for i in range(60) if i % 2 == 0 and i % 5 and f"c{i}" not in replayed}
    assert {p["a"] for p in hard} == eligible - {"c2"}
    assert all(p["label"] == 0 and p["source"] == "qqp" for p in hard)
    q = record["qqp_hard"]
    assert q["kept"] == len(hard) and q["dropped_by_text_guard"] == int("c2" not in replayed)
    assert q["negatives_outside_replay"] == sum(1 for i in range(60) if i % 5
                                                and f"c{i}" not in replayed)
    # at most N, a seed-19 sample, the same each time
    few, _ = cc.collect(guard=("heldoutX",), qqp_hard=3)
    again, _ = cc.collect(guard=("heldoutX",), qqp_hard=3)
    assert sum(bool(p.get("qneg")) for p in few) == 3 and few == again
    plain, record = cc.collect(guard=("heldoutX",))
    assert plain == replay and "qqp_hard" not in record


def test_the_quora_hard_negatives_weigh_qneg_weight_and_keep_their_label() -> None:
    """``fit --qneg-weight``: their weight (default 1, a Quora pair's), never distilled
    nor trained through the stack; a bundle made before them has no such flag."""
    n = 6
    bundle = {"train.label": np.asarray([1, 0, 1, 0, 0, 0], np.int8),
              "train.new": np.asarray([1, 1, 0, 0, 0, 0], np.bool_),
              "train.hand": np.asarray([1, 1, 1, 0, 0, 0], np.bool_),
              "train.mined": np.asarray([0, 0, 0, 0, 0, 1], np.bool_),
              "train.qneg": np.asarray([0, 0, 0, 0, 1, 0], np.bool_)}

    class Bundle(dict):  # type: ignore[type-arg]
        @property
        def files(self) -> list[str]:
            return list(self)

    weights, first, replay = pair_weights(Bundle(bundle), new_weight=3, hand_weight=2,
                                          qneg_weight=3)
    raw = np.asarray([3, 3, 2, 1, 3, 0.3])
    assert weights == pytest.approx(raw / raw.mean())
    assert first.tolist() == [True, True, False, False, False, False]
    assert replay.tolist() == [False, False, True, True, False, False]
    older = Bundle({k: v for k, v in bundle.items() if k != "train.qneg"})
    assert not flag(older, "qneg").any() and flag(older, "qneg").size == n
    weights, _, replay = pair_weights(older, new_weight=3, hand_weight=2)
    assert replay.tolist() == [False, False, True, True, True, False]
    default, _, _ = pair_weights(Bundle(bundle), new_weight=3, hand_weight=2)
    assert default == pytest.approx(weights)  # default 1: a Quora pair's weight


def test_session_21_trains_on_nineteen_held_sets_and_guards_heldout30_to_33(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``prepare --rule``: each rule's decision sets under the text guard and its held sets
    trained on; session21's C4 adds heldout22-29 to the eleven, after them (the sets in C3's
    order, then these), and guards D4, which it never trains on; session 19's and 20's bundles
    keep the eleven."""
    import sys

    import train.cache_verifier.cross_continue as cc

    assert D4 == ("heldout30", "heldout31", "heldout32", "heldout33")
    assert list(HELD_SESSION21) == [*HELD_SETS, *(f"heldout{n}" for n in range(22, 30))]
    assert all(p.is_file() for p in HELD_SESSION21.values())
    assert first_sets(HELD_SETS) == cc.FIRST and list(first_sets(HELD_SESSION21))[
        : len(cc.FIRST)] == list(cc.FIRST)
    for name in cc.GUARDS:
        rule = RULES[name]
        assert not set(held_sets(rule.held)) & set(rule.sets)
    assert held_sets(RULES["session21"].held) == HELD_SESSION21
    assert held_sets(RULES["session20"].held) == HELD_SETS == held_sets(RULES["session19"].held)
    seen = {}
    monkeypatch.setattr(cc, "prepare", lambda out, seed, whole, replay, guard, hard, held,
                        share_all, **extra: seen.update(guard=guard, held=held, hard=hard,
                                                        replay=replay, share_all=share_all,
                                                        **extra))
    for name, guard, held, share_all in (
            ("session37", G37, held_sets(cc.held_since_s2(95)), True),
            ("session34", G34, held_sets(cc.held_since_s2(79)), True),
            ("session27", G27, held_sets(HELD_27), True),
            ("session26", G26, held_sets(HELD_26), True),
            ("session25", D48, held_sets(HELD_25), True),
            ("session23", D3, held_sets(HELD_23), True),
            ("session22", D2, held_sets(HELD_22), True),
            ("session21", D4, HELD_SESSION21, False), ("session20", D10, HELD_SETS, False),
            ("session19", DECISION_SETS, HELD_SETS, False)):
        monkeypatch.setattr(sys, "argv", ["cross_continue", "prepare", "--qqp-replay", "12000",
                                          "--rule", name, "--qqp-hard", "4000",
                                          "--out", str(tmp_path / "b.npz")])
        cc.main()
        assert seen == {"guard": guard, "held": held, "hard": 4000, "replay": 12000,
                        "share_all": share_all}
        seen.clear()
    # session 37's two sources, passed on only when given
    monkeypatch.setattr(sys, "argv", ["cross_continue", "prepare", "--rule", "session37",
                                      "--mined-from", "B10.npz", "--popneg", "pn.jsonl",
                                      "--out", str(tmp_path / "b.npz")])
    cc.main()
    assert seen["mined_from"] == Path("B10.npz") and seen["popneg"] == Path("pn.jsonl")


def _session21(tmp_path: Path, cand: dict[str, list[tuple[int, float]]],
               quora: list[float]) -> dict[str, Any]:
    """Session 21's rule on D4 against a shipped stack finding 180 of each set's 200
    paraphrases and passing 5 of its 100 negatives (FH0 20, R0 90 %), one Quora negative
    passed of two (Q0)."""
    rule = RULES["session21"]
    shipped = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    return decide_cut(base, _losses_rows(tmp_path / "cand.jsonl", cand), rule,
                      (_quora_rows(tmp_path / "qb.jsonl", [0.95, 0.5]),
                       _quora_rows(tmp_path / "qc.jsonl", quora)))


def test_session_21s_rule_adopts_at_c_q_for_a_gain(tmp_path: Path) -> None:
    """D4 (heldout30-33) at shipped's cut 0.927421; c_Q as session 20's; (a) 1.5 points
    there and (b) 2.0 a set, with no condition on the newest sets."""
    rule = RULES["session21"]
    assert rule.sets == D4 and rule.shipped_cut == 0.927421
    assert (rule.gain, rule.worst, rule.newest, rule.newest_must, rule.fewer, rule.quora) == (
        1.5, 2.0, (), "", 0.7, True)
    assert "c_R(X) = the highest 6-decimal cut at which X's D4 recall >= R0 and its Quora" in (
        rule.text)
    # ten more paraphrases a set at 0.92, its negatives at 0.89; Quora's second negative at
    # 0.91 holds c_Q over the 0.89s
    better = {name: [(1, 0.99)] * 180 + [(1, 0.92)] * 10 + [(1, 0.5)] * 10 + [(0, 0.89)] * 5
              + [(0, 0.1)] * 95 for name in rule.sets}
    result = _session21(tmp_path, better, [0.95, 0.91])
    assert result["cuts"]["c_Q"] == 0.910001 and result["chosen"] == "c_Q"
    assert result["cut"] == 0.910001 and result["recall_points"] == 5.0
    assert result["shipped"]["false_hits"] == 20 and result["quora"]["shipped"]["false_hits"] == 1
    assert result["b"]["pass"] and result["b"]["worst_set_points"] == 5.0


def test_session_21s_false_hit_path_adopts_at_c_r_only_where_quora_holds(tmp_path: Path) -> None:
    """No gain at c_Q: c_R, the highest cut keeping R0, adopted for false hits at most
    0.7 x FH0 there, if Quora's false hits there are at most shipped's too."""
    rule = RULES["session21"]
    # the same paraphrases found; one negative a set at 0.995, four at 0.93
    cleaner = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.995)] + [(0, 0.93)] * 4
               + [(0, 0.1)] * 95 for name in rule.sets}
    result = _session21(tmp_path, cleaner, [0.95, 0.5])
    assert not result["a"]["pass"] and result["a"]["recall_points"] == 0.0
    assert result["cuts"]["c_R"] == 0.99 and result["chosen"] == "c_R" and result["cut"] == 0.99
    assert result["a_prime"]["pass"] and result["a_prime"]["quora_pass"]
    assert result["a_prime"]["at_c_R"]["false_hits"] == 4 and result["a_prime"]["bound"] == 14.0
    assert result["quora"]["candidate"]["false_hits"] == 0
    # Quora passes two negatives at 0.99 (shipped one): no cut keeps R0 and Q0, nothing adopted
    result = _session21(tmp_path, cleaner, [0.995, 0.992])
    assert not result["a_prime"]["quora_pass"] and not result["a_prime"]["pass"]
    assert result["a_prime"]["quora_at_c_R"]["false_hits"] == 2 and result["chosen"] is None
    # more false hits at c_R than 0.7 x FH0: nothing adopted either
    dirtier = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.995)] * 4 + [(0, 0.1)] * 96
               for name in rule.sets}
    result = _session21(tmp_path, dirtier, [0.95, 0.5])
    assert result["a_prime"]["quora_pass"] and not result["a_prime"]["pass"]
    assert result["chosen"] is None


def test_session_22_trains_on_twenty_three_held_sets_and_guards_heldout34_35() -> None:
    """S3 (session 22): heldout30-33 (session 21's D4) join the nineteen, after them; D2
    (heldout34-35) is under the text guard, never trained on, and any bundle pair sharing a
    text with one of its pairs is dropped too (``share_all``)."""
    rule = RULES["session22"]
    assert D2 == ("heldout34", "heldout35") and rule.sets == D2 and rule.share_all
    assert RULES["session22"].held == HELD_22 == (*RULES["session21"].held, 30, 31, 32, 33)
    assert list(held_sets(HELD_22)) == [*HELD_SESSION21, *D4]
    assert not set(held_sets(HELD_22)) & set(D2)
    assert all(p.is_file() for p in held_sets(HELD_22).values())
    assert not any(RULES[r].share_all for r in RULES
                   if r not in ("session22", "session23", "session25", "session26",
                                "session27", "session34", "session37"))


def test_a_pair_sharing_a_decision_text_is_dropped_whatever_its_set_with_share_all() -> None:
    """Without ``guard_texts`` only a shape, focus or matched set's pair sharing a held text
    is dropped (sessions 13-21); with them (session 22) any pair sharing one of theirs."""
    shape, held = next(iter(SHAPE_SETS)), next(iter(HELD_SETS))
    rows = [{"source": shape, "a": "How do I reset it?", "b": "x"},
            {"source": held, "a": "how do I reset it", "b": "y"},
            {"source": "qqp", "a": "z", "b": "Where is the pier"},
            {"source": held, "a": "w", "b": "v"}]
    texts = {"how do i reset it", "where is the pier"}
    assert sharing_a_text(rows, texts, set()) == rows[:1]
    assert sharing_a_text(rows, texts, set(), whole=True) == rows[:3]
    assert sharing_a_text(rows, set(), texts) == rows[:3]
    assert sharing_a_text(rows, {"how do i reset it"}, {"where is the pier"}) == [rows[0],
                                                                                 rows[2]]


def test_a_model_continued_from_one_that_decides_alone_decides_alone(tmp_path: Path) -> None:
    """``starts_alone``: the start's cross.json beside ``--init`` says ``"combine": null``
    (S2, shipped since session 21), so S3's fit records ``alone`` and its export writes no
    ``combine``; a stacked start (C3's ``"combine": "nets"``) or none does not."""
    assert starts_alone(SHIPPED / "cross.npz") == (
        json.loads((SHIPPED / "cross.json").read_text())["combine"] is None)
    assert not starts_alone(None) and not starts_alone(tmp_path / "cross.npz")
    (tmp_path / "cross.json").write_text(json.dumps({"combine": "nets"}))
    assert not starts_alone(tmp_path / "cross.npz")
    (tmp_path / "cross.json").write_text(json.dumps({"combine": None}))
    assert starts_alone(tmp_path / "cross.npz")


def test_session_22s_rule_reads_s2_at_its_cut_c_q_then_c_r(tmp_path: Path) -> None:
    """S3 against S2 at 0.858085 on D2: (a) 1.5 points at c_Q, (b) 2.0 a set, no condition on
    the newest; the false-hit path at 0.7 x FH0 with Quora at S2's."""
    rule = RULES["session22"]
    assert rule.shipped_cut == 0.858085 and "at 0.858085" in rule.text
    assert (rule.gain, rule.worst, rule.newest, rule.newest_must, rule.fewer, rule.quora) == (
        1.5, 2.0, (), "", 0.7, True)
    assert "(<= 13 if FH0 is 19)" in rule.text and rule.text.endswith("no tuning of it on D2.")
    shipped = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    qb = _quora_rows(tmp_path / "qb.jsonl", [0.95, 0.5])
    better = {name: [(1, 0.99)] * 180 + [(1, 0.92)] * 10 + [(1, 0.5)] * 10 + [(0, 0.89)] * 5
              + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "better.jsonl", better), rule,
                        (qb, _quora_rows(tmp_path / "qc.jsonl", [0.95, 0.91])))
    assert result["chosen"] == "c_Q" and result["cut"] == 0.910001
    assert result["shipped"]["false_hits"] == 10 and result["recall_points"] == 5.0
    cleaner = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.995)] + [(0, 0.93)] * 4
               + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "cleaner.jsonl", cleaner), rule,
                        (qb, _quora_rows(tmp_path / "qc2.jsonl", [0.95, 0.5])))
    assert result["chosen"] == "c_R" and result["cut"] == 0.99
    assert result["a_prime"]["bound"] == 7.0 and result["a_prime"]["at_c_R"]["false_hits"] == 2


def test_session_23_trains_on_twenty_seven_held_sets_and_guards_heldout38_39() -> None:
    """S4 (session 23): heldout34-37 (session 22's D2 and unseen sets) join the twenty-three,
    after them; D3 (heldout38-39) is under the text guard, never trained on, and any bundle
    pair sharing a text with one of its pairs is dropped too (``share_all``)."""
    rule = RULES["session23"]
    assert D3 == ("heldout38", "heldout39") and rule.sets == D3 and rule.share_all
    assert rule.held == HELD_23 == (*HELD_22, 34, 35, 36, 37)
    assert list(held_sets(HELD_23)) == [*held_sets(HELD_22), *D2, "heldout36", "heldout37"]
    assert not set(held_sets(HELD_23)) & set(D3)
    assert all(p.is_file() for p in held_sets(HELD_23).values())


def test_session_23s_rule_reads_b_at_its_cut_two_points_and_one_a_set(tmp_path: Path) -> None:
    """S4 against B on D3, B what main ships (the rule names S3 at 0.861295, or rule V's choice:
    S2 at 0.855177): (a) 2.0 points at c_Q, (b) 1.0 a set, no condition on the newest; the
    false-hit path at 0.7 x FH0 with Quora at B's."""
    rule = RULES["session23"]
    assert rule.shipped_cut == 0.855177 and "S3 at 0.861295, or what rule V" in rule.text
    assert (rule.gain, rule.worst, rule.newest, rule.newest_must, rule.fewer, rule.quora) == (
        2.0, 1.0, (), "", 0.7, True)
    assert rule.text.startswith("D3 = heldout38, heldout39 (never trained on by S2, S3 or S4")
    assert rule.text.endswith("Otherwise B stays. One candidate, the recipe above, no tuning "
                              "of it on D3.")
    shipped = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    qb = _quora_rows(tmp_path / "qb.jsonl", [0.95, 0.5])
    # three more paraphrases a set (+1.5 points): session 22's bar, not this one's (and its
    # five negatives a set above every paraphrase: no false-hit path either)
    some = {name: [(1, 0.99)] * 180 + [(1, 0.92)] * 3 + [(1, 0.5)] * 17 + [(0, 0.995)] * 5
            + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide_cut(base, _losses_rows(tmp_path / "some.jsonl", some), rule,
                        (qb, _quora_rows(tmp_path / "qc.jsonl", [0.95, 0.91])))
    assert result["cut"] == 0.910001 and result["recall_points"] == 1.5
    assert not result["a"]["pass"] and not result["a_prime"]["pass"] and result["chosen"] is None
    # five more in one set, one fewer in the other (-0.5 point): (a) holds, (b) 1.0 a set holds
    split = {"heldout38": [(1, 0.99)] * 180 + [(1, 0.92)] * 10 + [(1, 0.5)] * 10 + [(0, 0.89)] * 5
             + [(0, 0.1)] * 95,
             "heldout39": [(1, 0.99)] * 179 + [(1, 0.5)] * 21 + [(0, 0.89)] * 5 + [(0, 0.1)] * 95}
    result = decide_cut(base, _losses_rows(tmp_path / "split.jsonl", split), rule,
                        (qb, _quora_rows(tmp_path / "qc2.jsonl", [0.95, 0.91])))
    assert result["chosen"] == "c_Q" and result["recall_points"] == 2.25
    assert result["b"]["worst_set_points"] == -0.5
    # three fewer in the second (-1.5 points): (b) fails, so nothing is adopted
    split["heldout39"] = [(1, 0.99)] * 177 + [(1, 0.5)] * 23 + [(0, 0.89)] * 5 + [(0, 0.1)] * 95
    split["heldout38"] = [(1, 0.99)] * 180 + [(1, 0.92)] * 15 + [(1, 0.5)] * 5 + [(0, 0.89)] * 5 \
        + [(0, 0.1)] * 95
    result = decide_cut(base, _losses_rows(tmp_path / "split2.jsonl", split), rule,
                        (qb, _quora_rows(tmp_path / "qc3.jsonl", [0.95, 0.91])))
    assert result["a"]["pass"] and not result["b"]["pass"] and result["chosen"] is None


def test_session_23s_b_may_be_read_at_the_cut_main_ships(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``decide --shipped-cut``: session 23's B is what main ships when S4 is decided (S3 at
    0.861295, or what rule V ships in its place: S2 at 0.855177, the default), so its runs may
    be read at another cut; no other rule takes one."""
    import sys

    import train.cache_verifier.cross_continue as cc

    seen: dict[str, Any] = {}
    monkeypatch.setattr(cc, "decide_cut", lambda shipped, cand, rule, quora: seen.update(
        cut=rule.shipped_cut, text=rule.text) or {"cut": 0.9})
    base = ["cross_continue", "decide", "--shipped", "b", "--candidate", "c"]
    for extra, cut in (([], 0.855177), (["--shipped-cut", "0.8612950001"], 0.861295)):
        monkeypatch.setattr(sys, "argv", [*base, "--rule", "session23", *extra])
        cc.main()
        assert seen == {"cut": cut, "text": RULES["session23"].text}
    monkeypatch.setattr(sys, "argv", [*base, "--rule", "session22", "--shipped-cut", "0.85"])
    with pytest.raises(SystemExit, match="session23"):
        cc.main()


@pytest.mark.parametrize(("name", "guard", "held", "last"), [
    ("session25", D48, HELD_25, 47), ("session26", G26, HELD_26, 53),
    ("session27", G27, HELD_27, 57)])
def test_s5_s6_and_s7_train_on_s2s_nineteen_and_every_set_since_and_guard_the_next(
        name: str, guard: tuple[str, ...], held: tuple[int, ...], last: int) -> None:
    """S5 (session 25): S2's nineteen held sets (``HELD_21``) and heldout30-47, eighteen
    writers S2 never trained on, after them, D48 (heldout48-49) under the text guard; S6
    (session 26): the same to heldout53, twenty-four writers, G26 (heldout54-55, 58-59) under
    it; S7 (session 27): to heldout57, twenty-eight writers, G27 (heldout58-59, 62-63) under
    it. The guarded sets are never trained on, and any bundle pair sharing a text with one of
    their pairs is dropped too (``share_all``)."""
    rule = RULES[name]
    assert rule.sets == guard and rule.share_all and rule.held == held
    assert held == (*RULES["session21"].held, *range(30, last + 1))
    assert list(held_sets(held)) == [*HELD_SESSION21,
                                     *(f"heldout{n}" for n in range(30, last + 1))]
    assert not set(held_sets(held)) & set(guard)
    assert all(p.is_file() for p in held_sets(held).values())
    assert D48 == ("heldout48", "heldout49")
    assert G26 == ("heldout54", "heldout55", "heldout58", "heldout59")
    assert G27 == ("heldout58", "heldout59", "heldout62", "heldout63")


@pytest.mark.parametrize(("name", "guard", "last"), [("session26", G26, 53),
                                                     ("session27", G27, 57),
                                                     ("session34", G34, 79),
                                                     ("session37", G37, 95)])
def test_sessions_26_27_and_34_are_guards_only_and_decide_does_not_take_them(
        monkeypatch: pytest.MonkeyPatch, name: str, guard: tuple[str, ...], last: int) -> None:
    """No ``decide`` rule is written for S6, S7 or S10 (a script decides each): ``session26``,
    ``session27`` and ``session34`` have no text (``guard_only``), so ``decide --rule`` refuses
    them and every other rule is still decided."""
    import sys

    import train.cache_verifier.cross_continue as cc

    assert RULES[name] == cc.guard_only(guard, last) and RULES[name].text == ""
    assert name in cc.GUARDS
    assert name not in DECIDES and set(DECIDES) == set(RULES) - {"session26", "session27",
                                                                  "session34", "session37"}
    monkeypatch.setattr(cc, "decide_cut", lambda *a: pytest.fail("decided"))
    monkeypatch.setattr(sys, "argv", ["cross_continue", "decide", "--rule", name,
                                      "--shipped", "b", "--candidate", "c"])
    with pytest.raises(SystemExit) as refused:
        cc.main()
    assert refused.value.code == 2


def test_s10_trains_on_every_writer_to_heldout79_and_keeps_heldout80_91_out() -> None:
    """S10 (session 34): S2's nineteen held sets and heldout30-79 (heldout9-11, 14-79, all
    fifty writers S2 never trained on), G34 (heldout80-91: rule S10's seen cut sets 80-85 and
    88-89 and its decision sets 86-87 and 90-91) under the text guard with ``share_all``; no
    heldout92+ (being written in session 34) held or guarded."""
    rule = RULES["session34"]
    assert G34 == ("heldout80", "heldout81", "heldout82", "heldout83", "heldout84", "heldout85",
                   "heldout86", "heldout87", "heldout88", "heldout89", "heldout90", "heldout91")
    assert rule.sets == G34 and rule.share_all
    assert list(held_sets(rule.held)) == [
        *(f"heldout{n}" for n in (9, 10, 11)), *(f"heldout{n}" for n in range(14, 80))]
    assert {"heldout86", "heldout87", "heldout90", "heldout91"} <= set(rule.sets)
    assert not set(held_sets(rule.held)) & set(rule.sets)
    assert all(int(name.removeprefix("heldout")) < 92 for name in (*held_sets(rule.held),
                                                                   *rule.sets))
    assert all(p.is_file() for p in held_sets(rule.held).values())


def test_s11_trains_on_every_writer_to_heldout95_and_keeps_heldout96_103_out() -> None:
    """S11 (session 37): S10's held sets and heldout80-95 (heldout9-11, 14-95), G37
    (heldout96-103: rule S11's seen cut sets 96-101 and its decision sets 102-103) under the text
    guard with ``share_all``; heldout104+ (no data/ folder while S11's bundle is made) neither
    held nor guarded."""
    rule = RULES["session37"]
    assert tuple(f"heldout{n}" for n in range(96, 104)) == G37
    assert rule.sets == G37 and rule.share_all and rule.text == ""
    assert list(held_sets(rule.held)) == [
        *(f"heldout{n}" for n in (9, 10, 11)), *(f"heldout{n}" for n in range(14, 96))]
    assert set(held_sets(RULES["session34"].held)) < set(held_sets(rule.held))
    assert not set(held_sets(rule.held)) & set(rule.sets)
    assert all(int(name.removeprefix("heldout")) < 104 for name in (*held_sets(rule.held),
                                                                    *rule.sets))
    assert all(p.is_file() for p in held_sets(rule.held).values())


def test_outside_rows_drop_guarded_texts_and_bundle_pairs_and_keep_the_rest() -> None:
    """``prepare --mined-from`` / ``--popneg`` (session 37): a row whose pair is guarded, or
    that shares a text (case and punctuation aside) with the guarded sets, or that is already a
    bundle pair (or an earlier row), is dropped; the others kept in order, with the counts."""
    import train.cache_verifier.cross_continue as cc

    rows = [{"a": "Open hours?", "b": "When do you open?"},       # guarded pair
            {"a": "Do you ship abroad", "b": "refund please"},    # shares a guarded text
            {"a": "x", "b": "y"},                                # a bundle pair already
            {"a": "p", "b": "q"}, {"a": "Q", "b": "p"},           # kept, then a repeat
            {"a": "r", "b": "s"}]
    forbidden = {_key("when do you open", "open hours")}
    kept, counts = cc.outside_rows(rows, forbidden, {cc._text("DO YOU SHIP ABROAD?")},
                                   {_key("y", "x")})
    assert [(p["a"], p["b"]) for p in kept] == [("p", "q"), ("r", "s")]
    assert counts == {"given": 6, "dropped_as_decision_pairs": 1, "dropped_sharing_a_text": 1,
                      "dropped_as_bundle_pairs": 2, "kept": 2}


def test_reused_mined_reads_the_mined_pairs_of_a_bundle(tmp_path: Path) -> None:
    """``prepare --mined-from``: an earlier bundle's ``train.mined`` pairs, texts from its probe
    file (cached = a, query = b), label theirs, source ``mined``; a probe of another length is
    refused."""
    import train.cache_verifier.cross_continue as cc

    bundle = tmp_path / "b.npz"
    np.savez(bundle, **{"train.mined": np.asarray([0, 1, 0, 1], np.bool_),
                        "train.label": np.asarray([1, 0, 0, 0], np.int8)})
    cc.write_probe(cc.probe_file(bundle), [{"a": f"c{i}", "b": f"q{i}"} for i in range(4)])
    assert cc.reused_mined(bundle) == [
        {"a": "c1", "b": "q1", "label": 0, "source": "mined", "kind": "mined_neighbour"},
        {"a": "c3", "b": "q3", "label": 0, "source": "mined", "kind": "mined_neighbour"}]
    cc.write_probe(cc.probe_file(bundle), [{"a": "c", "b": "q"}])
    with pytest.raises(SystemExit):
        cc.reused_mined(bundle)


def test_popneg_rows_are_negatives_and_weigh_popneg_weight_undistilled(tmp_path: Path) -> None:
    """``prepare --popneg``: bench/populated_negatives.py's rows as label-0 ``popneg`` pairs (a
    label 1 refused); ``fit --popneg-weight``: their weight (default 1), target their label
    (never in the replay that ``--distil`` reads)."""
    import train.cache_verifier.cross_continue as cc

    path = tmp_path / "pn.jsonl"
    path.write_text(json.dumps({"a": "e'", "b": "q", "label": 0, "kind": "populated",
                                "cache": "c"}) + "\n")
    assert cc.popneg_rows(path) == [{"a": "e'", "b": "q", "label": 0, "source": "popneg",
                                     "kind": "populated"}]
    path.write_text(json.dumps({"a": "e'", "b": "q", "label": 1}) + "\n")
    with pytest.raises(SystemExit):
        cc.popneg_rows(path)

    class Bundle(dict):  # type: ignore[type-arg]
        @property
        def files(self) -> list[str]:
            return list(self)

    bundle = Bundle({"train.label": np.asarray([1, 0, 0, 0], np.int8),
                     "train.new": np.asarray([0, 0, 0, 0], np.bool_),
                     "train.hand": np.asarray([1, 1, 1, 0], np.bool_),
                     "train.mined": np.asarray([0, 0, 0, 1], np.bool_),
                     "train.popneg": np.asarray([0, 0, 1, 0], np.bool_)})
    weights, _, replay = pair_weights(bundle, new_weight=3, hand_weight=2, popneg_weight=4)
    raw = np.asarray([2, 2, 4, 0.3])
    assert weights == pytest.approx(raw / raw.mean())
    assert replay.tolist() == [True, True, False, False]
    default, _, _ = pair_weights(bundle, new_weight=3, hand_weight=2)
    assert default == pytest.approx(np.asarray([2, 2, 1, 0.3]) / np.mean([2, 2, 1, 0.3]))


def test_session_25s_rule_asks_three_points_and_one_in_each_set(tmp_path: Path) -> None:
    """S5 against S2 at 0.855177 on D48: c is c_Q (D48's and Quora's false hits at S2's), (a)
    3.0 points there and (b) every set gaining at least 1.0 point (``each_gain``), no
    false-hit path."""
    rule = RULES["session25"]
    assert rule.shipped_cut == 0.855177 and "S2's D48 false hits at 0.855177" in rule.text
    assert (rule.gain, rule.newest, rule.newest_must, rule.fewer, rule.quora, rule.each_gain) == (
        3.0, (), "", None, True, 1.0)
    assert rule.text.startswith("S5: S2 (cross.npz 2a9b446e) continued on heldout30-47")
    assert rule.text.endswith("Otherwise S2 stays at 0.855177.")
    shipped = {name: [(1, 0.99)] * 180 + [(1, 0.5)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
               for name in rule.sets}
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    qb = _quora_rows(tmp_path / "qb.jsonl", [0.95, 0.5])

    def decide(cand: dict[str, list[tuple[int, float]]], name: str) -> dict[str, Any]:
        return decide_cut(base, _losses_rows(tmp_path / f"{name}.jsonl", cand), rule,
                          (qb, _quora_rows(tmp_path / f"q{name}.jsonl", [0.95, 0.91])))

    # seven more paraphrases a set (+3.5 points each): (a) and (b) hold at c_Q
    even = {name: [(1, 0.99)] * 180 + [(1, 0.92)] * 7 + [(1, 0.5)] * 13 + [(0, 0.89)] * 5
            + [(0, 0.1)] * 95 for name in rule.sets}
    result = decide(even, "even")
    assert result["cut"] == 0.910001 and result["chosen"] == "c_Q"
    assert result["recall_points"] == 3.5 and result["a_prime"] is None
    assert result["b"]["pass"] and result["b"]["worst_set_points"] == 3.5
    # twelve more in one set, one in the other (+3.25 points, +0.5 in heldout49): (a) holds,
    # (b) does not, and nothing else is tried
    split = {"heldout48": [(1, 0.99)] * 180 + [(1, 0.92)] * 12 + [(1, 0.5)] * 8 + [(0, 0.89)] * 5
             + [(0, 0.1)] * 95,
             "heldout49": [(1, 0.99)] * 180 + [(1, 0.92)] + [(1, 0.5)] * 19 + [(0, 0.89)] * 5
             + [(0, 0.1)] * 95}
    result = decide(split, "split")
    assert result["a"]["pass"] and result["recall_points"] == 3.25
    assert not result["b"]["pass"] and result["b"]["worst_set_points"] == 0.5
    assert result["chosen"] is None and set(result["cuts"]) == {"c_Q"}
    # two more in heldout49 (+1.0 point, exactly the bar): (b) holds
    split["heldout49"] = [(1, 0.99)] * 180 + [(1, 0.92)] * 2 + [(1, 0.5)] * 18 + [(0, 0.89)] * 5 \
        + [(0, 0.1)] * 95
    result = decide(split, "split2")
    assert result["b"]["pass"] and result["b"]["worst_set_points"] == 1.0
    assert result["chosen"] == "c_Q" and result["recall_points"] == 3.5
    # five more a set (+2.5 points): (a) fails
    result = decide({name: [(1, 0.99)] * 185 + [(1, 0.5)] * 15 + [(0, 0.89)] * 5
                     + [(0, 0.1)] * 95 for name in rule.sets}, "short")
    assert not result["a"]["pass"] and result["b"]["pass"] and result["chosen"] is None


def test_fit_epochs_is_that_share_of_the_bundles_pairs_in_batches(tmp_path: Path) -> None:
    """``fit --epochs`` (session 25): round(epochs x the pairs ``prepare`` counted / batch)."""
    from train.cache_verifier.cross_continue import steps_for

    (tmp_path / "bundle.json").write_text(json.dumps({"train_pairs": 70001}))
    assert steps_for(tmp_path / "bundle.npz", 0.85, 32) == round(0.85 * 70001 / 32) == 1859
    assert steps_for(tmp_path / "bundle.npz", 1.0, 64) == 1094
