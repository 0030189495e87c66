"""Amounts as India, South Africa, Nigeria and the UK write them, powers, fractions,
dotted clock times and f-numbers: the hard check (``quantity_conflict``) reads each as
another writing of the same amount (``written_forms``), and still tells different ones
apart."""

import numpy as np
import pytest

from llm_router.cache.pair_features import Vocabulary, number_codes, quantity_conflict
from llm_router.cache.quantities import amounts, currencies, ids, other_readings, periods
from llm_router.cache.verifier import load_vocabulary
from llm_router.cache.written_forms import currency_letters, rates, rewrite


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


@pytest.mark.parametrize(("a", "b"), [
    # currency letters before the number, with k / m suffixes and separators
    ("is R3.5m too much for a flat in Cape Town", "is R3,500,000 too much for a flat in Cape Town"),
    ("my rent went up to R9.8k", "my rent went up to R9,800"),
    ("I owe R7k on my card", "I owe R7,000 on my card"),
    ("a fine of R12500 a month", "a fine of R12,500 per month"),
    ("is R2.50 a good price per litre", "is 2.50 rand a good price per litre"),
    ("I was charged N15k for delivery", "I was charged N15,000 for delivery"),
    ("I was charged ₦15k for delivery", "I was charged 15000 naira for delivery"),
    ("is Rs 500 enough for a taxi", "is 500 rupees enough for a taxi"),
    ("is Rs.2,50,000 the limit", "is 250000 rupees the limit"),
    ("can I pay KSh 3,000 by M-Pesa", "can I pay 3000 kenyan shillings by M-Pesa"),
    # lakh and crore; "5L" beside a loan or a salary
    ("my salary is 12 lakh a year", "my salary is 1.2 million a year"),
    ("is 3 crore enough to retire", "is 30 million enough to retire"),
    ("my salary is 12L a year", "my salary is 12 lakh a year"),
    ("can I invest ₹8L in bonds", "can I invest 8 lakh rupees in bonds"),
    ("can I invest Rs 2cr in bonds", "can I invest 2 crore rupees in bonds"),
    ("do you sell 5L water jugs", "do you sell 5 litre water jugs"),
    # "pc" as per cent; "p/w", "p/m", "pcm", "pa" as rates
    ("is 4.5pc interest good", "is 4.5% interest good"),
    ("is 4.5pc interest good", "is 4.5 per cent interest good"),
    ("the room is £650 pcm", "the room is £650 per month"),
    ("the cleaner earns R900 p/w", "the cleaner earns R900 per week"),
    ("the loan is 6% pa", "the loan is 6% a year"),
    # a unit glued to a number with thousands separators
    ("is a 10,000mAh battery enough", "is a 10000 mAh battery enough"),
    # clock times with a dot
    ("does the shop open at 8.30am", "does the shop open at 08:30"),
    ("is the last train at 11.45pm", "is the last train at 23:45"),
    # f-numbers
    ("is an 85mm f/1.4 worth it", "is an 85 mm f1.4 worth it"),
    # powers
    ("what is 9 squared", "what is 9 to the power of 2"),
    ("what is 4 cubed", "what is 4^3"),
    ("what is 2 to the 8th power", "what is 2**8"),
    ("what is 5 raised to 4", "what is 5 to the power 4"),
    # simple fractions and their words
    ("what is 2/3 of 900", "what is two thirds of 900"),
    ("what is 1/5 of 250", "what is a fifth of 250"),
    ("what's 5/8 as a decimal", "what's five eighths as a decimal"),
    ("convert 3/8 into a decimal", "what is 3/8 as a decimal"),
    ("is 1/2 cup of sugar too much", "is half cup of sugar too much"),
])
def test_the_same_amount_written_another_way_agrees(vocab: Vocabulary, a: str, b: str) -> None:
    assert not quantity_conflict(vocab.view(a), vocab.view(b))


@pytest.mark.parametrize(("a", "b"), [
    ("my salary is 5 lakh a year", "my salary is 50 lakh a year"),
    ("can I deposit 2 lakh in cash", "can I deposit 2 crore in cash"),
    ("my salary is 12L a year", "my salary is 21L a year"),
    ("how do I carry 5 L of water", "how do I carry 5 lakh of water"),
    ("can I invest ₹8L in bonds", "can I invest 8 litres in bonds"),
    ("I owe R2k on my card", "I owe R20k on my card"),
    ("I owe R2k on my card", "I owe R2m on my card"),
    ("I owe R2k on my card", "I owe $2k on my card"),
    ("I owe R2k on my card", "I owe N2k on my card"),
    ("I owe R2,000 on my card", "I owe £2,000 on my card"),
    ("is Rs 500 enough for a taxi", "is 500 dollars enough for a taxi"),
    ("is 4.5pc interest good", "is 5.4pc interest good"),
    ("the cleaner earns R900 p/w", "the cleaner earns R900 p/m"),
    ("the cleaner earns R900 p/w", "the cleaner earns R900 per month"),
    ("is a 10,000mAh battery enough", "is a 20,000mAh battery enough"),
    ("is the bus at 7.15am", "is the bus at 7.45am"),
    ("is the bus at 7.15am", "is the bus at 7.15pm"),
    ("is an 85mm f/1.4 worth it", "is an 85mm f/1.8 worth it"),
    ("what is 9 squared", "what is 9 cubed"),
    ("what is 2 to the power of 10", "what is 2 to the power of 12"),
    ("what is 1/4 of 1 million", "what is 1/3 of 1 million"),
    ("what is a quarter of 80", "what is a third of 80"),
    ("what's 3/4 as a decimal", "what's two thirds as a decimal"),
])
def test_different_amounts_so_written_still_conflict(vocab: Vocabulary, a: str, b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b))


@pytest.mark.parametrize("text", [
    "do n95 masks work", "is the canon r5 good", "is cloudflare r2 cheap", "take the r14 north",
    "is r2-d2 a droid", "is the n3700 faster than the n3540", "a budget of inr 30-35k",
])
def test_a_letter_before_a_short_number_is_no_currency(text: str) -> None:
    assert currency_letters(text) == text


def test_ids_that_look_like_money_stay_ids(vocab: Vocabulary) -> None:
    assert quantity_conflict(vocab.view("do N95 masks work"), vocab.view("do KN95 masks work"))
    assert quantity_conflict(vocab.view("is the Canon R5 good"), vocab.view("is the Canon R6 good"))
    assert ids("do n95 masks work", hard=True) == frozenset({"n95"})


def test_amounts_read_in_the_base_unit() -> None:
    assert amounts("what is 20 lakh", hard=True) == ((2e6, ""),)
    assert amounts("send r2.5m", hard=True) == ((2.5e6, "zar"),)
    assert amounts("send rs.5l", hard=True) == ((5e5, "inr"),)
    assert amounts("what is 7 cubed", hard=True) == ((3.0, "power"), (7.0, ""))
    assert amounts("a quarter of 80", hard=True) == ((0.25, ""), (80.0, ""))
    assert amounts("at 7.15am", hard=True) == ((435.0, "clock"),)
    # the verifier's features were trained without these forms: unchanged
    assert amounts("what is 20 lakh") == ((20.0, ""),)


def test_a_glued_l_is_litres_or_lakh_a_spaced_one_litres() -> None:
    assert amounts("a 5l loan", hard=True) == ((5000.0, "ml"),)
    assert other_readings("a 5l loan") == (((5e5, ""),),)
    assert other_readings("5 l of water") == ()
    assert other_readings("rs 5l") == ()  # after a currency: lakh only
    # a bare "2m" and a glued "5L" are read apart and together
    assert len(other_readings("a 2m pipe and a 5l tank")) == 3


def test_a_text_read_two_ways_is_never_ruled_out_by_the_index() -> None:
    assert number_codes("my 5L loan")[0] == 1  # TOLERANT


def test_rates_and_currencies_written_short() -> None:
    assert rates("r900 p/w") == "r900  per week "
    assert rates("a pa system") == "a pa system"  # "pa" only after an amount
    assert periods("£650 pcm") == frozenset({"month"})
    assert currencies("i paid n64k") == frozenset({"ngn"})
    assert currencies("route n64 to lagos") == frozenset()


def test_dates_stay_dates() -> None:
    assert amounts("will it come by 1/4", hard=True) == ((104.0, "date"),)
    assert rewrite("a third party app") == "a third party app"
    assert rewrite("at a quarter past 3") == "at a quarter past 3"
