"""Amounts, times, dates and ids in a question, normalised so that a change of format is
no change of value (pure; no I/O).

"$20,000", "20k dollars" and "20 thousand dollars" are one amount; "5 kg"/"5kg",
"2 GB"/"2048 MB", "1 Gbps"/"1000 Mbps", "30 min"/"half an hour", "50p"/"£0.50",
"3 PM"/"15:00", "12/24"/"December 24th", "'95"/"1995", "TLS v1.3"/"TLS 1.3" and
"18"/"eighteen" agree; "one" is no number ("one of my orders"). Each amount becomes a
(value, family) pair in its family's base unit (minutes, days, MB, Mbps, kg, the
currency's main unit); ``same_amounts`` compares two lists of them with a small relative
tolerance (1 GB is 1000 or 1024 MB, depending on who writes it).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from llm_router.cache.kept import KeptInBytes
from llm_router.cache.written_forms import currency_letters, rates, rewrite

Amount = tuple[float, str]  # (value in the family's base unit, family)

_SMALL = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "twice": 2, "dozen": 12, "half": 0.5,
}
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_WORDS = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")[\s-](" + "|".join(_UNITS_WORDS) + r")|("
    + "|".join(_SMALL) + r"))\b")
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
                "bn": 1e9, "billion": 1e9, "hundred": 1e2}
# Indian numbering, read by the hard check only ("20 lakh" = 2,000,000; "5 crore").
_HARD_MULTIPLIERS = {**_MULTIPLIERS, **dict.fromkeys(("lakh", "lakhs", "lac", "lacs"), 1e5),
                     **dict.fromkeys(("crore", "crores"), 1e7)}

# unit -> (family, factor to the family's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "$": ("usd", 1), "usd": ("usd", 1), "dollar": ("usd", 1), "dollars": ("usd", 1),
    "bucks": ("usd", 1), "cent": ("usd", 0.01), "cents": ("usd", 0.01),
    "€": ("eur", 1), "eur": ("eur", 1), "euro": ("eur", 1), "euros": ("eur", 1),
    "£": ("gbp", 1), "gbp": ("gbp", 1), "pound": ("gbp", 1), "pounds": ("gbp", 1),
    "p": ("gbp", 0.01), "pence": ("gbp", 0.01), "quid": ("gbp", 1),
    "kg": ("kg", 1), "kgs": ("kg", 1), "kilo": ("kg", 1), "kilos": ("kg", 1),
    "kilogram": ("kg", 1), "kilograms": ("kg", 1), "g": ("kg", 1e-3), "gram": ("kg", 1e-3),
    "grams": ("kg", 1e-3), "lb": ("lb", 1), "lbs": ("lb", 1),
    "km": ("km", 1), "mi": ("mile", 1), "mile": ("mile", 1), "miles": ("mile", 1),
    "inch": ("inch", 1), "inches": ("inch", 1), "in": ("inch", 1), '"': ("inch", 1),
    "kb": ("mb", 1 / 1024), "mb": ("mb", 1), "gb": ("mb", 1024), "tb": ("mb", 1024**2),
    "kbps": ("mbps", 1e-3), "mbps": ("mbps", 1), "gbps": ("mbps", 1e3),
    "%": ("pct", 1), "percent": ("pct", 1),
    "sec": ("minute", 1 / 60), "secs": ("minute", 1 / 60), "second": ("minute", 1 / 60),
    "seconds": ("minute", 1 / 60), "s": ("minute", 1 / 60),
    "min": ("minute", 1), "mins": ("minute", 1), "minute": ("minute", 1),
    "minutes": ("minute", 1), "h": ("minute", 60), "hr": ("minute", 60),
    "hrs": ("minute", 60), "hour": ("minute", 60), "hours": ("minute", 60),
    "day": ("day", 1), "days": ("day", 1), "week": ("day", 7), "weeks": ("day", 7),
    "month": ("month", 1), "months": ("month", 1), "yr": ("year", 1), "yrs": ("year", 1),
    "year": ("year", 1), "years": ("year", 1),
    "kwh": ("kwh", 1), "kw": ("kw", 1), "fps": ("fps", 1), "hz": ("hz", 1),
    "ghz": ("hz", 1e9), "mph": ("mph", 1), "c": ("", 1), "f": ("", 1),
}
# Currencies the hard check reads by name or sign, beyond ``_UNITS`` (``currencies``
# also reads these with no amount beside them: "what's 1 BTC worth in USD").
CURRENCY_WORDS: dict[str, tuple[str, ...]] = {
    "usd": ("us dollar", "us dollars"), "gbp": ("british pound", "british pounds", "sterling",
                                               "pounds sterling"),
    "cad": ("cad", "canadian dollar", "canadian dollars"),
    "aud": ("aud", "australian dollar", "australian dollars"),
    "jpy": ("¥", "yen", "jpy"), "cny": ("yuan", "rmb", "cny", "renminbi"),
    "inr": ("₹", "rupee", "rupees", "inr", "rs"), "mxn": ("peso", "pesos", "mxn"),
    # Other countries' rupees by name (read before "rupees": the longer name wins).
    "pkr": ("pkr", "pakistani rupee", "pakistani rupees"),
    "lkr": ("lkr", "sri lankan rupee", "sri lankan rupees"),
    "npr": ("npr", "nepalese rupee", "nepalese rupees", "nepali rupee", "nepali rupees"),
    "chf": ("franc", "francs", "chf"),
    "btc": ("btc", "bitcoin", "bitcoins"), "eth": ("eth", "ether"),
    # Dollars of other countries ("S$", "R$": ``_DOLLARS``); "real" is an English word.
    "sgd": ("sgd", "singapore dollar", "singapore dollars"),
    "hkd": ("hkd", "hong kong dollar", "hong kong dollars"),
    "nzd": ("nzd", "new zealand dollar", "new zealand dollars"),
    "brl": ("brl", "reais", "brazilian real", "brazilian reais"),
    # Written before the number too ("R2.5m", "N64k", "Rs 500", "KSh 1,000"):
    # ``written_forms.currency_letters``.
    "zar": ("zar", "rand", "rands", "south african rand"), "ngn": ("ngn", "naira"),
    "kes": ("kes", "ksh", "kenyan shilling", "kenyan shillings"),
}

# Units the hard check (``pair_features.quantity_conflict``) reads and the verifier's
# features do not: they were trained on ``_UNITS``, so these wait for a retraining to join
# it. Without them "10 gigabytes" is a bare 10 (not "10 GB") and "0.2mm" an id "2mm".
# Energy units by family and their spellings, one list for the amounts (``_HARD_UNITS``)
# and for the units a question asks its answer in (``_MEASURES``).
_ENERGY = {"kcal": "kcal|kcals|kilocalorie|kilocalories|calorie|calories",
           "kj": "kj|kilojoule|kilojoules"}
_HARD_UNITS: dict[str, tuple[str, float]] = {
    **_UNITS,
    **{w: ("mb", f) for f, names in ((1 / 1024, "kilobyte kilobytes"), (1, "megabyte megabytes"),
                                     (1024, "gigabyte gigabytes"),
                                     (1024**2, "terabyte terabytes")) for w in names.split()},
    **{w: ("mm", f) for f, names in (
        (1, "mm millimetre millimetres millimeter millimeters"),
        (10, "cm centimetre centimetres centimeter centimeters"),
        (1000, "metre metres meter meters")) for w in names.split()},
    **{w: ("mg", 1) for w in ("mg", "milligram", "milligrams")},
    **{w: ("ml", f) for f, names in ((1, "ml millilitre millilitres milliliter milliliters"),
                                     (10, "cl centilitre centilitres centiliter centiliters"),
                                     (100, "dl decilitre decilitres deciliter deciliters"),
                                     (1000, "l litre litres liter liters"))
       for w in names.split()},
    # Units of their own family (factor 1: a value stays comparable with the same number
    # written bare), so that "5 kg" / "5 oz" and "2 tablespoons" / "2 teaspoons" differ
    # by family (``same_units``).
    **{w: (names.split()[0], 1) for names in (
        "oz ounce ounces", "ft feet foot", "yd yard yards", "gal gallon gallons",
        "tsp teaspoon teaspoons", "tbsp tablespoon tablespoons", "cup cups",
        "therm therms", "knot knots", "stone stones", "km kms kilometre kilometres kilometer "
        "kilometers") for w in names.split()},
    **{w: (family, 1) for family, names in (
        ("celsius", ("°c", "celsius", "degrees celsius", "degrees c", "degree celsius")),
        ("fahrenheit", ("°f", "fahrenheit", "degrees fahrenheit", "degrees f")),
        ("kelvin", ("kelvin", "degrees kelvin"))) for w in names},
    # A scale letter glued to or after a number ("25C", "77 F"): the features read it as
    # no unit ("c" may be cents: "25c" and "25 cents" already differ in value here, 25 and
    # 0.25).
    "c": ("celsius", 1), "f": ("fahrenheit", 1),
    "wk": ("day", 7), "wks": ("day", 7),
    "gig": ("mb", 1024), "gigs": ("mb", 1024), "meg": ("mb", 1), "megs": ("mb", 1),
    # Areas, as ``_AREAS`` writes them ("50 m²" / "50 square metres").
    "sqm": ("m2", 1), "sqft": ("ft2", 1), "sqkm": ("km2", 1),
    **{w: ("mg", 1e-3) for w in ("mcg", "µg", "microgram", "micrograms")},
    # Bits: rates are written in bits, sizes in bytes ("100 megabits" / "100 megabytes").
    **{w: ("mbps", f) for f, names in ((1e-3, "kilobit kilobits"), (1, "megabit megabits"),
                                       (1e3, "gigabit gigabits")) for w in names.split()},
    # "pound" is money or weight: it agrees with either (``same_units``).
    "pound": ("gbp|lb", 1), "pounds": ("gbp|lb", 1),
    **{w: (currency, 1) for currency, words in CURRENCY_WORDS.items() for w in words},
    # "10k in cash", "10000 rupees" / "10k in India": "in" is no inch here ('65"' is).
    "in": ("", 1),
    # "100 mph" / "100 miles per hour" (the period is read apart: ``periods``).
    "mph": ("mph|mile", 1),
    # A per cent as a share of one ("25%" / "a quarter" / "1/4 of" / "0.25", "50 percent" /
    # "half"; "0.5%" / "half" differ; "33.3%" is a third: ``_snap_share``); "1.69pc" (UK
    # finance) is 1.69 %, "a 6pc set" six pieces: read both ways (``other_readings``).
    **dict.fromkeys(("%", "percent", "per cent", "pct", "pc"), ("pct", 0.01)),
    "mah": ("mah", 1), "wh": ("wh", 1),
    # Pressure ("0.5bar" / "0.5 bar"; "2 bar" / "2 psi" differ), cents of a euro
    # ("€0.12" / "12 euro cents"), rooms as listings write them ("2BR" / "2-bedroom",
    # "2 bed 1 bath").
    "bar": ("bar", 1), "psi": ("psi", 1), "atm": ("atm", 1),
    **dict.fromkeys(("euro cent", "euro cents", "eurocent", "eurocents"), ("eur", 0.01)),
    **dict.fromkeys(("br", "bdr", "bdrm", "bed", "beds", "bedroom", "bedrooms"), ("bedroom", 1)),
    **dict.fromkeys(("bath", "baths", "bathroom", "bathrooms"), ("bathroom", 1)),
    # What ``written_forms`` rewrites to: "f/1.8" -> "1.8 aperture", "7 cubed" -> "7 3 power".
    "aperture": ("aperture", 1), "power": ("power", 1),
    # Energy: food calories are kilocalories ("500 calories" / "500 kcal"); "2,000 kcal" /
    # "2,000 kJ" differ by family, as "5 oz" / "5 kg" do.
    **{w: (family, 1) for family, names in _ENERGY.items() for w in names.split("|")},
}
# Families whose amounts agree within 3 % (``same_amounts``).
APPROXIMATE = frozenset({"mb", "mbps"})


def _quantity_re(units: dict[str, tuple[str, float]], signs: str = "$€£",
                 multipliers: dict[str, float] = _MULTIPLIERS) -> re.Pattern[str]:
    unit_re = "|".join(sorted((re.escape(u) for u in units if u not in signs), key=len,
                              reverse=True))
    mult_re = "|".join(sorted(multipliers, key=len, reverse=True))
    return re.compile(
        rf"(?P<cur>[{signs}])?\s?(?P<num>\d[\d,]*(?:\.\d+)?)(?:st|nd|rd|th)?\s?-?"
        rf"(?:(?P<mult>{mult_re})(?![a-z0-9]))?\s?-?"
        rf"(?:(?P<unit>{unit_re})(?![a-z0-9]))?"
    )


_QUANTITY = _quantity_re(_UNITS)
_HARD_QUANTITY = _quantity_re(_HARD_UNITS, "$€£¥₹", _HARD_MULTIPLIERS)
# An id starts where its run of letters, digits and hyphens starts (not after "x-": from
# every hyphen of "6-6-6-..." the lookaheads scanned the rest of the run, quadratic: 1 s
# for 20,000 characters).
ID = re.compile(r"(?<![\w$€£])(?<![a-z0-9]-)#?(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])"
                r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_IDS = frozenset({"twofa"})

_MONTHS = {m: i + 1 for i, m in enumerate((
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
# A month is its full name or its usual abbreviation ("Sept" too), with or without a dot,
# and nothing else: a word that only starts like one is none ("round to 2 decimal places"
# is no Dec 2, "3 marbles" no Mar 3, "5 decilitres" no 5 December; session 22). Its first
# three letters name it in ``_MONTHS``. "may" is read apart (``_MAY_DAY``, ``_DAY_MAY``).
_MONTH_NAMES = ("january", "february", "march", "april", "june", "july", "august",
                "september", "october", "november", "december", "sept",
                *(m for m in _MONTHS if m != "may"))
_MONTH = rf"({'|'.join(sorted(dict.fromkeys(_MONTH_NAMES), key=len, reverse=True))})\.?(?![a-z])"
# "may" beside a day is the month only where it cannot be the verb ("you may 2 ...", "the
# 3 may differ" are no May 2, May 3; session 23): the day written as an ordinal ("May
# 25th", "the 25th of May"), "of" between them ("25 of May"), a year after the date ("May
# 25, 2024", "25 May 2024"), a word of time before it ("on May 15", "by 25 May": the
# training sets' only "May" beside a day is "close on May 15" / "on May 30") or nothing
# but a stop after it ("25 May?": the verb has a verb after it). The amounts check reads
# lower-cased text, so a capital says nothing here.
_MAY_BEFORE = r"(?:(on|by|until|till|from|since|before|after|through)\s+)?"
_MAY_DAY = re.compile(rf"\b{_MAY_BEFORE}may\.?\s+(\d{{1,2}})(st|nd|rd|th)?\b")
_DAY_MAY = re.compile(rf"\b{_MAY_BEFORE}(\d{{1,2}})(st|nd|rd|th)?\s+(of\s+)?may(?![a-z])")
_YEAR_AFTER = re.compile(r",?\s*(?:1[6-9]|20)\d\d\b|\s*(?:[.?!;:]|$)")  # or a stop
# A pattern that starts at a digit starts with it, and what may or may not stand before
# that digit is looked at behind it (``\d(?<=\b\d)``, ``\d(?<![\d.]\d)``): a pattern
# whose first item is a character class is searched for that class alone, where one that
# starts with ``\b`` or a look-behind is tried at every position of the text. The same
# matches (every text of the committed pairs and Quora's training pairs read alike); the
# hard check of a 20,000-character message ~40 % less CPU (docs/cache-history.md
# "Session 17").
_DATE_NUMERIC = re.compile(r"(\d(?<=\b\d)\d?)/(\d{1,2})(?:/\d{2,4})?\b")
_DATE_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_DATE_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}")
_CLOCK_12 = re.compile(r"(\d(?<=\b\d)\d?)(?::(\d\d))?\s?(am|pm|a\.m\.|p\.m\.)(?![a-z])")
_CLOCK_24 = re.compile(r"(\d(?<=\b\d)\d?):(\d\d)\b")
_SHORT_YEAR = re.compile(r"'(\d\d)\b")
_VERSION = re.compile(r"\bv(?=\d)")
_HALF = re.compile(r"\b(?:a\s+)?half\s+(?:an?\s+)?(hour|day|year|month)\b")
_AND_A_HALF = re.compile(r"\b(\d+|one|a|an)\s+and\s+a\s+half\b")
_FRACTIONAL = re.compile(r"(\d) (hundred|thousand|million)\b")


def amounts(lowered: str, hard: bool = False, lengths: bool = False, lakh: bool = False,
            clock: str = "", pieces: bool = False) -> tuple[Amount, ...]:
    """The amounts of a normalised (lower-case) text, sorted; ids are left to ``ids``.
    ``hard``: read the hard check's units and forms too (``_HARD_UNITS``,
    ``written_forms``). With ``hard``, ``lengths``: a bare "2m" / "5k" read as 2 metres /
    5 km, not 2 million / 5,000; ``lakh``: a glued "5L" as 5 lakh, not 5 litres;
    ``clock`` ("am" or "pm"): "at 7.15" as the clock time 7:15 or 19:15, not 7.15;
    ``pieces``: "6pc" as six pieces, not 6 % (``other_readings``)."""
    units, quantity, multipliers = ((_HARD_UNITS, _HARD_QUANTITY, _HARD_MULTIPLIERS) if hard
                                    else (_UNITS, _QUANTITY, _MULTIPLIERS))
    found: list[Amount] = []
    text = _hard_forms(lowered) if hard else _VERSION.sub("", lowered)
    if hard and lengths:
        text = _BARE_SHORT.sub(lambda m: f"{m.group(1)} {_LENGTH_OF[m.group(2)]}", text)
    if hard and lakh:
        text = _GLUED_L.sub(r"\1 lakh", text)
    if hard and pieces:
        units = _PIECE_UNITS
    text = _SHORT_YEAR.sub(_year, text)
    text = _dates(text, found)
    text = _clock(text, found)
    text = _AND_A_HALF.sub(lambda m: f" {_one(m.group(1)) + 0.5:g} ", text)
    text = _HALF.sub(lambda m: f" 0.5 {m.group(1)} ", text)
    text = _NUMBER_WORDS.sub(_number_word, text)
    if hard and clock:  # after the number words: "at eight"
        text = _BARE_CLOCK.sub(lambda m: _bare_clock(m, found, clock == "pm"), text)
    # "5 thousand": one space, read as a multiplier ("5thousand" would read "th" as "5th")
    text = _WORD_TIMES.sub(r"\1 \2", text) if hard else _FRACTIONAL.sub(r"\1\2", text)
    text = ID.sub(lambda m: m.group(0) if is_quantity(m.group(0), hard) else " ", text)
    for m in quantity.finditer(text):
        value = float(m.group("num").replace(",", ""))
        value *= multipliers.get(m.group("mult") or "", 1.0)
        family, factor = units.get(m.group("cur") or "") or units.get(
            m.group("unit") or "", ("", 1.0))
        value = round(value * factor, 8 if family == "pct" else 6)  # "0.00001%"
        found.append((_snap_share(value) if family == "pct" else value, family))
    return tuple(sorted(found))


def ids(lowered: str, hard: bool = False) -> frozenset[str]:
    """Order numbers, codes, SKUs: tokens mixing letters and digits that are no amount
    (``hard``: no amount in the hard check's units either)."""
    text = _hard_forms(lowered) if hard else _VERSION.sub("", lowered)
    return frozenset(m.replace("-", "").lstrip("#") for m in ID.findall(text)
                     if not is_quantity(m, hard)) - _NOT_IDS


def other_readings(lowered: str, as_written: tuple[Amount, ...] | None = None
                   ) -> tuple[tuple[Amount, ...], ...]:
    """The hard check's amounts read another way, where the text has a number so written:
    a bare "2m" as 2 metres and "5k" as 5 km (a "2m HDMI cable", a "5k run": no currency
    beside it), a glued "5L" as 5 lakh (an Indian "5L loan"; "5 L" stays litres), "at
    7.15" and "after 7" as 7:15 and 7:00 or 19:15 and 19:00 (no am / pm: a time, a price
    or a count), a "6pc" as six pieces (not 6 %); each alone, and all together where it
    has more than one (at most 7 readings; every combination would be 23);
    none where it has none ("$1M", "2 million", "Rs 5L", "at 7.15am", "at 7 pm").
    ``as_written``: ``amounts(lowered, hard=True)`` where the caller has read it already
    (read again here otherwise: ~5 ms of CPU at 20,000 characters)."""
    text = _hard_forms(lowered)
    ways: list[dict[str, Any]] = []
    if _BARE_SHORT.search(text):
        ways.append({"lengths": True})
    if _GLUED_L.search(text):
        ways.append({"lakh": True})
    if _PIECES.search(text):
        ways.append({"pieces": True})
    clocks = ([{"clock": "am"}, {"clock": "pm"}]
              if _BARE_CLOCK.search(_NUMBER_WORDS.sub(_number_word, text)) else [])
    together = {k: v for way in ways for k, v in way.items()}
    if len(ways) + bool(clocks) > 1:
        ways += [together | clock for clock in clocks] or [together]
    readings = {amounts(lowered, hard=True, **way): None for way in clocks + ways}
    if as_written is None:
        as_written = amounts(lowered, hard=True)
    readings.pop(as_written, None)  # "at 7.15am": read once, as written
    return tuple(readings)


# Forms the hard check reads apart (the verifier's features were trained without them):
# 5'10" (not a year '10), "24/7" (not a date: an idiom, no amount), "401(k)" = "401k".
_FEET_INCHES = re.compile(r"(\d(?<![\d']\d)\d?)'\s?(\d{1,2})(?:\"|'')?(?![\d'])")
_ALWAYS = re.compile(r"\b24\s?/\s?7\b")
_LETTER_IN_PARENS = re.compile(r"\b(\d+)\(([a-z])\)")


# "S$ 90" / "90 Singapore dollars", "R$ 2.000" / "2,000 reais": a letter before "$" names
# the country's dollar (read as "$", US dollars, before).
_DOLLARS = re.compile(r"\b(us|s|r|a|c|hk|nz)\$")
_DOLLAR_CODES = {"us": "usd", "s": "sgd", "r": "brl", "a": "aud", "c": "cad", "hk": "hkd",
                 "nz": "nzd"}
# "one million dollars" / "$1M", "a thousand" / "1,000" ("one" alone is no number).
_ONE_TIMES = re.compile(r"\b(?:one|a)\s+(hundred|thousand|million|billion)\b")
_WORD_TIMES = re.compile(r"(\d)\s+(hundred|thousand|million|billion)\b")
# "€1.000" / "1,000 EUR", "R$ 2.000,50": dots between groups of three digits are
# thousands where a currency is named beside the number, or where there are two of them.
_DOTTED = re.compile(r"(\d(?<![\d.,]\d)\d{0,2}(?:\.\d{3})+)(?:,(\d{1,2}))?(?![\d]|[.,]\d)")
# "105 x 105 cm" / "105cm by 105cm", "55x40x20cm": the unit after the last side is every
# side's. A chain starts where a number starts, and its unit is optional in the pattern
# (``_sides`` checks it): a chain with no unit after it is passed over once, where a
# failing pattern backtracked over every shorter chain from every digit in it (quadratic:
# 20,000 characters of "1 x 1 x ..." took 7 s, of digits 37 s).
_SIDES = re.compile(
    r"(\d(?<![\d.]\d)\d*(?:\.\d+)?(?:\s?(?:x|×|by)\s?\d+(?:\.\d+)?)+)(?:\s?(mm|cm|m|km|in|inch|"
    r"inches|ft|feet|foot|yd|yards?|metres?|meters?|centimet(?:re|er)s?|millimet(?:re|er)s?)"
    r"(?![a-z0-9]))?")
_SIDE = re.compile(r"\d+(?:\.\d+)?")
_AREAS = (
    (re.compile(r"(\d)(?:\s?(?:m²|sq\.?\s?m(?:etres?|eters?)?|square\s+met(?:re|er)s?)"
                r"(?![a-z0-9])|m2\b)"), r"\1 sqm "),
    (re.compile(r"(\d)(?:\s?(?:ft²|sq\.?\s?f(?:ee)?t|square\s+f(?:oo|ee)t)(?![a-z0-9])|ft2\b)"),
     r"\1 sqft "),
    (re.compile(r"(\d)(?:\s?(?:km²|sq\.?\s?km|square\s+kilomet(?:re|er)s?)(?![a-z0-9])|km2\b)"),
     r"\1 sqkm "),
)
# "WWII in 1942" / "World War 2 in 1942": the war's number is a name (an id: "ww2"), not
# an amount.
_WORLD_WAR = re.compile(r"\b(?:world\s+war|ww)\s?(\d+|iii|ii|i|one|two|three)\b")
_WAR_NUMBER = {"i": "1", "one": "1", "ii": "2", "two": "2", "iii": "3", "three": "3"}


# "6-week-old" / "6-wk-old", "a 30-day-long trial": a number and unit in a compound (read
# as one id before: "6weekold" / "6wkold"); "two and a half hours" / "2.5 hours" (the
# verifier's features read only "2 and a half").
_UNIT_IN_COMPOUND = re.compile(r"(\d)-?(" + "|".join(sorted(
    (re.escape(w) for w in _HARD_UNITS if w.isalpha() and len(w) > 1 and w != "in"),
    key=len, reverse=True))  # "a 3-in-1 printer" stays an id
    + r")-(?=[a-z])")
# "500,1000 rupee notes" / "500 and 1000": a comma before four digits or more separates
# numbers (thousands come in threes, "2,50,000" in twos; read as 5001000 before).
_LIST_COMMA = re.compile(r"(?<=\d),(?=\d{4})")
# "ninety-one" / "91" ("one" alone is no number; after a ten it is: the features read 90).
_TENS_AND_ONE = re.compile(r"\b(" + "|".join(_TENS) + r")[\s-]one\b")
_WORDS_AND_A_HALF = re.compile(r"\b(" + "|".join(
    w for w, n in _SMALL.items() if isinstance(n, int) and w not in ("zero", "twice", "dozen"))
    + r")\s+and\s+a\s+half\b")


# The hard check reads a text's forms three times (its amounts, ids and other readings),
# and a lookup reads the query's in ``number_codes`` and again in its view: the latest
# texts' forms are kept, the text and its forms counted (session 16 kept 256 texts, 4.8
# MB of 20,000-character messages; 1 MiB holds ~25 such messages or thousands of
# questions).
FORMS_BYTES = 2**20
_FORMS: KeptInBytes[str, str] = KeptInBytes(
    FORMS_BYTES, lambda lowered, forms: sys.getsizeof(lowered) + sys.getsizeof(forms))


def _hard_forms(lowered: str) -> str:
    """The forms the hard check reads, versions' "v" dropped ("v1.3": "1.3"), as
    ``amounts``, ``ids`` and ``other_readings`` read them; kept (``_FORMS``)."""
    found = _FORMS.get(lowered)
    return found if found is not None else _FORMS.put(lowered, _rewritten(lowered))


# An "s" glued to a number after a space (after a hyphen: session 24's M3 in ``spelling``;
# the amounts check reads "under-14s" as an id) is a plural, no second, where the number
# is a decade, a year ending in 0 ("the 1990s", "a 1930s house", "the 2030s-2040s"), or an
# age: after "my", "our", "your", "his", "her", "their", "early", "mid" or "late" ("in my
# 20s", "our early 30s"), or after "over" or "under" ("over 65s", "the under 10s"), not
# after "in over" / "in under" (a time: "in under 10s"). In the training sets (heldout9-11,
# 14-29, data/cache_verifier/train*) every "s" glued to a number after a space is a plural,
# mostly these, and every duration is written "N seconds" or "N s". Elsewhere a glued "s"
# stays seconds ("wait 10s", "a timeout of 30s", "the 30s timeout"), and so does a name's
# plural ("iPhone 6s", "502s", "1099s": read as seconds they still differ from "iPhone 6",
# "502"). The hard check reads a plural as its number alone ("over 65s" / "people over 65",
# "the 1990s" / "in 1990" agree; "under 10s" / "under 12s" differ), the respelling check
# its "s" as a word (``spelling.tokens``); session 24's M4. The verifier's features read
# seconds, as they were trained.
_GLUED_S = re.compile(r"\d(?<![\w.,'-]\d)\d*s\b", re.I)
_DECADE = re.compile(r"(?:1\d\d|20\d)0")
_AGE_BEFORE = re.compile(r"(?:\b(?:my|our|your|his|her|their|early|mid|late)"
                         r"|(?<!\bin\s)\b(?:over|under))\s+$", re.I)
# Session 25's M5: likewise a two-digit decade after "the" (an "early", "mid" or "late"
# between), with or without an apostrophe before it ("the 80s", "the '90s", "the late
# '70s"), unless a time limit follows ("the 30s timeout", "the 10s delay": M4's seconds),
# and an age group before a person ("20s women", "30s couples", "all beautiful 20s
# women"); not a duration before anything else ("a 30s clip"). The hard check reads the
# number as it reads it without the "s": "the 80s" 80 (as "the 80's", "the late 80s"),
# "the '90s" 1990 (a short year, as "the '90's" and "the 1990s").
_THE_DECADE = re.compile(
    r"\bthe\s+(?:(?:early|mid|late)\s+)?'?\d0(s)\b(?!\s*-?\s*(?:time-?outs?|delays?|"
    r"intervals?|timers?|countdowns?|cooldowns?|limits?|waits?|pauses?|windows?)\b)", re.I)
_AGE_GROUP = re.compile(
    r"(?<![\w.,'-])[1-9]0(s)\s+(?:wom[ae]n|m[ae]n|guys?|girls?|boys?|lad(?:y|ies)|gentlemen|"
    r"couples?|singles?|people|persons?|folks|adults?|females?|males?|parents|moms|mums|"
    r"dads|professionals|students)\b", re.I)


def plural_s(text: str) -> list[int]:
    """Where in ``text`` (any case) an "s" glued to a number is a plural, no second: the
    offsets of those "s", in order (M4: a decade or an age; M5: a two-digit decade after
    "the", an age group before a person; as above)."""
    found = {m.end() - 1 for m in _GLUED_S.finditer(text)
             if _DECADE.fullmatch(text, m.start(), m.end() - 1)
             or _AGE_BEFORE.search(text, max(0, m.start() - 24), m.start())}
    if "0s" in text or "0S" in text:  # M5's numbers end in 0: most texts need no search
        found.update(m.start(1) for pattern in (_THE_DECADE, _AGE_GROUP)
                     for m in pattern.finditer(text))
    return sorted(found)


def _without_plural_s(lowered: str) -> str:
    """``lowered`` with each plural "s" of ``plural_s`` dropped ("the 1990s": "the 1990")."""
    for k in reversed(plural_s(lowered)):
        lowered = lowered[:k] + lowered[k + 1:]
    return lowered


def _rewritten(lowered: str) -> str:
    lowered = _without_plural_s(lowered)
    text = _UNIT_IN_COMPOUND.sub(r"\1 \2 ", rewrite(_LIST_COMMA.sub(", ", lowered)))
    text = _TENS_AND_ONE.sub(lambda m: f" {_SMALL[m.group(1)] + 1} ", _compound_ordinals(text))
    text = _WORDS_AND_A_HALF.sub(lambda m: f" {_SMALL[m.group(1)] + 0.5:g} ", text)
    text = _FEET_INCHES.sub(r" \1 ft \2 inch ", text)
    text = _LETTER_IN_PARENS.sub(r"\1\2", _ALWAYS.sub(" always ", text))
    text = _WORLD_WAR.sub(lambda m: f" ww{_WAR_NUMBER.get(m.group(1), m.group(1))} ", text)
    text = _DOLLARS.sub(lambda m: f" {_DOLLAR_CODES[m.group(1)]} ", text)
    text = _DOTTED.sub(lambda m: _thousands(m, text), text)
    text = _ONE_TIMES.sub(r"1 \1", text)
    for pattern, repl in _AREAS:
        text = pattern.sub(repl, text)
    return _VERSION.sub("", _SIDES.sub(_sides, text))


def _sides(m: re.Match[str]) -> str:
    if m.group(2) is None:
        return m.group(0)
    return " by ".join(f"{side} {m.group(2)}" for side in _SIDE.findall(m.group(1)))


def _thousands(m: re.Match[str], text: str) -> str:
    number = m.group(1)
    beside = text[max(0, m.start() - 6):m.start()] + " " + text[m.end():m.end() + 20]
    if number.count(".") < 2 and not _CURRENCY.search(beside):
        return m.group(0)
    return number.replace(".", "") + (f".{m.group(2)}" if m.group(2) else "")


def same_amounts(a: tuple[Amount, ...], b: tuple[Amount, ...]) -> bool:
    """Equal values (units are not compared: "30 days" and "30-day", "$5" and "5"
    agree); data sizes and rates within 3 % (1 GB is 1000 or 1024 MB)."""
    if len(a) != len(b):
        return False
    return all(x == y or (fx in APPROXIMATE and fy in APPROXIMATE
                          and abs(x - y) <= 0.03 * max(abs(x), abs(y)))
               for (x, fx), (y, fy) in zip(sorted(a), sorted(b), strict=True))


# Units a question may want its answer in, by what they measure. A unit with no number
# before it is asked for ("how many calories in a gram of fat", "the Nile in miles",
# "absolute zero in Celsius", "the charge per km"); one after a number is an amount's
# (``amounts``). Each unit's spellings are one ("kcal" / "calories", "km" / "kilometres",
# "°C" / "celsius"); speeds are read before the distances in them. Lengths, weights and
# volumes too ("the tower in metres" / "in feet", "per kg" / "per lb", "in litres" / "in
# gallons"; "pounds" is weight here: a currency is ``currencies``'); not "ft" (featuring),
# "gal", "m", "g", "l" (no unit alone).
_MEASURES: dict[str, tuple[str, str]] = {
    written: (measure, unit) for measure, unit, spellings in (
        ("speed", "mph", "mph|miles per hour|miles an hour|mi/h"),
        ("speed", "km/h", "km/h|kmh|kph|kmph|km per hour|km an hour|kms per hour|"
                          "kilometres per hour|kilometers per hour|kilometre per hour|"
                          "kilometer per hour|kilometres an hour|kilometers an hour"),
        ("energy", "kcal", _ENERGY["kcal"]),
        ("energy", "kj", _ENERGY["kj"]),
        ("temperature", "celsius", "°c|° c|celsius|centigrade"),
        ("temperature", "fahrenheit", "°f|° f|fahrenheit"),
        ("temperature", "kelvin", "kelvin"),
        ("distance", "km", "km|kms|kilometre|kilometres|kilometer|kilometers"),
        ("distance", "mile", "mile|miles"),
        ("distance", "metre", "metre|metres|meter|meters"),
        ("distance", "cm", "cm|centimetre|centimetres|centimeter|centimeters"),
        ("distance", "mm", "mm|millimetre|millimetres|millimeter|millimeters"),
        ("distance", "foot", "feet|foot"),
        ("distance", "inch", "inch|inches"),
        ("distance", "yard", "yard|yards"),
        ("weight", "kg", "kg|kgs|kilo|kilos|kilogram|kilograms"),
        ("weight", "g", "gram|grams"),
        ("weight", "lb", "lb|lbs|pound|pounds"),
        ("weight", "oz", "oz|ounce|ounces"),
        ("weight", "stone", "stone|stones"),
        ("volume", "litre", "litre|litres|liter|liters"),
        ("volume", "ml", "ml|millilitre|millilitres|milliliter|milliliters"),
        ("volume", "cl", "cl|centilitre|centilitres|centiliter|centiliters"),
        ("volume", "dl", "dl|decilitre|decilitres|deciliter|deciliters"),
        ("volume", "gallon", "gallon|gallons"),
        ("volume", "floz", "fl oz|fluid ounce|fluid ounces"),
    ) for written in spellings.split("|")}
_MEASURE = re.compile(r"(?<![a-z0-9])(" + "|".join(
    re.escape(w) for w in sorted(_MEASURES, key=len, reverse=True)) + r")(?![a-z0-9])")
# What comes just before a unit that belongs to an amount: a number, in digits or words,
# and perhaps "degrees", "°" or a hyphen ("25 °C", "100 degrees Fahrenheit", "a 5-mile run").
_AMOUNT_BEFORE = re.compile(r"(?:\d|\b(?:" + "|".join((*_SMALL, "hundred", "thousand",
                                                          "million", "a", "an", "one"))
                            + r"))\s*-?\s*(?:degrees?\s*)?$")


def measures(lowered: str) -> frozenset[str]:
    """The units a normalised text asks its answer in, as "measure:unit" ("how many
    kilojoules in a gram of fat": energy:kj; "convert 30 celsius to fahrenheit":
    temperature:fahrenheit; "how fast is 100 km/h in mph": speed:mph)."""
    found = set()
    for m in _MEASURE.finditer(lowered):
        if not _AMOUNT_BEFORE.search(lowered[max(0, m.start() - 24):m.start()]):
            found.add("{}:{}".format(*_MEASURES[m.group(1)]))
    letters = _SCALE_LETTER.findall(lowered)
    if letters and _ABOUT_TEMPERATURE.search(lowered):
        found.update(f"temperature:{_SCALES[letter]}" for letter in letters)
    return frozenset(found)


# A bare scale letter asked for ("convert 25C to F", "what is 300 K in C"), read only in
# a text about temperature: "an array in C" names a language.
_SCALES = {"c": "celsius", "f": "fahrenheit", "k": "kelvin"}
_SCALE_LETTER = re.compile(r"\b(?:in|to|into)\s+°?\s?([cfk])(?![\w#+])")
_ABOUT_TEMPERATURE = re.compile(
    r"°|\bdegrees?\b|\btemperatures?\b|\bcelsius\b|\bfahrenheit\b|\bkelvin\b|\d\s?[cf]\b")


def same_measures(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts' ``measures`` agree: for every measure both ask in, some unit is the
    same ("in miles" / "in km or miles" agree; "in miles" / "in kilometres", "calories" /
    "kilojoules" do not); a measure asked on one side only is left to the verifier."""
    mine: dict[str, set[str]] = {}
    theirs: dict[str, set[str]] = {}
    for found, into in ((a, mine), (b, theirs)):
        for item in found:
            measure, unit = item.split(":", 1)
            into.setdefault(measure, set()).add(unit)
    return all(mine[m] & theirs[m] for m in mine.keys() & theirs.keys())


# What a text picks from an ordered list: a position ("3rd", "third", "second to last")
# or a count ("top 3", "first five", "last 2", "the 3 largest"). "The 3rd highest" and
# "the top 3" name one number and ask different things; the amounts read both as 3.
_ORDINAL_WORDS = {
    **{w: n for n, w in enumerate((
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth"), 1)},
    **{f"{w}th": n for w, n in _SMALL.items() if w.endswith("teen")},
    **{f"{w[:-1]}ieth": _SMALL[w] for w in _TENS}, "hundredth": 100,
}
_ORDINAL_WORD = "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))
_COMPOUND_ORDINAL = re.compile(rf"\b({'|'.join(_TENS)})[\s-]({_ORDINAL_WORD})\b")
_ORDINAL = rf"(?:(\d+)(?:st|nd|rd|th)|({_ORDINAL_WORD}))"
# Counted from the end: "second to last", "2nd from the bottom", "penultimate", "last but one".
_FROM_END = re.compile(
    rf"\b{_ORDINAL}[\s-]+(?:(?:to|from)\s+)?(?:the\s+)?(?:last|end|bottom)\b"
    r"|\b(next\s+to\s+last|penultimate|last\s+but\s+one)\b|\b(antepenultimate)\b")
# A count picks its number of items from one end ("last 2", "bottom 3": from the end) or
# by a superlative after it ("the 3 largest", "5 most").
_COUNT = re.compile(r"\b(top|first|next|past|previous|last|bottom|final)\s+(\d+)"
                    r"(?![\d.,]|st|nd|rd|th)|\b(\d+)\s+(?:most|least|best|worst|[a-z]{2,}est)\b")
_FROM_THE_END = ("last", "bottom", "final")
# An ordinal word, not "second" as a time ("30 second", "a second", "per second").
# (The word boundary first: it fails inside a word, where the look-behinds would each be
# tried; 20,000 characters: 4.2 ms of CPU with them first, 1.2 with it.)
_POSITION = re.compile(rf"\b(\d+)(?:st|nd|rd|th)\b|\b(?<!\d\s)(?<!\d)(?<!\ba\s)(?<!\bper\s)"
                       rf"(?<!\bone\s)(?<!\bevery\s)(?<!\beach\s)({_ORDINAL_WORD})\b")

# What every position or count needs: a digit, a number or ordinal word, a word that counts.
_MAY_RANK = re.compile(rf"\d|\b(?:{_ORDINAL_WORD}|{'|'.join(_SMALL)}|penultimate|antepenultimate|"
                       r"top|next|past|previous|last|bottom|final)\b")


def ranks(lowered: str) -> frozenset[str]:
    """The positions and counts a normalised text picks from an ordered list, as
    "position:N" / "count:N", N negative from the end ("the 3rd highest": position:3;
    "top three": count:3; "second to last": position:-2; "the last 2": count:-2)."""
    if not _MAY_RANK.search(lowered):
        return frozenset()
    found: set[str] = set()

    def from_end(m: re.Match[str]) -> str:
        n = (2 if m.group(3) else 3 if m.group(4)
             else int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2)])
        if n > 1:  # "first to last" is a range
            found.add(f"position:{-n}")
        return " "

    def count(m: re.Match[str]) -> str:
        n = int(m.group(2) or m.group(3))
        found.add(f"count:{-n if m.group(1) in _FROM_THE_END else n}")
        return " "

    text = _named_dates(lowered, None)  # "May 25th": a date
    text = _FROM_END.sub(from_end, _compound_ordinals(text))
    text = _COUNT.sub(count, _NUMBER_WORDS.sub(_number_word, text))
    found.update(f"position:{m.group(1) or _ORDINAL_WORDS[m.group(2)]}"
                 for m in _POSITION.finditer(text))
    return frozenset(found)


def _compound_ordinals(text: str) -> str:
    """"twenty-first" as "21st" (read as 20 before: "twenty" is a number)."""
    return _COMPOUND_ORDINAL.sub(
        lambda m: f" {_SMALL[m.group(1)] + _ORDINAL_WORDS[m.group(2)]}th ", text)


def same_ranks(a: frozenset[str], b: frozenset[str]) -> bool:
    """No number is a position on one side and a count on the other ("top 3" / "3rd
    highest", "first 5" / "5th", "last 2" / "second to last" differ; "3rd" / "third",
    "top 3" / "top three" agree; a side naming both leaves it to the verifier), and each
    side names no position the other lacks while the other names one it lacks ("the
    third guest" / "the fifth guest", as "3rd" / "5th" differ in value)."""
    positions_a = {item for item in a if item.startswith("position:")}
    positions_b = {item for item in b if item.startswith("position:")}
    if positions_a - positions_b and positions_b - positions_a:
        return False
    for mine, theirs in ((a, b), (b, a)):
        for item in mine - theirs:
            kind, _, n = item.partition(":")
            if kind == "position" and f"count:{n}" in theirs:
                return False
    return True


def same_units(a: tuple[Amount, ...], b: tuple[Amount, ...]) -> bool:
    """Amounts that ``same_amounts`` found equal are in units that can be the same: a
    unit on one side only agrees ("$5" / "5", "30 days" / "30-day"), two units agree
    when their families share one ("pound" is "gbp|lb"); "5 kg" / "5 lb", "£5k" / "¥5k",
    "100 megabits" / "100 megabytes", "500 Mbps" / "500 MB/s" do not."""
    return all(not fx or not fy or bool(set(fx.split("|")) & set(fy.split("|")))
               for (_, fx), (_, fy) in zip(sorted(a), sorted(b), strict=True))


# A rate's period: "$90 per month", "4% a year", "$1,800/mo", "monthly".
_PERIOD_NAMES = {"second": "second", "sec": "second", "s": "second", "minute": "minute",
                 "min": "minute", "hour": "hour", "hr": "hour", "h": "hour", "day": "day",
                 "d": "day", "night": "night", "week": "week", "wk": "week",
                 "month": "month", "mo": "month", "mth": "month", "year": "year",
                 "yr": "year", "annum": "year", "hourly": "hour", "daily": "day",
                 "nightly": "night", "weekly": "week", "monthly": "month",
                 "yearly": "year", "annually": "year", "annual": "year"}
_PERIOD = re.compile(
    r"(?:\b(?:per|a|an|each|every)\s+|/\s?)(second|minute|hour|day|night|week|month|year|"
    r"annum|hr|wk|mo|mth|yr)s?\b|/\s?(sec|s|min|h|d)\b|"  # "a min balance": no period
    r"\b(hourly|daily|nightly|weekly|monthly|yearly|annually|annual)\b")


def periods(lowered: str) -> frozenset[str]:
    """The rate periods a normalised text names ("per month", "a year", "/mo", "daily")."""
    return frozenset(_PERIOD_NAMES[next(g for g in m.groups() if g)]
                     for m in _PERIOD.finditer(rates(lowered)))


# Every currency the hard check reads, by its code: the three of ``_UNITS`` and
# ``CURRENCY_WORDS``' (``spelling`` also reads each as a code, never a respelling).
CURRENCY_CODES = frozenset(("usd", "eur", "gbp", *CURRENCY_WORDS))
# "pound" may be money or weight: ``same_currencies`` lets it stand for "gbp".
_CURRENCY_NAMES = {w: "pound" if family == "gbp|lb" else family
                   for w, (family, _) in _HARD_UNITS.items()
                   if (family in CURRENCY_CODES or family == "gbp|lb")
                   and w not in ("cent", "cents", "p", "pence")}  # cents: of which currency?
_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:" + "|".join(
    re.escape(w) for w in sorted(_CURRENCY_NAMES, key=len, reverse=True) if w[0].isalpha())
    + r")\b")


# A number and "m" or "k" with no currency sign before it nor currency after it: millions
# or thousands, or metres or kilometres ("2m HDMI cable", "a 5k run", "4,800 m high").
_BARE_SHORT = re.compile(
    r"(\d(?<![$€£¥₹\d.,]\d)(?<![$€£¥₹]\s\d)(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))\s?(m|k)"
    r"(?![a-z0-9²])(?!\s?(?:[$€£¥₹]|"
    + "|".join(re.escape(w) for w in sorted(_CURRENCY_NAMES, key=len, reverse=True)
               if w[0].isalpha()) + r")\b)")
_LENGTH_OF = {"m": "metre", "k": "km"}
# A number and "L" glued: litres, or lakh in India ("5L of water", "a 5L loan").
_GLUED_L = re.compile(r"(\d(?<![$€£¥₹\d.,]\d)\d*(?:\.\d+)?)l(?![a-z0-9])")
# A clock time with no am / pm: hours and minutes with a dot ("leave at 7.15", "open
# until 9.30": British) or a whole hour ("open after 7", "at eight") after a word that
# comes before a time, or a whole hour before "o'clock"; a time, or a price ("at 4.50
# each"), a count ("after 7 days": no whole hour where a unit follows), morning or
# evening. ("7.15am": ``written_forms``; "7:15": ``_CLOCK_24``.)
_NOT_AFTER_HOUR = "|".join(sorted(
    (re.escape(w) for w in (*_HARD_UNITS, *_HARD_MULTIPLIERS, "st", "nd", "rd", "th", "am",
                            "pm", "a.m.", "p.m.")
     if w[0].isalpha() and w != "in"), key=len, reverse=True))  # "at 7 in the evening"
_BARE_CLOCK = re.compile(
    r"\b(?P<word>at|by|before|after|until|till|til|from|around|between|and|to|since)\s+"
    r"(?P<h>[01]?\d|2[0-3])\.(?P<min>[0-5]\d)(?![\d.,]|\s?%)"
    r"|\b(?P<at>at|before|after|until|till|til|since|around)\s+"  # not "by 5", "to 5"
    r"(?P<hour>1[0-2]|0?[1-9])(?![\d.,:/]|\s?%|\s?-?(?:" + _NOT_AFTER_HOUR + r")(?![a-z0-9]))"
    r"|\b(?P<oclock>1[0-2]|0?[1-9])\s*o'?clock\b")


def _bare_clock(m: re.Match[str], found: list[Amount], evening: bool) -> str:
    hour = int(m.group("h") or m.group("hour") or m.group("oclock"))
    hour += 12 if evening and 1 <= hour < 12 else 0
    found.append((float(hour * 60 + int(m.group("min") or 0)), "clock"))
    return f" {m.group('word') or m.group('at') or ''} "


# "6pc": 6 % (UK finance) or six pieces ("a 6pc set").
_PIECES = re.compile(r"\dpc\b|\d pc\b")
_PIECE_UNITS = {**_HARD_UNITS, "pc": ("pcs", 1)}


def _snap_share(value: float) -> float:
    """A per cent written to a tenth of a point is the sixth (third) it rounds: "33.3%" /
    "16.7%" / "66.67%" are a third, a sixth, two thirds ("33%" is 0.33: 29.7 of 90, not 30)."""
    sixths = round(value * 6)  # only the sixths no per cent writes exactly (not 0, 1/2, 1)
    return (round(sixths / 6, 6) if sixths in (1, 2, 4, 5) and abs(value - sixths / 6) <= 5e-4
            else value)


def currencies(lowered: str) -> frozenset[str]:
    """The currencies a normalised text names, by sign, code or name, with or without an
    amount ("what's 1 BTC worth in USD": btc, usd; "pounds": pound; "S$": sgd); "cents"
    (of which currency?) are left out, and "rand" where it is a name ("Ayn Rand")."""
    lowered = _DOLLARS.sub(lambda m: f" {_DOLLAR_CODES[m.group(1)]} ", lowered)
    lowered = currency_letters(lowered)
    return frozenset(_CURRENCY_NAMES[m.group(0)] for m in _CURRENCY.finditer(lowered)
                     if m.group(0) not in ("rand", "rands") or _rand_is_money(lowered, m))


# "Rand" is a name as often as money ("Ayn Rand", "Rand Paul", "Rand's novels"): money
# after an amount ("50k rand", "one million rand"), "south african", or a word of
# exchange before it ("from pounds to rand", "the rand", "how many rand") or after it
# ("rand to dollars", "the rand exchange rate").
_RAND_BEFORE = re.compile(r"(?:\d|\b(?:k|m|mn|bn|hundred|thousand|million|billion|lakh|crore|"
                          r"african|to|from|into|in|the|many|much|per))\s*$")
_RAND_AFTER = re.compile(r"\s+(?:to|into|against|vs|versus|exchange|rate|value)\b")


def _rand_is_money(lowered: str, m: re.Match[str]) -> bool:
    if lowered.startswith("'s", m.end()):
        return False
    return bool(_RAND_BEFORE.search(lowered[max(0, m.start() - 12):m.start()])
                or _RAND_AFTER.match(lowered, m.end()))


def same_currencies(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts' ``currencies`` agree: the same, or either names none; a "pound" on
    one side may be the other's "gbp" ("EUR to GBP" / "euros to British pounds")."""
    mine, theirs = a - {"pound"}, b - {"pound"}
    if "pound" in b:
        mine -= {"gbp"}
    if "pound" in a:
        theirs -= {"gbp"}
    return not mine or not theirs or mine == theirs


def is_quantity(token: str, hard: bool = False) -> bool:
    """'5kg', '20k', '3-year', '24th', '450kwh' are amounts, not ids."""
    m = re.fullmatch(r"(\d[\d,.]*)-?([a-z]+)", token)
    if m is None:
        return False
    return (m.group(2) in (_HARD_UNITS if hard else _UNITS)
            or m.group(2) in (_HARD_MULTIPLIERS if hard else _MULTIPLIERS)
            or m.group(2) in ("st", "nd", "rd", "th", "am", "pm"))


def _year(m: re.Match[str]) -> str:
    short = int(m.group(1))
    return f" {1900 + short if short > 30 else 2000 + short} "


def _one(word: str) -> float:
    return 1.0 if word in ("one", "a", "an") else float(word)


def _number_word(m: re.Match[str]) -> str:
    if m.group(3):
        return f" {_SMALL[m.group(3)]:g} "
    return f" {_SMALL[m.group(1)] + _SMALL[m.group(2)]:g} "


def _dates(text: str, found: list[Amount]) -> str:
    def numeric(m: re.Match[str]) -> str:
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (second, first) if first > 12 >= second else (first, second)
        return _date(found, month, day)

    return _named_dates(_DATE_NUMERIC.sub(numeric, text), found)


def _named_dates(text: str, found: list[Amount] | None) -> str:
    """The dates that name their month ("dec 2", "25th of may"), each read into ``found``
    (None: each only taken out of the text, as ``ranks`` does); "may" where it cannot be
    the verb (``_MAY_DAY``)."""
    def date(month: int, day: str) -> str:
        return " " if found is None else _date(found, month, int(day))

    def may(m: re.Match[str], day: str, ordinal: str | None, of: str | None) -> str:
        if not (m.group(1) or ordinal or of or _YEAR_AFTER.match(m.string, m.end())):
            return m.group(0)  # the verb: "you may 2 ...", "the 3 may differ"
        return f" {m.group(1) or ''} {date(5, day)}"

    text = _DATE_MONTH_DAY.sub(lambda m: date(_MONTHS[m.group(1)[:3]], m.group(2)), text)
    text = _MAY_DAY.sub(lambda m: may(m, m.group(2), m.group(3), None), text)
    text = _DATE_DAY_MONTH.sub(lambda m: date(_MONTHS[m.group(2)[:3]], m.group(1)), text)
    return _DAY_MAY.sub(lambda m: may(m, m.group(2), m.group(3), m.group(4)), text)


def _date(found: list[Amount], month: int, day: int) -> str:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return f" {month} {day} "
    found.append((float(month * 100 + day), "date"))
    return " "


def _clock(text: str, found: list[Amount]) -> str:
    def twelve(m: re.Match[str]) -> str:
        hour = int(m.group(1)) % 12 + (12 if m.group(3).startswith("p") else 0)
        found.append((float(hour * 60 + int(m.group(2) or 0)), "clock"))
        return " "

    def twentyfour(m: re.Match[str]) -> str:
        found.append((float(int(m.group(1)) * 60 + int(m.group(2))), "clock"))
        return " "

    return _CLOCK_24.sub(twentyfour, _CLOCK_12.sub(twelve, text))


# Session 31's candidate (``cache.amount_forms``, off: docs/cache-history.md "Session 31:
# the paraphrases the amounts check refuses"): amounts the hard check misread on one side
# of a seen paraphrase, each a general way of writing one amount, rewritten to the form
# the check reads on the other side. The text the hard check reads with the candidate on
# (``pair_features.quantity_conflict``'s ``forms``); unchanged where none is written.
_DIGIT_WORDS = {"zero": "0", "nought": "0", "oh": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
_CLOCK_WORDS = {**{w: int(d) for w, d in _DIGIT_WORDS.items() if d != "0"},
                "ten": 10, "eleven": 11, "twelve": 12}
_FORMS_GATE = re.compile(
    r"\d\.\d+t\b|\bt(?:onne|onner)s?\b|\bin\s+the\s+(?:morning|afternoon|evening)\b|\d,\s|"
    r"\d\s?(?:yo|y/o)\b|\bp(?:r?e?r?c|ec|er?s)[a-z]*nt\b|\dh\s?\d|\bpoint\s|\d[+\-*/]?=|=[\w(]|"
    r"\bhundred\s+and\b|\bdoz(?:en)?\b|\d-pc\b|\d{4}\s?(?:utc|gmt|z|hrs|hours)\b")
# A metric ton glued or hyphenated is the number and "tonne", as written apart: "3.5t" /
# "3.5 tonne" (a decimal and "t": no id "5t"), "a 25-tonne crane" / "a 25 tonner" (the
# crane of that weight; no id "25tonne"). A whole number and "t" stays an id ("OnePlus 3T",
# "a 2T dress"). The hard check reads "tonne" as no unit, as before: the number alone.
_TONNES = re.compile(r"(\d\.\d+)t(?![a-z0-9])|(\d)(?:-|\s)?tonners?(?![a-z0-9])|"
                     r"(\d)-tonnes?(?![a-z0-9])")
# A clock hour "in the morning" is "am", "in the afternoon" or "in the evening" "pm"
# ("by 7 in the morning" / "by 7am", "ten in the morning" / "10am").
_DAY_PART = re.compile(
    rf"\b(1[0-2]|0?[1-9]|{'|'.join(_CLOCK_WORDS)})(?::([0-5]\d))?\s+(?:o'?clock\s+)?"
    r"in\s+the\s+(morning|afternoon|evening)\b")
# A bare hour before a comma is still an hour ("at 6, is that ok" / "at 6am"): the comma
# is a thousands separator only before a digit (``_BARE_CLOCK`` reads "at 6 ,").
_HOUR_COMMA = re.compile(
    r"\b((?:at|before|after|until|till|til|since|around)\s+(?:1[0-2]|0?[1-9])),(?=\s|$)")
# An age: "2yo", "a 5 y/o" are years old ("my 2yo" / "my two-year-old").
_YEARS_OLD = re.compile(r"(\d)\s?(?:yo|y/o)\b")
# The common slips of "percent": a letter dropped, doubled or swapped ("15 precent", "15
# prcent", "15 percnet"), after a number.
_PERCENT_SLIPS = ("precent", "prcent", "percnt", "pecent", "percet", "percnet", "perecnt",
                  "persent", "percant", "pervent", "percen")
_PERCENT_SLIP = re.compile(r"(\d)\s?(?:" + "|".join(_PERCENT_SLIPS) + r")\b")
# Hours and minutes glued: "2h50", "1h 30", "2h50m" are 2 hours 50 minutes, as written
# out ("takes 2 hours 50 minutes").
_HOURS_MINUTES = re.compile(r"\b(\d{1,2})\s?h\s?([0-5]\d)(?:\s?m(?:in|ins)?)?\b")
# A decimal spelled out: "point one", "zero point five", "three point one four".
_SPELLED_DECIMAL = re.compile(
    rf"\b(?:(\d+|{_DIGIT_WORD})\s+)?point((?:\s+(?:{_DIGIT_WORD})\b)+)")
# An equation written with or without spaces around its signs ("3x+7=2x-5" / "3x + 7 = 2x -
# 5"): each sign between two terms is read with spaces, in a run of terms holding "=".
_EQUATION = re.compile(r"(?<![\w.-])[\w.^()]+(?:\s*[-+*/=]\s*[\w.^()]+)+")
_EQUATION_SIGN = re.compile(r"\s*([-+*/=])\s*")
# British numbers: "two hundred and forty" is 240 ("2 hundred and 40" likewise).
_HUNDRED_AND = re.compile(
    r"\b(\d{1,2}|" + "|".join(_SMALL) + r"|one)\s+hundred\s+and\s+((?:" + "|".join(_TENS)
    + r")[\s-](?:" + "|".join(_UNITS_WORDS) + r"|one)|\d{1,2}|" + "|".join(_SMALL) + r"|one)\b")
# "2 dozen", "2 doz" are 24 ("a dozen" is 12 already).
_DOZENS = re.compile(r"(\d(?<![\d.,]\d)\d*)\s?(?:dozen|doz)\b")
# "a 3-pc suit" is "a 3pc suit" (``_PIECES`` reads its pieces).
_HYPHEN_PC = re.compile(r"(\d)-pc\b")
# A 24-hour time of four digits before a zone or "hours" ("ETA 0430 UTC", "at 1600 hrs").
_FOUR_DIGIT_CLOCK = re.compile(r"\b([01]\d|2[0-3])([0-5]\d)\s?(utc|gmt|z|hrs|hours)\b")


def _word_number(word: str) -> int:
    """A number of one to two words ("forty", "forty-two", "42", "one")."""
    if word.isdigit():
        return int(word)
    if word == "one":
        return 1
    parts = re.split(r"[\s-]", word)
    return sum(1 if p == "one" else int(_SMALL[p]) for p in parts)


def _spelled_decimal(m: re.Match[str]) -> str:
    whole = m.group(1) or "0"
    whole = _DIGIT_WORDS.get(whole, whole)
    return f" {whole}.{''.join(_DIGIT_WORDS[w] for w in m.group(2).split())} "


def _day_part(m: re.Match[str]) -> str:
    hour = m.group(1)
    hour = str(_CLOCK_WORDS[hour]) if hour in _CLOCK_WORDS else hour
    minutes = f":{m.group(2)}" if m.group(2) else ""
    return f"{hour}{minutes}{'am' if m.group(3) == 'morning' else 'pm'}"


def amount_forms(lowered: str) -> str:
    """A normalised text with session 31's candidate forms rewritten as the hard check
    reads their other spelling: tonnes written apart ("3.5t": "3.5 tonne"), a day part as
    am / pm ("7 in the morning": "7am"), a bare hour before a comma, "2yo" as years,
    slips of "percent", "2h50" as hours and minutes, spelled decimals ("point one":
    "0.1"), an equation's signs spaced, "two hundred and forty" as 240, "2 dozen" as 24,
    "3-pc" as "3pc", "0430 UTC" as "04:30 utc". The text itself where none is written
    (the gate: one search)."""
    if not _FORMS_GATE.search(lowered):
        return lowered
    text = _TONNES.sub(lambda m: f"{m.group(1) or m.group(2) or m.group(3)} tonne", lowered)
    text = _DAY_PART.sub(_day_part, text)
    text = _HOUR_COMMA.sub(r"\1 ,", text)
    text = _YEARS_OLD.sub(r"\1 years", text)
    text = _PERCENT_SLIP.sub(r"\1 percent", text)
    text = _HOURS_MINUTES.sub(r"\1 hours \2 minutes", text)
    text = _SPELLED_DECIMAL.sub(_spelled_decimal, text)
    text = _EQUATION.sub(lambda m: _EQUATION_SIGN.sub(r" \1 ", m.group(0))
                         if "=" in m.group(0) else m.group(0), text)
    text = _HUNDRED_AND.sub(
        lambda m: f" {_word_number(m.group(1)) * 100 + _word_number(m.group(2))} ", text)
    text = _DOZENS.sub(lambda m: f" {int(m.group(1)) * 12} ", text)
    text = _HYPHEN_PC.sub(r"\1pc", text)
    return _FOUR_DIGIT_CLOCK.sub(r"\1:\2 \3", text)
