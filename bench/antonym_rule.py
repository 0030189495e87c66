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

Session 24's W2 (``--candidate W2``; ``Antonyms.only_opposites``): W's antonym test where
the two texts differ in nothing but opposite words, decided by the lead's rule, quoted
unchanged from docs/cache-history.md "Session 24: opposite words where nothing else
differs (W2)":

    W2: where every replaced span of the two texts (the stances check's alignment) pairs
    words whose base forms are an antonym pair in the shipped synonym table, and nothing
    else differs, the pair is refused as a STANCES pair is. Over D35 = D31 + heldout42,
    43, 46, 47 (bench/cache_losses.py rows: /work/base/base-D31-b9e29c7-pairs.jsonl,
    /work/base/base-DS-b9e29c7-pairs.jsonl, and heldout46-47 rows made at main) and over
    the other committed hand-written and public pairs (others() of D35; generated pairs
    reported apart): P = paraphrase hits W2 takes away, N = negative hits W2 takes away,
    both over D35 and others together; W2 may add no hit. heldout44-45 (the unseen sets
    that showed the problem) are counted and reported apart and decide nothing. Ship W2
    if N >= 3 and P <= 3 x N, and its added CPU per candidate pair (median over D31's
    pairs, process time) <= 0.1 ms.

    .venv/bin/python bench/antonym_rule.py fire --candidate W2 --out /tmp/w2-fired.jsonl
    # the stack's rows of the fired pairs without W2 and with it (the layer patch
    # bench/results/antonyms-w2-session24-layer.patch applied), and D35's with it, as
    # for W above; then
    .venv/bin/python bench/antonym_rule.py decide --candidate W2 --base /tmp/base-D35.jsonl \
        --fired /tmp/w2-fired.jsonl --off-rows /tmp/w2-off-rows.jsonl \
        --on-rows /tmp/w2-on-rows.jsonl --decision-rows /tmp/w2-D35-rows.jsonl \
        --out bench/results/antonyms-w2-session24.json

Session 25's W3 (``--candidate W3``; ``Antonyms.only_opposites(..., directions=True)``:
``direction_opposites.direction_words``, the layer's ``stances.opposite_words`` on a table
whose opposites hold the list too; not shipped: the rule said no): W2 with a fixed list of
direction opposites WordNet lacks beside the table's antonym pairs, decided by the lead's
rule, quoted unchanged from docs/cache-history.md "Session 25: direction opposites WordNet
lacks (W3)":

    W3: W2 with the fixed list L of direction opposites (the brief's list: verb and
    adjective pairs, compass and flow compounds, the up- / down- and over- / under-
    prefix families) as a second source of opposite pairs; a pair fires only where at
    least one replaced span is L's. Over D37 = D35 + heldout48, heldout49 (base rows
    /work/base/base-D35-3c4c050-pairs.jsonl and /work/base/base-D48-3c4c050-pairs.jsonl,
    main 3c4c050's lookup with W2 on) and over the other committed hand-written and
    public pairs (others() of D37; generated pairs reported apart): P = paraphrase hits
    W3 takes away, N = negative hits W3 takes away, both over D37 and others together;
    W3 may add no hit. heldout44-45 (which showed the problem and suggested L) are
    counted and reported apart and decide nothing. Ship W3 if N >= 3 and P <= 3 x N, and
    its added CPU per candidate pair over W2 (median over D31's pairs, process time) <=
    0.1 ms.

    # 1. the pairs W3 refuses that the hard check with W2 (main's) lets through, and
    #    W3's added CPU over W2 on D31's pairs (on main's layer, without the patch)
    .venv/bin/python bench/antonym_rule.py fire --candidate W3 --out /tmp/w3-fired.jsonl
    # 2. the stack's rows of the fired pairs with W3 (git apply
    #    bench/results/antonyms-w3-session25-layer.patch) and without it (main's layer),
    #    and D37's with it, as for W above; then
    .venv/bin/python bench/antonym_rule.py decide --candidate W3 --base /tmp/base-D37.jsonl \
        --fired /tmp/w3-fired.jsonl --off-rows /tmp/w3-off-rows.jsonl \
        --on-rows /tmp/w3-on-rows.jsonl --decision-rows /tmp/w3-D37-rows.jsonl \
        --out bench/results/antonyms-w3-session25.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from direction_opposites import WithDirections, direction_words
from extra_ask_rule import fire_over
from pair_sets import load_sets
from synonym_guard import decide_arguments, sparse_decide, sparse_verdict, taken_counts
from synonym_rule import generated

from llm_router.cache.codes import replaced
from llm_router.cache.pair_features import TextView, quantity_conflict
from llm_router.cache.stances import opposite_words
from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.verifier import shared_verifier

D23 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 34)))
RULE = "docs/cache-history.md, Session 21: opposite words at the same place (W)"
D31 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 42)))
D35 = (*D31, "heldout42", "heldout43", "heldout46", "heldout47")
D37 = (*D35, "heldout48", "heldout49")
APART = ("heldout44", "heldout45")  # W2's and W3's rules: counted apart, decide nothing
RULE_W2 = ("docs/cache-history.md, Session 24: opposite words where nothing else differs "
           "(W2)")
RULE_W3 = "docs/cache-history.md, Session 25: direction opposites WordNet lacks (W3)"
REPEATS = 10  # each pair's check timed this many times over, for the process clock


class Antonyms:
    """W as measured: the stances check's alignment (``codes.replaced``) and the table's
    antonym pairs and base forms (``Synonyms.opposites``, ``Synonyms.bases``: the word,
    its exception list's base, WordNet's detachment rules'). W is not in the lookup (the
    rule said no; its wiring that was measured is
    ``bench/results/antonyms-session21-layer.patch``); W2 is (session 24:
    ``stances.opposite_words``, which ``only_opposites`` calls). W3 is not (session 25:
    ``direction_opposites``)."""

    def __init__(self, table: Synonyms) -> None:
        self.table = table
        self.opposites = table.opposites
        self.with_directions = WithDirections.of_table(table)

    def bases(self, word: str) -> set[str]:
        return self.table.bases(word)

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

    def only_opposites(self, a: Sequence[str], b: Sequence[str], directions: bool = False,
                       ) -> list[tuple[str, str]] | None:
        """W2: the texts differ in nothing but opposite words (the layer's
        ``stances.opposite_words``, WordNet's pairs); ``directions``: W3, with the list L
        too (``direction_opposites.direction_words``): the pairs, in order, or None."""
        if directions:
            return direction_words(a, b, self.with_directions)
        return opposite_words(a, b, self.table)

    def refuses(self, a: TextView, b: TextView) -> bool:
        """The hard check with W, as the stances check would run it: after the other
        parts, and not where one text has a negation and the other none."""
        return quantity_conflict(a, b) or (
            a.negated == b.negated and self.words(a.words, b.words) is not None)

    def refuses_w2(self, a: TextView, b: TextView, directions: bool = False) -> bool:
        """The hard check with W2 (``only_opposites``) in W's place (``directions``:
        with W3 in W2's)."""
        return quantity_conflict(a, b) or (
            a.negated == b.negated
            and self.only_opposites(a.words, b.words, directions) is not None)

    def refuses_w3(self, a: TextView, b: TextView) -> bool:
        return self.refuses_w2(a, b, directions=True)


def added_cpu(a: TextView, b: TextView, w: Antonyms, w2: bool = False,
              w3: bool = False) -> float:
    """W's (``w2``: W2's) added CPU on one candidate pair (seconds): the hard check with
    it less the hard check without it, each run ``REPEATS`` times; ``w3``: W3's over W2,
    the hard check with W3 less the hard check with W2."""
    check = w.refuses_w3 if w3 else w.refuses_w2 if w2 else w.refuses
    started = time.process_time()
    for _ in range(REPEATS):
        check(a, b)
    with_w = time.process_time() - started
    without = w.refuses_w2 if w3 else quantity_conflict
    started = time.process_time()
    for _ in range(REPEATS):
        without(a, b)
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

def fire_w2(decision: tuple[str, ...], out: Path, candidate: str = "W2") -> None:
    """W2's ``fire``: the pairs of ``decision`` and ``others(decision)`` (heldout44-45
    among them, counted apart by ``decide``) W2 refuses and the hard check without it
    does not, each with the word pairs that fired; its added CPU a pair as the rule
    names it, over D31's pairs (those of ``decision`` come first, in its order, D31's
    before the rest), written as ``added_cpu_ms`` (over all of ``decision``'s:
    ``added_cpu_ms_decision``). ``candidate`` W3: the pairs W3 refuses and the hard
    check with W2 (main's, the baseline) does not, and W3's added CPU over W2."""
    vocabulary, w = shared_verifier().vocabulary, Antonyms(shared_synonyms())
    if decision[:len(D31)] != D31:
        raise SystemExit(f"{candidate}'s decision sets start with D31 (its CPU is D31's)")
    w3 = candidate == "W3"
    costs: list[float] = []

    def cost(a: TextView, b: TextView) -> float:
        costs.append(added_cpu(a, b, w, w2=True, w3=w3))
        return costs[-1]

    def found(a: TextView, b: TextView) -> list[str] | None:
        if not w.refuses_w2(a, b, directions=w3) or (
                w.refuses_w2(a, b) if w3 else quantity_conflict(a, b)):
            return None
        pairs = w.only_opposites(a.words, b.words, directions=w3)
        assert pairs is not None
        return [f"{x} / {y}" for x, y in pairs]

    summary = fire_over(decision, out, candidate, "antonyms", cost, found, REPEATS,
                        read=vocabulary.view)
    d31 = costs[:len(load_sets(list(D31)))]
    summary["added_cpu_ms_decision"] = summary["added_cpu_ms"]
    summary["added_cpu_ms"] = {
        "pairs": len(d31), "repeats": REPEATS, "sets": "D31",
        "median": round(1000 * statistics.median(d31), 4),
        "p90": round(1000 * statistics.quantiles(d31, n=10)[-1], 4),
        "max": round(1000 * max(d31), 4)}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{candidate}'s added CPU on D31's {len(d31):,} pairs: {summary['added_cpu_ms']}")


def w2_verdict(counts: dict[str, int], cost_ms: float,
               taken: list[tuple[dict[str, Any], str]],
               decision: tuple[str, ...] = D35) -> dict[str, Any]:
    """W2's rule (W3's with ``decision`` D37): ``sparse_verdict`` with P and N over the
    decision sets and others less heldout44-45 (``APART``), whose hits taken are counted
    apart (``P_apart``, ``N_apart``)."""
    apart = [p for p, _ in taken if p["set"] in APART and not generated(p)]
    kept = [(p, t) for p, t in taken if p["set"] not in APART]
    verdict = sparse_verdict({**taken_counts(kept, [], decision), "added": counts["added"]},
                             cost_ms)
    verdict["P_apart"] = sum(1 for p in apart if p["label"])
    verdict["N_apart"] = sum(1 for p in apart if not p["label"])
    return verdict


def decide(base: Path, fired: Path, off_rows: Path, on_rows: Path, decision_rows: Path,
           out: Path, decision: tuple[str, ...], candidate: str = "W") -> None:
    if candidate in ("W2", "W3"):
        sparse_decide(RULE_W2 if candidate == "W2" else RULE_W3, candidate, "antonyms",
                      base, fired, off_rows, on_rows, decision_rows, out, decision,
                      sort_fired=False, trim=False,
                      verdict_of=lambda c, m, t: w2_verdict(c, m, t, decision))
        return
    sparse_decide(RULE, "W", "antonyms", base, fired, off_rows, on_rows, decision_rows, out,
                  decision, sort_fired=True, trim=False)

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs W refuses that the hard check passed")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--candidate", choices=("W", "W2", "W3"), default="W",
                       help="session 21's W (default), session 24's W2 or session 25's W3")
        p.add_argument("--decision", nargs="+",
                       help="the decision sets (default: W's D23, heldout9-11, 14-33; "
                            "W2's D35, heldout9-11, 14-43, 46, 47; W3's D37, D35 and "
                            "heldout48, 49)")
        p.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "W")
    args = parser.parse_args()
    decision = tuple(args.decision or {"W2": D35, "W3": D37}.get(args.candidate, D23))
    if args.command == "fire" and args.candidate == "W":
        fire(decision, args.out)
    elif args.command == "fire":
        fire_w2(decision, args.out, args.candidate)
    else:
        decide(args.base, args.fired, args.off_rows, args.on_rows, args.decision_rows,
               args.out, decision, args.candidate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
