"""Rule NW (session 36, ``cache.number_words``): in the hard check and the index's bulk
filter a number written in words reads as its digits where the other text writes that
amount in digits and not in words; it only ever lets a pair through
(docs/cache-history.md "Session 36: rule NW, numbers written as words")."""

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.number_words import (
    NUMBER_WORDS,
    digit_values,
    has_number_words,
    reconciled,
    value,
    word_values,
)
from llm_router.cache.pair_features import (
    NO_CODE,
    Vocabulary,
    normalise,
    number_codes,
    quantity_conflict,
)
from llm_router.cache.policy import MatchPolicy, verified_policy
from llm_router.cache.verifier import load_vocabulary
from llm_router.catalog import CacheConfig


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


# Refused as written, let through with NW: one amount written two ways.
RECONCILED = [
    ("Can you tune a 2-manual organ in 1 day?", "Can you tune a two-manual organ in one day?"),
    ("What is the square root of one hundred and forty four?", "sqrt of 144?"),
    ("Can we tune 2 organs in 1 day?", "Can we tune 2 organs in one day?"),
    ("is a 1-year warranty enough on a $300 phone",
     "is a one-year warranty enough on a three hundred dollar phone"),
]
# Refused as written and with NW.
REFUSED = [
    ("Can I return it within 1 day?", "Can I return it within two days?"),
    ("Is one of the 3 plans cheaper?", "Is one of the 4 plans cheaper?"),
    ("Which one of the 3 plans is cheapest?", "Which of the 5 plans is cheapest?"),
    ("Is 15 enough for a tip?", "Is fifty enough for a tip?"),
    ("What is 15 percent of 80?", "What is fifty per cent of eighty?"),
    ("Can you tune a 2-manual organ in 1 day?", "Can you tune a two-manual organ in two days?"),
    # the other text writes 1 in words as well as in digits: no rewriting
    ("1 room for one night at 7pm?", "one room for 2 nights at 7pm?"),
    # heldout96's paraphrase: the query names 15 % twice, the cached text once (the check
    # counts amounts; NW reads words as digits, and "fifteen" is read as 15 already)
    ("What is 15 percent of 80?",
     "If I take fifteen per cent off eighty, how much is the fifteen per cent?"),
]
# Let through as written, and so with NW (a number word never makes a refusal): here
# writing "one" as 1 alone would make the query's amounts differ from the cached ones.
LET_THROUGH = [
    # the check reads "fifteen" and "eighty" already, and "per cent" as "%"
    ("What is 15 percent of 80?", "What is fifteen per cent of eighty?"),
    ("Can I return 1 item after 30 days?", "Can I return one item after a month?"),
    ("Is one of my orders late?", "Is order 1 late?"),
]


@pytest.mark.parametrize(("a", "b"), RECONCILED)
def test_one_amount_in_digits_and_in_words_is_let_through(vocab: Vocabulary, a: str,
                                                          b: str) -> None:
    va, vb = vocab.view(a), vocab.view(b)
    assert quantity_conflict(va, vb) and quantity_conflict(vb, va)  # the shipped check
    assert not quantity_conflict(va, vb, words=(a, b))
    assert not quantity_conflict(vb, va, words=(b, a))


@pytest.mark.parametrize(("a", "b"), REFUSED)
def test_different_amounts_stay_refused(vocab: Vocabulary, a: str, b: str) -> None:
    va, vb = vocab.view(a), vocab.view(b)
    assert quantity_conflict(va, vb)
    assert quantity_conflict(va, vb, words=(a, b))
    assert quantity_conflict(vb, va, words=(b, a))


@pytest.mark.parametrize(("a", "b"), LET_THROUGH)
def test_a_number_word_never_makes_a_refusal(vocab: Vocabulary, a: str, b: str) -> None:
    va, vb = vocab.view(a), vocab.view(b)
    assert not quantity_conflict(va, vb)
    assert not quantity_conflict(va, vb, words=(a, b))


def test_the_number_words_and_their_values() -> None:
    found = [(m.group(0), value(m.group(0))) for m in NUMBER_WORDS.finditer(
        "one hundred and forty four, twelve hundred, two thousand and five, a million, "
        "forty-four, twenty one, a hundred, zero, nineteen, ninety")]
    assert found == [("one hundred and forty four", 144), ("twelve hundred", 1200),
                     ("two thousand and five", 2005), ("a million", 1_000_000),
                     ("forty-four", 44), ("twenty one", 21), ("a hundred", 100),
                     ("zero", 0), ("nineteen", 19), ("ninety", 90)]
    # no number inside a word, nor "a" alone, "half", "dozen", "twice", ordinals
    assert not has_number_words("someone often gave a half dozen twice, the first tone")
    assert word_values("two-manual, one day") == {1.0, 2.0}
    assert digit_values("$1,000 or 2.5 for a 2-manual, 20-20-20") == {1000.0, 2.5, 2.0, 20.0}


def test_a_word_is_written_in_digits_only_where_the_other_text_writes_them_alone() -> None:
    assert reconciled("in 1 day", "in one day") == ("in 1 day", "in 1 day")
    assert reconciled("15% of 80", "fifteen per cent of eighty") == (
        "15% of 80", "15 per cent of 80")
    assert reconciled("one of the plans", "which of the plans") is None  # no digit
    assert reconciled("one of the 3 plans", "which of the 3 plans") is None
    assert reconciled("1 day, one pass", "one day") is None  # 1 in words on both sides
    assert reconciled("in 2 days", "in one day") is None  # another amount


def test_the_codes_leave_a_text_with_a_number_word_to_the_check() -> None:
    """With the flag a text that writes a number in words (and a digit) is not read, so the
    index's bulk filter never leaves out a pair NW lets through; without words, or off,
    the codes are as written."""
    a, b = "Can we tune 2 organs in 1 day?", "Can we tune 2 organs in one day?"
    assert number_codes(a) != number_codes(b) and NO_CODE not in number_codes(b)[:1]
    assert number_codes(b, words=True) == (NO_CODE, NO_CODE)
    assert number_codes(a, words=True) == number_codes(a)
    assert has_number_words(normalise(b)) and not has_number_words(normalise(a))
    vector = np.zeros(4, np.float32)
    vector[0] = 1.0
    index = TenantIndex(dim=4)
    index.add(IndexRecord("e", "c", a, vector, 2**40, "J#e"))
    assert not index.nearest(vector, "c", 0, numbers=number_codes(b))
    assert [row for row, _ in index.nearest(vector, "c", 0, numbers=number_codes(b, words=True),
                                            words=True)] == [0]
    assert not index.nearest(vector, "c", 0, numbers=number_codes(b))  # off again
    other = "Can we tune 3 organs in 1 day?"  # no word: read, and left out
    assert not index.nearest(vector, "c", 0, numbers=number_codes(other, words=True),
                             words=True)


def test_the_flag_is_on_and_reaches_the_policy_and_the_check() -> None:
    assert CacheConfig().number_words is True  # rule NW's screen shipped it (session 36)
    assert MatchPolicy(0.5).number_words is False
    verifier = object()
    on = verified_policy(CacheConfig(number_words=True), 0.5, verifier, 0.9)  # type: ignore[arg-type]
    assert on.number_words and on._words("a", "b") == ("a", "b")
    off = verified_policy(CacheConfig(number_words=False), 0.5, verifier, 0.9)  # type: ignore[arg-type]
    assert not off.number_words and off._words("a", "b") is None
