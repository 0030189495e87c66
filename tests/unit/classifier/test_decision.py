"""The cost-aware decision on hand-checked probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm_router.classifier.decision import (
    TWO_ASKS,
    TWO_ASKS_MAX_WORDS,
    at_most_words,
    cost_matrix,
    decide,
    expected_costs,
    two_asks_up,
)


def test_cost_matrix_charges_per_tier_of_distance() -> None:
    c = cost_matrix(4, under_cost=6.0, over_cost=1.0)
    assert c[3, 0] == 18.0  # three tiers too low
    assert c[0, 3] == 3.0  # three tiers too high
    assert np.all(np.diag(c) == 0)


def test_expected_cost_by_hand() -> None:
    probs = np.array([[0.0, 0.6, 0.4, 0.0]], dtype=np.float32)
    costs = expected_costs(probs, under_cost=3.0)
    # route moderate: 0.4 * 3 (complex one too low); route complex: 0.6 * 1
    np.testing.assert_allclose(costs[0, 1:3], [1.2, 0.6], rtol=1e-6)
    assert decide(probs, 3.0).tolist() == [2]


def test_equal_costs_pick_the_median_and_a_high_under_cost_routes_up() -> None:
    probs = np.array(
        [[0.9, 0.1, 0, 0], [0.5, 0.4, 0.1, 0], [0, 0, 0.2, 0.8], [0.1, 0.45, 0.4, 0.05]],
        dtype=np.float32,
    )
    assert decide(probs, 1.0).tolist() == [0, 1, 3, 1]
    assert decide(probs, 10.0).tolist() == [1, 2, 3, 2]


def test_a_sure_answer_is_kept_whatever_the_cost() -> None:
    sure = np.array([[0.0, 0.0, 1.0, 0.0]], dtype=np.float32)
    assert decide(sure, 100.0).tolist() == [2]


def test_negative_costs_are_refused() -> None:
    with pytest.raises(ValueError):
        cost_matrix(4, -1.0)


# simple, moderate, complex, reasoning; each routed simple at u 2.5 but the last
TA_PROBS = np.array([
    [0.85, 0.13, 0.01, 0.01],
    [0.85, 0.13, 0.01, 0.01],
    [0.95, 0.04, 0.005, 0.005],
    [0.10, 0.80, 0.05, 0.05],
], dtype=np.float32)


def test_two_asks_moves_only_an_unsure_simple_decision_on_a_two_asks_text() -> None:
    texts = ["do you open on sundays, and is parking free?",  # two asks, p(simple) 0.85
             "do you open on sundays",  # one ask
             "can I bring my dog or is it guide dogs only",  # two asks, but p(simple) 0.95
             "what's on tonight? and tomorrow?"]  # already moderate: kept
    routed = decide(TA_PROBS, 2.5)
    assert routed.tolist() == [0, 0, 0, 1]
    assert two_asks_up(routed, TA_PROBS, texts).tolist() == [1, 0, 0, 1]
    assert routed.tolist() == [0, 0, 0, 1]  # the input is not changed
    assert two_asks_up(routed, TA_PROBS, texts, below=0.99).tolist() == [1, 0, 1, 1]


def test_two_asks_leaves_a_text_over_the_word_ceiling_alone() -> None:
    """Rule TB (session 26): at most 30 words, by ``str.split()``, or no move."""
    assert TWO_ASKS_MAX_WORDS == 30
    ask = "do you open on sundays, and is parking free?"  # 9 words
    at = ask + " " + " ".join(["please"] * 21)  # 30 words
    over = at + " thanks"  # 31 words
    story = ("so my grandad passed last spring, and we are clearing out his shed, there is "
             "loads of old stuff in there and I was wondering whether any of it is worth "
             "anything at all really")
    texts = [ask, at, over, story]
    assert [len(t.split()) for t in texts] == [9, 30, 31, 35]
    probs = np.tile(TA_PROBS[0], (len(texts), 1))
    routed = np.zeros(len(texts), dtype=np.int64)
    assert all(TWO_ASKS.search(t) for t in texts)
    assert two_asks_up(routed, probs, texts).tolist() == [1, 1, 0, 0]


@given(st.text(alphabet=st.sampled_from(" \t\n\u00a0\u2003ab,?"), max_size=80),
       st.integers(min_value=0, max_value=12))
def test_at_most_words_counts_as_a_whole_split_does(text: str, limit: int) -> None:
    """The ceiling reads ``len(text.split()) <= limit`` without splitting a long text whole:
    the same answer for every text, leading, trailing and unicode white space included."""
    assert at_most_words(text, limit) == (len(text.split()) <= limit)


@pytest.mark.parametrize(("text", "two"), [
    ("is it open? is it free?", True),
    ("Do you provide wetsuits, and are they included in the price?", True),
    ("hgv wash price and do you do curtainsiders", True),
    ("fire pits allowed and BBQs on grass", False),
    ("coffee + cake deal", True),
    ("can I pay by card or is it cash only", True),
    ("do you sell bread and butter?", False),
    ("what time do you open", False),
    ("ARE TENTS ALLOWED?\nAND CAN WE PARK ON THE FIELD?", True),
])
def test_the_two_asks_expression(text: str, two: bool) -> None:
    assert bool(TWO_ASKS.search(text)) is two
