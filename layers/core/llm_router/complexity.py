"""The tier of a request: embed its last user turn once, classify, and route to the tier
with the lowest expected error cost (up, when the classifier is unsure).

The embedding is returned with the choice so the semantic cache can reuse it: one
embedding per request serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from llm_router.catalog import Tier
from llm_router.classifier.runtime import ComplexityClassifier, load_classifier, routing
from llm_router.embedding.base import Embedder
from llm_router.schema import ChatRequest, UserMessage, text_of


@dataclass(frozen=True)
class TierChoice:
    tier: Tier  # where the request goes (the label, or stronger when unsure)
    label: str  # the classifier's most likely tier
    confidence: float  # its calibrated probability
    embedding: npt.NDArray[np.float32]
    under_cost: float = 1.0  # the decision's under- vs over-routing cost ratio
    two_asks: bool = False  # the two-asks override moved it from simple to moderate

    @property
    def routed_up(self) -> bool:
        return self.tier != self.label

    def describe(self) -> str:
        note = (
            f", two asks so routed up to {self.tier}"
            if self.two_asks
            else f", unsure so routed up to {self.tier} (under-routing costed "
            f"{self.under_cost:g}x over-routing)"
            if self.routed_up
            else ""
        )
        return f" (classifier: {self.label} at {self.confidence:.2f}{note})"


def query_text(request: ChatRequest) -> str:
    """The last user turn's text: what the classifier (and the semantic cache) look at."""
    for message in reversed(request.messages):
        if isinstance(message, UserMessage):
            return text_of(message.content)
    return ""


class TierPicker:
    def __init__(
        self,
        embedder: Embedder,
        classifier: ComplexityClassifier,
        *,
        under_cost: float | None = None,
        two_asks: bool = True,
    ):
        self.embedder = embedder
        self.classifier = classifier
        # The artefact recommends a cost ratio from its calibration; config may override
        # (``routing.under_routing_cost``).
        self.under_cost = classifier.under_cost if under_cost is None else under_cost
        # A simple decision on a two-asks text under p(simple) 0.90 goes to moderate
        # (``routing.two_asks_override``; docs/classifier.md#decision).
        self.two_asks = two_asks

    @classmethod
    def load(cls, directory: Path | None = None, *, under_cost: float | None = None,
             two_asks: bool = True) -> TierPicker:
        from llm_router.embedding.minilm import shared_embedder

        embedder = shared_embedder(directory)
        classifier = load_classifier(embedder_id=embedder.model_id)
        return cls(embedder, classifier, under_cost=under_cost, two_asks=two_asks)

    def pick(self, request: ChatRequest, embedding: npt.NDArray[np.float32] | None = None,
             *, text: str | None = None) -> TierChoice:
        """``embedding`` and ``text``: the last user turn's, when the request path already
        has them (the cache stage made the embedding)."""
        text = query_text(request) if text is None else text
        if embedding is None:
            embedding = self.embedder.embed_one(text)
        result = self.classifier.classify(text, embedding)
        # One decision gives both the plain tier and the routed one (``runtime.routing``).
        routed = routing(result, self.under_cost, text if self.two_asks else None)
        return TierChoice(routed.tier, result.label, result.confidence, embedding,
                          self.under_cost, two_asks=routed.two_asks)
