"""The decision's operating point and validation by source, on hand-made probabilities."""

from __future__ import annotations

import numpy as np

from llm_router.classifier.dataset import Example
from llm_router.classifier.decision import decide
from llm_router.classifier.train import (
    choose_under_cost,
    decision_rows,
    scores_by_source,
    under_routing_of_writers,
)


def example(source: str, label: str = "simple") -> Example:
    return Example(id=f"{source}:1", query="q", label=label, domain="d", source=source,
                   split="train")


def test_the_lowest_cost_within_the_budget_is_chosen() -> None:
    # Two unsure rows (true tier 1, p = 0.45 on it) and eight sure ones, one writer. u = 1
    # routes the unsure rows to tier 0 (20 % under-routed); every u >= 1.5 routes them up.
    unsure = [0.55, 0.45, 0.0, 0.0]
    probs = np.array([unsure] * 2 + [[0.0, 0.0, 1.0, 0.0]] * 8, dtype=np.float32)
    labels = np.array([1, 1] + [2] * 8, dtype=np.int64)
    assert choose_under_cost(probs, labels, ["a"] * 10, budget=0.0) == 1.5
    assert choose_under_cost(probs, labels, ["a"] * 10, budget=0.25) == 1.0


def test_the_worst_quartile_of_writers_must_meet_the_budget_too() -> None:
    # Writer "w" wrote both unsure rows, four others wrote sure ones: pooled, u = 1
    # under-routes 2 of 20 rows (10 %); the worst quartile (2 of 5 writers, rounded up:
    # "w" and one other) 2 of 8.
    unsure = [0.55, 0.45, 0.0, 0.0]
    probs = np.array([unsure] * 2 + [[0.0, 0.0, 1.0, 0.0]] * 18, dtype=np.float32)
    labels = np.array([1, 1] + [2] * 18, dtype=np.int64)
    writers = ["w"] * 4 + [w for w in "abcd" for _ in range(4)]
    assert under_routing_of_writers(decide(probs, 1.0), labels, writers) == (0.1, 0.25)
    assert choose_under_cost(probs, labels, writers, budget=0.12) == 1.5
    assert choose_under_cost(probs, labels, writers, budget=0.25) == 1.0


def test_without_a_cost_that_meets_the_budget_the_largest_is_chosen() -> None:
    probs = np.array([[1.0, 0.0, 0.0, 0.0]], dtype=np.float32)  # surely wrong, too low
    assert choose_under_cost(probs, np.array([3], dtype=np.int64), ["a"], budget=0.0) == 12.0


def test_decision_rows_are_the_independent_sources_or_every_row_without_them() -> None:
    rows = [example("independent-v1"), example("own-v1"), example("independent-v1")]
    assert decision_rows(rows).tolist() == [True, False, True]
    assert decision_rows([example("own-v1")] * 2).tolist() == [True, True]


def test_scores_by_source_counts_each_source_apart() -> None:
    rows = [example("a"), example("a"), example("b")]
    probs = np.array([[0.9, 0.1, 0, 0], [0.6, 0.4, 0, 0], [0.1, 0.9, 0, 0]], np.float32)
    labels = np.array([0, 1, 1], dtype=np.int64)
    out = scores_by_source(rows, probs, labels, under_cost=6.0)
    assert out["a"]["n"] == 2 and out["a"]["accuracy"] == 0.5
    assert out["a"]["under_routing"] == 0.5 and out["a"]["decision_under_routing"] == 0.0
    assert out["b"]["accuracy"] == 1.0


def test_cv_groups_keep_each_independent_set_whole_and_cut_large_own_sources() -> None:
    from llm_router.classifier.train import GROUP_ROWS, cv_groups

    rows = ([Example(id=f"independent-v2:{i}", query="q", label="simple", domain="d",
                     source="independent-v2", split="train") for i in range(3 * GROUP_ROWS)]
            + [Example(id=f"own-v1:{i}", query="q", label="simple", domain="d",
                       source="own-v1", split="train") for i in range(4 * GROUP_ROWS)])
    groups = cv_groups(rows, folds=5)
    assert set(groups[: 3 * GROUP_ROWS]) == {"independent-v2"}
    assert len(set(groups[3 * GROUP_ROWS:])) == 4
