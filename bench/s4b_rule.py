"""The lead's rule S4b (session 24): which cross-encoder the lookup runs, S2 (shipped) or S4,
decided on the fresh sets heldout42-43, applied once, as written, from the lookup's rows.
The rule, quoted unchanged:

    S4b: which cross-encoder the lookup runs, S2 (shipped, cross.npz 2a9b446e at 0.855177)
    or S4 (cross.npz 4cfff74c, /work/base/s4: S3 continued on heldout34-37 in session 23),
    decided on DS = heldout42, heldout43 (trained on by neither, read by no rule before this
    one). Verdicts: cache_losses.stage(row, 0.5, cut); S2's rows
    /work/base/base-DS-b9e29c7-pairs.jsonl, S4's from bench/cache_losses.py --cross-dir
    /work/base/s4 on DS at main. F' = S2's DS false hits at 0.855177; Q' = S2's pairs:qqp
    false hits at 0.855177 (rows /work/base/quora-b9e29c7-pairs.jsonl; S4's pairs:qqp rows
    measured the same way with --cross-dir). c = S4's lowest 6-decimal cut with DS false
    hits <= F' and pairs:qqp false hits <= Q'. S4 replaces S2, shipped at c, iff (a) S4's DS
    recall at c >= S2's DS recall at 0.855177 + 2.0 points; (b) S4's recall at c >= S2's at
    0.855177 on each of heldout42 and heldout43; (c) bench/cache_shared.py on
    heldout42+heldout43 (10,000 entries, --variants 0.5:5, S4 at c against S2 at 0.855177):
    negative queries answered by another entry <= S2's + 2; (d) pooled over R6 =
    heldout38-43 (trained on by neither; rows for heldout38-41 from the base rows and your
    R4 S4 rows), with F6 = S2's R6 false hits at 0.855177, S4's R6 recall at its lowest
    6-decimal cut with R6 false hits <= F6 is >= S2's at 0.855177 + 2.0 points. Otherwise
    S2 stays at 0.855177.

How each part is read (rule V's reading, ``bench/verifier_rule.py``, session 23): a pair's
verdict is ``cache_losses.stage`` at floor 0.5 and the counts ``cache_losses.counts``; c
and R6's cut are ``cross_continue.lowest_cut`` (the lowest 6-decimal cut just above a
negative's probability keeping the bounds; Quora's bound for c only, as the rule says).
The recall on a set compares hits over the same positives. (c) reads ``cache_shared.py``'s
``by_variant[...].all.negatives.another``: S2's run is the shipped layer (S2 at 0.855177)
at ``--variants 0.5:5``; S4's is ``--cross-dir /work/base/s4 --variants 0.5:5:3:<c>``, the
variant's fourth field judging at c (its third, 3, is ``CacheConfig.verifier_rank_margin``),
as rule V ran its kept verifier at a cut other than its folder's. Records beside the
verdict, not conditions: both verifiers at both cuts per set, per kind and per traffic
(the support-style pairs: a set's ``src/p_s_*`` files) on DS; the pairs they disagree on
(S2 at 0.855177, S4 at c) by kind with examples; the Quora file's components at both cuts;
R6 per set. The commands (2026-12-06):

    .venv/bin/python bench/cache_losses.py --sets heldout42 heldout43 --cross-dir /work/base/s4 \\
        --out DS-S4.json --pairs-out DS-S4-pairs.jsonl
    .venv/bin/python bench/cache_losses.py --sets pairs --cross-dir /work/base/s4 \\
        --out quora-S4.json --pairs-out quora-S4-pairs.jsonl
    .venv/bin/python bench/s4b_rule.py --s4 DS-S4-pairs.jsonl --s4-quora quora-S4-pairs.jsonl \\
        --s4-r4 R4-S4-pairs.jsonl                          # the verdict on (a), (b), (d) and c
    .venv/bin/python bench/cache_shared.py --sets heldout42 heldout43 --variants 0.5:5 \\
        --out SHARED-S2.json --pairs-out SHARED-S2-pairs.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout42 heldout43 --cross-dir /work/base/s4 \\
        --variants 0.5:5:3:<c> --out SHARED-S4.json --pairs-out SHARED-S4-pairs.jsonl
    .venv/bin/python bench/s4b_rule.py ... --shared-s2 SHARED-S2.json --shared-s4 SHARED-S4.json \\
        --shared-pairs SHARED-S2-pairs.jsonl SHARED-S4-pairs.jsonl   # (c), and who answered
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record
from verifier_rule import disagreements as verifier_disagreements
from verifier_rule import only, save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
FLOOR = 0.5
DS = ("heldout42", "heldout43")
R4 = ("heldout38", "heldout39", "heldout40", "heldout41")
R6 = (*R4, *DS)
S2_CUT = 0.855177  # S2's shipped cut (cross.npz 2a9b446e)
MODELS = ("S2", "S4")
QUORA = "pairs:qqp"
GAIN = 2.0  # points of recall S4 needs over S2, on DS (a) and on R6 (d)
ANOTHER_SLACK = 2  # (c)
VARIANT = "0.5:5"  # cache_shared's shipped lookup
RANK_MARGIN = 3  # CacheConfig.verifier_rank_margin, the third field of a variant with a cut
EXAMPLES = 4  # pairs shown per kind where the two disagree
BASE = Path("/work/base")
DEFAULTS = {"s2": BASE / "base-DS-b9e29c7-pairs.jsonl",
            "s2_quora": BASE / "quora-b9e29c7-pairs.jsonl",
            "s2_r4": BASE / "base-D31-b9e29c7-pairs.jsonl"}


def same_pairs(a: list[dict[str, Any]], b: list[dict[str, Any]], what: str) -> None:
    if [(r["set"], r["id"], r["a"], r["b"], r["label"]) for r in a] != [
            (r["set"], r["id"], r["a"], r["b"], r["label"]) for r in b]:
        raise SystemExit(f"S2's and S4's {what} rows hold different pairs")


def split(rows: list[dict[str, Any]], by: Callable[[dict[str, Any]], str],
          cut: float) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[by(r)].append(r)
    return {k: counts(v, FLOOR, cut) for k, v in sorted(groups.items())}


def figures(rows: list[dict[str, Any]], cut: float,
            traffic: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Counts at ``cut``: all the rows, each set, each kind (and each traffic, given the
    sets' ``src`` file kinds: ``support`` for ``p_s_*``, ``general`` for ``p_g_*``)."""
    out = {"cut": cut, "all": counts(rows, FLOOR, cut),
           "by_set": split(rows, lambda r: r["set"], cut),
           "by_kind": split(rows, lambda r: r["kind"], cut)}
    if traffic is not None:
        out["by_traffic"] = split(rows, lambda r: traffic[(r["set"], r["id"])], cut)
        out["by_set_traffic"] = split(
            rows, lambda r: f"{r['set']}:{traffic[(r['set'], r['id'])]}", cut)
    return out


def hit(row: dict[str, Any], cut: float) -> bool:
    return bool(stage(row, FLOOR, cut)[1])


def disagreements(s2: list[dict[str, Any]], s4: list[dict[str, Any]],
                  c4: float) -> dict[str, Any]:
    """The pairs whose verdicts differ, S2 at its cut against S4 at ``c4``: per kind,
    paraphrases found by one only and negatives passed by one only, with a few of each
    (rule V's reading, ``verifier_rule.disagreements``)."""
    return verifier_disagreements(s2, s4, S2_CUT, c4, ("S2", "S4"), EXAMPLES)


def points(a: dict[str, Any], b: dict[str, Any]) -> float:
    """a's recall minus b's, in points."""
    return round((a["recall"] - b["recall"]) * 100, 4)


def decide(ds: dict[str, list[dict[str, Any]]], quora: dict[str, list[dict[str, Any]]],
           r6: dict[str, list[dict[str, Any]]],
           traffic: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """F', Q', c, checks (a), (b) and (d) with their figures (and the records)."""
    same_pairs(ds["S2"], ds["S4"], "DS")
    same_pairs(r6["S2"], r6["S4"], "R6")
    qqp = {m: [r for r in quora[m] if r["set"] == QUORA] for m in MODELS}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    same_pairs(quora["S2"], quora["S4"], "Quora")
    f = counts(ds["S2"], FLOOR, S2_CUT)["false_hits"]
    q = counts(qqp["S2"], FLOOR, S2_CUT)["false_hits"]
    c = lowest_cut(ds["S4"], f, (qqp["S4"], q))
    s2, s4 = counts(ds["S2"], FLOOR, S2_CUT), counts(ds["S4"], FLOOR, c)
    a_points = points(s4, s2)
    by_set = {s: {"S2": counts([r for r in ds["S2"] if r["set"] == s], FLOOR, S2_CUT),
                  "S4": counts([r for r in ds["S4"] if r["set"] == s], FLOOR, c)} for s in DS}
    check_a = {"S2_recall": s2["recall"], "S4_recall": s4["recall"], "points": a_points,
               "needs": GAIN, "pass": a_points >= GAIN - 1e-9}
    check_b = {"by_set": {s: {"S2_hits": v["S2"]["hits"], "S4_hits": v["S4"]["hits"],
                              "positives": v["S2"]["positives"],
                              "points": points(v["S4"], v["S2"])} for s, v in by_set.items()},
               "pass": all(v["S4"]["hits"] >= v["S2"]["hits"] for v in by_set.values())}
    f6 = counts(r6["S2"], FLOOR, S2_CUT)["false_hits"]
    c6 = lowest_cut(r6["S4"], f6)
    s2_6, s4_6 = counts(r6["S2"], FLOOR, S2_CUT), counts(r6["S4"], FLOOR, c6)
    d_points = points(s4_6, s2_6)
    check_d = {"F6": f6, "cut": c6, "S2_recall": s2_6["recall"], "S4_recall": s4_6["recall"],
               "S4_false_hits": s4_6["false_hits"], "points": d_points, "needs": GAIN,
               "pass": d_points >= GAIN - 1e-9,
               "S2_at_present_cut": figures(r6["S2"], S2_CUT),
               "S4_at_cut": figures(r6["S4"], c6), "S4_at_c": figures(r6["S4"], c)}
    cuts = {"S2_cut": S2_CUT, "c": c}
    at = {m: {name: {"ds": figures(ds[m], cut, traffic),
                     "pairs": split(quora[m], lambda r: r["set"], cut)}
              for name, cut in cuts.items()} for m in MODELS}
    return {"F_prime": f, "Q_prime": q, "c": c, "a": check_a, "b": check_b, "d": check_d,
            "at": at, "disagreements_at_c": disagreements(ds["S2"], ds["S4"], c)}


def variant_name(cut: float) -> str:
    """cache_shared's variant for the candidate (S4 here, S5 in s5_rule) at ``cut`` (the cut
    in the variant's fourth field)."""
    return f"{VARIANT}:{RANK_MARGIN}:{cut:.6f}"


def another(shared: dict[str, Any], name: str) -> int:
    """cache_shared's negatives answered by another entry, variant ``name``."""
    by = shared["by_variant"]
    if name not in by:
        raise SystemExit(f"cache_shared's result has no variant {name} ({', '.join(by)})")
    return int(by[name]["all"]["negatives"]["another"])


def check_c(cut: float, s2_run: dict[str, Any] | None,
            s4_run: dict[str, Any] | None) -> dict[str, Any]:
    """(c): negatives answered by another entry, S4 at ``cut`` against S2 at its cut + 2
    (each run checked to be the verifier and the sets it should be). ``pass`` is None
    while a run is missing."""
    name = variant_name(cut)
    if s2_run is None or s4_run is None:
        return {"pass": None, "S4_variant": name,
                "why": "cache_shared runs not given (--shared-s2, --shared-s4)"}
    for who, run, sha in (("S2", s2_run, "2a9b446e"), ("S4", s4_run, "4cfff74c")):
        if not run["verifier"]["sha256"].startswith(sha) or list(run["sets"]) != list(DS):
            raise SystemExit(f"the {who} cache_shared run is not {sha} on {', '.join(DS)}")
    if s2_run["verifier"]["min_probability"] != S2_CUT:
        raise SystemExit(f"the S2 cache_shared run judges at "
                         f"{s2_run['verifier']['min_probability']}, not {S2_CUT}")
    m, k = another(s2_run, VARIANT), another(s4_run, name)
    return {"S2": m, "S4": k, "limit": m + ANOTHER_SLACK, "pass": k <= m + ANOTHER_SLACK,
            "S4_variant": name, "entries": [s2_run.get("entries"), s4_run.get("entries")]}


def other_answers(s2_pairs: list[dict[str, Any]], s4_pairs: list[dict[str, Any]],
                  label: int = 0) -> dict[str, Any]:
    """A record beside (c), from the two runs' ``--pairs-out`` rows: the negative queries
    (``label`` 1: the paraphrases) another entry answered under one verifier only (and
    under both), by kind, with what the other verifier's lookup did with them and the
    entry that answered."""
    def other(r: dict[str, Any]) -> bool:
        return bool(r["label"]) == bool(label) and str(r["outcome"]).startswith("other")

    s4 = {(r["set"], r["id"]): r for r in s4_pairs}
    if set(s4) != {(r["set"], r["id"]) for r in s2_pairs}:
        raise SystemExit("the two cache_shared runs' pairs differ")
    cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in s2_pairs:
        b = s4[(a["set"], a["id"])]
        if not (other(a) or other(b)):
            continue
        what = "both" if other(a) and other(b) else "S2_only" if other(a) else "S4_only"
        cells[what].append({"set": a["set"], "id": a["id"], "kind": a["kind"], "query": a["b"],
                            "partner": a["a"], "answered_S2": a["answered"],
                            "answered_S4": b["answered"], "outcome_S2": a["outcome"],
                            "outcome_S4": b["outcome"]})
    return {what: {"n": len(v), "by_kind": dict(Counter(r["kind"] for r in v).most_common()),
                   "other_outcome": dict(Counter(
                       r["outcome_S2" if what == "S4_only" else "outcome_S4"]
                       for r in v).most_common()),
                   "pairs": v}
            for what, v in sorted(cells.items())}


def verdict(result: dict[str, Any], c: dict[str, Any]) -> bool | None:
    """S4 replaces S2 iff (a), (b), (c) and (d) pass; None while (c) is pending and the
    others pass."""
    others = all(result[k]["pass"] for k in ("a", "b", "d"))
    if not others:
        return False
    return c["pass"]


def traffic_of(names: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """(set, id) -> ``support`` (written in a ``src/p_s_*`` file) or ``general``."""
    from train.cache_verifier.stack_fit import load_pairs

    return {(p["set"], p["id"]): p["traffic"] for p in load_pairs(names)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--s2", type=Path, default=DEFAULTS["s2"],
                        help="cache_losses rows, S2 (DS)")
    parser.add_argument("--s4", type=Path, required=True, help="the same, S4 (DS)")
    parser.add_argument("--s2-quora", type=Path, default=DEFAULTS["s2_quora"],
                        help="cache_losses --sets pairs rows, S2")
    parser.add_argument("--s4-quora", type=Path, required=True, help="the same, S4")
    parser.add_argument("--s2-r4", type=Path, default=DEFAULTS["s2_r4"],
                        help="cache_losses rows holding heldout38-41, S2 (D31's)")
    parser.add_argument("--s4-r4", type=Path, required=True,
                        help="the same, S4 (rule E's R4 rows)")
    parser.add_argument("--shared-s2", type=Path, default=None,
                        help="cache_shared.py on heldout42 heldout43, S2 at --variants 0.5:5")
    parser.add_argument("--shared-s4", type=Path, default=None,
                        help="the same, S4 at 0.5:5:3:<c>")
    parser.add_argument("--shared-pairs", type=Path, nargs=2, default=None,
                        metavar=("S2_PAIRS", "S4_PAIRS"),
                        help="the two runs' --pairs-out rows (a record beside (c))")
    parser.add_argument("--out", type=Path,
                        default=HERE / "results" / "verifier-s4b-session24.json")
    args = parser.parse_args()
    ds = {"S2": only(read_jsonl(args.s2), DS), "S4": only(read_jsonl(args.s4), DS)}
    r6 = {"S2": only(read_jsonl(args.s2_r4), R4) + ds["S2"],
          "S4": only(read_jsonl(args.s4_r4), R4) + ds["S4"]}
    quora = {"S2": read_jsonl(args.s2_quora), "S4": read_jsonl(args.s4_quora)}
    result = decide(ds, quora, r6, traffic_of(DS))
    shared = {k: None if p is None else json.loads(p.read_text(encoding="utf-8"))
              for k, p in (("S2", args.shared_s2), ("S4", args.shared_s4))}
    c = check_c(result["c"], shared["S2"], shared["S4"])
    if args.shared_pairs is not None:
        s2_pairs, s4_pairs = (read_jsonl(p) for p in args.shared_pairs)
        c["other_answers"] = other_answers(s2_pairs, s4_pairs)
    replaces = verdict(result, c)
    ships = None if replaces is None else (
        {"verifier": "S4", "cut": result["c"]} if replaces else
        {"verifier": "S2", "cut": S2_CUT})
    out = {"rule": RULE, "decision_sets": list(DS), "r6": list(R6), "floor": FLOOR,
           "S2_cut": S2_CUT, "gain_points": GAIN, "S4_replaces_S2": replaces, "ships": ships,
           "c_check": c, **result,
           "inputs": {k: str(v) for k, v in vars(args).items() if k != "out"},
           "run": run_record()}
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    print(f"F' = {r['F_prime']}; Q' = {r['Q_prime']}; c = {r['c']:.6f}\n")
    at_table(r["at"], "ds", DS, "DS")
    a, b, d, c = r["a"], r["b"], r["d"], r["c_check"]
    print(f"\n(a) S4 at c {a['S4_recall']:.2%} against S2 {a['S2_recall']:.2%}: "
          f"{a['points']:+.2f} points (needs +{GAIN}): {'pass' if a['pass'] else 'FAIL'}")
    print("(b) " + ", ".join(f"{s} S4 {v['S4_hits']} / S2 {v['S2_hits']} of {v['positives']}"
                             for s, v in b["by_set"].items())
          + f": {'pass' if b['pass'] else 'FAIL'}")
    print("(c) " + str({k: v for k, v in c.items() if k != "other_answers"}))
    for what, v in c.get("other_answers", {}).items():
        print(f"    negatives another entry answered, {what}: {v['n']} {v['by_kind']}; "
              f"the other lookup: {v['other_outcome']}")
    print(f"(d) R6: F6 {d['F6']}, S4 cut {d['cut']:.6f}, S4 {d['S4_recall']:.2%} against S2 "
          f"{d['S2_recall']:.2%}: {d['points']:+.2f} points: {'pass' if d['pass'] else 'FAIL'}")
    for what, v in r["disagreements_at_c"].items():
        print(f"{what}: {v['n']} {v['by_kind']}")
    print(f"\nverdict: S4 replaces S2: {r['S4_replaces_S2']}; ships {r['ships']}")


def at_table(at: dict[str, Any], key: str, sets: tuple[str, ...], label: str) -> None:
    """Both verifiers (``at``'s models, S2 and S4 here, S2 and S5 in s5_rule) at each of
    their cuts on the decision sets (``key``: the points' entry, ``label``: the column's
    name, "" for none): all, per set, per traffic and the Quora file."""
    head = f"{label} " if label else ""
    print(f"| verifier | cut | {head}recall | {head}false hits | " + " | ".join(sets)
          + " | support | general | Quora recall / FH |\n|---|---|---|---|"
          + "---|" * (len(sets) + 3))
    for m, cuts in at.items():
        for point in cuts.values():
            a, by = point[key]["all"], point[key]["by_set"]
            tr = point[key].get("by_traffic", {})
            q = point["pairs"][QUORA]
            cells = [f"{by[n]['hits']}/{by[n]['positives']} / {by[n]['false_hits']}"
                     for n in sets]
            cells += [f"{tr[t]['recall']:.2%} / {tr[t]['false_hits']}" if t in tr else "-"
                      for t in ("support", "general")]
            print(f"| {m} | {point[key]['cut']:.6f} | {a['recall']:.2%} ({a['hits']}/"
                  f"{a['positives']}) | {a['false_hits']}/{a['negatives']} | "
                  + " | ".join(cells) + f" | {q['recall']:.2%} / {q['false_hits']} |")


if __name__ == "__main__":
    raise SystemExit(main())
