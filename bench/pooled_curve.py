"""The shipped lookup on every committed set its cross-encoder never trained on, pooled: recall
at the shipped cut and at fixed false-hit budgets, overall and per traffic (support-style pairs
are those a writer typed in a ``src/p_s_*`` file). A record, not a rule: no choice is made on
it. It answers one question the per-session figures cannot: two sets of 750 pairs move a
recall by 2-4 points from one pair of writers to the next (docs/cache-history.md, sessions
22-24), so where the lookup stands against issue 13's targets is read on all of them at once.

Rows come from ``bench/cache_losses.py --pairs-out`` (each row holds the pair's similarity,
probability and hard-check stage; a verdict is ``cache_losses.stage(row, floor, cut)``).
At a budget of b % the cut is the lowest 6-decimal cut whose pooled false hits are at most
floor(b % of the negatives) (``cross_continue.lowest_cut``), read on the pool itself: the
budget's recall is where the curve is, not an operating point anyone could have chosen in
advance. Session 24's run (S2, the shipped 2a9b446e; S2 trained on heldout9-11 and 14-29, so
heldout30-43 and heldout46-47 are the never-trained-on sets; heldout44-45 were that session's
unseen sets and are left out, as are the reserved heldout48-49)::

    .venv/bin/python bench/cache_losses.py --sets heldout30 ... heldout43 heldout46 heldout47 \\
        --out P.json --pairs-out P-pairs.jsonl
    .venv/bin/python bench/pooled_curve.py --rows P-pairs.jsonl \\
        --out bench/results/pooled-curve-session24.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

from cache_losses import counts  # noqa: E402
from pair_sets import RESERVED  # noqa: E402

FLOOR = 0.5
BUDGETS = (0.5, 1.0, 2.0, 3.0)  # per cent of the negatives


def read_rows(paths: list[Path], sets: set[str] | None) -> list[dict[str, Any]]:
    """Every row of ``paths`` (``sets``: only those sets'); a pair met twice counts once."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if sets is None or row["set"] in sets:
                    rows.setdefault((row["set"], row["id"]), row)
    return list(rows.values())


def figures(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """Recall and false hits at ``cut`` (floor 0.5), counts and rates."""
    c = counts(rows, FLOOR, cut)
    return {"cut": cut, "recall": round(c["recall"], 4), "hits": c["hits"],
            "positives": c["positives"], "false_hit_rate": round(c["false_hit_rate"], 4),
            "false_hits": c["false_hits"], "negatives": c["negatives"]}


def curve(rows: list[dict[str, Any]], shipped_cut: float,
          traffic: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """The pool at the shipped cut and at each budget, with the traffic split at the same
    cuts (the budget is the whole pool's)."""
    from train.cache_verifier.cross_continue import lowest_cut

    negatives = sum(1 for r in rows if not r["label"])
    cuts = {"shipped": shipped_cut}
    for b in BUDGETS:
        cuts[f"{b:g} %"] = lowest_cut(rows, math.floor(b / 100 * negatives))
    out: dict[str, Any] = {}
    for name, cut in cuts.items():
        out[name] = {"all": figures(rows, cut)}
        if traffic is not None:
            for kind in ("support", "general"):
                part = [r for r in rows if traffic.get((r["set"], r["id"])) == kind]
                if part:
                    out[name][kind] = figures(part, cut)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", required=True,
                        help="cache_losses.py --pairs-out rows of the shipped lookup")
    parser.add_argument("--sets", nargs="*", default=None,
                        help="only these sets of the rows (default: every set in them)")
    parser.add_argument("--cut", type=float, default=None,
                        help="the shipped cut (default: the layer's cross.json threshold)")
    parser.add_argument("--no-traffic", action="store_true",
                        help="skip the support / general split (it reads the sets' src/)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()

    rows = read_rows(args.rows, set(args.sets) if args.sets else None)
    names = tuple(sorted({r["set"] for r in rows}, key=lambda s: (len(s), s)))
    reserved = sorted(set(names) & RESERVED)
    if reserved:
        raise SystemExit(f"{', '.join(reserved)} are reserved (pair_sets.RESERVED): "
                         "no tally reads them")
    cut = args.cut
    if cut is None:
        cross = HERE.parent / "layers/core/llm_router/data/cache_verifier/cross.json"
        cut = float(json.loads(cross.read_text("utf-8"))["threshold"])
    traffic = None
    if not args.no_traffic:
        from s4b_rule import traffic_of

        traffic = traffic_of(names)
    result = {"sets": list(names), "floor": FLOOR, "shipped_cut": cut,
              "curve": curve(rows, cut, traffic)}
    for name, parts in result["curve"].items():
        line = "  ".join(f"{k} {v['recall']:.2%} / {v['false_hit_rate']:.2%} "
                         f"({v['false_hits']})" for k, v in parts.items())
        print(f"{name:>8} cut {parts['all']['cut']:.6f}  {line}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
