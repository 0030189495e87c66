"""One word for another: WordNet's synonyms, for the respelling check's ``synonym`` form.

The table (``data/synonyms/synonyms.txt``, built by ``train/synonyms.py`` from WordNet
3.1; its sha256 in the folder's ``manifest.json``, WordNet's licence beside it) holds,
for each lemma of one or two words, the synsets it shares with another lemma among its
first senses ("cost" / "price", "beginner" / "novice", "cancel" / "call off", "CV" /
"resume"; no synset of an animal, a plant or a fungus, where WordNet lumps species a
reader must tell apart: "death cap" / "destroying angel"; nor of a synset that lists kinds
or makes of one thing: "fedora" / "homburg", ``train/synonyms.py``'s ``KINDS``, session 32's
rule K), WordNet's antonym pairs, and
its exception list's inflected forms ("bought" -> "buy"). Two words are synonyms when
some base form of each shares a synset and no pair of their base forms is an antonym pair.
A word's base forms are itself, its exception list's, and WordNet's detachment rules
("songs" -> "song", "cancelled" -> "cancel"), each kept only where the table holds it.

Siblings (mean / median, debit / credit), reversals (upload / download), antonyms and
names share no synset, so the words a one-word negative swaps are no synonyms here.
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from llm_router.artefacts import read_verified
from llm_router.errors import ConfigError

DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "synonyms"
TABLE = "synonyms.txt"
# WordNet's detachment rules (morphy), every part of speech: ending, replacement and the
# inflection it undoes ("s": a plural or third person, "ed" a past, "ing", "er", "est").
_DETACH = (("s", "", "s"), ("ses", "s", "s"), ("xes", "x", "s"), ("zes", "z", "s"),
           ("ches", "ch", "s"), ("shes", "sh", "s"), ("men", "man", "s"), ("ies", "y", "s"),
           ("es", "e", "s"), ("es", "", "s"), ("ed", "e", "ed"), ("ed", "", "ed"),
           ("ing", "e", "ing"), ("ing", "", "ing"), ("er", "", "er"), ("est", "", "est"),
           ("er", "e", "er"), ("est", "e", "est"))
# An exception list's form ("bought", "children") stands for a plural or a past; one with
# a comparison's ending ("better", "best") for that comparison.
_IRREGULAR = "irregular"
_STANDS_FOR = {"s", "ed"}
Lemma = tuple[str, str]  # a lemma of the table and the inflection ("" none) it was read with


@dataclass(frozen=True)
class Synonyms:
    # The table's "g" lines as read, sorted: "g<TAB>lemma<TAB>its synsets' numbers\n", and
    # where each starts (and the end), looked up by bisection: a dict of its ~68,000
    # lemmas took 16 ms to build, a list of its lines 4-8 ms, every cold start with the
    # form on paying it; the offsets take one pass of numpy over the bytes, kept as an
    # array of 8-byte integers (a list of Python ints held 2.8 MB more of RSS: 6.9 MB
    # for the loaded table against 4.1, session 19).
    groups: bytes
    starts: Sequence[int]
    antonyms: frozenset[tuple[str, str]]  # sorted pairs
    exceptions: Mapping[str, str]  # inflected form -> its base forms, space-separated

    @classmethod
    def of(cls, table: bytes) -> Synonyms:
        """The table from its file's bytes (``train/synonyms.py`` writes them sorted, the
        antonym ("a") and exception ("e") lines before the lemmas' ("g"))."""
        first = table.find(b"g\t") if table.startswith(b"g\t") else table.find(b"\ng\t") + 1
        antonyms, exceptions = [], {}
        for line in table[:first].decode("utf-8").splitlines():
            kind, key, value = line.split("\t")
            if kind == "a":
                antonyms.append((key, value))
            else:
                exceptions[key] = value
        return cls(table[first:], line_starts(table, first), frozenset(antonyms), exceptions)

    def same(self, a: Sequence[str], b: Sequence[str]) -> bool:
        """Whether two spans of lower-case words say one thing: a base form of each, read
        with the same inflection, shares a synset ("beginners" / "novices"; not "limit" /
        "restricted", "largest" / "bigger": another word's form, or another sense); they
        share no base form (an inflection is no synonym), and no pair of their base forms
        is an antonym pair."""
        left, right = self.lemmas(a), self.lemmas(b)
        bare_left, bare_right = {x for x, _ in left}, {y for y, _ in right}
        if not left or not right or bare_left & bare_right:
            return False
        if any(tuple(sorted((x, y))) in self.antonyms for x in bare_left for y in bare_right):
            return False
        return any(_alike(i, j) and not self._groups(x).isdisjoint(self._groups(y))
                   for x, i in left for y, j in right)

    @cached_property
    def opposites(self) -> Mapping[str, frozenset[str]]:
        """Each lemma of an antonym pair and the lemmas it is paired with ("fast":
        "slow"), read from ``antonyms`` on first use."""
        found: dict[str, set[str]] = {}
        for x, y in self.antonyms:
            found.setdefault(x, set()).add(y)
            found.setdefault(y, set()).add(x)
        return {lemma: frozenset(others) for lemma, others in found.items()}

    def bases(self, word: str) -> set[str]:
        """A word's base forms, the word among them ("longer": "long", "bigger": "big",
        "better": "good", "well"), whether or not the table holds them."""
        return {base for base, _ in self._bases(word)}

    def lemmas(self, words: Sequence[str]) -> set[Lemma]:
        """The table's lemmas a span of one or two words may be, each with the inflection
        read off: as written, or with its first or last word in a base form ("called off"
        -> "call off", "credit cards" -> "credit card")."""
        if len(words) == 1:
            found = self._bases(words[0])
        else:
            first, *rest = words
            found = {(" ".join((base, *rest)), how) for base, how in self._bases(first)}
            found |= {(" ".join((*words[:-1], base)), how)
                      for base, how in self._bases(words[-1])}
        return {(lemma, how) for lemma, how in found if self._groups(lemma)}

    def _groups(self, lemma: str) -> frozenset[str]:
        """The numbers of the synsets ``lemma`` is in (none: no lemma of the table)."""
        rest = find_line(self.groups, self.starts, f"g\t{lemma}\t".encode())
        return frozenset() if rest is None else frozenset(rest.decode().split())

    def _bases(self, word: str) -> set[Lemma]:
        return base_forms(word, self.exceptions)


def base_forms(word: str, exceptions: Mapping[str, str]) -> set[Lemma]:
    """A word's base forms, each with the inflection it was read with: the word itself
    (""), ``exceptions``' bases for it (a table's "e" lines: an irregular form, or a
    comparison's), and WordNet's detachment rules ("songs" -> "song", "cancelled" ->
    "cancel"), whether or not a table holds them. The synonym and co-member tables' reading."""
    how = next((e for e in ("est", "er") if word.endswith(e)), _IRREGULAR)
    found = {(word, ""), *((base, how) for base in exceptions.get(word, "").split())}
    for ending, repl, undone in _DETACH:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            stem = word[:-len(ending)]
            found.add((stem + repl, undone))
            if not repl and len(stem) > 2 and stem[-1] == stem[-2]:
                found.add((stem[:-1], undone))  # a doubled consonant: "cancelled"
    return found


def line_starts(table: bytes, first: int) -> Sequence[int]:
    """Where each line of ``table[first:]`` starts (relative to ``first``), and its end:
    one pass of numpy over the bytes, kept as an array of 8-byte integers (see
    ``Synonyms``)."""
    ends = np.flatnonzero(np.frombuffer(table, np.uint8) == ord("\n")) + 1
    return array("q", (np.concatenate(([first], ends[ends > first])) - first).tobytes())


def find_line(lines: bytes, starts: Sequence[int], key: bytes) -> bytes | None:
    """The rest (its newline left on) of the line of ``lines`` (sorted, starting at
    ``starts``) that begins with ``key``, found by bisection; None where none does."""
    k = bisect.bisect_left(range(len(starts) - 1), key,
                           key=lambda n: lines[starts[n]:starts[n + 1]])
    if k == len(starts) - 1 or not lines.startswith(key, starts[k]):
        return None
    return lines[starts[k] + len(key):starts[k + 1]]


def read_table(directory: Path, table: str, what: str) -> bytes:
    """A table's bytes, hash-checked against the sha256 its folder's ``manifest.json``
    names for it (a ConfigError naming ``what`` where the manifest is unreadable)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
        sha256 = str(manifest["files"][table])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{what} manifest unreadable in {directory}: {exc}") from exc
    return read_verified(directory / table, sha256, what=what)


def _alike(a: str, b: str) -> bool:
    """Two inflections that may be one: equal, or an irregular form and a regular one of
    the kinds it stands for ("bought" / "purchased", "children" / "kids")."""
    return a == b or (a == _IRREGULAR and b in _STANDS_FOR) or (
        b == _IRREGULAR and a in _STANDS_FOR)


def load(directory: Path = DIRECTORY) -> Synonyms:
    """Read and hash-check the table (``manifest.json`` names its sha256)."""
    return Synonyms.of(read_table(directory, TABLE, "synonym table"))


@cache
def shared_synonyms() -> Synonyms:
    """The layer's table, read once per process."""
    return load()
