"""The cost-aware routing decision: from calibrated tier probabilities, the tier whose
expected error cost is lowest.

Sending a query one tier too low (under-routing) buys a bad answer; one tier too high
(over-routing) only buys a dearer one. With ``under_cost`` the price of each tier of
under-routing and ``over_cost`` that of each tier of over-routing, routing to tier ``r``
costs, in expectation over the true tier ``t``::

    E[r] = sum_t p(t) * (under_cost * max(t - r, 0) + over_cost * max(r - t, 0))

and the router picks the ``r`` with the smallest ``E[r]`` (ties go to the stronger
tier). With equal costs this is the median of ``p``; the larger ``under_cost`` is, the
sooner an unsure classifier routes up. Only the ratio matters.

Then one override, decided on unseen writers in session 25 (rule TA, docs/classifier.md)
and narrowed in session 26 (rule TB): a query routed simple whose text reads as two asks
(``TWO_ASKS``: two question marks, ", and ", "and" or "or" followed by a question word,
" + "), whose calibrated p(simple) is under ``TWO_ASKS_BELOW`` and whose text has at most
``TWO_ASKS_MAX_WORDS`` words (``len(text.split())``; TB: a long message's ", and" mostly
joins a story, not two asks) goes to moderate, the rubric's "two related intents". It
only ever routes up, and only from simple.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
DEFAULT_UNDER_ROUTING_COST = 6.0
SIMPLE, MODERATE = 0, 1  # indices in ``tiers.TIERS``
# Rule TA's expression, exactly as decided (Python re, searched anywhere in the text).
TWO_ASKS = re.compile(
    r"(\?.*\?)|(,\s*and\s)|(\band\s+(do|does|did|can|could|is|are|was|will|would|should|how|"
    r"what|where|when|which|who|if|also)\b)|(\s\+\s)|(\bor\s+(do|does|can|is|are|should|will)\b)",
    re.IGNORECASE | re.DOTALL,
)
TWO_ASKS_BELOW = 0.90
# Rule TB's word ceiling (session 26): longer texts are never moved.
TWO_ASKS_MAX_WORDS = 30


def cost_matrix(n_tiers: int, under_cost: float, over_cost: float = 1.0) -> F32:
    """``C[t, r]``: the cost of routing a query of true tier ``t`` to tier ``r``."""
    if under_cost < 0 or over_cost < 0:
        raise ValueError("routing costs must not be negative")
    t, r = np.meshgrid(np.arange(n_tiers), np.arange(n_tiers), indexing="ij")
    return (under_cost * np.maximum(t - r, 0) + over_cost * np.maximum(r - t, 0)).astype(
        np.float32
    )


def expected_costs(probs: F32, under_cost: float, over_cost: float = 1.0) -> F32:
    """One row per query: the expected cost of routing it to each tier."""
    probs = np.atleast_2d(probs)
    return (probs @ cost_matrix(probs.shape[1], under_cost, over_cost)).astype(np.float32)


def decide(probs: F32, under_cost: float, over_cost: float = 1.0) -> Labels:
    """The tier index to route each query to; ties go to the stronger tier."""
    costs = expected_costs(probs, under_cost, over_cost)
    # argmin over the reversed columns picks the highest index among equal minima.
    reversed_best = np.argmin(costs[:, ::-1], axis=1)
    return (costs.shape[1] - 1 - reversed_best).astype(np.int64)


def at_most_words(text: str, limit: int) -> bool:
    """``len(text.split()) <= limit``, without splitting past the ``limit + 1``-th word
    (a 1 MB prompt costs about 10 ms to split whole)."""
    return len(text.split(None, limit)) <= limit


def two_asks_up(routed: Labels, probs: F32, texts: Sequence[str],
                below: float = TWO_ASKS_BELOW) -> Labels:
    """Rules TA and TB: each query routed simple whose text matches ``TWO_ASKS``, whose
    p(simple) is under ``below`` and whose text has at most ``TWO_ASKS_MAX_WORDS`` words
    goes to moderate; every other decision is kept."""
    probs = np.atleast_2d(probs)
    out = np.array(routed, dtype=np.int64, copy=True)
    for i, text in enumerate(texts):
        if (out[i] == SIMPLE and probs[i, SIMPLE] < below
                and at_most_words(text, TWO_ASKS_MAX_WORDS) and TWO_ASKS.search(text)):
            out[i] = MODERATE
    return out
