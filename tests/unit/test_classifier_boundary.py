"""bench/classifier_boundary.py: the candidate decisions at the simple / moderate
boundary, read from toy calibrated probabilities."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from llm_router.classifier.decision import decide


@pytest.fixture(scope="module")
def boundary(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("classifier_boundary")


# simple, moderate, complex, reasoning
PROBS = np.array([
    [0.90, 0.08, 0.01, 0.01],  # sure simple
    [0.62, 0.30, 0.05, 0.03],  # unsure simple: the floor moves it
    [0.55, 0.05, 0.05, 0.35],  # unsure simple whose runner-up is reasoning: costs pick moderate
    [0.10, 0.80, 0.05, 0.05],  # moderate
], dtype=np.float32)


def test_plain_candidate_is_the_shipped_decision(boundary: ModuleType) -> None:
    for u in (1.0, 1.5, 3.0):
        assert boundary.route(PROBS, u).tolist() == decide(PROBS, u).tolist()


def test_simple_floor_moves_only_unsure_simple_rows(boundary: ModuleType) -> None:
    assert boundary.route(PROBS, 1.0).tolist() == [0, 0, 0, 1]
    # Under the floor a simple row goes to the cheapest of the other tiers at the same u
    # (not its runner-up: the third row's expected cost is lowest at moderate).
    assert boundary.route(PROBS, 1.0, floor=0.7).tolist() == [0, 1, 1, 1]
    assert boundary.route(PROBS, 1.0, floor=0.95).tolist() == [1, 1, 1, 1]


def test_dearer_simple_costs_only_the_simple_column(boundary: ModuleType) -> None:
    # us = u is the shipped decision; a dearer simple mistake moves unsure rows up first.
    assert boundary.route(PROBS, 1.0, us=1.0).tolist() == decide(PROBS, 1.0).tolist()
    assert boundary.route(PROBS, 1.0, us=3.0).tolist() == [0, 1, 1, 1]


def test_figures_count_the_boundary(boundary: ModuleType) -> None:
    labels = np.array([0, 1, 0, 1])
    writers = ["a", "a", "b", "b"]
    f = boundary.figures(boundary.route(PROBS, 1.0), labels, writers,
                         np.array([False, True, False, True]))
    assert f["accuracy"] == 0.75 and f["moderate_as_simple"] == 1
    assert f["under_routing"] == 0.25 and f["under_routing_worst_quartile"] == 0.5
    assert f["heldout44_45"] == {"rows": 2, "accuracy": 0.5, "under_routing": 0.5,
                                 "moderate_as_simple": 1}


def test_two_asks_moves_only_unsure_simple_rows_that_ask_twice(boundary: ModuleType) -> None:
    texts = ["open sundays?", "do you rent helmets, and can we pick up the boots early",
             "pet fee? weight limit?", "how does a heat pump work"]
    probs = np.array([[0.9, 0.1, 0, 0], [0.9, 0.1, 0, 0], [0.97, 0.03, 0, 0],
                      [0.1, 0.9, 0, 0]], dtype=np.float32)
    assert boundary.two_asks(probs, texts, 1.0, 0.95).tolist() == [0, 1, 0, 1]
    assert boundary.two_asks(probs, texts, 1.0, 1.01).tolist() == [0, 1, 1, 1]
