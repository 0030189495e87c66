"""bench/s8_rule.py (session 30): rule S8's stage 1, the screen, S8 against S5 on the pooled
heldout54-69 and the Quora pairs, read from toy rows (cache_losses.py --pairs-out)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, row, set_rows

SETS = tuple(f"heldout{n}" for n in range(54, 70))


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s8_rule")


def pool(positives: list[float], negatives: dict[str, list[float]]) -> list[dict[str, Any]]:
    rows = set_rows(SETS, positives, {s: negatives.get(s, [0.1, 0.1]) for s in SETS})
    return rows[1:]  # no other set: the pool is heldout54-69 alone


# S5 at 0.916959: 1 of 4 found a set (16 of 64), one false hit (heldout54's 0.93: F1 = 1);
# Quora: one negative passed (Q = 1). S8: 0.99, 0.95, 0.92 a set, its negatives 0.925
# (heldout54) and, on Quora, 0.96 and 0.93: the Quora bound holds c1 just above 0.93, where
# the pool alone would let it down to just above 0.1 (one false hit, F1's).
S5 = pool([0.95, 0.9, 0.3, 0.2], {"heldout54": [0.93, 0.1]})
S8 = pool([0.99, 0.95, 0.92, 0.2], {"heldout54": [0.925, 0.1]})
QUORA_S5 = [row("pairs:qqp", 0, 1, 0.9), row("pairs:qqp", 1, 0, 0.95),
            row("pairs:qqp", 2, 0, 0.1), row("pairs:qqp+generated", 0, 0, 0.99)]
QUORA_S8 = [row("pairs:qqp", 0, 1, 0.97), row("pairs:qqp", 1, 0, 0.96),
            row("pairs:qqp", 2, 0, 0.93), row("pairs:qqp+generated", 0, 0, 0.99)]


def test_the_rule_is_quoted_whole(rule: ModuleType) -> None:
    assert rule.RULE.startswith("RULE S8 (the lead's, session 30, written 2026-12-06 17:45 UTC")
    assert "every pair the two disagree on in D70+D74 with both texts.\n\nADDENDUM" in rule.RULE
    assert rule.RULE.endswith("Everything else as above.")
    assert "\n\nStage 1, the screen" in rule.RULE and "\n (a) pooled D70+D74" in rule.RULE
    assert rule.writer_pair("heldout57") == "heldout56-57"


def test_the_screen_reads_c1_under_both_bounds_and_passes(rule: ModuleType) -> None:
    s = rule.screen(S5, S8, QUORA_S5, QUORA_S8)
    assert (s["F1"], s["Q"]) == (1, 1)
    assert s["c1"] == 0.930001  # Quora's 0.93 binds; the pool would allow 0.100001
    assert s["S5_recall"] == 0.25 and s["S8_recall_at_c1"] == 0.5
    assert s["points"] == 25.0 and s["passes"]
    rec = s["records"]
    assert rec["at_cuts"]["S8 at c1"]["pool"]["false_hits"] == 0
    assert rec["at_cuts"]["S8 at c1"]["qqp"]["false_hits"] == 1
    assert rec["at_cuts"]["S8 at 0.916959"]["pool"]["hits"] == 48
    assert rec["by_writer_pair"]["S8"]["at 0.930001"]["heldout54-55"]["hits"] == 4
    assert rec["disagree"]["counts"]["S8_only_found"] == 16  # the 0.95s, S5's 0.9
    assert rec["disagree"]["counts"]["S5_only_passed"] == 1  # heldout54's 0.93
    assert rec["curve"][0]["S8"]["cut"] == 0.925001  # 0.5 % of 32: none passed, Quora aside


def test_the_screen_fails_under_one_point_and_checks_its_inputs(rule: ModuleType) -> None:
    # S5's positives, a second heldout54 negative at 0.92: c1 just above it, no gain
    level = pool([0.95, 0.9, 0.3, 0.2], {"heldout54": [0.93, 0.92]})
    s = rule.screen(S5, level, QUORA_S5, QUORA_S5)
    assert s["c1"] == 0.920001 and s["points"] == 0.0 and not s["passes"]
    with pytest.raises(SystemExit, match="different pairs"):
        rule.screen(S5, S8[:-1], QUORA_S5, QUORA_S8)
    without = [r for r in S5 if r["set"] != "heldout69"]
    with pytest.raises(SystemExit, match="not heldout54-69"):
        rule.screen(without, without, QUORA_S5, QUORA_S8)


def test_the_command_line_writes_the_result(rule: ModuleType, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    put = file_writer(tmp_path)
    halves = {"s5": (S5[: len(S5) // 2], S5[len(S5) // 2:]),
              "s8": (S8[: len(S8) // 2], S8[len(S8) // 2:])}
    out = tmp_path / "screen.json"
    monkeypatch.setattr(sys, "argv", [
        "s8_rule.py", "screen",
        "--s8-rows", put("s8a.jsonl", halves["s8"][0]), put("s8b.jsonl", halves["s8"][1]),
        "--s8-quora", put("q8.jsonl", QUORA_S8),
        "--s5-rows", put("s5a.jsonl", halves["s5"][0]), put("s5b.jsonl", halves["s5"][1]),
        "--s5-quora", put("q5.jsonl", QUORA_S5), "--out", str(out)])
    assert rule.main() == 0
    got = json.loads(out.read_text())
    assert got["rule"] == rule.RULE and got["stage"] == 1 and got["screen"]["passes"]
    assert "PASSES" in capsys.readouterr().out
