"""The decision's operating point and validation by source, on hand-made probabilities."""

from __future__ import annotations

import numpy as np

from llm_router.classifier.dataset import Example
from llm_router.classifier.train import (
    choose_under_cost,
    decision_rows,
    scores_by_source,
)


def example(source: str, label: str = "simple") -> Example:
    return Example(id=f"{source}:1", query="q", label=label, domain="d", source=source,
                   split="train")


def test_the_most_accurate_cost_within_the_under_routing_target_is_chosen() -> None:
    # Two unsure rows (true tier 1, p = 0.45 on it) and eight sure ones. u = 1 routes the
    # unsure rows to tier 0 (80 % exact, 20 % under-routed); every u >= 1.5 routes them
    # up to tier 1 (100 % exact): the smallest of those wins, even when u = 1 would meet
    # a loose target (the rule is the best accuracy, not the cheapest cost that fits).
    unsure = [0.55, 0.45, 0.0, 0.0]
    probs = np.array([unsure] * 2 + [[0.0, 0.0, 1.0, 0.0]] * 8, dtype=np.float32)
    labels = np.array([1, 1] + [2] * 8, dtype=np.int64)
    assert choose_under_cost(probs, labels, target=0.0) == 1.5
    assert choose_under_cost(probs, labels, target=0.25) == 1.5


def test_between_equally_accurate_costs_the_one_that_under_routes_less_wins() -> None:
    # Row 1 (true tier 0) is over-routed by u >= 1.5; row 2 (true tier 1) is under-routed
    # by u = 1: both costs get one of two rows right.
    probs = np.array([[0.55, 0.45, 0, 0], [0.55, 0.45, 0, 0]], dtype=np.float32)
    assert choose_under_cost(probs, np.array([0, 1], dtype=np.int64), target=1.0) == 1.5


def test_without_a_cost_that_meets_the_target_the_largest_is_chosen() -> None:
    probs = np.array([[1.0, 0.0, 0.0, 0.0]], dtype=np.float32)  # surely wrong, too low
    assert choose_under_cost(probs, np.array([3], dtype=np.int64), target=0.0) == 12.0


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
