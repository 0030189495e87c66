"""bench/pooled_curve.py: the shipped lookup pooled over sets, read from toy rows as
cache_losses.py --pairs-out writes them: recall at the shipped cut and at false-hit budgets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

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
