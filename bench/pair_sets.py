"""The labelled pair sets the cache benchmarks read, named or by path, and what their
labels say about one text answering another (``PairGroups``).

A set is named as ``heldout1`` (``data/heldout``), ``heldoutN`` (``data/heldoutN``, any
that exists), ``pairs`` (``bench/cache_pairs/heldout.jsonl``, counted per source), or by a
path: a folder holding ``cache_pairs.jsonl`` or a ``.jsonl`` file (named by the folder or
the file's stem). With ``root`` a bare name is a folder under it: ``--root /some/dir
--sets heldout12`` reads ``/some/dir/heldout12/cache_pairs.jsonl``. Nothing is listed:
only the folders named are opened.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
PAIRS = "pairs"  # Quora components and the support file written apart (seen)
# What the scripts read when no set is named: the figures committed before session 10.
DEFAULT_SETS = tuple(f"heldout{n}" for n in range(1, 10))
# Sets committed for a later session's decisions (data/cache_verifier/SOURCES.md): no rule
# nor tally of "every committed set" reads them until a session names them as its decision
# sets and drops them from here: heldout112-113, written in session 39 for rule D3's unseen
# score had it shipped (it stopped at step 1), unread, passed to session 40's decisions.
# heldout106-107, written at session 37's start for session 38's decisions, unread (session 38
# wrote no rule, session 39's D3 stopped first), passed to session 40's. heldout102-103,
# written at session 36's start for its rules NO and FN (bench/no_rule.py, bench/fn_rule.py),
# which both stopped on seen caches before step 2, then named by session 37's rules S11 and FC
# (bench/s11_rule.py, bench/fc_rule.py), which also stopped at step 1: unread, passed to session
# 40's decisions. heldout98-99, written at session 35's start, are
# rule S10c's decision sets: its step 2 read them (bench/s10c_rule.py, bench/results/
# s10c-rule-session35.json; docs/cache-history.md "Session 35: rule S10c ..."). heldout94-95
# (written at session 34's start for session 35) are session 35's decision sets: rule S10w read
# them (bench/s10w_rule.py,
# bench/results/s10w-rule-session35.json; docs/cache-history.md "Session 35: rule S10w on
# heldout94-95 (not adopted)").
# heldout90-91 (written at session 33's start for session 34) and heldout86-87 (written at
# session 32's start for session 33, whose rules OM and CH stopped at their seen screens and left
# them unread) are session 34's decision sets: rule S10 read them (bench/s10_rule.py,
# bench/results/s10-rule-session34.json; docs/cache-history.md "Session 34: S10, S2 continued on
# every writer seen through heldout79 (rule S10)").
# heldout82-83 (written at session 31's start) are session 32's decision sets: rule AF read them
# (bench/results/amount-forms-D82-session32.json).
# heldout78-79 (written at session 30's start) are session 31's decision sets: rule W read them
# (bench/results/extra-ask-first-D78-session31.json).
# heldout70-71 (written at session 28's start) and heldout74-75 (session 29's start) are
# session 30's decision sets: rule RA read them (bench/results/ra-rule-session30.json), and
# rules S8 and S9 named them but stopped at their screens before reading them.
# heldout68-69, written at session 28's start, are session 28's rule S7r's decision sets (its
# second step, bench/s7r_rule.py); heldout62-63, written at session 27's start for session 28,
# are session 28's decision sets, named by its rule M2b (bench/m2b_rule.py).
# heldout58-59, written at session 26's start for session 27, are session 27's decision sets,
# named by its rule S6d (bench/s6d_rule.py); heldout54-55, written during session 25 for
# session 26, were session 26's, named by its rule S5c; heldout52-53, written at session 25's
# start for session 26, were named by session 25's rule S5b and left it then; heldout48-49
# were session 25's decision sets, heldout42-43 and 46-47 session 24's.
RESERVED: frozenset[str] = frozenset({"heldout102", "heldout103", "heldout106",
                                       "heldout107", "heldout112", "heldout113"})


def set_file(name: str, root: Path | None = None) -> Path:
    """The jsonl file of the set called ``name`` (see the module's docstring)."""
    path = Path(name)
    if len(path.parts) > 1 or path.suffix == ".jsonl":
        pass
    elif root is not None:
        path = root / name
    elif name == PAIRS:
        path = HERE / "cache_pairs" / "heldout.jsonl"
    else:
        path = DATA / ("heldout" if name == "heldout1" else name)
    file = path if path.suffix == ".jsonl" else path / "cache_pairs.jsonl"
    if not file.is_file():
        raise SystemExit(f"set {name!r}: {file} not found")
    return file


def set_label(name: str) -> str:
    """The name a set is reported under: a path's folder (or file stem), else the name."""
    path = Path(name)
    return path.stem if path.suffix == ".jsonl" else path.name


def load(file: Path) -> list[dict[str, Any]]:
    """The pairs of one jsonl file; each needs ``a`` (cached), ``b`` (query), ``label``
    (1: same question, 0: not) and ``kind``."""
    pairs = []
    for n, pair in enumerate(read_jsonl(file), 1):
        if not (isinstance(pair, dict) and isinstance(pair.get("a"), str)
                and isinstance(pair.get("b"), str) and pair.get("label") in (0, 1)
                and "kind" in pair):
            raise SystemExit(f"{file}:{n}: a pair needs a, b (texts), label (0 or 1), kind")
        pairs.append(pair)
    return pairs


def load_sets(names: list[str], root: Path | None = None) -> list[dict[str, Any]]:
    """Every pair of the named sets, each with its ``set`` (``pairs:<source>`` for the
    ``pairs`` file's components)."""
    out = []
    for name in names:
        label = set_label(name)
        for pair in load(set_file(name, root)):
            where = f"pairs:{pair.get('source')}" if name == PAIRS else label
            out.append({"set": where, **pair})
    return out


def same_text(text: str) -> str:
    """A text as the groups compare it: case, runs of spaces and a closing ``?``, ``.``
    or ``!`` ignored; every other character kept ("$300" and "£300" stay apart)."""
    return " ".join(text.casefold().split()).rstrip("?.! ")


class PairGroups:
    """What the sets' labels say about an entry answering a query. A group: texts the
    labels make one question (joined by label-1 pairs, and texts equal by ``same_text``),
    across every set given. ``relation`` of an entry and a query: ``right`` when both are
    in one group, ``wrong`` when some label-0 pair joins their two groups, else
    ``unknown``. Transitive: a paraphrase of a paraphrase counts as the same question, a
    paraphrase of a negative as a negative."""

    def __init__(self, pairs: list[dict[str, Any]]):
        self._labels = {(p["a"], p["b"]): int(p["label"]) for p in pairs}
        self._parent: dict[str, str] = {}
        first: dict[str, str] = {}
        for pair in pairs:
            for text in (pair["a"], pair["b"]):
                self._join(text, first.setdefault(same_text(text), text))
            if pair["label"] == 1:
                self._join(pair["a"], pair["b"])
        self._apart = {frozenset((self._root(p["a"]), self._root(p["b"])))
                       for p in pairs if p["label"] == 0}
        # A label-0 pair inside one group: the labels contradict each other through some
        # chain; such a pair reads "right" (it says so in the result's ``contradictions``).
        self.contradictions = sum(1 for p in pairs if p["label"] == 0
                                  and self._root(p["a"]) == self._root(p["b"]))

    def __contains__(self, text: object) -> bool:
        """Whether some set given holds ``text`` (else it is filler: a Quora question)."""
        return text in self._parent

    def label(self, cached: str, query: str) -> int | None:
        """The label of the pair (``cached``, ``query``) in a set given, if one holds it."""
        return self._labels.get((cached, query))

    def relation(self, entry: str, query: str) -> str:
        if entry not in self._parent or query not in self._parent:
            return "unknown"
        mine, theirs = self._root(entry), self._root(query)
        if mine == theirs:
            return "right"
        return "wrong" if frozenset((mine, theirs)) in self._apart else "unknown"

    def _root(self, text: str) -> str:
        parent = self._parent.setdefault(text, text)
        while parent != text:
            grand = self._parent[parent]
            self._parent[text] = grand
            text, parent = parent, grand
        return text

    def _join(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self._parent[ra] = rb
