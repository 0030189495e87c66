"""bench/floor_record.py (session 27's R-a record): runs pooled and read as session 24's F1
rule reads them, on made-up figures."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

KEYS = ("0.5:5", "0.5:5:n0.45", "0.5:5:n0.4", "0.45:5", "0.4:5")


@pytest.fixture(scope="module")
def record(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("floor_record")


def variant(another_pos: int, another_neg: int, scored: float, cpu: float,
            hits: int = 10) -> dict[str, Any]:
    side = {"own": 5, "another_right": 0, "another_wrong": 0, "another_filler": 0,
            "none": 1, "answered": another_neg, "known_wrong": 0}
    return {"cpu_ms_per_lookup": cpu, "verified_per_lookup": scored, "scored_per_lookup": scored,
            "all": {"per_pair": {"hits": hits, "positives": 20, "passed": 1, "negatives": 20},
                    "positives": {**side, "another": another_pos,
                                  "another_unknown": another_pos},
                    "negatives": {**side, "another": another_neg,
                                  "another_unknown": another_neg}}}


def run(sets: list[str], another_neg: int, scored: float) -> dict[str, Any]:
    return {"sets": sets, "by_variant": {
        k: variant(3 + i, another_neg + i, scored * (1 + i / 10), 20.0) for i, k in
        enumerate(KEYS)}}


def row(s: str, label: int, similarity: float, p: float, n: int) -> dict[str, Any]:
    return {"set": s, "id": f"p{n}", "kind": "reworded", "label": label, "a": f"a{n}",
            "b": f"b{n}", "similarity": similarity, "numbers": False, "respelling": None,
            "p": p, "narrowed": False, "more": False, "own": False}


def test_pooled_sums_counts_and_weights_per_lookup(record: ModuleType) -> None:
    got = record.pooled([run(["x"], 2, 1.0), run(["y"], 4, 2.0)], [1, 3])
    v = got["by_variant"]["0.5:5"]
    assert v["all"]["negatives"]["another"] == 6
    assert v["all"]["per_pair"]["hits"] == 20
    assert v["scored_per_lookup"] == pytest.approx(1.75)


def test_record_reads_f1_bars_against_the_shipped_arm(record: ModuleType) -> None:
    rows = [row("x", 1, 0.6, 0.99, 1), row("x", 1, 0.42, 0.99, 2), row("x", 0, 0.47, 0.99, 3),
            row("x", 0, 0.7, 0.1, 4)]
    quora = [row("pairs:qqp", 0, 0.6, 0.1, 5)]
    got = record.record(rows, quora, run(["x"], 2, 1.0), ("x",))
    assert got["shipped"]["df"]["hits"] == 1 and got["shipped"]["df"]["false_hits"] == 0
    f45 = got["0.5:5:n0.45"]
    assert f45["df"]["false_hits"] == 1 and not f45["checks"]["a"]["pass"]
    assert got["0.4:5"]["df"]["hits"] == 2 and got["0.4:5"]["checks"]["b"]["pass"]
    # (d): +2 on both sides; the n0.4 arm has +2 paraphrase and +2 negative answers
    assert got["0.5:5:n0.4"]["checks"]["d"]["pass"]
    assert not got["0.45:5"]["checks"]["d"]["pass"]
    # (e): 1.15 x the shipped's pairs scored
    assert got["0.5:5:n0.45"]["checks"]["e"]["pass"]
    assert not got["0.5:5:n0.4"]["checks"]["e"]["pass"]
    assert record.lookups(rows, ("x",)) == 4
