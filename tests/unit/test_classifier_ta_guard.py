"""bench/classifier_ta_guard.py: rule TA's guards read from toy texts and probabilities."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from llm_router.classifier.decision import TWO_ASKS, two_asks_up
from llm_router.classifier.runtime import Classification


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
    assert ta.tolist() == [1, 1, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, None).tolist() == [0, 0, 0, 0]
    g1 = guard.override(routed, PROBS, TEXTS, gs["G1 words<=30"])
    # The router ships G1 since session 26 (rule TB).
    assert g1.tolist() == two_asks_up(routed, PROBS, TEXTS).tolist() == [1, 0, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, gs["G2 and+ask"]).tolist() == [1, 0, 1, 0]
    assert guard.override(routed, PROBS, TEXTS, gs["no-or"]).tolist() == [1, 1, 0, 0]


def test_figures(guard: ModuleType) -> None:
    labels = np.array([1, 0, 0, 0])
    f = guard.figures(np.array([0, 0, 1, 0]), labels, ["a", "a", "b", "b"])
    assert f["correct"] == 2 and f["under_routed"] == 1 and f["moderate_as_simple"] == 1
    assert f["simple_as_moderate"] == 1 and f["under_routing_worst_quartile"] == 0.5
    assert guard.figures(np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                         None) == {"rows": 0}


class FakeClassifier:
    metadata = {"version": "2.eb2f328f.test"}
    temperature = 1.0

    def classify(self, text: str, embedding: np.ndarray) -> Classification:
        p = (0.97, 0.02, 0.005, 0.005) if text == "sure?" else (0.8, 0.15, 0.03, 0.02)
        return Classification("simple", p[0], p)


class FakePicker:
    under_cost = 2.0
    classifier = FakeClassifier()

    class embedder:  # noqa: N801
        @staticmethod
        def embed_one(text: str) -> np.ndarray:
            return np.ones(2, np.float32)


def test_tb_routes_as_the_router_and_drops_only_long_moves(
        guard: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llm_router.complexity

    monkeypatch.setattr(llm_router.complexity.TierPicker, "load", staticmethod(FakePicker))
    monkeypatch.setattr(guard, "ROOT", tmp_path)
    labels = ["moderate", "simple", "simple", "simple", "simple"]
    texts = TEXTS + ["sure?"]
    for name, part in (("a", slice(0, 2)), ("b", slice(2, 5))):
        (tmp_path / "data" / name).mkdir(parents=True)
        (tmp_path / "data" / name / "classifier_queries.jsonl").write_text("".join(
            json.dumps({"id": f"q{i}", "text": t, "tier": lab}) + "\n"
            for i, (t, lab) in enumerate(zip(texts[part], labels[part], strict=True))))
    result = guard.tb(None, sets=("a", "b"))
    assert result["rule"].startswith("TB: TA with the word ceiling G1. Route with")
    pooled = result["pooled"]
    # TA moves rows 0-2 (0 right, 1 and 2 wrong); TB keeps 0 and 2 and drops the 45-word 1.
    assert [m["tb_keeps"] for m in result["ta_moves"]] == [True, False, True]
    assert [m["words"] for m in result["ta_moves"]] == [13, 45, 10]
    assert (pooled["no override"]["correct"], pooled["TA"]["correct"],
            pooled["TB"]["correct"]) == (4, 3, 4)
    assert pooled["no override"]["under_routed"] == 1 and pooled["TA"]["under_routed"] == 0
    assert result["per_set"]["a"]["TB"]["correct"] == 2
    # One more right than TA, under three: TA stays.
    assert result["verdict"] == "TA stays as it is" and result["router_at_this_commit"] == "TB"
    assert not result["conditions"]["a_tb_at_least_3_more_right_than_ta"]
