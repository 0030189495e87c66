"""bench/capacity_probe.py (session 39): a fit's console read for its pace and its
``/usr/bin/time -v`` figures, and the Quora rows at the shipped cut."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import row


@pytest.fixture(scope="module")
def probe(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("capacity_probe")


def test_the_pace_leaves_out_step_0_and_reads_the_time_block(probe: ModuleType) -> None:
    text = "\n".join([
        "C6 step 0/1000 loss 0.2973 6 s CPU, 7 s",
        "C6 step 100/1000 loss 0.0482 117 s CPU, 118 s",
        "C6 step 200/1000 loss 0.0400 227 s CPU, 238 s",
        "C6 step 300/1000 loss 0.0300 347 s CPU, 358 s",
        '{"name": "C6"}',
        "\tUser time (seconds): 1234.50",
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 21:03.11",
        "\tMaximum resident set size (kbytes): 2000000"])
    got = probe.console(text)
    assert got["logged_steps"] == [0, 100, 200, 300]
    assert got["pace"] == {"from_step": 100, "to_step": 300, "cpu_s_per_step": 1.15,
                           "wall_s_per_step": 1.2}
    assert got["time"] == {"user_s": "1234.50", "wall": "21:03.11", "max_rss_kb": "2000000"}
    assert "pace" not in probe.console("C4 step 0/10 loss 0.1 1 s CPU, 1 s")


def test_quora_is_counted_per_set_at_the_cut(probe: ModuleType, tmp_path: Path) -> None:
    rows = [row("pairs:qqp", 0, 1, 0.95), row("pairs:qqp", 1, 1, 0.5),
            row("pairs:qqp", 2, 0, 0.94), row("pairs:qqp", 3, 0, None),
            row("pairs:support_heldout", 0, 0, 0.1)]
    for r in rows:  # cache_losses --sets pairs writes no ids
        r["id"] = None
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = probe.quora(path, 0.93)
    assert got["pairs:qqp"]["hits"] == 1 and got["pairs:qqp"]["passed"] == 1
    assert got["pairs:qqp"]["negatives"] == 2
    assert got["pairs:support_heldout"]["passed"] == 0
    assert probe.quora(path, 0.945)["pairs:qqp"]["passed"] == 0


def test_agreement_counts_the_pairs_one_arm_answers_at_its_cut_and_not_the_other(
        probe: ModuleType) -> None:
    a = [row("heldout80", 0, 1, 0.95), row("heldout80", 1, 1, 0.6),
         row("heldout80", 2, 0, 0.92), row("heldout80", 3, 0, 0.1),
         row("heldout80", 4, 0, 0.99, similarity=0.1)]  # under the floor: not compared
    b = [dict(a[1], p=0.91), dict(a[0], p=0.97), dict(a[2], p=0.5), dict(a[3], p=0.2),
         dict(a[4], p=0.01)]  # another order: read by (set, id)
    got = probe.agreement({"A": a, "B": b}, {"A": 0.9, "B": 0.9})
    assert got == [{"a": "A", "b": "B", "live_pairs": 4, "logit_correlation": got[0][
        "logit_correlation"], "paraphrases_only_a": 0, "paraphrases_only_b": 1,
        "negatives_only_a": 1, "negatives_only_b": 0}]
    assert -1 <= got[0]["logit_correlation"] <= 1
    same = probe.agreement({"A": a, "B": a}, {"A": 0.9, "B": 0.9})[0]
    assert same["logit_correlation"] == 1.0 and same["paraphrases_only_b"] == 0
