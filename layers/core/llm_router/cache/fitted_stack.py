"""A fitted combination of the verifier's scores (pure): the cross-encoder's and the nets'
logits with a few cheap pair features, through one logistic regression.

``cross.json`` ``"combine": "fitted"`` selects it; its ``"stack"`` object holds the feature
names (``FEATURES``, in order), the weights, the bias, the operating point and where they
were fitted (``train/cache_verifier/stack_fit.py``, docs/cache-history.md "Session 11").
``"combine": "nets"`` keeps the unfitted sum (``cross.stack``) at ``cross.json``'s own
``threshold``. Every feature is one the lookup already has or gets in microseconds: the
cosine it passes the verifier, the word pieces the cross-encoder read of each side (at most
``max_side_tokens``; reaching it means the side was cut) and the texts' word overlap.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

from llm_router.errors import ConfigError

FEATURES = ("logit_cross", "logit_nets", "cosine", "log_pieces_cached", "log_pieces_query",
            "abs_log_ratio", "cut_cached", "cut_query", "word_jaccard")
_WORDS = re.compile(r"\w+")


def logit(p: float) -> float:
    """log(p / (1 - p)), p clipped to [1e-6, 1 - 1e-6]: the one logit of the verdicts
    (``cross.stack``'s sum, these features, ``MatchPolicy``'s rank margin)."""
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p) - math.log1p(-p)


def word_jaccard(cached: str, query: str) -> float:
    """Shared words over all words (lower case, ``\\w+`` runs); 0 for two wordless texts."""
    a, b = set(_WORDS.findall(cached.lower())), set(_WORDS.findall(query.lower()))
    return len(a & b) / max(len(a | b), 1)


def pair_row(p_cross: float, p_nets: float, cosine: float, pieces_cached: int,
             pieces_query: int, max_side: int, overlap: float) -> tuple[float, ...]:
    """The values of ``FEATURES`` for one pair, in order."""
    la, lb = math.log1p(pieces_cached), math.log1p(pieces_query)
    return (logit(p_cross), logit(p_nets), cosine, la, lb, abs(la - lb),
            float(pieces_cached >= max_side), float(pieces_query >= max_side), overlap)


@dataclass(frozen=True)
class FittedStack:
    weights: tuple[float, ...]  # one per ``FEATURES`` name, on the raw values
    bias: float
    threshold: float  # the operating point, a probability

    @classmethod
    def from_meta(cls, stack: Any) -> FittedStack:
        """Read ``cross.json``'s ``"stack"`` object; a missing or malformed field is a
        ``ConfigError`` naming it."""
        if not isinstance(stack, dict):
            raise ConfigError("cross.json combine 'fitted' needs a 'stack' object")
        if tuple(stack.get("features", ())) != FEATURES:
            raise ConfigError(f"cross.json stack.features must be {list(FEATURES)}, "
                              f"not {stack.get('features')!r}")
        weights, bias, threshold = stack.get("weights"), stack.get("bias"), stack.get("threshold")
        if not (isinstance(weights, list) and len(weights) == len(FEATURES)
                and all(_number(w) for w in weights)):
            raise ConfigError(f"cross.json stack.weights must be {len(FEATURES)} numbers")
        if not _number(bias):
            raise ConfigError("cross.json stack.bias must be a number")
        if not (_number(threshold) and 0.0 < threshold < 1.0):
            raise ConfigError("cross.json stack.threshold must be a probability in (0, 1)")
        return cls(tuple(float(w) for w in weights), float(bias), float(threshold))

    def probability(self, row: tuple[float, ...]) -> float:
        """The logistic of the weighted ``pair_row``."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, row, strict=True))
        return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))


def _number(value: Any) -> TypeGuard[float]:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
