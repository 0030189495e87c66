"""TierPicker: the routed tier, the configured cost ratio and the reason it reports."""

from __future__ import annotations

import numpy as np

from llm_router.classifier.runtime import Classification
from llm_router.complexity import TierChoice, TierPicker
from llm_router.schema import ChatRequest


class FixedClassifier:
    under_cost = 6.0

    def __init__(self, probabilities: tuple[float, ...]):
        self.probabilities = probabilities

    def classify(self, text: str, embedding: np.ndarray) -> Classification:
        best = int(np.argmax(self.probabilities))
        labels = ("simple", "moderate", "complex", "reasoning")
        return Classification(labels[best], self.probabilities[best], self.probabilities)


class OneVectorEmbedder:
    dim, model_id = 2, "fixed@1"

    def embed(self, texts):
        return np.ones((len(texts), 2), np.float32)

    def embed_one(self, text):
        return np.ones(2, np.float32)


def request(text: str) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "auto", "messages": [{"role": "user", "content": text}]})


def test_unsure_answer_is_routed_up_and_the_reason_says_so() -> None:
    picker = TierPicker(OneVectorEmbedder(), FixedClassifier((0.05, 0.55, 0.35, 0.05)))
    choice = picker.pick(request("can you look into my bill"))
    assert (choice.label, choice.tier) == ("moderate", "complex")
    assert "unsure so routed up to complex" in choice.describe()
    assert "6x" in choice.describe()


def test_configured_cost_overrides_the_artefact_and_a_sure_answer_keeps_its_label() -> None:
    unsure = (0.05, 0.55, 0.35, 0.05)
    picker = TierPicker(OneVectorEmbedder(), FixedClassifier(unsure), under_cost=1.0)
    assert picker.pick(request("x")).tier == "moderate"
    sure = TierPicker(OneVectorEmbedder(), FixedClassifier((0.01, 0.97, 0.01, 0.01)))
    choice = sure.pick(request("x"))
    assert choice.tier == "moderate" and not choice.routed_up
    assert "routed up" not in choice.describe()


def test_the_cache_embedding_is_reused() -> None:
    class Exploding(OneVectorEmbedder):
        def embed_one(self, text):
            raise AssertionError("embedded twice")

    picker = TierPicker(Exploding(), FixedClassifier((0.9, 0.1, 0.0, 0.0)))
    vector = np.zeros(2, np.float32)
    choice = picker.pick(request("hello"), vector)
    assert isinstance(choice, TierChoice) and choice.embedding is vector


def test_two_asks_override_routes_an_unsure_simple_two_asks_query_to_moderate() -> None:
    unsure_simple = (0.85, 0.13, 0.01, 0.01)  # simple at u 1
    two = "do you open on sundays, and is parking free?"
    on = TierPicker(OneVectorEmbedder(), FixedClassifier(unsure_simple), under_cost=1.0)
    choice = on.pick(request(two))
    assert choice.tier == "moderate" and choice.two_asks
    assert "two asks so routed up to moderate" in choice.describe()
    assert on.pick(request("do you open on sundays")).tier == "simple"
    off = TierPicker(OneVectorEmbedder(), FixedClassifier(unsure_simple), under_cost=1.0,
                     two_asks=False)
    assert off.pick(request(two)).tier == "simple"
    sure = TierPicker(OneVectorEmbedder(), FixedClassifier((0.95, 0.03, 0.01, 0.01)),
                      under_cost=1.0)
    assert sure.pick(request(two)).tier == "simple"
    long_two = two + " we are coming from a long way off with the whole family" * 3
    assert len(long_two.split()) > 30 and on.pick(request(long_two)).tier == "simple"


def test_classify_routed_applies_the_override_unless_told_not_to() -> None:
    import io
    import json

    from llm_router_local.cli.classify import classify_lines

    line = json.dumps({"query": "do you open on sundays, and is parking free?"}) + "\n"

    def routed(**kw: bool) -> str:
        out = io.StringIO()
        classify_lines(OneVectorEmbedder(), FixedClassifier((0.85, 0.13, 0.01, 0.01)),
                       io.StringIO(line), out, 1.0, **kw)
        return str(json.loads(out.getvalue())["label"])

    assert routed() == "moderate"
    assert routed(two_asks=False) == "simple"


def test_the_catalog_turns_the_override_on_by_default() -> None:
    from llm_router.catalog import RoutingConfig

    assert RoutingConfig().two_asks_override is True
    assert RoutingConfig(two_asks_override=False).two_asks_override is False
