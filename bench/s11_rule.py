"""The lead's rule S11 (session 37): S10 continued with hard negatives mined from populated caches
(bench/populated_negatives.py), its cut chosen in three populated caches of seen writers and
screened on them, then decided by the lead on heldout102-103. The rule, quoted unchanged (brief
i30, written 12:53 UTC 2026-12-07 before any S11 run and before heldout102-103 were read):

    S11: S10 (the layer's cross.npz a38f6f80) continued by `train/cache_verifier/cross_continue.py fit --init` on a bundle
    B11 whose new source is populated-cache negatives: in eight populated caches (`bench/cache_shared.py --entries 10000`
    for the writer pairs 80+81, 82+83, 84+85, 86+87, 88+89, 90+91, 92+93, 94+95, the shipped lookup with S10 at a loose
    cut, at most 0.7), each paraphrase query q of a cached entry e that another entry e' would answer (e' passes the
    lookup's checks and S10's p >= the loose cut) becomes the negative (q, e') when e' is not labelled a paraphrase of q
    in any set and S10's p(e, e') < 0.5 (e and e' are not the same question). B11 also holds heldout80-95's pairs and a
    replay of S10's training data (the helper fixes the sizes and weights before the fit, and writes them down);
    heldout96-107 and bench/cache_pairs/heldout.jsonl are guarded out (no pair equal to or sharing a text with theirs).
    Recipe: S5's flags (S5_RECIPE) with the new source's weight, the step count fixed before the fit so that it ends by
    14:20 UTC, seed 37, one XLA thread. Verdicts are `cache_losses.stage` at floor 0.5 on `bench/cache_losses.py
    --pairs-out` rows at one commit (S11 by `--cross-dir` its export).
    **Step 1 (cut, seen).** P = heldout96-101 (trained on by neither). Three populated caches, `bench/cache_shared.py
    --entries 10000 --sets heldoutA heldoutB` for 96+97, 98+99, 100+101: S10 at `0.5:5:m` (the layer, 0.93); S11 (by
    `--cross-dir` its export) at `0.5:5:m:3:CUT` (the shipped rank margin, CUT the variant's last field) for CUT in
    G = (0.85, 0.875, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95). c11 = the lowest CUT in G at which (i) S11's negative queries
    answered (by any entry), summed over the three caches, are at most S10's summed, and (ii) S11's false hits on
    Quora's pairs (`--sets pairs`, the pairs:qqp rows) are at most 37 of 1,252 (3.0 %). If none, stop: S11 is not
    adopted.
    **Screen (seen).** At c11, on the pooled rows of P: S11's recall >= S10's (0.93) + 1.0 point and S11's false hits
    <= S10's; and S11's own-entry answers summed over the three caches >= S10's. If any fails, stop: S11 is not adopted
    and heldout102-103 stay unread.
    **Step 2 (decision, the lead's).** D = heldout102 + heldout103 pooled (written at session 36's start, committed unread
    in `pair_sets.RESERVED`). Adopt S11 at c11 if all hold: (a) recall(S11, c11) on D >= recall(S10, 0.93) on D + 1.5
    points; (b) false hits(S11, c11) on D <= S10's + 2 (a count); (c) one populated cache, `bench/cache_shared.py
    --entries 10000 --sets heldout102 heldout103`: negative queries answered (by any entry) S11 <= S10 + 2, own-entry
    answers S11 >= S10; (d) Quora (pairs:qqp) false-hit rate of S11 at c11 <= 3.0 %. Otherwise S11 is not adopted.
    Every figure is reported, passed or not; nothing is retuned after reading D.

How it is read. A populated cache is ``s4c_rule.populated``'s reading of a cache_shared result:
"negative queries answered (by any entry)" is ``all.negatives.answered``, "own-entry answers"
``all.positives.own``. S10's runs are checked by their sha256 (a38f6f80), the two sets, 10,000
entries and the run's cut 0.93 (the layer's cross.json), variant 0.5:5:m; S11's step 1 runs hold
every cut of G as a variant of one run per cache (``--keep-scores``), each found by its
``judging`` record (``s10c_rule.at_cut``: floor 0.5, widen to 5, the map, the shipped rank margin
and the cut). Quora's false hits are ``cache_losses.counts`` at floor 0.5 over the pairs:qqp rows
(1,252 negatives: the bound 37 is the rule's count of them). The screen's and step 2's counts are
``cache_losses.counts`` at floor 0.5, "+ N points" ``s5_rule.points``. Step 2's S11 cache is its
export at c11 (``--cross-dir`` the folder step 1 writes, whose cross.json judges at c11), variant
0.5:5:m. Records beside the verdicts (judged by nothing): per cache and cut, both models'
figures; at c11, per set and kind, both models at matched false hits (``s5_rule.curve``) and the
pairs they disagree on (``s8_rule.disagreements``). The commands (session 37, helper i30):

    L=bench/results/local; S11=.cache/cross-s11/S11; LAYER=layers/core/llm_router/data/cache_verifier
    P="heldout96 heldout97 heldout98 heldout99 heldout100 heldout101"
    .venv/bin/python bench/cache_losses.py --sets $P --out $L/i30-s10-P.json \\
        --pairs-out $L/i30-s10-P.jsonl          # and --cross-dir $S11: i30-s11-P; --sets pairs:
                                                # i30-s10-quora, i30-s11-quora
    # per writer pair A+B of 96+97, 98+99, 100+101:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --variants 0.5:5:m \\
        --out $L/i30-shared-s10-A-B.json --pairs-out $L/i30-shared-s10-A-B.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --cross-dir $S11 \\
        --variants 0.5:5:m:3:0.85 0.5:5:m:3:0.875 ... 0.5:5:m:3:0.95 --keep-scores \\
        --out $L/i30-shared-s11-A-B.json --pairs-out $L/i30-shared-s11-A-B.jsonl
    .venv/bin/python bench/s11_rule.py step1 --s10 $L/i30-s10-P.jsonl --s11 $L/i30-s11-P.jsonl \\
        --s10-quora $L/i30-s10-quora.jsonl --s11-quora $L/i30-s11-quora.jsonl \\
        --shared-s10 $L/i30-shared-s10-{96-97,98-99,100-101}.json \\
        --shared-s11 $L/i30-shared-s11-{96-97,98-99,100-101}.json \\
        --s10-dir $LAYER --s11-dir $S11 --cut-out /work/brief/S11-cut.txt --export /work/brief/S11c
    # step 2 (the lead's; only if the screen passed): D = heldout102 heldout103, each model's
    # cache_losses rows on D (S11 by --cross-dir /work/brief/S11c), and one cache each:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 \\
        --variants 0.5:5:m [--cross-dir /work/brief/S11c] --out SH.json --pairs-out SH.jsonl
    .venv/bin/python bench/s11_rule.py step2 --s10 D10.jsonl --s11 D11.jsonl \\
        --s10-quora $L/i30-s10-quora.jsonl --s11-quora $L/i30-s11-quora.jsonl \\
        --shared-s10 SH10.json --shared-s11 SH11.json --s10-dir $LAYER --s11-dir /work/brief/S11c
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cache_losses import counts
from run_record import run_record
from s4c_rule import checked, populated
from s5_rule import curve, points, same_pairs
from s8_rule import at, by, disagreements
from s10_rule import FLOOR, QQP, RATES, VARIANT, Rows, export_at, kind, only, sha_of
from s10c_rule import FIGURES, at_cut, entries_checked, export, rank_margin, summed
from verifier_rule import save

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    S11: S10"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
MODELS = ("S10", "S11")
S10_SHA = "a38f6f80"
S10_CUT = 0.93  # the layer's cross.json (rule S10c's c_pop)
G = (0.85, 0.875, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95)
CACHES = (("heldout96", "heldout97"), ("heldout98", "heldout99"), ("heldout100", "heldout101"))
P = tuple(s for pair in CACHES for s in pair)  # step 1's rows, heldout96-101
D = ("heldout102", "heldout103")  # step 2's (the lead's)
QUORA_MOST = 37  # (ii): S11's pairs:qqp false hits at most 37 of 1,252
QUORA_NEGATIVES = 1252
SCREEN_GAIN = 1.0  # points of pooled P recall over S10's at 0.93
GAIN = 1.5  # (a), points of pooled D recall
FALSE_HIT_SLACK = 2  # (b), a count
ANSWERED_SLACK = 2  # (c), negative queries answered over S10's
QUORA_RATE = 0.03  # (d)
OUT = HERE / "results" / "s11-rule-session37.json"


def qqp(rows: Rows) -> Rows:
    """The pairs:qqp rows (1,252 negatives: the rule's count)."""
    out = [r for r in rows if r["set"] == QQP]
    negatives = sum(not r["label"] for r in out)
    if negatives != QUORA_NEGATIVES:
        raise SystemExit(f"{negatives} pairs:qqp negatives, not the rule's {QUORA_NEGATIVES:,}")
    return out


def base_run(run: dict[str, Any], pair: tuple[str, str], shas: dict[str, str]
             ) -> dict[str, Any]:
    """S10's cache_shared run on ``pair``: its sha256, the sets, 10,000 entries, the run at 0.93,
    as ``s4c_rule.populated`` reads its variant 0.5:5:m."""
    checked(run, MODELS[0], pair, shas, (MODELS[0], S10_CUT))
    entries_checked(run, pair, MODELS[0])
    return populated(run, VARIANT)


def cut_run(run: dict[str, Any], pair: tuple[str, str], shas: dict[str, str]
            ) -> dict[float, dict[str, Any]]:
    """S11's step 1 run on ``pair``: per cut of G, the variant judging there."""
    checked(run, MODELS[1], pair, shas, (MODELS[0], S10_CUT))
    entries_checked(run, pair, MODELS[1])
    return {cut: populated(run, at_cut(run, cut)) for cut in G}


def figures(c: dict[str, Any]) -> dict[str, int]:
    return {k: c["all"][k] for k in FIGURES}


def step1(s10_runs: list[dict[str, Any]], s11_runs: list[dict[str, Any]], s10: Rows, s11: Rows,
          s10_quora: Rows, s11_quora: Rows, shas: dict[str, str]) -> dict[str, Any]:
    """c11 (the lowest cut of G at which S11's three caches answer, summed, at most S10's
    negative queries and S11's pairs:qqp false hits are at most 37) and the screen there."""
    if len(s10_runs) != len(CACHES) or len(s11_runs) != len(CACHES):
        raise SystemExit(f"step 1 reads {len(CACHES)} caches a model (96+97, 98+99, 100+101)")
    only(s10, P, "S10 P")
    same_pairs(s10, s11, "heldout96-101", MODELS)
    same_pairs(s10_quora, s11_quora, "Quora", MODELS)
    names = ["+".join(pair) for pair in CACHES]
    p10 = [base_run(run, pair, shas) for run, pair in zip(s10_runs, CACHES, strict=True)]
    p11 = [cut_run(run, pair, shas) for run, pair in zip(s11_runs, CACHES, strict=True)]
    base = summed(p10)
    q11 = qqp(s11_quora)
    table = []
    for cut in G:
        total = summed([each[cut] for each in p11])
        rows_at = counts(s11, FLOOR, cut)
        quora = counts(q11, FLOOR, cut)["false_hits"]
        held = total["negatives_answered"] <= base["negatives_answered"]
        table.append({
            "cut": cut, "variant": p11[0][cut]["variant"], "S11": total,
            "answered_holds": held, "qqp_false_hits": quora,
            "qqp_holds": quora <= QUORA_MOST, "holds": held and quora <= QUORA_MOST,
            "by_cache": {n: figures(each[cut]) for n, each in zip(names, p11, strict=True)},
            "rows": {"recall": round(rows_at["recall"], 6), "hits": rows_at["hits"],
                     "false_hits": rows_at["false_hits"]}})
    c11 = next((r["cut"] for r in table if r["holds"]), None)
    r10 = counts(s10, FLOOR, S10_CUT)
    out: dict[str, Any] = {
        "caches": names, "G": list(G), "S10": {
            "variant": VARIANT, "cut": S10_CUT, **base,
            "by_cache": {n: figures(c) for n, c in zip(names, p10, strict=True)},
            "rows": {"recall": round(r10["recall"], 6), "hits": r10["hits"],
                     "positives": r10["positives"], "false_hits": r10["false_hits"],
                     "negatives": r10["negatives"]},
            "qqp_false_hits": counts(qqp(s10_quora), FLOOR, S10_CUT)["false_hits"]},
        "table": table, "c11": c11, "screen": None, "screen_passes": False,
        # both models' pooled rows at matched false hits, whatever c11 (judged by nothing)
        "curve": curve({MODELS[0]: s10, MODELS[1]: s11}, RATES, MODELS)}
    if c11 is None:
        return out
    cand = counts(s11, FLOOR, c11)
    gain = points(cand, r10)
    own11 = next(r for r in table if r["cut"] == c11)["S11"]["positives_own"]
    out["screen"] = {
        "recall": {"S10": r10["recall"], "S11": cand["recall"], "S10_hits": r10["hits"],
                   "S11_hits": cand["hits"], "positives": r10["positives"], "points": gain,
                   "needs": SCREEN_GAIN, "pass": gain >= SCREEN_GAIN - 1e-9},
        "false_hits": {"S10": r10["false_hits"], "S11": cand["false_hits"],
                       "negatives": r10["negatives"],
                       "pass": cand["false_hits"] <= r10["false_hits"]},
        "own_entry": {"S10": base["positives_own"], "S11": own11,
                      "pass": own11 >= base["positives_own"]}}
    out["screen_passes"] = all(v["pass"] for v in out["screen"].values())
    out["records"] = records({MODELS[0]: s10, MODELS[1]: s11},
                             {MODELS[0]: s10_quora, MODELS[1]: s11_quora}, c11)
    return out


def records(rows: dict[str, Rows], quora: dict[str, Rows], c11: float) -> dict[str, Any]:
    """Both models at their cuts (S10 at 0.93, S11 at c11) per set, writer pair and kind and on
    Quora, at matched false hits, and the pairs they disagree on (judged by nothing)."""
    cuts = {MODELS[0]: S10_CUT, MODELS[1]: c11}
    out: dict[str, Any] = {f"{m} at {cuts[m]}": {
        "pool": at(rows[m], cuts[m]), "qqp": at(qqp(quora[m]), cuts[m]),
        "by_set": by(rows[m], lambda r: r["set"], cuts[m]),
        "by_kind": by(rows[m], kind, cuts[m])} for m in MODELS}
    out["curve"] = curve(rows, RATES, MODELS)
    out["disagree"] = disagreements(rows[MODELS[0]], rows[MODELS[1]], S10_CUT, c11, MODELS[1])
    return out


def shared_at(run: dict[str, Any], who: str, shas: dict[str, str], cut: float
              ) -> dict[str, Any]:
    """One model's step 2 cache (heldout102+103, 10,000 entries, the run judging at ``cut``,
    variant 0.5:5:m)."""
    checked(run, who, D, shas, (MODELS[0], S10_CUT))
    entries_checked(run, D, who)
    if abs(float(run["verifier"]["min_probability"]) - cut) > 5e-7:
        raise SystemExit(f"the {who} cache_shared run judges at "
                         f"{run['verifier']['min_probability']}, not {cut}")
    return populated(run, VARIANT)


def step2(c11: float, rows: dict[str, Rows], quora: dict[str, Rows],
          shared: dict[str, dict[str, Any]], shas: dict[str, str]) -> dict[str, Any]:
    """Checks (a) to (d) on D (pooled), S10 at 0.93 and S11 at ``c11``."""
    old, new = MODELS
    only(rows[old], D, "S10 D")
    same_pairs(rows[old], rows[new], "D", MODELS)
    same_pairs(quora[old], quora[new], "Quora", MODELS)
    a10, a11 = counts(rows[old], FLOOR, S10_CUT), counts(rows[new], FLOOR, c11)
    gain = points(a11, a10)
    check_a = {"S10_recall": a10["recall"], "S11_recall": a11["recall"], "S10_hits": a10["hits"],
               "S11_hits": a11["hits"], "positives": a10["positives"], "points": gain,
               "needs": GAIN, "pass": gain >= GAIN - 1e-9}
    check_b = {"S10_false_hits": a10["false_hits"], "S11_false_hits": a11["false_hits"],
               "negatives": a10["negatives"], "limit": a10["false_hits"] + FALSE_HIT_SLACK,
               "pass": a11["false_hits"] <= a10["false_hits"] + FALSE_HIT_SLACK}
    cuts = {old: S10_CUT, new: c11}
    got = {m: shared_at(shared[m], m, shas, cuts[m]) for m in MODELS}
    answered = {m: got[m]["all"]["negatives_answered"] for m in MODELS}
    own = {m: got[m]["all"]["positives_own"] for m in MODELS}
    check_c = {"variant": VARIANT, "negatives_answered": answered,
               "answered_limit": answered[old] + ANSWERED_SLACK, "paraphrases_own": own,
               "answered_pass": answered[new] <= answered[old] + ANSWERED_SLACK,
               "own_pass": own[new] >= own[old], "populated": got}
    check_c["pass"] = check_c["answered_pass"] and check_c["own_pass"]
    q11 = counts(qqp(quora[new]), FLOOR, c11)
    check_d = {"S11_qqp_false_hits": q11["false_hits"], "qqp_negatives": q11["negatives"],
               "S11_qqp_false_hit_rate": q11["false_hit_rate"], "limit_rate": QUORA_RATE,
               "S10_qqp_false_hits": counts(qqp(quora[old]), FLOOR, S10_CUT)["false_hits"],
               "pass": q11["false_hit_rate"] <= QUORA_RATE + 1e-12}
    return {"sets": list(D), "c11": c11, "a": check_a, "b": check_b, "c": check_c,
            "d": check_d, "records": records(rows, quora, c11)}


def verdict(two: dict[str, Any]) -> bool:
    """Adopted iff (a) to (d) pass."""
    return all(two[k]["pass"] for k in "abcd")


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    s10 = one["S10"]
    print(f"step 1: three caches of 10,000 entries ({', '.join(one['caches'])}); S10 at "
          f"{S10_CUT} answers {s10['negatives_answered']} negative queries "
          f"({s10['negatives_own']} own / {s10['negatives_another']} another), "
          f"{s10['positives_own']} paraphrases by their own entry; rows {s10['rows']['hits']}/"
          f"{s10['rows']['positives']} found, {s10['rows']['false_hits']}/"
          f"{s10['rows']['negatives']} false hits; pairs:qqp false hits "
          f"{s10['qqp_false_hits']}\n")
    print("| S11 cut | - answered | - own / another | + own | + another | rows found | "
          "rows FH | qqp FH | holds |\n|---|---|---|---|---|---|---|---|---|")
    for t in one["table"]:
        v = t["S11"]
        print(f"| {t['cut']} | {v['negatives_answered']} | {v['negatives_own']} / "
              f"{v['negatives_another']} | {v['positives_own']} | {v['positives_another']} | "
              f"{t['rows']['hits']} | {t['rows']['false_hits']} | {t['qqp_false_hits']} | "
              f"{t['holds']} |")
    print(f"\nc11 = {one['c11']}")
    screen = one["screen"]
    if screen is not None:
        rec, fh, own = screen["recall"], screen["false_hits"], screen["own_entry"]
        print(f"screen: recall S10 {rec['S10'] * 100:.2f} % ({rec['S10_hits']}/"
              f"{rec['positives']}), S11 {rec['S11'] * 100:.2f} % ({rec['S11_hits']}) "
              f"({rec['points']:+.2f}, needs +{SCREEN_GAIN}): {rec['pass']}; false hits S10 "
              f"{fh['S10']}, S11 {fh['S11']} of {fh['negatives']}: {fh['pass']}; own-entry "
              f"answers S10 {own['S10']}, S11 {own['S11']}: {own['pass']}")
    print(f"screen passes: {one['screen_passes']}")
    two = r.get("step2")
    if two is not None:
        a, b, c, d = (two[k] for k in "abcd")
        print(f"(a) D recall S10 {a['S10_recall'] * 100:.2f} % ({a['S10_hits']}/"
              f"{a['positives']}), S11 {a['S11_recall'] * 100:.2f} % ({a['S11_hits']}) "
              f"({a['points']:+.2f}, needs +{GAIN}): {a['pass']}")
        print(f"(b) D false hits S10 {b['S10_false_hits']}, S11 {b['S11_false_hits']} of "
              f"{b['negatives']} (limit {b['limit']}): {b['pass']}")
        print(f"(c) 10,000 entries: negatives answered {c['negatives_answered']} (limit "
              f"{c['answered_limit']}), own {c['paraphrases_own']}: {c['pass']}")
        print(f"(d) S11 pairs:qqp false hits {d['S11_qqp_false_hits']}/{d['qqp_negatives']} "
              f"({d['S11_qqp_false_hit_rate'] * 100:.2f} %, limit 3.0 %; S10 "
              f"{d['S10_qqp_false_hits']}): {d['pass']}")
    print(f"S11 adopted at c11 {one['c11']}: {r['S11_adopted']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help="c11 and the screen, on heldout96-101")
    two = sub.add_parser("step2", help="the lead's decision on heldout102-103")
    for p, what in ((one, "heldout96-101"), (two, "heldout102-103")):
        for m in MODELS:
            p.add_argument(f"--{m.lower()}", type=Path, required=True,
                           help=f"{m}'s cache_losses rows on {what}")
            p.add_argument(f"--{m.lower()}-quora", type=Path, required=True,
                           help=f"{m}'s cache_losses --sets pairs rows")
        p.add_argument("--s10-dir", type=Path, required=True,
                       help="S10's folder (the layer's: cross.npz a38f6f80 at 0.93)")
        p.add_argument("--out", type=Path, default=OUT)
    for m in MODELS:
        one.add_argument(f"--shared-{m.lower()}", type=Path, nargs=len(CACHES), required=True,
                         help=f"{m}'s cache_shared results, 96+97, 98+99, 100+101 in order")
        two.add_argument(f"--shared-{m.lower()}", type=Path, required=True,
                         help=f"{m}'s cache_shared result on heldout102+103")
    one.add_argument("--s11-dir", type=Path, required=True,
                     help="S11's export the step 1 runs read (any cross.json threshold)")
    two.add_argument("--s11-dir", type=Path, required=True,
                     help="S11's export at c11 (step 2's runs')")
    one.add_argument("--cut-out", type=Path, default=None,
                     help="c11 alone, a text file (written whether the screen passes or not)")
    one.add_argument("--export", type=Path, default=None,
                     help="where S11 at c11 is exported where there is a c11")
    one.add_argument("--record", nargs="*", default=[], metavar="KEY=JSON",
                     help="further fields (a JSON file's contents: the mining, bundle, fit)")
    args = parser.parse_args()
    paths = vars(args)
    inputs = {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
              for k, v in paths.items() if k not in ("out", "step", "record")}
    s10_sha, s11_sha = sha_of(args.s10_dir), sha_of(args.s11_dir)
    if not s10_sha.startswith(S10_SHA):
        raise SystemExit(f"{args.s10_dir}/cross.npz is {s10_sha[:8]}, not S10's {S10_SHA}")
    export_at(args.s10_dir, S10_CUT, "S10's cut")
    shas = {MODELS[0]: s10_sha, MODELS[1]: s11_sha}
    rows = {m: read_jsonl(paths[m.lower()]) for m in MODELS}
    quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in MODELS}

    def loaded(p: Path) -> dict[str, Any]:
        return json.loads(p.read_text(encoding="utf-8"))

    if args.step == "step1":
        first = step1([loaded(p) for p in args.shared_s10], [loaded(p) for p in args.shared_s11],
                      rows[MODELS[0]], rows[MODELS[1]], quora[MODELS[0]], quora[MODELS[1]],
                      shas)
        out: dict[str, Any] = {
            "rule": RULE, "floor": FLOOR, "rank_margin": rank_margin(),
            "S10": {"cut": S10_CUT, "sha256": s10_sha}, "S11": {"sha256": s11_sha},
            "step1": first, "S11_adopted": None if first["screen_passes"] else False,
            "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        for item in args.record:
            key, _, path = item.partition("=")
            out[key] = json.loads(Path(path).read_text(encoding="utf-8"))
        if args.cut_out is not None:
            args.cut_out.write_text(
                "none: no cut of G holds; S11 is not adopted\n" if first["c11"] is None
                else f"{first['c11']:.6f}\n" + (
                    "" if first["screen_passes"] else "the screen failed: S11 is not adopted\n"),
                encoding="utf-8")
        if args.export is not None and first["c11"] is not None:
            export(args.s11_dir, args.export, first["c11"])
            out["S11"]["export"] = str(args.export)
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        if not out["step1"]["screen_passes"]:
            raise SystemExit("step 1 or the screen failed: S11 is not adopted and D stays "
                             "unread")
        if out["S11"]["sha256"] != s11_sha:
            raise SystemExit(f"{args.s11_dir} is not the S11 step 1 read")
        c11 = out["step1"]["c11"]
        export_at(args.s11_dir, c11, "c11")
        shared = {m: loaded(paths[f"shared_{m.lower()}"]) for m in MODELS}
        second = step2(c11, rows, quora, shared, shas)
        out.update(step2=second, S11_adopted=verdict(second))
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
