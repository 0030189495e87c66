"""Session 22's M: month names in the amounts check, and the centilitre and decilitre
names in the respelling check's units, decided by the lead's rule, quoted unchanged from
docs/cache-history.md "Session 22: month names in the amounts check":

    M (the month reading and the centilitre unit names) is a correctness fix. Over D25
    (bench/cache_losses.py on heldout9-11, 14-35 with M, against
    /work/base/base-D25-7657d69-pairs.jsonl) and the other committed hand-written and
    public pairs (`others()` of D25, as bench/extra_ask_rule.py reads them; generated
    pairs reported apart): list every pair whose verdict changes. Ship M if it adds no
    negative hit anywhere and takes away no paraphrase hit; a change of either kind is
    listed and M then ships only without the piece that caused it.

    # 1. the pairs of D25 and others(D25) one of whose texts M reads differently: every
    #    output of the amounts check (quantities as committed at 7657d69, the base, and
    #    this tree's) and the respelling check's reading (spelling.reading, likewise)
    .venv/bin/python bench/month_rule.py fire --out /tmp/m-fired.jsonl
    # 2. the stack on them without M (the tree at 7657d69 on PYTHONPATH, its data linked
    #    to this checkout's) and with M (this tree)
    git archive 7657d69 layers/core | tar -x -C /tmp/m-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m-fired.jsonl --out /tmp/m-off.json --pairs-out /tmp/m-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m-fired.jsonl --out /tmp/m-on.json \
        --pairs-out /tmp/m-on-rows.jsonl
    # 3. the rule
    .venv/bin/python bench/month_rule.py decide \
        --base /work/base/base-D25-7657d69-pairs.jsonl --fired /tmp/m-fired.jsonl \
        --off-rows /tmp/m-off-rows.jsonl --on-rows /tmp/m-on-rows.jsonl \
        --out bench/results/months-session22.json

Session 23's M2 (``--candidate M2``: "may" beside a number read as the month only where
it cannot be the verb, in ``quantities``; a unit name glued inside a chemical formula,
"Cl" of "CH2Cl2", no unit, in the respelling check; "mg/dL" stays the concentration mg per
decilitre), decided by the lead's rule, written before any run and quoted unchanged:

    M2 (the "may" reading and the unit names inside compounds) is a correctness fix. Over
    D29 (bench/cache_losses.py verdicts with M2 against the rows of
    /work/base/base-D29-89e5b96-pairs.jsonl, at the shipped cut 0.861295) and the other
    committed hand-written and public pairs (others() of D29, as bench/month_rule.py reads
    them; generated pairs reported apart): list every pair whose verdict changes. Ship M2
    if it adds no negative hit anywhere and takes away no paraphrase hit; a change of
    either kind is listed and M2 then ships only without the piece that caused it.

The same steps with ``--candidate M2`` (the pieces "may" and "formula"; the base 89e5b96,
whose lookup 3a0863f keeps; D29 the decision sets):

    .venv/bin/python bench/month_rule.py fire --candidate M2 --out /tmp/m2-fired.jsonl
    git archive 89e5b96 layers/core | tar -x -C /tmp/m2-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m2-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m2-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m2-fired.jsonl --out /tmp/m2-off.json --pairs-out /tmp/m2-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m2-fired.jsonl --out /tmp/m2-on.json \
        --pairs-out /tmp/m2-on-rows.jsonl
    .venv/bin/python bench/month_rule.py decide --candidate M2 \
        --base /work/base/base-D29-89e5b96-pairs.jsonl --fired /tmp/m2-fired.jsonl \
        --off-rows /tmp/m2-off-rows.jsonl --on-rows /tmp/m2-on-rows.jsonl \
        --out bench/results/may-units-session23.json

A pair neither of whose texts M reads differently keeps every input the lookup reads
(the amounts, ids, periods, currencies, measures and ranks of each text, so the features,
the index's number codes and the hard check; the respelling check's tokens), so it keeps
its verdict: the stack need judge only the pairs ``fire`` finds. On D25 the verdict
without M is the base rows' (each checked against step 2's row without M).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import types
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extra_ask_rule import at_revision, others, write_fired
from pair_sets import load_sets
from run_record import run_record
from synonym_guard import decide_arguments, line, rule_rows, taken_counts, tally
from synonym_rule import generated

from llm_router.cache import quantities, spelling
from llm_router.cache.pair_features import normalise

D25 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 36)))
D29 = (*D25, *(f"heldout{n}" for n in range(36, 40)))


@dataclass(frozen=True)
class Candidate:
    rule: str
    base: str  # the base rows' commit: quantities and spelling without the candidate
    decision: tuple[str, ...]
    pieces: tuple[str, str]  # what differs in the amounts reading, in the respelling's


CANDIDATES = {
    "M": Candidate("docs/cache-history.md, Session 22: month names in the amounts check (M)",
                   "7657d69", D25, ("months", "units")),
    "M2": Candidate(" ".join(__doc__.split("quoted unchanged:", 1)[1].split(
        "The same steps", 1)[0].split()), "89e5b96", D29, ("may", "formula")),
}


def amounts_reading(q: types.ModuleType, text: str) -> str:
    """Every output of ``quantities`` the lookup reads of a text (``vocabulary.view``'s
    and the index's number codes' inputs), as one string."""
    low = normalise(text)
    return repr((q.amounts(low), q.amounts(low, hard=True), q.other_readings(low),
                 sorted(q.ids(low)), sorted(q.ids(low, hard=True)), sorted(q.periods(low)),
                 sorted(q.currencies(low)), sorted(q.measures(low)), sorted(q.ranks(low))))


def spelling_reading(s: types.ModuleType, text: str) -> str:
    """The respelling check's reading of a text (tokens, kinds, units), as one string."""
    return repr(s.reading(text))


def old_modules(base: str) -> tuple[types.ModuleType, types.ModuleType]:
    """``quantities`` and ``spelling`` as committed at ``base``, each read with this
    tree's modules around it (``at_revision``, which keeps the module in ``sys.modules``)."""
    found = []
    for module, name in ((quantities, "amounts"), (spelling, "reading")):
        at_revision(module, name, base)
        found.append(sys.modules[f"{module.__name__}_at_{base}"])
    return found[0], found[1]


def fire(candidate: Candidate, decision: tuple[str, ...], out: Path) -> None:
    """The pairs of ``decision`` and ``others(decision)`` one of whose texts the
    candidate reads differently, each with the pieces that differ and the two readings."""
    old_q, old_s = old_modules(candidate.base)
    amounts_piece, units_piece = candidate.pieces
    pairs = load_sets(list(decision)) + others(decision)
    started = time.process_time()
    differs: dict[str, dict[str, Any]] = {}
    for text in dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])):
        found: dict[str, Any] = {}
        before, after = amounts_reading(old_q, text), amounts_reading(quantities, text)
        if before != after:
            found[amounts_piece] = [before, after]
        before, after = spelling_reading(old_s, text), spelling_reading(spelling, text)
        if before != after:
            found[units_piece] = [before, after]
        if found:
            differs[text] = found
    fired = []
    for p in pairs:
        pieces = sorted({piece for t in (p["a"], p["b"]) for piece in differs.get(t, {})})
        if pieces:
            fired.append({**p, "pieces": pieces,
                          "readings": {t: differs[t] for t in (p["a"], p["b"]) if t in differs}})
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, {len(differs):,} texts read differently, {len(fired):,} "
          f"pairs ({spent:.1f} s CPU); wrote {out}")


def decide(candidate: Candidate, base: Path, fired: Path, off_rows: Path, on_rows: Path,
           out: Path, decision: tuple[str, ...]) -> None:
    floor, cut, pairs, before, after, shipped = rule_rows(base, fired, off_rows, on_rows)
    changed, taken, added = tally(
        pairs, before, after, shipped, base, decision, floor, cut,
        lambda p, hit, s, m: f"{'+'.join(p['pieces'])}: {line(p, hit, m['p'])}")
    # The rule: no negative hit added, no paraphrase hit taken away (generated pairs
    # reported apart); a piece behind either does not ship.
    wrong = [(p, said) for p, said in added if not p["label"]] + [
        (p, said) for p, said in taken if p["label"]]
    counted = [(p, said) for p, said in wrong if not generated(p)]
    verdict: dict[str, Any] = {
        **taken_counts(taken, added, decision),
        "negative_hits_added": sum(1 for p, _ in counted if not p["label"]),
        "paraphrase_hits_taken": sum(1 for p, _ in counted if p["label"]),
        "paraphrase_hits_added": sum(1 for p, _ in added if p["label"] and not generated(p)),
        "generated_against": len(wrong) - len(counted)}
    blamed = sorted({piece for p, _ in counted for piece in p["pieces"]})
    verdict["ships"] = [piece for piece in candidate.pieces if piece not in blamed]
    by = Counter(f"{p['set']} {'+'.join(p['pieces'])} {'+' if p['label'] else '-'}"
                 for p in pairs)
    summary = json.loads(fired.with_suffix(".json").read_text())
    result = {
        "rule": candidate.rule, "floor": floor, "cut": cut, "decision_sets": list(decision),
        "base_commit": candidate.base, "verdict": verdict, "pairs_read": summary["pairs"],
        "changed": summary["fired"], "fire_cpu_s": summary["cpu_s"],
        "changed_by_set_and_piece": dict(sorted(by.items())),
        "against_the_rule": [said for _, said in wrong],
        "hits_taken": [said for _, said in taken], "hits_added": [said for _, said in added],
        "verdicts_changed": [said for said in changed if "hit -> miss" in said
                             or "miss -> hit" in said],
        "changed_pairs": changed,
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(verdict, indent=1))
    print("\n".join(result["verdicts_changed"]) or "no verdict changed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs M reads differently")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--candidate", choices=sorted(CANDIDATES), default="M",
                       help="M (session 22, the default) or M2 (session 23)")
        p.add_argument("--decision", nargs="+", default=None,
                       help="the decision sets (default: the candidate's, D25 for M: "
                            "heldout9-11, 14-35; D29 for M2: heldout9-11, 14-39)")
        p.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "the candidate", decision_rows=False)
    args = parser.parse_args()
    candidate = CANDIDATES[args.candidate]
    decision = tuple(args.decision or candidate.decision)
    if args.command == "fire":
        fire(candidate, decision, args.out)
    else:
        decide(candidate, args.base, args.fired, args.off_rows, args.on_rows, args.out,
               decision)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
