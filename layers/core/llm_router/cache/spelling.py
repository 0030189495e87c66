"""Same question, different spelling: a deterministic check before the pair verifier (pure).

Two texts that become the same sequence once every differing span is explained by a
change of form that cannot change the answer ask the same question, whatever the
verifier thinks. The form changes (the names ``same_spelling`` reports):

- ``format``: case, punctuation, spacing, contractions, "&" / "and", "/" / "per",
  "5kg" / "5 kg", "$50.00" / "$50", "$1.2k" / "$1,200", "two" / "2", "yr" / "year"
  (the units ``quantities`` reads), "US" / "United States" (``pair_features``' aliases);
- ``acronym``: an upper-case short form and the words it is the initials of, at the same
  place ("PIN" / "personal identification number", "2FA" / "two-factor authentication",
  "kWh" / "kilowatt hour", "JS" / "JavaScript"; Schwartz & Hearst's alignment of a short
  form to its long form: each word starts with the next letter of the short form, which
  may also take later letters of that word; "of", "and", "the"... may be skipped);
- ``numeronym``: first letter, the number of letters left out, last letter ("k8s" /
  "kubernetes", "i18n" / "internationalization");
- ``clipping``: a short form that is no word of MiniLM's vocabulary, its letters in order
  in the long word and starting it ("req" / "request", "ppl" / "people", "env vars" /
  "environment variables"); short forms that are words themselves ("max", "info", "app")
  only from ``CLIPPINGS``, each against its one long word;
- ``compound``: one word written as two ("e-mail" / "email", "log in" / "login");
- ``typo``: a word one keyboard slip from the other side's (``pair_features.misspelt``:
  one of the two is not a word of the vocabulary, so "card" / "cart" stay two words; a
  three-letter word too, "yuo" / "you", "bil" / "bill": ``_short_typo``); one letter put
  for another only where that looks like a slip (``_looks_slipped``, R3: "goroutine" /
  "coroutine" are two words);
- ``table``: ``IRREGULAR``, spellings no rule explains ("WWII" / "World War 2", "w/" /
  "with");
- ``short form`` (only with ``short_forms``): a short form ``short_forms.py``'s lexicon
  knows and its long form ("PH" / "the Philippines", "KSA" / "Saudi Arabia", "idk" / "I
  don't know", "cu ft" / "cubic feet"), never one it gives two meanings ("SA", "tx").

No typo joins two names (``_two_names``): two words written in capitals ("USDT" /
"USDC"), a known code (a file extension, a currency's code) against a word of no
vocabulary ("doc" / "docx", "usd" / "usdt"), or two short words of no vocabulary one
letter apart at their end ("usdt" / "usdc", "xls" / "xlsx"): tickers, formats, product
codes. A clipping of a code into a word stays one ("BTC" / "bitcoin").

Anything else (a different number, a word on one side only, the same words in another
order) is no change of form: the verifier decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from llm_router.cache.lexicon import FILE_EXTENSIONS
from llm_router.cache.number_words import CARDINALS
from llm_router.cache.pair_features import _ALIASES, _CONTRACTIONS, _osa_distance, misspelt
from llm_router.cache.quantities import (
    _MULTIPLIERS,
    _TENS,
    _UNITS,
    CURRENCY_CODES,
    plural_s,
)
from llm_router.cache.short_forms import spans as short_form_spans

if TYPE_CHECKING:
    from llm_router.cache.synonyms import Synonyms

Pieces = Callable[[str], Sequence[str]]  # a word's MiniLM word pieces

# Spellings no rule explains, written for this module (general usage, not taken from any
# held-out pair): rewritten before the texts are split into words.
IRREGULAR: tuple[tuple[str, str], ...] = (
    (r"\bww ?(?:ii|2)\b", "world war 2"),
    (r"\bww ?(?:i|1)\b", "world war 1"),
    (r"\bworld war (?:ii|two)\b", "world war 2"),
    (r"\bworld war (?:i|one)\b", "world war 1"),
    (r"\bw/o(?=\s|$)", "without"),
    (r"\bw/(?=\s|$)", "with"),
    (r"\bb/c\b", "because"),
    (r"\bthru\b", "through"),
    (r"\bmt\.?(?= [a-z])", "mount"),
    (r"\bthx\b", "thanks"),
    (r"\bplz\b", "please"),
    (r"\be\.g\.(?=\W|$)", "for example"),
    (r"\bi\.e\.(?=\W|$)", "that is"),
    (r"(?<=\d) ?(?:yo|y/o|y\.o\.)(?=\W|$)", " year old"),
)
_IRREGULAR = tuple((re.compile(p, re.I), r) for p, r in IRREGULAR)
# Other spellings of one word or sign (the "format" kind).
_FORMATS = tuple((re.compile(p, re.I), r) for p, r in (
    (r"\b(what|that|how|where|who|here|there)s\b", r"\1 is"),
    (r"°\s?c\b", " celsius"),
    (r"°\s?f\b", " fahrenheit"),
    (r"°", " degrees "),
    (r"\bokay\b", "ok"),
    (r"\bper cent\b", "percent"),
    (r"(?<=\d) ?[x×] ?(?=\d)", " by "),
    (r"~ ?(?=\d)", "about "),
))

# Clippings whose short form is itself a word of MiniLM's vocabulary: each stands for one
# long word only (common English clippings; "min" before a number's unit is a minute).
CLIPPINGS: dict[str, frozenset[str]] = {
    short: frozenset(longs.split()) for short, longs in {
        "max": "maximum", "min": "minimum", "info": "information", "app": "application",
        "apps": "applications", "approx": "approximately approximate",
        "dept": "department", "stats": "statistics", "intro": "introduction",
        "admin": "administrator administration", "pic": "picture", "pics": "pictures",
        "doc": "document", "docs": "documents documentation", "ad": "advertisement",
        "ads": "advertisements", "vs": "versus", "repo": "repository",
        "config": "configuration", "auth": "authentication", "exam": "examination",
        "lab": "laboratory", "demo": "demonstration", "sync": "synchronize",
        "spec": "specification", "specs": "specifications", "gov": "government",
        "govt": "government", "mgmt": "management", "pref": "preference",
        "prefs": "preferences", "esp": "especially", "abt": "about",
        "db": "database", "var": "variable", "vars": "variables", "apt": "apartment",
        "biz": "business",
        "mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday",
        "thu": "thursday", "thur": "thursday", "thurs": "thursday", "fri": "friday",
        "sat": "saturday", "sun": "sunday", "jan": "january", "feb": "february",
        "mar": "march", "apr": "april", "jun": "june", "jul": "july", "aug": "august",
        "sep": "september", "sept": "september", "oct": "october", "nov": "november",
        "dec": "december",
    }.items()
}

# Words an acronym may skip in its long form ("Bank of America" / "BoA").
_SKIPPABLE = frozenset(("of", "and", "the", "for", "to", "in", "on", "a", "an", "at", "by",
                        "with", "de"))
_NUMBER_WORDS = {w: str(v) for w, v in CARDINALS.items()}
_DIGITS = frozenset("123456789")
_TEN_WORDS = frozenset(_TENS)
_ARTICLES = frozenset(("a", "an", "the"))
_ENDINGS = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
_CURRENCIES = frozenset(("usd*1", "eur*1", "gbp*1"))
_SYMBOLS = {"&": "and", "/": "per", "+": "plus", "%": "percent", "@": "at"}
_APOSTROPHES = (
    (re.compile(r"\b(what|where|who|how|that|there|it|here|when|why)'s\b", re.I), r"\1 is"),
    (re.compile(r"'re\b", re.I), " are"), (re.compile(r"'ll\b", re.I), " will"),
    (re.compile(r"'ve\b", re.I), " have"), (re.compile(r"\bi'm\b", re.I), "i am"),
    (re.compile(r"'s\b", re.I), ""))
# A name written with a sign is another name: "C#" / "C", "F#" / "F", ".NET" / "NET" (a
# "#" after letters and a dot before them, at a word's edge, are kept in the word). Letters
# of any script are words, and so is a sign that is no punctuation (``_SIGNS``): "sin(π°)"
# / "sin", "the ~ symbol" / "the ✢ symbol", "= and ==" / "() and []", "# and ##" / "()";
# a "#" before a word or number is none ("order #123", "#what").
_RUN = re.compile(r"[A-Z]+&[A-Z]+\b|[a-z]_\d+_[a-z]|\d+(?:[.,]\d+)*|(?<![\w.])\.[A-Za-z]+"
                  r"|[A-Za-z]+#(?![\w#])|[^\W\d_]+|[$€£&/+%@]|#(?!\w)|[^\w\s#]")
_SIGNS = frozenset(("Sm", "So", "Sc"))  # Unicode's maths, other and currency symbols
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_NUMERONYM = re.compile(r"\b([a-z])(\d{1,2})([a-z])\b", re.I)
_ACRONYM_MAX = 8
# Texts longer than this are left to the verifier: the same question respelled is a
# question, and a kept reading stays small (a token a word, ~150 bytes each), so the
# kept readings stay under ~30 MB even if every one is this long (~2 KB for a question).
MAX_CHARS = 500
READINGS_KEPT = 2048  # texts whose tokens ``reading`` keeps
# A question about a word itself (its spelling, its meaning, a quoted string) may change
# its answer with the word's form: "is 'alot' correct" / "is 'a lot' correct", "what does
# PIN stand for". An apostrophe inside a word ("what's my plan's rate") quotes nothing.
_ABOUT_WORDS = re.compile(
    r"[\"“”‘]|(?<!\w)'\w[^']*'(?!\w)|\b(?:stands? for|short for|means?|meaning|acronym|"
    r"abbreviat\w*|spell\w*|spelt|pronounc\w*|grammar\w*|synonyms?|antonyms?|plural|"
    r"singular)\b", re.I)


@dataclass(frozen=True)
class Token:
    text: str  # lower case; a number's value as text ("1200"), a unit's canonical name
    kind: str  # "word", "number", "unit"
    short: bool = False  # written as an acronym: capitals past its first letter ("PIN", "kWh")
    camel: tuple[int, ...] = ()  # offsets of inner capitals ("JavaScript": 4)
    tens: bool = False  # "twenty" .. "ninety": "twenty five" is 25
    written: str = ""  # a unit's word as written ("kwh", "hour"): acronyms read it
    name: bool = False  # capitalised, lower case after, not a sentence's first word
    # glued after a number that is glued after a word: "Cl" of "NH4Cl" and "CH2Cl2", a
    # chemical formula's (or a code's) letters, never a unit (session 23); or an "s" glued
    # after a number a hyphen joins to a word: the plural of "under-14s", "W-2s" (session 24),
    # or after a decade or an age ("the 1990s", "over 65s": ``quantities.plural_s``, M4)
    formula: bool = field(default=False, compare=False, repr=False)

    @property
    def letters(self) -> str:
        return self.written or self.text


Respelling = tuple[str, ...]  # the kinds of form change used, sorted; () = same text


def same_spelling(a: str, b: str, pieces: Pieces, synonyms: Synonyms | None = None,
                  short_forms: bool = False) -> Respelling | None:
    """The form changes that turn one text into the other (sorted names; ("format",)
    for case, punctuation and spacing alone), or None when some difference is not one of
    them. With ``synonyms``, also ("synonym",) where the two differ in one span only and
    the table says its two sides are synonyms (``_one_synonym``); with ``short_forms``,
    also the "short form" change (``short_forms.py``)."""
    if len(a) > MAX_CHARS or len(b) > MAX_CHARS:
        return None
    ra, rb = reading(a), reading(b)
    if ra.about_words or rb.about_words or not ra.tokens or not rb.tokens:
        return None
    used = _align(ra.tokens, rb.tokens, pieces, short_forms)
    if used is None:
        return ("synonym",) if synonyms is not None and _one_synonym(
            ra.tokens, rb.tokens, synonyms) else None
    if ra.irregular != rb.irregular:
        used = tuple(sorted({*used, "table"} - {"format"}))
    return used or ("format",)


@dataclass(frozen=True)
class Reading:
    tokens: tuple[Token, ...]
    about_words: bool  # asks about a word itself: no respelling applies
    irregular: frozenset[int]  # which ``IRREGULAR`` spellings it uses


@lru_cache(maxsize=READINGS_KEPT)
def reading(text: str) -> Reading:
    """A text's tokens, kept: a lookup reads its query against up to five candidates, and
    a popular cached text meets many queries (~100 us a text, ~20 us a pair after); at
    most ``MAX_CHARS`` long (``same_spelling`` reads no longer one)."""
    return Reading(tuple(tokens(text)), bool(_ABOUT_WORDS.search(text)),
                   frozenset(i for i, (p, _) in enumerate(_IRREGULAR) if p.search(text)))


def tokens(text: str) -> list[Token]:
    """Words, numbers (merged with a following multiplier, number words read) and units
    (canonical: "yr" and "years" are one), punctuation dropped. Case is kept until a
    word is cut out of the text: it says which words are acronyms."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("`", "'")
    for pattern, repl in (*_ALIASES, *_CONTRACTIONS, *_APOSTROPHES, *_FORMATS, *_IRREGULAR):
        text = pattern.sub(repl, text)
    text = _NUMERONYM.sub(lambda m: f"{m.group(1)}_{m.group(2)}_{m.group(3)}", text)
    out: list[Token] = []
    starts = True  # the next word starts a sentence
    # where the last run ended, whether it was letters, and whether it was a number glued
    # after letters ("NH4"): only letters, digits, letters touching make a formula, so a
    # sign or punctuation between ("(2GB", "under-14s", "250mg/5ml") makes none; whether
    # it was a hyphen after letters, and a number after such a hyphen ("under-14", "W-2"):
    # an "s" glued to that number is its plural, no unit ("under-14s", "W-2s"; session 24)
    end, letters, glued, hyphen, named = -1, False, False, False, False
    # an "s" glued to a number after a space that is a decade's or an age's plural ("the
    # 1990s", "in my 20s", "over 65s"), no second either (``quantities.plural_s``; M4)
    plurals = plural_s(text)
    # a "-" at a word's start (after white space or at the text's start) before a letter is
    # part of that word (R1, session 27): Forth's "-rot" is no "rot", a flag "-v" no "v";
    # "e-mail", a bullet "- how do I" and "-5 °C" read as before
    sign = False
    for raw in _RUN.finditer(text):
        word = raw.group(0)
        touching = raw.start() == end
        end = raw.end()
        if len(word) == 1 and not word.isalnum() and word not in "$€£&/+%@#" \
                and unicodedata.category(word) not in _SIGNS:
            starts = starts or word in ".?!:"
            hyphen = touching and letters and word == "-"
            sign = word == "-" and (raw.start() == 0 or text[raw.start() - 1].isspace())
            letters = glued = named = False
            continue  # punctuation
        tok = _token(word.lower(), word)
        if sign and touching and word[0].isalpha():
            tok = Token("-" + word.lower(), "word", tok.short, tok.camel)
        sign = False
        if not starts and tok.kind == "word" and word[0].isupper() and word[1:].islower():
            tok = replace(tok, name=True)
        if touching and word.isalpha() and (glued or named and tok.text == "s"
                                            or raw.start() in plurals):
            tok = replace(tok, formula=True)
        glued = touching and letters and tok.kind == "number"
        named = touching and hyphen and tok.kind == "number"
        letters, hyphen = word.isalpha(), False
        out.append(tok)
        starts = False
    return _merge_numbers(out)


def _token(word: str, original: str) -> Token:
    if "_" in word:
        return Token(word, "numeronym")
    if word in "$€£":
        return Token(word, "currency")
    if word in _SYMBOLS:
        return Token(_SYMBOLS[word], "word")
    if word[0].isdigit():
        return Token(_number_text(word), "number")
    if word in _NUMBER_WORDS:
        return Token(_NUMBER_WORDS[word], "number", tens=word in _TEN_WORDS)
    caps = [i for i, c in enumerate(original) if c.isupper()]
    short = len(word) <= _ACRONYM_MAX and (len(caps) >= 2 or any(i > 0 for i in caps))
    camel = tuple(i for i in caps if i > 0 and original[i - 1].islower())
    return Token(word, "word", short, camel)


def _merge_numbers(found: list[Token]) -> list[Token]:
    """"1.2" "k" -> 1200; "twenty" "five" -> 25; then units (``_unit``)."""
    out: list[Token] = []
    for tok in found:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == "number" and tok.kind == "word" \
                and tok.text in _MULTIPLIERS and tok.text != "hundred" and _NUMBER.fullmatch(
                    prev.text):
            value = Decimal(prev.text) * Decimal(str(_MULTIPLIERS[tok.text]))
            out[-1] = Token(_number_text(value), "number")
        elif prev is not None and prev.tens and tok.kind == "number" and tok.text in _DIGITS:
            out[-1] = Token(str(int(prev.text) + int(tok.text)), "number")
        else:
            out.append(tok)
    return _units(out)


def _units(found: list[Token]) -> list[Token]:
    """A currency sign before a number moves after it ("$50" = "50 dollars"); a unit
    word becomes its canonical name: after a number or "per", or anywhere when it is a
    long one ("years", "gigabytes": no other word); "degrees" before Celsius goes."""
    out: list[Token] = []
    currency: str | None = None
    for k, tok in enumerate(found):
        prev = out[-1] if out else None
        unit = (_UNIT_OF.get(tok.text) if tok.kind in ("word", "currency") and not tok.formula
                else None)
        if tok.kind == "currency" and (prev is None or prev.kind != "number"):
            currency = unit
            continue
        if tok.text in ("degree", "degrees") and k + 1 < len(found) \
                and _UNIT_OF.get(found[k + 1].text) in ("celsius", "fahrenheit"):
            continue
        if unit is not None and (len(tok.text) >= 4 or tok.kind == "currency" or (
                prev is not None and (prev.kind == "number" or prev.text == "per")
                and tok.text != "in")):
            out.append(Token(unit, "unit", tok.short, tok.camel, written=tok.text))
        else:
            if currency is not None and tok.kind != "number":
                out.append(Token(currency, "word"))
                currency = None
            out.append(tok)
        if currency is not None and tok.kind == "number":
            out.append(Token(currency, "unit"))
            currency = None
    if currency is not None:
        out.append(Token(currency, "word"))
    return out


# Unit names (theirs from ``quantities``, which reads the amounts, and SI / imperial
# names it does not need) -> one canonical name per unit.
_MORE_UNITS: dict[str, tuple[str, ...]] = {
    "mg": ("mg", "milligram", "milligrams"), "ml": ("ml", "millilitre", "millilitres",
                                                    "milliliter", "milliliters"),
    "cl": ("cl", "centilitre", "centilitres", "centiliter", "centiliters"),
    "dl": ("dl", "decilitre", "decilitres", "deciliter", "deciliters"),
    "l": ("l", "litre", "litres", "liter", "liters"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    "mm": ("mm", "millimetre", "millimetres", "millimeter", "millimeters"),
    "m": ("metre", "metres", "meter", "meters"),
    "km*1": ("kilometre", "kilometres", "kilometer", "kilometers"),
    "ft": ("ft", "foot", "feet"), "oz": ("oz", "ounce", "ounces"),
    "mb*1024": ("gigabyte", "gigabytes"), "mb*1": ("megabyte", "megabytes"),
    "mb*0.000976562": ("kilobyte", "kilobytes"), "mb*1.04858e+06": ("terabyte", "terabytes"),
    "celsius": ("c", "celsius", "centigrade"), "fahrenheit": ("f", "fahrenheit"),
    "month*1": ("mo", "mos"), "day*7": ("wk", "wks"),
}
_UNIT_OF: dict[str, str] = {
    **{u: f"{family}*{factor:g}" for u, (family, factor) in _UNITS.items() if family},
    **{w: name for name, words in _MORE_UNITS.items() for w in words},
}


def _number_text(written: str | Decimal) -> str:
    """"1,200", "1200.00" and Decimal 1.2E+3 are "1200"; "007" (an id) and "9.2.1" (a
    version) stay as written."""
    if isinstance(written, str):
        if not _NUMBER.fullmatch(written) or (written[0] == "0" and written[1:2].isdigit()):
            return written
        written = Decimal(written.replace(",", ""))
    return format(written.normalize(), "f")


# The most words a side of the one span ``_one_synonym`` reads ("cancel" / "call off").
SYNONYM_SPAN = 2
_DEFINED_AFTER = 2  # words between "what is" and the thing it asks about ("a", "regenerative")


def common_ends(a: Sequence[Token], b: Sequence[Token]) -> tuple[int, int]:
    """How many tokens the two texts share at the start and then at the end (the end's
    count never reaching into the start's): what is left between them, ``a[prefix:len(a) -
    suffix]`` and ``b[...]``, is where they differ. The synonym form's span, and the
    co-member check's and ``bench/respelled_pairs.py``'s, read it."""
    shorter = min(len(a), len(b))
    prefix = next((k for k in range(shorter) if a[k].text != b[k].text), shorter)
    suffix = 0
    while suffix < shorter - prefix and a[-1 - suffix].text == b[-1 - suffix].text:
        suffix += 1
    return prefix, suffix


def _one_synonym(a: Sequence[Token], b: Sequence[Token], synonyms: Synonyms) -> bool:
    """The texts differ in one span of at most ``SYNONYM_SPAN`` words a side, every other
    token equal, and its two sides are synonyms (``Synonyms.same``): "can I hire a bike" /
    "can I rent a bike". Never where the span holds a number, a unit, a sign or a name
    (capitalised mid-sentence: "Oslo" / "Bergen" are no synonyms whatever a table says),
    nor where it is what a "what is ..." question asks about (the span ends the text, and
    at most an article and a word come between): that asks what the word itself names,
    and a synonym there is another definition ("what is a deposit" / "... a deposition").
    """
    prefix, suffix = common_ends(a, b)
    left, right = a[prefix:len(a) - suffix], b[prefix:len(b) - suffix]
    if not (0 < len(left) <= SYNONYM_SPAN and 0 < len(right) <= SYNONYM_SPAN):
        return False
    if any(t.kind != "word" or t.name or not t.text.isalpha() for t in (*left, *right)):
        return False
    if not suffix and prefix <= _DEFINED_AFTER + 2 and [t.text for t in a[:2]] in (
            ["what", "is"], ["what", "are"]):
        return False
    return synonyms.same([_unaccented(t.text) for t in left],
                         [_unaccented(t.text) for t in right])


def _unaccented(word: str) -> str:
    """"résumé" as the table writes it: "resume"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(c))


def _align(a: Sequence[Token], b: Sequence[Token], pieces: Pieces, short_forms: bool = False
           ) -> Respelling | None:
    """Breadth-first over (i, j): both sequences consumed by equal tokens or explained
    spans. Texts are short; each state is visited once."""
    start = (0, 0)
    seen: dict[tuple[int, int], frozenset[str]] = {start: frozenset()}
    frontier = [start]
    goal = (len(a), len(b))
    while frontier:
        nxt: list[tuple[int, int]] = []
        for i, j in frontier:
            used = seen[(i, j)]
            if (i, j) == goal:
                return tuple(sorted(used))
            for di, dj, kind in _steps(a, b, i, j, pieces, short_forms):
                state = (i + di, j + dj)
                if state not in seen:
                    seen[state] = used | {kind} if kind else used
                    nxt.append(state)
        frontier = nxt
    return None


def _steps(a: Sequence[Token], b: Sequence[Token], i: int, j: int, pieces: Pieces,
           short_forms: bool = False) -> list[tuple[int, int, str]]:
    steps: list[tuple[int, int, str]] = []
    if i < len(a) and j < len(b):
        x, y = a[i], b[j]
        if _same_token(x, y):
            steps.append((1, 1, ""))
        elif {x.text, y.text} <= _ARTICLES | {"per"} and "the" not in (x.text, y.text) and (
                "per" not in (x.text, y.text) or _before_unit(a, i) and _before_unit(b, j)):
            steps.append((1, 1, "format"))  # "a" / "an"; "a month" / "per month"
        else:
            kind = _one_for_one(x, y, pieces)
            if kind:
                steps.append((1, 1, kind))
    for mine, theirs, k, m, flip in ((a, b, i, j, False), (b, a, j, i, True)):
        if k >= len(mine):
            continue
        tok = mine[k]
        if tok.kind == "unit" and tok.text in _CURRENCIES and k > 0 \
                and mine[k - 1].kind == "number" and (
                    m >= len(theirs) or theirs[m].kind != "unit"):
            steps.append((0, 1, "format") if flip else (1, 0, "format"))  # "$20,000" / "20k"
        if tok.text in _ARTICLES and (_short_at(mine, k + 1) or _short_at(theirs, m)):
            steps.append((0, 1, "acronym") if flip else (1, 0, "acronym"))  # "an MRI" / "MRI"
    for mine, theirs, k, m, flip in ((a, b, i, j, False), (b, a, j, i, True)):
        if k >= len(mine) or m >= len(theirs):
            continue
        for span, kind in _one_for_many(mine[k], theirs, m, pieces):
            steps.append((span, 1, kind) if flip else (1, span, kind))
        if short_forms:
            unit = _before_unit(mine, k) or k + 1 < len(mine) and mine[k + 1].text in _UNIT_OF
            for span in short_form_spans(mine[k], unit, theirs, m):
                steps.append((span, 1, "short form") if flip else (1, span, "short form"))
    return steps


def _same_token(x: Token, y: Token) -> bool:
    """One token on both sides. A formula's letters (or a plural "s") against a unit:
    only the unit written with the same letters ("NH4Cl" / "NH4 Cl", "under-14s" / "under
    14s"; "NH4Cl" / "NH4 centilitre" none)."""
    if x.formula and y.kind == "unit":
        return y.written == x.text
    if y.formula and x.kind == "unit":
        return x.written == y.text
    return x.text == y.text


def _before_unit(tokens: Sequence[Token], k: int) -> bool:
    return k + 1 < len(tokens) and tokens[k + 1].kind == "unit"


def _short_at(tokens: Sequence[Token], k: int) -> bool:
    return k < len(tokens) and tokens[k].short


def _one_for_one(x: Token, y: Token, pieces: Pieces) -> str:
    kinds = {x.kind, y.kind}
    word = x if x.kind == "word" else y
    if kinds == {"word", "unit"} and len(word.text) > 1 and not word.formula \
            and word.text not in ("min", "in", "sec", "mo") \
            and _UNIT_OF.get(x.text, x.text) == _UNIT_OF.get(y.text, y.text):
        return "format"  # "oz" / "ounces" with no number before it; "min" may be minimum
    if not kinds <= {"word", "unit"} or kinds == {"unit"}:
        return ""  # two units are one only when they are the same unit
    if _acronym(x, [y], pieces) or _acronym(y, [x], pieces):
        return "acronym"
    if _clipped(x.letters, y.letters, pieces) or _clipped(y.letters, x.letters, pieces):
        return "clipping"
    if not _two_names(x, y, pieces) and (_typo(x.letters, y.letters, pieces)
                                         or _short_typo(x, y, pieces)):
        return "typo"
    return ""


def _one_for_many(short: Token, other: Sequence[Token], start: int, pieces: Pieces
                  ) -> list[tuple[int, str]]:
    """Spans of ``other`` from ``start`` (two words or more) that ``short`` stands for."""
    found: list[tuple[int, str]] = []
    if short.kind == "numeronym":
        first, count, last = short.text.split("_")
        word = other[start]
        if (word.kind == "word" and len(word.text) == int(count) + 2
                and word.text[0] == first and word.text[-1] == last):
            found.append((1, "numeronym"))
        return found
    if short.kind not in ("word", "unit"):
        return found
    if start + 1 < len(other):
        joined = other[start].text + other[start + 1].text
        if other[start].kind == other[start + 1].kind == "word" and joined == short.text:
            found.append((2, "compound"))
    if short.short:
        for span in range(2, min(len(short.letters) + 3, len(other) - start) + 1):
            if _acronym(short, other[start:start + span], pieces):
                found.append((span, "acronym"))
    return found


# Codes a word of no vocabulary is never a respelling of: file extensions and currencies.
_CODES = FILE_EXTENSIONS | CURRENCY_CODES
# A word this short that no vocabulary holds is a code or a short form (MiniLM's holds the
# short words of English): tickers, formats, model and product codes.
_CODE_MAX = 4


def _two_names(x: Token, y: Token, pieces: Pieces) -> bool:
    """Two names one slip apart, not one name with a typo: both written in
    capitals ("USDT" / "USDC", "GDP" / "GBP"; not CamelCase: "WiFi" / "WiiF" is a slip), a
    known code (``_CODES``) against a word of no vocabulary ("doc" / "docx", "usd" /
    "usdt"), or two short words of no vocabulary (``_CODE_MAX``) that differ in their last
    letter or by one letter added at the end ("usdt" / "usdc", "xls" / "xlsx", "json" /
    "jsonl"): codes end in the letter that tells them apart. A slip in a longer word
    ("delet" / "delete", "refil" / "refill": neither in the vocabulary) or next to a word
    of the vocabulary ("bil" / "bill") stays a typo."""
    if x.short and y.short and not (x.camel or y.camel):
        return True
    a, b = x.letters, y.letters
    known_a, known_b = len(pieces(a)) == 1, len(pieces(b)) == 1
    if (a in _CODES and not known_b) or (b in _CODES and not known_a):
        return True
    at_end = a[:-1] == b[:-1] if len(a) == len(b) else a.startswith(b) or b.startswith(a)
    return (not (known_a or known_b) and min(len(a), len(b)) <= _CODE_MAX
            and abs(len(a) - len(b)) <= 1 and at_end)


def _typo(x: str, y: str, pieces: Pieces) -> bool:
    """``pair_features.misspelt`` (one of the two no word of the vocabulary) at one edit,
    not two ("Medicare" / "Medicaid", "megabits" / "megabytes", "transform" /
    "transformer" are two words), no word with an inflection or prefix added, and one
    letter put for another only where it looks like a slip (``_looks_slipped``, R3)."""
    if not (x.isalpha() and y.isalpha()) or _inflected(x, y) or _two_stems(x, y, pieces):
        return False
    return ((len(pieces(x)) > 1 or len(pieces(y)) > 1) and misspelt(x, y)
            and _osa_distance(x, y, 1) <= 1 and _looks_slipped(x, y))


def _looks_slipped(x: str, y: str) -> bool:
    """R3 (session 36): one letter put for another is a slip only where it looks like one:
    not the word's first letter ("recwive" / "receive", "seperate" / "separate"), or at the
    first letter a key next to the other ("rhe" / "the"), or the same letter with or without
    an accent ("café" / "cafe"). A first letter changed for a key away from it is another
    word ("goroutine" / "coroutine", "jython" / "python"): typists rarely slip there but onto
    a neighbouring key. Any other edit (a letter doubled, dropped or added, two swapped:
    "teh" / "the") is read as before."""
    if len(x) != len(y):
        return True
    at = [k for k, (a, b) in enumerate(zip(x, y, strict=True)) if a != b]
    if len(at) != 1:
        return True
    k = at[0]
    a, b = x[k], y[k]
    return k > 0 or b in _KEYS_NEAR.get(a, ()) or _unaccented(a) == _unaccented(b)


def _two_stems(x: str, y: str, pieces: Pieces) -> bool:
    """Two words of one length, each a word of the vocabulary of three letters or more
    with the same word pieces after it, that differ in one letter of it: two words with
    one ending ("waxing" / "waning": "wax", "wan" + "##ing"), no slip."""
    px, py = pieces(x), pieces(y)
    return (len(x) == len(y) and len(px) == len(py) > 1 and px[1:] == py[1:]
            and min(len(px[0]), len(py[0])) >= 3 and px[0] != py[0]
            and sum(a != b for a, b in zip(x, y, strict=True)) == 1)


def _short_typo(x: Token, y: Token, pieces: Pieces) -> bool:
    """A word of three letters and one edit ("yuo" / "you", "hve" / "have", "bil" /
    "bill"), which ``misspelt`` leaves alone (two short words one edit apart are often two
    words: "cat" / "car"): only where one of the two is a word of the vocabulary (one word
    piece) and the other is none (several), written in lower case (no acronym: "GDP" /
    "GBP"), no inflection or prefix added (``_inflected``), and one letter put for another
    only where it looks like a slip (``_looks_slipped``, R3)."""
    if x.kind != "word" or y.kind != "word" or x.short or y.short:
        return False
    a, b = x.text, y.text
    if (not (a.isalpha() and b.isalpha()) or min(len(a), len(b)) != 3 or len(a) + len(b) > 8
            or _inflected(a, b)):
        return False
    whole_a, whole_b = len(pieces(a)) == 1, len(pieces(b)) == 1
    if whole_a == whole_b or _osa_distance(a, b, 1) > 1:
        return False
    shorter, longer, whole = (a, b, whole_a) if len(a) < len(b) else (b, a, whole_b)
    if len(shorter) == len(longer):
        return _looks_slipped(a, b)  # R3: "tge" / "the", not "bhe" / "the"
    return not whole or _struck(shorter, longer)


def _struck(word: str, longer: str) -> bool:
    """``longer`` is ``word`` with one letter added by a slip of the hand: the letter
    doubles its neighbour or is a key next to it ("kit" / "kitt", "end" / "ened"); a word
    of the vocabulary with another letter added is often another word ("ups" / "usps")."""
    k = next((i for i, x in enumerate(word) if x != longer[i]), len(word))
    added = longer[k]
    return any(added == n or n in _KEYS_NEAR.get(added, ())
               for n in (longer[k - 1] if k else "", longer[k + 1:k + 2]) if n)


# QWERTY rows and how far each is shifted right (in keys): a key's neighbours are the
# keys beside it and those of the rows above and below less than a key's width away.
_KEYBOARD = (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
_KEYS_NEAR: dict[str, frozenset[str]] = {
    key: frozenset(other for r2, (row2, shift2) in enumerate(_KEYBOARD)
                   for c2, other in enumerate(row2)
                   if other != key and abs(r2 - r) <= 1 and abs(c2 + shift2 - c - shift) < 1.1
                   and (r2 != r or abs(c2 - c) == 1))
    for r, (row, shift) in enumerate(_KEYBOARD) for c, key in enumerate(row)}


def _inflected(x: str, y: str) -> bool:
    """One word the other with a letter added: a plural, a past, an agent ("s", "d", "r"
    at the end), or a letter in front ("ethanol" / "methanol"): two words, not a typo."""
    longer, shorter = (x, y) if len(x) > len(y) else (y, x)
    return longer in (shorter + "s", shorter + "d", shorter + "r") or longer[1:] == shorter


def _clipped(short: str, long: str, pieces: Pieces) -> bool:
    """``short`` a clipping of ``long``: from ``CLIPPINGS``, or no word of the vocabulary
    whose letters start ``long`` and occur in it in order, ``long`` two letters longer."""
    if short in CLIPPINGS:
        return long in CLIPPINGS[short]
    if any(long == short + ending for ending in _ENDINGS):
        return False  # the word and an inflection of it: "fart" / "farting"
    if (len(short) < 2 or len(long) < len(short) + 2 or short[0] != long[0]
            or not short.isalpha() or not long.isalpha() or len(pieces(short)) == 1):
        return False
    if len(short) > 4 and not long.startswith(short) and 5 * len(short) < 4 * len(long):
        # Five letters or more, no prefix: a misspelling keeps most of the word
        # ("difrence"); one that keeps half of it is a word of its own ("vegan").
        return False
    rest = iter(long)
    return all(c in rest for c in short)


def _acronym(short: Token, words: Sequence[Token], pieces: Pieces) -> bool:
    """Schwartz & Hearst: the short form's letters, in order, start each word of the long
    form (a word may take more of them from later in itself: "kWh" / "kilowatt hour");
    words in ``_SKIPPABLE`` may take none; a number word's or number's letters are its
    digits ("2FA" / "two factor authentication"). One long word: only where it shows a
    word-piece or CamelCase boundary ("JS" / "JavaScript")."""
    if not short.short or not short.letters.replace("&", "").isalnum() \
            or len(short.letters) < 2:
        return False
    # The long form is words, not the short form again ("SAP" is not "SAP PM"); an
    # acronym in it gives its initial like any word ("eSIM" / "embedded SIM").
    letters = short.letters
    if any(w.kind not in ("word", "number", "unit") or w.letters == letters for w in words):
        return False
    if len(words) == 1:
        return _one_word_acronym(letters, words[0], pieces)
    # A unit's letters stand for words one of which is a unit ("kWh" / "kilowatt hour",
    # every unit so expanded in the training sets), never for other words: the "dL" of
    # "mg/dL" is no "deep learning" (session 24). One long word is left as it was ("kW" /
    # "kilowatts": a unit's name the tables lack).
    if short.kind == "unit" and not any(w.kind == "unit" for w in words):
        return False
    texts = [w.letters for w in words]
    return _initials(letters, texts, 0, 0) or (
        letters.endswith("s") and texts[-1].endswith("s")
        and _initials(letters[:-1], texts, 0, 0))


def _initials(short: str, words: list[str], si: int, wi: int) -> bool:
    if wi == len(words):
        return si == len(short)
    word = words[wi]
    if si < len(short) and short[si] == "&":  # "R&D" / "research and development"
        return word == "and" and _initials(short, words, si + 1, wi + 1)
    if word in _SKIPPABLE and wi > 0 and wi < len(words) - 1 and _initials(short, words,
                                                                          si, wi + 1):
        return True
    if si == len(short) or short[si] != word[0]:
        return False
    # This word takes short[si] and then any of the next letters that occur in it in order.
    pos, k = 1, si + 1
    while True:
        if _initials(short, words, k, wi + 1):
            return True
        if k == len(short) or word[0].isdigit():
            return False
        found = word.find(short[k], pos)
        if found < 0:
            return False
        pos, k = found + 1, k + 1


def _one_word_acronym(short: str, word: Token, pieces: Pieces) -> bool:
    if word.kind != "word" or len(word.text) < len(short) + 2 or word.text[0] != short[0]:
        return False
    starts = set(word.camel)
    offset = 0
    for piece in pieces(word.text):
        starts.add(offset)
        offset += len(piece.removeprefix("##"))
    starts.discard(0)
    # Each later letter of the short form starts a piece, in order.
    pos = 0
    for c in short[1:]:
        pos = next((s for s in sorted(starts) if s > pos and word.text[s] == c), -1)
        if pos < 0:
            return False
    return True
