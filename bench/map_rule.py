"""The lead's rule M (session 27): the learnt retrieval map (``cache.retrieval_map``,
i11's full-mnr) in the cache's lookup, against the shipped one, decided once on heldout64-65.
The rule, quoted unchanged, is ``RULE`` below (one paragraph, cut into lines here only).

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/map_rule.py \\
        --shared bench/results/cache-shared-heldout64-65-map-rule-session27.json \\
        --pairs-out bench/results/local/cache-shared-heldout64-65-map-rule-session27-pairs.jsonl \\
        --rows bench/results/cache-retrieval-d64-session27.json \\
        --quora bench/results/cache-retrieval-quora-d64-session27.json \\
        --out bench/results/map-rule-session27.json

How it is read. P: one ``bench/cache_shared.py`` result (heldout64+heldout65, 10,000
entries, variants ``0.5:5`` shipped, ``0.5:5:m`` M2, ``0.46:5:m`` M1, ``--retrieval-map`` the
map), its ``all`` block: (a) ``positives.own`` against shipped's + 1 % of ``positives.n``
(compared in whole counts: 100 x own >= 100 x shipped's + n); (b) ``negatives.answered``
(own + another); (c) ``positives.another``; (d) ``scored_per_lookup`` (the pairs the
cross-encoder scored a lookup, as the bench writes it: three decimals, compared exactly). Q: a
``train/cache_retrieval/measure.py --no-proxy`` result on the lead's D64 rows (S5, made at
main), ``raw`` at 0.50 against ``full-mnr`` at the candidate's floor, ``per_pair.at``: (e)
false hits, and recall in whole counts (100 x hits >= 100 x shipped's - positives); its
``--check`` (the lookup with the map against the restaged rows) is reported. R: the same
on ``quora-66c9ccc-S5-pairs.jsonl``, ``by_set``'s ``pairs:qqp`` false hits: (f). The inputs
are checked to be what the rule names (the sets, 10,000 entries, S5 cffa0c35 at 0.916959,
the map's weight sha256, the variants) before any check is read.

Records beside the verdict (judged by nothing): P per set and its CPU per lookup; every pair
whose outcome or answering entry differs between a candidate and shipped, with both texts
(``--pairs-out``: the run's per-pair rows).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run_record import run_record  # noqa: E402

SETS = ["heldout64", "heldout65"]
ENTRIES = 10_000
S5_SHA256 = "cffa0c357cda51d06270174acede9331a34aa49a4aee6437a7cae0ecf3c1b934"
CUT = 0.916959
MAP_SHA256 = "b5af082d38c88262006e0173802a9f07525baf0c58a830f69c84246f0c789f0e"
MAP_NAME = "full-mnr"  # measure.py names a map by its file's stem
SHIPPED = "0.5:5"
# name: (cache_shared variant, the floor measure.py's per-pair figures are read at,
# the bound of (d) as a multiple of shipped's pairs scored a lookup)
CANDIDATES = {"M2": ("0.5:5:m", "0.50", 1.0), "M1": ("0.46:5:m", "0.46", 1.05)}
ORDER = ("M2", "M1")  # a tie in own-entry answers: M2, the cheaper

RULE = (
    "M: the learnt retrieval map (i11's full-mnr, `make cache-retrieval-map`, weight sha256 "
    'b5af082d38c88262006e0173802a9f07525baf0c58a830f69c84246f0c789f0e; fitted on '
    'heldout9-11, 14-47 and 8,000 Quora train pairs; its shape and the floor 0.46 chosen on '
    "heldout48-57) in the cache's retrieval, against the shipped lookup (raw MiniLM cosine, "
    'floor 0.5). Candidates: M2 = the map at floor 0.5; M1 = the map at floor 0.46. Verifier '
    'S5 (cffa0c35) at 0.916959 and every shipped check on, in every arm. Decision sets D64 = '
    "heldout64, heldout65 (written during session 27 after the map's exploration ended, read "
    'by nothing before this rule, trained on by nothing). Measures: (P) one '
    'bench/cache_shared.py run on heldout64+heldout65 (10,000 entries; variants 0.5:5, '
    '0.5:5:m, 0.46:5:m, --retrieval-map the map), all three arms in the same run; (Q) per '
    'pair on D64, bench/cache_losses.py rows made at main with S5 restaged with the mapped '
    'cosine by train/cache_retrieval/measure.py (its check against the lookup on a sample of '
    '300 pairs reported); (R) bench/cache_pairs/heldout.jsonl pairs:qqp the same way (rows '
    '/work/base/quora-66c9ccc-S5-pairs.jsonl). A candidate X passes iff, against the shipped '
    "arm: (a) own-entry answers of paraphrase queries in P >= shipped's + 1.0 point of D64's "
    'paraphrase queries; (b) negative queries answered in P (by their partner or another '
    "entry) <= shipped's + 2; (c) paraphrase queries answered by another entry in P <= "
    "shipped's + 2; (d) pairs scored per lookup in P: M2 <= shipped's, M1 <= 1.05 x "
    "shipped's; (e) per pair on D64 (Q): false hits <= shipped's and recall >= shipped's - "
    "1.0 point; (f) pairs:qqp false hits (R) <= shipped's. If both pass, the one with more "
    'own-entry answers in P ships (a tie: M2, the cheaper); if one passes, it ships; if '
    'neither, nothing ships and the setting stays off. Shipping (not part of the verdict): '
    "the map file in the layer with its sha256 checked by a test, the catalog's "
    "cache.retrieval_map pointing at it and cache.verifier_floor set to the winner's floor, "
    "IndexRecord.nbytes counting the mapped row, the map applied to a snapshot's entries in "
    "one product. Records (judged by nothing): P's figures per set, CPU per lookup, every "
    'answer that differs between the winner and shipped with both texts. Why the bars: on '
    'the five seen pairs of sets the map gained own-entry answers on every pair (M2 +80, M1 '
    '+101 of 3,834: +2.1 / +2.6 points), so +1.0 point on one pair of writers asks for half '
    'the explored gain; (b) and (c) allow the +2 swing rule F1 allowed (session 24) and '
    'nothing more, because a cache that answers a wrong entry is the failure the issue '
    'names; (e) allows 1.0 point per pair because M2 trades per-pair recall for the '
    "populated cache's (-0.4 point per pair in exploration), and the populated cache is what "
    'users see.'
)


def check_inputs(shared: dict[str, Any], rows: dict[str, Any], quora: dict[str, Any],
                 sets: list[str] | None = None,
                 candidates: dict[str, tuple[str, str, float]] | None = None) -> None:
    """SystemExit unless the results are the runs the rule names (rule M's sets and
    candidates unless others are given: rule M2b's, ``bench/m2b_rule.py``)."""
    sets = SETS if sets is None else sets
    candidates = CANDIDATES if candidates is None else candidates
    problems = []
    if shared.get("sets") != sets:
        problems.append(f"P's sets {shared.get('sets')}, not {sets}")
    if shared.get("entries") != ENTRIES:
        problems.append(f"P's entries {shared.get('entries')}, not {ENTRIES}")
    verifier = shared.get("verifier") or {}
    if verifier.get("sha256") != S5_SHA256 or verifier.get("min_probability") != CUT:
        problems.append(f"P's verifier {verifier}, not S5 at {CUT}")
    rmap = shared.get("retrieval_map") or {}
    if rmap.get("weight_sha256") != MAP_SHA256:
        problems.append(f"P's map {rmap.get('weight_sha256')}, not {MAP_SHA256}")
    missing = [v for v in (SHIPPED, *(c[0] for c in candidates.values()))
               if v not in shared.get("by_variant", {})]
    if missing:
        problems.append(f"P lacks the variants {missing}")
    for name, got in (("Q", rows), ("R", quora)):
        if got.get("cut") != CUT:
            problems.append(f"{name}'s cut {got.get('cut')}, not {CUT}")
        if not {"raw", MAP_NAME} <= set(got.get("maps", {})):
            problems.append(f"{name} lacks raw or {MAP_NAME}")
        elif got["maps"][MAP_NAME].get("weight_sha256") != MAP_SHA256:
            problems.append(f"{name}'s map is not {MAP_SHA256}")
    if problems:
        raise SystemExit("not the rule's inputs: " + "; ".join(problems))


def decide(shared: dict[str, Any], rows: dict[str, Any], quora: dict[str, Any],
           sets: list[str] | None = None,
           candidates: dict[str, tuple[str, str, float]] | None = None,
           order: tuple[str, ...] | None = None, label: str = "D64") -> dict[str, Any]:
    """Every check of every candidate with its figures, the verdict and the winner (rule M's
    sets and candidates unless others are given; ``label`` names the decision sets)."""
    candidates = CANDIDATES if candidates is None else candidates
    order = ORDER if order is None else order
    check_inputs(shared, rows, quora, sets, candidates)
    base = shared["by_variant"][SHIPPED]
    base_all = base["all"]
    n = base_all["positives"]["n"]
    base_pp = rows["maps"]["raw"]["per_pair"]["at"]["0.50"]
    base_qqp = quora["maps"]["raw"]["per_pair"]["by_set"]["0.50"]["pairs:qqp"]
    out: dict[str, Any] = {"shipped": {
        "own": base_all["positives"]["own"], "paraphrase_queries": n,
        "negatives_answered": base_all["negatives"]["answered"],
        "another": base_all["positives"]["another"],
        "scored_per_lookup": base["scored_per_lookup"],
        "per_pair": {k: base_pp[k] for k in ("hits", "positives", "recall", "false_hits",
                                             "negatives")},
        "qqp_false_hits": base_qqp["false_hits"]}, "candidates": {}}
    for name in order:
        variant, floor, slack = candidates[name]
        got = shared["by_variant"][variant]
        pos, neg = got["all"]["positives"], got["all"]["negatives"]
        pp = rows["maps"][MAP_NAME]["per_pair"]["at"][floor]
        qqp = quora["maps"][MAP_NAME]["per_pair"]["by_set"][floor]["pairs:qqp"]
        checks = {
            "a": {"what": "own-entry answers of paraphrase queries (P) >= shipped's + 1.0 "
                          f"point of {label}'s paraphrase queries",
                  "figure": pos["own"], "bar": base_all["positives"]["own"] + n / 100,
                  "pass": 100 * pos["own"] >= 100 * base_all["positives"]["own"] + n},
            "b": {"what": "negative queries answered (P) <= shipped's + 2",
                  "figure": neg["answered"], "bar": base_all["negatives"]["answered"] + 2,
                  "pass": neg["answered"] <= base_all["negatives"]["answered"] + 2},
            "c": {"what": "paraphrase queries answered by another entry (P) <= shipped's + 2",
                  "figure": pos["another"], "bar": base_all["positives"]["another"] + 2,
                  "pass": pos["another"] <= base_all["positives"]["another"] + 2},
            "d": {"what": f"pairs scored per lookup (P) <= {slack:g} x shipped's",
                  "figure": got["scored_per_lookup"],
                  "bar": round(slack * base["scored_per_lookup"], 4),
                  "pass": Decimal(str(got["scored_per_lookup"]))
                  <= Decimal(str(slack)) * Decimal(str(base["scored_per_lookup"]))},
            "e_false_hits": {"what": f"false hits per pair on {label} (Q) <= shipped's",
                             "figure": pp["false_hits"], "bar": base_pp["false_hits"],
                             "pass": pp["false_hits"] <= base_pp["false_hits"]},
            "e_recall": {"what": f"recall per pair on {label} (Q) >= shipped's - 1.0 "
                                 "point",
                         "figure": f"{pp['hits']} / {pp['positives']} ({pp['recall']:.4f})",
                         "bar": round(base_pp["recall"] - 0.01, 4),
                         "pass": pp["positives"] == base_pp["positives"] and
                         100 * pp["hits"] >= 100 * base_pp["hits"] - base_pp["positives"]},
            "f": {"what": "pairs:qqp false hits (R) <= shipped's",
                  "figure": qqp["false_hits"], "bar": base_qqp["false_hits"],
                  "pass": qqp["false_hits"] <= base_qqp["false_hits"]},
        }
        out["candidates"][name] = {"variant": variant, "floor": float(floor),
                                   "own": pos["own"], "checks": checks,
                                   "passes": all(c["pass"] for c in checks.values())}
    passed = [name for name in order if out["candidates"][name]["passes"]]
    winner = max(passed, key=lambda m: (out["candidates"][m]["own"], -order.index(m)),
                 default=None)
    out["passed"] = passed
    out["winner"] = winner
    out["verdict"] = (f"{winner} ships: the map at floor {candidates[winner][1]}"
                      if winner else "neither passes: nothing ships, the setting stays off")
    return out


def records(shared: dict[str, Any], pair_rows: list[dict[str, Any]],
            candidates: dict[str, tuple[str, str, float]] | None = None) -> dict[str, Any]:
    """P per set and per variant, CPU a lookup, and every pair whose outcome or answering
    entry differs between a candidate and shipped (both texts)."""
    candidates = CANDIDATES if candidates is None else candidates
    per_set = {v: {"cpu_ms_per_lookup": got.get("cpu_ms_per_lookup"),
                   "scored_per_lookup": got.get("scored_per_lookup"),
                   "verified_per_lookup": got.get("verified_per_lookup"),
                   "by_set": {s: {"own": b["positives"]["own"], "positives": b["positives"]["n"],
                                  "another": b["positives"]["another"],
                                  "negatives_answered": b["negatives"]["answered"],
                                  "negatives": b["negatives"]["n"],
                                  "known_wrong": b["negatives"]["known_wrong"]}
                              for s, b in got.get("by_set", {}).items()}}
               for v, got in shared["by_variant"].items()}
    by = {(r["variant"], r["set"], r["id"], r["b"]): r for r in pair_rows}
    differ: dict[str, list[dict[str, Any]]] = {}
    for name, (variant, _, _) in candidates.items():
        differ[name] = []
        for (v, s, i, b), r in by.items():
            if v != SHIPPED:
                continue
            c = by.get((variant, s, i, b))
            if c is None or (c["outcome"], c["answered"]) == (r["outcome"], r["answered"]):
                continue
            differ[name].append({"set": s, "id": i, "label": r["label"], "kind": r.get("kind"),
                                 "cached": r["a"], "query": b,
                                 "shipped": [r["outcome"], r["answered"]],
                                 name: [c["outcome"], c["answered"]]})
    return {"per_variant": per_set, "differ": differ,
            "differ_counts": {k: len(v) for k, v in differ.items()}}


def summary(result: dict[str, Any]) -> str:
    s = result["shipped"]
    lines = [f"shipped (raw, 0.5): own {s['own']} / {s['paraphrase_queries']}, negatives "
             f"answered {s['negatives_answered']}, another {s['another']}, scored / lookup "
             f"{s['scored_per_lookup']}; per pair {s['per_pair']['hits']} / "
             f"{s['per_pair']['positives']} hits, {s['per_pair']['false_hits']} false hits; "
             f"pairs:qqp false hits {s['qqp_false_hits']}"]
    for name, got in result["candidates"].items():
        lines.append(f"{name} ({got['variant']}): {'PASSES' if got['passes'] else 'fails'}")
        for key, c in got["checks"].items():
            lines.append(f"  ({key}) {'pass' if c['pass'] else 'FAIL'}: {c['figure']} "
                         f"against {c['bar']}: {c['what']}")
    lines.append(f"verdict: {result['verdict']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="P: cache_shared's result")
    parser.add_argument("--pairs-out", type=Path, default=None,
                        help="P's per-pair rows (cache_shared --pairs-out), for the records")
    parser.add_argument("--rows", type=Path, required=True, help="Q: measure.py on D64's rows")
    parser.add_argument("--quora", type=Path, required=True,
                        help="R: measure.py on quora-66c9ccc-S5")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--verdict", type=Path, default=None,
                        help="also write the verdict's line there")
    args = parser.parse_args()
    shared, rows, quora = (json.loads(p.read_text()) for p in (args.shared, args.rows,
                                                                args.quora))
    result = {"rule": RULE, "inputs": {"P": str(args.shared), "Q": str(args.rows),
                                       "R": str(args.quora)}, **decide(shared, rows, quora)}
    result["q_check"] = rows.get("check")
    if args.pairs_out is not None:
        pair_rows = [json.loads(line) for line in args.pairs_out.read_text().splitlines()
                     if line.strip()]
        result["records"] = records(shared, pair_rows)
    result["run"] = run_record()
    print(summary(result))
    if result["q_check"] is not None:
        print(f"Q's check: {result['q_check']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    if args.verdict is not None:
        args.verdict.write_text(f"rule M: {result['verdict']}\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
