"""The lookup's operating point (floor on the cosine the index floors by, cut on the
verifier's probability) over a grid, on per-pair rows of seen writers and Quora, and what a
rule that picks a point on some writers gains on a writer pair it never saw (session 29).

Rows come from ``bench/cache_losses.py --pairs-out`` (with the retrieval map since session
28: ``similarity`` is the mapped cosine); a pair's verdict at floor F and cut C is
``cache_losses.stage(row, F, C)[1]`` and a point's figures are ``cache_losses.counts``.
Per grid point: pooled recall and false hits over the writers' rows (counts and rates),
support-style and general apart (``src/p_s_*``: ``s4b_rule.traffic_of``), each writer pair's
false-hit rate (the worst named), and Quora's (``pairs:qqp`` of ``--sets pairs``).

Leave one writer pair out (``folds``): on the other pairs a criterion (``CRITERIA``, fixed
before any fold was computed) picks a point; the left-out pair is read at that point and at
the shipped one. Session 29's run (the lead's mapped rows at a1ee7c5)::

    .venv/bin/python bench/operating_point.py \\
        --rows /work/base/m29-{P4,D58,D60,D62,D64,D66,D68}-a1ee7c5-pairs.jsonl \\
        --quora /work/base/m29-quora-a1ee7c5-pairs.jsonl \\
        --out bench/results/operating-point-session29.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

from cache_losses import counts  # noqa: E402
from pair_sets import RESERVED  # noqa: E402
from pooled_curve import read_rows  # noqa: E402
from run_record import run_record  # noqa: E402

SHIPPED = (0.5, 0.916959)  # cache.verifier_floor, cross.json's threshold (session 26, S5c)
# (S5's, the layer's until session 35: the rows this reads are S5's; S10 ships at 0.93 since)
FLOORS = (0.35, 0.40, 0.45, 0.50)
CUTS = tuple(sorted({round(0.80 + 0.02 * k, 2) for k in range(8)} | {SHIPPED[1]}))
QUORA = "pairs:qqp"
QUORA_MOST = 37  # issue 13's <= 3 % of the 1,252 Quora negatives
CRITERIA = {
    "A": "on the training writer pairs, the grid point with the highest pooled recall whose pooled "
         "false-hit rate is <= 0.5 % and whose Quora (pairs:qqp) false hits are <= 37 of 1,252; "
         "ties: fewer pooled false hits, then the higher cut, then the higher floor",
    "B": "A, plus every training writer pair's false-hit rate <= 1.0 %",
    # A and B were fixed at 15:10 UTC, before any figure; C and C1 were written after A and B's
    # folds and the grid were read: their folds carry that choice, A and B's do not.
    "C": "written after A and B's folds were read: on the training writer pairs, the grid point "
         "with the highest pooled recall whose pooled false hits are <= the shipped point's on "
         "the same pairs and whose Quora false hits are <= 37; ties as A",
    "C1": "as C, with one pooled false hit more than the shipped point's allowed",
}

Point = tuple[float, float]


def quora_rows(path: Path) -> list[dict[str, Any]]:
    """``path``'s ``pairs:qqp`` rows, every one (their ids are None: ``read_rows`` would
    keep one)."""
    with path.open(encoding="utf-8") as f:
        return [r for r in map(json.loads, f) if r["set"] == QUORA]


def writer_pair(name: str) -> str:
    """heldoutN's pair of writers (heldout54 and heldout55: ``heldout54-55``)."""
    m = re.fullmatch(r"heldout(\d+)", name)
    if m is None:
        raise SystemExit(f"{name}: not a heldoutN set")
    n = int(m.group(1)) // 2 * 2
    return f"heldout{n}-{n + 1}"


def tally(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, int]:
    """``counts``' whole figures (they add up over parts)."""
    c = counts(rows, floor, cut)
    return {k: c[k] for k in ("hits", "positives", "false_hits", "negatives")}


def added(parts: list[dict[str, int]]) -> dict[str, Any]:
    """Tallies summed, with their rates."""
    total = {k: sum(p[k] for p in parts) for k in ("hits", "positives", "false_hits", "negatives")}
    return {**total, "recall": round(total["hits"] / max(total["positives"], 1), 4),
            "false_hit_rate": round(total["false_hits"] / max(total["negatives"], 1), 4)}


def cells(rows: list[dict[str, Any]], quora: list[dict[str, Any]], points: list[Point],
          traffic: dict[tuple[str, str], str] | None) -> dict[Point, dict[str, Any]]:
    """Per point: per writer pair (and traffic kind) the tallies, and Quora's."""
    pairs = sorted({writer_pair(r["set"]) for r in rows})
    split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        kind = traffic.get((r["set"], r["id"]), "unknown") if traffic is not None else "all"
        split.setdefault((writer_pair(r["set"]), kind), []).append(r)
    out = {}
    for point in points:
        out[point] = {"pairs": {p: {kind: tally(part, *point) for (q, kind), part in split.items()
                                    if q == p} for p in pairs},
                      "quora": tally(quora, *point) if quora else None}
    return out


def figures(cell: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    """A point's figures over ``pairs``: pooled, per traffic kind, each pair's false-hit
    rate and the worst, and Quora's."""
    parts = [t for p in pairs for t in cell["pairs"][p].values()]
    kinds = sorted({k for p in pairs for k in cell["pairs"][p]})
    per_pair = {p: added(list(cell["pairs"][p].values())) for p in pairs}
    worst = max(pairs, key=lambda p: (per_pair[p]["false_hit_rate"], p))
    out = {"pooled": added(parts),
           "traffic": {k: added([cell["pairs"][p][k] for p in pairs if k in cell["pairs"][p]])
                       for k in kinds if k != "all"},
           "per_pair_false_hit_rate": {p: per_pair[p]["false_hit_rate"] for p in pairs},
           "worst_pair": {"pair": worst, "false_hit_rate": per_pair[worst]["false_hit_rate"]}}
    if cell["quora"] is not None:
        out["quora"] = added([cell["quora"]])
    return out


def meets(name: str, fig: dict[str, Any], shipped: dict[str, Any]) -> bool:
    """Whether a point's figures on the training pairs meet criterion ``name``'s bounds
    (``shipped``: the shipped point's figures on the same pairs)."""
    if "quora" in fig and fig["quora"]["false_hits"] > QUORA_MOST:
        return False
    false_hits = fig["pooled"]["false_hits"]
    if name in ("C", "C1"):
        return false_hits <= shipped["pooled"]["false_hits"] + (name == "C1")
    ok = false_hits <= 0.005 * fig["pooled"]["negatives"]
    if name == "B":
        ok = ok and fig["worst_pair"]["false_hit_rate"] <= 0.01
    return ok


def choose(name: str, table: dict[Point, dict[str, Any]]) -> Point | None:
    """Criterion ``name``'s point of ``table`` (point -> figures on the training pairs;
    it holds the shipped point)."""
    fit = [pt for pt, fig in table.items() if meets(name, fig, table[SHIPPED])]
    if not fit:
        return None
    return max(fit, key=lambda pt: (table[pt]["pooled"]["hits"],
                                    -table[pt]["pooled"]["false_hits"], pt[1], pt[0]))


def folds(cell: dict[Point, dict[str, Any]], pairs: list[str],
          criteria: tuple[str, ...] = tuple(CRITERIA)) -> dict[str, list[dict[str, Any]]]:
    """Per criterion, per left-out pair: the point chosen on the others and the left-out
    pair's figures there and at the shipped point (``gain``: hits and false hits, chosen
    minus shipped)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in criteria:
        out[name] = []
        for left in pairs:
            rest = [p for p in pairs if p != left]
            point = choose(name, {pt: figures(c, rest) for pt, c in cell.items()})
            fold: dict[str, Any] = {"left_out": left, "point": point}
            shipped = figures(cell[SHIPPED], [left])["pooled"]
            fold["shipped"] = shipped
            if point is not None:
                at = figures(cell[point], [left])["pooled"]
                fold["chosen"] = at
                fold["gain"] = {"hits": at["hits"] - shipped["hits"],
                                "recall_points": round(100 * (at["recall"] - shipped["recall"]), 2),
                                "false_hits": at["false_hits"] - shipped["false_hits"]}
            out[name].append(fold)
    return out


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The folds' left-out pairs pooled: hits and false hits at the chosen and shipped points."""
    chosen = [f for f in runs if "chosen" in f]
    return {"folds": len(runs), "chosen_in": len(chosen),
            "chosen": added([f["chosen"] for f in chosen]),
            "shipped": added([f["shipped"] for f in chosen])}


def run(rows: list[dict[str, Any]], quora: list[dict[str, Any]],
        traffic: dict[tuple[str, str], str] | None,
        points: list[Point] | None = None) -> dict[str, Any]:
    points = points or [(f, c) for f in FLOORS for c in CUTS]
    if SHIPPED not in points:
        points.append(SHIPPED)
    cell = cells(rows, quora, points, traffic)
    pairs = sorted({writer_pair(r["set"]) for r in rows})
    grid = [{"floor": f, "cut": c, **figures(cell[(f, c)], pairs)} for f, c in points]
    table = {pt: figures(cell[pt], pairs) for pt in points}
    fold = folds(cell, pairs)
    return {"pairs": pairs, "shipped": {"floor": SHIPPED[0], "cut": SHIPPED[1]},
            "criteria": CRITERIA,
            "chosen_on_all": {n: choose(n, table) for n in CRITERIA},
            "grid": grid, "folds": fold, "folds_pooled": {n: summary(f) for n, f in fold.items()}}


def printed(result: dict[str, Any], say: Callable[[str], None] = print) -> None:
    say("floor  cut       recall          false hits     support        general"
        "        worst pair            quora")
    for g in result["grid"]:
        p, t = g["pooled"], g.get("traffic", {})
        s, n = t.get("support"), t.get("general")
        q = g.get("quora")
        say(f"{g['floor']:.2f}  {g['cut']:.6f}  {p['recall']:.2%} ({p['hits']:>4})  "
            f"{p['false_hit_rate']:.2%} ({p['false_hits']:>3})  "
            + (f"{s['recall']:.2%}/{s['false_hit_rate']:.2%}  " if s else "")
            + (f"{n['recall']:.2%}/{n['false_hit_rate']:.2%}  " if n else "")
            + f"{g['worst_pair']['pair']} {g['worst_pair']['false_hit_rate']:.2%}  "
            + (f"{q['recall']:.2%} / {q['false_hits']}" if q else ""))
    for name, runs in result["folds"].items():
        say(f"criterion {name}: on all pairs {result['chosen_on_all'][name]}")
        for f in runs:
            g = f.get("gain")
            say(f"  {f['left_out']}: {f['point']}  "
                + (f"hits {f['chosen']['hits']} vs {f['shipped']['hits']} of "
                   f"{f['shipped']['positives']} ({g['recall_points']:+.2f} pt), false hits "
                   f"{f['chosen']['false_hits']} vs {f['shipped']['false_hits']} of "
                   f"{f['shipped']['negatives']}" if g else "no point meets it"))
        s = result["folds_pooled"][name]
        say(f"  pooled: {s['chosen']['recall']:.2%} / {s['chosen']['false_hit_rate']:.2%} "
            f"({s['chosen']['false_hits']}) against {s['shipped']['recall']:.2%} / "
            f"{s['shipped']['false_hit_rate']:.2%} ({s['shipped']['false_hits']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", required=True,
                        help="cache_losses.py --pairs-out rows of heldoutN writers")
    parser.add_argument("--quora", type=Path, default=None,
                        help="cache_losses.py --sets pairs rows (pairs:qqp is read)")
    parser.add_argument("--no-traffic", action="store_true",
                        help="skip the support / general split (it reads the sets' src/)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    rows = read_rows(args.rows, None)
    names = tuple(sorted({r["set"] for r in rows}, key=lambda s: (len(s), s)))
    reserved = sorted(set(names) & RESERVED)
    if reserved:
        raise SystemExit(f"{', '.join(reserved)} are reserved (pair_sets.RESERVED): "
                         "no tally reads them")
    quora = quora_rows(args.quora) if args.quora else []
    traffic = None
    if not args.no_traffic:
        from s4b_rule import traffic_of

        traffic = traffic_of(names)
    result = {"sets": list(names), **run(rows, quora, traffic), "run": run_record()}
    printed(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
