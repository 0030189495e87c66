"""The lead's rule for the similarity floor with S2 deciding alone (session 22), applied
once, as written, from the lookup's rows and two benches' outputs. The rule, quoted
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
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
RULE = __doc__.split("\n\n")[1]  # the quoted rule, as the lead wrote it
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


def point(rows: list[dict[str, Any]], quora: list[dict[str, Any]],
          shared: dict[str, Any], floor: float, ms: dict[int, float]) -> dict[str, Any]:
    """Every figure the rule reads at ``floor``."""
    df_rows = [r for r in rows if r["set"] in DF]
    v = shared["by_variant"][variant_key(floor)]
    scored = v.get("scored_per_lookup")
    if scored is None:
        raise SystemExit("cache_shared's result has no scored_per_lookup (run it with the "
                         "cross-encoder at e89ae3a or later)")
    neg, pos = v["all"]["negatives"], v["all"]["positives"]
    return {
        "df": counts(df_rows, floor, CUT),
        "df_by_set": {s: counts([r for r in df_rows if r["set"] == s], floor, CUT)
                      for s in DF},
        "quora": counts([r for r in quora if r["set"] == QUORA], floor, CUT),
        "pairs_others": {s: counts([r for r in quora if r["set"] == s], floor, CUT)
                         for s in sorted({r["set"] for r in quora} - {QUORA})},
        "shared": {"negatives_answered_by_another": neg["another"],
                   "negatives_another_right_wrong_unknown": [
                       neg["another_right"], neg["another_wrong"], neg["another_unknown"]],
                   "negatives_answered": neg["answered"],
                   "negatives_known_wrong": neg["known_wrong"],
                   "paraphrases_own": pos["own"], "paraphrases_another": pos["another"],
                   "scored_per_lookup": scored,
                   "verified_per_lookup": v["verified_per_lookup"],
                   "cpu_ms_per_lookup_measured": v["cpu_ms_per_lookup"],
                   # scored pairs x S2's median ms a candidate in a lookup of k
                   "cpu_ms_per_lookup_implied": {f"at_{k}_candidates_ms": round(scored * c, 2)
                                                 for k, c in ms.items()}},
    }


def checks(base: dict[str, Any], low: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """(a)-(e) at one floor against 0.50: each its figures and whether it passes."""
    b_df, l_df = base["df"], low["df"]
    b_sh, l_sh = base["shared"], low["shared"]
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
        "d": {"negatives_answered_by_another": l_sh["negatives_answered_by_another"],
              "limit": b_sh["negatives_answered_by_another"] + ANOTHER_SLACK,
              "pass": l_sh["negatives_answered_by_another"]
              <= b_sh["negatives_answered_by_another"] + ANOTHER_SLACK},
        "e": {"scored_per_lookup": l_sh["scored_per_lookup"],
              "limit": round(SCORED_RATIO * b_sh["scored_per_lookup"], 3),
              "pass": l_sh["scored_per_lookup"] <= SCORED_RATIO * b_sh["scored_per_lookup"]},
    }


def added(rows: list[dict[str, Any]], floor: float) -> dict[str, Any]:
    """DF's pairs a hit at ``floor`` and not at 0.50 (a lower floor only adds): per label
    and kind, and each pair (a paraphrase by its id in its set, a negative with its texts)."""
    new = [r for r in rows if r["set"] in DF
           and stage(r, floor, CUT)[1] and not stage(r, SHIPPED, CUT)[1]]
    return {"paraphrases_by_kind": dict(Counter(r["kind"] for r in new if r["label"])),
            "negatives_by_kind": dict(Counter(r["kind"] for r in new if not r["label"])),
            "paraphrases": [[r["set"], r["id"], r["kind"], round(r["similarity"], 3),
                             round(r["p"], 3)] for r in new if r["label"]],
            "negatives": [{k: r.get(k) for k in ("set", "id", "kind", "similarity", "p", "a",
                                                 "b")} for r in new if not r["label"]]}


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
           shared: dict[str, Any], ms: dict[int, float]) -> dict[str, Any]:
    base = point(rows, quora, shared, SHIPPED, ms)
    floors: dict[str, Any] = {f"{SHIPPED:.2f}": base}
    for f in FLOORS:
        low = point(rows, quora, shared, f, ms)
        low["checks"] = checks(base, low)
        low["passes"] = all(c["pass"] for c in low["checks"].values())
        low["added"] = added(rows, f)
        floors[f"{f:.2f}"] = low
    passing = sorted(f for f in FLOORS if floors[f"{f:.2f}"]["passes"])
    return {"floors": floors, "adopted": passing[0] if passing else SHIPPED}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, required=True,
                        help="cache_losses rows of D25 (the lead's base rows)")
    parser.add_argument("--quora", type=Path, required=True,
                        help="cache_losses --sets pairs rows (--pairs-out)")
    parser.add_argument("--shared", type=Path, required=True,
                        help="cache_shared.py's result on heldout34 heldout35")
    parser.add_argument("--stack-cost", type=Path, required=True,
                        help="stack_cost.py's printed output (--verifiers cross)")
    parser.add_argument("--sample", type=Path, default=None,
                        help="cache_losses rows rerun at a lower --floor on some DF sets: "
                             "their stages checked against --rows' (same_stages)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "floor-session22.json")
    args = parser.parse_args()
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


def report(result: dict[str, Any]) -> None:
    print("| floor | DF recall | DF false hits | Quora FH | another (neg.) | scored / lookup "
          "| verified / lookup | CPU ms / lookup (measured) | (a) (b) (c) (d) (e) |\n"
          "|---|---|---|---|---|---|---|---|---|")
    for f, p in result["floors"].items():
        df, q, sh = p["df"], p["quora"], p["shared"]
        marks = " ".join("y" if c["pass"] else "n" for c in p.get("checks", {}).values())
        print(f"| {f} | {df['recall']:.2%} ({df['hits']}/{df['positives']}) | "
              f"{df['false_hits']}/{df['negatives']} | {q['false_hit_rate']:.2%} "
              f"({q['false_hits']}) | {sh['negatives_answered_by_another']} | "
              f"{sh['scored_per_lookup']} | {sh['verified_per_lookup']} | "
              f"{sh['cpu_ms_per_lookup_measured']} | {marks or '-'} |")
    print(f"\nadopted floor: {result['adopted']:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
