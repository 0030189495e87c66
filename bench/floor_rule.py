"""The lead's rules for the similarity floor with S2 deciding alone, each applied once, as
written, from the lookup's rows and the benches' outputs: session 22's plain floor (F),
and with ``--nearest`` session 24's nearest candidate under the floor (F1). F, quoted
unchanged:

    F: the similarity floor `cache.verifier_floor` lowered from 0.50 to f, for f in (0.45,
    0.40, 0.35), S2 at 0.858085, every other setting as shipped. DF = heldout30, 31, 32,
    33, 34, 35 (six sets S2 never trained on); the verdict at floor f is
    cache_losses.stage(row, f, 0.858085) on the rows of
    /work/base/base-D25-7657d69-pairs.jsonl for those sets (bench/cache_losses.py; each
    row holds the pair's similarity and probability). Adopt the lowest f at which,
    against 0.50, (a) DF's false hits are no more than at 0.50; (b) DF's recall is at
    least 0.50's + 1.0 point; (c) bench/cache_pairs/heldout.jsonl (Quora): false-hit rate
    <= 0.50's + 0.25 point; (d) bench/cache_shared.py on heldout34+heldout35 (--variants
    0.5:5 against f:5): negatives answered by another entry <= 0.50's + 2; (e) in that
    populated cache, the mean number of candidates the verifier judges per lookup at f <=
    1.5 x at 0.50 (reported with the CPU per lookup it implies at S2's per-candidate
    cost, bench/stack_cost.py). If no f passes, the floor stays 0.50.

How each part is read: (a), (b) pooled over DF's six sets (per set reported); (c) the
``pairs:qqp`` rows of ``cache_losses.py --sets pairs`` (the Quora source of the file; its
generated and support components reported, not judged); (d) ``cache_shared.py``'s
``all.negatives.another`` per variant (another entry's answer to a negative query: right,
wrong or unknown by the labels); (e) its ``scored_per_lookup`` (the pairs the
cross-encoder scored in the lookups: what the verifier judged), its
``verified_per_lookup`` (the candidates over the floor handed over) beside, and the CPU
that implies at ``stack_cost.py``'s median CPU per candidate of S2 (``cross``, texts new
to the instance: ``request``) in a lookup of 1 and of 5 candidates. The commands
(2026-12-05, at e89ae3a):

    .venv/bin/python bench/cache_losses.py --sets heldout30 --floor 0.40 --out H.json \\
        --pairs-out H.jsonl    # its rows' stage at 0.40 checked against the lookup at 0.40
    .venv/bin/python bench/cache_losses.py --sets pairs --out Q.json --pairs-out Q.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout34 heldout35 \\
        --variants 0.5:5 0.45:5 0.4:5 0.35:5 --out S.json --pairs-out S.jsonl
    .venv/bin/python bench/stack_cost.py --verifiers cross --states request warm \\
        --rounds 2 > C.txt
    .venv/bin/python bench/floor_rule.py --rows /work/base/base-D25-7657d69-pairs.jsonl \\
        --sample H.jsonl --quora Q.jsonl --shared S.json --stack-cost C.txt \\
        --out bench/results/floor-session22.json

Session 24's rule (``--nearest``), written by the lead before any run, quoted unchanged:

    F1: where no candidate of a lookup reaches cache.verifier_floor (0.50), the nearest
    entry is verified if its cosine reaches f (a new setting, cache.verifier_floor_nearest,
    off by default until this rule says otherwise), f in (0.45, 0.40), S2 at 0.855177,
    every other setting as shipped. DS = heldout42, heldout43. Per pair the verdict at f
    is cache_losses.stage(row, f, 0.855177) on the rows of
    /work/base/base-DS-b9e29c7-pairs.jsonl. Adopt the lowest f at which, against the
    shipped lookup: (a) DS's false hits are no more than at 0.50; (b) DS's recall is at
    least 0.50's + 1.0 point; (c) bench/cache_pairs/heldout.jsonl pairs:qqp (rows
    /work/base/quora-b9e29c7-pairs.jsonl): false-hit rate <= 0.50's + 0.25 point; (d)
    bench/cache_shared.py on heldout42+heldout43 (10,000 entries, the shipped lookup
    against F1 at f, 5 candidates): negative queries answered by another entry <= shipped
    + 2, and paraphrase queries answered by another entry <= shipped + 2; (e) in that
    populated cache, pairs the verifier scores per lookup <= 1.15 x shipped's (reported
    with the CPU per lookup measured). If no f passes, F1 stays off.

How F1's parts are read: per pair (a cache of one entry) F1 at f is the plain floor at f,
so (a)-(c) read ``stage`` at f as F does, pooled over DS; (d) ``cache_shared.py``'s
``all.negatives.another`` and ``all.positives.another`` of the variant ``0.5:5:nF``
against ``0.5:5``, run in one process; (e) their ``scored_per_lookup``, beside the CPU
of a lookup measured there (no ``stack_cost.py``). Reported, not judged: the same
per-pair figures on D31's sets never trained on (heldout30-41, ``--records``), the pairs
F1 adds on DS, and from cache_shared's rows (``--shared-pairs``) every answer F1 adds in
the populated cache, with both texts, and any answer it changed (none, by design); each
F1 variant's one-entry probes (``alone``) are checked against ``stage`` at f. The
commands (2026-12-06):

    .venv/bin/python bench/cache_shared.py --sets heldout42 heldout43 \
        --variants 0.5:5 0.5:5:n0.45 0.5:5:n0.4 --out S.json --pairs-out S.jsonl
    .venv/bin/python bench/floor_rule.py --nearest \
        --rows /work/base/base-DS-b9e29c7-pairs.jsonl \
        --records /work/base/base-D31-b9e29c7-pairs.jsonl \
        --quora /work/base/quora-b9e29c7-pairs.jsonl --shared S.json --shared-pairs S.jsonl \
        --out bench/results/floor-nearest-session24.json
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
RULE = __doc__.split("\n\n")[1]  # the quoted rule, as the lead wrote it
RULE_F1 = next(p for p in __doc__.split("\n\n") if p.strip().startswith("F1:"))
SHIPPED = 0.50
FLOORS = (0.45, 0.40, 0.35)
CUT = 0.858085  # S2's operating point (cross.json 2a9b446e)
DF = tuple(f"heldout{n}" for n in range(30, 36))
QUORA = "pairs:qqp"
RECALL_GAIN = 0.01  # (b): at least one point more
QUORA_SLACK = 0.0025  # (c): a quarter point
ANOTHER_SLACK = 2  # (d): two negatives more
SCORED_RATIO = 1.5  # (e)
# stack_cost.py's line: "cross               request  5 candidates: 5.10 / 5.20 / 7.00 (...)"
COST_LINE = re.compile(r"^(\S+)\s+(\S+)\s+(\d+) candidates?\s*: ([\d.]+) / ([\d.]+) / ([\d.]+)")


def candidate_ms(text: str, kind: str = "cross", state: str = "request") -> dict[int, float]:
    """Per lookup size (1, 5): the mean over ``stack_cost.py``'s rounds of its median CPU
    ms per candidate for ``kind`` with texts in ``state``."""
    medians: dict[int, list[float]] = defaultdict(list)
    for line in text.splitlines():
        m = COST_LINE.match(line.strip())
        if m and m[1] == kind and m[2] == state:
            medians[int(m[3])].append(float(m[4]))
    if not medians:
        raise SystemExit(f"no {kind} {state} lines in the stack_cost output")
    return {k: round(statistics.fmean(v), 3) for k, v in sorted(medians.items())}


def variant_key(floor: float) -> str:
    """cache_shared's name of the variant at ``floor`` with 5 candidates (``0.4:5``)."""
    return f"{floor:g}:5"


def nearest_key(floor: float) -> str:
    """cache_shared's name of F1 at ``floor`` (``0.5:5:n0.45``), or the shipped lookup's
    (``0.5:5``) at 0.50."""
    return variant_key(SHIPPED) + ("" if floor == SHIPPED else f":n{floor:g}")


@dataclass(frozen=True)
class Rule:
    """What one of the lead's floor rules reads: its quoted text, S2's cut, the decision
    sets, the lower floors tried, cache_shared's variant at a floor, (d)'s slack on
    paraphrase queries too (None: negatives only) and (e)'s ratio."""

    name: str
    text: str
    cut: float
    decision_sets: tuple[str, ...]
    floors: tuple[float, ...]
    key: Callable[[float], str]
    paraphrase_slack: int | None
    scored_ratio: float


SESSION22 = Rule("F", RULE, CUT, DF, FLOORS, variant_key, None, SCORED_RATIO)
F1 = Rule("F1", RULE_F1, 0.855177,  # S2's cut by session 23's rule V
          ("heldout42", "heldout43"), (0.45, 0.40), nearest_key, 2, 1.15)
D31_UNTRAINED = tuple(f"heldout{n}" for n in range(30, 42))  # D31's sets S2 never trained on


def point(rows: list[dict[str, Any]], quora: list[dict[str, Any]],
          shared: dict[str, Any], floor: float, ms: dict[int, float] | None,
          rule: Rule = SESSION22) -> dict[str, Any]:
    """Every figure the rule reads at ``floor`` (``ms``: S2's CPU a candidate, for the
    implied CPU; None: the measured only)."""
    cut = rule.cut
    df_rows = [r for r in rows if r["set"] in rule.decision_sets]
    v = shared["by_variant"][rule.key(floor)]
    scored = v.get("scored_per_lookup")
    if scored is None:
        raise SystemExit("cache_shared's result has no scored_per_lookup (run it with the "
                         "cross-encoder at e89ae3a or later)")
    neg, pos = v["all"]["negatives"], v["all"]["positives"]
    return {
        "df": counts(df_rows, floor, cut),
        "df_by_set": {s: counts([r for r in df_rows if r["set"] == s], floor, cut)
                      for s in rule.decision_sets},
        "quora": counts([r for r in quora if r["set"] == QUORA], floor, cut),
        "pairs_others": {s: counts([r for r in quora if r["set"] == s], floor, cut)
                         for s in sorted({r["set"] for r in quora} - {QUORA})},
        "shared": {"negatives_answered_by_another": neg["another"],
                   "negatives_another_right_wrong_unknown": [
                       neg["another_right"], neg["another_wrong"], neg["another_unknown"]],
                   "negatives_answered": neg["answered"],
                   "negatives_known_wrong": neg["known_wrong"],
                   "paraphrases_own": pos["own"], "paraphrases_another": pos["another"],
                   "paraphrases_another_right_wrong_unknown": [
                       pos.get(k) for k in ("another_right", "another_wrong",
                                            "another_unknown")],
                   "scored_per_lookup": scored,
                   "verified_per_lookup": v["verified_per_lookup"],
                   "cpu_ms_per_lookup_measured": v["cpu_ms_per_lookup"],
                   # scored pairs x S2's median ms a candidate in a lookup of k
                   **({} if ms is None else {"cpu_ms_per_lookup_implied": {
                       f"at_{k}_candidates_ms": round(scored * c, 2)
                       for k, c in ms.items()}})},
    }


def checks(base: dict[str, Any], low: dict[str, Any],
           rule: Rule = SESSION22) -> dict[str, dict[str, Any]]:
    """(a)-(e) at one floor against 0.50: each its figures and whether it passes."""
    b_df, l_df = base["df"], low["df"]
    b_sh, l_sh = base["shared"], low["shared"]
    d: dict[str, Any] = {
        "negatives_answered_by_another": l_sh["negatives_answered_by_another"],
        "limit": b_sh["negatives_answered_by_another"] + ANOTHER_SLACK,
        "pass": l_sh["negatives_answered_by_another"]
        <= b_sh["negatives_answered_by_another"] + ANOTHER_SLACK}
    if rule.paraphrase_slack is not None:
        limit = b_sh["paraphrases_another"] + rule.paraphrase_slack
        d.update(paraphrases_answered_by_another=l_sh["paraphrases_another"],
                 paraphrases_limit=limit,
                 **{"pass": d["pass"] and l_sh["paraphrases_another"] <= limit})
    return {
        "a": {"false_hits": l_df["false_hits"], "limit": b_df["false_hits"],
              "pass": l_df["false_hits"] <= b_df["false_hits"]},
        "b": {"recall": round(l_df["recall"], 6),
              "limit": round(b_df["recall"] + RECALL_GAIN, 6),
              "pass": l_df["recall"] >= b_df["recall"] + RECALL_GAIN - 1e-12},
        "c": {"false_hit_rate": round(low["quora"]["false_hit_rate"], 6),
              "limit": round(base["quora"]["false_hit_rate"] + QUORA_SLACK, 6),
              "pass": low["quora"]["false_hit_rate"]
              <= base["quora"]["false_hit_rate"] + QUORA_SLACK + 1e-12},
        "d": d,
        "e": {"scored_per_lookup": l_sh["scored_per_lookup"],
              "limit": round(rule.scored_ratio * b_sh["scored_per_lookup"], 3),
              "pass": l_sh["scored_per_lookup"]
              <= rule.scored_ratio * b_sh["scored_per_lookup"]},
    }


def added(rows: list[dict[str, Any]], floor: float, rule: Rule = SESSION22,
          texts: bool = False) -> dict[str, Any]:
    """DF's pairs a hit at ``floor`` and not at 0.50 (a lower floor only adds): per label
    and kind, and each pair (a paraphrase by its id in its set, with its texts where
    ``texts``; a negative with its texts)."""
    new = [r for r in rows if r["set"] in rule.decision_sets
           and stage(r, floor, rule.cut)[1] and not stage(r, SHIPPED, rule.cut)[1]]
    keys = ("set", "id", "kind", "similarity", "p", "a", "b")
    return {"paraphrases_by_kind": dict(Counter(r["kind"] for r in new if r["label"])),
            "negatives_by_kind": dict(Counter(r["kind"] for r in new if not r["label"])),
            "paraphrases": [{k: r.get(k) for k in keys} if texts else
                            [r["set"], r["id"], r["kind"], round(r["similarity"], 3),
                             round(r["p"], 3)] for r in new if r["label"]],
            "negatives": [{k: r.get(k) for k in keys} for r in new if not r["label"]]}


def same_stages(rows: list[dict[str, Any]], sample: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows' verdicts against a rerun's (``cache_losses.py --floor f`` on some of the
    sets, which checks each of its rows' stage at ``f`` against the lookup at ``f``,
    ``probe``): the pairs whose stage differs at any floor the rule reads, and the largest
    differences in cosine and probability (batched passes round differently)."""
    base = {(r["set"], r["id"]): r for r in rows}
    differ, d_sim, d_p = 0, 0.0, 0.0
    for r in sample:
        b = base[(r["set"], r["id"])]
        differ += any(stage(r, f, CUT) != stage(b, f, CUT) for f in (SHIPPED, *FLOORS))
        d_sim = max(d_sim, abs(r["similarity"] - b["similarity"]))
        if r["p"] is not None and b["p"] is not None:
            d_p = max(d_p, abs(r["p"] - b["p"]))
        elif (r["p"] is None) != (b["p"] is None):
            differ += 1
    return {"sets": sorted({r["set"] for r in sample}), "pairs": len(sample),
            "stage_differs": differ, "max_abs_similarity": d_sim, "max_abs_p": d_p}


def decide(rows: list[dict[str, Any]], quora: list[dict[str, Any]],
           shared: dict[str, Any], ms: dict[int, float] | None,
           rule: Rule = SESSION22) -> dict[str, Any]:
    base = point(rows, quora, shared, SHIPPED, ms, rule)
    floors: dict[str, Any] = {f"{SHIPPED:.2f}": base}
    for f in rule.floors:
        low = point(rows, quora, shared, f, ms, rule)
        low["checks"] = checks(base, low, rule)
        low["passes"] = all(c["pass"] for c in low["checks"].values())
        low["added"] = added(rows, f, rule, texts=rule is not SESSION22)
        floors[f"{f:.2f}"] = low
    passing = sorted(f for f in rule.floors if floors[f"{f:.2f}"]["passes"])
    return {"floors": floors, "adopted": passing[0] if passing else SHIPPED}


def per_pair_records(rows: list[dict[str, Any]], rule: Rule = F1,
                     sets: tuple[str, ...] = D31_UNTRAINED) -> dict[str, Any]:
    """The per-pair figures (``counts``) at 0.50 and each floor of ``rule`` on ``sets``,
    pooled and per set: reported beside a verdict, judged by nothing."""
    picked = [r for r in rows if r["set"] in sets]
    return {f"{f:.2f}": {"all": counts(picked, f, rule.cut),
                         "by_set": {s: counts([r for r in picked if r["set"] == s], f,
                                              rule.cut) for s in sets}}
            for f in (SHIPPED, *rule.floors)}


def shared_added(answers: list[dict[str, Any]], rule: Rule = F1) -> dict[str, Any]:
    """cache_shared's rows (``--pairs-out``) of the shipped lookup against F1 at each
    floor: the answers F1 adds (a miss of the shipped lookup answered), own entry's and
    another's, each with both texts, and the answers it changed (a lookup the shipped one
    answered, answered otherwise: none by design, F1 only judges where the shipped lookup
    judged nothing)."""
    by: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = defaultdict(dict)
    for a in answers:
        by[a["variant"]][(a["set"], a["id"], a["b"], a["a"])] = a
    shipped = by[rule.key(SHIPPED)]
    out: dict[str, Any] = {}
    for f in rule.floors:
        f1 = by[rule.key(f)]
        if f1.keys() != shipped.keys():
            raise SystemExit(f"cache_shared's rows of {rule.key(f)} and "
                             f"{rule.key(SHIPPED)} are not the same pairs")
        own, other, changed = [], [], []
        for k, a in f1.items():
            s = shipped[k]
            if s["answered"] is not None:
                if a["answered"] != s["answered"]:
                    changed.append(k)
                continue
            if a["answered"] is None:
                continue
            row = {"set": a["set"], "id": a["id"], "label": a["label"], "kind": a["kind"],
                   "query": a["b"], "cached": a["a"], "answered": a["answered"]}
            if a["outcome"] == "partner":
                own.append(row)
            else:
                other.append({**row, "outcome": a["outcome"], "relation": a["relation"],
                              "filler": a["filler"]})
        out[f"{f:.2f}"] = {
            "own_added": {"paraphrases": sum(r["label"] == 1 for r in own),
                          "negatives": sum(r["label"] == 0 for r in own), "pairs": own},
            "another_added": {"paraphrase_queries": sum(r["label"] == 1 for r in other),
                              "negative_queries": sum(r["label"] == 0 for r in other),
                              "pairs": other},
            "answers_changed": len(changed)}
    return out


def alone_check(rows: list[dict[str, Any]], answers: list[dict[str, Any]],
                rule: Rule = F1) -> dict[str, Any]:
    """Each pair's one-entry probe in cache_shared (``alone``, through the lookup with F1
    on) against ``stage`` at f on the base rows: per variant, the pairs compared and those
    that differ (F1 with one entry is the plain floor at f)."""
    base = {(r["set"], r["id"]): r for r in rows if r["set"] in rule.decision_sets}
    out: dict[str, Any] = {}
    for f in (SHIPPED, *rule.floors):
        mine = [a for a in answers if a["variant"] == rule.key(f)
                and (a["set"], a["id"]) in base]
        differ = [[a["set"], a["id"]] for a in mine
                  if a["alone"] != stage(base[(a["set"], a["id"])], f, rule.cut)[1]]
        out[rule.key(f)] = {"pairs": len(mine), "differ": len(differ), "which": differ[:20]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nearest", action="store_true",
                        help="session 24's rule F1 (the nearest candidate under the floor) "
                             "instead of session 22's F")
    parser.add_argument("--rows", type=Path, required=True,
                        help="cache_losses rows of the decision sets (the lead's base rows: "
                             "D25 for F, DS for F1)")
    parser.add_argument("--records", type=Path, default=None,
                        help="F1: cache_losses rows of D31, its sets S2 never trained on "
                             "(heldout30-41) reported per pair")
    parser.add_argument("--shared-pairs", type=Path, default=None,
                        help="F1: cache_shared's rows (--pairs-out): the answers F1 adds")
    parser.add_argument("--quora", type=Path, required=True,
                        help="cache_losses --sets pairs rows (--pairs-out)")
    parser.add_argument("--shared", type=Path, required=True,
                        help="cache_shared.py's result on heldout34 heldout35")
    parser.add_argument("--stack-cost", type=Path, default=None,
                        help="stack_cost.py's printed output (--verifiers cross; F needs it)")
    parser.add_argument("--sample", type=Path, default=None,
                        help="cache_losses rows rerun at a lower --floor on some DF sets: "
                             "their stages checked against --rows' (same_stages)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default bench/results/floor-session22.json, with --nearest "
                             "floor-nearest-session24.json")
    args = parser.parse_args()
    if args.nearest:
        return main_nearest(args)
    if args.stack_cost is None:
        parser.error("F reads --stack-cost")
    args.out = args.out or HERE / "results" / "floor-session22.json"
    shared = json.loads(args.shared.read_text(encoding="utf-8"))
    cost_text = args.stack_cost.read_text(encoding="utf-8")
    ms = candidate_ms(cost_text)
    rows = read_jsonl(args.rows)
    checked = None if args.sample is None else same_stages(rows, read_jsonl(args.sample))
    if checked is not None and checked["stage_differs"]:
        raise SystemExit(f"the rows' stages differ from the rerun's: {checked}")
    result = {"rule": " ".join(RULE.split()), "cut": CUT, "decision_sets": list(DF),
              **({} if checked is None else {"sample_check": checked}),
              **decide(rows, read_jsonl(args.quora), shared, ms),
              "s2_cpu_ms_per_candidate": {"request": ms,
                                          "warm": candidate_ms(cost_text, state="warm")},
              "inputs": {"rows": str(args.rows), "quora": str(args.quora),
                         "shared": str(args.shared), "shared_run": shared.get("timings"),
                         "stack_cost": str(args.stack_cost)},
              "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    report(result)
    print(f"\nwrote {args.out}")
    return 0


def main_nearest(args: argparse.Namespace) -> int:
    """F1, applied once as written (see the module's docstring)."""
    out = args.out or HERE / "results" / "floor-nearest-session24.json"
    shared = json.loads(args.shared.read_text(encoding="utf-8"))
    if abs(shared["verifier"]["min_probability"] - F1.cut) > 5e-7:
        raise SystemExit(f"cache_shared ran at cut {shared['verifier']['min_probability']}, "
                         f"the rule reads {F1.cut}")
    rows = read_jsonl(args.rows)
    answers = [] if args.shared_pairs is None else read_jsonl(args.shared_pairs)
    result = {"rule": " ".join(RULE_F1.split()), "cut": F1.cut,
              "decision_sets": list(F1.decision_sets),
              "variants": {f"{f:.2f}": F1.key(f) for f in (SHIPPED, *F1.floors)},
              **decide(rows, read_jsonl(args.quora), shared, None, F1)}
    if answers:
        result["shared_added"] = shared_added(answers)
        result["alone_check"] = alone_check(rows, answers)
    if args.records is not None:
        result["records_d31_untrained"] = {"sets": list(D31_UNTRAINED),
                                           **per_pair_records(read_jsonl(args.records))}
    result["inputs"] = {"rows": str(args.rows), "quora": str(args.quora),
                        "shared": str(args.shared), "shared_pairs": str(args.shared_pairs),
                        "records": str(args.records), "shared_run": shared.get("timings")}
    result["run"] = run_record()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report(result)
    adopted = result["adopted"]
    print(f"F1: {'off' if adopted == SHIPPED else f'on at {adopted:.2f}'}")
    print(f"\nwrote {out}")
    return 0


def report(result: dict[str, Any]) -> None:
    print("| floor | DF recall | DF false hits | Quora FH | another (neg. / par.) | own (par.) "
          "| scored / lookup | verified / lookup | CPU ms / lookup (measured) "
          "| (a) (b) (c) (d) (e) |\n|---|---|---|---|---|---|---|---|---|---|")
    for f, p in result["floors"].items():
        df, q, sh = p["df"], p["quora"], p["shared"]
        marks = " ".join("y" if c["pass"] else "n" for c in p.get("checks", {}).values())
        print(f"| {f} | {df['recall']:.2%} ({df['hits']}/{df['positives']}) | "
              f"{df['false_hits']}/{df['negatives']} | {q['false_hit_rate']:.2%} "
              f"({q['false_hits']}) | {sh['negatives_answered_by_another']} / "
              f"{sh['paraphrases_another']} | {sh['paraphrases_own']} | "
              f"{sh['scored_per_lookup']} | {sh['verified_per_lookup']} | "
              f"{sh['cpu_ms_per_lookup_measured']} | {marks or '-'} |")
    print(f"\nadopted floor: {result['adopted']:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
