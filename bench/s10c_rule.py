"""The lead's rule S10c (session 35): S10 at the cut where populated caches of the seen writers
hold S5's wrong answers, screened on seen data, then decided by the lead on heldout98-99. The
rule, quoted unchanged (brief i20, written 07:16 UTC 2026-12-07 before any S10c run and before
heldout98-99 exist):

    S10c: S10 (data/cache_verifier/s10/cross.npz, sha256 a38f6f80) against S5 (the layer's cross.npz cffa0c35 at
    0.916959), both behind the shipped lookup (retrieval map, floor 0.5, widen to 5, the shipped rank margin).
    **Step 1 (cut, seen).** Eight populated caches, `bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB`
    for the writer pairs 80+81, 82+83, 84+85, 86+87, 88+89, 90+91, 92+93, 94+95: S5 at the variant `0.5:5:m`; S10 (by
    `--cross-dir` its export) at `0.5:5:m` with the shipped rank margin and the cut CUT given as the variant's last
    field, for CUT in G = (0.909847, 0.915, 0.92, 0.925, 0.93, 0.935, 0.94, 0.945, 0.95, 0.96). c_pop = the lowest CUT in
    G at which S10's negative queries answered (by any entry), summed over the eight caches, are at most S5's summed.
    If none, stop: S10 is not adopted.
    **Screen (seen).** At c_pop, on `cache_losses.stage` at floor 0.5 over `bench/cache_losses.py --pairs-out` rows of
    heldout80-95 pooled: S10's recall >= S5's + 1.0 point and S10's false hits <= S5's; and S10's own-entry answers
    summed over the eight caches >= S5's. If any fails, stop: S10 is not adopted and heldout98-99 stay unread.
    **Step 2 (decision, the lead's).** D'' = heldout98 + heldout99 pooled (written at session 35's start by two agents on
    the unchanged held-out template; read by nothing before this step). Adopt S10 at c_pop if all hold:
    (a) recall(S10, c_pop) on D'' >= recall(S5, 0.916959) on D'' + 1.5 points;
    (b) false hits(S10, c_pop) on D'' <= S5's + 2 (a count);
    (c) one populated cache, `bench/cache_shared.py --entries 10000 --sets heldout98 heldout99 --variants 0.5:5:m`
    (S10 by `--cross-dir` its export at c_pop): negative queries answered (by any entry) S10 <= S5 + 2; own-entry
    answers S10 >= S5;
    (d) Quora (pairs:qqp) false-hit rate of S10 at c_pop <= 3.0 %.
    Otherwise S10 is not adopted. Every figure is reported, passed or not; nothing is retuned after reading D''.

How it is read. A populated cache is ``s4c_rule.populated``'s reading of a cache_shared result:
"negative queries answered (by any entry)" is ``all.negatives.answered`` (their own entry, the
false hit, or another), "own-entry answers" ``all.positives.own``. S5's runs are checked by
``s10_rule.shared_run`` (its sha256, the two sets, 10,000 entries, the run at 0.916959, variant
0.5:5:m); S10's step 1 runs hold every cut of G as a variant of one run per cache (they share
its index), each found by its ``judging`` record (``cache_shared.judging``: floor 0.5, widen to
5, the map, the shipped rank margin ``CacheConfig().verifier_rank_margin``, and the cut), the
run checked by ``s4c_rule.checked`` (sha256, sets) and its entries. The screen's counts are
``cache_losses.counts`` at floor 0.5 and "+ N points" ``s5_rule.points``. Step 2 is rule S10w's
checks (``s10w_rule.decide``) on D'' at c_pop; S10's D'' run is its export at c_pop (run-level
cut, ``s10_rule.shared_run``). Records beside the verdict (judged by nothing): per cache and per
cut of G, S10's negatives answered (own / another entry) and own-entry answers beside S5's, and
the pooled rows' recall and false hits at each cut; at c_pop, per set, per writer pair and per
kind, both models at matched false hits (``s5_rule.curve``) and the disagreements
(``s8_rule.disagreements``). The commands (session 35, 2026-12-07; i20 ran step 1):

    L=bench/results/local; S10=data/cache_verifier/s10   # (below) at S2's 0.855177: the cut is
    SEEN="heldout80 ... heldout95"                        # the variant's, 0.5:5:m:3:CUT
    .venv/bin/python bench/cache_losses.py --sets $SEEN --out $L/i20-s5-seen.json \\
        --pairs-out $L/i20-s5-seen.jsonl                     # and --cross-dir $S10: i20-s10-seen
    # per writer pair A+B of 80+81 .. 94+95:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --variants 0.5:5:m \\
        --out $L/i20-shared-s5-A-B.json --pairs-out $L/i20-shared-s5-A-B.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --cross-dir $S10 \\
        --variants 0.5:5:m:3:0.909847 0.5:5:m:3:0.915 ... 0.5:5:m:3:0.96 --keep-scores \\
        --out $L/i20-shared-s10-A-B.json --pairs-out $L/i20-shared-s10-A-B.jsonl
    # (--keep-scores: a query's scores read by all ten cuts; the same verdicts as scoring afresh,
    # checked on heldout80+81; each run with OMP_NUM_THREADS=1 nice -n 10, one at a time)
    .venv/bin/python bench/s10c_rule.py step1 --s5 $L/i20-s5-seen.jsonl --s10 $L/i20-s10-seen.jsonl \\
        --shared-s5 $L/i20-shared-s5-{80-81,...,94-95}.json --shared-s10 $L/i20-shared-s10-{...}.json \\
        --s10-dir $S10 --cut-out /work/brief/S10c-cut.txt --export /work/brief/S10c
    # step 2 (the lead's; only if the screen passed): D'' rows, Quora rows and the two D'' caches,
    # S10 by --cross-dir /work/brief/S10c (cross.json at c_pop), then
    .venv/bin/python bench/s10c_rule.py step2 --s5 D5.jsonl --s10 D10.jsonl --s5-quora Q5.jsonl \\
        --s10-quora Q10.jsonl --shared-s5 SH5.json --shared-s10 SH10.json --s10-dir /work/brief/S10c

Since session 35's ship (this rule's) the layer's folder holds S10 (cross.npz a38f6f80, cross.json
at c_pop 0.93) and data/cache_verifier/s10 is gone: S10 is layers/core/llm_router/data/cache_verifier
(the variants carry step 1's cuts; step 2's ``--s10-dir`` may be that folder itself, whose cut is
c_pop; ``--s10-dir`` must hold a38f6f80 byte for byte), and S5's runs, the lines above with no
``--cross-dir``, take ``--cross-dir S5`` where S5 holds ffcf05a's layer files (``git show
ffcf05a:layers/core/llm_router/data/cache_verifier/cross.npz`` and ``cross.json``): S5's
cache_shared runs are checked by their sha256, so a run on the new layer is refused.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from cache_losses import counts
from operating_point import writer_pair
from run_record import run_record
from s4c_rule import checked, populated
from s5_rule import curve, points, same_pairs
from s8_rule import at, by, disagreements
from s10_rule import (
    ENTRIES,
    FLOOR,
    MODELS,
    RATES,
    S5_CUT,
    S5_SHA,
    VARIANT,
    Rows,
    export_at,
    kind,
    only,
    sha_of,
    shared_run,
)
from s10w_rule import decide, print_checks
from verifier_rule import save

from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    S10c: S10"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
S10_SHA = "a38f6f80"
G = (0.909847, 0.915, 0.92, 0.925, 0.93, 0.935, 0.94, 0.945, 0.95, 0.96)
CACHES = tuple((f"heldout{n}", f"heldout{n + 1}") for n in range(80, 96, 2))  # step 1's eight
SEEN = tuple(s for pair in CACHES for s in pair)  # the screen's rows, heldout80-95
D2 = ("heldout98", "heldout99")  # D'', step 2's (the lead's)
SCREEN_GAIN = 1.0  # points of pooled seen recall over S5's
OUT = HERE / "results" / "s10c-rule-session35.json"
CLOSE = 5e-7  # a cut read back from a result (6 decimals)


def rank_margin() -> float:
    """The shipped rank margin (``CacheConfig().verifier_rank_margin``)."""
    return CacheConfig().verifier_rank_margin


def at_cut(run: dict[str, Any], cut: float, later: float | None = None,
           nearest: float | None = None) -> str:
    """The one variant of a cache_shared ``run`` that is the shipped lookup (floor 0.5, widen to
    5, the map, the shipped rank margin, no other field) judging at ``cut``, by its
    ``judging`` record; with ``later`` as its ``later_cut`` (rule NO: ``RankCut``) or none
    (None), and with ``nearest`` as its field ``nF`` (F1 at F, rule FN:
    ``MatchPolicy.nearest_floor``, which the record does not hold: read from the name as
    ``cache_shared.variant`` reads it) or none (None)."""
    found = []
    for name, v in run["by_variant"].items():
        fields = name.split(":")[2:]
        floors = [f[1:] for f in fields if f.startswith("n")]
        rest = [f for f in fields if f != "m" and f[:1] not in ("l", "n")]
        if "m" not in fields or not all(f.replace(".", "", 1).isdigit()
                                        for f in rest + floors):
            continue
        if (nearest is None and floors) or (nearest is not None and (
                len(floors) != 1 or abs(float(floors[0]) - nearest) > CLOSE)):
            continue
        held = v.get("judging")
        if held is None:
            raise SystemExit(f"variant {name} has no judging record (cache_shared before "
                             "session 35's i20)")
        held_later = held.get("later_cut")
        if ((held["floor"], held["widen_to"], held["rank_margin"]) == (FLOOR, 5, rank_margin())
                and abs(held["min_probability"] - cut) <= CLOSE
                and (held_later is None if later is None
                     else held_later is not None and abs(held_later - later) <= CLOSE)):
            found.append(name)
    if len(found) != 1:
        what = ("the shipped lookup" if later is None else f"NO (later cut {later})") + (
            "" if nearest is None else f" with F1 at {nearest}")
        raise SystemExit(f"the cache_shared run has {len(found)} variants of {what} at {cut} "
                         f"({', '.join(run['by_variant'])})")
    return found[0]


def entries_checked(run: dict[str, Any], pair: tuple[str, str], who: str = "") -> None:
    """A cache_shared ``run`` on ``pair``'s sets checked to hold 10,000 entries (``who``: the
    lookup named in the message, or none)."""
    if run.get("entries") != ENTRIES:
        raise SystemExit(f"the {who + ' ' if who else ''}cache_shared run on {'+'.join(pair)} "
                         f"holds {run.get('entries')} entries, not {ENTRIES:,}")


def cut_run(run: dict[str, Any], pair: tuple[str, str], shas: dict[str, str]
            ) -> dict[float, dict[str, Any]]:
    """S10's step 1 run on one cache (``pair``'s sets, its sha256, 10,000 entries): per cut of G,
    the variant judging there as ``s4c_rule.populated`` reads it."""
    checked(run, MODELS[1], pair, shas, (MODELS[0], S5_CUT))
    entries_checked(run, pair, "S10")
    return {cut: populated(run, at_cut(run, cut)) for cut in G}


FIGURES = ("negatives_answered", "negatives_own", "negatives_another", "positives_own",
           "positives_another")


def summed(caches: list[dict[str, Any]]) -> dict[str, int]:
    """The populated figures (``FIGURES``) of ``caches``' ``all``, summed."""
    return {k: sum(c["all"][k] for c in caches) for k in FIGURES}


def step1(s5_runs: list[dict[str, Any]], s10_runs: list[dict[str, Any]], s5: Rows, s10: Rows,
          shas: dict[str, str]) -> dict[str, Any]:
    """c_pop (the lowest cut of G whose eight caches answer, summed, at most S5's negative
    queries) and, where there is one, the screen at it."""
    if len(s5_runs) != len(CACHES) or len(s10_runs) != len(CACHES):
        raise SystemExit(f"step 1 reads {len(CACHES)} caches a model (80+81 .. 94+95)")
    only(s5, SEEN, "S5 seen")
    same_pairs(s5, s10, "heldout80-95", MODELS)
    names = ["+".join(pair) for pair in CACHES]
    p5 = [shared_run(run, MODELS[0], pair, shas, S5_CUT)
          for run, pair in zip(s5_runs, CACHES, strict=True)]
    p10 = [cut_run(run, pair, shas) for run, pair in zip(s10_runs, CACHES, strict=True)]
    base = summed(p5)
    table = []
    for cut in G:
        total = summed([each[cut] for each in p10])
        rows_at = counts(s10, FLOOR, cut)
        table.append({
            "cut": cut, "variant": p10[0][cut]["variant"], "S10": total,
            "holds": total["negatives_answered"] <= base["negatives_answered"],
            "by_cache": {n: {k: each[cut]["all"][k] for k in FIGURES}
                         for n, each in zip(names, p10, strict=True)},
            "rows": {"recall": round(rows_at["recall"], 6), "hits": rows_at["hits"],
                     "false_hits": rows_at["false_hits"]}})
    c_pop = next((r["cut"] for r in table if r["holds"]), None)
    r5 = counts(s5, FLOOR, S5_CUT)
    out: dict[str, Any] = {
        "caches": names, "G": list(G), "S5": {
            "variant": VARIANT, "cut": S5_CUT, **base,
            "by_cache": {n: {k: c["all"][k] for k in FIGURES}
                         for n, c in zip(names, p5, strict=True)},
            "rows": {"recall": round(r5["recall"], 6), "hits": r5["hits"],
                     "positives": r5["positives"], "false_hits": r5["false_hits"],
                     "negatives": r5["negatives"]}},
        "table": table, "c_pop": c_pop, "screen": None, "screen_passes": False}
    if c_pop is None:
        return out
    cand = counts(s10, FLOOR, c_pop)
    gain = points(cand, r5)
    own10 = next(r for r in table if r["cut"] == c_pop)["S10"]["positives_own"]
    out["screen"] = {
        "recall": {"S5": r5["recall"], "S10": cand["recall"], "S5_hits": r5["hits"],
                   "S10_hits": cand["hits"], "positives": r5["positives"], "points": gain,
                   "needs": SCREEN_GAIN, "pass": gain >= SCREEN_GAIN - 1e-9},
        "false_hits": {"S5": r5["false_hits"], "S10": cand["false_hits"],
                       "negatives": r5["negatives"],
                       "pass": cand["false_hits"] <= r5["false_hits"]},
        "own_entry": {"S5": base["positives_own"], "S10": own10,
                      "pass": own10 >= base["positives_own"]}}
    out["screen_passes"] = all(v["pass"] for v in out["screen"].values())
    rows = {MODELS[0]: s5, MODELS[1]: s10}
    cuts = {MODELS[0]: S5_CUT, MODELS[1]: c_pop}
    out["records"] = {
        f"{m} at {cuts[m]}": {"pool": at(rows[m], cuts[m]),
                              "by_set": by(rows[m], lambda r: r["set"], cuts[m]),
                              "by_writer_pair": by(rows[m], lambda r: writer_pair(r["set"]),
                                                   cuts[m]),
                              "by_kind": by(rows[m], kind, cuts[m])} for m in MODELS}
    out["records"]["curve"] = curve(rows, RATES, MODELS)
    out["records"]["disagree"] = disagreements(s5, s10, S5_CUT, c_pop, MODELS[1])
    return out


def step2(c_pop: float, rows: dict[str, Rows], quora: dict[str, Rows],
          shared: dict[str, dict[str, Any]], shas: dict[str, str]) -> dict[str, Any]:
    """Checks (a) to (d) on D'' at c_pop: rule S10w's (``s10w_rule.decide``)."""
    return decide(rows, quora, shared, shas, D2, c_pop, "c_pop")


def verdict(two: dict[str, Any]) -> bool:
    """Adopted iff (a) to (d) pass."""
    return all(two[k]["pass"] for k in "abcd")


def export(source: Path, target: Path, cut: float) -> None:
    """A copy of S10's export at ``source`` whose cross.json threshold is ``cut``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "cross.npz", target / "cross.npz")
    meta = json.loads((source / "cross.json").read_text(encoding="utf-8"))
    meta["threshold"] = cut
    (target / "cross.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    s5 = one["S5"]
    print(f"step 1: eight caches of 10,000 entries ({', '.join(one['caches'])}); S5 at "
          f"{S5_CUT} answers {s5['negatives_answered']} negative queries ({s5['negatives_own']} "
          f"own / {s5['negatives_another']} another), {s5['positives_own']} paraphrases by "
          f"their own entry; rows {s5['rows']['hits']}/{s5['rows']['positives']} found, "
          f"{s5['rows']['false_hits']} false hits\n")
    print("| S10 cut | - answered | - own / another | + own | + another | rows found | "
          "rows FH | holds |\n|---|---|---|---|---|---|---|---|")
    for t in one["table"]:
        v = t["S10"]
        print(f"| {t['cut']} | {v['negatives_answered']} | {v['negatives_own']} / "
              f"{v['negatives_another']} | {v['positives_own']} | {v['positives_another']} | "
              f"{t['rows']['hits']} | {t['rows']['false_hits']} | {t['holds']} |")
    print(f"\nc_pop = {one['c_pop']}")
    screen = one["screen"]
    if screen is not None:
        rec, fh, own = screen["recall"], screen["false_hits"], screen["own_entry"]
        print(f"screen: recall S5 {rec['S5'] * 100:.2f} % ({rec['S5_hits']}/{rec['positives']}), "
              f"S10 {rec['S10'] * 100:.2f} % ({rec['S10_hits']}) ({rec['points']:+.2f}, needs "
              f"+{SCREEN_GAIN}): {rec['pass']}; false hits S5 {fh['S5']}, S10 {fh['S10']} of "
              f"{fh['negatives']}: {fh['pass']}; own-entry answers S5 {own['S5']}, S10 "
              f"{own['S10']}: {own['pass']}")
    print(f"screen passes: {one['screen_passes']}")
    two = r.get("step2")
    if two is not None:
        print_checks(two, "D''")
    print(f"S10 adopted at c_pop {one['c_pop']}: {r['S10_adopted']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help="c_pop and the screen, on heldout80-95")
    two = sub.add_parser("step2", help="the lead's decision on heldout98-99")
    for p, what in ((one, "heldout80-95"), (two, "heldout98-99")):
        for m in MODELS:
            p.add_argument(f"--{m.lower()}", type=Path, required=True,
                           help=f"{m}'s cache_losses rows on {what}")
        p.add_argument("--out", type=Path, default=OUT)
    for m in MODELS:
        one.add_argument(f"--shared-{m.lower()}", type=Path, nargs=len(CACHES), required=True,
                         help=f"{m}'s cache_shared results, 80+81 .. 94+95 in order")
        two.add_argument(f"--shared-{m.lower()}", type=Path, required=True,
                         help=f"{m}'s cache_shared result on heldout98+99")
        two.add_argument(f"--{m.lower()}-quora", type=Path, required=True,
                         help=f"{m}'s cache_losses --sets pairs rows")
    one.add_argument("--s10-dir", type=Path, required=True,
                     help="the S10 export the step 1 runs read (any cross.json threshold)")
    two.add_argument("--s10-dir", type=Path, required=True,
                     help="S10's export at c_pop (the D'' runs')")
    one.add_argument("--cut-out", type=Path, default=None,
                     help="c_pop alone, a text file (written whether the screen passes or not)")
    one.add_argument("--export", type=Path, default=None,
                     help="where S10 at c_pop is exported if the screen passes")
    args = parser.parse_args()
    paths = vars(args)
    inputs = {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
              for k, v in paths.items() if k not in ("out", "step")}
    s10_sha = sha_of(args.s10_dir)
    if not s10_sha.startswith(S10_SHA):
        raise SystemExit(f"{args.s10_dir}/cross.npz is {s10_sha[:8]}, not S10's {S10_SHA}")
    shas = {MODELS[0]: S5_SHA, MODELS[1]: s10_sha}
    rows = {m: read_jsonl(paths[m.lower()]) for m in MODELS}

    def loaded(p: Path) -> dict[str, Any]:
        return json.loads(p.read_text(encoding="utf-8"))

    if args.step == "step1":
        first = step1([loaded(p) for p in args.shared_s5], [loaded(p) for p in args.shared_s10],
                      rows[MODELS[0]], rows[MODELS[1]], shas)
        out: dict[str, Any] = {
            "rule": RULE, "floor": FLOOR, "rank_margin": rank_margin(),
            "S5": {"cut": S5_CUT, "sha256": S5_SHA}, "S10": {"sha256": s10_sha},
            "step1": first, "S10_adopted": None if first["screen_passes"] else False,
            "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        if args.cut_out is not None:
            args.cut_out.write_text(
                "none: no cut of G holds; S10 is not adopted\n" if first["c_pop"] is None
                else f"{first['c_pop']:.6f}\n" + (
                    "" if first["screen_passes"] else "the screen failed: S10 is not adopted\n"),
                encoding="utf-8")
        if args.export is not None and first["screen_passes"]:
            export(args.s10_dir, args.export, first["c_pop"])
            out["S10"]["export"] = str(args.export)
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        if not out["step1"]["screen_passes"]:
            raise SystemExit("step 1 or the screen failed: S10 is not adopted and D'' stays "
                             "unread")
        if out["S10"]["sha256"] != s10_sha:
            raise SystemExit(f"{args.s10_dir} is not the S10 step 1 read")
        c_pop = out["step1"]["c_pop"]
        export_at(args.s10_dir, c_pop, "c_pop")
        quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in MODELS}
        shared = {m: loaded(paths[f"shared_{m.lower()}"]) for m in MODELS}
        second = step2(c_pop, rows, quora, shared, shas)
        out.update(step2=second, S10_adopted=verdict(second))
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
