"""Two texts that name different things at the same place: a proper name or a letter code
swapped for another (pure; no I/O). Session 22's E, measured and not shipped (its rule
said no: docs/cache-history.md "Session 22: swapped names and letter codes"): the
layer's change that was measured is ``bench/results/entities-session22-layer.patch``,
which adds this module, as it stood then, as ``llm_router/cache/entities.py`` and has
``MatchPolicy._refused_before_model`` call ``swapped_names`` (a "numbers" refusal).

"Is Ingleborough higher than Pen-y-ghent" and "Is Whernside higher than Pen-y-ghent",
error code "FLO" and error code "OH", Elm's "List" and its "Dict": one name apart, two
answers, and the cross-encoder passed seven such pairs of session 21's unseen writers. The
ids check (``quantities.ids``) reads only codes that hold a digit. Where the two texts
differ (difflib's alignment, ``codes.replaced``, as the stances check reads it), a name
on one side against a different name on the other side at the same place refuses the
pair (``swapped_names``), as a changed id does.

A text's names are read from its respelling tokens (``spelling.reading``, which keeps case
until a word is cut out: "US" / "United States" are already one there):

- a proper name: a word written with a capital (first letter or inside: "Oslo",
  "JavaScript", "iPhone") that does not start a sentence ("Which" after a full stop is no
  name), or a run of them ("Ernie Ball");
- a letter code: a word of two to six letters written in capitals ("FLO", "OH", "PINs"),
  wherever it stands;
- a country the aliases name ("US", "the United Kingdom", "EU": the respelling tokens
  hold them as "usa", "uk", "eu", ``_ALIASED``), however written;
- never a common word capitalised for emphasis or politeness (``FUNCTION_WORDS``,
  ``NEGATIONS``, ``NOT_NAMES``: "Please", "NOT", "OK", "I"), nor any word of a text
  written in title case or in capitals throughout (most of its words after the first so
  written: its case says nothing). A letter code in a title-case text is still one;
- never the name a greeting addresses ("Hi Sarah", "thanks Tom": ``GREETINGS``), which
  is no part of the question.

Two name runs the respelling check calls one (``spelling``'s case, acronyms, clippings,
typos, short forms: "NYC" / "New York City", "JS" / "JavaScript", "Mon" / "Monday",
"Ingelborough" / "Ingleborough"), or that the synonym table calls synonyms, are no swap.
A name on one side only is an insertion, left to the verifier, as is a name the other text
names anywhere (a reordering: "Tesco takes Apple Pay" / "can I use Apple Pay at Tesco").
Lower-case writing ("donald trump" / "joe biden") and a name against a common noun ("in
Leeds" / "in my town") are not read: they are the verifier's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from llm_router.cache.codes import replaced
from llm_router.cache.lexicon import FUNCTION_WORDS, NEGATIONS, NOT_NAMES
from llm_router.cache.spelling import Token, _align, reading

if TYPE_CHECKING:
    from llm_router.cache.synonyms import Synonyms

Pieces = Callable[[str], Sequence[str]]

CODE_LETTERS = (2, 6)  # a letter code's shortest and longest
# A text whose words after the first are this share or more written with a capital (or in
# capitals), with at least ``CASED_WORDS`` of them, is in title case (or shouted): no
# name is read from its case.
CASED_SHARE = 0.6
CASED_WORDS = 3
_COMMON = FUNCTION_WORDS | NEGATIONS | NOT_NAMES
# What ``pair_features``' aliases write for a country ("US", "United States", "America":
# "usa"), in lower case: names wherever they stand.
_ALIASED = frozenset(("usa", "uk", "eu"))
# Their adjectives, one name with them ("a US zip code" / "an American ZIP code").
_ADJECTIVES = {"usa": frozenset(("american", "americans")),
               "uk": frozenset(("british", "brit", "brits"))}
# Words after which a name is whom the text addresses ("thank you" ends in "you").
GREETINGS = frozenset(("hi", "hello", "hey", "dear", "thanks", "cheers", "thank", "you"))
NAMES_KEPT = 2048  # texts whose names ``names_of`` keeps
# "At the same place": a span where the texts differ of at most this many words a side
# (a name swapped for a name: "in Leeds" / "in York", "D'Addario" / "Ernie Ball"); longer
# spans are a sentence reworded, where a name may stand for a related one ("the pyramids
# of Giza" / "the pyramids in Egypt" reads the same in several words), left to the verifier.
SPAN_MAX = 3
# Words around the other side's span an acronym may also take ("the IFSC" / "the Indian
# Financial System Code": "Code" is a word both texts share; "the FAFSA" / "the Free
# Application for Federal Student Aid": "for" is).
_AROUND = 2


@dataclass(frozen=True)
class Names:
    tokens: tuple[Token, ...]  # the text's respelling tokens
    words: tuple[str, ...]  # their texts (lower case), as ``codes.replaced`` aligns them
    places: frozenset[int]  # which of them are proper names or letter codes


def read_names(tokens: Sequence[Token]) -> Names:
    """Which of a text's respelling tokens are proper names or letter codes."""
    words = tuple(t.text for t in tokens)
    code = [t.kind == "word" and t.short and not t.camel and t.text.isalpha()
            and CODE_LETTERS[0] <= len(t.text) <= CODE_LETTERS[1] for t in tokens]
    capital = [t.kind == "word" and t.text.isalpha() and (t.name or bool(t.camel))
               for t in tokens]
    rest = [k for k in range(1, len(tokens)) if tokens[k].kind == "word"
            and tokens[k].text.isalpha()]
    titled = sum(1 for k in rest if capital[k] or code[k])
    shouted = sum(1 for k in rest if code[k])
    title_case = titled >= CASED_WORDS and titled >= CASED_SHARE * len(rest)
    capitals = shouted >= CASED_WORDS and shouted >= CASED_SHARE * len(rest)
    places = frozenset(
        k for k, t in enumerate(tokens)
        if t.text not in _COMMON and len(t.text) >= 2
        and not (k and _greets(tokens, k - 1))
        and (t.text in _ALIASED or (code[k] and not capitals)
             or (capital[k] and not code[k] and not title_case)))
    return Names(tuple(tokens), words, places)


def _greets(tokens: Sequence[Token], k: int) -> bool:
    """The token at ``k`` greets or thanks whom the next word names ("hi", "thank you")."""
    word = tokens[k].text
    return word in GREETINGS and (word != "you" or (k > 0 and tokens[k - 1].text == "thank"))


@lru_cache(maxsize=NAMES_KEPT)
def names_of(text: str) -> Names:
    """``read_names`` of a text's respelling tokens, kept (the respelling check, asked
    first of every candidate, has read the tokens of any text up to its ``MAX_CHARS``)."""
    return read_names(reading(text).tokens)


def swapped_names(a: str, b: str, pieces: Pieces, synonyms: Synonyms | None = None
                  ) -> tuple[str, str] | None:
    """A proper name or letter code of one text against a different one of the other at
    the same place (``swapped``): the two (as run of words, lower case), or None."""
    return swapped(names_of(a), names_of(b), pieces, synonyms)


def swapped(a: Names, b: Names, pieces: Pieces, synonyms: Synonyms | None = None
            ) -> tuple[str, str] | None:
    """Where the two texts differ (``codes.replaced``) in a span of at most ``SPAN_MAX``
    words a side, a run of names in one side's span and a run of names in the other
    side's, neither the same name as words of the other span by the respelling check
    (``spelling``'s forms, short forms included), the synonym table or ``_one_name``, and
    no word of either found anywhere in the other text: the two runs, or None. Names
    found in both texts are never compared (a set difference first, so most pairs cost
    two set operations)."""
    if not a.places or not b.places:
        return None
    a_words, b_words = set(a.words), set(b.words)
    if (all(a.words[k] in b_words for k in a.places)
            or all(b.words[k] in a_words for k in b.places)):
        return None
    for i1, i2, j1, j2 in replaced(a.words, b.words):
        if i2 - i1 > SPAN_MAX or j2 - j1 > SPAN_MAX:
            continue
        mine = [r for r in _runs(a, i1, i2) if not any(a.words[k] in b_words for k in r)]
        theirs = [r for r in _runs(b, j1, j2) if not any(b.words[k] in a_words for k in r)]
        if not mine or not theirs:
            continue
        mine = [r for r in mine if not _same(a, r, b, j1, j2, pieces, synonyms)]
        theirs = [s for s in theirs if not _same(b, s, a, i1, i2, pieces, synonyms)]
        if mine and theirs:
            return (" ".join(a.words[k] for k in mine[0]),
                    " ".join(b.words[k] for k in theirs[0]))
    return None


def _runs(names: Names, start: int, end: int) -> list[range]:
    """The runs of consecutive name places in ``[start, end)``."""
    runs: list[range] = []
    k = start
    while k < end:
        if k in names.places:
            first = k
            while k < end and k in names.places:
                k += 1
            runs.append(range(first, k))
        else:
            k += 1
    return runs


def _same(a: Names, r: range, b: Names, j1: int, j2: int, pieces: Pieces,
          synonyms: Synonyms | None) -> bool:
    """A run of names of ``a`` and the words ``b[j1:j2]`` (a span where the texts differ)
    name one thing: some run of words that overlaps that span (up to ``_AROUND`` words
    either side of it) is the same name by the respelling check (short forms on:
    "DMV" / "Department of Motor Vehicles") or the synonym table,
    or one of the run's words and one of the span's are one name's forms (``_one_name``:
    "Saturdays" / "Saturday", "Egypt" / "Egyptian", "EU" / "Europe")."""
    left = a.tokens[r.start:r.stop]
    words = [t.text for t in left]
    for start in range(max(j1 - _AROUND, 0), j2):
        for stop in range(max(start + 1, j1 + 1), min(j2 + _AROUND, len(b.tokens)) + 1):
            right = b.tokens[start:stop]
            if _align(left, right, pieces, short_forms=True) is not None or (
                    synonyms is not None and synonyms.same(words, [t.text for t in right])):
                return True
    return any(_one_name(x, y) for x in words for y in b.words[j1:j2])


def _one_name(x: str, y: str) -> bool:
    """Two forms of one name: one the other's start, or so once a final "s" and then a
    final vowel are dropped from the shorter ("Saturdays" / "Saturday", "Egypt" / "Egyptian", "EU" /
    "European", "Rome" / "Roman", "Canada" / "Canadian", "Mac" / "MacBook"; "Austria" /
    "Australia" stay two), or an aliased country and its adjective ("US" / "American",
    "UK" / "British": ``_ADJECTIVES``)."""
    if y in _ADJECTIVES.get(x, ()) or x in _ADJECTIVES.get(y, ()):
        return True
    short, long = sorted((x, y), key=len)
    if len(short) < 2 or not (short.isalpha() and long.isalpha()):
        return False
    if long.startswith(short):
        return True
    bare = short.removesuffix("s")
    bare = bare[:-1] if bare[-1:] in ("a", "e", "i", "o", "u", "y") else bare
    return len(bare) >= 3 and long.startswith(bare)
