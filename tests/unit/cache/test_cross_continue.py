"""Session 12's continued training of the cross-encoder (``train.cache_verifier.cross_continue``):
what it may train on, and the rule's lowest cut."""

from __future__ import annotations

from typing import Any

from train.cache_verifier.cross_continue import (
    DECISION_SETS,
    NEW_SETS,
    _key,
    decision_pairs,
    lowest_cut,
    rates,
)


def row(label: int, p: float, *, respelled: bool = False, numbers: bool = False,
        similarity: float = 0.9) -> dict[str, Any]:
    return {"label": label, "p": None if numbers else p, "numbers": numbers,
            "respelling": ["typo"] if respelled else None, "similarity": similarity}


def test_no_decision_set_is_a_new_training_set() -> None:
    assert not set(NEW_SETS) & set(DECISION_SETS)
    assert {"heldout9", "heldout14", "heldout15"} <= set(DECISION_SETS)
    assert {p["set"] for p in decision_pairs()} == set(DECISION_SETS)


def test_a_decision_pair_is_known_whatever_its_case_spacing_or_order() -> None:
    assert _key("How do I Reset my  password", "reset password") == _key(
        "reset password", "how do i reset my password")


def test_the_lowest_cut_keeps_the_false_hits_at_the_bound() -> None:
    rows = [row(0, 0.95), row(0, 0.91), row(0, 0.5), row(0, 0.99, respelled=True),
            row(0, 0.0, numbers=True), row(1, 0.92), row(1, 0.9), row(1, 0.3)]
    # one false hit allowed: the respelled negative takes it, so the cut must pass 0.95
    assert lowest_cut(rows, 1) == 0.950001
    assert rates(rows, 0.950001)["false_hits"] == 1
    # two allowed: the cut just over 0.91 keeps 0.92's paraphrase
    cut = lowest_cut(rows, 2)
    assert cut == 0.910001 and rates(rows, cut)["hits"] == 1
    # a pair under the floor never passes, whatever its p
    assert rates([row(0, 0.99, similarity=0.4)], 0.5)["false_hits"] == 0
