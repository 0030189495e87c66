"""The keyword-and-length baseline: what a router without embeddings would ship.
It is measured beside the learned models so the improvement is a number, not a claim."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

_KEYWORDS: dict[int, re.Pattern[str]] = {
    # moderate: explanations and comparisons
    1: re.compile(
        r"\b(explain|difference|differ|compare|how does|how do|why|what happens)\b", re.I
    ),
    # complex: problems to investigate, and substantial writing or code
    2: re.compile(
        r"\b(refund|charged|twice|never|still|complaint|dispute|appeal|denied|error|crash|"
        r"broken|not working|fails?|failing|fix|debug|write|draft|implement|design|hacked|"
        r"fraud|scam|unacceptable)\b",
        re.I,
    ),
    # reasoning: arithmetic, planning, trade-offs
    3: re.compile(
        r"(\$|%|\bcheaper|\bcheapest|\bworth\b|\bshould (i|we)\b|\bwhich (is|one|plan|option)\b|"
        r"\bplan\b|\bcalculate|\bhow (much|many|long)\b|\bbreak[- ]even|\bvs\.?\b|\bor\b)",
        re.I,
    ),
}


def keyword_scores(texts: Sequence[str]) -> F32:
    """Per-tier scores: keyword hits plus a length prior (short leans simple)."""
    scores = np.zeros((len(texts), 4), dtype=np.float32)
    for i, text in enumerate(texts):
        words = len(text.split())
        scores[i, 0] = 1.5 if words <= 12 else 0.0
        scores[i, 1] = 0.5 if 8 <= words <= 30 else 0.0
        scores[i, 2] = 0.5 if words > 30 else 0.0
        for tier, pattern in _KEYWORDS.items():
            scores[i, tier] += min(len(pattern.findall(text)), 3)
    return scores
