"""Session 25's W3 as measured and not shipped (the lead's rule said no: N 2 < 3): the
fixed list L of direction opposites WordNet pairs no antonyms for, read beside the synonym
table's antonym pairs by the layer's ``stances.opposite_words`` (session 24's W2, unchanged)
through a table whose ``opposites`` hold L's pairs too (``WithDirections``). The layer
change that was measured (L in ``lexicon``, the same reading in ``stances``) is
``bench/results/antonyms-w3-session25-layer.patch``; this module reads exactly what it
read, so ``bench/antonym_rule.py fire --candidate W3`` finds the same pairs without it.

L, written before any run (the brief's list; no tuning on any data):

- verb and adjective pairs, each word through the table's base forms ("loosened" ->
  "loosen", "narrower" -> "narrow", "thinner" -> "thin": WordNet's detachment rules and
  exception list, as W2 reads words) (``DIRECTIONS``);
- compass and flow compounds, one word or hyphened ("north-bound": the word view drops
  the hyphen and keeps two words, so "north bound" reads so too; ``HYPHENED``);
- the prefix families "up" + X / "down" + X and "over" + X / "under" + X, X the same
  string of at least 3 letters, both words lemmas of the shipped synonym table (its word
  list) or words of ``DIRECTIONS``: "upstream" / "downstream", "uphill" / "downhill",
  "overrate" / "underrate". "upload", "download", "downgrade", "overpaid", "overcooked"
  are no lemmas of the table (it keeps a lemma only where it shares a synset with
  another among its first senses), so those families do not reach them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from llm_router.cache.stances import opposite_words
from llm_router.cache.synonyms import Synonyms

DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("loosen", "tighten"), ("lengthen", "shorten"), ("widen", "narrow"),
    ("broaden", "narrow"), ("thicken", "thin"), ("strengthen", "weaken"),
    ("soften", "harden"), ("darken", "lighten"), ("brighten", "dim"), ("quicken", "slow"),
    ("raise", "lower"), ("enlarge", "shrink"), ("import", "export"),
    ("ascending", "descending"), ("incoming", "outgoing"), ("clockwise", "anticlockwise"),
    ("clockwise", "counterclockwise"),
    # compass and flow compounds, one word or hyphened (``HYPHENED``)
    ("northbound", "southbound"), ("eastbound", "westbound"), ("inbound", "outbound"),
    ("inflow", "outflow"),
)
# The compounds also read where a hyphen splits them ("north-bound", "counter-clockwise").
HYPHENED: tuple[tuple[str, str], ...] = (
    ("north", "bound"), ("south", "bound"), ("east", "bound"), ("west", "bound"),
    ("in", "bound"), ("out", "bound"), ("in", "flow"), ("out", "flow"),
    ("counter", "clockwise"))
PREFIXES: tuple[tuple[str, str], ...] = (("up", "down"), ("over", "under"))
PREFIXED_REST = 3  # letters of X at least

_JOINED = {parts: "".join(parts) for parts in HYPHENED}
_HEADS = frozenset(head for head, _ in HYPHENED)


@dataclass(frozen=True)
class WithDirections(Synonyms):
    """The synonym table with L's pairs among its ``opposites``: WordNet's antonym pairs,
    ``DIRECTIONS``'s and the prefix families' found among its lemmas."""

    @classmethod
    def of_table(cls, table: Synonyms) -> WithDirections:
        return cls(table.groups, table.starts, table.antonyms, table.exceptions)

    @cached_property
    def opposites(self) -> Mapping[str, frozenset[str]]:
        found = {lemma: set(others) for lemma, others in super().opposites.items()}
        for x, y in (*DIRECTIONS, *self.prefixed()):
            found.setdefault(x, set()).add(y)
            found.setdefault(y, set()).add(x)
        return {lemma: frozenset(others) for lemma, others in found.items()}

    def prefixed(self) -> list[tuple[str, str]]:
        """The prefix families' pairs: "up" + X and "down" + X (or "over" + X and "under"
        + X) both lemmas of the table or words of ``DIRECTIONS``, X at least
        ``PREFIXED_REST`` letters."""
        heads = "|".join(head for pair in PREFIXES for head in pair)
        words = {m.decode() for m in re.findall(
            rb"(?m)^g\t((?:" + heads.encode() + rb")[^\t]*)\t", self.groups)}
        words |= {w for pair in DIRECTIONS for w in pair}
        return sorted((head + rest, other + rest) for head, other in PREFIXES
                      for word in words if word.startswith(head)
                      for rest in (word[len(head):],)
                      if len(rest) >= PREFIXED_REST and rest.isalpha()
                      and other + rest in words)


def direction_words(a: Sequence[str], b: Sequence[str], table: WithDirections,
                    ) -> list[tuple[str, str]] | None:
    """W3: two texts that differ in nothing but opposite words, WordNet's or L's (the
    layer's ``opposite_words`` on ``table``), read again with the hyphened compounds
    joined where they are no such pair as written: the pairs, in order, or None."""
    pairs = opposite_words(a, b, table)
    if pairs is None:
        joined_a, joined_b = joined(a), joined(b)
        if joined_a != a or joined_b != b:
            pairs = opposite_words(joined_a, joined_b, table)
    return pairs


def joined(words: Sequence[str]) -> Sequence[str]:
    """The words with each hyphened compound of ``HYPHENED`` joined ("north", "bound" ->
    "northbound"); the words themselves where there is none."""
    if _HEADS.isdisjoint(words):
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        compound = _JOINED.get((words[i], words[i + 1])) if i + 1 < len(words) else None
        out.append(compound or words[i])
        i += 2 if compound else 1
    return tuple(out) if len(out) < len(words) else words
