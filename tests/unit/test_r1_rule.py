"""bench/r1_rule.py (session 27): rule R1, a sign before a word in the respelling check, read
from toy rows (cache_losses.py --pairs-out) made without and with R1; and the rule's text and
sets as the lead wrote them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import row


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("r1_rule")


def test_the_rule_is_quoted_and_reads_every_seen_set(rule: ModuleType) -> None:
    assert rule.RULE.startswith("R1: in the respelling check (layers/core/llm_router/cache/")
    assert rule.RULE.endswith("the unseen sets at the session's end report it with the rest.")
    assert " ".join(rule.RULE.split()) in " ".join(rule.__doc__.split())
    assert (*(f"heldout{n}" for n in range(1, 58)), "pairs") == rule.SETS
    assert (rule.FLOOR, rule.CUT) == (0.5, 0.916959)


def test_a_false_hit_refused_and_no_paraphrase_lost_ships(rule: ModuleType) -> None:
    # heldout57's "rot" / "-rot": a respelled hit without R1, the verifier's miss with it
    without = [row("heldout57", 67, 0, 0.437, respelling=["format"]),
               row("heldout57", 1, 1, 0.99, respelling=["typo"]),
               row("heldout3", 2, 1, 0.95)]
    with_r1 = [row("heldout57", 67, 0, 0.437), row("heldout57", 1, 1, 0.99),
               row("heldout3", 2, 1, 0.95)]
    result = rule.compare(without, with_r1, 0.5, 0.916959)
    assert [m["id"] for m in result["moved"]] == ["p0067", "p0001"]
    assert result["moved"][0]["without"] == {"stage": "respelling", "hit": True,
                                             "respelling": ["format"]}
    assert result["moved"][0]["with"] == {"stage": "verifier", "hit": False,
                                          "respelling": None}
    assert result["a"] == {"pass": True, "paraphrase_hits_refused": 0}
    assert result["b"] == {"pass": True, "false_hits_refused": 1}
    assert result["verdict"] == "R1 ships"


def test_one_paraphrase_lost_or_no_false_hit_refused_keeps_the_check(rule: ModuleType) -> None:
    lost = rule.compare([row("heldout9", 1, 1, 0.5, respelling=["format"]),
                         row("heldout57", 67, 0, 0.437, respelling=["format"])],
                        [row("heldout9", 1, 1, 0.5), row("heldout57", 67, 0, 0.437)],
                        0.5, 0.916959)
    assert not lost["a"]["pass"] and lost["b"]["pass"]
    assert lost["verdict"].startswith("R1 does not ship")
    # a false hit the verifier passes too stays a hit: its stage moves, its verdict does not
    kept = rule.compare([row("heldout57", 67, 0, 0.95, respelling=["format"])],
                        [row("heldout57", 67, 0, 0.95)], 0.5, 0.916959)
    assert kept["moved"][0]["with"]["hit"] and not kept["b"]["pass"]
    assert kept["verdict"].startswith("R1 does not ship")


def test_r2_is_quoted_and_reads_every_seen_set(rule: ModuleType) -> None:
    r2 = rule.RULES["R2"]
    assert r2.text == rule.RULE_R2 and r2.amounts and r2.base == "249f412"
    assert r2.text.startswith("R2: in the respelling check (layers/core/llm_router/cache/")
    assert r2.text.endswith("(a) forbids any paraphrase lost on the 59 writers' and Quora's "
                            "pairs.")
    assert " ".join(r2.text.split()) in " ".join(rule.__doc__.split())
    assert (*(f"heldout{n}" for n in range(1, 60)), "pairs") == r2.sets
    assert rule.RULES["R1"].text == rule.RULE and rule.RULES["R1"].sets == rule.SETS


def test_r2_reads_its_verdict_under_its_name(rule: ModuleType) -> None:
    # heldout43's "take(list, 2)" / "take(list, -2)": a respelled hit without R2, refused
    # by the amounts check with it
    without = [row("heldout43", 35, 0, 0.077, respelling=["format"])]
    with_r2 = [row("heldout43", 35, 0, None)]
    result = rule.compare(without, with_r2, 0.5, 0.916959, "R2")
    assert result["moved"][0]["with"]["stage"] == "numbers"
    assert result["verdict"] == "R2 ships"
    kept = rule.compare(with_r2, with_r2, 0.5, 0.916959, "R2")
    assert kept["verdict"] == "R2 does not ship: both checks stay as they are"


def test_r2_runs_only_on_a_tree_that_holds_it(rule: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    # R2 did not ship: main's amounts check has no sign, and without_r2 changes nothing there
    from llm_router.cache.quantities import amounts

    assert not rule.holds_r2()
    with rule.without_r2():
        assert amounts("take(list, -2)", hard=True) == ((2.0, ""),)
    monkeypatch.setattr("sys.argv", ["r1_rule.py", "--rule", "R2", "--out",
                                     str(tmp_path / "r2.json")])
    with pytest.raises(SystemExit):
        rule.main()
    assert not (tmp_path / "r2.json").exists()
