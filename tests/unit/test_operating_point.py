"""bench/operating_point.py: a grid of (floor, cut) points and leave-one-writer-pair-out
folds, read from toy rows as cache_losses.py --pairs-out writes them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row, traffic

SHIPPED = (0.5, 0.916959)
LOW = (0.4, 0.916959)  # a lower floor: Quora's false hits over 37
LOW_STRICT = (0.4, 0.94)  # a lower floor and a higher cut
POINTS = [SHIPPED, LOW, LOW_STRICT]
SETS = ("heldout54", "heldout56", "heldout58")  # three writer pairs


@pytest.fixture(scope="module")
def op(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("operating_point")


def toy() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per set 10 paraphrases: 6 found at every point, 2 under floor 0.5 (similarity 0.45),
    2 at p 0.93 (under cut 0.94); 200 negatives the verifier refuses, and in heldout56 one
    more at similarity 0.45, p 0.99 (a false hit at floor 0.4). Quora: one paraphrase and
    38 negatives at similarity 0.45, p 0.93."""
    rows = []
    for s in SETS:
        rows += [row(s, i, 1, 0.99) for i in range(6)]
        rows += [row(s, 6 + i, 1, 0.99, similarity=0.45) for i in range(2)]
        rows += [row(s, 8 + i, 1, 0.93) for i in range(2)]
        rows += [row(s, 10 + i, 0, 0.01) for i in range(200)]
    rows.append(row("heldout56", 210, 0, 0.99, similarity=0.45))
    quora = [{**row("pairs:qqp", 0, 1, 0.99, similarity=0.45), "id": None}]
    quora += [{**row("pairs:qqp", 1 + i, 0, 0.93, similarity=0.45), "id": None}
              for i in range(38)]
    return rows, quora


def test_writer_pairs_and_the_grid(op: ModuleType) -> None:
    assert op.writer_pair("heldout55") == op.writer_pair("heldout54") == "heldout54-55"
    rows, quora = toy()
    result = op.run(rows, quora, traffic(SETS), list(POINTS))
    assert result["pairs"] == ["heldout54-55", "heldout56-57", "heldout58-59"]
    grid = {(g["floor"], g["cut"]): g for g in result["grid"]}
    shipped, low = grid[SHIPPED], grid[LOW]
    assert (shipped["pooled"]["hits"], shipped["pooled"]["positives"]) == (24, 30)
    assert (low["pooled"]["hits"], low["pooled"]["false_hits"]) == (30, 1)
    assert low["worst_pair"] == {"pair": "heldout56-57", "false_hit_rate": round(1 / 201, 4)}
    assert (low["quora"]["false_hits"], low["quora"]["hits"]) == (38, 1)
    assert (shipped["quora"]["false_hits"], shipped["quora"]["hits"]) == (0, 0)
    # toy_rows.traffic: pairs 0 and 1 of each set are support-style (found everywhere)
    assert low["traffic"]["support"]["hits"] == 6
    assert low["traffic"]["general"]["positives"] == 24
    # Quora's 38 rule the lower floor out at the shipped cut; on every pair the cut 0.94
    # finds what the shipped point does (the two under the floor for the two under the cut)
    # with heldout56's false hit, so A and C keep the shipped point on all pairs
    assert result["chosen_on_all"]["A"] == result["chosen_on_all"]["C"] == SHIPPED


def test_a_fold_chooses_on_the_other_pairs_and_reads_the_left_out_one(op: ModuleType) -> None:
    rows, quora = toy()
    result = op.run(rows, quora, None, list(POINTS))
    for name in ("A", "C"):
        folds = {f["left_out"]: f for f in result["folds"][name]}
        assert folds["heldout54-55"]["point"] == SHIPPED  # heldout56's false hit is in training
        # without heldout56 the two points tie on hits and false hits: the higher cut wins
        left = folds["heldout56-57"]
        assert left["point"] == LOW_STRICT
        assert left["gain"] == {"hits": 0, "recall_points": 0.0, "false_hits": 1}
        assert result["folds_pooled"][name]["chosen"]["false_hits"] == 1
        assert result["folds_pooled"][name]["shipped"]["false_hits"] == 0


def test_criteria_bounds(op: ModuleType) -> None:
    def fig(false_hits: int, negatives: int = 1000, worst: float = 0.0,
            quora: int = 0) -> dict[str, Any]:
        return {"pooled": {"false_hits": false_hits, "negatives": negatives, "hits": 0},
                "worst_pair": {"pair": "x", "false_hit_rate": worst},
                "quora": {"false_hits": quora}}

    shipped = fig(4)
    assert op.meets("A", fig(5), shipped) and not op.meets("A", fig(6), shipped)
    assert not op.meets("A", fig(1, quora=38), shipped)
    assert not op.meets("B", fig(5, worst=0.011), shipped)
    assert op.meets("C", fig(4), shipped) and not op.meets("C", fig(5), shipped)
    assert op.meets("C1", fig(5), shipped) and not op.meets("C1", fig(6), shipped)


def test_quora_rows_keep_every_pair_and_reserved_sets_refused(op: ModuleType, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    rows, quora = toy()
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*quora, row("pairs:support", 0, 1,
                                                                        0.5)]))
    assert len(op.quora_rows(path)) == 39  # ids are None: read_rows would keep one
    held = tmp_path / "r.jsonl"
    held.write_text(json.dumps(row("heldout86", 0, 1, 0.99)) + "\n")
    # pair_sets.RESERVED is empty since session 34's rule S10 read heldout86-87 and 90-91
    monkeypatch.setattr(op, "RESERVED", frozenset({"heldout86"}))
    monkeypatch.setattr("sys.argv", ["operating_point.py", "--rows", str(held), "--no-traffic"])
    with pytest.raises(SystemExit, match="reserved"):
        op.main()
