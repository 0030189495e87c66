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


# agree (session 37, i31): two readers' judgements of the same items joined with the key


def test_cohen_kappa_on_hand_worked_pairs(audit: ModuleType) -> None:
    first = ["same"] * 5 + ["wrong"] * 5
    second = ["same"] * 4 + ["wrong"] * 5 + ["same"]
    # observed 0.8, chance 0.5 * 0.5 + 0.5 * 0.5 = 0.5: (0.8 - 0.5) / 0.5
    assert audit.cohen_kappa(list(zip(first, second, strict=True))) == pytest.approx(0.6)
    assert audit.cohen_kappa([("same", "wrong"), ("wrong", "same")]) == pytest.approx(-1)
    # observed 0.75; chance 0.25 * 0.25 (same) + 0.5 * 0.75 (wrong) + 0.25 * 0 (unsure)
    three = [("same", "same"), ("wrong", "wrong"), ("unsure", "wrong"), ("wrong", "wrong")]
    assert audit.cohen_kappa(three) == pytest.approx((0.75 - 0.4375) / (1 - 0.4375))
    assert audit.cohen_kappa([("wrong", "wrong")] * 3) is None
    assert audit.cohen_kappa([]) is None


def test_wrong_by_counts_the_readers_calling_wrong(audit: ModuleType) -> None:
    assert audit.wrong_by("wrong", "wrong") == "both"
    assert audit.wrong_by("wrong", "unsure") == "one"
    assert audit.wrong_by("same", "wrong") == "one"
    assert audit.wrong_by("same", "unsure") == "neither"


def _judged(keys: list[dict[str, Any]], verdicts: dict[str, str]) -> list[dict[str, Any]]:
    return [{"item": key["item"], "judgement": verdicts[key["query"]], "reason": key["query"]}
            for key in keys]


FIRST = {"q1": "wrong", "q2": "wrong", "q3": "same", "q4": "unsure", "q6": "wrong",
         "q7": "same"}
SECOND = {"q1": "same", "q2": "wrong", "q3": "same", "q4": "same", "q6": "wrong",
          "q7": "wrong"}


def test_agree_per_group_disagreements_and_the_shipped_bar(audit: ModuleType) -> None:
    _, keys = audit.build_items(ROWS)
    result = audit.agree(_judged(keys, FIRST), _judged(keys, SECOND), keys)
    number = {key["query"]: key["item"] for key in keys}
    para = result["groups"]["control_para"]
    assert para["first"] == {"same": 1, "wrong": 0, "unsure": 1}
    assert para["second"] == {"same": 2, "wrong": 0, "unsure": 0}
    assert para["both"]["unsure/same"] == 1 and para["both"]["same/same"] == 1
    assert (para["agree"], para["raw_agreement"]) == (1, 0.5)
    # the unsure item is left out of same vs wrong; the other one alone gives no kappa
    assert (para["same_vs_wrong_items"], para["same_vs_wrong_left_out_unsure"]) == (1, 1)
    assert para["kappa_same_vs_wrong"] is None
    whole = result["groups"]["all"]
    assert (whole["items"], whole["agree"], whole["same_vs_wrong_items"]) == (6, 3, 5)
    # same vs wrong over q1 q2 q3 q6 q7: observed 3 / 5; chance 0.4 * 0.4 + 0.6 * 0.6
    assert whole["kappa_same_vs_wrong"] == pytest.approx(round((0.6 - 0.52) / 0.48, 4))
    assert result["disagreements"] == {"shipped": [number["q1"]], "added": [],
                                       "control_para": [number["q4"]],
                                       "control_own": [number["q7"]]}
    assert result["shipped_bar"] == {"items": 1, "both_wrong": 0, "either_wrong": 1,
                                     "both_same": 0, "either_same": 1, "first_wrong": 1,
                                     "second_wrong": 0}
    first_item = next(item for item in result["items"] if item["query"] == "q1")
    assert (first_item["first"], first_item["second"], first_item["group"]) == \
        ("wrong", "same", "shipped")
    assert [item["item"] for item in result["items"]] == sorted(number.values())
    with pytest.raises(ValueError):
        audit.agree(_judged(keys, FIRST)[:-1], _judged(keys, SECOND), keys)


def test_run_agree_counts_rows_by_how_many_call_them_wrong(
        audit: ModuleType, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, keys = audit.build_items(ROWS)
    files = {"key": keys, "a": _judged(keys, FIRST), "b": _judged(keys, SECOND)}
    for name, rows in files.items():
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr(audit, "KEY", tmp_path / "key.jsonl")
    shared = tmp_path / "i27-shared-80-81.jsonl"
    shared.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    result = audit.run_agree(("i28", tmp_path / "a.jsonl"), ("i31", tmp_path / "b.jsonl"),
                             [shared])
    assert result["readers"] == {"first": "i28", "second": "i31"}
    assert len(result["sha256"]) == 3
    # q1 (shipped and n0.4): one reader; q2 (n0.4): both; q6: both; q7 (n0.4): one
    assert result["rows_by_run"] == {
        "i27:0.5:5:m": {"other_wrong_by_one": 1, "own_wrong_by_both": 1},
        "i27:0.5:5:m:n0.4": {"other_wrong_by_both": 1, "other_wrong_by_one": 1,
                             "own_wrong_by_one": 1}}
    assert "rows_by_run" not in audit.run_agree(("i28", tmp_path / "a.jsonl"),
                                                ("i31", tmp_path / "b.jsonl"), [])
