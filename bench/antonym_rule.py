"""Session 21's W: WordNet's antonym pairs in the stances check (``Antonyms`` here; not
shipped: the rule said no), decided by the lead's rule, quoted unchanged from
docs/cache-history.md "Session 21: opposite words at the same place":

    W: where the two texts differ (the stances check's alignment), a replaced word on one
    side and the replaced word at the same place on the other whose base forms are an
    antonym pair in the shipped synonym table (WordNet's antonym pointers,
    `Synonyms.antonyms`) refuse the pair, as a `STANCES` pair does; nothing else changes
    (a text that names both words is left to the verifier). Over D23
    (bench/cache_losses.py on heldout9-11, 14-33 with W on, against the shipped rows
    /work/base/base-D23-946a481-pairs.jsonl) and over the other committed hand-written
    and public pairs (`others()` of D23; the pairs train/cache_verifier/pairs.py
    generates excluded and reported apart): P = paraphrase hits W takes away, N =
    negative hits W takes away, both over D23 and others together; W may add no hit.
    Ship W (no new setting: part of the stances check whenever the synonym table is
    loaded) if N >= 3 and P <= 3 x N, and W's added CPU per candidate pair (median over
    D23's pairs, process time) <= 0.1 ms.

    # 1. the pairs of D23 and others(D23) W refuses that the hard check without it lets
    #    through (no model), and W's added CPU on D23's pairs
    .venv/bin/python bench/antonym_rule.py fire --out /tmp/w-fired.jsonl
    # 2. the stack on them without W (the lookup as shipped)
    .venv/bin/python bench/cache_losses.py --sets /tmp/w-fired.jsonl --out /tmp/w-off.json \
        --pairs-out /tmp/w-off-rows.jsonl
    # 3. with W in the lookup (git apply bench/results/antonyms-session21-layer.patch; the
    #    stances check then reads the table's antonyms), on them and on D23 as the rule
    #    names it; then git apply -R
    .venv/bin/python bench/cache_losses.py --sets /tmp/w-fired.jsonl --out /tmp/w-on.json \
        --pairs-out /tmp/w-on-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets heldout9 heldout10 heldout11 heldout14 \
        ... heldout33 --out /tmp/w-D23.json --pairs-out /tmp/w-D23-rows.jsonl
    # 4. the rule
    .venv/bin/python bench/antonym_rule.py decide --base /work/base/base-D23-946a481-pairs.jsonl \
        --fired /tmp/w-fired.jsonl --off-rows /tmp/w-off-rows.jsonl \
        --on-rows /tmp/w-on-rows.jsonl --decision-rows /tmp/w-D23-rows.jsonl \
        --out bench/results/antonyms-session21.json

W only refuses (the hard check's "numbers", before the models and the respelling check's
hit), so a pair it does not fire on keeps its row: the stack need judge only the pairs
``fire`` finds, and ``decide`` checks that D23's rows with W on differ from the shipped
rows on those pairs alone (any other change, made in the tree since the shipped rows, is
listed apart).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from extra_ask_rule import fire_over
from synonym_guard import decide_arguments, sparse_decide

from llm_router.cache.codes import replaced
from llm_router.cache.pair_features import TextView, quantity_conflict
from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.verifier import shared_verifier

D23 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 34)))
RULE = "docs/cache-history.md, Session 21: opposite words at the same place (W)"
REPEATS = 10  # each pair's check timed this many times over, for the process clock


class Antonyms:
    """W as measured: the stances check's alignment (``codes.replaced``) and the table's
    antonym pairs and base forms (``Synonyms._bases``: the word, its exception list's
    base, WordNet's detachment rules'). Not in the lookup (the rule said no): the layer's
    wiring that was measured is ``bench/results/antonyms-session21-layer.patch``."""

    def __init__(self, table: Synonyms) -> None:
        self.table = table
        found: dict[str, set[str]] = {}
        for x, y in table.antonyms:
            found.setdefault(x, set()).add(y)
            found.setdefault(y, set()).add(x)
        self.opposites = {lemma: frozenset(others) for lemma, others in found.items()}

    def bases(self, word: str) -> set[str]:
        return {base for base, _ in self.table._bases(word)}

    def words(self, a: Sequence[str], b: Sequence[str]) -> tuple[str, str] | None:
        """A word of one text against a word of the other in one span where they differ,
        their base forms an antonym pair, and neither text naming both (a base form of
        each in one text): the two words, or None."""
        mine, theirs = set(a) - set(b), set(b) - set(a)
        if not mine or not theirs:
            return None
        bases = {w: self.bases(w) for w in mine | theirs}
        pairs = {(x, y) for x in mine for y in theirs
                 if any(self.opposites.get(u, frozenset()) & bases[y] for u in bases[x])}
        if pairs:
            a_bases = set().union(*(self.bases(w) for w in set(a)))
            b_bases = set().union(*(self.bases(w) for w in set(b)))
            pairs = {(x, y) for x, y in pairs if not (bases[y] & a_bases or bases[x] & b_bases)}
        if pairs:
            for i1, i2, j1, j2 in replaced(a, b):
                for x in a[i1:i2]:
                    for y in b[j1:j2]:
                        if (x, y) in pairs:
                            return x, y
        return None

    def refuses(self, a: TextView, b: TextView) -> bool:
        """The hard check with W, as the stances check would run it: after the other
        parts, and not where one text has a negation and the other none."""
        return quantity_conflict(a, b) or (
            a.negated == b.negated and self.words(a.words, b.words) is not None)


def added_cpu(a: TextView, b: TextView, w: Antonyms) -> float:
    """W's added CPU on one candidate pair (seconds): the hard check with W less the hard
    check without it, each run ``REPEATS`` times."""
    started = time.process_time()
    for _ in range(REPEATS):
        w.refuses(a, b)
    with_w = time.process_time() - started
    started = time.process_time()
    for _ in range(REPEATS):
        quantity_conflict(a, b)
    return (with_w - (time.process_time() - started)) / REPEATS


def fire(decision: tuple[str, ...], out: Path) -> None:
    """The pairs of ``decision`` and of ``others(decision)`` W refuses and the hard check
    without it does not, each with the words that fired; W's added CPU on ``decision``'s."""
    vocabulary, w = shared_verifier().vocabulary, Antonyms(shared_synonyms())

    def found(a: TextView, b: TextView) -> tuple[str, str] | None:
        if not w.refuses(a, b) or quantity_conflict(a, b):
            return None
        words = w.words(a.words, b.words)
        assert words is not None
        return words

    fire_over(decision, out, "W", "antonyms", lambda a, b: added_cpu(a, b, w), found,
              REPEATS, read=vocabulary.view)

def decide(base: Path, fired: Path, off_rows: Path, on_rows: Path, decision_rows: Path,
           out: Path, decision: tuple[str, ...]) -> None:
    sparse_decide(RULE, "W", "antonyms", base, fired, off_rows, on_rows, decision_rows, out,
                  decision, sort_fired=True, trim=False)

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs W refuses that the hard check passed")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--decision", nargs="+", default=list(D23),
                       help="the decision sets (default D23: heldout9-11, 14-33)")
        p.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "W")
    args = parser.parse_args()
    if args.command == "fire":
        fire(tuple(args.decision), args.out)
    else:
        decide(args.base, args.fired, args.off_rows, args.on_rows, args.decision_rows,
               args.out, tuple(args.decision))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
