"""bench/s9_rule.py (session 30): rule S9's stage 1 is rule S8's screen (``s8_rule.py``) with S9
in S8's place, its own rule quoted whole; toy rows as test_s8_rule's."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.test_s8_rule import QUORA_S5, QUORA_S8, S5, S8
from tests.unit.toy_rows import file_writer


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s9_rule")


def test_the_rule_is_quoted_whole(rule: ModuleType) -> None:
    assert rule.RULE.startswith("RULE S9 (the lead's, session 30, written 2026-12-06 18:29 UTC")
    assert "--steps 1733 (S5's), --seed 26 (a new order)." in rule.RULE
    assert "\n\nStage 1, the screen, exactly as rule S8's" in rule.RULE
    assert rule.RULE.endswith("S9 replaces S5 at c iff all hold; otherwise S5 stays at 0.916959.")


def test_the_screen_is_s8s_with_s9_in_its_place(rule: ModuleType) -> None:
    s8 = rule.s8_rule.screen(S5, S8, QUORA_S5, QUORA_S8)
    s9 = rule.s8_rule.screen(S5, S8, QUORA_S5, QUORA_S8, rule.NAME)
    assert (s9["c1"], s9["points"], s9["passes"]) == (s8["c1"], s8["points"], s8["passes"])
    assert s9["S9_recall_at_c1"] == s8["S8_recall_at_c1"] == 0.5
    assert s9["records"]["at_cuts"]["S9 at c1"] == s8["records"]["at_cuts"]["S8 at c1"]
    assert s9["records"]["disagree"]["counts"]["S9_only_found"] == 16
    assert set(s9["records"]["by_kind"]) == {"S5", "S9"}


def test_the_command_line_writes_the_result(rule: ModuleType, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    put = file_writer(tmp_path)
    out = tmp_path / "screen.json"
    monkeypatch.setattr(sys, "argv", [
        "s9_rule.py", "screen", "--s9-rows", put("s9.jsonl", S8),
        "--s9-quora", put("q9.jsonl", QUORA_S8), "--s5-rows", put("s5.jsonl", S5),
        "--s5-quora", put("q5.jsonl", QUORA_S5), "--out", str(out)])
    assert rule.main() == 0
    got = json.loads(out.read_text())
    assert got["rule"] == rule.RULE and got["screen"]["passes"]
    assert list(got["inputs"]) == ["S5", "S9"]
    assert "screen: S9 at c1 +25.00 points over S5 (bar +1.0): PASSES" in capsys.readouterr().out
