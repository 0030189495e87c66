"""bench/answer_audit.py (session 36, i28): the blind items of a second reading of the
populated caches' answers, their groups, and the unblinded counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def audit(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("answer_audit")


def row(variant: str, label: int, outcome: str, query: str, answered: str | None,
        own: str = "own text", ident: str = "p1") -> dict[str, Any]:
    return {"variant": variant, "set": "heldout80", "id": ident, "label": label, "kind": "k",
            "a": own, "b": query, "outcome": outcome, "answered": answered,
            "relation": "unknown" if outcome == "other" else None}


ROWS = [
    # a negative answered by another entry in the shipped lookup and in a variant: shipped
    row("0.5:5:m", 0, "other", "q1", "x1"),
    row("0.5:5:m:n0.4", 0, "other", "q1", "x1", ident="p9"),
    # only in a variant: added
    row("0.5:5:m:n0.4", 0, "other_negative", "q2", "x2"),
    row("0.5:5:m", 0, "refused", "q2", None),
    # paraphrases answered by another entry, and by their own
    row("0.5:5:m", 1, "other", "q3", "x3"),
    row("0.5:5:m", 1, "other_same", "q4", "x4"),
    row("0.5:5:m", 1, "partner", "q5", "own text"),
    # negatives answered by their own entry
    row("0.5:5:m", 0, "partner", "q6", "own text"),
    row("0.5:5:m:n0.4", 0, "partner", "q7", "own text"),
    # misses are not items
    row("0.5:5:m", 0, "top_k", "q8", None),
]


def test_the_groups_and_the_blind_file_carry_no_key(audit: ModuleType) -> None:
    blind, keys = audit.build_items(ROWS, controls=60)
    groups = {key["query"]: key["group"] for key in keys}
    assert groups == {"q1": "shipped", "q2": "added", "q3": "control_para",
                      "q4": "control_para", "q6": "control_own", "q7": "control_own"}
    assert [item["item"] for item in blind] == list(range(1, 7))
    assert all(set(item) == {"item", "query", "answered"} for item in blind)
    assert [(item["query"], item["answered"]) for item in blind] == \
        [(key["query"], key["answered"]) for key in keys]
    first = next(key for key in keys if key["query"] == "q1")
    assert first["variants"] == ["0.5:5:m", "0.5:5:m:n0.4"]
    assert first["rows"] == ["heldout80:p1", "heldout80:p9"]


def test_the_controls_are_a_seeded_sample_and_the_order_a_seeded_shuffle(
        audit: ModuleType) -> None:
    many = [row("0.5:5:m", 1, "other", f"p{n}", f"y{n}") for n in range(20)]
    one, keys_one = audit.build_items(many, controls=5)
    two, _ = audit.build_items(many, controls=5)
    other, _ = audit.build_items(many, seed=7, controls=5)
    assert len(one) == 5 and one == two and one != other
    assert {key["group"] for key in keys_one} == {"control_para"}


def test_unblind_counts_per_group_and_per_variant(audit: ModuleType) -> None:
    _, keys = audit.build_items(ROWS)
    verdicts = {"q1": "same", "q2": "wrong", "q3": "same", "q4": "unsure", "q6": "wrong",
                "q7": "same"}
    judged = [{"item": key["item"], "judgement": verdicts[key["query"]], "reason": "r"}
              for key in keys]
    result = audit.unblind(judged, keys)
    assert result["groups"] == {
        "shipped": {"same": 1, "wrong": 0, "unsure": 0},
        "added": {"same": 0, "wrong": 1, "unsure": 0},
        "control_para": {"same": 1, "wrong": 0, "unsure": 1},
        "control_own": {"same": 1, "wrong": 1, "unsure": 0}}
    assert result["negatives_by_variant"] == {
        "0.5:5:m": {"same": 1, "wrong": 0, "unsure": 0},
        "0.5:5:m:n0.4": {"same": 1, "wrong": 1, "unsure": 0}}
    with pytest.raises(ValueError):
        audit.unblind(judged[:-1], keys)
    with pytest.raises(ValueError):
        audit.unblind([*judged[:-1], {**judged[-1], "judgement": "maybe"}], keys)


def test_the_rows_are_counted_by_their_pairs_reading(audit: ModuleType) -> None:
    _, keys = audit.build_items(ROWS)
    items = [{**key, "judgement": "same" if key["query"] == "q1" else "wrong"} for key in keys]
    labelled = row("0.5:5:m", 0, "other_same", "q9", "x9")
    tagged = [("i27", one) for one in ROWS] + [("i24", ROWS[0]), ("i24", labelled)]
    assert audit.row_tallies(tagged, items) == {
        "i24:0.5:5:m": {"other_labelled_right": 1, "other_same": 1},
        "i27:0.5:5:m": {"other_same": 1, "own_wrong": 1},
        "i27:0.5:5:m:n0.4": {"other_same": 1, "other_wrong": 1, "own_wrong": 1}}
    with pytest.raises(ValueError):
        audit.row_tallies([("i27", row("0.5:5:m", 0, "other", "q10", "x10"))], items)


def test_the_result_reads_back_whole(audit: ModuleType) -> None:
    result = {"groups": {"shipped": {"same": 1}}, "items": [{"item": 1, "query": "é"},
                                                             {"item": 2, "query": "b"}]}
    text = audit.dumps(result)
    assert json.loads(text) == result
    assert len(text.splitlines()) == 11
