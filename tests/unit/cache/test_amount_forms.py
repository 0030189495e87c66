"""Session 31's candidate (``cache.amount_forms``, off): the hard check reads amounts
written other ways (``quantities.amount_forms``) as their other spelling, each a general
fact found in a paraphrase the check refused on a seen set; off, the check reads as before
(docs/cache-history.md "Session 31: the paraphrases the amounts check refuses")."""

from dataclasses import replace

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.pair_features import (
    NO_CODE,
    TOLERANT,
    Vocabulary,
    normalise,
    number_codes,
    quantity_conflict,
    with_forms,
)
from llm_router.cache.policy import MatchPolicy, verified_policy
from llm_router.cache.quantities import amount_forms, amounts, ids
from llm_router.cache.verifier import load_vocabulary
from llm_router.catalog import CacheConfig


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


# Each fact, a pair written as the seen sets' writers wrote it (refused off, read alike on).
SAME = [
    # a decimal glued to "t", a hyphenated "tonne", a "tonner": the number and "tonne"
    ("is the 3.5t box ok on a car licence?", "is the 3.5 tonne box ok on a car licence?"),
    ("how much for a 25 tonner for 2 days", "the price of a 25-tonne crane for two days"),
    # a clock hour "in the morning" / "in the afternoon" is am / pm
    ("Is the crane on site by 7am?", "Is the crane on site by 7 in the morning?"),
    ("is the class 10am or 11am", "is the class ten in the morning or eleven in the morning"),
    ("does the trip leave 10am or 2pm?",
     "does it leave at 10 in the morning or 2 in the afternoon?"),
    # a bare hour before a comma is still an hour
    ("we turnin up at 6, that ok?", "Would it be acceptable for us to arrive at 6am?"),
    # "2yo" is two years old
    ("my two-year-old wakes at 5am", "my 2yo wakes at 5am"),
    # the common slips of "percent"
    ("what is 15 percent of 240", "what is 15 prcent of 240"),
    ("a 15 percent tip", "a 15 precent tip"),
    # hours and minutes glued
    ("train 14:35 + 2h50 arrival?", "leaves at 14:35 and takes 2 hours 50 minutes, arrival?"),
    # a spelled decimal
    ("why is 0.1 + 0.2 not 0.3", "why is point one plus point two not zero point three"),
    # an equation's signs with or without spaces
    ("solve 3x+7=2x-5", "solve 3x + 7 = 2x - 5"),
    # British numbers: "two hundred and forty"
    ("what is 15 percent of 240?", "fifteen per cent of two hundred and forty?"),
    # "2 doz" and "2 dozen" are 24
    ("2 doz rolls", "2 dozen rolls"),
    ("24 cupcakes for Friday", "2 doz cupcakes for Friday"),
    # "3-pc" is "3pc": three pieces or 3 %
    ("alt. on a 3-pc suit, cost?", "alteration on a three-piece suit, cost?"),
    # a 24-hour time of four digits before a zone or "hours"
    ("ETA 0430 UTC, pls confirm", "estimated time of arrival 04:30 UTC, please confirm"),
]

# Different amounts so written still differ, on and off.
DIFFERENT = [
    ("is the 3.5t box ok", "is the 7.5 tonne box ok"),
    ("by 7 in the morning", "by 8am"),
    ("what is 15 precent of 240", "what is 25 percent of 240"),
    ("train 14:35 + 2h50 arrival?", "leaves at 14:35 and takes 2 hours 40 minutes, arrival?"),
    ("adding point one and point two", "adding 0.1 and 0.3"),
    ("solve 3x+7=2x-5", "solve 3x + 7 = 2x - 6"),
    ("2 doz rolls", "3 dozen rolls"),
    ("two hundred and forty", "two hundred and fifty"),
    ("ETA 0430 UTC", "ETA 05:30 UTC"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_each_form_reads_as_its_other_spelling_only_with_the_flag(
        vocab: Vocabulary, a: str, b: str) -> None:
    va, vb = vocab.view(a), vocab.view(b)
    assert quantity_conflict(va, vb)  # as before: refused
    assert not quantity_conflict(va, vb, texts=(a, b))
    assert not quantity_conflict(vb, va, texts=(b, a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_amounts_still_differ(vocab: Vocabulary, a: str, b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b), texts=(a, b))


def test_morning_and_evening_differ_with_the_flag(vocab: Vocabulary) -> None:
    texts = ("a session at 7 in the morning?", "a session at 7 in the evening?")
    a, b = vocab.view(texts[0]), vocab.view(texts[1])
    assert not quantity_conflict(a, b)  # off: both read 7, the verifier's call
    assert quantity_conflict(a, b, texts=texts)


@pytest.mark.parametrize("text", [
    "what is 15 percent of 240", "how do I reverse a list in Python?", "is the 7.5 t lorry free",
    "OnePlus 3T or 5T?", "at 4,500 feet", "a 3 tonne truck", "wait 10s", "at 6 pm, ok"])
def test_texts_without_a_form_read_as_before(vocab: Vocabulary, text: str) -> None:
    view = vocab.view(text)
    assert with_forms(view, text) is view


def test_whole_numbers_and_t_stay_ids() -> None:
    # a phone, a child's size: "t" is a tonne only after a decimal ("3.5t")
    assert amount_forms("oneplus 3t or 5t?") == "oneplus 3t or 5t?"
    assert ids(amount_forms("oneplus 3t"), hard=True) == frozenset({"3t"})
    assert amount_forms("at 4,500 feet") == "at 4,500 feet"  # a thousands comma


def test_the_rewritten_readings() -> None:
    assert amounts(amount_forms("is the 3.5t box ok"), hard=True) == ((3.5, ""),)
    assert amounts(amount_forms("by ten in the morning"), hard=True) == ((600.0, "clock"),)
    assert amounts(amount_forms("at 2:30 in the afternoon"), hard=True) == ((870.0, "clock"),)
    assert amounts(amount_forms("2h50"), hard=True) == ((50.0, "minute"), (120.0, "minute"))
    assert amounts(amount_forms("three point one four"), hard=True) == ((3.14, ""),)
    assert amounts(amount_forms("2 doz"), hard=True) == ((24.0, ""),)
    assert amounts(amount_forms("one hundred and eighty"), hard=True) == ((180.0, ""),)
    assert amounts(amount_forms("my 2yo"), hard=True) == ((2.0, "year"),)


def test_the_flag_is_off_and_reaches_the_policy() -> None:
    config = CacheConfig()
    assert config.amount_forms is False  # a candidate for session 32's rule
    assert MatchPolicy(0.5).amount_forms is False
    on = CacheConfig(amount_forms=True)
    verifier = object()
    policy = verified_policy(on, 0.5, verifier, 0.9)  # type: ignore[arg-type]
    assert policy.amount_forms
    # the index's bulk filter reads the forms too: on with the flag, as without it
    assert policy.filters_numbers
    assert verified_policy(config, 0.5, verifier, 0.9).filters_numbers  # type: ignore[arg-type]


def refuses(query: tuple[int, int], row: tuple[int, int]) -> bool:
    """``TenantIndex._refused``'s rule for two ``number_codes``, written out."""
    amounts_differ = (query[0] not in (NO_CODE, TOLERANT) and row[0] not in (NO_CODE, TOLERANT)
                      and query[0] != row[0])
    return amounts_differ or NO_CODE != query[1] != row[1] != NO_CODE


@pytest.mark.parametrize(("a", "b"), SAME + DIFFERENT)
def test_the_codes_read_the_forms_only_with_the_flag(vocab: Vocabulary, a: str, b: str) -> None:
    """On, the index's codes agree with the check as it reads the forms: different codes
    only where it refuses (and, as without the flag, only where both are read)."""
    on = number_codes(a, forms=True), number_codes(b, forms=True)
    if refuses(*on):
        assert quantity_conflict(vocab.view(a), vocab.view(b), texts=(a, b))
    if (a, b) in SAME:
        assert not refuses(*on) and not refuses(on[1], on[0])
    # off: as written, whatever the forms
    assert number_codes(a) == number_codes(a, forms=False)
    if any(c.isdigit() for c in a) and amount_forms(normalise(a)) == normalise(a):
        assert number_codes(a, forms=True) == number_codes(a)


def test_some_codes_differ_off_and_agree_on() -> None:
    for a, b in [("is the 3.5t box ok?", "is the 3.5 tonne box ok?"),
                 ("solve 3x+7=2x-5", "solve 3x + 7 = 2x - 5"),
                 ("ETA 0430 UTC, pls confirm", "estimated time of arrival 04:30 UTC, confirm"),
                 ("what is 15 percent of 240", "what is 15 prcent of 240")]:
        assert refuses(number_codes(b), number_codes(a)), (a, b)
        assert not refuses(number_codes(b, forms=True), number_codes(a, forms=True)), (a, b)


def test_the_index_filters_with_the_reading_it_is_asked_for() -> None:
    """A row left out as written is kept with the forms, and the index reads its rows
    afresh when a search asks for the other reading (the codes it holds are of one)."""
    cached, query = "is the 3.5t box ok on a licence?", "is the 3.5 tonne box ok on a licence?"
    vector = np.zeros(4, np.float32)
    vector[0] = 1.0
    index = TenantIndex(dim=4)
    index.add(IndexRecord("e", "c", cached, vector, 2**40, "J#e"))
    off = index.nearest(vector, "c", 0, numbers=number_codes(query))
    on = index.nearest(vector, "c", 0, numbers=number_codes(query, forms=True), forms=True)
    assert not off and [row for row, _ in on] == [0]
    assert not index.nearest(vector, "c", 0, numbers=number_codes(query))  # off again
    other = "is the 7.5 tonne box ok on a licence?"
    assert not index.nearest(vector, "c", 0, numbers=number_codes(other, forms=True), forms=True)


def test_a_search_with_the_flag_reads_the_forms_on_both_sides(monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """``search`` (through ``_candidates``) reads the query's codes and the rows' with the
    policy's ``amount_forms``."""
    import llm_router.cache.index as index_module
    read: list[tuple[str, bool]] = []
    monkeypatch.setattr(index_module, "number_codes",
                        lambda text, forms=False, words=False: read.append((text, forms))
                        or number_codes(text, forms, words))
    vector = np.zeros(4, np.float32)
    vector[0] = 1.0
    index = TenantIndex(dim=4)
    index.add(IndexRecord("e", "c", "is the 3.5t box ok?", vector, 2**40, "J#e"))
    for flag in (True, False):
        read.clear()
        policy = replace(MatchPolicy(0.5, True, object(), 0.9),  # type: ignore[arg-type]
                         amount_forms=flag)
        assert policy.filters_numbers
        rows, _ = index._candidates(vector, "c", 0, policy, "is the 3.5 tonne box ok?", 5)
        assert read == [("is the 3.5 tonne box ok?", flag), ("is the 3.5t box ok?", flag)]
        assert bool(rows) == flag


def test_long_texts_are_read_with_the_forms_and_not_kept(vocab: Vocabulary) -> None:
    """``with_forms`` keeps the reading of short texts only (``FORMS_TEXT_CHARS``); a long
    one is read the same way each time."""
    from llm_router.cache.pair_features import FORMS_TEXT_CHARS, _rewritten
    filler = "please read this carefully. " * (FORMS_TEXT_CHARS // 28 + 1)
    a, b = filler + "is the 3.5t box ok?", filler + "is the 3.5 tonne box ok?"
    assert len(a) > FORMS_TEXT_CHARS
    before = _rewritten.cache_info().currsize
    assert not quantity_conflict(vocab.view(a), vocab.view(b), texts=(a, b))
    assert quantity_conflict(vocab.view(a), vocab.view(b))
    assert _rewritten.cache_info().currsize == before
