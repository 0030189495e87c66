"""bench/extra_ask_rule.py's ``others``: the pairs a check's or form's rule fires over
outside its decision sets, each read once (the verifier's tune split holds copies of
heldout1-8's and train9a-c's pairs, which the rules counted twice until session 20)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("extra_ask_rule")


def pair(where: str, a: str, label: int = 1, source: str | None = None) -> dict[str, Any]:
    row = {"set": where, "a": a, "b": a + "?", "label": label, "kind": "k"}
    return row if source is None else {**row, "source": source}


def test_a_tune_copy_is_read_in_its_set_alone(rule: ModuleType) -> None:
    pairs = [pair("heldout7", "x"), pair("cache_pairs/tune", "x", source="heldout7"),
             pair("cache_pairs/tune", "q", 0, source="qqp"),  # Quora's: no set of its own
             pair("cache_pairs/tune", "s", source="support"),
             pair("pairs:qqp", "r", source="qqp")]  # not the tune file: kept
    assert [p["a"] for p in rule.read_once(pairs)] == ["x", "q", "s", "r"]


def test_a_tune_copy_names_only_sets_among_the_pairs(rule: ModuleType) -> None:
    # Its set absent (not committed): the tune pair is the only copy read.
    pairs = [pair("cache_pairs/tune", "x", source="heldout99")]
    assert rule.read_once(pairs) == pairs


def test_a_decision_sets_pair_reaches_others_through_the_tune_file_no_more(
        rule: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    committed = [pair("heldout9", "d"), pair("cache_pairs/tune", "d", source="heldout9"),
                 pair("heldout7", "x"), pair("cache_pairs/tune", "x", 0, source="heldout7"),
                 pair("cache_pairs/tune", "q", source="qqp")]
    monkeypatch.setattr(rule, "committed_pairs", lambda: committed)
    monkeypatch.setattr(rule, "load_support", lambda _path: [])
    monkeypatch.setattr(rule, "load_qqp", lambda: None)
    monkeypatch.setattr(rule, "split_qqp", lambda _rows: {"train": [("u", "v", 0)]})
    read = [(p["set"], p["a"]) for p in rule.others(("heldout9",))]
    assert read == [("heldout7", "x"), ("cache_pairs/tune", "q"), ("quora-train", "u")]
    # Of named sets only (``fire --same-sets-as``): the copy is not read for its set's absence.
    read = [(p["set"], p["a"]) for p in rule.others(("heldout9",), {"cache_pairs/tune"})]
    assert read == [("cache_pairs/tune", "q"), ("quora-train", "u")]


def test_fire_writes_the_pairs_it_fired_on_and_their_counts_and_cost(
        rule: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "fired.jsonl"
    pairs = [pair("heldout9", "a"), pair("heldout9", "b", 0), pair("train12a", "c")]
    cost = [0.001 * n for n in range(1, 11)]
    summary = rule.write_fired(out, pairs, pairs[1:2], 1.234, cost, 10)
    assert out.read_text().splitlines() == ['{"set": "heldout9", "a": "b", "b": "b?", '
                                            '"label": 0, "kind": "k"}']
    written = (tmp_path / "fired.json").read_text()
    assert summary == json.loads(written)
    assert list(summary) == ["pairs", "fired", "cpu_s", "by_set", "added_cpu_ms"]
    assert summary["by_set"] == {"heldout9": {"paraphrases": 1, "negatives": 1},
                                 "train12a": {"paraphrases": 1, "negatives": 0}}
    assert summary["added_cpu_ms"] == {"pairs": 10, "repeats": 10, "median": 5.5,
                                       "p90": 9.9, "max": 10.0}
    assert "added_cpu_ms" not in rule.write_fired(out, pairs, [], 0.0)
