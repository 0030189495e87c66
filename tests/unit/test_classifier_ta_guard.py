"""bench/classifier_ta_guard.py: rule TA's guards read from toy texts and probabilities."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

from llm_router.classifier.decision import TWO_ASKS, two_asks_up


@pytest.fixture(scope="module")
def guard(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("classifier_ta_guard")


RAMBLE = ("so we're doing the whole road trip thing next month, my husband's very excited, "
          "and I just wanted to check, can we return the campervan in Cairns instead of "
          "Brisbane, it would save us a long drive back down the coast with two tired kids")
TEXTS = [
    "Do you provide wetsuits, and are they included in the price or extra?",  # and + ask
    RAMBLE,  # only the bare ", and": G2 drops it, and it is over 30 words
    "can i change my username or is it stuck forever",  # or + aux
    "open sundays?",  # no match
]
# simple, moderate, complex, reasoning: every row routed simple and unsure (p < 0.90)
PROBS = np.tile(np.array([0.8, 0.15, 0.03, 0.02], dtype=np.float32), (len(TEXTS), 1))


def test_branches_spell_two_asks_and_g2_drops_only_the_bare_and(guard: ModuleType) -> None:
    assert "|".join(guard.BRANCHES) == TWO_ASKS.pattern
    assert guard.branches(TEXTS[0]) == [", and", "and + ask"]
    assert guard.branches(RAMBLE) == [", and"]
    assert guard.TWO_ASKS_G2.search(TEXTS[0]) and not guard.TWO_ASKS_G2.search(RAMBLE)
    assert guard.TWO_ASKS_G2.search(TEXTS[2])


def test_shapes(guard: ModuleType) -> None:
    assert guard.words(RAMBLE) == 45
    assert guard.sentences("Hi. Is it open? Yes!") == 3
    assert guard.sentences("no punctuation at all") == 1


def test_override_is_ta_with_a_guard(guard: ModuleType) -> None:
    routed = np.zeros(len(TEXTS), dtype=np.int64)
    gs = guard.guards()
    ta = guard.override(routed, PROBS, TEXTS, gs["TA"])
    assert ta.tolist() == two_asks_up(routed, PROBS, TEXTS).tolist() == [1, 1, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, None).tolist() == [0, 0, 0, 0]
    assert guard.override(routed, PROBS, TEXTS, gs["G1 words<=30"]).tolist() == [1, 0, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, gs["G2 and+ask"]).tolist() == [1, 0, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, gs["no-or"]).tolist() == [1, 1, 0, 0]


def test_figures(guard: ModuleType) -> None:
    labels = np.array([1, 0, 0, 0])
    f = guard.figures(np.array([0, 0, 1, 0]), labels, ["a", "a", "b", "b"])
    assert f["correct"] == 2 and f["under_routed"] == 1 and f["moderate_as_simple"] == 1
    assert f["simple_as_moderate"] == 1 and f["under_routing_worst_quartile"] == 0.5
    assert guard.figures(np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                         None) == {"rows": 0}
