"""bench/populated_negatives.py (session 37, rule S11's new source): a paraphrase query another
entry of a populated cache answered becomes the negative (q, e') unless the labels make e' q's
question or S10 reads e' and q's own entry e as one question (p >= 0.5 either way)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

V = "0.5:5:m:3:0.7"


@pytest.fixture(scope="module")
def pn(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("populated_negatives")


def rec(q: str, e: str, answered: str | None, outcome: str = "other", label: int = 1,
        variant: str = V, set_: str = "heldout80", p: float | None = 0.8) -> dict[str, Any]:
    return {"variant": variant, "set": set_, "label": label, "a": e, "b": q,
            "outcome": outcome, "answered": answered, "p": p}


def scorer(same: dict[frozenset[str], float]) -> Callable[[Sequence[tuple[str, str]]],
                                                          list[float]]:
    """p of a (query, cached) pair: ``same``'s for its two texts (either order), else 0.1;
    every call's pairs kept in ``seen``."""
    seen: list[tuple[str, str]] = []

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        seen.extend(pairs)
        return [same.get(frozenset(p), 0.1) for p in pairs]

    score.seen = seen  # type: ignore[attr-defined]
    return score


def groups(pn: ModuleType, pairs: list[tuple[str, str, int]]) -> Any:
    return pn.PairGroups([{"a": a, "b": b, "label": label, "kind": "k"}
                          for a, b, label in pairs])


def test_an_unlabelled_other_answer_is_a_negative(pn: ModuleType) -> None:
    rows = [rec("how do I reset my password", "password reset steps", "change my email address"),
            rec("q2", "e2", None, outcome="top_k"),           # no answer
            rec("q3", "e3", "e3", outcome="partner"),          # its own entry
            rec("q4", "e4", "x4", label=0),                    # a negative query
            rec("q5", "e5", "x5", variant="0.5:5:m")]          # another variant
    kept, record = pn.mine({"c1": rows}, V, groups(pn, [("password reset steps",
                                                         "how do I reset my password", 1)]),
                           scorer({}))
    assert [(r["b"], r["a"], r["label"], r["source"]) for r in kept] == [
        ("how do I reset my password", "change my email address", 0, "popneg")]
    assert kept[0]["cache"] == "c1" and kept[0]["p_answer"] == 0.8
    assert record["kept"] == 1 and record["by_cache"]["c1"]["candidate_rows"] == 1


def test_a_labelled_paraphrase_is_dropped_even_through_a_chain(pn: ModuleType) -> None:
    # e' is q's question by a label-1 chain in some set (q ~ z ~ e'): not a negative.
    rows = [rec("q", "e", "e2", outcome="other"), rec("q", "e", "e3", outcome="other_negative",
                                                      set_="heldout81")]
    g = groups(pn, [("z", "q", 1), ("e2", "z", 1), ("e3", "q", 0)])
    kept, record = pn.mine({"c1": rows[:1], "c2": rows[1:]}, V, g, scorer({}))
    assert [r["a"] for r in kept] == ["e3"]
    assert record["dropped_labelled_paraphrase"] == 1
    assert record["by_cache"]["c1"]["dropped_labelled_paraphrase"] == 1
    assert record["by_set"]["heldout81"]["kept"] == 1


def test_same_question_by_s10_either_way_is_dropped(pn: ModuleType) -> None:
    rows = [rec("q1", "e1", "x1"), rec("q2", "e2", "x2"), rec("q3", "e3", "x3")]
    score = scorer({frozenset(("e1", "x1")): 0.5, frozenset(("e2", "x2")): 0.49})
    kept, record = pn.mine({"c": rows}, V, groups(pn, []), score)
    assert [r["a"] for r in kept] == ["x2", "x3"]
    assert kept[0]["p_entries"] == 0.49
    assert record["dropped_same_question"] == 1
    # both orders scored: (e, e') and (e', e), as (query, cached)
    assert {("e1", "x1"), ("x1", "e1")} <= set(score.seen)  # type: ignore[attr-defined]


def test_one_pair_per_query_and_answer_every_own_entry_checked(pn: ModuleType) -> None:
    # q paraphrases two cached entries e and f; x answered it (twice, and in a second cache):
    # kept once, and dropped when S10 reads x as either entry's question.
    rows = [rec("q", "e", "x"), rec("q", "f", "x")]
    kept, record = pn.mine({"c1": rows, "c2": rows[:1]}, V, groups(pn, []), scorer({}))
    assert len(kept) == 1 and kept[0]["cache"] == "c1"
    assert record["candidate_rows"] == 3 and record["distinct"] == 1
    kept, _ = pn.mine({"c1": rows}, V, groups(pn, []), scorer({frozenset(("f", "x")): 0.9}))
    assert kept == []


def test_label_files_never_open_reserved_or_later_sets(pn: ModuleType, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name in ("heldout101", "heldout102", "heldout103", "heldout104", "train9a", "x"):
        (data / name).mkdir(parents=True)
        if name != "x":
            (data / name / "cache_pairs.jsonl").write_text("")
    (data / "cache_verifier" / "train12a").mkdir(parents=True)
    (data / "cache_verifier" / "train12a" / "cache_pairs.jsonl").write_text("")
    names = [f.parent.name for f in pn.label_files(data, tmp_path)]
    assert names == ["heldout101", "train9a", "train12a"]
