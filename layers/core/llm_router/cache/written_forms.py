"""Ways of writing an amount that the hard amounts check reads as another writing of the
same amount: rewrites of a normalised (lower-case) text into forms ``quantities`` reads
(pure; no I/O). Only the hard check reads them (``quantities.amounts(hard=True)``,
``currencies``, ``periods``): the verifier's features were trained without them.

"R2.5m" / "R2,500,000" (rand), "N64k" / "N64,000" (naira), "Rs 5L" / "₹5 lakh", "1.69pc"
/ "1.69%", "R8,500 p/m" / "R8500 per month", "20,000mAh" / "20000 mAh", "7.15am" /
"07:15", "f/1.8" / "f1.8" ("50mm f2" / "50mm f/2"), "7 cubed" / "7 to the power of 3",
"1/4 of" / "a quarter of".
"""

from __future__ import annotations

import re

# "p/w", "p/m", "pcm": rates as South Africa and the UK write them ("R4.5k p/w"), read as
# "per week" (and no longer as pence). "p/m" is per month (rent, salaries), not minutes.
_RATES = re.compile(r"(?<![a-z0-9])(?:p\s?/\s?([wmadh])|(pcm|pw|pa|p\.a\.))(?![a-z0-9])")
_RATE_OF = {"w": "week", "m": "month", "a": "year", "d": "day", "h": "hour", "pcm": "month",
            "pw": "week", "pa": "year", "p.a.": "year"}


def rates(lowered: str) -> str:
    """"R8,500 p/m" -> "R8,500 per month" ("pw" and "pa" only right after an amount:
    "pa" is also a word)."""
    def rate(m: re.Match[str]) -> str:
        short = m.group(1) or m.group(2)
        if m.group(2) in ("pw", "pa") and not re.search(r"[\d%]\s?$", lowered[:m.start()]):
            return m.group(0)
        return f" per {_RATE_OF[short]} "

    return _RATES.sub(rate, lowered)


# A currency written as letters before the number: rand "R2k", naira "N64,000" / "₦64k",
# rupees "Rs 500" / "Rs.5L" / "₹2 lakh", Kenyan shillings "KSh 1,000". A lone "R" or "N"
# before digits is also an id ("N95", "R2", "route R14", Intel's "N3700", Yamaha's "R15"),
# so it is money only in money's shapes: thousands separators, a k/m/bn suffix, cents
# ("R2.50"), a rate after it ("R900 per week", "R500 monthly", "R40 each") or a verb of
# paying before it ("I paid R900", "it costs me about R900"); not in a range ("INR
# 30-35k": an id, as before).
_LETTER_CODES = {"r": "zar", "n": "ngn", "₦": "ngn", "rs": "inr", "rs.": "inr", "₹": "inr",
                 "inr": "inr", "ksh": "kes", "kes": "kes"}
_BEFORE = re.compile(
    r"(?<![\w$€£¥₹₦.,])(rs\.?|inr|ksh|kes|₹|₦|r|n)\s?"
    r"(\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(k|m|mn|bn|l|lakhs?|lacs?|cr|crores?)(?![a-z0-9]))?(?![\w,.-]\d|[a-z0-9])")
# "R900 p/w" (``rates`` has read it "per week"), "R900 a month", "R500 monthly", "R40 each"
_A_RATE = re.compile(r"\s*(?:per\s|(?:an?|every)\s+(?:hour|day|night|week|month|year)\b|"
                     r"(?:hourly|daily|nightly|weekly|monthly|yearly|annually|each)\b)")
# A verb of paying right before the amount, up to two words between ("paid R900", "it
# cost me about R900", "we each pay R500"); read in a window before it (no quadratic
# search back over a long text).
_PAYING = re.compile(
    r"\b(?:pay|pays|paid|paying|cost|costs|costing|charge|charges|charged|earn|earns|earned|"
    r"earning|owe|owes|owed|spend|spends|spent|spending|topped\s+up|top\s+up|afford|"
    r"fined|fine\s+of|fee\s+of|deposit\s+of|budget\s+of|salary\s+of|rent\s+of|priced\s+at)"
    r"(?:\s+(?:me|us|you|him|her|them|about|around|only|just|over|under|almost|nearly|"
    r"roughly|extra|up\s+to|less\s+than|more\s+than)){0,2}\s*$")
_MONEY_SHAPE = re.compile(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+\.\d\d")
# After a currency "L" and "cr" are lakh and crore ("Rs 5L", "₹2cr"): no litres of money.
_SUFFIX = {"l": "lakh", "cr": "crore"}


def currency_letters(lowered: str) -> str:
    """"r2.5m" -> " 2.5 m zar ", "rs 5l" -> " 5 lakh inr ": the currency's code after the
    amount, where ``quantities`` reads it as the amount's unit."""
    def letters(m: re.Match[str]) -> str:
        sign, number, suffix = m.group(1), m.group(2), m.group(3) or ""
        if sign in ("r", "n") and not suffix and not _MONEY_SHAPE.fullmatch(number) and not (
                _A_RATE.match(lowered, m.end())
                or _PAYING.search(lowered[max(0, m.start() - 40):m.start()])):
            return m.group(0)
        words = (number, _SUFFIX.get(suffix, suffix), _LETTER_CODES[sign])
        return f" {' '.join(word for word in words if word)} "

    return _BEFORE.sub(letters, lowered)


# "20,000mAh": a unit glued to a number with thousands separators (read as an id "000mah").
_GLUED_AFTER_GROUPS = re.compile(r"(\d,\d{3})(?=[a-z])")
# "1.69pc" (UK finance) is per cent; "6pc" may be pieces: ``quantities`` gives "pc" a
# family of both, so either agrees.
# "7.15am" / "07:15" (a dot between hours and minutes, before am / pm; digit first, as in
# ``quantities``).
_DOTTED_CLOCK = re.compile(r"(\d(?<=\b\d)\d?)\.(\d\d)\s?(am|pm|a\.m\.|p\.m\.)(?![a-z])")
# An f-number: "f/1.8", "f1.8", "F 2.8" (with a slash, or with a decimal: "F1" is a race,
# a visa; "F22" a jet), or whole beside a lens's words: after a focal length ("50mm f2"),
# "at" or "aperture (of)", or before "lens", "prime", "aperture" ("f2 lens", "at f8").
_APERTURE = re.compile(r"\bf\s?/\s?(\d+(?:\.\d+)?)(?![\d.])|\bf\s?(\d+\.\d+)(?![\d.])")
# The "f" comes first and what stands before it is looked at behind it: a pattern that
# starts with a letter is searched for that letter alone (20,000 characters: 2 ms of CPU
# with the look-behinds first, 0.05 with the "f" first; the same matches).
_WHOLE_APERTURE = re.compile(
    r"f(?:(?<=\dmmf)|(?<=\dmm\sf)|(?<=\bat\sf)|(?<=\baperture\sf)|(?<=\baperture\sof\sf))"
    r"\s?(\d{1,2})(?![\w.])|f(?<=\bf)\s?(\d{1,2})(?=\s+(?:lens|lenses|prime|aperture)\b)")
# Powers: "7 cubed", "3 squared", "2^10", "2**10", "5²", "7 to the power (of) 3", "2 to
# the 10th power", "2 raised to 3": the exponent becomes an amount in "power" ("to the"
# alone is none: "send 5 to the 3 winners").
_EXPONENT_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                   "seven": "7", "eight": "8", "nine": "9", "ten": "10", "second": "2",
                   "third": "3", "fourth": "4", "fifth": "5"}
_EXPONENT = r"(\d+|" + "|".join(_EXPONENT_WORDS) + r")(?:st|nd|rd|th)?"
_POWERS = (
    re.compile(r"(\d)\s?(squared|cubed|²|³)(?![a-z])"),
    re.compile(r"(\d)\s?(?:\^|\*\*)\s?(\d+)"),
    re.compile(r"(\d)\s+(?:raised\s+)?to\s+the\s+power\s+(?:of\s+)?" + _EXPONENT + r"\b"),
    re.compile(r"(\d)\s+(?:raised\s+)?to\s+the\s+" + _EXPONENT + r"\s+power\b"),
    re.compile(r"(\d)\s+raised\s+to\s+" + _EXPONENT + r"\b"),
)
_SQUARED = {"squared": "2", "²": "2", "cubed": "3", "³": "3"}


def _power(m: re.Match[str]) -> str:
    exponent = m.group(2)
    exponent = _SQUARED.get(exponent) or _EXPONENT_WORDS.get(exponent, exponent)
    return f"{m.group(1)} {exponent} power "


# Simple fractions: "1/4 of", "3/4 as a %", "3/8 into a decimal", "1/2 cup" (a date
# "1/4" is followed by none of these), "a quarter of", "three quarters", "two thirds": the
# fraction's value, rounded as amounts are (digit first, as in ``quantities``).
_FRACTION = re.compile(
    r"(\d(?<![\d/.]\d)\d?)\s?/\s?(\d{1,2})(?![\d/.])(?=\s+(?:(?:of|as|an?|cups?|tsp|tbsp|"
    r"teaspoons?|tablespoons?|inch|inches|miles?|hours?|pounds?|lbs?|oz|kg)\b|"
    r"(?:in|into|to)\s+(?:an?\s+)?(?:decimals?|percent(?:age)?|fractions?|%)))")
_NUMERATORS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
               "six": 6, "seven": 7, "eight": 8, "nine": 9}
_DENOMINATORS = {"third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "eighth": 8, "tenth": 10}
# Singular after "a" / "one" only before "of" / "as" ("a third party", "a quarter past 3"
# are no fractions); plural after a number word always ("three quarters").
_WORD_FRACTION = re.compile(
    r"\b(a|an|one)\s+(third|quarter|fourth|fifth|sixth|eighth|tenth)(?=\s+(?:of|as)\b)"
    r"|\b(two|three|four|five|six|seven|eight|nine)\s+"
    r"(third|quarter|fourth|fifth|sixth|eighth|tenth)s\b")


def _fraction(numerator: int, denominator: int) -> str:
    return f" {round(numerator / denominator, 6)!r} "


def _numeric_fraction(m: re.Match[str]) -> str:
    numerator, denominator = int(m.group(1)), int(m.group(2))
    return _fraction(numerator, denominator) if 0 < numerator < denominator else m.group(0)


def _word_fraction(m: re.Match[str]) -> str:
    numerator, denominator = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return _fraction(_NUMERATORS[numerator], _DENOMINATORS[denominator])


def rewrite(lowered: str) -> str:
    """Every rewrite above, in the order that keeps them apart (rates before currency
    letters: "p/w" is no pence). All but the fractions in words need a digit."""
    if not any(c.isdigit() for c in lowered):
        return _WORD_FRACTION.sub(_word_fraction, lowered)
    text = currency_letters(rates(lowered))
    text = _GLUED_AFTER_GROUPS.sub(r"\1 ", text)
    text = _DOTTED_CLOCK.sub(r"\1:\2\3", text)
    text = _APERTURE.sub(lambda m: f" {m.group(1) or m.group(2)} aperture ", text)
    text = _WHOLE_APERTURE.sub(lambda m: f" {m.group(1) or m.group(2)} aperture ", text)
    for pattern in _POWERS:
        text = pattern.sub(_power, text)
    text = _FRACTION.sub(_numeric_fraction, text)
    return _WORD_FRACTION.sub(_word_fraction, text)
