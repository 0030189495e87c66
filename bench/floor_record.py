"""R-a as a record (session 27): F1 (``cache.verifier_floor_nearest``) and the plain floor
with S5 in the populated cache, on seen sets; decides nothing.

Per ``bench/cache_shared.py`` run (one pair of sets, 10,000 entries, variants ``0.5:5``
(shipped), ``0.5:5:n0.45``, ``0.5:5:n0.4``, ``0.45:5``, ``0.4:5``) and pooled over the runs
given, each arm's figures beside the shipped arm's, read with ``floor_rule.point`` as
session 24's F1 rule reads them, at S5's cut (0.916959): per pair ``stage(row, f, cut)`` on
the lead's rows for the run's sets (F1 at f is the plain floor at f per pair), the seen
Quora ``pairs:qqp`` rows, and from the run the queries answered by another entry (right /
wrong / unknown by the labels), pairs scored and CPU per lookup. Session 24's conditions
(a)-(e) are read against the shipped arm as records (``floor_rule.checks`` with F1's
bars: (d) +2 on negative and on paraphrase queries answered by another entry, (e) 1.15 x
pairs scored). Pooled: counts summed; per-lookup figures weighted by each run's lookups
(its distinct queries); (d)'s +2 is session 24's two-set bar, read unchanged.

    .venv/bin/python bench/floor_record.py \\
        --rows /work/base/base-P4-66c9ccc-S5-pairs.jsonl \\
               /work/base/base-D58-66c9ccc-S5-pairs.jsonl \\
        --quora /work/base/quora-66c9ccc-S5-pairs.jsonl \\
        --shared bench/results/cache-shared-heldout54-55-floor-session27.json [...] \\
        --out bench/results/floor-ra-session27.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from floor_rule import Rule, alone_check, checks, nearest_key, point, shared_added, variant_key
from run_record import run_record

from train.cache_verifier.pairs import read_jsonl

CUT = 0.916959  # S5, shipped
FLOORS = (0.45, 0.40)
ARMS = {"F1": nearest_key, "plain": variant_key}  # 0.5:5:nF / F:5
COUNTED = ("positives", "negatives")
VIEW = ("own", "another", "another_right", "another_wrong", "another_unknown",
        "another_filler", "none", "answered", "known_wrong")


def rule(sets: tuple[str, ...], arm: str) -> Rule:
    """Session 24's F1 bars at S5's cut on ``sets``; ``arm`` picks the variant names."""
    return Rule(f"R-a {arm}", "record: decides nothing", CUT, sets, FLOORS, ARMS[arm], 2, 1.15)


def lookups(rows: list[dict[str, Any]], sets: tuple[str, ...]) -> int:
    """A run's lookups: its sets' distinct queries (cache_shared looks each up once)."""
    return len({r["b"] for r in rows if r["set"] in sets})


def pooled(runs: list[dict[str, Any]], weights: list[int]) -> dict[str, Any]:
    """One cache_shared-shaped result over ``runs``: the ``all`` counts summed, the
    per-lookup figures weighted by ``weights``."""
    total = sum(weights)
    out: dict[str, Any] = {"by_variant": {}}
    for k in runs[0]["by_variant"]:
        vs = [r["by_variant"][k] for r in runs]
        block: dict[str, Any] = {
            f: round(sum(v[f] * w for v, w in zip(vs, weights, strict=True)) / total, 3)
            for f in ("cpu_ms_per_lookup", "verified_per_lookup", "scored_per_lookup")}
        block["all"] = {side: {f: sum(v["all"][side].get(f, 0) for v in vs) for f in VIEW
                               if f in vs[0]["all"][side]} for side in COUNTED}
        block["all"]["per_pair"] = {f: sum(v["all"]["per_pair"][f] for v in vs)
                                    for f in ("hits", "positives", "passed", "negatives")}
        out["by_variant"][k] = block
    return out


def probe(shared: dict[str, Any], key: str) -> dict[str, int]:
    """The run's own one-entry probes at ``key`` (the lookup at the run's commit, against
    the lead's rows made at 66c9ccc): paraphrases found and negatives passed."""
    one = shared["by_variant"][key]["all"]["per_pair"]
    return {f: one[f] for f in ("hits", "positives", "passed", "negatives")}


def record(rows: list[dict[str, Any]], quora: list[dict[str, Any]],
           shared: dict[str, Any], sets: tuple[str, ...]) -> dict[str, Any]:
    """The shipped arm and each arm at each floor, with (a)-(e) against the shipped."""
    out: dict[str, Any] = {"sets": list(sets)}
    for arm in ARMS:
        r = rule(sets, arm)
        base = point(rows, quora, shared, 0.50, None, r)
        out["shipped"] = {**base, "probe": probe(shared, r.key(0.50))}
        for f in FLOORS:
            low = point(rows, quora, shared, f, None, r)
            out[r.key(f)] = {**low, "probe": probe(shared, r.key(f)),
                             "checks": checks(base, low, r)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", required=True,
                        help="cache_losses.py rows (S5) holding the runs' sets")
    parser.add_argument("--quora", type=Path, required=True, help="S5's pairs rows")
    parser.add_argument("--shared", type=Path, nargs="+", required=True,
                        help="cache_shared.py results, one per pair of sets")
    parser.add_argument("--shared-pairs", type=Path, nargs="*", default=[],
                        help="the runs' --pairs-out rows, in --shared's order: the answers "
                             "each arm adds or changes, with both texts, and the one-entry "
                             "probes checked against stage() on --rows")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = [r for path in args.rows for r in read_jsonl(path)]
    quora = read_jsonl(args.quora)
    runs = [json.loads(p.read_text()) for p in args.shared]
    result: dict[str, Any] = {"cut": CUT, "runs": {}}
    all_sets: tuple[str, ...] = ()
    for path, run in zip(args.shared, runs, strict=True):
        sets = tuple(run["sets"])
        all_sets += sets
        result["runs"]["+".join(sets)] = {"file": path.name, **record(rows, quora, run, sets)}
    for path, run in zip(args.shared_pairs, runs, strict=False):
        answers = read_jsonl(path)
        sets = tuple(run["sets"])
        got = result["runs"]["+".join(sets)]
        for arm in ARMS:
            got[f"added_{arm}"] = shared_added(answers, rule(sets, arm))
            got[f"alone_{arm}"] = alone_check(rows, answers, rule(sets, arm))
    if len(runs) > 1:
        weights = [lookups(rows, tuple(r["sets"])) for r in runs]
        result["pooled"] = record(rows, quora, pooled(runs, weights), all_sets)
    result["run"] = run_record()
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for name, r in {**result["runs"], **({"pooled": result["pooled"]} if "pooled" in result
                                          else {})}.items():
        print(f"\n{name}\n")
        print("| arm | per pair found / FH (probe) | qqp FH | + own / another (r/w/?) | "
              "- another (r/w/?) | scored / lookup | CPU ms / lookup | (a) (b) (c) (d) (e) |")
        print("|---|---|---|---|---|---|---|---|")
        for arm in ("shipped", *(k(f) for k in ARMS.values() for f in FLOORS)):
            p = r[arm]
            df, sh = p["df"], p["shared"]
            c = p.get("checks")
            marks = " ".join("y" if c[x]["pass"] else "n" for x in "abcde") if c else ""
            print(f"| {arm if arm != 'shipped' else '0.5:5'} | {df['hits']}/{df['positives']} "
                  f"/ {df['false_hits']}/{df['negatives']} ({p['probe']['hits']} / "
                  f"{p['probe']['passed']}) | {p['quora']['false_hits']} | "
                  f"{sh['paraphrases_own']} / {sh['paraphrases_another']} "
                  f"({'/'.join(map(str, sh['paraphrases_another_right_wrong_unknown']))}) | "
                  f"{sh['negatives_answered_by_another']} "
                  f"({'/'.join(map(str, sh['negatives_another_right_wrong_unknown']))}) | "
                  f"{sh['scored_per_lookup']} | {sh['cpu_ms_per_lookup_measured']} | {marks} |")
    for name, r in result["runs"].items():
        for arm in ARMS:
            for f, a in r.get(f"added_{arm}", {}).items():
                differ = sum(v["differ"] for v in r[f"alone_{arm}"].values())
                print(f"{name} {arm} {f}: own added {a['own_added']['paraphrases']} + / "
                      f"{a['own_added']['negatives']} -; another's added "
                      f"{a['another_added']['paraphrase_queries']} + / "
                      f"{a['another_added']['negative_queries']} -; answers changed "
                      f"{a['answers_changed']}; probes differing from stage(): {differ}")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
