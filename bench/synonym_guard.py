"""Session 20's guard G on the synonym form's table (``train/synonyms.py
--no-living-things``), decided by the lead's rule, quoted unchanged from docs/cache-history.md
"Session 20: the synonym form and living things":

    G: the synonym table keeps no group from a synset whose WordNet lexicographer file is
    noun.animal or noun.plant (WordNet files fungi under noun.plant); a lemma keeps its
    other groups. Over D21 (bench/cache_losses.py on heldout9-11, 14-31 with the table
    built with G, against the shipped rows /work/base/base-D21-a4419cb-pairs.jsonl) and
    over the other committed hand-written and public pairs (`others()` of D21, fixed as in
    Part 1; the pairs train/cache_verifier/pairs.py generates excluded and reported
    apart): P = paraphrase hits G takes away, N = negative hits G takes away, both
    counted over D21 and others together; G may add no hit. Ship G (the table rebuilt
    with it, no new setting) if N >= 2 and P <= 10 x N, and the table's load at init
    costs no more CPU than today's (median of 7, as synonym_rule measures it).

    # 1. both tables, in scratch folders (the layer's holds G's since session 20)
    .venv/bin/python -m train.synonyms --living-things --no-kinds --out /tmp/s19-table
    .venv/bin/python -m train.synonyms --no-kinds --out /tmp/g-table  # (session 32: rule K off)
    # 2. the pairs of D21 and others(D21) the two tables make the form read differently
    .venv/bin/python bench/synonym_guard.py fire --shipped-table /tmp/s19-table \
        --table /tmp/g-table --out /tmp/g-fired.jsonl
    # 3. the stack on them with each table
    .venv/bin/python bench/cache_losses.py --sets /tmp/g-fired.jsonl --synonym-table \
        /tmp/s19-table --out /tmp/g-shipped.json --pairs-out /tmp/g-shipped-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/g-fired.jsonl --synonym-table \
        /tmp/g-table --out /tmp/g-guarded.json --pairs-out /tmp/g-guarded-rows.jsonl
    # 4. the rule
    .venv/bin/python bench/synonym_guard.py decide --shipped-table /tmp/s19-table \
        --table /tmp/g-table --base /work/base/base-D21-a4419cb-pairs.jsonl \
        --fired /tmp/g-fired.jsonl --shipped-rows /tmp/g-shipped-rows.jsonl \
        --guarded-rows /tmp/g-guarded-rows.jsonl --out bench/results/synonym-guard-session20.json

The table enters the lookup in the synonym form alone (``spelling._one_synonym``), so a
pair both tables read alike keeps its row: the stack need judge only the pairs ``fire``
finds. On D21 the shipped verdict is the base rows' (each checked against step 3's
shipped row); ``decide`` also times both tables' loads, alternating, in fresh processes
(``synonym_rule.load_once``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cache_losses import stage
from extra_ask_rule import others, write_fired
from pair_sets import load_sets
from run_record import run_record
from synonym_rule import SYNONYMS, generated, load_once, load_summary

from llm_router.cache.spelling import same_spelling
from llm_router.cache.synonyms import DIRECTORY, Synonyms, load, shared_synonyms
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

D21 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 32)))
RULE = "docs/cache-history.md, Session 20: the synonym form and living things (G)"


def table_in(folder: Path | None) -> Synonyms:
    """The table in ``folder`` (None: the layer's)."""
    return shared_synonyms() if folder is None else load(folder)


def fire(shipped_table: Path | None, table: Path, decision: tuple[str, ...], out: Path,
         ) -> None:
    """The pairs of ``decision`` and of ``others(decision)`` where the shipped table and
    ``table``'s make the respelling check answer differently, each with both answers."""
    pieces = shared_verifier().vocabulary.pieces
    shipped, guarded = table_in(shipped_table), load(table)
    pairs = load_sets(list(decision)) + others(decision)
    started = time.process_time()
    fired = []
    for p in pairs:
        before = same_spelling(p["a"], p["b"], pieces, shipped)
        if before in (None, ("synonym",)):  # else the forms before the synonym one decide
            after = same_spelling(p["a"], p["b"], pieces, guarded)
            if after != before:
                fired.append({**p, "shipped": before, "guarded": after})
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, the tables differ on {len(fired):,} ({spent:.1f} s CPU); "
          f"wrote {out}")


def line(p: dict[str, Any], hit: tuple[bool, bool], p_guarded: float | None) -> str:
    before, after = ("hit" if h else "miss" for h in hit)
    prob = "-" if p_guarded is None else f"{p_guarded:.3f}"
    return (f"{p['set']} {p.get('id') or p.get('source') or ''} {p['kind']} "
            f"{'+' if p['label'] else '-'} {before} -> {after} (p {prob}) | {p['a']} | "
            f"{p['b']}")


Row = dict[str, Any]


def rule_rows(base: Path, fired: Path, without: Path, with_change: Path | None,
              ) -> tuple[float, float, list[Row], list[Row], list[Row], dict[Any, Row]]:
    """What a hard-check rule's ``decide`` reads: the shipped floor and cut, ``fire``'s
    pairs, cache_losses' rows of them without the change and with it (each in the pairs'
    order, or it stops; ``with_change`` None: the change refuses every pair it fired on
    before the models, as H's rule says, so a pair's row with it is its row without it
    refused by "numbers"), and ``base``'s rows of the decision sets by (set, a, b)."""
    config = CacheConfig()
    cut = config.verifier_threshold or shared_verifier().threshold
    pairs, before = read_jsonl(fired), read_jsonl(without)
    after = ([{**r, "numbers": True} for r in before] if with_change is None
             else read_jsonl(with_change))
    for rows, path in ((before, without), (after, with_change or without)):
        if [(r["a"], r["b"]) for r in rows] != [(p["a"], p["b"]) for p in pairs]:
            raise SystemExit(f"{path} are not the stack's rows of {fired}")
    shipped = {(r["set"], r["a"], r["b"]): r for r in read_jsonl(base)}
    return config.verifier_floor, cut, pairs, before, after, shipped


def tally(pairs: list[Row], before: list[Row], after: list[Row], shipped: dict[Any, Row],
          base: Path, decision: tuple[str, ...], floor: float, cut: float,
          text: Callable[[Row, tuple[bool, bool], Row, Row], str],
          ) -> tuple[list[str], list[tuple[Row, str]], list[tuple[Row, str]]]:
    """Each fired pair's hit without the change (``before``; a decision set's pair: its
    ``shipped`` row from ``base``, which must give the same verdict) and with it
    (``after``): every pair's line (``text(pair, (hit before, hit after), row before, row
    after)``), the hits the change takes away and those it adds, each with its line."""
    changed: list[str] = []
    taken: list[tuple[Row, str]] = []
    added: list[tuple[Row, str]] = []
    disagree = []
    for p, s, g in zip(pairs, before, after, strict=True):
        if p["set"] in decision:
            row = shipped[(p["set"], p["a"], p["b"])]
            if stage(row, floor, cut) != stage(s, floor, cut):
                disagree.append(p)
            s = row
        hit = (stage(s, floor, cut)[1], stage(g, floor, cut)[1])
        said = text(p, hit, s, g)
        changed.append(said)
        if hit == (True, False):
            taken.append((p, said))
        elif hit == (False, True):
            added.append((p, said))
    if disagree:
        raise SystemExit(f"{len(disagree)} decision pairs' rows without the change differ "
                         f"from {base}")
    return changed, taken, added


def changed_elsewhere(decision_rows: Path, pairs: list[Row], shipped: dict[Any, Row],
                      floor: float, cut: float) -> list[str]:
    """The decision sets' rows with a hard-check change on (``decision_rows``) whose
    verdict differs from the shipped rows' on a pair the change did not fire on (none but
    what changed in the tree since the shipped rows were made), each as ``line`` says it."""
    fired_keys = {(p["set"], p["a"], p["b"]) for p in pairs}
    return [line(r, (stage(shipped[(r["set"], r["a"], r["b"])], floor, cut)[1],
                     stage(r, floor, cut)[1]), r["p"])
            for r in read_jsonl(decision_rows)
            if (r["set"], r["a"], r["b"]) not in fired_keys
            and stage(r, floor, cut) != stage(shipped[(r["set"], r["a"], r["b"])], floor, cut)]


def taken_counts(taken: list[tuple[Row, str]], added: list[tuple[Row, str]],
                 decision: tuple[str, ...]) -> dict[str, int]:
    """A rule's P and N (the paraphrase and negative hits a change takes away, generated
    pairs apart), the hits it adds, the generated pairs' P and N, and the decision sets'."""
    counted = [p for p, _ in taken if not generated(p)]
    apart = [p for p, _ in taken if generated(p)]
    return {
        "P": sum(1 for p in counted if p["label"]),
        "N": sum(1 for p in counted if not p["label"]), "added": len(added),
        "P_generated": sum(1 for p in apart if p["label"]),
        "N_generated": sum(1 for p in apart if not p["label"]),
        "P_decision": sum(1 for p in counted if p["label"] and p["set"] in decision),
        "N_decision": sum(1 for p in counted if not p["label"] and p["set"] in decision)}


def sparse_verdict(counts: dict[str, int], cost_ms: float) -> dict[str, Any]:
    """The verdict of a rule shaped as session 21's W and session 22's E: ship if N >= 3,
    P <= 3 x N, no hit added and the change's added CPU a pair (median) <= 0.1 ms."""
    verdict: dict[str, Any] = {
        **counts,
        "added_cpu_ms_median": cost_ms,
        "N>=3": counts["N"] >= 3, "P<=3N": counts["P"] <= 3 * counts["N"],
        "no_hit_added": not counts["added"],
        "cpu<=0.1ms": cost_ms <= 0.1}
    verdict["ships"] = all(verdict[k] for k in ("N>=3", "P<=3N", "no_hit_added", "cpu<=0.1ms"))
    return verdict


def decide_arguments(d: argparse.ArgumentParser, change: str, decision_rows: bool = True,
                     on_rows: bool = True) -> None:
    """The inputs of a hard-check rule's ``decide`` (W's, E's, M's, H's): the rows without
    and with ``change`` and what ``fire`` wrote; with ``decision_rows``, the decision
    sets' rows with ``change`` too (M's and H's rules read none); without ``on_rows``, no
    rows with ``change`` (H's rule: a fired pair is a refusal)."""
    d.add_argument("--base", type=Path, required=True,
                   help=f"cache_losses --pairs-out rows of the decision sets, without {change}")
    d.add_argument("--fired", type=Path, required=True, help="fire's --out")
    d.add_argument("--off-rows", type=Path, required=True,
                   help=f"cache_losses --pairs-out rows of fire's pairs, without {change}")
    if on_rows:
        d.add_argument("--on-rows", type=Path, required=True, help=f"the same with {change}")
    if decision_rows:
        d.add_argument("--decision-rows", type=Path, required=True,
                       help=f"cache_losses --pairs-out rows of the decision sets with {change}")


Verdict = Callable[[dict[str, int], float, list[tuple[Row, str]]], dict[str, Any]]


def sparse_decide(rule: str, change: str, field: str, base: Path, fired: Path, off_rows: Path,
                  on_rows: Path | None, decision_rows: Path | None, out: Path,
                  decision: tuple[str, ...], *, sort_fired: bool, trim: bool,
                  verdict_of: Verdict | None = None) -> dict[str, Any]:
    """``decide`` of a hard-check rule shaped as W's and E's (``sparse_verdict``): the
    fired pairs' rows without and with ``change`` against the shipped rows, each pair
    named by its ``field`` (the words that fired; counted sorted where ``sort_fired``),
    written to ``out`` with the verdict, which it returns. ``trim``: keep only the
    decision sets' changed pairs and the others' whose hit moved (the others' misses that
    stay misses are ``fire``'s --out). ``on_rows`` None: each fired pair refused (see
    ``rule_rows``); ``decision_rows`` None: none read. ``verdict_of(counts, added CPU
    median, hits taken)``: another rule's verdict (H's) in ``sparse_verdict``'s place."""
    floor, cut, pairs, before, after, shipped = rule_rows(base, fired, off_rows, on_rows)
    # The decision sets with the change on against the shipped rows: the verdicts it did
    # not fire on that differ (none but what changed in the tree since the shipped rows
    # were made: listed).
    elsewhere = (None if decision_rows is None
                 else changed_elsewhere(decision_rows, pairs, shipped, floor, cut))
    changed, taken, added = tally(
        pairs, before, after, shipped, base, decision, floor, cut,
        lambda p, hit, s, _: f"{' / '.join(p[field])}: {line(p, hit, s['p'])}")
    counts = taken_counts(taken, added, decision)
    summary = json.loads(fired.with_suffix(".json").read_text())
    cost = summary["added_cpu_ms"]["median"]
    verdict = (sparse_verdict(counts, cost) if verdict_of is None
               else verdict_of(counts, cost, taken))
    by = Counter(f"{p['set']} {p['kind']} {'+' if p['label'] else '-'}" for p in pairs)
    moved = {text for _, text in taken + added}
    result = {
        "rule": rule, "floor": floor, "cut": cut, "decision_sets": list(decision),
        "verdict": verdict, "added_cpu_ms": summary["added_cpu_ms"],
        "pairs_read": summary["pairs"], "changed": summary["fired"],
        "changed_by_set_and_kind": dict(sorted(by.items())),
        f"{field}_fired": dict(Counter(" / ".join(sorted(p[field]) if sort_fired else p[field])
                                       for p in pairs).most_common()),
        "hits_taken": [text for _, text in taken], "hits_added": [text for _, text in added],
        "changed_pairs": [text for p, text in zip(pairs, changed, strict=True)
                          if not trim or p["set"] in decision or text in moved],
        "decision_changed_elsewhere": elsewhere,
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(verdict, indent=1))
    print("\n".join(changed))
    if elsewhere is not None:
        print(f"decision verdicts changed where {change} did not fire:", *elsewhere, sep="\n")
    return verdict


def decide(shipped_table: Path | None, table: Path, base: Path, fired: Path,
           shipped_rows: Path, guarded_rows: Path, out: Path, decision: tuple[str, ...],
           load_runs: int) -> None:
    floor, cut, pairs, before, after, shipped = rule_rows(base, fired, shipped_rows,
                                                           guarded_rows)
    changed, taken, added = tally(pairs, before, after, shipped, base, decision, floor, cut,
                                  lambda p, hit, s, g: line(p, hit, g["p"]))
    seen: dict[str, list[dict[str, Any]]] = {"shipped": [], "guarded": []}
    for _ in range(load_runs):  # alternating, so a change of load touches both
        seen["shipped"].append(load_once(SYNONYMS, *(
            [] if shipped_table is None else [str(shipped_table)])))
        seen["guarded"].append(load_once(SYNONYMS, str(table)))
    loads = {name: load_summary(SYNONYMS, runs) for name, runs in seen.items()}
    counts = taken_counts(taken, added, decision)
    verdict: dict[str, Any] = {
        **counts,
        "load_cpu_ms": {name: cost["cpu_ms_median"] for name, cost in loads.items()},
        "N>=2": counts["N"] >= 2, "P<=10N": counts["P"] <= 10 * counts["N"],
        "no_hit_added": not added,
        "load<=shipped": loads["guarded"]["cpu_ms_median"] <= loads["shipped"]["cpu_ms_median"]}
    verdict["ships"] = all(verdict[k] for k in ("N>=2", "P<=10N", "no_hit_added",
                                                "load<=shipped"))
    summary = json.loads(fired.with_suffix(".json").read_text())
    by = Counter(f"{p['set']} {p['kind']} {'+' if p['label'] else '-'}" for p in pairs)
    result = {
        "rule": RULE, "floor": floor, "cut": cut, "decision_sets": list(decision),
        "shipped_table": json.loads(((shipped_table or DIRECTORY) / "manifest.json").read_text()),
        "table": json.loads((table / "manifest.json").read_text()),
        "verdict": verdict, "load": loads,
        "pairs_read": summary["pairs"], "changed": summary["fired"],
        "changed_by_set_and_kind": dict(sorted(by.items())),
        "hits_taken": [text for _, text in taken], "hits_added": [text for _, text in added],
        "changed_pairs": changed,
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(verdict, indent=1))
    print("\n".join(changed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs the two tables make the form read differently")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--shipped-table", type=Path, default=None,
                       help="the folder of the table G is measured against (default: the "
                            "layer's)")
        p.add_argument("--table", type=Path, required=True,
                       help="the folder of the table built with G (train/synonyms.py --out)")
        p.add_argument("--decision", nargs="+", default=list(D21),
                       help="the decision sets (default D21: heldout9-11, 14-31)")
        p.add_argument("--out", type=Path, required=True)
    d.add_argument("--base", type=Path, required=True,
                   help="cache_losses --pairs-out rows of the decision sets (shipped table)")
    d.add_argument("--fired", type=Path, required=True, help="fire's --out")
    d.add_argument("--shipped-rows", type=Path, required=True,
                   help="cache_losses --pairs-out rows of fire's pairs, the shipped table")
    d.add_argument("--guarded-rows", type=Path, required=True,
                   help="the same with --synonym-table TABLE")
    d.add_argument("--load-runs", type=int, default=7,
                   help="fresh processes that time each table's load (default 7)")
    args = parser.parse_args()
    if args.command == "fire":
        fire(args.shipped_table, args.table, tuple(args.decision), args.out)
    else:
        decide(args.shipped_table, args.table, args.base, args.fired, args.shipped_rows,
               args.guarded_rows, args.out, tuple(args.decision), args.load_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
