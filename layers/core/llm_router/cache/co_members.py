"""Co-members swapped: a check after the verifier that can only refuse (pure; rule CH).

Two texts that are the same but for one noun each side, where the two nouns are two
members of one set and not one thing, ask about two things: "how do I contact the league
secretary" / "... treasurer" (two roles a person holds), "can you retune our tenor bell" /
"... treble bell" (two pitches). The verifier passes such pairs on unseen writers at p
0.93-0.99 (session 32's heldout84-85: four of its seven false hits).

The table (``data/co_members/co_members.txt``, built by ``train/co_members.py`` from
WordNet 3.1 alone; its sha256 and the build's options in the folder's ``manifest.json``)
holds for each noun lemma of one word the synsets of its first senses (``own``), of all
its senses (``every``), those a step above its first senses (``up``: empty in the shipped
table, built without ``--co-hyponyms``) and, for a role noun (a first sense under
person.n.01), the person synsets above its first senses (``role``). Two nouns are
co-members (``CoMembers.pair``) where they share no base form and no synset in any sense,
neither's first senses sit above the other's, the synonym table does not call them
synonyms, and either a synset is a step above a first sense of each (co-hyponyms: "tenor"
/ "treble" under pitch, only with such a table) or both are role nouns ("secretary" /
"treasurer"; "doctor" / "GP" and "partner" / "husband" are not: the second is a kind of
the first).

Where (``differs_by_one``): once both texts are read as the respelling check reads them
(``spelling.reading``: case, punctuation and number formats gone), they differ in one
place only, one word a side, every other token equal; the two words are plain lower-case
words (no number, unit, code, acronym or name).

``cache.co_members`` (off by default) runs it on a pair the verifier passed, after the
other checks there (refusal ``co_members``; it counts as judged for the rank margin).
Session 33's seen screen: the shipped table (v5) refuses 3 false hits and 3 paraphrases of
heldout48-85; the brief's first definition (v1, with co-hyponyms) 8 and 24
(docs/cache-history.md "Session 33: co-members swapped (rule CH)").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from llm_router.cache.spelling import MAX_CHARS, Token, common_ends, reading
from llm_router.cache.synonyms import Synonyms, base_forms, find_line, line_starts, read_table

DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "co_members"
TABLE = "co_members.txt"


@dataclass(frozen=True)
class Entry:
    own: frozenset[int]
    every: frozenset[int]
    up: frozenset[int]  # the synsets a step above a first sense
    role: frozenset[int]  # the person synsets above a first sense (and it), for a role noun


@dataclass(frozen=True)
class CoMembers:
    # The table's "n" lines as read, sorted, looked up by bisection as ``Synonyms``'.
    lines: bytes
    starts: Sequence[int]
    exceptions: Mapping[str, str]  # inflected form -> its base forms, space-separated

    @classmethod
    def of(cls, table: bytes) -> CoMembers:
        """The table from its file's bytes (``train/co_members.py`` writes them sorted,
        the exception ("e") lines before the lemmas' ("n"))."""
        first = 0 if table.startswith(b"n\t") else table.find(b"\nn\t") + 1
        exceptions = {}
        for line in table[:first].decode("utf-8").splitlines():
            _kind, key, value = line.split("\t")
            exceptions[key] = value
        return cls(table[first:], line_starts(table, first), exceptions)

    def entry(self, lemma: str) -> Entry | None:
        rest = find_line(self.lines, self.starts, f"n\t{lemma}\t".encode())
        if rest is None:
            return None
        own, every, up, role = rest.decode().rstrip("\n").split("\t")
        return Entry(_ids(own), _ids(every), _ids(up), _ids(role) if role != "-" else frozenset())

    def bases(self, word: str) -> set[str]:
        """The word and its base forms (the exception list's, WordNet's detachment rules)
        that the table holds."""
        return {base for base, _ in base_forms(word, self.exceptions)
                if self.entry(base) is not None}

    def pair(self, a: str, b: str, synonyms: Synonyms | None = None) -> bool:
        """Whether two lower-case words are co-members (the module's docstring)."""
        left = {w: e for w in self.bases(a) if (e := self.entry(w)) is not None}
        right = {w: e for w in self.bases(b) if (e := self.entry(w)) is not None}
        if not left or not right or set(left) & set(right) or a == b:
            return False
        if synonyms is not None and synonyms.same([a], [b]):
            return False
        found = False
        for x in left.values():
            for y in right.values():
                if x.every & y.every or x.own & (y.up | y.role) or y.own & (x.up | x.role):
                    return False  # one thing in some sense, or one a kind of the other
                found = found or bool(x.up & y.up) or bool(x.role and y.role)
        return found


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.split())


def _plain(token: Token) -> bool:
    return token.kind == "word" and not token.name and not token.short \
        and token.text.isalpha() and token.text.isascii()


def differs_by_one(a: str, b: str) -> tuple[str, str] | None:
    """The one word each side where the two texts differ (read as the respelling check
    reads them), or None where they differ otherwise."""
    if len(a) > MAX_CHARS or len(b) > MAX_CHARS:
        return None
    ta, tb = reading(a).tokens, reading(b).tokens
    prefix, suffix = common_ends(ta, tb)
    left, right = ta[prefix:len(ta) - suffix], tb[prefix:len(tb) - suffix]
    if len(left) != 1 or len(right) != 1 or not _plain(left[0]) or not _plain(right[0]):
        return None
    return left[0].text, right[0].text


def swapped(cached_text: str, query_text: str, table: CoMembers,
            synonyms: Synonyms | None = None) -> bool:
    """Whether the texts differ by one word a side and the two words are co-members."""
    words = differs_by_one(cached_text, query_text)
    return words is not None and table.pair(*words, synonyms)


def load(directory: Path = DIRECTORY) -> CoMembers:
    """Read and hash-check the table (``manifest.json`` names its sha256)."""
    return CoMembers.of(read_table(directory, TABLE, "co-member table"))


@cache
def shared_co_members() -> CoMembers:
    """The layer's table, read once per process."""
    return load()
