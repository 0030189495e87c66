"""The lead's rule S10 (session 34): S2 continued by S5's recipe on every writer seen through
heldout79, its cut fixed on the seen heldout80-85, 88-89 and Quora, screened there, then (only if
the screen passes) decided on heldout86-87 and 90-91. The rule, quoted unchanged (brief i19,
written 04:36 UTC 2026-12-07 before any S10 run):

    S10 = S2 (cross.npz 2a9b446e) continued by S5's recipe (S5_RECIPE, seed 34, one XLA thread) on
    `prepare --qqp-replay 12000 --qqp-hard 4000 --rule session34` (heldout9-11 and 14-79 held; heldout80-91 kept out
    with share_all). S5 = the shipped cross.npz cffa0c35 at 0.916959. Verdicts are `cache_losses.stage` at floor 0.5
    on `bench/cache_losses.py --pairs-out` rows at one commit (S10 by `--cross-dir` its export).
    **Step 1 (cut, seen).** P = heldout80-85 and 88-89 (trained on by neither model). c10 = the lowest 6-decimal cut at
    which S10's pooled false hits on P are at most S5's at 0.916959 on P, and S10's false hits on Quora's pairs
    (`--sets pairs`, the pairs:qqp rows) at most S5's there.
    **Screen (seen).** If S10's pooled recall on P at c10 is below S5's + 1.0 point, stop: S10 is not adopted and
    heldout86, 87, 90, 91 stay unread.
    **Step 2 (decision).** D = heldout86, 87, 90, 91, pooled. Adopt S10 at c10 if all hold:
    (a) recall(S10, c10) on D >= recall(S5, 0.916959) on D + 1.5 points;
    (b) false hits(S10, c10) on D <= S5's + 2 (a count);
    (c) in each writer pair (86+87, 90+91) S10's recall >= S5's - 0.5 point;
    (d) two populated caches, `bench/cache_shared.py --entries 10000 --sets heldout86 heldout87` and `--sets heldout90
    heldout91`, `--variants 0.5:5:m` (S10 by `--cross-dir` at c10): negative queries answered (by any entry) summed
    over the two, S10 <= S5 + 2; own-entry answers summed, S10 >= S5;
    (e) Quora (pairs:qqp) false-hit rate at c10 <= 3.0 %.
    Otherwise S10 is not adopted. Every figure is reported, passed or not; nothing is retuned after reading D.

How it is read. Step 1 is rule OM's cut (``om_seen.c_om``: S5's false hits at 0.916959 on the
pooled rows and on the ``pairs:qqp`` rows, then ``cross_continue.lowest_cut`` under both bounds
on S10's rows), here on P; a verdict is ``cache_losses.stage`` at floor 0.5 and the counts
``cache_losses.counts``; "+ N points" compares recall differences in points (``s5_rule.points``,
4 decimals). (d)'s figures are ``s4c_rule.populated``'s: "negative queries answered (by any
entry)" is a run's ``all.negatives.answered`` (their own entry, the false hit, or another),
"own-entry answers" its ``all.positives.own`` (paraphrase queries answered by their own entry);
each run is checked to be the model's verifier (sha256) at its cut, on the named sets, 10,000
entries. (e) is S10's false-hit rate on the ``pairs:qqp`` rows at c10. Records beside (judged by
nothing): per set, per writer pair and per kind at both cuts, both models at matched false hits,
the pairs the two disagree on (``s8_rule.disagreements``).

    P="heldout80 heldout81 heldout82 heldout83 heldout84 heldout85 heldout88 heldout89"
    L=bench/results/local
    .venv/bin/python bench/cache_losses.py --sets $P --out $L/i19-s5-P.json \\
        --pairs-out $L/i19-s5-P.jsonl                           # and --sets pairs: i19-s5-pairs
    .venv/bin/python bench/cache_losses.py --sets $P --cross-dir .cache/cross-s10/S10 \\
        --out $L/i19-s10-P.json --pairs-out $L/i19-s10-P.jsonl  # and --sets pairs
    .venv/bin/python bench/s10_rule.py step1 --s5 $L/i19-s5-P.jsonl --s10 $L/i19-s10-P.jsonl \\
        --s5-quora $L/i19-s5-pairs.jsonl --s10-quora $L/i19-s10-pairs.jsonl \\
        --s10-dir .cache/cross-s10/S10 --cut-out .cache/cross-s10/c10.txt
    # only if the screen passes: D's rows for both models, S10 exported at c10, the four
    # cache_shared runs (--entries 10000 --variants 0.5:5:m), then
    .venv/bin/python bench/s10_rule.py step2 --s5 $L/i19-s5-D.jsonl --s10 $L/i19-s10-D.jsonl \\
        --s5-quora ... --s10-quora ... --shared-s5 S5-86-87.json S5-90-91.json \\
        --shared-s10 S10-86-87.json S10-90-91.json --s10-dir .cache/cross-s10/S10
"""  # noqa: E501

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from om_seen import c_om
from operating_point import writer_pair
from pair_sets import RESERVED
from run_record import run_record
from s4c_rule import checked, populated
from s5_rule import curve, points, same_pairs
from s8_rule import at, by, disagreements
from verifier_rule import save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    S10 = S2"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
FLOOR = 0.5
S5_CUT = 0.916959  # S5's shipped cut (cross.npz cffa0c35, rule S5c)
S5_SHA = "cffa0c35"
MODELS = ("S5", "S10")
P = tuple(f"heldout{n}" for n in (80, 81, 82, 83, 84, 85, 88, 89))  # step 1's seen sets
D_PAIRS = (("heldout86", "heldout87"), ("heldout90", "heldout91"))  # step 2's writer pairs
D = tuple(s for pair in D_PAIRS for s in pair)
QQP = "pairs:qqp"
SCREEN_GAIN = 1.0  # points of pooled P recall over S5's
GAIN = 1.5  # (a), points of pooled D recall over S5's
FALSE_HIT_SLACK = 2  # (b), false hits over S5's on D
EACH_SLACK = 0.5  # (c), points a writer pair may lose
ANSWERED_SLACK = 2  # (d), negative queries answered over S5's, summed over the two runs
QUORA_RATE = 0.03  # (e), S10's pairs:qqp false-hit rate at c10
ENTRIES = 10_000
VARIANT = "0.5:5:m"
RATES = (0.005, 0.01, 0.02, 0.03)
OUT = HERE / "results" / "s10-rule-session34.json"

Rows = list[dict[str, Any]]


def only(rows: Rows, sets: tuple[str, ...], what: str) -> Rows:
    """``rows``, checked to be exactly ``sets``' (a reserved set only when ``sets`` names it)."""
    found = {r["set"] for r in rows}
    if (found & RESERVED) - set(sets):
        raise SystemExit(f"reserved sets in the {what} rows: {sorted(found & RESERVED)}")
    if found != set(sets):
        raise SystemExit(f"the {what} rows are not {', '.join(sets)}'s: "
                         f"{sorted(found ^ set(sets))} differ")
    return rows


def qqp(rows: Rows) -> Rows:
    out = [r for r in rows if r["set"] == QQP]
    if not out:
        raise SystemExit(f"no {QQP} rows (cache_losses.py --sets pairs)")
    return out


def kind(r: dict[str, Any]) -> str:
    return ("+" if r["label"] else "-") + r["kind"]


def records(rows: dict[str, Rows], quora: dict[str, Rows], cuts: dict[str, float],
            name: str = "c10") -> dict[str, Any]:
    """Both models at both cuts (S5's 0.916959 and S10's, ``cuts[name]``: c10, or rule S10w's
    c_w) per set, writer pair and kind, on Quora, at matched false hits, and the pairs they
    disagree on at their cuts."""
    s10 = MODELS[1]
    return {
        "at_cuts": {f"{m} at {name}": {
            "pool": at(rows[m], cut), "qqp": at(qqp(quora[m]), cut),
            "by_writer_pair": by(rows[m], lambda r: writer_pair(r["set"]), cut),
            "by_set": by(rows[m], lambda r: r["set"], cut),
            "by_kind": by(rows[m], kind, cut),
            "quora": by(quora[m], lambda r: r["set"], cut)}
            for m in MODELS for name, cut in cuts.items() if m == s10 or name == "S5_cut"},
        "curve": curve(rows, RATES, MODELS),
        "disagree": disagreements(rows["S5"], rows[s10], cuts["S5_cut"], cuts[name], s10),
    }


def step1(s5: Rows, s10: Rows, s5_quora: Rows, s10_quora: Rows) -> dict[str, Any]:
    """c10 (rule OM's cut, ``om_seen.c_om``, on P) and the screen: S10's pooled P recall at
    c10 at least S5's at 0.916959 + 1.0 point."""
    only(s5, P, "S5 P")
    same_pairs(s5, s10, "P", MODELS)
    same_pairs(s5_quora, s10_quora, "Quora", MODELS)
    bounds = c_om(s5, s10, qqp(s5_quora), qqp(s10_quora))
    c10 = bounds["cut"]
    base, cand = counts(s5, FLOOR, S5_CUT), counts(s10, FLOOR, c10)
    gain = points(cand, base)
    return {"sets": list(P), "F_P_false_hits": bounds["F"], "Q_qqp_false_hits": bounds["Q"],
            "c10": c10,
            "S5": {"cut": S5_CUT, "recall": base["recall"], "hits": base["hits"],
                   "positives": base["positives"], "false_hits": base["false_hits"],
                   "negatives": base["negatives"]},
            "S10": {"cut": c10, "recall": cand["recall"], "hits": cand["hits"],
                    "positives": cand["positives"], "false_hits": cand["false_hits"],
                    "negatives": cand["negatives"],
                    "qqp_false_hits": counts(qqp(s10_quora), FLOOR, c10)["false_hits"]},
            "points": gain, "screen_bar_points": SCREEN_GAIN,
            "screen_passes": gain >= SCREEN_GAIN - 1e-9,
            "records": records({"S5": s5, "S10": s10}, {"S5": s5_quora, "S10": s10_quora},
                               {"S5_cut": S5_CUT, "c10": c10})}


def shared_run(run: dict[str, Any], who: str, sets: tuple[str, str], shas: dict[str, str],
               cut: float) -> dict[str, Any]:
    """A cache_shared result checked to be what (d) names (``who``'s verifier, its sha256 in
    ``shas``, at ``cut``, ``sets``, 10,000 entries, variant 0.5:5:m), as
    ``s4c_rule.populated`` reads it. ``s4c_rule.checked`` reads the sha256, the sets and S5's
    cut; the candidate's cut (c10, from its export) is read here."""
    checked(run, who, sets, shas, (MODELS[0], S5_CUT))
    if abs(float(run["verifier"]["min_probability"]) - cut) > 5e-7:
        raise SystemExit(f"the {who} cache_shared run judges at "
                         f"{run['verifier']['min_probability']}, not {cut}")
    if run.get("entries") != ENTRIES:
        raise SystemExit(f"the {who} cache_shared run holds {run.get('entries')} entries, "
                         f"not {ENTRIES:,}")
    return populated(run, VARIANT)


def pooled_checks(rows: dict[str, Rows], cut: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """Checks (a) and (b) on pooled rows, S5 at 0.916959 and S10 at ``cut``: S10's recall at
    least S5's + 1.5 points, its false hits at most S5's + 2 (rules S10, S10w and S10c)."""
    a5, a10 = counts(rows[MODELS[0]], FLOOR, S5_CUT), counts(rows[MODELS[1]], FLOOR, cut)
    gain = points(a10, a5)
    check_a = {"S5_recall": a5["recall"], "S10_recall": a10["recall"], "S5_hits": a5["hits"],
               "S10_hits": a10["hits"], "positives": a5["positives"], "points": gain,
               "needs": GAIN, "pass": gain >= GAIN - 1e-9}
    check_b = {"S5_false_hits": a5["false_hits"], "S10_false_hits": a10["false_hits"],
               "negatives": a5["negatives"], "limit": a5["false_hits"] + FALSE_HIT_SLACK,
               "pass": a10["false_hits"] <= a5["false_hits"] + FALSE_HIT_SLACK}
    return check_a, check_b


def quora_check(quora: dict[str, Rows], cut: float) -> dict[str, Any]:
    """S10's false-hit rate on the pairs:qqp rows at ``cut`` at most 3 % (rule S10's (e),
    S10w's and S10c's (d)), S5's count at 0.916959 beside it."""
    q10 = counts(qqp(quora[MODELS[1]]), FLOOR, cut)
    return {"S10_qqp_false_hits": q10["false_hits"], "qqp_negatives": q10["negatives"],
            "S10_qqp_false_hit_rate": q10["false_hit_rate"], "limit_rate": QUORA_RATE,
            "S5_qqp_false_hits": counts(qqp(quora[MODELS[0]]), FLOOR, S5_CUT)["false_hits"],
            "pass": q10["false_hit_rate"] <= QUORA_RATE + 1e-12}


def listed_false_hits(rows: dict[str, Rows], cuts: dict[str, float]
                      ) -> dict[str, list[dict[str, Any]]]:
    """Each model's false hits at its cut: set, id, kind, both texts and p."""
    return {m: [{"set": r["set"], "id": r["id"], "kind": r["kind"], "a": r["a"],
                 "b": r["b"], "p": r["p"]} for r in rows[m]
                if not r["label"] and stage(r, FLOOR, cuts[m])[1]]
            for m in MODELS}


def step2(c10: float, rows: dict[str, Rows], quora: dict[str, Rows],
          shared: dict[str, list[dict[str, Any]]] | None, shas: dict[str, str]
          ) -> dict[str, Any]:
    """Checks (a) to (e) on D (pooled), S5 at 0.916959 and S10 at ``c10``. ``shared``: per
    model, its two cache_shared results (86+87, 90+91); None: (d) pending."""
    old, new = MODELS
    only(rows[old], D, "S5 D")
    same_pairs(rows[old], rows[new], "D", MODELS)
    same_pairs(quora[old], quora[new], "Quora", MODELS)
    cuts = {old: S5_CUT, new: c10}
    check_a, check_b = pooled_checks(rows, c10)
    each = {}
    for pair in D_PAIRS:
        b5 = counts([r for r in rows[old] if r["set"] in pair], FLOOR, S5_CUT)
        b10 = counts([r for r in rows[new] if r["set"] in pair], FLOOR, c10)
        each["+".join(pair)] = {"S5_recall": b5["recall"], "S10_recall": b10["recall"],
                                "S5_hits": b5["hits"], "S10_hits": b10["hits"],
                                "positives": b5["positives"], "points": points(b10, b5),
                                "S5_false_hits": b5["false_hits"],
                                "S10_false_hits": b10["false_hits"]}
    check_c = {"by_writer_pair": each, "needs": -EACH_SLACK,
               "pass": all(v["points"] >= -EACH_SLACK - 1e-9 for v in each.values())}
    check_d: dict[str, Any] = {"pass": None, "variant": VARIANT}
    if shared is not None:
        got = {m: [shared_run(run, m, pair, shas, cuts[m])
                   for run, pair in zip(shared[m], D_PAIRS, strict=True)] for m in MODELS}
        answered = {m: sum(r["all"]["negatives_answered"] for r in got[m]) for m in MODELS}
        own = {m: sum(r["all"]["positives_own"] for r in got[m]) for m in MODELS}
        check_d.update({
            "negatives_answered": answered, "answered_limit": answered[old] + ANSWERED_SLACK,
            "paraphrases_own": own,
            "answered_pass": answered[new] <= answered[old] + ANSWERED_SLACK,
            "own_pass": own[new] >= own[old], "populated": got})
        check_d["pass"] = check_d["answered_pass"] and check_d["own_pass"]
    check_e = quora_check(quora, c10)
    false_hits = listed_false_hits(rows, cuts)
    return {"sets": list(D), "c10": c10, "a": check_a, "b": check_b, "c": check_c,
            "d": check_d, "e": check_e, "false_hits": false_hits,
            "records": records(rows, quora, {"S5_cut": S5_CUT, "c10": c10})}


def export_at(directory: Path, cut: float, name: str) -> None:
    """Refuse an export whose cross.json judges at another cut than the rule's ``name``
    (c10, c_w, c_pop), read to 6 decimals."""
    threshold = json.loads((directory / "cross.json").read_text())["threshold"]
    if abs(threshold - cut) > 5e-7:
        raise SystemExit(f"{directory}/cross.json is at {threshold}, not {name} {cut}")


def verdict(r: dict[str, Any]) -> bool | None:
    """Adopted iff (a) to (e) pass; None while (d) is pending and the others pass."""
    marks = [r[k]["pass"] for k in "abcde"]
    if False in marks:
        return False
    return None if None in marks else True


def sha_of(directory: Path) -> str:
    return hashlib.sha256((directory / "cross.npz").read_bytes()).hexdigest()


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    print(f"step 1: F = {one['F_P_false_hits']} (S5's P false hits at {S5_CUT}), Q = "
          f"{one['Q_qqp_false_hits']} (its pairs:qqp); c10 = {one['c10']:.6f}")
    for m in MODELS:
        v = one[m]
        print(f"  {m} at {v['cut']}: P recall {v['recall'] * 100:.2f} % ({v['hits']}/"
              f"{v['positives']}), false hits {v['false_hits']}/{v['negatives']}")
    print(f"screen: {one['points']:+.2f} points (bar +{SCREEN_GAIN}): "
          f"{'passes' if one['screen_passes'] else 'FAILS: S10 not adopted, D unread'}")
    two = r.get("step2")
    if two is None:
        return
    a, b, c, d, e = (two[k] for k in "abcde")
    print(f"(a) D recall S5 {a['S5_recall'] * 100:.2f} %, S10 {a['S10_recall'] * 100:.2f} % "
          f"({a['points']:+.2f}, needs +{GAIN}): {a['pass']}")
    print(f"(b) D false hits S5 {b['S5_false_hits']}, S10 {b['S10_false_hits']} "
          f"(limit {b['limit']}): {b['pass']}")
    print("(c) " + ", ".join(f"{k} {v['points']:+.2f}" for k, v in c["by_writer_pair"].items())
          + f": {c['pass']}")
    if d["pass"] is None:
        print("(d) pending")
    else:
        print(f"(d) negatives answered {d['negatives_answered']} (limit {d['answered_limit']}), "
              f"own {d['paraphrases_own']}: {d['pass']}")
    print(f"(e) S10 pairs:qqp false hits {e['S10_qqp_false_hits']}/{e['qqp_negatives']} "
          f"({e['S10_qqp_false_hit_rate'] * 100:.2f} %, limit 3.0 %): {e['pass']}")
    print(f"S10 adopted: {r['S10_adopted']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    for name, what in (("step1", "P"), ("step2", "D")):
        p = sub.add_parser(name, help=f"rule S10's {name} on {what}")
        for m in MODELS:
            p.add_argument(f"--{m.lower()}", type=Path, required=True,
                           help=f"{m}'s cache_losses rows on {what}")
            p.add_argument(f"--{m.lower()}-quora", type=Path, required=True,
                           help=f"{m}'s cache_losses --sets pairs rows")
        p.add_argument("--s10-dir", type=Path, required=True, help="S10's export")
        p.add_argument("--out", type=Path, default=OUT)
        if name == "step1":
            p.add_argument("--cut-out", type=Path, default=None, help="c10 alone, a text file")
            p.add_argument("--record", nargs="*", default=[], metavar="KEY=JSON",
                           help="further fields (a JSON file's contents: the fit, the bundle)")
        else:
            for m in MODELS:
                p.add_argument(f"--shared-{m.lower()}", type=Path, nargs=2, default=None,
                               help=f"{m}'s cache_shared results on 86+87 and 90+91")
    args = parser.parse_args()
    paths = vars(args)
    rows = {m: read_jsonl(paths[m.lower()]) for m in MODELS}
    quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in MODELS}
    inputs = {k: str(v) for k, v in paths.items() if k not in ("out", "record")}
    s10_sha = sha_of(args.s10_dir)
    if args.step == "step1":
        first = step1(rows["S5"], rows["S10"], quora["S5"], quora["S10"])
        out: dict[str, Any] = {
            "rule": RULE, "floor": FLOOR, "S5": {"cut": S5_CUT, "sha256": S5_SHA},
            "S10": {"sha256": s10_sha}, "step1": first,
            "S10_adopted": None if first["screen_passes"] else False,
            "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        for item in args.record:
            key, _, path = item.partition("=")
            out[key] = json.loads(Path(path).read_text(encoding="utf-8"))
        if args.cut_out is not None:
            args.cut_out.write_text(f"{first['c10']:.6f}\n", encoding="utf-8")
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        if not out["step1"]["screen_passes"]:
            raise SystemExit("the screen failed: S10 is not adopted and D stays unread")
        if out["S10"]["sha256"] != s10_sha:
            raise SystemExit(f"{args.s10_dir} is not the S10 step 1 read")
        c10 = out["step1"]["c10"]
        export_at(args.s10_dir, c10, "c10")

        def loaded(ps: list[Path]) -> list[dict[str, Any]]:
            return [json.loads(p.read_text(encoding="utf-8")) for p in ps]

        shared = (None if args.shared_s5 is None or args.shared_s10 is None else
                  {"S5": loaded(args.shared_s5), "S10": loaded(args.shared_s10)})
        second = step2(c10, rows, quora, shared, {"S5": S5_SHA, "S10": s10_sha})
        out["step2"] = second
        out["S10_adopted"] = verdict(second)
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
