"""runtime.routing: one cost decision gives the plain tier and the routed one (the two-asks
override after it), so the picker records ``two_asks`` without deciding twice."""

from __future__ import annotations

import numpy as np
import pytest

from llm_router.classifier import runtime
from llm_router.classifier.decision import decide, two_asks_up
from llm_router.classifier.runtime import Classification, Routing, route, routing
from llm_router.classifier.tiers import TIERS
from llm_router.complexity import TierPicker
from llm_router.schema import ChatRequest

TWO = "do you open on sundays, and is parking free?"
ONE = "do you open on sundays"
LONG_TWO = TWO + " we are coming from a long way off with the whole family" * 3


def classification(probs: tuple[float, ...]) -> Classification:
    best = int(np.argmax(probs))
    return Classification(TIERS[best], probs[best], probs)


def test_without_text_the_two_tiers_are_the_cost_decision() -> None:
    unsure = classification((0.05, 0.55, 0.35, 0.05))
    assert routing(unsure, 1.0) == Routing("moderate", "moderate")
    assert routing(unsure, 6.0) == Routing("complex", "complex")
    assert not routing(unsure, 6.0).two_asks


def test_the_override_moves_only_the_routed_tier_and_says_so() -> None:
    unsure_simple = classification((0.85, 0.13, 0.01, 0.01))  # simple at u 1
    moved = routing(unsure_simple, 1.0, TWO)
    assert (moved.plain, moved.tier, moved.two_asks) == ("simple", "moderate", True)
    assert routing(unsure_simple, 1.0, ONE) == Routing("simple", "simple")
    assert routing(unsure_simple, 1.0, LONG_TWO) == Routing("simple", "simple")
    sure = classification((0.95, 0.03, 0.01, 0.01))  # p(simple) over 0.90: kept
    assert routing(sure, 1.0, TWO) == Routing("simple", "simple")
    # Routed moderate by cost already: the override has nothing to move.
    up = routing(unsure_simple, 12.0, TWO)
    assert up.plain == up.tier != "simple" and not up.two_asks


@pytest.mark.parametrize("text", [None, TWO, ONE, LONG_TWO, "a? b?", "tea or is it coffee"])
def test_routing_is_decide_then_two_asks_up_and_route_its_tier(text: str | None) -> None:
    rng = np.random.default_rng(27)
    for _ in range(200):
        probs = rng.dirichlet((0.5, 0.5, 0.5, 0.5)).astype(np.float32)
        c = classification(tuple(float(p) for p in probs))
        for u in (1.0, 2.0, 6.0):
            p = np.asarray(c.probabilities, dtype=np.float32)
            plain = decide(p, u)
            routed = plain if text is None else two_asks_up(plain, p, [text])
            expect = Routing(TIERS[int(plain[0])], TIERS[int(routed[0])])
            assert routing(c, u, text) == expect
            assert route(c, u, text) == expect.tier


class FixedClassifier:
    under_cost = 1.0

    def __init__(self, probabilities: tuple[float, ...]):
        self.probabilities = probabilities

    def classify(self, text: str, embedding: np.ndarray) -> Classification:
        return classification(self.probabilities)


class OneVectorEmbedder:
    dim, model_id = 2, "fixed@1"

    def embed_one(self, text: str) -> np.ndarray:
        return np.ones(2, np.float32)


@pytest.mark.parametrize("two_asks", [True, False])
def test_the_picker_decides_once_per_request(monkeypatch: pytest.MonkeyPatch,
                                             two_asks: bool) -> None:
    calls = []

    def counted(probs: np.ndarray, under_cost: float) -> np.ndarray:
        calls.append(under_cost)
        return decide(probs, under_cost)

    monkeypatch.setattr(runtime, "decide", counted)
    picker = TierPicker(OneVectorEmbedder(), FixedClassifier((0.85, 0.13, 0.01, 0.01)),
                        two_asks=two_asks)
    request = ChatRequest.model_validate(
        {"model": "auto", "messages": [{"role": "user", "content": TWO}]})
    choice = picker.pick(request)
    assert calls == [1.0]
    assert (choice.tier, choice.two_asks) == (
        ("moderate", True) if two_asks else ("simple", False))
