"""The lead's rule E, stage 1 (session 24): is there anything to distil from an ensemble of
S2, S3 and S4? Applied once, as written, from the lookup's rows. The rule, quoted unchanged:

    E, stage 1 (a record that decides only whether stage 2 runs): R4 = heldout38, 39,
    40, 41 (trained on by none of S2, S3, S4). Rows: S2 and S3 from
    /work/base/base-D31-b9e29c7-pairs.jsonl and -S3-pairs.jsonl, S4 from
    bench/cache_losses.py --cross-dir /work/base/s4 on R4 at main b9e29c7. Scorers: S2,
    S3, S4 alone; E3 = sigmoid of the mean of the three logits; E2 = the same for S2 and
    S3. Verdicts by cache_losses.stage(row, 0.5, cut) with the row's probability replaced
    by the scorer's. F = S2's R4 false hits at 0.855177. For each scorer, R = its R4
    recall at the lowest 6-decimal cut with R4 false hits <= F. Stage 2 runs iff
    max(R_E3, R_E2) >= max(R_S2, R_S3, R_S4) + 2.0 points. E, stage 2: the student = S2
    fine-tuned with S2's session-21 recipe bundle and weights (make
    verifier-cross-alone's), every pair's target 0.3 x label + 0.7 x the stage-1 winner's
    probability (E3 or E2, the teacher scored over the bundle), 2,000 steps from S2's
    weights, seed 24. It replaces S2 iff on DS = heldout42, heldout43, with F' = S2's DS
    false hits at 0.855177 and Q' = S2's pairs:qqp false hits at 0.855177 (rows
    /work/base/quora-b9e29c7-pairs.jsonl), the student's DS recall at its lowest 6-decimal
    cut c with DS false hits <= F' and pairs:qqp false hits <= Q' is at least S2's DS
    recall at 0.855177 + 2.0 points, and at least S2's on each of the two sets; and (c)
    bench/cache_shared.py on heldout42+heldout43 (--variants 0.5:5) at c: negative queries
    answered by another entry <= S2's + 2. The student ships at c. Otherwise S2 stays.

How each part is read. A scorer's row is S2's row (the similarity, the hard checks and the
checks after the verifier, which read the texts, not the model: checked equal across the
three rows files) with ``p`` replaced by the scorer's probability; E3's and E2's are
sigmoid(mean of ``fitted_stack.logit`` of the members' ``p``), the logit clipped to
[1e-6, 1 - 1e-6] as the lookup's own logits are (``p`` is None only where the amounts check
refuses, for every model alike). The cut is ``cross_continue.lowest_cut`` (the lowest
6-decimal cut just above a negative's probability at which the false hits are <= F; no
Quora bound in stage 1), the verdict ``cache_losses.stage`` at floor 0.5, the recall
``cache_losses.counts``. Records beside the verdict (not conditions): each scorer at the
lowest cut for F - 5 and F + 5 too, per set; the curve (recall at the lowest cut for a few
false-hit bounds); heldout38-39 and heldout40-41 each read alone the same way (F there = S2's
false hits at its cut); how often S2, S3 and S4 at their own cuts for F put a pair on
different sides (p against the cut) and give it different verdicts.

    .venv/bin/python bench/cache_losses.py --sets heldout38 heldout39 heldout40 heldout41 \\
        --cross-dir /work/base/s4 --out R4-S4.json --pairs-out R4-S4-pairs.jsonl
    .venv/bin/python bench/ensemble_rule.py --s2 /work/base/base-D31-b9e29c7-pairs.jsonl \\
        --s3 /work/base/base-D31-b9e29c7-S3-pairs.jsonl --s4 R4-S4-pairs.jsonl
"""

from __future__ import annotations

import argparse
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record
from verifier_rule import only, save

from llm_router.cache.fitted_stack import logit
from train.cache_verifier.cross_continue import lowest_cut
from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
FLOOR = 0.5
R4 = ("heldout38", "heldout39", "heldout40", "heldout41")
S2_CUT = 0.855177  # S2's shipped cut (cross.npz 2a9b446e)
MODELS = ("S2", "S3", "S4")
ENSEMBLES = {"E3": ("S2", "S3", "S4"), "E2": ("S2", "S3")}
SCORERS = (*MODELS, *ENSEMBLES)
GAIN = 2.0  # points of R4 recall the better ensemble needs over the best single model
AROUND = 5  # the records' false-hit bounds: F - 5 and F + 5
CURVE = (8, 10, 12, 14, 17, 20, 22, 25, 30, 40)  # the records' curve: R4 false-hit bounds
PAIRS_OF_SETS = (("heldout38", "heldout39"), ("heldout40", "heldout41"))  # two writers each
SHARED = ("numbers", "respelling", "similarity", "narrowed", "more", "own")  # not the model's
EXAMPLES = 4


def r4_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of R4's four sets (each must be there)."""
    return only(rows, R4)


def key(r: dict[str, Any]) -> tuple[Any, ...]:
    return r["set"], r["id"], r["a"], r["b"], r["label"], r["kind"]


def check_same(rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """The three rows files hold the same pairs in the same order (else exit); per field
    the lookup reads besides ``p``, the rows where a model's differs from S2's (similarity
    beyond 1e-6): each must be 0 for S2's row to stand for every scorer's."""
    base = rows["S2"]
    differ: Counter[str] = Counter()
    for m in MODELS[1:]:
        if [key(r) for r in rows[m]] != [key(r) for r in base]:
            raise SystemExit(f"{m}'s rows hold other pairs than S2's")
        for a, b in zip(base, rows[m], strict=True):
            for f in SHARED:
                x, y = a.get(f), b.get(f)
                same = (abs(a[f] - b[f]) <= 1e-6) if f == "similarity" else x == y
                if not same:
                    differ[f"{m}:{f}"] += 1
            if (a["p"] is None) != (b["p"] is None):
                differ[f"{m}:p_none"] += 1
    return dict(differ)


def mean_logit(ps: list[float | None]) -> float | None:
    """sigmoid of the mean of the members' logits (None where any member has none)."""
    if any(p is None for p in ps):
        return None
    z = sum(logit(p) for p in ps if p is not None) / len(ps)
    return 1.0 / (1.0 + math.exp(-z))


def scorer_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Each scorer's rows: S2's rows with ``p`` replaced by the scorer's probability."""
    out = {m: [{**base, "p": r["p"]} for base, r in zip(rows["S2"], rows[m], strict=True)]
           for m in MODELS}
    for name, members in ENSEMBLES.items():
        out[name] = [{**base, "p": mean_logit([rows[m][i]["p"] for m in members])}
                     for i, base in enumerate(rows["S2"])]
    return out


def at_cut(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """R4's counts at ``cut``: all four sets, each set."""
    return {"cut": cut, "all": counts(rows, FLOOR, cut),
            "by_set": {s: counts([r for r in rows if r["set"] == s], FLOOR, cut) for s in R4}}


def at_bound(rows: list[dict[str, Any]], bound: int) -> dict[str, Any]:
    """The scorer at the lowest 6-decimal cut with R4 false hits <= ``bound``."""
    return {"false_hit_bound": bound, **at_cut(rows, lowest_cut(rows, bound))}


def by_pair(scored: dict[str, list[dict[str, Any]]], names: tuple[str, ...]
            ) -> dict[str, Any]:
    """The rule's reading on two of R4's sets alone (a record): F there (S2's false hits
    at its cut), each scorer's recall at the lowest cut keeping them."""
    sub = {s: [r for r in rows if r["set"] in names] for s, rows in scored.items()}
    f = counts(sub["S2"], FLOOR, S2_CUT)["false_hits"]
    return {"F": f, **{s: {k: v for k, v in at_bound(sub[s], f).items() if k != "by_set"}
                       for s in SCORERS}}


def hit(row: dict[str, Any], cut: float) -> bool:
    return bool(stage(row, FLOOR, cut)[1])


def disagreements(rows: dict[str, list[dict[str, Any]]],
                  cuts: dict[str, float]) -> dict[str, Any]:
    """S2, S3 and S4, each at its own cut: the pairs whose ``p`` they put on different
    sides of their cuts (``side_of_cut_differs``: of all pairs with a ``p``, and of those the
    verifier decides, ``asked``: over the floor, not respelled), and those whose verdicts
    differ; per label and kind, which model stands apart (the odd one out of three), with a
    few pairs."""
    side: Counter[str] = Counter()
    verdict: Counter[str] = Counter()
    odd: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    n = len(rows["S2"])
    with_p = 0
    for i in range(n):
        base = rows["S2"][i]
        label = "positives" if base["label"] else "negatives"
        side[f"{label}:n"] += 1
        verdict[f"{label}:n"] += 1
        if base["p"] is not None:
            with_p += 1
            asked = base["respelling"] is None and base["similarity"] >= FLOOR
            side[f"{label}:with_p"] += 1
            side[f"{label}:asked"] += asked
            sides = [rows[m][i]["p"] >= cuts[m] for m in MODELS]
            if len(set(sides)) > 1:
                side[label] += 1
                side[f"{label}:asked_differs"] += asked
        hits = [hit(rows[m][i], cuts[m]) for m in MODELS]
        if len(set(hits)) == 1:
            continue
        verdict[label] += 1
        apart = next(m for m, h in zip(MODELS, hits, strict=True) if hits.count(h) == 1)
        what = f"{label}:{apart}_{'only_hits' if hits[MODELS.index(apart)] else 'only_misses'}"
        odd[label][what.split(':')[1]] += 1
        kinds[label][base["kind"]] += 1
        if len(examples[what]) < EXAMPLES:
            examples[what].append({"set": base["set"], "id": base["id"], "kind": base["kind"],
                                   "a": base["a"], "b": base["b"],
                                   **{f"p_{m}": round(rows[m][i]["p"], 4) for m in MODELS}})
    return {"pairs": n, "pairs_with_p": with_p, "cuts": cuts,
            "side_of_cut_differs": dict(side), "verdict_differs": dict(verdict),
            "odd_one_out": {k: dict(v) for k, v in odd.items()},
            "by_kind": {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0])))
                        for k, v in kinds.items()},
            "examples": dict(sorted(examples.items()))}


def decide(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """F, each scorer's cut and R (and the records at F - 5 and F + 5), stage 2 yes or no."""
    differ = check_same(rows)
    if differ:
        raise SystemExit(f"the rows differ beyond p, so S2's cannot stand for all: {differ}")
    scored = scorer_rows(rows)
    f = counts(scored["S2"], FLOOR, S2_CUT)["false_hits"]
    at = {s: {"F": at_bound(scored[s], f),
              "F-5": at_bound(scored[s], max(f - AROUND, 0)),
              "F+5": at_bound(scored[s], f + AROUND)} for s in SCORERS}
    r = {s: at[s]["F"]["all"]["recall"] for s in SCORERS}
    best_single = max(MODELS, key=lambda m: r[m])
    best_ensemble = max(ENSEMBLES, key=lambda e: r[e])
    points = round((r[best_ensemble] - r[best_single]) * 100, 4)
    runs = points >= GAIN - 1e-9
    curve = {s: {str(b): {k: v for k, v in at_bound(scored[s], b).items() if k != "by_set"}
                 for b in CURVE} for s in SCORERS}
    return {"F": f, "S2_at_present_cut": at_cut(scored["S2"], S2_CUT),
            "cut": {s: at[s]["F"]["cut"] for s in SCORERS}, "R": r,
            "best_single": best_single, "best_ensemble": best_ensemble,
            "points_best_ensemble_minus_best_single": points, "stage2_runs": runs,
            "winner": best_ensemble if runs else None, "at": at, "curve": curve,
            "by_pair_of_sets": {"+".join(p): by_pair(scored, p) for p in PAIRS_OF_SETS},
            "disagreements_at_F": disagreements(scored, {m: at[m]["F"]["cut"] for m in MODELS})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--s2", type=Path, required=True, help="cache_losses rows, S2 (D31)")
    parser.add_argument("--s3", type=Path, required=True, help="the same, S3 (D31)")
    parser.add_argument("--s4", type=Path, required=True, help="the same, S4 (R4)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ensemble-session24.json")
    args = parser.parse_args()
    rows = {m: r4_rows(read_jsonl(getattr(args, m.lower()))) for m in MODELS}
    result = decide(rows)
    out = {"rule": RULE, "decision_sets": list(R4), "floor": FLOOR, "S2_cut": S2_CUT,
           "gain_points": GAIN, **result,
           "inputs": {k: str(v) for k, v in vars(args).items() if k != "out"},
           "run": run_record()}
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    s2 = r["S2_at_present_cut"]["all"]
    print(f"F = {r['F']} (S2 at {S2_CUT}: recall {s2['recall']:.2%}, "
          f"{s2['hits']}/{s2['positives']})\n")
    print("| scorer | bound | cut | R4 recall | R4 false hits | " + " | ".join(R4)
          + " |\n|---|---|---|---|---|" + "---|" * len(R4))
    for s in SCORERS:
        for name, point in r["at"][s].items():
            a, by = point["all"], point["by_set"]
            print(f"| {s} | {name} = {point['false_hit_bound']} | {point['cut']:.6f} | "
                  f"{a['recall']:.2%} ({a['hits']}/{a['positives']}) | "
                  f"{a['false_hits']}/{a['negatives']} | "
                  + " | ".join(f"{by[n]['hits']} / {by[n]['false_hits']}" for n in R4) + " |")
    print("\nthe curve: R4 recall at the lowest cut keeping each false-hit bound\n")
    print("| bound | " + " | ".join(SCORERS) + " |\n|---|" + "---|" * len(SCORERS))
    for b in CURVE:
        print(f"| {b} | " + " | ".join(f"{r['curve'][s][str(b)]['all']['recall']:.2%}"
                                       for s in SCORERS) + " |")
    for name, p in r["by_pair_of_sets"].items():
        print(f"{name}: F {p['F']}; " + ", ".join(
            f"{s} {p[s]['all']['recall']:.2%}" for s in SCORERS))
    d = r["disagreements_at_F"]
    print(f"\nS2, S3, S4 at their cuts for F: side of the cut differs {d['side_of_cut_differs']}; "
          f"verdict differs {d['verdict_differs']}; odd one out {d['odd_one_out']}")
    print(f"\nbest ensemble {r['best_ensemble']} {r['R'][r['best_ensemble']]:.2%} against best "
          f"single {r['best_single']} {r['R'][r['best_single']]:.2%}: "
          f"{r['points_best_ensemble_minus_best_single']:+.2f} points (needs +{GAIN}); "
          f"stage 2 {'RUNS' if r['stage2_runs'] else 'does not run'}")


if __name__ == "__main__":
    raise SystemExit(main())
