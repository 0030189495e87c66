"""The tier of a request: embed its last user turn once, classify, escalate if unsure.

The embedding is returned with the choice so the semantic cache can reuse it: one
embedding per request serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from llm_router.catalog import Tier
from llm_router.classifier.runtime import ComplexityClassifier, escalate, load_classifier
from llm_router.embedding.base import Embedder
from llm_router.schema import ChatRequest, UserMessage, text_of


@dataclass(frozen=True)
class TierChoice:
    tier: Tier  # where the request goes (label, or one stronger when unsure)
    label: str  # what the classifier said
    confidence: float
    embedding: npt.NDArray[np.float32]

    @property
    def escalated(self) -> bool:
        return self.tier != self.label

    def describe(self) -> str:
        note = f", unsure so escalated to {self.tier}" if self.escalated else ""
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
        min_confidence: float | None = None,
    ):
        self.embedder = embedder
        self.classifier = classifier
        # The artefact recommends a threshold from its calibration; config may override.
        self._min_confidence = (
            classifier.min_confidence if min_confidence is None else min_confidence
        )

    @classmethod
    def load(cls, directory: Path | None = None, *, min_confidence: float | None = None
             ) -> TierPicker:
        from llm_router.embedding.minilm import MiniLMEmbedder

        embedder = MiniLMEmbedder.load(directory)
        classifier = load_classifier(embedder_id=embedder.model_id)
        return cls(embedder, classifier, min_confidence=min_confidence)

    def pick(self, request: ChatRequest,
             embedding: npt.NDArray[np.float32] | None = None) -> TierChoice:
        """``embedding``: the last user turn's, when the cache stage already made it."""
        text = query_text(request)
        if embedding is None:
            embedding = self.embedder.embed_one(text)
        result = self.classifier.classify(text, embedding)
        tier = escalate(result, self._min_confidence)
        return TierChoice(tier, result.label, result.confidence, embedding)
