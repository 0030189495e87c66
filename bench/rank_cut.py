"""Session 35's exploration (helper i23; seen data only, nothing in the layer): S10 with one
cut for a lookup's nearest candidate (c1) and another for the candidates behind it (c2),
``bench/cache_shared.py``'s variant field ``lC`` (``RankCut``), beside the shipped single cut.

Reads ``cache_shared`` runs (``--shared``: one per populated cache, 10,000 entries, every
variant in one run with ``--keep-scores``) and ``cache_losses`` rows of the same sets
(``--rows``, ``--pairs-out``: per pair, rank does not exist, a pair is its own nearest, so
its figures are those at c1). Per (c1, c2), summed over the caches: negative queries
answered (own entry / another), paraphrase queries answered by their own entry and by
another; per cache the same; and the rows' recall and false hits at c1 (floor 0.5).
A variant is read by its ``judging`` record (the cut, ``later_cut``), not its name. Checks
recorded beside: the rank-cut variant at c1 = c2 answers as the plain variant at that cut
(every query, from ``--pairs``), and the plain variant at the layer's cut as ``0.5:5:m``.

    PYTHONPATH=layers/core:local:. .venv/bin/python bench/rank_cut.py \\
        --shared bench/results/local/i23-shared-{80-81,84-85,88-89,92-93,96-97}.json \\
        --pairs bench/results/local/i23-shared-{80-81,84-85,88-89,92-93,96-97}.jsonl \\
        --rows bench/results/local/i23-rows.jsonl --out bench/results/rank-cut-session35.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from cache_losses import counts
from s4c_rule import populated
from s10c_rule import FIGURES, summed

FLOOR = 0.5
OUT = Path(__file__).resolve().parent / "results" / "rank-cut-session35.json"


def cuts_of(run: dict[str, Any]) -> dict[tuple[float, float], str]:
    """(c1, c2) -> the variant judging there: the shipped lookup's floor 0.5, widen to 5,
    the map (``m``); a plain variant is (c, c) unless a rank-cut one holds that key too
    (then the plain one is kept apart, ``plain_of``)."""
    out: dict[tuple[float, float], str] = {}
    for name, v in run["by_variant"].items():
        held = v["judging"]
        fields = name.split(":")
        if (held["floor"], held["widen_to"]) != (FLOOR, 5) or "m" not in fields[2:]:
            raise SystemExit(f"variant {name} is not the shipped lookup's floor/bound/map")
        c1 = round(held["min_probability"], 6)
        if "later_cut" in held:
            out[(c1, round(held["later_cut"], 6))] = name
    return out


def plain_of(run: dict[str, Any]) -> dict[float, str]:
    """c -> the plain (one-cut) variant with a cut given (``0.5:5:m:3:c``)."""
    return {round(v["judging"]["min_probability"], 6): name
            for name, v in run["by_variant"].items()
            if "later_cut" not in v["judging"] and len(name.split(":")) > 3}


def same_answers(pairs: list[dict[str, Any]], a: str, b: str) -> dict[str, int]:
    """Of the rows of ``--pairs-out`` (one a pair and variant), the pairs whose query
    variants ``a`` and ``b`` had the same entry answer (or none), and those where not."""
    by: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(dict)
    for r in pairs:
        if r["variant"] in (a, b):
            by[(r["set"], r.get("id"), r["a"], r["b"], r["label"])][r["variant"]] = r[
                "answered"]
    same = sum(1 for v in by.values() if len(v) == 2 and v[a] == v[b])
    return {"same": same, "differ": len(by) - same}


def table(runs: dict[str, dict[str, Any]], rows: list[dict[str, Any]],
          baseline: str = "0.5:5:m") -> dict[str, Any]:
    """The grid: per (c1, c2) the caches' figures summed and by cache, and the rows at c1;
    the ``baseline`` variant (the layer's cut) the same way."""
    grids = {cache: cuts_of(run) for cache, run in runs.items()}
    keys = sorted(set.intersection(*(set(g) for g in grids.values())))
    out = []
    for c1, c2 in keys:
        each = {cache: populated(run, grids[cache][(c1, c2)]) for cache, run in runs.items()}
        at = counts(rows, FLOOR, c1)
        out.append({"c1": c1, "c2": c2, **summed(list(each.values())),
                    "by_cache": {c: {k: p["all"][k] for k in FIGURES} for c, p in each.items()},
                    "rows_at_c1": {"recall": round(at["recall"], 6), "hits": at["hits"],
                                   "positives": at["positives"],
                                   "false_hits": at["false_hits"],
                                   "negatives": at["negatives"]}})
    base = {cache: populated(run, baseline) for cache, run in runs.items()}
    plain = {c: {cache: populated(run, plain_of(run)[c]) for cache, run in runs.items()}
             for c in sorted(set.intersection(*(set(plain_of(r)) for r in runs.values())))}
    return {"baseline": {"variant": baseline, **summed(list(base.values())),
                         "by_cache": {c: {k: p["all"][k] for k in FIGURES}
                                      for c, p in base.items()}},
            "plain": {str(c): summed(list(p.values())) for c, p in plain.items()},
            "grid": out}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, nargs="+", required=True)
    parser.add_argument("--pairs", type=Path, nargs="*", default=[])
    parser.add_argument("--rows", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    runs = {}
    for path in args.shared:
        run = json.loads(path.read_text())
        if run.get("entries") != 10000:
            raise SystemExit(f"{path}: {run.get('entries')} entries, not 10,000")
        runs["+".join(run["sets"])] = run
    rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line]
    result = table(runs, rows)
    checks = {}
    for path, run in zip(args.pairs, runs.values(), strict=False):
        pairs = [json.loads(line) for line in path.read_text().splitlines() if line]
        grid, plain = cuts_of(run), plain_of(run)
        checks[path.name] = {
            f"{grid[(c, c)]} vs {plain[c]}": same_answers(pairs, grid[(c, c)], plain[c])
            for c in plain if (c, c) in grid}
        for c in plain:  # the layer's own cut given as a field, against the layer's variant
            if abs(c - run["by_variant"]["0.5:5:m"]["judging"]["min_probability"]) < 5e-7:
                checks[path.name][f"0.5:5:m vs {plain[c]}"] = same_answers(pairs, "0.5:5:m",
                                                                            plain[c])
    result["checks"] = checks
    result["rows"] = str(args.rows)
    result["caches"] = list(runs)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    base = result["baseline"]
    print(f"baseline {base['variant']}: - answered {base['negatives_answered']} "
          f"({base['negatives_own']} / {base['negatives_another']}), + own "
          f"{base['positives_own']}, + another {base['positives_another']}")
    print("c1 c2 | - answered (own / another) | + own | + another | rows hits | rows FH")
    for r in result["grid"]:
        print(f"{r['c1']} {r['c2']} | {r['negatives_answered']} ({r['negatives_own']} / "
              f"{r['negatives_another']}) | {r['positives_own']} | {r['positives_another']} | "
              f"{r['rows_at_c1']['hits']}/{r['rows_at_c1']['positives']} | "
              f"{r['rows_at_c1']['false_hits']}/{r['rows_at_c1']['negatives']}")
    print(json.dumps(checks, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
