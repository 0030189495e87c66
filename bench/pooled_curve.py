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

``--arms NAME=ROWS ...`` (session 39's capacity probe) reads several models' rows over the
same pairs instead: each arm's curve, and at each budget's cut its recall by positive kind,
its false hits by negative kind and its lost positives by stage (``by_kind``); ``--gap A B``
with ``--bootstrap N`` adds B's recall minus A's at each budget, each model's cut re-found on
each of N draws of whole sets with replacement (``bootstrap_gap``, vectorised:
``verdict_arrays``, ``weighted_cut``)::

    .venv/bin/python bench/pooled_curve.py --arms S10=R0.jsonl C4=R4.jsonl C6=R6.jsonl \\
        --gap C4 C6 --bootstrap 2000 --out OUT.json
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

import numpy as np  # noqa: E402
from cache_losses import VETOES, counts, stage  # noqa: E402
from pair_sets import RESERVED  # noqa: E402

FLOOR = 0.5
BUDGETS = (0.5, 1.0, 2.0, 3.0)  # per cent of the negatives


def read_rows(paths: list[Path], sets: set[str] | None) -> list[dict[str, Any]]:
    """Every row of ``paths`` (``sets``: only those sets'); a pair met twice counts once. A row
    with no id (``cache_losses --sets pairs``: Quora's and the support file's pairs) is known by
    its two texts."""
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for path in paths:
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if sets is None or row["set"] in sets:
                    key = ((row["set"], row["id"]) if row.get("id") is not None
                           else (row["set"], row["a"], row["b"]))
                    rows.setdefault(key, row)
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


def verdict_arrays(rows: list[dict[str, Any]], floor: float = FLOOR) -> dict[str, Any]:
    """``rows`` as arrays for many cuts at once: ``label``, ``fixed`` (a hit whatever the cut:
    the respelling check), ``live`` (the verifier decides at ``p >= cut``: not refused by the
    amounts check, over the floor, no check after the verifier refusing it), ``p`` (NaN for
    None), ``above`` (``lowest_cut``'s candidate cut for a negative: just above its ``p``) and
    ``sets`` (each row's set, an index into ``names``). A row's verdict at a cut is
    ``stage(row, floor, cut)[1]`` == ``fixed or (live and p >= cut)``."""
    from train.cache_verifier.cross_continue import _just_above

    names = sorted({r["set"] for r in rows}, key=lambda s: (len(s), s))
    index = {n: i for i, n in enumerate(names)}
    label = np.asarray([bool(r["label"]) for r in rows])
    numbers = np.asarray([bool(r["numbers"]) for r in rows])
    fixed = ~numbers & np.asarray([r["respelling"] is not None for r in rows])
    vetoed = np.asarray([any(r.get(k) for k in VETOES) for r in rows], bool)
    under = np.asarray([r["similarity"] < floor for r in rows])
    p = np.asarray([np.nan if r["p"] is None else r["p"] for r in rows], np.float64)
    live = ~numbers & ~fixed & ~under & ~vetoed
    if np.isnan(p[live]).any():
        raise ValueError("a row the verifier decides has no probability")
    above = np.asarray([np.nan if r["p"] is None else _just_above(r["p"]) for r in rows])
    return {"label": label, "fixed": fixed, "live": live, "p": p, "above": above,
            "sets": np.asarray([index[r["set"]] for r in rows], np.int64), "names": names}


def weighted_cut(v: dict[str, Any], w: Any, false_hits: float) -> float:
    """``cross_continue.lowest_cut`` over ``verdict_arrays`` ``v``, each row counted ``w`` times
    (a bootstrap draw's multiplicity): the lowest candidate cut whose weighted false hits are
    at most ``false_hits``."""
    neg = ~v["label"] & (w > 0)
    base = float(w[neg & v["fixed"]].sum())
    live = neg & v["live"]
    order = np.argsort(v["p"][live])
    ps, ws = v["p"][live][order], np.asarray(w, np.float64)[live][order]
    tail = np.concatenate([np.cumsum(ws[::-1])[::-1], [0.0]])  # weight at or over ps[i]
    cand = np.unique(np.concatenate([v["above"][neg & ~np.isnan(v["above"])], [1e-6]]))
    passed = base + tail[np.searchsorted(ps, cand, side="left")] <= false_hits
    if not passed.any():
        raise SystemExit(f"no cut keeps the false hits at {false_hits} or fewer")
    # the false hits fall as the cut rises: lowest_cut's walk down stops at the first failure
    failed = np.flatnonzero(~passed)
    return float(cand[failed[-1] + 1] if failed.size else cand[0])


def weighted_recall(v: dict[str, Any], w: Any, cut: float) -> float:
    """The weighted share of positives hit at ``cut``."""
    pos = v["label"] & (w > 0)
    hit = v["fixed"] | (v["live"] & (np.nan_to_num(v["p"], nan=-1.0) >= cut))
    return float(w[pos & hit].sum() / w[pos].sum())


def aligned(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``b``'s rows in ``a``'s order; refuses two runs over different pairs."""
    keyed = {(r["set"], r["id"]): r for r in b}
    if set(keyed) != {(r["set"], r["id"]) for r in a} or len(keyed) != len(a):
        raise SystemExit("the two arms' rows hold different pairs")
    return [keyed[(r["set"], r["id"])] for r in a]


def bootstrap_gap(a: list[dict[str, Any]], b: list[dict[str, Any]], budget: float,
                  draws: int, seed: int = 0) -> dict[str, Any]:
    """B's recall minus A's at ``budget`` % false hits (each model's own cut, ``lowest_cut``'s),
    on the pool and on ``draws`` resamples of whole sets with replacement (each cut re-found
    on the draw): the pool's gap, the draws' mean, 2.5-97.5 % interval and share above 0."""
    b = aligned(a, b)
    va, vb = verdict_arrays(a), verdict_arrays(b)
    n_sets = len(va["names"])

    def gap(w: Any) -> float:
        most = math.floor(budget / 100 * float(w[~va["label"]].sum()))
        return (weighted_recall(vb, w, weighted_cut(vb, w, most))
                - weighted_recall(va, w, weighted_cut(va, w, most)))

    rng = np.random.default_rng(seed)
    gaps = np.asarray([gap(np.bincount(rng.integers(0, n_sets, n_sets),
                                       minlength=n_sets)[va["sets"]].astype(np.float64))
                       for _ in range(draws)])
    return {"budget_pct": budget, "pool_gap": round(gap(np.ones(len(a))), 4),
            "draws": draws, "seed": seed, "sets": n_sets,
            "mean": round(float(gaps.mean()), 4),
            "ci95": [round(float(np.quantile(gaps, q)), 4) for q in (0.025, 0.975)],
            "share_above_0": round(float((gaps > 0).mean()), 4)}


def by_kind(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """At ``cut``: each positive kind's hits of its pairs, each negative kind's false hits of
    its pairs, and the positives lost by the stage that lost them (``stage``)."""
    pos: dict[str, list[int]] = {}
    neg: dict[str, list[int]] = {}
    lost: dict[str, int] = {}
    for r in rows:
        where, hit = stage(r, FLOOR, cut)
        cell = (pos if r["label"] else neg).setdefault(r["kind"], [0, 0])
        cell[0] += int(hit)
        cell[1] += 1
        if r["label"] and not hit:
            lost[where] = lost.get(where, 0) + 1
    return {"positives": {k: {"hits": h, "pairs": n} for k, (h, n) in sorted(pos.items())},
            "negatives": {k: {"false_hits": h, "pairs": n} for k, (h, n) in sorted(neg.items())},
            "lost_by_stage": dict(sorted(lost.items()))}


def live_auc(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ranking alone, where the verifier decides (``verdict_arrays``' live rows: no other
    stage settles the pair at any cut): the share of (paraphrase, negative) pairs of them whose
    paraphrase has the higher ``p`` (ties half; the Mann-Whitney AUC), with the counts."""
    v = verdict_arrays(rows)
    p, label = v["p"][v["live"]], v["label"][v["live"]]
    _, where, counts = np.unique(p, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = ((ends - counts + 1 + ends) / 2)[where]  # 1-based, ties their mean rank
    n_pos, n_neg = int(label.sum()), int((~label).sum())
    auc = (ranks[label].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return {"auc": round(float(auc), 5), "positives": n_pos, "negatives": n_neg}


def arms_main(args: argparse.Namespace, cut: float) -> int:
    """``--arms``: each arm's curve and kinds at each budget's cut, and the ``--gap``s."""
    arms = {}
    for spec in args.arms:
        name, _, path = spec.partition("=")
        arms[name] = read_rows([Path(path)], set(args.sets) if args.sets else None)
    names = tuple(sorted({r["set"] for rows in arms.values() for r in rows},
                         key=lambda s: (len(s), s)))
    if set(names) & RESERVED:
        raise SystemExit("reserved sets (pair_sets.RESERVED): no tally reads them")
    traffic = None
    if not args.no_traffic:
        from s4b_rule import traffic_of

        traffic = traffic_of(names)
    result: dict[str, Any] = {"sets": list(names), "floor": FLOOR, "shipped_cut": cut,
                              "arms": {}, "gaps": []}
    for name, rows in arms.items():
        c = curve(rows, cut, traffic)
        result["arms"][name] = {"pairs": len(rows), "curve": c, "live_auc": live_auc(rows),
                                "kinds": {k: by_kind(rows, v["all"]["cut"])
                                          for k, v in c.items()}}
        for k, parts in c.items():
            line = "  ".join(f"{t} {v['recall']:.2%} / {v['false_hit_rate']:.2%}"
                             for t, v in parts.items())
            print(f"{name:>4} {k:>8} cut {parts['all']['cut']:.6f}  {line}")
    for a, b in args.gap or []:
        for budget in BUDGETS[:3]:
            g = bootstrap_gap(arms[a], arms[b], budget, args.bootstrap, args.seed)
            result["gaps"].append({"a": a, "b": b, **g})
            print(f"{b} - {a} at {budget:g} %: pool {g['pool_gap']:+.2%}, draws mean "
                  f"{g['mean']:+.2%} [{g['ci95'][0]:+.2%}, {g['ci95'][1]:+.2%}], "
                  f"{g['share_above_0']:.0%} above 0")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", default=None,
                        help="cache_losses.py --pairs-out rows of the shipped lookup")
    parser.add_argument("--arms", nargs="+", default=None, metavar="NAME=ROWS",
                        help="instead of --rows: several models' rows over the same pairs")
    parser.add_argument("--gap", nargs=2, action="append", metavar=("A", "B"),
                        help="with --arms: B's recall minus A's at each budget, bootstrapped")
    parser.add_argument("--bootstrap", type=int, default=2000,
                        help="draws of whole sets for --gap")
    parser.add_argument("--seed", type=int, default=0, help="the draws' seed")
    parser.add_argument("--sets", nargs="*", default=None,
                        help="only these sets of the rows (default: every set in them)")
    parser.add_argument("--cut", type=float, default=None,
                        help="the shipped cut (default: the layer's cross.json threshold)")
    parser.add_argument("--no-traffic", action="store_true",
                        help="skip the support / general split (it reads the sets' src/)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    if (args.rows is None) == (args.arms is None):
        parser.error("give --rows or --arms")
    cut = args.cut
    if cut is None:
        cross = HERE.parent / "layers/core/llm_router/data/cache_verifier/cross.json"
        cut = float(json.loads(cross.read_text("utf-8"))["threshold"])
    if args.arms is not None:
        return arms_main(args, cut)

    rows = read_rows(args.rows, set(args.sets) if args.sets else None)
    names = tuple(sorted({r["set"] for r in rows}, key=lambda s: (len(s), s)))
    reserved = sorted(set(names) & RESERVED)
    if reserved:
        raise SystemExit(f"{', '.join(reserved)} are reserved (pair_sets.RESERVED): "
                         "no tally reads them")
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
