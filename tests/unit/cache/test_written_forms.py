"""Amounts as India, South Africa, Nigeria and the UK write them, powers, fractions,
dotted clock times and f-numbers: the hard check (``quantity_conflict``) reads each as
another writing of the same amount (``written_forms``), and still tells different ones
apart."""

import numpy as np
import pytest

from llm_router.cache.pair_features import Vocabulary, number_codes, quantity_conflict
from llm_router.cache.quantities import (
    Amount,
    amounts,
    currencies,
    ids,
    measures,
    other_readings,
    periods,
    ranks,
)
from llm_router.cache.stances import opposite_words
from llm_router.cache.synonyms import shared_synonyms
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


# Session 12: forms the hard check misread before (issue 13).
@pytest.mark.parametrize(("a", "b"), [
    # a share written as a per cent or as a fraction ("25%" / "a quarter"); a per cent
    # rounded to a tenth of a point is the fraction it rounds ("33.3%" / "a third")
    ("what is 25% of 80", "what is a quarter of 80"),
    ("what is 50% of 30", "what is half of 30"),
    ("is 50 percent off a good deal", "is half off a good deal"),
    ("what is 75% of 200", "what is three quarters of 200"),
    ("what is 33.3% of 90", "what is a third of 90"),
    ("what is 20 per cent of 45", "what is a fifth of 45"),
    ("what is 25% of 80", "what is 1/4 of 80"),
    ("is a 20% tip enough", "is a 20 percent tip enough"),
    ("is a 20 pct tip enough", "is a 20% tip enough"),
    ("is a 6pc pan set worth it", "is a 6 piece pan set worth it"),
    # a clock time with a dot and no am / pm, after "at", "by", "until"...
    ("does the bus leave at 7.15", "does the bus leave at 7:15"),
    ("does the bus leave at 7.15", "does the bus leave at 7.15am"),
    ("is the shop open until 9.30", "is the shop open until 21:30"),
    ("are they 4.50 each", "are they £4.50 each"),  # a price, as before
    # a whole f-number beside a focal length, after "at" or before "lens"
    ("is a 50mm f2 lens good for portraits", "is a 50mm f/2 lens good for portraits"),
    ("is f8 sharp", "is shooting at f/8 sharp"),
    # "R900" after a verb of paying, or before "a month" / "each"
    ("I paid R900 for the tyre", "I paid 900 rand for the tyre"),
    ("the room costs R3500 a month", "the room costs R3,500 per month"),
    ("we each pay R500 monthly", "we each pay 500 rand monthly"),
    # "Rand" as a name is no currency
    ("what was Ayn Rand's net worth in dollars",
     "what was the author of Atlas Shrugged worth in dollars"),
    ("who is Rand Paul and what does he think of the dollar",
     "what does Rand Paul think of the US dollar"),
])
def test_session_12_forms_agree(vocab: Vocabulary, a: str, b: str) -> None:
    assert not quantity_conflict(vocab.view(a), vocab.view(b))


@pytest.mark.parametrize(("a", "b"), [
    ("what is 25% of 80", "what is a third of 80"),
    ("what is 0.5% of 80", "what is 50% of 80"),
    ("what is 25% of 80", "what is 0.25% of 80"),
    ("what is 33% of 90", "what is a third of 90"),  # 29.7 or 30
    ("what is 0.01% of 90", "what is 0.02% of 90"),
    ("what is 0.00001% of 90", "what is 0.00002% of 90"),
    ("what is 0.5% of 80", "what is half of 80"),
    ("is 4.5pc interest good", "is 45pc interest good"),
    ("what is 50.1% of 90", "what is half of 90"),
    ("is 50 percent of the price fair", "is a quarter of the price fair"),
    ("does the bus leave at 7.15", "does the bus leave at 7.45"),
    ("does the bus leave at 7.15", "does the bus leave at 8:15"),
    ("are they 4.50 each", "are they 5.40 each"),
    ("is a 50mm f2 lens good for portraits", "is a 50mm f/1.8 lens good for portraits"),
    ("is shooting at f8 sharp", "is shooting at f11 sharp"),
    ("I paid R900 for the tyre", "I paid R1,200 for the tyre"),
    ("I paid R900 for the tyre", "I paid $900 for the tyre"),
    ("I paid R900 for the tyre", "I paid N900 for the tyre"),
    ("how much is 500 rand in dollars", "how much is 500 rand in euros"),
    ("convert pounds to rand", "convert pounds to dollars"),
])
def test_session_12_forms_still_conflict(vocab: Vocabulary, a: str, b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b))


@pytest.mark.parametrize("text", [
    "is the yamaha r15 worth it", "parts for my r15", "do n95 masks work", "an f1 visa",
    "an f22 pilot", "press f8 at startup", "the f2 visa", "an f150 truck",
])
def test_session_12_ids_stay_ids(text: str) -> None:
    assert ids(text, hard=True) and not amounts(text, hard=True)


def test_session_12_rand_is_money_only_beside_money() -> None:
    assert currencies("what did ayn rand believe") == frozenset()
    assert currencies("who is rand paul") == frozenset()
    assert currencies("is one million rand enough to retire") == frozenset({"zar"})
    assert currencies("the exchange rate from rand to pounds") == frozenset({"zar", "pound"})
    assert currencies("is the south african rand weak") == frozenset({"zar"})
    assert currencies("why is the rand falling") == frozenset({"zar"})


def test_session_12_readings() -> None:
    # a per cent is read as a share of one, as fractions are; "pc" also as pieces
    assert amounts("25% of 80", hard=True) == ((0.25, "pct"), (80.0, ""))
    assert amounts("a quarter of 80", hard=True) == ((0.25, ""), (80.0, ""))
    assert amounts("33.3% of 90", hard=True) == ((0.333333, "pct"), (90.0, ""))
    assert other_readings("a 6pc set") == (((6.0, "pcs"),),)
    # "at 7.15" is also read as a clock time, morning or evening
    assert ((435.0, "clock"),) in other_readings("leave at 7.15")
    assert ((1155.0, "clock"),) in other_readings("leave at 7.15")
    assert other_readings("at 33.20") == ()  # no hour 33
    # so the index's bulk filter reads a per cent and a fraction alike
    assert number_codes("what is 25% of 80") == number_codes("what is a quarter of 80")
    assert number_codes("leave at 7.15")[0] == 1  # TOLERANT: read two ways


# Session 12: misreads found on the committed sets (bench/amounts_diff.py's refusals).
@pytest.mark.parametrize(("a", "b"), [
    ("what's 5,000 PKR in GBP", "what's 5000 Pakistani rupees in British pounds"),
    ("my boiler pressure is at 0.5bar is that low", "my boiler pressure is at 0.5 bar is that low"),
    ("is the gas rate €0.12/kWh", "is the gas rate 12 euro cents per kwh"),
    ("how much is the deposit for a 2-bedroom", "deposit on the 2BR"),
    ("how should I care for 6-week-old puppies", "how should I care for 6-wk-old puppies"),
    ("is Mont Blanc about 4,800 m high", "is mont blanc around 4800 metres tall"),
    ("how many minutes are in 2.5 hours", "two and a half hours in minutes"),
    ("is 91 a prime number", "is ninety-one a prime number"),
    ("can twenty one people fit", "can 21 people fit"),
    ("what did banning 500,1000 rupee notes do", "what did banning 500 and 1000 rupee notes do"),
    # a whole hour after "at", "after", "before"... or before "o'clock": morning or evening
    ("is the dry cleaner open after 7pm", "is the dry cleaner open after 7"),
    ("can I book a table at eight", "can I book a table at 8 pm"),
    ("fix the projector before 2", "fix the projector before 2 pm"),
    ("do I need to book the 7am train", "do I need to book the seven o'clock train"),
    ("the power has been off since 6am", "the power has been off since 6 this morning"),
])
def test_session_12_misreads_agree(vocab: Vocabulary, a: str, b: str) -> None:
    assert not quantity_conflict(vocab.view(a), vocab.view(b))


@pytest.mark.parametrize(("a", "b"), [
    ("what's 5,000 PKR in GBP", "what's 5,000 INR in GBP"),
    ("my boiler pressure is at 0.5 bar", "my boiler pressure is at 1.5 bar"),
    ("my boiler pressure is at 2 bar", "my boiler pressure is at 2 psi"),
    ("how much is the deposit for a 2-bedroom", "deposit on the 3BR"),
    ("how should I care for 6-week-old puppies", "how should I care for 8-week-old puppies"),
    ("how should I care for 6-week-old puppies", "how should I care for 6-month-old puppies"),
    ("how many minutes are in 2.5 hours", "three and a half hours in minutes"),
    ("is 91 a prime number", "is ninety a prime number"),
    ("what did banning 500,1000 rupee notes do", "what did banning 5001000 rupee notes do"),
    ("is Rs.2,50,000 the limit", "is Rs.2,50,0000 the limit"),
    ("is the shop open after 7", "is the shop open after 8pm"),
    ("is the shop open after 7 days", "is the shop open after 7pm"),
    ("is it 4,800 m high", "is it 4,900 metres high"),
])
def test_session_12_misreads_still_conflict(vocab: Vocabulary, a: str, b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b))


def test_session_12_compounds_and_hours_that_stay_apart() -> None:
    assert ids("a 3-in-1 printer", hard=True) == frozenset({"3in1"})
    assert amounts("a 6-week-old puppy", hard=True) == ((42.0, "day"),)
    assert other_readings("is check-in at 3 pm") == ()  # a clock time as written
    assert other_readings("can you seat 6 at 7pm") == ()
    assert other_readings("can i leave after 7 days") == ()


# Session 13: answers asked in different units of one measure (``quantities.measures``).
@pytest.mark.parametrize(("a", "b"), [
    ("how many calories in a gram of fat", "how many kilojoules in a gram of fat"),
    ("how many kcal in 100 g of rice", "how many kJ in 100 g of rice"),
    ("is 2,000 kcal a day enough to lose weight", "is 2,000 kJ a day enough to lose weight"),
    ("How long is the Nile in miles?", "How long is the Nile in kilometres?"),
    ("What is the mileage allowance per km?", "What is the mileage allowance per mile?"),
    ("What is absolute zero in Celsius?", "What is absolute zero in Fahrenheit?"),
    ("is 40 degrees hot for a hike, Fahrenheit", "is 40 degrees hot for a hike, Celsius"),
    ("convert 30 celsius to fahrenheit", "convert 30 celsius to kelvin"),
    ("what's the speed limit on motorways in mph", "what's the speed limit on motorways in km/h"),
])
def test_different_units_asked_for_conflict(vocab: Vocabulary, a: str, b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b))
    assert quantity_conflict(vocab.view(b), vocab.view(a))


@pytest.mark.parametrize(("a", "b"), [
    ("how many calories in a banana", "how many kcal in a banana"),
    ("how many kJ in an apple", "how many kilojoules in an apple"),
    ("burn 300 calories on a bike", "burn 300 kcal on a bike"),
    ("how far is the moon in km", "how far away is the moon in kilometres"),
    ("How far is 1 AU in km?", "How far is one astronomical unit in kilometres?"),
    ("What is 100°F in °C?", "What is 100 degrees Fahrenheit in Celsius?"),
    ("What is 25 °C in Fahrenheit?", "convert 25C to F"),
    ("How fast is 100 km/h in mph?", "How fast is 100 kilometres per hour in miles per hour?"),
    ("what's the boiling point of water in Celsius?", "at what temperature in °C does water boil"),
    ("how long is a marathon in miles", "how long is a marathon in km or miles"),
    ("how long is a marathon in miles", "how long is a marathon"),  # one side: the verifier's
    ("convert 5 km to miles", "convert 5 kilometres to miles"),
    ("is a 5-mile run long", "is a five mile run long"),
])
def test_the_same_units_asked_for_agree(vocab: Vocabulary, a: str, b: str) -> None:
    assert not quantity_conflict(vocab.view(a), vocab.view(b))
    assert not quantity_conflict(vocab.view(b), vocab.view(a))


# Session 14: lengths, weights and volumes asked with no number, and the temperature
# scale as a letter ("25C", "in F").
@pytest.mark.parametrize(("a", "b"), [
    ("how long is a cricket pitch in metres", "how long is a cricket pitch in feet"),
    ("how much does a newborn elephant weigh in kg",
     "how much does a newborn elephant weigh in pounds"),
    ("what does a bathtub hold in litres", "what does a bathtub hold in gallons"),
    ("how thick is the ice sheet in mm", "how thick is the ice sheet in inches"),
    ("how many millilitres in a teaspoon", "how many fluid ounces in a teaspoon"),
    ("how many centilitres in a pint", "how many millilitres in a pint"),
    ("what is the oven temperature in C", "what is the oven temperature in F"),
    ("is 38C a fever", "is 38F a fever"),
])
def test_lengths_weights_volumes_and_scales_asked_for_conflict(vocab: Vocabulary, a: str,
                                                                b: str) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b))
    assert quantity_conflict(vocab.view(b), vocab.view(a))


@pytest.mark.parametrize(("a", "b"), [
    ("how long is a cricket pitch in metres", "how long is a cricket pitch in meters"),
    ("what does a bathtub hold in litres", "how many liters does a bathtub hold"),
    ("how heavy is a bowling ball in kg", "what does a bowling ball weigh in kilograms"),
    ("is 38C a fever", "is 38 °C a fever"),
    ("is 38C a fever", "is 38 degrees celsius a fever"),
    ("how do I write a loop in C", "how do I write a loop in F"),  # languages, no scale
])
def test_the_same_lengths_weights_volumes_and_scales_agree(vocab: Vocabulary, a: str,
                                                            b: str) -> None:
    assert not quantity_conflict(vocab.view(a), vocab.view(b))
    assert not quantity_conflict(vocab.view(b), vocab.view(a))


# Session 14: two file formats at the same place (``codes.other_codes``).
@pytest.mark.parametrize(("a", "b", "conflict"), [
    ("can the viewer open a pptx file", "can the viewer open a ppt file", True),
    ("can I export the invoice as PDF", "can I export the invoice as DOCX", True),
    ("does the importer take tsv", "does the importer take csv", True),
    ("can I upload a jpg", "can I upload a jpeg", False),  # one format, two extensions
    ("is the config in yml", "is the config in yaml", False),
    ("can I attach PDFs", "can I attach a PDF", False),
    ("convert json to csv", "convert csv to json", False),  # a direction: the verifier's
    ("can I upload a png", "can I upload a png or a gif", False),  # one side only
])
def test_different_file_formats_at_one_place_conflict(vocab: Vocabulary, a: str, b: str,
                                                      conflict: bool) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b)) is conflict
    assert quantity_conflict(vocab.view(b), vocab.view(a)) is conflict


def test_centilitres_and_decilitres_are_volumes() -> None:
    assert amounts("a 470 cl bottle", hard=True) == ((4700.0, "ml"),)
    assert amounts("a 50cl bottle", hard=True) == ((500.0, "ml"),)
    assert amounts("5 decilitres of milk", hard=True) == ((500.0, "ml"),)  # no 5 December
    assert amounts("2 deciliters", hard=True) == amounts("200 ml", hard=True)
    assert measures("how many cl in a pint") == {"volume:cl"}
    assert measures("a pint in decilitres") == {"volume:dl"}


# Session 22: a month is a month's full name or its usual abbreviation, nothing else; a
# word that only starts like one ("decimal", "marbles") was read as that month.
@pytest.mark.parametrize(("text", "read"), [
    ("round to 2 decimal places", ((2.0, ""),)),
    ("3 marbles", ((3.0, ""),)),
    ("4 junior rooms", ((4.0, ""),)),
    ("5 augmented chords", ((5.0, ""),)),
    ("2 mayors", ((2.0, ""),)),
    ("1 octave higher", ((1.0, ""),)),
    ("6 novels", ((6.0, ""),)),
    ("3 separate orders", ((3.0, ""),)),
    ("pi to 10 decimals", ((10.0, ""),)),
    ("it starts on marshmallow 6", ((6.0, ""),)),
])
def test_words_that_start_like_a_month_are_no_month(text: str, read: tuple) -> None:
    assert amounts(text, hard=True) == read
    assert amounts(text) == read


@pytest.mark.parametrize(("text", "date"), [
    ("dec 2", 1202.0), ("2 dec", 1202.0), ("december 2nd", 1202.0), ("dec. 2", 1202.0),
    ("the 3rd of march", 303.0), ("mar 3", 303.0), ("sept. 4", 904.0), ("sept 4", 904.0),
    ("sep 4", 904.0), ("4 september", 904.0), ("jan. 5", 105.0), ("on 4 july", 704.0),
    ("june 30th", 630.0), ("oct 31", 1031.0), ("nov 5th", 1105.0), ("21 aug", 821.0),
    ("14 feb", 214.0), ("apr 1", 401.0), ("jul 4", 704.0), ("jun 1", 601.0),
    # "may" a month beside a day only where it cannot be the verb (session 23): an
    # ordinal, "of", a year after, a word of time before, a stop after
    ("may 25th", 525.0), ("25 may", 525.0), ("the 25th of may", 525.0), ("25 of may", 525.0),
    ("on may 15", 515.0), ("by 25 may", 525.0), ("until may 3", 503.0), ("25 may?", 525.0),
    ("is it open may 25", 525.0),
])
def test_month_names_and_abbreviations_are_dates(text: str, date: float) -> None:
    assert amounts(text, hard=True) == ((date, "date"),)
    assert amounts(text) == ((date, "date"),)
    assert ranks(f"the {text}") == frozenset()  # a date's day is no position


@pytest.mark.parametrize(("text", "read"), [
    ("you may 2 decimal places", ((2.0, ""),)),
    ("the 3 may differ", ((3.0, ""),)),
    ("how many guests may 4 rooms hold", ((4.0, ""),)),
    ("12 may be too many", ((12.0, ""),)),
    ("may 25, 2024", ((525.0, "date"), (2024.0, ""))),  # a year after: the month
    ("25 may 2024", ((525.0, "date"), (2024.0, ""))),
])
def test_may_beside_a_number_is_the_verb_unless_it_cannot_be(text: str, read: tuple) -> None:
    assert amounts(text, hard=True) == read
    assert amounts(text) == read


def test_may_the_verb_is_no_date_in_the_check(vocab: Vocabulary) -> None:
    assert not quantity_conflict(vocab.view("how many guests may 4 rooms hold"),
                                 vocab.view("how many guests can 4 rooms hold"))
    assert quantity_conflict(vocab.view("is it open on may 2"),
                             vocab.view("is it open on may 3"))
    assert ranks("the 2nd may be late") == frozenset()  # an ordinal day: a date


@pytest.mark.parametrize(("text", "read"), [
    ("is there a team for under-14s", "under14s"),
    ("how do I file the w-2s for my staff", "w2s"),
])
def test_a_plural_s_after_a_hyphened_number_is_an_id_no_duration(text: str, read: str) -> None:
    # the amounts check reads the hyphened name whole (the respelling check reads the "s"
    # as a plural since session 24: tests/unit/cache/test_spelling.py)
    for hard in (False, True):
        assert amounts(text, hard=hard) == ()
        assert ids(text, hard=hard) == frozenset({read})


@pytest.mark.parametrize(("text", "read"), [
    ("what was life like in the 1990s", ((1990.0, ""),)),  # a decade
    ("how do i damp proof a 1930s house", ((1930.0, ""),)),
    ("how should i invest in my 20s", ((20.0, ""),)),  # an age
    ("we're a couple in our early 30s", ((30.0, ""),)),
    ("is the flu vaccine free for over 65s", ((65.0, ""),)),  # an age group
    ("can my son play in the under 10s", ((10.0, ""),)),
    # session 25's M5: a two-digit decade after "the", read as the check reads it without
    # the "s" (a bare one as its number, as "the 80's" and M4's "the late 80s"; one after
    # an apostrophe as a short year, as "the '90's": "'95" is 1995), and an age group
    # before a person (a noun of a short list: "a 30s clip" is no age)
    ("what music was popular in the 80s", ((80.0, ""),)),
    ("what was fashion like in the '90s", ((1990.0, ""),)),
    ("grunge in the late '90s", ((1990.0, ""),)),
    ("best cars of the 70s?", ((70.0, ""),)),
    ("dating advice for 20s women", ((20.0, ""),)),
    ("holidays for 30s couples", ((30.0, ""),)),
    # seconds: no decade nor age ("wait 10s", "a timeout of 30s", "a 30s clip": a duration
    # before a noun that is no person), a time limit after "the" ("the 30s timeout", "the
    # 10s delay": M5 leaves M4's reading there), a time after "in under", a name's plural
    # ("iPhone 6s": one digit, no decade)
    ("wait 10s before retrying", ((10 / 60, "minute"),)),
    ("set a timeout of 30s", ((0.5, "minute"),)),
    ("how do I trim a 30s clip", ((0.5, "minute"),)),
    ("why does the 30s timeout fire", ((0.5, "minute"),)),
    ("can I shorten the 10s delay", ((10 / 60, "minute"),)),
    ("my page loads in under 10s", ((10 / 60, "minute"),)),
    ("is the iphone 6s waterproof", ((0.1, "minute"),)),
])
def test_a_decade_or_an_age_is_no_duration_in_the_check(text: str,
                                                        read: tuple[Amount, ...]) -> None:
    # the hard check reads a decade's or an age's plural "s" as no second: the number
    # alone (session 24's M4); the verifier's features read seconds, as trained
    assert amounts(text, hard=True) == tuple((round(v, 6), f) for v, f in read)
    assert ids(text, hard=True) == frozenset()
    assert amounts(text)[0][1] == "minute"


def test_a_decade_or_an_age_against_its_paraphrase(vocab: Vocabulary) -> None:
    def conflict(a: str, b: str) -> bool:
        return quantity_conflict(vocab.view(a), vocab.view(b))

    # no refusal where the number is the same (session 24's M4)
    assert not conflict("is the flu vaccine free for over 65s",
                        "is the flu vaccine free for people over 65")
    assert not conflict("do under 10s travel free", "do children under 10 travel free")
    assert not conflict("what was life like in the 1990s", "what was life like in the nineties")
    # M5 (session 25): a bare two-digit decade after "the" is its number, as written with
    # "'s"; one after an apostrophe is the year, as "the 1990s"; an age group is its age
    assert not conflict("what music was popular in the 80s", "what music was popular in the 80's")
    assert not conflict("what was fashion like in the '90s", "what was fashion like in the 1990s")
    assert not conflict("dating advice for 20s women", "dating advice for women in their 20s")
    assert conflict("what music was popular in the 80s", "what music was popular in the 90s")
    assert conflict("dating advice for 20s women", "dating advice for 30s women")
    # left as they read: "the 80s" against "the 1980s" or "the '80s" (80 against 1980, as
    # "the 80's" and "the '80's" were before M5); a duration against its time in words
    assert conflict("what music was popular in the 80s", "what music was popular in the 1980s")
    assert not conflict("how do I trim a 30s clip", "how do I trim a 30 second clip")
    assert not conflict("why does the 30s timeout fire", "why does the 30 second timeout fire")
    # still refused: another decade, age group or model; seconds against seconds agree
    assert conflict("what was life like in the 1990s", "what was life like in the 1980s")
    assert conflict("do under 10s travel free", "do under 12s travel free")
    assert conflict("is the iPhone 6s waterproof", "is the iPhone 6 waterproof")
    assert not conflict("wait 10s before retrying", "wait 10 seconds before retrying")
    assert number_codes("the flu vaccine for over 65s") == number_codes(
        "the flu vaccine for people over 65")


def test_a_month_that_only_starts_a_word_is_no_date_in_the_check(vocab: Vocabulary) -> None:
    # a day against "decimal places": not two dates
    assert not quantity_conflict(vocab.view("how do I round to 2 decimal places in excel"),
                                 vocab.view("how do I round to 2 places in excel"))
    assert quantity_conflict(vocab.view("is it open on dec 2"),
                             vocab.view("is it open on dec 3"))
    assert quantity_conflict(vocab.view("is it open on 2 december"),
                             vocab.view("is it open on 2 november"))


def test_units_beside_a_number_are_amounts_not_asked_for() -> None:
    assert measures("what is 100 degrees fahrenheit in celsius") == {"temperature:celsius"}
    assert measures("a 5-mile run in 30 minutes") == frozenset()
    assert measures("how fast is 100 km/h in mph") == {"speed:mph"}
    assert measures("how many calories in a gram of fat") == {"energy:kcal"}
    assert amounts("500 calories or 500 kcal", hard=True) == ((500.0, "kcal"), (500.0, "kcal"))
    assert amounts("500 calories", hard=False) == ((500.0, ""),)  # the features' reading


# Session 15: a position against a count of one number (``quantities.ranks``).
@pytest.mark.parametrize(("a", "b", "conflict"), [
    ("which river is the 4th longest in Africa", "name the top 4 longest rivers in Africa", True),
    ("list the first six prime numbers", "what is the sixth prime number", True),
    ("show the last 3 entries in the log", "show the third to last entry in the log", True),
    ("who finished 2nd in the race", "who were the top two in the race", True),
    ("what are the 5 tallest buildings in Chicago", "what is the fifth tallest building in Chicago",
     True),
    ("what are the three largest lakes", "what is the third largest lake", True),
    ("which planet is 4th from the sun", "which planet is the fourth from the sun", False),
    ("the twenty-first amendment", "the 21st amendment", False),
    ("the top 4 longest rivers in Africa", "the four longest rivers in Africa", False),
    ("the penultimate episode of the series", "the second to last episode of the series", False),
    ("the episode before the finale", "the second-last episode", False),  # one side only
    ("how do I skip the header on row 2", "how do I skip the header on the second line", False),
    ("is a 30 second ad worth it", "is the first 30 seconds of an ad enough", False),
])
def test_a_position_and_a_count_of_one_number_conflict(vocab: Vocabulary, a: str, b: str,
                                                       conflict: bool) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b)) is conflict
    assert quantity_conflict(vocab.view(b), vocab.view(a)) is conflict


def test_ranks_read_positions_and_counts() -> None:
    assert ranks("the third highest score") == {"position:3"}
    assert ranks("the top ten scores") == {"count:10"}
    assert ranks("the bottom 2 teams and the 2nd from the bottom") == {"count:-2",
                                                                       "position:-2"}
    assert ranks("wait a second, per second, a 30 second clip") == frozenset()
    assert ranks("from first to last") == frozenset()  # a range, no position
    assert ranks("the second-last episode") == ranks("the penultimate one") == {"position:-2"}


# Session 15: one side of a thing against the other at the same place (``stances``).
@pytest.mark.parametrize(("a", "b", "conflict"), [
    ("give me arguments for school uniforms", "give me arguments against school uniforms", True),
    ("what are the advantages of a heat pump", "what are the disadvantages of a heat pump",
     True),
    ("list the upsides of remote work", "list the downsides of remote work", True),
    ("which parties support rent control", "which parties oppose rent control", True),
    ("the case in favour of a sugar tax", "the case against a sugar tax", True),
    ("which laptop has the best battery", "which laptop has the worst battery", True),
    ("what are the positive effects of caffeine", "what are the negative effects of caffeine",
     True),
    ("what are the benefits of fasting", "what are the advantages of fasting", False),
    ("reasons to vote against the bill", "reasons not to vote for the bill", False),  # negated
    ("a plan for rising rents", "a plan against rising rents", False),  # "for": a purpose
    ("is cycling good for your knees", "is cycling bad for your knees", False),
    ("pros and cons of leasing a car", "cons and pros of leasing a car", False),  # both sides
    ("pros and cons of leasing a car", "what are the cons of leasing a car", False),
    ("what are the risks of fasting", "is fasting safe", False),  # one side only
])
def test_opposite_sides_at_one_place_conflict(vocab: Vocabulary, a: str, b: str,
                                              conflict: bool) -> None:
    assert quantity_conflict(vocab.view(a), vocab.view(b)) is conflict
    assert quantity_conflict(vocab.view(b), vocab.view(a)) is conflict


# Session 24's W2: texts that differ in nothing but WordNet antonyms, where the synonym
# table is loaded (``stances.opposite_words``); heldout44-45's direction swaps.
@pytest.mark.parametrize(("a", "b", "conflict"), [
    ("my grandfather clock is running fast, how do I adjust the pendulum",
     "my grandfather clock is running slow, how do I adjust the pendulum", True),
    ("my crochet is too tight, what hook size should I use",
     "my crochet is too loose, what hook size should I use", True),
    ("can you make my ring bigger", "can you make my ring smaller", True),
    # "loosen" / "tighten", "lengthen" / "shorten", "widen" / "narrow", "northbound" /
    # "southbound" are no antonym pair of the table: left to the verifier.
    ("the upper tension is too tight, how do I loosen it",
     "the upper tension is too loose, how do I tighten it", False),
    ("how do I lengthen the stitch on my sewing machine",
     "how do I shorten the stitch on my sewing machine", False),
    ("how do I widen the gate", "how do I narrow the gate", False),
    ("when is the next northbound train", "when is the next southbound train", False),
    # a reworded paraphrase with an antonym among other changes: W2 does not fire
    ("what time does the park close", "until what hour does the park stay open", False),
    ("can you make the paddle longer", "can you cut my paddle shorter", False),
    ("is the train fast or slow", "is the train slow or fast", False),  # both named
    ("is the train fast", "is the train not slow", False),  # one negated: as a stance
    ("can I hire a bike in Oslo", "can I rent a bike in Oslo", False),  # a synonym swap
])
def test_only_opposite_words_conflict_with_the_table(vocab: Vocabulary, a: str, b: str,
                                                     conflict: bool) -> None:
    table = shared_synonyms()
    assert quantity_conflict(vocab.view(a), vocab.view(b), table) is conflict
    assert quantity_conflict(vocab.view(b), vocab.view(a), table) is conflict
    assert not quantity_conflict(vocab.view(a), vocab.view(b))  # no table, no antonyms


def test_opposite_words_name_every_pair(vocab: Vocabulary) -> None:
    a = vocab.view("is the water hot or cold at the top")
    b = vocab.view("is the water cold or hot at the bottom")
    assert opposite_words(a.words, b.words, shared_synonyms()) is None  # both named
    a, b = vocab.view("the clock runs fast"), vocab.view("the clock runs slow")
    assert opposite_words(a.words, b.words, shared_synonyms()) == [("fast", "slow")]
    assert shared_synonyms().bases("bigger") >= {"big"}
    assert "slow" in shared_synonyms().opposites["fast"]


def test_texts_too_long_to_align_compare_no_place(vocab: Vocabulary) -> None:
    # difflib's alignment is cubic on a text that repeats itself: 200 words at most.
    a, b = "the pros of xls " * 60, "the cons of xlsx " * 60
    assert not quantity_conflict(vocab.view(a), vocab.view(b))
    assert quantity_conflict(vocab.view(a[:400]), vocab.view(b[:420]))
