"""The continued training of the cross-encoder (``train.cache_verifier.cross_continue``,
sessions 12-15): what it may train on, the rule's cuts, and like-length batches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_verifier.cross import batch_order
from train.cache_verifier.cross_continue import (
    DECISION_SETS,
    FOCUS_SETS,
    NEW_SETS,
    SHAPE_SETS,
    SHIPPED_CUT,
    _key,
    decide_cut,
    decision_pairs,
    frozen_names,
    lowest_cut,
    rates,
)
from train.cache_verifier.pairs import read_jsonl


def row(label: int, p: float, *, respelled: bool = False, numbers: bool = False,
        similarity: float = 0.9) -> dict[str, Any]:
    return {"label": label, "p": None if numbers else p, "numbers": numbers,
            "respelling": ["typo"] if respelled else None, "similarity": similarity}


def test_no_decision_set_is_a_new_training_set() -> None:
    assert not (set(NEW_SETS) | set(SHAPE_SETS) | set(FOCUS_SETS)) & set(DECISION_SETS)
    assert {"heldout9", "heldout14", "heldout15", "heldout16", "heldout17", "heldout18",
            "heldout19", "heldout20", "heldout21"} <= set(DECISION_SETS)
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
    assert rates(rows, 0.950001)["false_hits"] == 1
    # two allowed: the cut just over 0.91 keeps 0.92's paraphrase
    cut = lowest_cut(rows, 2)
    assert cut == 0.910001 and rates(rows, cut)["hits"] == 1
    # a pair under the floor never passes, whatever its p
    assert rates([row(0, 0.99, similarity=0.4)], 0.5)["false_hits"] == 0


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
            for name in DECISION_SETS for n, (label, p) in enumerate(ps[name])]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_the_rule_adopts_at_c_a_only_for_a_gain_that_every_set_and_the_newest_keep(
        tmp_path: Path) -> None:
    """Session 15's rule: at c_A (false hits at most FH0), recall on D'' gains 1.5 points,
    no set loses more than 1.5, heldout20+21 together gain; else no cut is chosen."""
    shipped = {name: [(1, 0.97)] * 180 + [(1, 0.9)] * 20 + [(0, 0.97)] * 5 + [(0, 0.1)] * 95
               for name in DECISION_SETS}
    fh0 = 5 * len(DECISION_SETS)
    base = _losses_rows(tmp_path / "base.jsonl", shipped)
    # the candidate lifts the 0.9 paraphrases over its negatives in every set: adopted
    better = {name: [(1, 0.97)] * 180 + [(1, 0.96)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
              for name in DECISION_SETS}
    result = decide_cut(base, _losses_rows(tmp_path / "better.jsonl", better))
    assert result["shipped"]["false_hits"] == fh0 and SHIPPED_CUT == 0.956217
    assert result["chosen"] == "c_A" and result["candidate"]["false_hits"] <= fh0
    assert result["recall_points"] == 10.0 and result["b"]["newest_points"] == 10.0
    # the same gain everywhere but heldout20-21, which lose a little: (b) fails
    kept = [(1, 0.97)] * 180 + [(1, 0.05)] * 20 + [(0, 0.95)] * 5 + [(0, 0.1)] * 95
    uneven = dict(better, heldout20=[(1, 0.05)] + kept[1:], heldout21=kept)
    result = decide_cut(base, _losses_rows(tmp_path / "uneven.jsonl", uneven))
    assert result["a"]["pass"] and not result["b"]["pass"] and result["chosen"] is None
    # negatives above the paraphrases: c_A keeps FH0 only by losing recall, (a) fails
    worse = {name: [(1, 0.96)] * 200 + [(0, 0.99)] * 10 + [(0, 0.1)] * 90
             for name in DECISION_SETS}
    result = decide_cut(base, _losses_rows(tmp_path / "worse.jsonl", worse))
    assert not result["a"]["pass"] and result["chosen"] is None


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
