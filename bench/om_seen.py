"""Rule OM's cut on the seen writers (session 33, helper i16; docs/cache-history.md "Session
33: OM, S5 distilled to its own two-order mean"). OM is S5 (cffa0c35) fitted to the mean of
its own two readings (query first, cached first) in one pass (``cross_continue fit
--order-mean``). The cut, as rule OM (the lead's, session 33) fixes it:

    c_OM = the lowest 6-decimal cut at which OM's per-pair false hits pooled over heldout54-85
    are at most S5's at 0.916959 on the same rows, and OM's false hits on Quora's pairs
    (``cache_losses --sets pairs``, the ``pairs:qqp`` rows) at most S5's (29).

Both models' rows come from ``bench/cache_losses.py --pairs-out`` at one commit (S5: the
layer; OM: ``--cross-dir`` its export); a verdict is ``cache_losses.stage`` at floor 0.5
(``cross_continue.lowest_cut`` searches, as every rule since session 20 does). Beside the cut,
seen figures only (tuned on, so no evidence for the decision): recall and false hits of both,
pooled and per writer pair (heldout54-55, ..., 84-85), S5 at 0.916959 and OM at c_OM; both at
matched pooled false hits (0.5, 1, 2 % of the negatives); Quora at both cuts.

    SETS="$(printf 'heldout%d ' $(seq 54 85))"; L=bench/results/local
    .venv/bin/python bench/cache_losses.py --sets $SETS --out $L/i16-s5-54-85.json \\
        --pairs-out $L/i16-s5-54-85.jsonl                 # and --sets pairs: i16-s5-pairs
    .venv/bin/python bench/cache_losses.py --sets $SETS --cross-dir .cache/cross-om/OM \\
        --out $L/i16-om-54-85.json --pairs-out $L/i16-om-54-85.jsonl   # and --sets pairs
    .venv/bin/python bench/om_seen.py --s5 $L/i16-s5-54-85.jsonl --om $L/i16-om-54-85.jsonl \\
        --s5-quora $L/i16-s5-pairs.jsonl --om-quora $L/i16-om-pairs.jsonl \\
        --out bench/results/om-seen-session33.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cache_losses import counts
from operating_point import writer_pair
from pair_sets import RESERVED
from run_record import run_record
from s5_rule import curve, points, same_pairs
from second_reading import reaches  # the verifier's p can decide the pair (floor 0.5)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

FLOOR = 0.5
S5_CUT = 0.916959  # S5's shipped cut (cross.npz cffa0c35, rule S5c)
SEEN = tuple(f"heldout{n}" for n in range(54, 86))  # the rule's seen sets
QUORA = "pairs:qqp"
RATES = (0.005, 0.01, 0.02)  # matched false hits, shares of the pooled negatives
MODELS = ("S5", "OM")


def check_sets(rows: list[dict[str, Any]]) -> None:
    """The rows are exactly heldout54-85's (no reserved set among them)."""
    sets = {r["set"] for r in rows}
    if sets & RESERVED:
        raise SystemExit(f"reserved sets in the rows: {sorted(sets & RESERVED)}")
    if sets != set(SEEN):
        raise SystemExit(f"the rows are not heldout54-85's: {sorted(sets ^ set(SEEN))} differ")


def c_om(s5: list[dict[str, Any]], om: list[dict[str, Any]], s5_quora: list[dict[str, Any]],
         om_quora: list[dict[str, Any]]) -> dict[str, Any]:
    """The rule's bounds (S5's pooled false hits and its Quora false hits at 0.916959) and
    c_OM, the lowest cut at which OM keeps both."""
    f = counts(s5, FLOOR, S5_CUT)["false_hits"]
    q = counts(s5_quora, FLOOR, S5_CUT)["false_hits"]
    return {"F": f, "Q": q, "cut": lowest_cut(om, f, quora=(om_quora, q))}


def both(s5: list[dict[str, Any]], om: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """S5 at its cut and OM at ``cut``: counts and OM's gain in points."""
    a, b = counts(s5, FLOOR, S5_CUT), counts(om, FLOOR, cut)
    return {"S5": a, "OM": b, "points": points(b, a)}


def figures(s5: list[dict[str, Any]], om: list[dict[str, Any]], s5_quora: list[dict[str, Any]],
            om_quora: list[dict[str, Any]]) -> dict[str, Any]:
    same_pairs(s5, om, "seen", MODELS)
    same_pairs(s5_quora, om_quora, "Quora", MODELS)
    check_sets(s5)
    s5_q = [r for r in s5_quora if r["set"] == QUORA]
    om_q = [r for r in om_quora if r["set"] == QUORA]
    if not s5_q:
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    cut = c_om(s5, om, s5_q, om_q)
    pairs = sorted({writer_pair(r["set"]) for r in s5})
    return {
        "c_OM": cut["cut"], "bounds": {"F_seen_false_hits": cut["F"], "Q_quora_false_hits":
                                       cut["Q"], "S5_cut": S5_CUT},
        "pooled": both(s5, om, cut["cut"]),
        "per_writer_pair": {p: both([r for r in s5 if writer_pair(r["set"]) == p],
                                    [r for r in om if writer_pair(r["set"]) == p], cut["cut"])
                            for p in pairs},
        "quora": both(s5_q, om_q, cut["cut"]),
        "quora_all_pairs_file": both(s5_quora, om_quora, cut["cut"]),
        "matched_false_hits": curve({"S5": s5, "OM": om}, RATES, MODELS),
        "OM_at_S5_cut": counts(om, FLOOR, S5_CUT)}


def rescored(rows: list[dict[str, Any]], probabilities: Any) -> list[dict[str, Any]]:
    """``rows`` with the p of every pair the verifier decides (``reaches``) read again by
    ``probabilities`` (a list of (query, cached) pairs -> p, ``CrossEncoder.probabilities``);
    the others as they are: nothing but p depends on the verifier, so ``stage`` then gives the
    verdicts another verifier's ``cache_losses`` run would (the shortcut when the whole
    lookup cannot be run again in time)."""
    where = [n for n, r in enumerate(rows) if reaches(r)]
    ps = probabilities([(rows[n]["b"], rows[n]["a"]) for n in where])
    out = [dict(r) for r in rows]
    for n, value in zip(where, ps, strict=True):
        out[n]["p"] = float(value)
    return out


def rescore(args: argparse.Namespace) -> int:
    from llm_router.cache.cross import load_cross_verifier
    from llm_router.embedding.minilm import shared_embedder

    encoder = load_cross_verifier(shared_embedder(), args.cross_dir).encoder
    rows = read_jsonl(args.rows)
    out = rescored(rows, encoder.probabilities)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    print(f"{args.out}: {sum(map(reaches, rows)):,} of {len(rows):,} rows read again "
          f"by {args.cross_dir}")
    return 0


def main() -> int:
    if sys.argv[1:2] == ["rescore"]:
        parser = argparse.ArgumentParser(description="rows with the verifier's p read again "
                                         "by another cross-encoder (``rescored``)")
        parser.add_argument("rescore")
        parser.add_argument("--rows", type=Path, required=True)
        parser.add_argument("--cross-dir", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)
        return rescore(parser.parse_args())
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--s5", type=Path, required=True, help="S5's heldout54-85 rows")
    parser.add_argument("--om", type=Path, required=True, help="OM's heldout54-85 rows")
    parser.add_argument("--s5-quora", type=Path, required=True, help="S5's --sets pairs rows")
    parser.add_argument("--om-quora", type=Path, required=True, help="OM's --sets pairs rows")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cut-out", type=Path, default=None, help="c_OM alone, a text file")
    parser.add_argument("--record", nargs="*", default=[], metavar="KEY=JSON",
                        help="further fields for the results file (a JSON file's contents)")
    args = parser.parse_args()
    result = figures(*(read_jsonl(p) for p in (args.s5, args.om, args.s5_quora, args.om_quora)))
    for item in args.record:
        key, _, path = item.partition("=")
        result[key] = json.loads(Path(path).read_text(encoding="utf-8"))
    result["inputs"] = {k: str(getattr(args, k)) for k in ("s5", "om", "s5_quora", "om_quora")}
    result["run"] = run_record()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.cut_out is not None:
        args.cut_out.write_text(f"{result['c_OM']:.6f}\n", encoding="utf-8")
    pooled, quora = result["pooled"], result["quora"]
    print(f"c_OM {result['c_OM']:.6f} (bounds: {result['bounds']})")
    for name, block in (("seen heldout54-85", pooled), ("Quora pairs:qqp", quora)):
        print(f"{name}: S5 {block['S5']['hits']}/{block['S5']['positives']} "
              f"FH {block['S5']['false_hits']}; OM {block['OM']['hits']} FH "
              f"{block['OM']['false_hits']} ({block['points']:+.2f} points)")
    for step in result["matched_false_hits"]:
        print(f"at {step['rate']:.1%} ({step['false_hits_at_most']} FH): S5 "
              f"{step['S5']['recall']:.2%}, OM {step['OM']['recall']:.2%} "
              f"({step['points']:+.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
