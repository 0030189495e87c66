"""bench/r3_rule.py (session 36): rule R3, a one-letter substitution a slip only where it looks
like one, read from toy rows (cache_losses.py --pairs-out) made without and with each version;
the rule's text and sets as the lead wrote them, the pairs read once, and the version chosen."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("r3_rule")


def test_the_rule_is_quoted_and_reads_every_seen_set(rule: ModuleType) -> None:
    assert rule.RULE.startswith("R3: in the respelling check's typo reading (`spelling.py`")
    assert rule.RULE.endswith("The unseen sets at the session's end report it with the rest.")
    assert " ".join(rule.RULE.split()) in " ".join(rule.__doc__.split())
    assert (*(f"heldout{n}" for n in range(1, 100)), "pairs", "cache_pairs/tune",
            "cache_pairs/pairs") == rule.SETS
    assert (rule.FLOOR, rule.CUT) == (0.5, 0.93)
    assert set(rule.VERSIONS) == {"first", "keys"} and rule.MILDER == "first"


def test_a_pair_written_twice_is_read_once(rule: ModuleType) -> None:
    pairs = [{"set": "heldout1", "a": "x", "b": "y", "label": 1},
             {"set": "cache_pairs/tune", "a": "x", "b": "y", "label": 1},
             {"set": "heldout2", "a": "y", "b": "x", "label": 1},  # the other way round
             {"set": "heldout3", "a": "x", "b": "y", "label": 0}]  # another label
    kept, copies = rule.once(pairs)
    assert [p["set"] for p in kept] == ["heldout1", "heldout2", "heldout3"] and copies == 1


def test_changed_reads_the_pairs_whose_answer_moves(rule: ModuleType) -> None:
    def old(a: str, b: str, *_: Any) -> tuple[str, ...] | None:
        return ("typo",) if "oroutine" in a else ("format",)

    def new(a: str, b: str, *_: Any) -> tuple[str, ...] | None:
        return None if a.startswith("g") or b.startswith("g") else old(a, b)

    pairs = [{"set": "h", "a": "goroutine", "b": "coroutine", "label": 0},
             {"set": "h", "a": "coroutine", "b": "goroutine", "label": 0},
             {"set": "h", "a": "the", "b": "teh", "label": 1}]
    found, reversed_ = rule.changed(pairs, old, new, ())
    assert [(p["a"], p["respelling_without"], p["respelling_with"]) for p in found] == [
        ("goroutine", ("typo",), None), ("coroutine", ("typo",), None)]
    assert reversed_ == 2
    assert rule.typo_answers(pairs, old, ()) == {"label0": 2}


def _read(rule: ModuleType, without: list[dict[str, Any]], with_r3: list[dict[str, Any]],
          version: str) -> dict[str, Any]:
    read = rule.compare(without, with_r3, rule.FLOOR, rule.CUT, f"R3 ({version})")
    read["verdict"] = rule.verdict(version, read)
    return dict(read)


def test_a_false_hit_refused_and_no_paraphrase_lost_meets_a_and_b(rule: ModuleType) -> None:
    # session 35's "goroutine" / "coroutine": a respelled hit without R3, p 0.039 with it
    without = [row("heldout96", 7, 0, 0.039, respelling=["typo"]),
               row("heldout3", 2, 1, 0.95, respelling=["typo"])]
    first = [row("heldout96", 7, 0, 0.039), row("heldout3", 2, 1, 0.95)]
    read = _read(rule, without, first, "first")
    assert [m["id"] for m in read["moved"]] == ["p0007", "p0002"]
    assert read["moved"][1]["with"] == {"stage": "verifier", "hit": True, "respelling": None}
    assert read["a"] == {"pass": True, "paraphrase_hits_refused": 0}
    assert read["b"] == {"pass": True, "false_hits_refused": 1}
    assert read["verdict"] == "R3 (first) meets (a) and (b)"
    # a paraphrase the verifier refuses once the check lets it go: (a) fails
    keys = [row("heldout96", 7, 0, 0.039), row("heldout3", 2, 1, 0.5)]
    lost = _read(rule, without, keys, "keys")
    assert not lost["a"]["pass"] and lost["verdict"] == "R3 (keys) does not meet a"
    assert rule.choose({"first": read, "keys": lost}) == (
        "first", "R3 ships as version 'first': the only version that meets (a) and (b)")


def test_choose_prefers_more_false_hits_refused_then_the_milder(rule: ModuleType) -> None:
    def result(a: bool, refused: int) -> dict[str, Any]:
        return {"a": {"pass": a}, "b": {"pass": refused > 0, "false_hits_refused": refused}}

    assert rule.choose({"first": result(True, 1), "keys": result(True, 2)})[0] == "keys"
    tie = rule.choose({"first": result(True, 1), "keys": result(True, 1)})
    assert tie == ("first", "R3 ships as version 'first': both meet (a) and (b) and refuse "
                            "1 false hits: the milder")
    assert rule.choose({"first": result(True, 0), "keys": result(False, 3)}) == (
        None, "no version meets (a) and (b): the check stays as it is")
