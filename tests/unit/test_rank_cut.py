"""bench/rank_cut.py: session 35's grid of two cuts by rank, read from cache_shared runs."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def rank_cut(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("rank_cut")


def part(neg_own: int, neg_another: int, pos_own: int) -> dict[str, Any]:
    return {"negatives": {"own": neg_own, "another": neg_another,
                          "answered": neg_own + neg_another},
            "positives": {"own": pos_own, "another": 1, "none": 0},
            "per_pair": {"hits": 0, "passed": 0, "positives": 0, "negatives": 0}}


def run(figures: dict[str, tuple[float, float | None, int, int, int]]) -> dict[str, Any]:
    by = {}
    for name, (c1, c2, own, another, pos) in figures.items():
        held: dict[str, Any] = {"floor": 0.5, "widen_to": 5, "rank_margin": 3.0,
                                "min_probability": c1}
        if c2 is not None:
            held["later_cut"] = c2
        by[name] = {"judging": held, "all": part(own, another, pos), "by_set": {}}
    return {"by_variant": by}


def row(label: int, p: float) -> dict[str, Any]:
    return {"label": label, "p": p, "similarity": 0.8, "numbers": False, "respelling": None}


def test_the_grid_sums_the_caches_by_judging_record_and_reads_rows_at_c1(
        rank_cut: ModuleType) -> None:
    """Each (c1, c2) is read by the variants' judging records (not their names), summed over
    the caches; the rows are judged at c1 (a pair is its own nearest); the plain variants
    apart; the baseline by name."""
    a = run({"0.5:5:m": (0.93, None, 1, 2, 10), "0.5:5:m:3:0.9": (0.9, None, 2, 4, 12),
             "0.5:5:m:3:0.9:l0.95": (0.9, 0.95, 2, 1, 11),
             "0.5:5:m:3:0.93:l0.93": (0.93, 0.93, 1, 2, 10)})
    b = run({"0.5:5:m": (0.93, None, 0, 3, 20), "0.5:5:m:3:0.9": (0.9, None, 1, 5, 21),
             "0.5:5:m:3:0.9:l0.95": (0.9, 0.95, 1, 2, 21),
             "0.5:5:m:3:0.93:l0.93": (0.93, 0.93, 0, 3, 20)})
    rows = [row(1, 0.91), row(1, 0.95), row(1, 0.5), row(0, 0.92), row(0, 0.1)]
    out = rank_cut.table({"A": a, "B": b}, rows)
    assert out["baseline"]["negatives_answered"] == 6
    assert out["plain"]["0.9"]["negatives_answered"] == 12
    first, second = out["grid"]
    assert (first["c1"], first["c2"], first["negatives_own"], first["negatives_another"],
            first["positives_own"]) == (0.9, 0.95, 3, 3, 32)
    assert first["by_cache"]["B"]["negatives_another"] == 2
    assert (first["rows_at_c1"]["hits"], first["rows_at_c1"]["false_hits"]) == (2, 1)
    assert (second["c1"], second["rows_at_c1"]["hits"], second["rows_at_c1"]["false_hits"]) == (
        0.93, 1, 0)


def test_same_answers_compares_each_pairs_answer(rank_cut: ModuleType) -> None:
    def r(variant: str, b: str, answered: str | None) -> dict[str, Any]:
        return {"variant": variant, "set": "s", "id": None, "a": "x", "b": b, "label": 1,
                "answered": answered}

    pairs = [r("u", "q1", "x"), r("v", "q1", "x"), r("u", "q2", None), r("v", "q2", "y"),
             r("w", "q3", "z")]
    assert rank_cut.same_answers(pairs, "u", "v") == {"same": 1, "differ": 1}
