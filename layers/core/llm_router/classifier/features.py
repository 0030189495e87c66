"""Cheap text features that complement the embedding: MiniLM sees meaning, but barely
sees how long a message is or how many numbers and questions it carries."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
FEATURE_NAMES = (
    "log_chars",
    "log_words",
    "numbers",
    "questions",
    "sentences",
    "money_or_percent",
    "comparatives",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_MONEY = re.compile(r"[$€£¥%]|\b(?:usd|eur|gbp|percent|apr)\b", re.IGNORECASE)
_COMPARATIVE = re.compile(
    r"\b(?:or|vs\.?|versus|cheaper|cheapest|better|best|worth|should i|should we|which)\b",
    re.IGNORECASE,
)


def text_features(texts: Sequence[str]) -> F32:
    """One row of raw (unscaled) features per text; see ``FEATURE_NAMES``."""
    rows = np.empty((len(texts), len(FEATURE_NAMES)), dtype=np.float32)
    for i, text in enumerate(texts):
        rows[i] = (
            np.log1p(len(text)),
            np.log1p(len(text.split())),
            np.log1p(len(_NUMBER.findall(text))),
            min(text.count("?"), 5),
            np.log1p(len(_SENTENCE_END.findall(text))),
            np.log1p(len(_MONEY.findall(text))),
            np.log1p(len(_COMPARATIVE.findall(text))),
        )
    return rows


def design_matrix(embeddings: F32, features: F32, mean: F32, scale: F32, weight: float) -> F32:
    """Embedding columns, then standardised features times ``weight`` (0 drops them)."""
    if weight == 0.0:
        return np.asarray(embeddings, dtype=np.float32)
    standard = (features - mean) / scale
    return np.hstack([embeddings, np.float32(weight) * standard]).astype(np.float32)
