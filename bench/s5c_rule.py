"""The lead's rule S5c (session 26): S5 at a cut fixed on the six seen writers P6 so that it
holds S2's false hits on the pairs, on Quora and in the populated cache, then tested once on
heldout54-55. The rule, quoted unchanged:

    S5c: S5 (cross.npz cffa0c35, /work/base/s5: S2 continued on heldout30-47; refused by
    rules S5 on heldout48-49 and S5b on heldout52-53) at a fixed cut c* against the shipped
    S2 (2a9b446e at 0.855177). Verdicts: cache_losses.stage(row, 0.5, cut) on
    bench/cache_losses.py rows made at main with every shipped check on (S2: main's layer;
    S5: --cross-dir /work/base/s5). Step 1, on the seen P6 = heldout48, heldout49,
    heldout50, heldout51, heldout52, heldout53 (trained on by neither): F6 = S2's P6 false
    hits at 0.855177; A6 = S2's negative queries answered by another entry, summed over
    three bench/cache_shared.py runs (heldout48+heldout49, heldout50+heldout51,
    heldout52+heldout53; 10,000 entries each; variant 0.5:5). C = (0.851796, 0.86, 0.87,
    0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93). c* = the lowest cut in C at which S5 has
    (i) P6 false hits <= F6, (ii) pairs:qqp false hits <= 48 (S2's at 0.855177), and (iii)
    negative queries answered by another entry, summed over the same three runs with
    --cross-dir /work/base/s5 and variants 0.5:5:3:<cut>, <= A6. If no cut in C meets
    (i)-(iii), S5c ends there and S2 stays. c* is written to /work/brief/S5c-cut.txt before
    any figure of heldout54 or heldout55 is looked at. Step 2, on D54 = heldout54, heldout55
    (written at session 25's end for session 26, read by nothing before this rule, trained
    on by neither): S5 at c* replaces S2 at 0.855177 iff (a) S5's D54 recall at c* >= S2's
    D54 recall + 2.0 points; (b) S5's D54 false hits at c* <= max(S2's D54 false hits,
    floor(1 % of D54's negatives)); (c) on each of heldout54 and heldout55, S5's recall at
    c* >= S2's; (d) bench/cache_shared.py on heldout54+heldout55 (10,000 entries; S2 at
    0.5:5, S5 at 0.5:5:3:c*): negative queries answered by another entry with S5 <= S2's +
    4; (e) S5's verdicts identical between the lookup and the offline scorer on the D54
    pairs (s5_rule.py identity), and a lone new candidate's median CPU with S5 within 5 % of
    S2's in the same alternation (bench/stack_cost.py --verifiers cross --states request, S5
    / S2 alternated, 2 rounds each). Otherwise S2 stays at 0.855177. Why (d) allows +4 where
    S5b allowed +2: step 1 already holds S5 to S2's count pooled over six writers; between
    writer pairs the count has moved by 4 to 6 (heldout48-49: S5 7, S2 13; heldout52-53: S5
    29, S2 25), so (d) on two writers catches a gross failure, not noise. Why (b) reads
    max(S2's, 1 %): the issue's target is <= 1 % false hits; S5 may not add false hits above
    what S2 has or the target allows.

How it is read: rule S5's and S5b's reading (``bench/s5_rule.py``) and rule S4c's two steps
(``bench/s4c_rule.py``), imported, not copied: a pair's verdict is ``cache_losses.stage`` at
floor 0.5 and the counts ``cache_losses.counts``; the recall on a set compares hits over the
same positives; a ``cache_shared`` run's "negative queries answered by another entry" is
``by_variant[...].all.negatives.another`` (``s4b_rule.another``). Step 1 reads the lead's P6
rows and Quora rows of both models (made at main b1db4b1) and six ``cache_shared`` runs: S2
at ``--variants 0.5:5`` (main's layer, 2a9b446e at 0.855177) and S5 (``--cross-dir
/work/base/s5``, cffa0c35) holding all ten cuts of C as variants ``0.5:5:3:<cut>`` (one index,
one process a writer pair), on each of heldout48+49, heldout50+51 and heldout52+53, each
checked to be the verifier, the sets, the 10,000 entries and (S2) the cut the rule names.
(ii)'s 48 is the rule's number; S2's count on the lead's Quora rows is recorded beside it as
a check. Step 2 reads the D54 rows, the two ``cache_shared`` runs on heldout54+55 ((d): S5
at ``0.5:5:3:<c*>`` against S2 at ``0.5:5``, rule S5's (c) with a slack of 4),
``s5c_rule.py identity`` (``s5_rule.identity`` on D54) and the ``stack_cost.py`` rounds
alternated S5, S2, S5, S2 under ``## S5`` / ``## S2`` lines ((e): rule S5b's (d), the median
of S5's round medians at most 1.05 x S2's). (b)'s 1 % is floor(0.01 x D54's negatives).
Records beside the verdict, not conditions: step 1's table for every cut (P6 per set and
traffic, each run's count); on D54 both models at S2's cut and at c* per set, kind and
traffic with the Quora file's components, the curve at matched false hits (each model's
lowest 6-decimal cut passing at most 0.5, 1, 2, 3 % of D54's negatives, ``s5_rule.curve``)
and S5 at S2's D54 false hits; the pairs they disagree on at c*; who answered in the
populated caches. The commands (2026-12-06, ``OMP_NUM_THREADS=1 nice -n 5``):

    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --variants 0.5:5 \\
        --out SHARED-48-49-S2.json --pairs-out SHARED-48-49-S2.jsonl   # and 50-51, 52-53
    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --cross-dir \\
        /work/base/s5 --variants 0.5:5:3:0.851796 0.5:5:3:0.860000 ... 0.5:5:3:0.930000 \\
        --out SHARED-48-49-S5.json --pairs-out SHARED-48-49-S5.jsonl   # and 50-51, 52-53
    .venv/bin/python bench/s5c_rule.py step1 --shared-s2 SHARED-{48-49,50-51,52-53}-S2.json \\
        --shared-s5 SHARED-{48-49,50-51,52-53}-S5.json --cut-out /work/brief/S5c-cut.txt
    .venv/bin/python bench/cache_shared.py --sets heldout54 heldout55 --variants 0.5:5 \\
        --out SHARED-54-55-S2.json --pairs-out SHARED-54-55-S2.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout54 heldout55 --cross-dir \\
        /work/base/s5 --variants 0.5:5:3:<c*> --out SHARED-54-55-S5.json \\
        --pairs-out SHARED-54-55-S5.jsonl
    .venv/bin/python bench/stack_cost.py --verifiers cross [--cross-dir /work/base/s5] \\
        --states request --rounds 1       # S5, S2, S5, S2 under ## lines into COST.txt
    .venv/bin/python bench/s5c_rule.py identity --rows D54-S5-pairs.jsonl --cut <c*> \\
        --out IDENTITY.json
    .venv/bin/python bench/s5c_rule.py step2 --shared-s2 SHARED-54-55-S2.json \\
        --shared-s5 SHARED-54-55-S5.json --shared-pairs SHARED-54-55-S2.jsonl \\
        SHARED-54-55-S5.jsonl --cost COST.txt --identity IDENTITY.json   # the verdict

The rows default to the lead's: /work/base/base-{P6,D54}-b1db4b1-{S2,S5}-pairs.jsonl and
/work/base/quora-b1db4b1-{S2,S5}-pairs.jsonl. Both steps write
``bench/results/verifier-s5c-session26.json`` (step 2 adds to step 1's).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from cache_losses import counts
from run_record import run_record
from s4b_rule import (
    FLOOR,
    QUORA,
    VARIANT,
    at_table,
    figures,
    split,
    traffic_of,
    variant_name,
)
from s4c_rule import SHAS as S4C_SHAS
from s4c_rule import checked, load, populated
from s5_rule import (
    EXAMPLES,
    MODELS,
    S2_CUT,
    check_c,
    check_e,
    curve,
    identity,
    other_answers,
    points,
    same_pairs,
)
from verifier_rule import disagreements as verifier_disagreements
from verifier_rule import only, save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
PAIRS6 = (("heldout48", "heldout49"), ("heldout50", "heldout51"), ("heldout52", "heldout53"))
P6 = tuple(s for pair in PAIRS6 for s in pair)  # step 1
D54 = ("heldout54", "heldout55")  # step 2
CUTS = (0.851796, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93)  # C
Q_LIMIT = 48  # (ii): S2's pairs:qqp false hits at 0.855177, as the rule states it
ENTRIES = 10_000
GAIN = 2.0  # (a), points of D54 recall over S2's
FLOOR_RATE = 0.01  # (b): at least floor(1 % of D54's negatives)
ANOTHER_SLACK = 4  # (d)
SHAS = {"S2": S4C_SHAS["S2"], "S5": "cffa0c35"}
BASE = Path("/work/base")
ROWS = {(what, m): BASE / f"{what}-b1db4b1-{m}-pairs.jsonl"
        for what in ("base-P6", "base-D54", "quora") for m in MODELS}
CUT_FILE = Path("/work/brief/S5c-cut.txt")
OUT = HERE / "results" / "verifier-s5c-session26.json"


def run_of(run: dict[str, Any], who: str, sets: tuple[str, ...],
           names: tuple[str, ...]) -> dict[str, Any]:
    """A cache_shared result checked to be what the rule names: ``who``'s verifier (S2 at
    0.855177), ``sets``, 10,000 entries, every variant in ``names``."""
    checked(run, who, sets, SHAS)
    if run.get("entries") != ENTRIES:
        raise SystemExit(f"the {who} cache_shared run on {', '.join(sets)} holds "
                         f"{run.get('entries')} entries, not {ENTRIES:,}")
    missing = [n for n in names if n not in run["by_variant"]]
    if missing:
        raise SystemExit(f"the {who} cache_shared run on {', '.join(sets)} has no variant "
                         f"{', '.join(missing)}")
    return run


def step1(p6: dict[str, list[dict[str, Any]]], quora: dict[str, list[dict[str, Any]]],
          runs: dict[str, list[dict[str, Any]]],
          traffic: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """F6, A6 and c*: the lowest cut in C where S5 keeps (i) P6's false hits <= F6, (ii)
    pairs:qqp's <= 48 and (iii) the three populated caches' negatives answered by another
    entry <= A6 (None: no cut does). ``runs``: S2's and S5's cache_shared results, one per
    writer pair of PAIRS6, in that order. Each cut's row: the three conditions and the
    figures behind them."""
    same_pairs(p6["S2"], p6["S5"], "P6")
    same_pairs(quora["S2"], quora["S5"], "Quora")
    qqp = {m: [r for r in quora[m] if r["set"] == QUORA] for m in MODELS}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    names = tuple(variant_name(c) for c in CUTS)
    s2_runs = [populated(run_of(r, "S2", s, (VARIANT,)), VARIANT)
               for r, s in zip(runs["S2"], PAIRS6, strict=True)]
    s5_runs = [run_of(r, "S5", s, names) for r, s in zip(runs["S5"], PAIRS6, strict=True)]
    s2 = counts(p6["S2"], FLOOR, S2_CUT)
    f6 = s2["false_hits"]
    a6 = sum(r["all"]["negatives_another"] for r in s2_runs)
    q2 = counts(qqp["S2"], FLOOR, S2_CUT)["false_hits"]
    table = []
    for cut, name in zip(CUTS, names, strict=True):
        at = figures(p6["S5"], cut, traffic)
        q5 = counts(qqp["S5"], FLOOR, cut)
        by_run = [populated(r, name) for r in s5_runs]
        another_sum = sum(r["all"]["negatives_another"] for r in by_run)
        i, ii, iii = at["all"]["false_hits"] <= f6, q5["false_hits"] <= Q_LIMIT, another_sum <= a6
        table.append({"cut": cut, "variant": name, "P6_false_hits": at["all"]["false_hits"],
                      "P6_recall": at["all"]["recall"], "P6_hits": at["all"]["hits"],
                      "qqp_false_hits": q5["false_hits"], "qqp_recall": q5["recall"],
                      "another": another_sum,
                      "another_by_pair": [r["all"]["negatives_another"] for r in by_run],
                      "i": i, "ii": ii, "iii": iii, "holds": i and ii and iii,
                      "P6": at, "populated": by_run})
    c_star = next((r["cut"] for r in table if r["holds"]), None)
    return {"sets": list(P6), "writer_pairs": [list(p) for p in PAIRS6], "F6": f6, "A6": a6,
            "Q": Q_LIMIT, "Q_check": {"S2_quora_false_hits_at_S2_cut": q2, "agrees": q2 == Q_LIMIT},
            "c_star": c_star, "table": table,
            "S2": {"cut": S2_CUT, "P6_false_hits": f6, "P6_recall": s2["recall"],
                   "P6_hits": s2["hits"], "qqp_false_hits": q2,
                   "qqp_recall": counts(qqp["S2"], FLOOR, S2_CUT)["recall"], "another": a6,
                   "another_by_pair": [r["all"]["negatives_another"] for r in s2_runs],
                   "P6": figures(p6["S2"], S2_CUT, traffic), "populated": s2_runs}}


def step2(c_star: float, d54: dict[str, list[dict[str, Any]]],
          quora: dict[str, list[dict[str, Any]]], traffic: dict[tuple[str, str], str] | None,
          shared: dict[str, dict[str, Any] | None], cost: str | None,
          identity_run: dict[str, Any] | None) -> dict[str, Any]:
    """Checks (a) to (e) at c*, with the records."""
    same_pairs(d54["S2"], d54["S5"], "D54")
    same_pairs(quora["S2"], quora["S5"], "Quora")
    s2, s5 = counts(d54["S2"], FLOOR, S2_CUT), counts(d54["S5"], FLOOR, c_star)
    check_a = {"S2_recall": s2["recall"], "S5_recall": s5["recall"], "S2_hits": s2["hits"],
               "S5_hits": s5["hits"], "positives": s2["positives"], "points": points(s5, s2),
               "needs": GAIN, "pass": points(s5, s2) >= GAIN - 1e-9}
    floor_1 = math.floor(FLOOR_RATE * s2["negatives"] + 1e-9)
    limit = max(s2["false_hits"], floor_1)
    check_b = {"S2_false_hits": s2["false_hits"], "floor_1pct_of_negatives": floor_1,
               "negatives": s2["negatives"], "limit": limit,
               "S5_false_hits": s5["false_hits"], "pass": s5["false_hits"] <= limit}
    by_set = {s: (counts([r for r in d54["S2"] if r["set"] == s], FLOOR, S2_CUT),
                  counts([r for r in d54["S5"] if r["set"] == s], FLOOR, c_star)) for s in D54}
    check_c_ = {"by_set": {s: {"S2_hits": a["hits"], "S5_hits": b["hits"],
                               "positives": a["positives"], "points": points(b, a)}
                           for s, (a, b) in by_set.items()},
                "pass": all(b["hits"] >= a["hits"] for a, b in by_set.values())}
    if shared["S2"] is not None and shared["S5"] is not None:
        run_of(shared["S2"], "S2", D54, (VARIANT,))
        run_of(shared["S5"], "S5", D54, (variant_name(c_star),))
    check_d = check_c(c_star, shared["S2"], shared["S5"], D54, ANOTHER_SLACK)
    if shared["S2"] is not None and shared["S5"] is not None:
        check_d["populated"] = {"S2": populated(shared["S2"], VARIANT),
                                "S5": populated(shared["S5"], variant_name(c_star))}
    if identity_run is not None and identity_run.get("sets") != list(D54):
        raise SystemExit(f"the identity check ran on {identity_run.get('sets')}, not D54")
    check_e_ = check_e(cost, identity_run, c_star, "S5c")  # S5b's (d): CPU within 5 %
    matched = lowest_cut(d54["S5"], s2["false_hits"])
    cuts = {"S2_cut": S2_CUT, "c_star": c_star}
    at = {m: {name: {"d54": figures(d54[m], cut, traffic),
                     "pairs": split(quora[m], lambda r: r["set"], cut)}
              for name, cut in cuts.items()} for m in MODELS}
    at["S5"]["matched"] = {"d54": figures(d54["S5"], matched, traffic),
                           "pairs": split(quora["S5"], lambda r: r["set"], matched)}
    return {"sets": list(D54), "c_star": c_star, "matched_cut": matched,
            "a": check_a, "b": check_b, "c": check_c_, "d": check_d, "e": check_e_,
            "at": at, "curve": curve(d54),
            "disagreements_at_c_star": verifier_disagreements(
                d54["S2"], d54["S5"], S2_CUT, c_star, MODELS, EXAMPLES)}


def verdict(r: dict[str, Any]) -> bool | None:
    """S5 at c* replaces S2 iff (a) to (e) pass; None while (d) or (e) is pending and the
    others pass."""
    marks = [r[k]["pass"] for k in "abcde"]
    if False in marks:
        return False
    return None if None in marks else True


def cut_text(c_star: float | None) -> str:
    return ("none: no cut in C meets (i)-(iii); S5c ends, S2 stays\n" if c_star is None
            else f"{c_star:.6f}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help="c* on P6")
    one.add_argument("--shared-s2", type=Path, nargs=3, required=True,
                     help="cache_shared on heldout48+49, 50+51, 52+53, S2 at 0.5:5")
    one.add_argument("--shared-s5", type=Path, nargs=3, required=True,
                     help="the same, S5 at the ten cuts of C")
    one.add_argument("--cut-out", type=Path, default=None, help=f"where c* goes ({CUT_FILE})")
    two = sub.add_parser("step2", help="the verdict on D54")
    two.add_argument("--shared-s2", type=Path, default=None,
                     help="cache_shared on heldout54 heldout55, S2 at 0.5:5")
    two.add_argument("--shared-s5", type=Path, default=None, help="the same, S5 at c*")
    two.add_argument("--shared-pairs", type=Path, nargs=2, default=None,
                     metavar=("S2_PAIRS", "S5_PAIRS"), help="the two runs' --pairs-out rows")
    two.add_argument("--cost", type=Path, default=None,
                     help="stack_cost.py's output, rounds alternated under ## S5 / ## S2 lines")
    two.add_argument("--identity", type=Path, default=None, help="s5c_rule.py identity's JSON")
    two.add_argument("--cut-file", type=Path, default=CUT_FILE,
                     help="step 1's c*, written before D54 was read (must agree)")
    for p, what in ((one, "base-P6"), (two, "base-D54")):
        for m in MODELS:
            p.add_argument(f"--{m.lower()}", type=Path, default=ROWS[(what, m)],
                           help=f"cache_losses rows, {m}")
            p.add_argument(f"--{m.lower()}-quora", type=Path, default=ROWS[("quora", m)],
                           help=f"cache_losses --sets pairs rows, {m}")
        p.add_argument("--out", type=Path, default=OUT)
    i = sub.add_parser("identity", help="(e)'s verdicts on D54, lone lookup against the rows")
    i.add_argument("--rows", type=Path, default=ROWS[("base-D54", "S5")],
                   help="cache_losses rows, S5, D54")
    i.add_argument("--cross-dir", type=Path, default=BASE / "s5", help="S5's folder")
    i.add_argument("--cut", type=float, required=True, help="c*")
    i.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.step == "identity":
        result = identity(read_jsonl(args.rows), args.cross_dir, args.cut, D54)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result))
        return 0
    inputs = {k: str(v) for k, v in vars(args).items() if k != "out"}
    if args.step == "step1":
        quora = {"S2": read_jsonl(args.s2_quora), "S5": read_jsonl(args.s5_quora)}
        rows = {"S2": only(read_jsonl(args.s2), P6), "S5": only(read_jsonl(args.s5), P6)}
        runs = {m: [json.loads(p.read_text(encoding="utf-8")) for p in paths]
                for m, paths in (("S2", args.shared_s2), ("S5", args.shared_s5))}
        first = step1(rows, quora, runs, traffic_of(P6))
        out = {"rule": RULE, "cuts": list(CUTS), "floor": FLOOR, "S2_cut": S2_CUT,
               "step1": first, "S5_replaces_S2": False if first["c_star"] is None else None,
               "ships": {"verifier": "S2", "cut": S2_CUT} if first["c_star"] is None else None,
               "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        if args.cut_out is not None:
            args.cut_out.write_text(cut_text(first["c_star"]), encoding="utf-8")
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        c_star = out["step1"]["c_star"]
        if c_star is None:
            raise SystemExit("step 1 found no cut: S5c ended there")
        if args.cut_file.read_text(encoding="utf-8") != cut_text(c_star):
            raise SystemExit(f"{args.cut_file} does not hold step 1's c* {c_star:.6f}")
        rows = {"S2": only(read_jsonl(args.s2), D54), "S5": only(read_jsonl(args.s5), D54)}
        quora = {"S2": read_jsonl(args.s2_quora), "S5": read_jsonl(args.s5_quora)}
        second = step2(c_star, rows, quora, traffic_of(D54),
                       {"S2": load(args.shared_s2), "S5": load(args.shared_s5)},
                       None if args.cost is None else args.cost.read_text(encoding="utf-8"),
                       load(args.identity))
        if args.shared_pairs is not None:
            s2p, s5p = (read_jsonl(p) for p in args.shared_pairs)
            second["d"]["other_answers"] = {"negatives": other_answers(s2p, s5p),
                                            "paraphrases": other_answers(s2p, s5p, label=1)}
        replaces = verdict(second)
        out.update(step2=second, S5_replaces_S2=replaces,
                   ships=None if replaces is None else (
                       {"verifier": "S5", "cut": c_star} if replaces
                       else {"verifier": "S2", "cut": S2_CUT}))
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    print(f"step 1 (P6 = {', '.join(one['sets'])}): F6 = {one['F6']}, A6 = {one['A6']} "
          f"({' + '.join(map(str, one['S2']['another_by_pair']))}), Q = {one['Q']} (S2's "
          f"Quora rows: {one['Q_check']['S2_quora_false_hits_at_S2_cut']})\n\n"
          "| verifier | cut | P6 recall | (i) P6 false hits | (ii) pairs:qqp false hits | "
          "(iii) negatives answered by another entry (48-49 + 50-51 + 52-53) | meets |\n"
          "|---|---|---|---|---|---|---|")
    s2 = one["S2"]
    print(f"| S2 | {s2['cut']:.6f} | {s2['P6_recall']:.2%} ({s2['P6_hits']}) | "
          f"{s2['P6_false_hits']} | {s2['qqp_false_hits']} | {s2['another']} "
          f"({' + '.join(map(str, s2['another_by_pair']))}) | |")
    for x in one["table"]:
        meets = "yes" if x["holds"] else "no: " + ", ".join(
            f"({k})" for k in ("i", "ii", "iii") if not x[k])
        print(f"| S5 | {x['cut']:.6f} | {x['P6_recall']:.2%} ({x['P6_hits']}) | "
              f"{x['P6_false_hits']} | {x['qqp_false_hits']} | {x['another']} "
              f"({' + '.join(map(str, x['another_by_pair']))}) | {meets} |")
    c_star = one["c_star"]
    print(f"\nc* = {'none' if c_star is None else f'{c_star:.6f}'}")
    two = r.get("step2")
    if two is None:
        return
    mark = {True: "pass", False: "FAIL", None: "pending"}
    print(f"\nstep 2 (D54 = {', '.join(two['sets'])}): S5 at S2's D54 false hits from "
          f"{two['matched_cut']:.6f}\n")
    at_table(two["at"], "d54", D54, "D54")
    print("\nmatched false hits on D54 (rate: at most n; S2 cut, recall; S5 cut, recall; points)")
    for x in two["curve"]:
        print(f"  {x['rate']:.1%}: <= {x['false_hits_at_most']}; S2 {x['S2']['cut']:.6f} "
              f"{x['S2']['recall']:.2%} ({x['S2']['hits']}, {x['S2']['false_hits']} FH); S5 "
              f"{x['S5']['cut']:.6f} {x['S5']['recall']:.2%} ({x['S5']['hits']}, "
              f"{x['S5']['false_hits']} FH); {x['points']:+.2f}")
    a, b, c, d, e = (two[k] for k in "abcde")
    print(f"\n(a) S5 at c* {a['S5_recall']:.2%} ({a['S5_hits']}) against S2 {a['S2_recall']:.2%} "
          f"({a['S2_hits']}) of {a['positives']}: {a['points']:+.2f} points (needs +{GAIN}): "
          f"{mark[a['pass']]}")
    print(f"(b) D54 false hits S5 {b['S5_false_hits']}, limit {b['limit']} = max(S2's "
          f"{b['S2_false_hits']}, floor(1 % of {b['negatives']}) = "
          f"{b['floor_1pct_of_negatives']}): {mark[b['pass']]}")
    print("(c) " + ", ".join(f"{s} S5 {v['S5_hits']} / S2 {v['S2_hits']} of {v['positives']} "
                             f"({v['points']:+.2f})" for s, v in c["by_set"].items())
          + f": {mark[c['pass']]}")
    print("(d) " + str({k: v for k, v in d.items() if k not in ("other_answers", "populated")})
          + f": {mark[d['pass']]}")
    for label, cells in d.get("other_answers", {}).items():
        for what, v in cells.items():
            print(f"    {label} another entry answered, {what}: {v['n']} {v['by_kind']}; "
                  f"the other lookup: {v['other_outcome']}")
    print("(e) " + str({k: v for k, v in e.items() if k != "rounds"}) + f": {mark[e['pass']]}")
    for what, v in two["disagreements_at_c_star"].items():
        print(f"{what}: {v['n']} {v['by_kind']}")
    print(f"\nverdict: S5 replaces S2: {r['S5_replaces_S2']}; ships {r.get('ships')}")


if __name__ == "__main__":
    raise SystemExit(main())
