"""Two texts that ask about different things of one kind at the same place: a common noun
swapped for a WordNet sister (session 22's candidate H, built for session 23's decision;
not in the lookup, pure but for reading WordNet).

"Nylon strings or gut strings for a harp", "clavichords" / "spinets", "male" / "female
geckos": one lower-case noun apart, two answers, and entity swaps of this kind were 7 of
session 22's 17 unseen false hits. E (``entities.py``) reads only proper names and letter
codes. H: where the two texts differ (``codes.replaced``, the stances check's
alignment), in a span of at most ``SPAN_MAX`` words a side, a noun of one side and a noun
of the other (at the same place in the span where the two spans are of one length:
"leaking tap" / "dripping faucet" compares "tap" with "faucet", never "dripping") whose
base forms are WordNet sisters (``Hypernyms.sisters``) refuse the pair,
unless the synonym table calls the two the same, or either text names both (a word of one
found anywhere in the other: a reordering or a comparison, "nylon or gut" / "gut or
nylon"). A word E reads as a proper name or letter code ("Europe" / "Asia") is E's, not
H's.

Sisters are two nouns with a common direct hypernym among their first ``SENSES`` senses
and no synset in common ("male" / "female", "mean" / "median", "tea" / "coffee"; in
WordNet 3.0 "clavichord" / "spinet" and "nylon" / "gut" are further apart). A noun and its own
hypernym ("pony" / "horse", "my laptop" / "my computer") are not sisters: the more
general word is how a paraphrase often names the same thing, so it is no swap.

The data: the layer's synonym table (``data/synonyms/synonyms.txt``) keeps synsets'
lemmas, antonym pairs and inflections, no hypernym, so H reads WordNet's noun database
(``data.noun``, ``index.noun``, ``noun.exc``) from a folder (``Hypernyms.read``). In the
lookup it would need ``train/synonyms.py`` to export, per noun lemma, the numbers of its
first senses' direct hypernyms (``Hypernyms.lines``: "h<TAB>lemma<TAB>numbers").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from entities import SPAN_MAX, Names, names_of

from llm_router.cache.codes import replaced
from llm_router.cache.lexicon import FUNCTION_WORDS, NEGATIONS, NOT_NAMES

if TYPE_CHECKING:
    from llm_router.cache.synonyms import Synonyms

SENSES = 3  # a noun's first senses read, as the synonym table reads them
# How many hypernym steps up two nouns may meet: 1, sisters (a common direct hypernym:
# "person" for "male" / "female", "beverage" for "tea" / "coffee"); 2, cousins too ("cob" /
# "Shetland pony" in WordNet 3.0), read as a variant only (``--depth``), never H.
DEPTH = 1
MIN_LETTERS = 3  # shorter words ("pc", "tv") are never read as nouns here
_COMMON = FUNCTION_WORDS | NEGATIONS | NOT_NAMES
# WordNet's detachment rules for nouns (morphy): ending and replacement.
_DETACH = (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
           ("shes", "sh"), ("men", "man"), ("ies", "y"))


@dataclass(frozen=True)
class Hypernyms:
    # noun lemma (lower case, "_" a space) -> (its first senses' synsets, their direct
    # hypernyms' synsets); instance hypernyms ("@i": a name's class) are not read
    senses: Mapping[str, tuple[frozenset[str], frozenset[str]]]
    exceptions: Mapping[str, tuple[str, ...]]  # noun.exc: "geese" -> ("goose",)

    @classmethod
    def read(cls, wordnet: Path, senses: int = SENSES, depth: int = DEPTH) -> Hypernyms:
        """From a WordNet database folder (``data.noun``, ``index.noun``, ``noun.exc``);
        a lemma's hypernyms up to ``depth`` steps."""
        parents: dict[str, list[str]] = {}
        for line in (wordnet / "data.noun").read_text("utf-8").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            fields = line.split(" | ", 1)[0].split()
            count = int(fields[3], 16)
            k = 4 + 2 * count
            pointers = [fields[k + 1 + 4 * n: k + 5 + 4 * n] for n in range(int(fields[k]))]
            parents[fields[0]] = [target for symbol, target, pos, _ in pointers
                                  if symbol == "@" and pos == "n"]
        table: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        for line in (wordnet / "index.noun").read_text("utf-8").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, synsets = fields[0].replace("_", " "), int(fields[2])
            offsets = fields[-synsets:][:senses]  # in sense order, the most tagged first
            up: set[str] = set()
            step = set(offsets)
            for _ in range(depth):
                step = {p for o in step for p in parents.get(o, ())}
                up |= step
            table[lemma] = (frozenset(offsets), frozenset(up))
        exceptions: dict[str, list[str]] = defaultdict(list)
        exc = wordnet / "noun.exc"
        for line in exc.read_text("utf-8").splitlines() if exc.is_file() else ():
            form, *bases = line.split()
            exceptions[form.replace("_", " ")] += [b.replace("_", " ") for b in bases]
        return cls(table, {k: tuple(v) for k, v in exceptions.items()})

    def bases(self, word: str) -> set[str]:
        """The noun lemmas a word may be: itself, its exception list's, morphy's."""
        found = {word, *self.exceptions.get(word, ())}
        for ending, repl in _DETACH:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                found.add(word[:-len(ending)] + repl)
        return {w for w in found if w in self.senses}

    def sisters(self, x: str, y: str) -> bool:
        """Some base form of each shares a hypernym (up to the table's depth) with one of
        the other's, and no pair of their base forms shares a synset (a synonym), is one
        lemma, or is a hypernym of the other (within that depth: "pony" / "horse")."""
        left, right = self.bases(x), self.bases(y)
        if not left or not right or left & right:
            return False
        s = self.senses
        if any(s[a][0] & s[b][0] or s[a][0] & s[b][1] or s[a][1] & s[b][0]
               for a in left for b in right):
            return False
        return any(self.senses[a][1] & self.senses[b][1] for a in left for b in right)

    def lines(self) -> list[str]:
        """The table ``train/synonyms.py`` would export for H: one line a noun lemma with
        hypernyms, "h<TAB>lemma<TAB>its first senses' direct hypernyms' offsets", and the
        synsets it is in would need the same numbering as the table's groups (a group
        holds two lemmas or more: a lone lemma's synset is no group, so H would carry
        them too: "s<TAB>lemma<TAB>offsets")."""
        out = []
        for lemma, (own, up) in sorted(self.senses.items()):
            if up:
                out.append(f"h\t{lemma}\t{' '.join(sorted(up))}")
                out.append(f"s\t{lemma}\t{' '.join(sorted(own))}")
        return out


def _nouns(names: Names, start: int, end: int, other: set[str]) -> list[tuple[int, str]]:
    """The words of ``[start, end)`` H reads: alphabetic, not a function word, not one E
    reads as a proper name or letter code (E's to judge), not found in the other text."""
    return [(k, w) for k, w in enumerate(names.words[start:end], start)
            if w.isalpha() and len(w) >= MIN_LETTERS and k not in names.places
            and w not in _COMMON and w not in other]


def swapped_sisters(a: str, b: str, hypernyms: Hypernyms, synonyms: Synonyms | None = None
                    ) -> tuple[str, str] | None:
    """A noun of one text against a WordNet sister of the other at the same place: the
    two (lower case), or None (see the module's docstring)."""
    return sisters_swapped(names_of(a), names_of(b), hypernyms, synonyms)


def sisters_swapped(left: Names, right: Names, hypernyms: Hypernyms,
                    synonyms: Synonyms | None = None) -> tuple[str, str] | None:
    """``swapped_sisters`` of two texts' names (``names_of``), as E's ``swapped`` reads
    them: what H's added CPU times past the respelling tokens the lookup keeps."""
    a_set, b_set = set(left.words), set(right.words)
    for i1, i2, j1, j2 in replaced(left.words, right.words):
        if i2 - i1 > SPAN_MAX or j2 - j1 > SPAN_MAX:
            continue
        mine, theirs = _nouns(left, i1, i2, b_set), _nouns(right, j1, j2, a_set)
        for k, x in mine:
            for m, y in theirs:
                if (i2 - i1 == j2 - j1 and k - i1 != m - j1) or not hypernyms.sisters(x, y):
                    continue  # spans of one length: word against word at its place
                if not (synonyms is not None and synonyms.same([x], [y])):
                    return x, y
    return None
