"""bench/pooled_curve.py: the shipped lookup pooled over sets, read from toy rows as
cache_losses.py --pairs-out writes them: recall at the shipped cut and at false-hit budgets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.unit.toy_rows import row


@pytest.fixture(scope="module")
def pooled(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("pooled_curve")


def toy() -> list[dict[str, Any]]:
    # 200 negatives with p = 0.001 .. 0.200 over the cut's range, one refused by the amounts
    # check (p None) and one under the floor; 10 positives at p 0.95 .. 0.995, one under the floor.
    out = [row("heldout30", i, 0, (i + 1) / 1000) for i in range(198)]
    out += [row("heldout30", 198, 0, None), row("heldout30", 199, 0, 0.999, similarity=0.4)]
    out += [row("heldout31", i, 1, 0.95 + i / 200) for i in range(9)]
    out += [row("heldout31", 9, 1, 0.999, similarity=0.3)]
    return out


def test_budgets_hold_their_false_hits_and_read_the_whole_curve(pooled: ModuleType) -> None:
    rows = toy()
    result = pooled.curve(rows, 0.1905)
    shipped = result["shipped"]["all"]
    # p > 0.1905: negatives 0.191 .. 0.198 (8), the one under the floor never reaches the model
    assert (shipped["false_hits"], shipped["hits"], shipped["positives"]) == (8, 9, 10)
    one = result["1 %"]["all"]  # floor(1 % of 200) = 2 false hits: the cut just above 0.196
    assert one["false_hits"] == 2 and one["cut"] == pytest.approx(0.196001)
    half = result["0.5 %"]["all"]  # 1 false hit
    assert half["false_hits"] == 1 and half["cut"] == pytest.approx(0.197001)
    three = result["3 %"]["all"]  # 6 false hits: the cut just above 0.192
    assert three["false_hits"] == 6 and three["hits"] == 9


def test_the_traffic_split_reads_the_same_cut(pooled: ModuleType) -> None:
    rows = toy()
    traffic = {("heldout30", f"p{i:04d}"): "support" for i in range(100)}
    traffic |= {("heldout31", f"p{i:04d}"): "general" for i in range(10)}
    result = pooled.curve(rows, 0.5, traffic)
    assert result["shipped"]["support"]["negatives"] == 100
    assert result["shipped"]["general"]["positives"] == 10
    assert result["shipped"]["support"]["cut"] == result["shipped"]["general"]["cut"] == 0.5


def test_a_pair_in_two_files_counts_once_and_sets_filter(pooled: ModuleType,
                                                         tmp_path: Path) -> None:
    rows = toy()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in rows))
    b.write_text("".join(json.dumps(r) + "\n" for r in rows[:50]))
    assert len(pooled.read_rows([a, b], None)) == len(rows)
    assert {r["set"] for r in pooled.read_rows([a, b], {"heldout31"})} == {"heldout31"}



def test_rows_without_an_id_are_known_by_their_texts(pooled: ModuleType, tmp_path: Path) -> None:
    # cache_losses --sets pairs writes Quora's rows with "id": null: every one of them counts
    rows = [{"set": "pairs:qqp", "id": None, "a": f"q{i}", "b": f"r{i}", "label": i % 2,
             "kind": "qqp", "similarity": 0.8, "p": 0.9} for i in range(6)]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in rows))
    b.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]))
    assert len(pooled.read_rows([a, b], None)) == 6

def mixed() -> list[dict[str, Any]]:
    """Two sets whose rows meet every stage: ties, a respelling hit, a veto after the
    verifier, a pair under the floor and one the amounts check refuses."""
    rng = np.random.default_rng(3)
    out = []
    for s, where in enumerate(("heldout80", "heldout81", "heldout82")):
        for i in range(60):
            label = i % 3 == 0
            p = round(float(rng.uniform(0.3, 1.0) if label else rng.uniform(0.0, 0.99)), 3)
            extra: dict[str, Any] = {}
            if i % 17 == 1 and (label or (i, s) == (35, 0)):  # one negative respelled
                extra["respelling"] = "same"
            if i % 13 == 2:
                extra["more"] = True
            if i % 11 == 4:
                extra["similarity"] = 0.2
            out.append(row(where, i, int(label), None if i % 19 == 5 else p,
                           "entity_swap" if not label and s else "reworded", **extra))
    return out


def test_the_weighted_cut_is_lowest_cuts_and_counts_a_row_as_often_as_drawn(
        pooled: ModuleType) -> None:
    from train.cache_verifier.cross_continue import lowest_cut

    rows = mixed()
    v = pooled.verdict_arrays(rows)
    ones = np.ones(len(rows))
    for most in (1, 2, 5, 9, 20):
        cut = pooled.weighted_cut(v, ones, most)
        assert cut == lowest_cut(rows, most)
        assert pooled.weighted_recall(v, ones, cut) == pytest.approx(
            pooled.counts(rows, pooled.FLOOR, cut)["recall"])
    twice = rows + [r for r in rows if r["set"] == "heldout81"]
    w = np.where(v["sets"] == 1, 2.0, 1.0)
    w[v["sets"] == 2] = 0.0
    drawn = [r for r in twice if r["set"] != "heldout82"]
    for most in (1, 4, 10):
        assert pooled.weighted_cut(v, w, most) == lowest_cut(drawn, most)


def test_the_gap_is_read_at_each_models_own_cut_and_over_draws_of_sets(
        pooled: ModuleType) -> None:
    rows = mixed()
    same = pooled.bootstrap_gap(rows, [dict(r) for r in reversed(rows)], 2.0, 50, seed=1)
    assert same["pool_gap"] == same["mean"] == 0 and same["share_above_0"] == 0
    # B finds every live positive a little surer: never less recall at its own cut
    better = [dict(r, p=min(0.999, r["p"] + 0.2)) if r["label"] and r["p"] is not None else r
              for r in rows]
    gap = pooled.bootstrap_gap(rows, better, 2.0, 50, seed=1)
    assert gap["pool_gap"] > 0 and gap["ci95"][0] >= 0 and gap["share_above_0"] > 0.5
    with pytest.raises(SystemExit, match="different pairs"):
        pooled.bootstrap_gap(rows, rows[:-1], 2.0, 5)


def test_the_kinds_count_hits_false_hits_and_the_stage_that_lost_each(
        pooled: ModuleType) -> None:
    rows = [row("heldout80", 0, 1, 0.95), row("heldout80", 1, 1, 0.5),
            row("heldout80", 2, 1, 0.99, more=True), row("heldout80", 3, 0, 0.97, "swap"),
            row("heldout80", 4, 0, 0.2, "swap"), row("heldout80", 5, 1, 0.99, similarity=0.1)]
    got = pooled.by_kind(rows, 0.9)
    assert got["positives"] == {"reworded": {"hits": 1, "pairs": 4}}
    assert got["negatives"] == {"swap": {"false_hits": 1, "pairs": 2}}
    assert got["lost_by_stage"] == {"extra_ask": 1, "floor": 1, "verifier": 1}


def test_the_live_auc_ranks_only_the_pairs_the_verifier_decides(pooled: ModuleType) -> None:
    rows = [row("heldout80", 0, 1, 0.9), row("heldout80", 1, 1, 0.4),
            row("heldout80", 2, 0, 0.5), row("heldout80", 3, 0, 0.4),
            row("heldout80", 4, 0, 0.99, similarity=0.1),  # under the floor: not ranked
            row("heldout80", 5, 1, 0.01, respelling="same")]  # hit whatever p: not ranked
    got = pooled.live_auc(rows)
    # (0.9 > 0.5, 0.9 > 0.4, 0.4 < 0.5, 0.4 = 0.4 half) / 4
    assert got == {"auc": 0.625, "positives": 2, "negatives": 2}


def test_the_live_auc_is_the_share_of_pairs_ranked_right(pooled: ModuleType) -> None:
    rng = np.random.default_rng(5)
    pos = np.round(rng.uniform(0.2, 1.0, 40), 2)
    neg = np.round(rng.uniform(0.0, 0.8, 60), 2)  # rounded: many ties
    rows = [row("heldout80", i, 1, float(x)) for i, x in enumerate(pos)]
    rows += [row("heldout80", 100 + i, 0, float(x)) for i, x in enumerate(neg)]
    right = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    assert pooled.live_auc(rows)["auc"] == pytest.approx(right, abs=1e-5)
