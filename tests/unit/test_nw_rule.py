"""bench/nw_rule.py (session 36): rule NW, numbers written as words in the amounts check,
read from toy rows (cache_losses.py --pairs-out) made without and with NW; the rule's text
and sets as the lead wrote them; the filter's rule and the project pairs' labels."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("nw_rule")


def test_the_rule_is_quoted_and_reads_every_seen_set(rule: ModuleType) -> None:
    assert rule.RULE.startswith("NW: in the amounts-and-ids check (and the index's bulk")
    assert rule.RULE.endswith("The unseen sets at the session's end report it\nwith the rest.")
    assert "**only where the other text writes that amount in digits" in rule.RULE
    assert (*(f"heldout{n}" for n in range(1, 100)), "pairs") == rule.SETS
    assert (rule.ADDED, rule.CPU_MS) == (3, 0.05)


def test_project_pairs_are_labelled_by_kind(rule: ModuleType, tmp_path: Any) -> None:
    file = tmp_path / "pairs.jsonl"
    file.write_text('{"id": "p-1", "kind": "paraphrase", "cached": "A?", "query": "B?"}\n'
                    '{"id": "n-1", "kind": "number_swap", "cached": "1?", "query": "2?"}\n')
    assert [(p["label"], p["a"], p["b"], p["set"]) for p in rule.project_pairs(file)] == [
        (1, "A?", "B?", "cache_pairs:project"), (0, "1?", "2?", "cache_pairs:project")]


def test_the_filter_refuses_as_the_index_does(rule: ModuleType) -> None:
    no_code, tolerant = 0, 1
    assert rule.filter_refuses((5, no_code), (6, no_code))  # amounts differ
    assert not rule.filter_refuses((5, no_code), (5, no_code))
    assert not rule.filter_refuses((no_code, no_code), (6, 7))  # a query that names none
    assert not rule.filter_refuses((5, no_code), (no_code, no_code))  # a row not read
    assert not rule.filter_refuses((tolerant, no_code), (6, no_code))
    assert rule.filter_refuses((no_code, 8), (no_code, 9))  # ids differ


def rows(*specs: tuple[str, int, int, float | None]) -> list[dict[str, Any]]:
    return [row(where, n, label, p) for where, n, label, p in specs]


def test_three_paraphrases_found_and_nothing_else_moved_ships(rule: ModuleType) -> None:
    without = rows(("heldout96", 671, 1, None), ("heldout97", 168, 1, None),
                   ("heldout5", 1, 1, None), ("heldout5", 2, 0, None), ("heldout5", 3, 1, None))
    with_nw = rows(("heldout96", 671, 1, 0.99), ("heldout97", 168, 1, 0.98),
                   ("heldout5", 1, 1, 0.95), ("heldout5", 2, 0, 0.2), ("heldout5", 3, 1, 0.5))
    result = rule.compare(without, with_nw, 0.5, 0.93)
    # the negative and the paraphrase the verifier refuses move stage, not verdict
    assert [m["id"] for m in result["moved"]] == ["p0671", "p0168", "p0001", "p0002", "p0003"]
    assert result["moved"][0]["without"] == {"stage": "numbers", "hit": False}
    assert result["moved"][0]["with"] == {"stage": "verifier", "hit": True, "respelling": None}
    assert result["a"] == {"pass": True, "false_hits_added": 0}
    assert result["b"] == {"pass": True, "paraphrase_hits_lost": 0}
    assert result["c"] == {"pass": True, "paraphrase_hits_added": 3, "distinct_pairs": 3,
                           "needed": 3}
    assert result["moved_by_set"]["heldout5"] == {"moved": 3, "paraphrase_hits_added": 1,
                                                  "false_hits_added": 0,
                                                  "paraphrase_hits_lost": 0}
    cpu = {"pass": True}
    assert rule.decide({**result, "cpu": cpu}).startswith("NW ships")
    assert rule.decide({**result, "cpu": {"pass": False}}).startswith("NW does not ship")


def test_a_false_hit_added_or_too_few_paraphrases_keeps_the_check(rule: ModuleType) -> None:
    without = rows(("heldout96", 671, 1, None), ("heldout97", 168, 1, None),
                   ("heldout5", 1, 1, None), ("heldout5", 2, 0, None))
    with_nw = rows(("heldout96", 671, 1, 0.99), ("heldout97", 168, 1, 0.98),
                   ("heldout5", 1, 1, 0.95), ("heldout5", 2, 0, 0.95))
    result = rule.compare(without, with_nw, 0.5, 0.93)
    assert result["a"] == {"pass": False, "false_hits_added": 1}
    assert rule.decide({**result, "cpu": {"pass": True}}).startswith("NW does not ship")
    # two paraphrases, one of them in two files: two distinct pairs, under three
    twice = row("tune:heldout1", 1, 1, None) | {"a": "cached heldout5 1", "b": "query heldout5 1"}
    found = row("tune:heldout1", 1, 1, 0.95) | {"a": "cached heldout5 1", "b": "query heldout5 1"}
    few = rule.compare(rows(("heldout96", 671, 1, None), ("heldout5", 1, 1, None)) + [twice],
                       rows(("heldout96", 671, 1, 0.99), ("heldout5", 1, 1, 0.95)) + [found],
                       0.5, 0.93)
    assert few["c"] == {"pass": False, "paraphrase_hits_added": 3, "distinct_pairs": 2,
                        "needed": 3}
    # a paraphrase hit lost fails (b)
    lost = rule.compare(rows(("heldout5", 1, 1, 0.95)), rows(("heldout5", 1, 1, None)), 0.5, 0.93)
    assert lost["b"] == {"pass": False, "paraphrase_hits_lost": 1}
