"""The lead's rule S4c (session 24): S4 at a higher cut, chosen on the seen heldout42-43 so
that the populated cache holds, then tested once, fixed, on heldout46-47. The rule, quoted
unchanged:

    S4c: S4 (cross.npz 4cfff74c) at a fixed cut c* against S2 (shipped, 2a9b446e) at
    0.855177. Step 1, on heldout42+43 (seen since rule S4b): c* = the lowest cut in C =
    (0.892606, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95) at which bench/cache_shared.py on
    heldout42+heldout43 (10,000 entries, --cross-dir /work/base/s4, --variants
    0.5:5:3:<cut>) answers no more than 17 negative queries from another entry (S2's 15 +
    2). If no cut in C does, S4c ends there and S2 stays. c* is written to
    /work/brief/S4c-cut.txt before heldout46 or heldout47 is read. Step 2, on D47 =
    heldout46, heldout47 (written at session 24's start for session 25, read by nothing
    before this rule, trained on by neither): verdicts cache_losses.stage(row, 0.5, cut) on
    rows from bench/cache_losses.py (S2 the shipped layer; S4 by --cross-dir
    /work/base/s4). S4 at c* replaces S2 at 0.855177 iff (a) S4's D47 recall at c* >= S2's
    + 2.0 points; (b) S4's D47 false hits at c* <= S2's; (c) on each of heldout46 and
    heldout47 S4's recall at c* >= S2's; (d) bench/cache_shared.py on heldout46+heldout47
    (10,000 entries; S2 at 0.5:5, S4 at 0.5:5:3:c*): negative queries answered by another
    entry with S4 <= S2's + 2; (e) pairs:qqp false hits at c* <= 48 (S2's at 0.855177).
    Otherwise S2 stays.

How it is read: rule S4b's (``bench/s4b_rule.py``, imported: its counts per set, kind and
traffic, its disagreements, its reading of ``cache_shared`` results and of who answered a
query), the recall on a set comparing hits over the same positives. Step 1 reads one
``cache_shared`` run holding the seven cuts as variants (they share one index and one
process) and S4b's S2 run on heldout42-43 (15 negatives answered by another entry, the
limit's base). Step 2 reads the four D47 runs and rule S4b's S4 Quora rows (the same
model, ``--sets pairs``). Records beside the verdict, not conditions: step 1's whole
table; on D47 both at S2's cut, at c* and at matched false hits (S4's lowest 6-decimal cut
with D47 false hits <= S2's, ``cross_continue.lowest_cut``) per set, kind and traffic; the
queries another entry answered in both populated caches; the disagreements at c*. The
commands (2026-12-06):

    .venv/bin/python bench/cache_shared.py --sets heldout42 heldout43 --cross-dir \\
        /work/base/s4 --variants 0.5:5:3:0.892606 0.5:5:3:0.900000 ... 0.5:5:3:0.950000 \\
        --out STEP1.json --pairs-out STEP1-pairs.jsonl
    .venv/bin/python bench/s4c_rule.py step1 --shared-s4 STEP1.json \\
        --shared-s2 SHARED-S2.json [--cut-out /work/brief/S4c-cut.txt]   # c*
    .venv/bin/python bench/cache_losses.py --sets heldout46 heldout47 --out D47-S2.json \\
        --pairs-out D47-S2-pairs.jsonl               # and --cross-dir /work/base/s4: D47-S4
    .venv/bin/python bench/cache_shared.py --sets heldout46 heldout47 --variants 0.5:5 \\
        --out SHARED47-S2.json --pairs-out SHARED47-S2-pairs.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout46 heldout47 --cross-dir \\
        /work/base/s4 --variants 0.5:5:3:<c*> --out SHARED47-S4.json \\
        --pairs-out SHARED47-S4-pairs.jsonl
    .venv/bin/python bench/s4c_rule.py step2 --s2 D47-S2-pairs.jsonl --s4 D47-S4-pairs.jsonl \\
        --s4-quora quora-S4-pairs.jsonl --shared-s2 SHARED47-S2.json \\
        --shared-s4 SHARED47-S4.json --shared-pairs SHARED47-S2-pairs.jsonl \\
        SHARED47-S4-pairs.jsonl                      # the verdict
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cache_losses import counts
from run_record import run_record
from s4b_rule import (
    FLOOR,
    MODELS,
    QUORA,
    S2_CUT,
    VARIANT,
    at_table,
    disagreements,
    figures,
    only,
    other_answers,
    points,
    same_pairs,
    split,
    traffic_of,
    variant_name,
)
from verifier_rule import save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
SEEN = ("heldout42", "heldout43")  # step 1
D47 = ("heldout46", "heldout47")  # step 2
CUTS = (0.892606, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95)  # C
S2_ANOTHER_SEEN = 15  # S2's negatives answered by another entry on heldout42-43 (rule S4b)
ANOTHER_SLACK = 2
GAIN = 2.0  # (a), points
QQP_LIMIT = 48  # (e): S2's pairs:qqp false hits at 0.855177
SHAS = {"S2": "2a9b446e", "S4": "4cfff74c"}
OUT = HERE / "results" / "verifier-s4c-session24.json"
DEFAULT_S2_SEEN = Path("/work/base/base-DS-b9e29c7-pairs.jsonl")


def checked(run: dict[str, Any], who: str, sets: tuple[str, ...],
            shas: dict[str, str] = SHAS,
            shipped: tuple[str, float] = ("S2", S2_CUT)) -> dict[str, Any]:
    """A cache_shared result, checked to be ``who``'s verifier (its sha256 in ``shas``: S2
    and S4 here, S2 and S5 in s5c_rule) on ``sets``, the shipped one (``shipped``: its name
    and cut; S5 at 0.916959 in s6d_rule) at its cut."""
    if not run["verifier"]["sha256"].startswith(shas[who]) or list(run["sets"]) != list(sets):
        raise SystemExit(f"the {who} cache_shared run is not {shas[who]} on {', '.join(sets)}")
    name, cut = shipped
    if who == name and run["verifier"]["min_probability"] != cut:
        raise SystemExit(f"the {name} cache_shared run judges at "
                         f"{run['verifier']['min_probability']}, not {cut}")
    return run


def populated(run: dict[str, Any], name: str) -> dict[str, Any]:
    """One variant of a cache_shared run as the tables read it: queries answered by their
    own entry and by another, negatives and paraphrases, all and per set, and the per-pair
    figures the run saw."""
    by = run["by_variant"]
    if name not in by:
        raise SystemExit(f"cache_shared's result has no variant {name} ({', '.join(by)})")

    def part(v: dict[str, Any]) -> dict[str, Any]:
        neg, pos, pp = v["negatives"], v["positives"], v["per_pair"]
        return {"negatives_another": int(neg["another"]), "negatives_own": int(neg["own"]),
                "negatives_answered": int(neg["answered"]),
                "positives_another": int(pos["another"]), "positives_own": int(pos["own"]),
                "positives_none": int(pos["none"]), "per_pair_hits": pp["hits"],
                "per_pair_passed": pp["passed"], "positives": pp["positives"],
                "negatives": pp["negatives"]}

    v = by[name]
    return {"variant": name, "all": part(v["all"]),
            "by_set": {s: part(x) for s, x in v["by_set"].items()},
            "cpu_ms_per_lookup": v.get("cpu_ms_per_lookup"),
            "verified_per_lookup": v.get("verified_per_lookup")}


def step1(s4_run: dict[str, Any], s2_run: dict[str, Any] | None,
          s2_rows: list[dict[str, Any]], s4_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """c*: the lowest cut in C whose populated cache answers at most 15 + 2 negatives from
    another entry (None: no cut does). Each cut's row of the table: the populated cache and
    the per-pair DS recall / false hits read from the lookup's rows."""
    checked(s4_run, "S4", SEEN)
    s2 = None
    if s2_run is not None:
        s2 = populated(checked(s2_run, "S2", SEEN), VARIANT)
        if s2["all"]["negatives_another"] != S2_ANOTHER_SEEN:
            raise SystemExit(f"S2's run answers {s2['all']['negatives_another']} negatives "
                             f"from another entry, not the rule's {S2_ANOTHER_SEEN}")
    same_pairs(s2_rows, s4_rows, "heldout42-43")
    limit = S2_ANOTHER_SEEN + ANOTHER_SLACK
    table = []
    for cut in CUTS:
        row = populated(s4_run, variant_name(cut))
        row.update(cut=cut, holds=row["all"]["negatives_another"] <= limit,
                   rows=figures(s4_rows, cut))
        table.append(row)
    c_star = next((r["cut"] for r in table if r["holds"]), None)
    return {"sets": list(SEEN), "limit": limit, "c_star": c_star, "table": table,
            "S2": None if s2 is None else {**s2, "cut": S2_CUT,
                                           "rows": figures(s2_rows, S2_CUT)}}


def step2(c_star: float, d47: dict[str, list[dict[str, Any]]],
          quora: dict[str, list[dict[str, Any]]], traffic: dict[tuple[str, str], str] | None,
          shared: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Checks (a) to (e) at c*, with the records."""
    same_pairs(d47["S2"], d47["S4"], "D47")
    same_pairs(quora["S2"], quora["S4"], "Quora")
    qqp = {m: [r for r in quora[m] if r["set"] == QUORA] for m in MODELS}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    s2, s4 = counts(d47["S2"], FLOOR, S2_CUT), counts(d47["S4"], FLOOR, c_star)
    matched = lowest_cut(d47["S4"], s2["false_hits"])
    check_a = {"S2_recall": s2["recall"], "S4_recall": s4["recall"],
               "points": points(s4, s2), "needs": GAIN,
               "pass": points(s4, s2) >= GAIN - 1e-9}
    check_b = {"S2_false_hits": s2["false_hits"], "S4_false_hits": s4["false_hits"],
               "pass": s4["false_hits"] <= s2["false_hits"]}
    by_set = {s: (counts([r for r in d47["S2"] if r["set"] == s], FLOOR, S2_CUT),
                  counts([r for r in d47["S4"] if r["set"] == s], FLOOR, c_star)) for s in D47}
    check_c = {"by_set": {s: {"S2_hits": a["hits"], "S4_hits": b["hits"],
                              "positives": a["positives"], "points": points(b, a)}
                          for s, (a, b) in by_set.items()},
               "pass": all(b["hits"] >= a["hits"] for a, b in by_set.values())}
    q2 = counts(qqp["S2"], FLOOR, S2_CUT)["false_hits"]
    q4 = counts(qqp["S4"], FLOOR, c_star)["false_hits"]
    if q2 != QQP_LIMIT:
        raise SystemExit(f"S2's {QUORA} false hits at {S2_CUT} are {q2}, not the rule's "
                         f"{QQP_LIMIT}")
    check_e = {"S2_false_hits": q2, "S4_false_hits": q4, "limit": QQP_LIMIT,
               "pass": q4 <= QQP_LIMIT}
    check_d: dict[str, Any] = {"pass": None, "S4_variant": variant_name(c_star),
                               "why": "cache_shared runs not given (--shared-s2, --shared-s4)"}
    if shared["S2"] is not None and shared["S4"] is not None:
        p2 = populated(checked(shared["S2"], "S2", D47), VARIANT)
        p4 = populated(checked(shared["S4"], "S4", D47), variant_name(c_star))
        m, k = p2["all"]["negatives_another"], p4["all"]["negatives_another"]
        check_d = {"S2": m, "S4": k, "limit": m + ANOTHER_SLACK, "pass": k <= m + ANOTHER_SLACK,
                   "S4_variant": p4["variant"],
                   "entries": [shared["S2"].get("entries"), shared["S4"].get("entries")],
                   "populated": {"S2": p2, "S4": p4}}
    cuts = {"S2_cut": S2_CUT, "c_star": c_star, "matched": matched}
    at = {m: {name: {"d47": figures(d47[m], cut, traffic),
                     "pairs": split(quora[m], lambda r: r["set"], cut)}
              for name, cut in cuts.items()} for m in MODELS}
    return {"sets": list(D47), "c_star": c_star, "matched_cut": matched,
            "a": check_a, "b": check_b, "c": check_c, "d": check_d, "e": check_e,
            "at": at, "disagreements_at_c_star": disagreements(d47["S2"], d47["S4"], c_star)}


def verdict(r: dict[str, Any]) -> bool | None:
    """S4 at c* replaces S2 iff (a) to (e) pass; None while (d) is pending and the others
    pass."""
    if not all(r[k]["pass"] for k in "abce"):
        return False
    return r["d"]["pass"]


def load(path: Path | None) -> dict[str, Any] | None:
    return None if path is None else json.loads(path.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help="c* on heldout42-43")
    one.add_argument("--shared-s4", type=Path, required=True,
                     help="cache_shared on heldout42 heldout43, S4, the seven cuts")
    one.add_argument("--shared-s2", type=Path, default=None,
                     help="the same, S2 at --variants 0.5:5 (rule S4b's run)")
    one.add_argument("--s2", type=Path, default=DEFAULT_S2_SEEN,
                     help="cache_losses rows, S2, heldout42-43")
    one.add_argument("--s4", type=Path, required=True, help="the same, S4 (rule S4b's)")
    one.add_argument("--cut-out", type=Path, default=None, help="where c* is written")
    two = sub.add_parser("step2", help="the verdict on heldout46-47")
    two.add_argument("--s2", type=Path, required=True, help="cache_losses rows, S2, D47")
    two.add_argument("--s4", type=Path, required=True, help="the same, S4")
    two.add_argument("--s2-quora", type=Path,
                     default=Path("/work/base/quora-b9e29c7-pairs.jsonl"),
                     help="cache_losses --sets pairs rows, S2")
    two.add_argument("--s4-quora", type=Path, required=True, help="the same, S4")
    two.add_argument("--shared-s2", type=Path, default=None,
                     help="cache_shared on heldout46 heldout47, S2 at 0.5:5")
    two.add_argument("--shared-s4", type=Path, default=None, help="the same, S4 at c*")
    two.add_argument("--shared-pairs", type=Path, nargs=2, default=None,
                     metavar=("S2_PAIRS", "S4_PAIRS"), help="the two runs' --pairs-out rows")
    for p in (one, two):
        p.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.step == "step1":
        first = step1(load(args.shared_s4), load(args.shared_s2),  # type: ignore[arg-type]
                      only(read_jsonl(args.s2), SEEN), only(read_jsonl(args.s4), SEEN))
        out = {"rule": RULE, "cuts": list(CUTS), "floor": FLOOR, "S2_cut": S2_CUT,
               "step1": first, "S4_replaces_S2": False if first["c_star"] is None else None,
               "inputs": {"step1": {k: str(v) for k, v in vars(args).items() if k != "out"}},
               "run": {"step1": run_record()}}
        if args.cut_out is not None:
            args.cut_out.write_text(
                "none: no cut in C holds; S4c ends, S2 stays\n" if first["c_star"] is None
                else f"{first['c_star']:.6f}\n", encoding="utf-8")
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        c_star = out["step1"]["c_star"]
        if c_star is None:
            raise SystemExit("step 1 found no cut: S4c ended there")
        d47 = {"S2": only(read_jsonl(args.s2), D47), "S4": only(read_jsonl(args.s4), D47)}
        quora = {"S2": read_jsonl(args.s2_quora), "S4": read_jsonl(args.s4_quora)}
        second = step2(c_star, d47, quora, traffic_of(D47),
                       {"S2": load(args.shared_s2), "S4": load(args.shared_s4)})
        if args.shared_pairs is not None:
            s2p, s4p = (read_jsonl(p) for p in args.shared_pairs)
            second["d"]["other_answers"] = {"negatives": other_answers(s2p, s4p),
                                            "paraphrases": other_answers(s2p, s4p, label=1)}
        replaces = verdict(second)
        out.update(step2=second, S4_replaces_S2=replaces,
                   ships=None if replaces is None else (
                       {"verifier": "S4", "cut": c_star} if replaces
                       else {"verifier": "S2", "cut": S2_CUT}))
        out["inputs"]["step2"] = {k: str(v) for k, v in vars(args).items() if k != "out"}
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    print(f"step 1 ({', '.join(one['sets'])}): limit {one['limit']} negatives answered by "
          "another entry\n\n| verifier | cut | - another | + another | - own | + own | "
          "per pair recall / FH (rows) | per pair (cache_shared) |\n|---|---|---|---|---|---|"
          "---|---|")
    for row in ([{**one["S2"], "who": "S2"}] if one["S2"] else []) + [
            {**x, "who": "S4"} for x in one["table"]]:
        a, f = row["all"], row["rows"]["all"]
        print(f"| {row['who']} | {row['cut']:.6f} | {a['negatives_another']} | "
              f"{a['positives_another']} | {a['negatives_own']} | {a['positives_own']} | "
              f"{f['recall']:.2%} ({f['hits']}/{f['positives']}) / {f['false_hits']} | "
              f"{a['per_pair_hits']}/{a['positives']} / {a['per_pair_passed']} |")
    c_star = one["c_star"]
    print(f"\nc* = {'none' if c_star is None else f'{c_star:.6f}'}")
    two = r.get("step2")
    if two is None:
        return
    print(f"\nstep 2 ({', '.join(two['sets'])}): matched cut {two['matched_cut']:.6f}\n")
    at_table(two["at"], "d47", D47, "D47")
    a, b, c, d, e = (two[k] for k in "abcde")
    mark = {True: "pass", False: "FAIL", None: "pending"}
    print(f"\n(a) S4 at c* {a['S4_recall']:.2%} against S2 {a['S2_recall']:.2%}: "
          f"{a['points']:+.2f} points (needs +{GAIN}): {mark[a['pass']]}")
    print(f"(b) D47 false hits S4 {b['S4_false_hits']} / S2 {b['S2_false_hits']}: "
          f"{mark[b['pass']]}")
    print("(c) " + ", ".join(f"{s} S4 {v['S4_hits']} / S2 {v['S2_hits']} of {v['positives']}"
                             for s, v in c["by_set"].items()) + f": {mark[c['pass']]}")
    print("(d) " + str({k: v for k, v in d.items()
                        if k not in ("other_answers", "populated")}))
    for label, cells in d.get("other_answers", {}).items():
        for what, v in cells.items():
            print(f"    {label} another entry answered, {what}: {v['n']} {v['by_kind']}; "
                  f"the other lookup: {v['other_outcome']}")
    print(f"(e) pairs:qqp false hits S4 {e['S4_false_hits']} (limit {e['limit']}): "
          f"{mark[e['pass']]}")
    for what, v in two["disagreements_at_c_star"].items():
        print(f"{what}: {v['n']} {v['by_kind']}")
    print(f"\nverdict: S4 replaces S2: {r['S4_replaces_S2']}; ships {r.get('ships')}")


if __name__ == "__main__":
    raise SystemExit(main())
