"""The lead's rule NO (session 36): the shipped lookup answering from its nearest candidate alone
at a cut c1 lower than the shipped 0.93, c1 fixed and screened on ten seen populated caches, then
decided by the lead on heldout102-103. The rule, quoted unchanged (brief i24, written 10:12 UTC
2026-12-07 before any NO run and before heldout102-103 exist):

    NO: the shipped lookup (S10, cross.npz a38f6f80, at 0.93; retrieval map, floor 0.5, widen to 5, rank margin 3,
    every shipped check) against the same lookup answering from its nearest candidate alone at the cut c1 (the
    candidates behind the nearest answer by nothing but the checks that answer before the verifier, as
    `bench/cache_shared.py`'s variant `0.5:5:m:3:C1:l1.01` does: session 35's `RankCut` with later cut 1.01).
    **Step 1 (cut, seen).** Ten populated caches, `bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB` for
    the writer pairs 80+81, 82+83, 84+85, 86+87, 88+89, 90+91, 92+93, 94+95, 96+97, 98+99, each run with the variants
    `0.5:5:m` and `0.5:5:m:3:C1:l1.01` for C1 in G = (0.90, 0.905, 0.91, 0.915, 0.92). c1 = the lowest C1 in G at
    which NO's negative queries answered (by any entry), summed over the ten caches, are at most the shipped lookup's
    summed. If none, stop: NO is not adopted.
    **Screen (seen).** At c1: NO's own-entry answers summed over the ten caches >= the shipped lookup's summed. If not,
    stop: NO is not adopted and heldout102-103 stay unread.
    **Step 2 (decision, the lead's).** D = heldout102 + heldout103 pooled (written at session 36's start by two agents
    on the unchanged held-out template; read by nothing before this step), at the commit main is at when the step
    runs (both lookups with the same checks). Per pair, `cache_losses.stage` at floor 0.5 over `bench/cache_losses.py
    --pairs-out` rows of D (a pair's entry is its own nearest candidate, so NO per pair is the cut c1). Adopt NO at c1
    if all hold:
    (a) recall(NO, c1) on D >= recall(shipped, 0.93) on D + 1.5 points;
    (b) false hits(NO, c1) on D <= the shipped lookup's + 2 (a count);
    (c) one populated cache, `bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 --variants 0.5:5:m
    0.5:5:m:3:c1:l1.01`: negative queries answered (by any entry) NO <= shipped + 2; own-entry answers NO >= shipped;
    (d) Quora (pairs:qqp rows) false-hit rate of NO at c1 <= 3.0 %.
    Otherwise NO is not adopted. Every figure is reported, passed or not; nothing is retuned after reading D.

How it is read. A populated cache is ``s4c_rule.populated``'s reading of a cache_shared result:
"negative queries answered (by any entry)" is ``all.negatives.answered`` (their own entry, the
false hit, or another), "own-entry answers" ``all.positives.own``. Every cache_shared run is
checked by ``s4c_rule.checked`` (S10's sha256 a38f6f80, the two sets, the run's cut the
shipped 0.93) and its entries (10,000); each variant is found by ``s10c_rule.at_cut``: its ``judging`` record
(``cache_shared.judging``: floor 0.5, widen to 5, the map ``m``, the shipped rank margin
``CacheConfig().verifier_rank_margin``, the cut, and for NO ``later_cut`` 1.01; the shipped
lookup has none), not by its name. Step 2's per-pair verdicts are ``cache_losses.counts`` at
floor 0.5 of one set of rows at two cuts (0.93: the shipped lookup; c1: NO), "+ N points"
``s5_rule.points``; (b)'s slack, (c)'s and (d)'s limit are rule S10's (``s10_rule``); the rows
are checked by their ``cache_losses`` result (S10's sha256, the sets). Records beside the
verdict (judged by nothing): per cache and per C1 of G, NO's negatives answered (own / another
entry) and own-entry answers beside the shipped lookup's, each run's wall time; in step 2, per set
and per kind at both cuts, the pairs NO finds or passes that the shipped cut does not, and the
false hits listed.

The commands (session 36, 2026-12-07; i24 ran step 1 at 4baf637 and 7aee063, which adds this
script only; the layer S10 at 0.93; c1 0.92, the screen failed: 4,834 own-entry answers
against 4,845):

    L=bench/results/local
    V="0.5:5:m 0.5:5:m:3:0.9:l1.01 0.5:5:m:3:0.905:l1.01 0.5:5:m:3:0.91:l1.01 0.5:5:m:3:0.915:l1.01 \\
       0.5:5:m:3:0.92:l1.01"
    # per writer pair A+B of 80+81 .. 98+99, one at a time, OMP_NUM_THREADS=1 nice -n 10:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --variants $V \\
        --keep-scores --out $L/i24-shared-A-B.json --pairs-out $L/i24-shared-A-B.jsonl
    .venv/bin/python bench/no_rule.py step1 --shared $L/i24-shared-{80-81,...,98-99}.json
    # step 2 (the lead's; only if the screen passed), C1 = step 1's c1 (e.g. 0.91):
    .venv/bin/python bench/cache_losses.py --sets heldout102 heldout103 --out $L/no-D.json \\
        --pairs-out $L/no-D.jsonl
    .venv/bin/python bench/cache_losses.py --sets pairs --out $L/no-Q.json --pairs-out $L/no-Q.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 \\
        --variants 0.5:5:m 0.5:5:m:3:C1:l1.01 --out $L/no-shared-D.json --pairs-out $L/no-shared-D.jsonl
    .venv/bin/python bench/no_rule.py step2 --rows $L/no-D.jsonl --rows-result $L/no-D.json \\
        --quora $L/no-Q.jsonl --quora-result $L/no-Q.json --shared $L/no-shared-D.json
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record
from s4c_rule import checked, populated
from s5_rule import points
from s8_rule import at, by
from s10_rule import (
    ANSWERED_SLACK,
    FALSE_HIT_SLACK,
    FLOOR,
    GAIN,
    QUORA_RATE,
    Rows,
    kind,
    only,
    qqp,
)
from s10c_rule import (
    FIGURES,
    S10_SHA,
    at_cut,
    entries_checked,
    rank_margin,
    summed,
    verdict,
)
from verifier_rule import save

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    NO: the shipped"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
SHIPPED_CUT = 0.93
LATER_CUT = 1.01  # no candidate behind the nearest answers by the verifier
G = (0.90, 0.905, 0.91, 0.915, 0.92)
CACHES = tuple((f"heldout{n}", f"heldout{n + 1}") for n in range(80, 100, 2))  # step 1's ten
D = ("heldout102", "heldout103")  # step 2's (the lead's)
OUT = HERE / "results" / "no-rule-session36.json"
WHO = "S10"
SHAS = {WHO: S10_SHA}


def cache_run(run: dict[str, Any], pair: tuple[str, str], sha: str) -> dict[str, Any]:
    """A cache_shared run checked to be S10 (``sha``: its sha256's first digits) at the
    shipped cut on ``pair``'s sets with 10,000 entries."""
    checked(run, WHO, pair, {WHO: sha}, (WHO, SHIPPED_CUT))
    entries_checked(run, pair)
    return run


def figures(reading: dict[str, Any]) -> dict[str, int]:
    """``FIGURES`` of one ``populated`` reading's ``all``."""
    return {k: reading["all"][k] for k in FIGURES}


def read_caches(runs: list[dict[str, Any]], sha: str
                ) -> tuple[list[str], list[dict[str, Any]]]:
    """Step 1's ten cache_shared runs (80+81 .. 98+99 in order) checked by ``cache_run``: their
    names and the shipped lookup's reading of each (rules NO and FN)."""
    if len(runs) != len(CACHES):
        raise SystemExit(f"step 1 reads {len(CACHES)} caches (80+81 .. 98+99), not {len(runs)}")
    names = ["+".join(pair) for pair in CACHES]
    for run, pair in zip(runs, CACHES, strict=True):
        cache_run(run, pair, sha)
    return names, [populated(run, at_cut(run, SHIPPED_CUT, None)) for run in runs]


def by_cache(names: list[str], readings: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """``figures`` of each cache's reading, by the cache's name."""
    return {n: figures(p) for n, p in zip(names, readings, strict=True)}


def wall_s(names: list[str], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each run's wall time (a record), by the cache's name."""
    return {n: run.get("timings", {}).get("wall_s") for n, run in zip(names, runs, strict=True)}


def step1(runs: list[dict[str, Any]], sha: str = S10_SHA) -> dict[str, Any]:
    """c1 (the lowest C1 of G whose ten caches answer, summed, at most the shipped lookup's
    negative queries) and, where there is one, the screen at it (NO's own-entry answers
    summed at least the shipped lookup's)."""
    names, shipped = read_caches(runs, sha)
    base = summed(shipped)
    table = []
    for c in G:
        each = [populated(run, at_cut(run, c, LATER_CUT)) for run in runs]
        total = summed(each)
        table.append({"C1": c, "variant": each[0]["variant"], "NO": total,
                      "holds": total["negatives_answered"] <= base["negatives_answered"],
                      "by_cache": by_cache(names, each)})
    c1 = next((r["C1"] for r in table if r["holds"]), None)
    out: dict[str, Any] = {
        "caches": names, "G": list(G), "later_cut": LATER_CUT,
        "shipped": {"variant": shipped[0]["variant"], "cut": SHIPPED_CUT, **base,
                    "by_cache": by_cache(names, shipped)},
        "table": table, "c1": c1, "screen": None, "screen_passes": False,
        "wall_s": wall_s(names, runs)}
    if c1 is None:
        return out
    own = next(r for r in table if r["C1"] == c1)["NO"]["positives_own"]
    out["screen"] = {"own_entry": {"shipped": base["positives_own"], "NO": own,
                                   "pass": own >= base["positives_own"]}}
    out["screen_passes"] = own >= base["positives_own"]
    return out


def rows_checked(result: dict[str, Any], sets: list[str], sha: str, what: str) -> None:
    """A cache_losses result (``--out``) checked to be S10's (``sha``) on ``sets``."""
    if not result["verifier"]["sha256"].startswith(sha) or list(result["sets"]) != sets:
        raise SystemExit(f"the {what} cache_losses result is not {sha} on {', '.join(sets)} "
                         f"({result['verifier']['sha256'][:8]} on {result['sets']})")


def cache_check(shared: dict[str, Any], sha: str, who: str, variant: str) -> dict[str, Any]:
    """Step 2's (c) on the D cache (checked by ``cache_run``): the rule's lookup ``who``
    (``variant``) answers at most ``ANSWERED_SLACK`` negative queries more than the shipped
    lookup and at least its own-entry answers (rules NO and FN)."""
    cache_run(shared, D, sha)
    got = {"shipped": populated(shared, at_cut(shared, SHIPPED_CUT, None)),
           who: populated(shared, variant)}
    answered = {k: v["all"]["negatives_answered"] for k, v in got.items()}
    own = {k: v["all"]["positives_own"] for k, v in got.items()}
    check_c = {"variants": {k: v["variant"] for k, v in got.items()},
               "negatives_answered": answered,
               "answered_limit": answered["shipped"] + ANSWERED_SLACK, "paraphrases_own": own,
               "answered_pass": answered[who] <= answered["shipped"] + ANSWERED_SLACK,
               "own_pass": own[who] >= own["shipped"], "populated": got}
    check_c["pass"] = check_c["answered_pass"] and check_c["own_pass"]
    return check_c


def quora_check(rows: Rows, who: str, floor: float, cut: float) -> dict[str, Any]:
    """Step 2's (d): the Quora ``rows``' false-hit rate of ``who`` (at ``floor`` and ``cut``) at
    most ``QUORA_RATE``; the shipped lookup's false hits beside it (rules NO and FN)."""
    return quora_check_of(rows, who, counts(rows, floor, cut))


def quora_check_of(rows: Rows, who: str, q_new: dict[str, Any]) -> dict[str, Any]:
    """``quora_check`` with ``who``'s ``cache_losses.counts`` figures on ``rows`` given (rule
    FC's lookup is no one floor and cut)."""
    q_old = counts(rows, FLOOR, SHIPPED_CUT)
    return {f"{who}_qqp_false_hits": q_new["false_hits"], "qqp_negatives": q_new["negatives"],
            f"{who}_qqp_false_hit_rate": q_new["false_hit_rate"], "limit_rate": QUORA_RATE,
            "shipped_qqp_false_hits": q_old["false_hits"],
            "pass": q_new["false_hit_rate"] <= QUORA_RATE + 1e-12}


def step2(c1: float, rows: Rows, quora: Rows, shared: dict[str, Any],
          sha: str = S10_SHA) -> dict[str, Any]:
    """Checks (a) to (d) on D: one set of rows at the shipped cut and at c1, the D cache's two
    variants, the Quora rows at c1."""
    only(rows, D, "D")
    old, new = counts(rows, FLOOR, SHIPPED_CUT), counts(rows, FLOOR, c1)
    gain = points(new, old)
    check_a = {"shipped_recall": old["recall"], "NO_recall": new["recall"],
               "shipped_hits": old["hits"], "NO_hits": new["hits"],
               "positives": old["positives"], "points": gain, "needs": GAIN,
               "pass": gain >= GAIN - 1e-9}
    check_b = {"shipped_false_hits": old["false_hits"], "NO_false_hits": new["false_hits"],
               "negatives": old["negatives"], "limit": old["false_hits"] + FALSE_HIT_SLACK,
               "pass": new["false_hits"] <= old["false_hits"] + FALSE_HIT_SLACK}
    check_c = cache_check(shared, sha, "NO", at_cut(shared, c1, LATER_CUT))
    check_d = quora_check(qqp(quora), "NO", FLOOR, c1)
    return {"sets": list(D), "c1": c1, "a": check_a, "b": check_b, "c": check_c,
            "d": check_d, "records": records(rows, c1)}


def records(rows: Rows, c1: float) -> dict[str, Any]:
    """Judged by nothing: the rows per set and kind at both cuts, the pairs NO takes that the
    shipped cut refuses (c1 is under it: none the other way) and the false hits at c1."""
    cuts = {"shipped": SHIPPED_CUT, "NO": c1}
    only_no = [r for r in rows
               if stage(r, FLOOR, c1)[1] and not stage(r, FLOOR, SHIPPED_CUT)[1]]

    def listed(some: Rows) -> list[dict[str, Any]]:
        return [{"set": r["set"], "id": r["id"], "kind": r["kind"], "a": r["a"], "b": r["b"],
                 "p": r["p"]} for r in some]

    return {
        "at_cuts": {k: {"pool": at(rows, c), "by_set": by(rows, lambda r: r["set"], c),
                        "by_kind": by(rows, kind, c)} for k, c in cuts.items()},
        "NO_only_found": listed([r for r in only_no if r["label"]]),
        "NO_only_passed": listed([r for r in only_no if not r["label"]]),
        "NO_false_hits": listed([r for r in rows
                                 if not r["label"] and stage(r, FLOOR, c1)[1]])}


def cell(v: dict[str, int]) -> str:
    return (f"{v['negatives_answered']} ({v['negatives_own']} / {v['negatives_another']}) | "
            f"{v['positives_own']}")


def print_table(one: dict[str, Any], who: str, key: str, flag: str, flag_label: str) -> None:
    """Step 1's table: per cache and summed, the shipped lookup beside ``who`` at each ``key``
    of G, and the row of each one's ``flag`` (rules NO and FN)."""
    base = one["shipped"]
    print("| cache | shipped - | shipped + own | " + " | ".join(
        f"{who} {t[key]} - | {who} {t[key]} + own" for t in one["table"]) + " |")
    print("|---|---|---|" + "---|---|" * len(one["table"]))
    for n in one["caches"]:
        print(f"| {n} | {cell(base['by_cache'][n])} | "
              + " | ".join(cell(t["by_cache"][n]) for t in one["table"]) + " |")
    print(f"| **summed** | {cell(base)} | "
          + " | ".join(cell(t[who]) for t in one["table"]) + " |")
    print(f"| {flag_label} | | | " + " | ".join(f"{t[flag]} | " for t in one["table"]) + " |")


def print_step2(two: dict[str, Any], who: str) -> None:
    """Step 2's checks (a) to (d) of ``who`` (rules NO and FN)."""
    a, b, c, d = (two[k] for k in "abcd")
    print(f"(a) D recall shipped {a['shipped_recall'] * 100:.2f} % ({a['shipped_hits']}/"
          f"{a['positives']}), {who} {a[who + '_recall'] * 100:.2f} % ({a[who + '_hits']}) "
          f"({a['points']:+.2f}, needs +{GAIN}): {a['pass']}")
    print(f"(b) D false hits shipped {b['shipped_false_hits']}, {who} "
          f"{b[who + '_false_hits']} of {b['negatives']} (limit {b['limit']}): {b['pass']}")
    print(f"(c) 10,000 entries: negatives answered {c['negatives_answered']} (limit "
          f"{c['answered_limit']}), own {c['paraphrases_own']}: {c['pass']}")
    print(f"(d) {who} pairs:qqp false hits {d[who + '_qqp_false_hits']}/{d['qqp_negatives']} "
          f"({d[who + '_qqp_false_hit_rate'] * 100:.2f} %, limit 3.0 %; shipped "
          f"{d['shipped_qqp_false_hits']}): {d['pass']}")


def report(r: dict[str, Any]) -> None:
    one = r["step1"]
    print(f"step 1: ten caches of 10,000 entries; the shipped lookup ({one['shipped']['variant']}"
          f", {SHIPPED_CUT}) against NO (the nearest candidate alone at C1, later cut "
          f"{LATER_CUT}): negative queries answered (own / another entry) | own-entry answers\n")
    print_table(one, "NO", "C1", "holds", "holds (- answered <= shipped's)")
    print(f"\nc1 = {one['c1']}")
    screen = one["screen"]
    if screen is not None:
        own = screen["own_entry"]
        print(f"screen: own-entry answers shipped {own['shipped']}, NO at c1 {own['NO']}: "
              f"{own['pass']}")
    print(f"screen passes: {one['screen_passes']}")
    two = r.get("step2")
    if two is not None:
        print_step2(two, "NO")
    print(f"NO adopted at c1 {one['c1']}: {r['NO_adopted']}")


def loaded(p: Path) -> dict[str, Any]:
    return json.loads(p.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def step2_arguments(two: argparse.ArgumentParser) -> None:
    """Step 2's inputs (rules NO and FN): D's rows and Quora's, each with its cache_losses
    result, and the D cache's cache_shared result."""
    two.add_argument("--rows", type=Path, required=True,
                     help="cache_losses --pairs-out rows of heldout102 heldout103")
    two.add_argument("--rows-result", type=Path, required=True,
                     help="that cache_losses run's --out result (its verifier's sha256)")
    two.add_argument("--quora", type=Path, required=True,
                     help="cache_losses --sets pairs --pairs-out rows")
    two.add_argument("--quora-result", type=Path, required=True,
                     help="that cache_losses run's --out result")
    two.add_argument("--shared", type=Path, required=True,
                     help="the cache_shared result on heldout102+103 (both variants)")


def step2_of(args: argparse.Namespace, who: str, at: str,
             step2: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """``main``'s step 2 (rules NO and FN): the result ``args.out`` read, refused unless its step
    1 and screen passed; the rows checked by their results; ``step2`` at step 1's ``at``."""
    out = loaded(args.out)
    if not out["step1"]["screen_passes"]:
        raise SystemExit(f"step 1 or the screen failed: {who} is not adopted and "
                         "heldout102-103 stay unread")
    rows_checked(loaded(args.rows_result), list(D), S10_SHA, "D")
    rows_checked(loaded(args.quora_result), ["pairs"], S10_SHA, "Quora")
    second = step2(out["step1"][at], read_jsonl(args.rows), read_jsonl(args.quora),
                   loaded(args.shared))
    out.update({"step2": second, f"{who}_adopted": verdict(second)})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help="c1 and the screen, on the ten seen caches")
    two = sub.add_parser("step2", help="the lead's decision on heldout102-103")
    one.add_argument("--shared", type=Path, nargs=len(CACHES), required=True,
                     help="the cache_shared results, 80+81 .. 98+99 in order")
    step2_arguments(two)
    for p in (one, two):
        p.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    inputs = {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
              for k, v in vars(args).items() if k not in ("out", "step")}

    if args.step == "step1":
        first = step1([loaded(p) for p in args.shared])
        out: dict[str, Any] = {
            "rule": RULE, "floor": FLOOR, "rank_margin": rank_margin(),
            "S10": {"sha256": S10_SHA, "cut": SHIPPED_CUT}, "step1": first,
            "NO_adopted": None if first["screen_passes"] else False,
            "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
    else:
        out = step2_of(args, "NO", "c1", step2)
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
