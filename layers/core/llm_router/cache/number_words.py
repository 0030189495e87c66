"""Rule NW (session 36, ``cache.number_words``): a number written in words read as its
digits where the other text of a pair writes that amount in digits and not in words
(pure; no I/O).

The amounts check reads "two" to "ninety-nine" as numbers already, and "one" as none
("one of my orders"); it reads "two-manual" as an amount 2 where "2-manual" is an id, and
"one hundred and forty four" as 100 and 44. ``reconciled`` writes, in each text of a pair,
every number word whose value the other text writes in digits and does not write in
words as those digits ("can you tune a two-manual organ in one day" against "... a
2-manual organ in 1 day": "... a 2-manual organ in 1 day"); the check then reads the
rewritten texts as it reads any text, and a pair it refuses as written passes where it
passes them rewritten (``pair_features.quantity_conflict``'s ``words``). A number word
never creates a refusal: the check refuses only where it refuses both readings.

The number words (defined before the screen ran): the cardinals "zero" to "nineteen",
"twenty" to "ninety" and a ten with a unit ("forty-four", "forty four"), 0-99; a hundred
compound, "a" or a cardinal 1-99 then "hundred", then perhaps ("and") a cardinal ("a
hundred", "one hundred and forty four" 144, "twelve hundred" 1200, "two hundred fifty"
250); a thousand or million compound, "a", a hundred compound or a cardinal then
"thousand" or "million", then perhaps ("and") a hundred compound or a cardinal ("a
thousand", "twenty thousand", "two thousand and five" 2005, "three million"). The longest
such run is one number ("one hundred and forty four" is 144, not 100 and 44). "per cent"
and "percent" the check reads as "%" already ("fifteen per cent" rewritten "15 per cent":
0.15, as "15%"); "half", "twice", "dozen" and ordinals are not read here (the check reads
"half", "twice" and "dozen" as it did). A number in digits: a run of digits, with
thousands commas and a decimal part ("1,000", "2.5"; "2-manual" and "20-20-20" write 2
and 20).
"""

from __future__ import annotations

import re

from llm_router.cache.quantities import _SMALL, _TENS

# The cardinals zero to ninety-nine in words, which NW and the respelling check
# (``spelling``) read as digits: the amounts check's number words (``quantities._SMALL``)
# but those that are no cardinal ("twice", "dozen", "half": read there as before), with
# "one", which the amounts check leaves out ("one of my orders").
CARDINALS: dict[str, int] = {"one": 1, **{w: int(v) for w, v in _SMALL.items()
                                          if w not in ("twice", "dozen", "half")}}
_UNITS = tuple(sorted((w for w, v in CARDINALS.items() if v < 20), key=CARDINALS.__getitem__))
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


def _any(words: tuple[str, ...]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_CARDINAL = (rf"(?:(?:{_any(_TENS)})(?:[\s-]+(?:{_any(_UNITS[1:10])}))?"
             rf"|(?:{_any(_UNITS)}))")
_HUNDREDS = rf"(?:(?:a|{_CARDINAL})\s+hundred(?:\s+(?:and\s+)?{_CARDINAL})?)"
_SCALED = (rf"(?:(?:a|{_HUNDREDS}|{_CARDINAL})\s+(?:thousand|million)"
           rf"(?:\s+(?:and\s+)?(?:{_HUNDREDS}|{_CARDINAL}))?)")
NUMBER_WORDS = re.compile(rf"\b(?:{_SCALED}|{_HUNDREDS}|{_CARDINAL})\b")
_DIGITS = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_TOKEN = re.compile(r"[a-z]+")


def value(words: str) -> int:
    """The value of one run ``NUMBER_WORDS`` matched ("one hundred and forty four": 144,
    "two thousand and five": 2005, "a million": 1,000,000)."""
    total = current = 0
    for token in _TOKEN.findall(words):
        if token == "hundred":
            current = max(current, 1) * 100
        elif token in _SCALES:  # thousand, million
            total += max(current, 1) * _SCALES[token]
            current = 0
        elif token == "a":
            current = 1
        elif token != "and":
            current += CARDINALS[token]
    return total + current


def word_values(lowered: str) -> frozenset[float]:
    """The values a normalised text writes in words (``NUMBER_WORDS``)."""
    return frozenset(float(value(m.group(0))) for m in NUMBER_WORDS.finditer(lowered))


def digit_values(lowered: str) -> frozenset[float]:
    """The values a text writes in digits ("1,000": 1000; "2-manual": 2)."""
    return frozenset(float(m.group(0).replace(",", "")) for m in _DIGITS.finditer(lowered))


def has_number_words(lowered: str) -> bool:
    """Whether a normalised text writes some number in words (``NUMBER_WORDS``): only such a
    text can read otherwise under rule NW."""
    return NUMBER_WORDS.search(lowered) is not None


def _written_as_digits(lowered: str, digits: frozenset[float], words: frozenset[float]
                       ) -> str:
    def digit(m: re.Match[str]) -> str:
        n = value(m.group(0))
        return str(n) if n in digits and n not in words else m.group(0)

    return NUMBER_WORDS.sub(digit, lowered)


def reconciled(a: str, b: str) -> tuple[str, str] | None:
    """Two normalised texts, each with the numbers it writes in words written in digits
    where the other text writes that value in digits and does not write it in words; None
    where neither changes (the pair reads as written)."""
    if not (has_number_words(a) or has_number_words(b)):
        return None
    new_a = _written_as_digits(a, digit_values(b), word_values(b)) if has_number_words(a) else a
    new_b = _written_as_digits(b, digit_values(a), word_values(a)) if has_number_words(b) else b
    return None if (new_a, new_b) == (a, b) else (new_a, new_b)
