"""The cost-aware decision on hand-checked probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from llm_router.classifier.decision import cost_matrix, decide, expected_costs


def test_cost_matrix_charges_per_tier_of_distance() -> None:
    c = cost_matrix(4, under_cost=6.0, over_cost=1.0)
    assert c[3, 0] == 18.0  # three tiers too low
    assert c[0, 3] == 3.0  # three tiers too high
    assert np.all(np.diag(c) == 0)


def test_expected_cost_by_hand() -> None:
    probs = np.array([[0.0, 0.6, 0.4, 0.0]], dtype=np.float32)
    costs = expected_costs(probs, under_cost=3.0)
    # route moderate: 0.4 * 3 (complex one too low); route complex: 0.6 * 1
    np.testing.assert_allclose(costs[0, 1:3], [1.2, 0.6], rtol=1e-6)
    assert decide(probs, 3.0).tolist() == [2]


def test_equal_costs_pick_the_median_and_a_high_under_cost_routes_up() -> None:
    probs = np.array(
        [[0.9, 0.1, 0, 0], [0.5, 0.4, 0.1, 0], [0, 0, 0.2, 0.8], [0.1, 0.45, 0.4, 0.05]],
        dtype=np.float32,
    )
    assert decide(probs, 1.0).tolist() == [0, 1, 3, 1]
    assert decide(probs, 10.0).tolist() == [1, 2, 3, 2]


def test_a_sure_answer_is_kept_whatever_the_cost() -> None:
    sure = np.array([[0.0, 0.0, 1.0, 0.0]], dtype=np.float32)
    assert decide(sure, 100.0).tolist() == [2]


def test_negative_costs_are_refused() -> None:
    with pytest.raises(ValueError):
        cost_matrix(4, -1.0)
