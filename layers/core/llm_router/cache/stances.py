"""Two texts that ask about one thing from opposite sides (pure; no I/O).

"What are the arguments for a four-day week" and "... against a four-day week", "the pros
of renting" and "the cons of renting": one word apart, two answers, and every model here
reads them as one question. Where the two texts differ (difflib's alignment, as
``codes``), one side's word against the other side's at the same place refuses the pair
(``lexicon.STANCES``); a text that names both sides of a group ("pros and cons") is left
to the verifier, as is a stance on one side only.

Where the synonym table is loaded (``cache.synonyms``, ``synonyms.Synonyms``), two texts
that differ in nothing but opposite words are refused too (session 24's W2): every word
that changed stands against a word at its place whose base forms are a WordNet antonym
pair of the table ("my watch runs fast" / "... runs slow", "the crochet is too tight" /
"... too loose"), and nothing else differs. A reworded text with an antonym somewhere in
it ("what time does the park close" / "until what hour does the park stay open") is left
to the verifier, as are opposites that are no WordNet antonym pair ("sender" /
"recipient") and a text that names both words ("is it fast or slow").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llm_router.cache.codes import aligned, replaced
from llm_router.cache.lexicon import STANCES

if TYPE_CHECKING:
    from llm_router.cache.synonyms import Synonyms

Place = tuple[int, int, int, int]  # start, end (words), group, pole

_POLES = {tuple(phrase.split()): (group, pole) for group, poles in enumerate(STANCES)
          for pole, phrases in enumerate(poles) for phrase in phrases}
_LONGEST = max(len(phrase) for phrase in _POLES)


def stance_places(words: Sequence[str]) -> tuple[Place, ...]:
    """Where a text's words (lower case) name a side of a ``STANCES`` group (longest
    phrase first: "in favour of" is one place)."""
    places: list[Place] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            found = _POLES.get(tuple(words[i:i + n]))
            if found is not None:
                places.append((i, i + n, *found))
                i += n
                break
        else:
            i += 1
    return tuple(places)


def opposite_stance(a: Sequence[str], a_places: tuple[Place, ...], b: Sequence[str],
                    b_places: tuple[Place, ...], one_negated: bool = False,
                    synonyms: Synonyms | None = None) -> bool:
    """One text names one side of a group where the other names the other side, at the
    same place (a side's words overlap one span where the texts differ), and neither
    names both sides; with ``synonyms``, also two texts that differ in nothing but
    opposite words (``opposite_words``). ``one_negated``: one text has a negation and the
    other none, which may turn a side into the other ("vote against" / "not vote for"):
    left alone."""
    if one_negated:
        return False
    return (_opposite_sides(a, a_places, b, b_places)
            or (synonyms is not None and opposite_words(a, b, synonyms) is not None))


def opposite_words(a: Sequence[str], b: Sequence[str], synonyms: Synonyms,
                   ) -> list[tuple[str, str]] | None:
    """Two texts that differ in nothing but opposite words (W2): every span of difflib's
    alignment that is not equal is a replacement of as many words on each side, each word
    against the word at its place an antonym pair by base forms ("fast" / "slow",
    "longer" / "shorter"), and neither text names both words of a pair ("fast or slow" /
    "is it slow" is left to the verifier): the pairs, in order, or None."""
    if len(a) != len(b):  # one-for-one replacements alone keep the lengths equal
        return None
    if not set(a) - set(b) or not set(b) - set(a):
        return None
    opposites = synonyms.opposites
    pairs = []
    for tag, i1, i2, j1, j2 in aligned(a, b):
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 != j2 - j1:
            return None
        for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
            y_bases = synonyms.bases(y)
            if not any(opposites.get(u, frozenset()) & y_bases for u in synonyms.bases(x)):
                return None
            pairs.append((x, y))
    if not pairs:
        return None
    a_bases = set().union(*(synonyms.bases(w) for w in set(a)))
    b_bases = set().union(*(synonyms.bases(w) for w in set(b)))
    if any(synonyms.bases(y) & a_bases or synonyms.bases(x) & b_bases for x, y in pairs):
        return None
    return pairs


def _opposite_sides(a: Sequence[str], a_places: tuple[Place, ...], b: Sequence[str],
                    b_places: tuple[Place, ...]) -> bool:
    mine = {(group, pole) for _, _, group, pole in a_places}
    theirs = {(group, pole) for _, _, group, pole in b_places}
    groups = {group for group, pole in mine - theirs if (group, 1 - pole) in theirs - mine}
    if not groups:
        return False
    for i1, i2, j1, j2 in replaced(a, b):
        here = {(g, p) for start, end, g, p in a_places
                if g in groups and start < i2 and i1 < end}
        there = {(g, p) for start, end, g, p in b_places
                 if g in groups and start < j2 and j1 < end}
        if any((g, 1 - p) in there for g, p in here):
            return True
    return False
