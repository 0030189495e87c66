"""Guards that refuse a near-miss the embedding alone would accept (pure; no I/O).

An embedding says "these two questions are about the same thing"; it does not say
"they ask the same thing". 'Enable 2FA' and 'disable 2FA' sit at cosine 0.91 with
MiniLM, order 1234 and order 5678 at 0.77, while true paraphrases can sit at 0.72. So a
similar entry answers only when both texts also agree on:

- numbers: amounts, quantities, dates, ids (digits and number words);
- entities: capitalised names (brands, places, products) and temporal words;
- negation: both negated, or neither;
- intent: no opposite poles of one intent group (enable/disable, open/close, ...);
- topic: not the same sentence with one or two content words swapped for others.

Each check compares two ``Signature`` values; a signature depends only on one text, so
a cache computes it once per entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from llm_router.cache.lexicon import (
    CANONICAL_PHRASES,
    FUNCTION_WORDS,
    NEGATIONS,
    NOT_NAMES,
    OPPOSITES,
    TEMPORAL,
    WORD_NUMBERS,
)

GuardName = Literal["numbers", "entities", "negation", "intent", "topic"]
GUARDS: tuple[GuardName, ...] = ("numbers", "entities", "negation", "intent", "topic")

# At most this many content words swapped on each side makes "the same question about
# something else"; a real paraphrase rewords more, or swaps within CANONICAL_PHRASES.
MAX_SWAPPED_WORDS = 2

_PHRASES = sorted(
    ((phrase, canon) for canon, phrases in CANONICAL_PHRASES.items() for phrase in phrases),
    key=lambda pc: -len(pc[0]),
)
_PHRASE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(p) for p, _ in _PHRASES) + r")(?![\w-])"
)
_PHRASE_TO = dict(_PHRASES)
_NUMBER = re.compile(r"[$€£]?\d[\d,]*(?:\.\d+)?")
_ID = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE_END = re.compile(r"[.!?]\s+")


@dataclass(frozen=True)
class Signature:
    numbers: tuple[str, ...]
    entities: frozenset[str]
    negated: bool
    intents: frozenset[tuple[int, int]]  # (group, pole)
    content: frozenset[str]


def signature(text: str) -> Signature:
    canonical = _canonicalize(text.lower())
    numbers = _numbers(canonical)
    entities = _names(text)
    words = [w.replace("’", "'") for w in _WORD.findall(canonical)]
    negated = any(_is_negation(w) for w in words)
    expanded = _expand(words)
    stems = [_stem(w) for w in expanded]
    words_and_stems = set(expanded) | set(stems)
    intents = frozenset(
        (g, pole)
        for g, poles in enumerate(OPPOSITES)
        for pole, group in enumerate(poles)
        if group.intersection(words_and_stems)
    )
    entities |= frozenset(w for w in stems if w in TEMPORAL)
    content = frozenset(
        stem for word, stem in zip(expanded, stems, strict=True)
        if word not in FUNCTION_WORDS and stem not in FUNCTION_WORDS
        and word not in NEGATIONS and word not in WORD_NUMBERS and len(stem) > 1
    )
    return Signature(numbers, entities, negated, intents, content)


def refusal(cached: Signature, query: Signature) -> GuardName | None:
    """The first guard the pair fails, or None when the cached answer may serve."""
    if cached.numbers != query.numbers:
        return "numbers"
    if cached.entities != query.entities:
        return "entities"
    if cached.negated != query.negated:
        return "negation"
    if _opposite(cached.intents, query.intents):
        return "intent"
    if _swapped(cached.content, query.content):
        return "topic"
    return None


def _opposite(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    both = a | b
    return any((g, 1 - pole) in both and a != b for g, pole in both)


def _swapped(a: frozenset[str], b: frozenset[str]) -> bool:
    only_a, only_b = a - b, b - a
    return (bool(only_a) and bool(only_b)
            and len(only_a) <= MAX_SWAPPED_WORDS and len(only_b) <= MAX_SWAPPED_WORDS)


def _canonicalize(lowered: str) -> str:
    return _PHRASE_RE.sub(lambda m: f" {_PHRASE_TO[m.group(1)]} ", lowered)


def _numbers(text: str) -> tuple[str, ...]:
    """Ids, digits and number words in order of appearance: "1 ordered, 2 received" and
    "2 ordered, 1 received" differ. Reads canonical text, where "2FA" is a word."""
    found: list[tuple[int, str]] = []
    for m in _ID.finditer(text):
        token = m.group(0).lower().replace("-", "")
        found.append((m.start(), token))
    stripped = _ID.sub(lambda m: " " * len(m.group(0)), text)
    for m in _NUMBER.finditer(stripped):
        value = m.group(0).lstrip("$€£").replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.append((m.start(), value))
    for m in _WORD.finditer(text.lower()):
        if m.group(0) in WORD_NUMBERS:
            found.append((m.start(), WORD_NUMBERS[m.group(0)]))
    return tuple(dict.fromkeys(value for _, value in sorted(found)))  # first mentions


def _names(text: str) -> frozenset[str]:
    """Capitalised words not at a sentence start, and CamelCase/ALLCAPS anywhere."""
    names: set[str] = set()
    for sentence in _SENTENCE_END.split(text):
        for i, word in enumerate(_WORD.findall(sentence)):
            bare = word[:-2] if word.endswith(("'s", "’s")) else word
            if len(bare) > 2 and bare[:-1].isupper() and bare.endswith("s"):
                bare = bare[:-1]  # "APIs" is "API"
            if len(bare) < 2 or bare.lower() in NOT_NAMES:
                continue
            inner_caps = any(c.isupper() for c in bare[1:])
            if inner_caps or (i > 0 and bare[0].isupper()):
                names.add(bare.lower())
    return frozenset(n for n in names if n not in ("twofa",) and not _is_phrase(n))


def _is_phrase(word: str) -> bool:
    return word in ("mfa", "fa")


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't") or word.endswith("nt'")


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if w.endswith("n't"):
            out.append("not")
        else:
            out.append(w.split("'")[0])
    return out


_SUFFIXES = ("ingly", "edly", "ing", "ed", "ly", "es", "s")


def _stem(word: str) -> str:
    """A light suffix stripper: enough to match 'crashes', 'crashing' and 'crashed'."""
    if word in FUNCTION_WORDS or word in CANONICAL_PHRASES or len(word) <= 3:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix != "s" or not word.endswith(("ss", "us", "is")):
                word = word[: -len(suffix)]
            break
    if word.endswith("i"):
        word = word[:-1] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word
