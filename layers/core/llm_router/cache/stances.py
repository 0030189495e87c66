"""Two texts that ask about one thing from opposite sides (pure; no I/O).

"What are the arguments for a four-day week" and "... against a four-day week", "the pros
of renting" and "the cons of renting": one word apart, two answers, and every model here
reads them as one question. Where the two texts differ (difflib's alignment, as
``codes``), one side's word against the other side's at the same place refuses the pair
(``lexicon.STANCES``); a text that names both sides of a group ("pros and cons") is left
to the verifier, as is a stance on one side only.
"""

from __future__ import annotations

from collections.abc import Sequence

from llm_router.cache.codes import replaced
from llm_router.cache.lexicon import STANCES

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
                    b_places: tuple[Place, ...], one_negated: bool = False) -> bool:
    """One text names one side of a group where the other names the other side, at the
    same place (a side's words overlap one span where the texts differ), and neither
    names both sides. ``one_negated``: one text has a negation and the other none, which
    may turn a side into the other ("vote against" / "not vote for"): left alone."""
    if one_negated:
        return False
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
