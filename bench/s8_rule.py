"""The lead's rule S8 (session 30): S5's recipe with synonym minimal pairs, screened on the seen
heldout54-69 and Quora, decided (only if the screen passes, after the lead's word) on D70 and D74.
The rule, quoted unchanged (/work/brief/S8-rule.txt, whole):

    RULE S8 (the lead's, session 30, written 2026-12-06 17:45 UTC before any run: no S8 exists, no decision set read)

    S8: the verifier S5 (cross.npz cffa0c35) recipe with synonym minimal pairs (docs/cache-history.md "Session 27: what
    S5 refuses", recipe R-d). S8 = S2 (cross.npz 2a9b446e, S5's start) fitted by S5's exact recipe (session 25's fit
    flags, seed 25, --epochs 0.85 over the bundle's pairs) on S5's bundle (/work/i12/.cache/cross-s5/bundle.npz, sha256
    recorded) plus the minimal pairs i11 generates (brief i11: from the bundle's one-span swap and negation negatives,
    the span replaced by a true synonym, label 1, beside the negative), flagged so that their weight is the brief's.
    Generator details are i11's, fixed and committed before the fit starts; nothing about S8 is changed after any
    figure of S8 exists. One candidate, one fit.

    Stage 1, the screen (seen sets; i11 runs it): rows bench/cache_losses.py --cross-dir S8 (every shipped check on,
    floor 0.5 on the map) on heldout54-69 (P4 D58 D60 D62 D64 D66 D68, sixteen sets no verifier trained on) and
    --sets pairs (Quora). S5's are the lead's /work/base/m29-*-a1ee7c5-pairs.jsonl. F1 = S5's pooled false hits on
    heldout54-69 at 0.916959, Q = S5's pairs:qqp false hits at 0.916959 (29). c1 = S8's lowest 6-decimal cut with pooled
    heldout54-69 false hits <= F1 and pairs:qqp false hits <= Q. The screen passes iff S8's pooled heldout54-69 recall
    at c1 >= S5's at 0.916959 + 1.0 point. If it fails, S8 stops: no decision set is read for it, and the result is
    written up as a record on seen sets.

    Stage 2, the decision (only if the screen passed, and only after i11 reports S8's cross.npz sha256 to the lead):
    decision sets D70 = heldout70, heldout71 and D74 = heldout74, heldout75 (committed unread, trained on by nothing,
    read by nothing before this session but the lead's base rows and rule RA's runs). S5's rows: the lead's
    /work/base/m30-D70-6858d08-pairs.jsonl and /work/base/m30-D74-6858d08-pairs.jsonl (main 6858d08); S8's: the same
    command with --cross-dir S8 on the same code. F = S5's false hits at 0.916959 over D70 + D74 pooled; Q as above.
    c = S8's lowest 6-decimal cut with pooled D70+D74 false hits <= F and pairs:qqp false hits <= Q. S8 replaces S5,
    shipped at c, iff
     (a) pooled D70+D74 recall at c >= S5's at 0.916959 + 2.0 points;
     (b) on each of D70 and D74, S8's recall at c >= S5's at 0.916959 + 0.5 point;
     (c) bench/cache_shared.py, 10,000 entries, on heldout70+71 and on heldout74+75 (S5 variant 0.5:5:m, S8
         0.5:5:3:c:m with its cross dir), summed over both runs: negative queries answered by another entry with S8 <=
         S5's + 2, and paraphrase queries answered by their own entry with S8 >= S5's;
     (d) a lone new candidate's median CPU <= 10 ms in every S8 round (bench/stack_cost.py --verifiers cross --states
         request, rounds alternated S8, S5, S8, S5), and S8's verdicts identical between the lookup and the offline
         scorer on the D70 pairs with a probability.
    Otherwise S5 stays at 0.916959. Records beside the verdict (judged by nothing): per set, per kind (synonym above
    all), the curve at matched false hits, every pair the two disagree on in D70+D74 with both texts.

    ADDENDUM (the lead, 17:59 UTC, before any S8 figure existed; the stages and bars above are unchanged): i12's first
    generator (WordNet with a bundle writer's attestation) made only 134 pairs, too few to test R-d in a 65,000-pair
    bundle, so its fit was stopped by the lead before any output. The minimal pairs are now hand-written: 2,400 of the
    7,194 one-span swap negatives of S5's bundle (one difflib replace opcode of 1-2 words a side; no negation word, no
    digit in either span; one per cached text and span; drawn with random.Random(30)) were given to four writer agents
    (/tmp/s30/mp/prompt*.md), who wrote for each either the cached text with the span replaced by a true synonym in that
    sentence, or skip. Their positives (cached text unchanged as a, the writer's text as b, label 1) are the minimal
    pairs, appended by i12's minimal_pairs.add_pairs machinery, flagged train.minimal, weight 3 (--minimal-weight 3),
    with its text guard (heldout54-69, heldout.jsonl) and its duplicate check. Everything else as above.

The rule names i11; session 30's briefs gave S8 to helper i12 (brief i12), whose WordNet
generator made 134 pairs and whose fit the lead stopped before any output (the ADDENDUM), then to
helper i12b (brief i12b), who made the bundle from the writers' pairs (``minimal_pairs.py
--hand``), fitted it and runs both stages as the rule says of i11.

How stage 1 is read (this script's ``screen``): a pair's verdict is ``cache_losses.stage(row,
0.5, cut)`` (every shipped check on, the rows' mapped similarity); "pooled heldout54-69" is the
rows of the seven files P4 (heldout54-57), D58, D60, D62, D64, D66, D68 (each DNN = heldoutNN,
heldoutNN+1) together, both models' rows holding the same pairs in the same order; Q counts the
``pairs:qqp`` rows of the Quora file only (the other ``pairs:*`` groups are records); c1 is
``cross_continue.lowest_cut`` under both bounds (F1 on the pool, Q on S8's ``pairs:qqp`` rows);
recall is hits over the same positives; "+ 1.0 point" compares the difference in points,
rounded to 4 decimals, with 1.0. Records (not conditions): both models at S5's cut and at c1
per set, per writer pair and per kind; the curve at matched false hits on the pool
(``s5_rule.curve``: each model's lowest cut passing at most 0.5 / 1 / 2 / 3 % of the pool's
negatives); the pairs they disagree on at their cuts, with both texts, by kind.

    .venv/bin/python bench/cache_losses.py --cross-dir .cache/s8/S8 --sets heldout54 heldout55 \\
        heldout56 heldout57 --out S8-P4.json --pairs-out S8-P4-pairs.jsonl  # and D58 .. D68, pairs
    .venv/bin/python bench/s8_rule.py screen --s8-rows S8-{P4,D58,...,D68}-pairs.jsonl \\
        --s8-quora S8-quora-pairs.jsonl            # S5's: the lead's m29 files by default
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record
from s5_rule import curve, points
from verifier_rule import save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    RULE S8"):__doc__.index("\nThe rule names i11")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # S8-rule.txt, whole
FLOOR = 0.5
S5_CUT = 0.916959  # S5's shipped cut (cross.npz cffa0c35)
MODELS = ("S5", "S8")
SCREEN_GAIN = 1.0  # stage 1: points of pooled heldout54-69 recall over S5 at 0.916959
Q_RULE = 29  # the rule's Q, as it states it (S5's pairs:qqp false hits at 0.916959)
GROUPS = ("P4", "D58", "D60", "D62", "D64", "D66", "D68")
SETS = tuple(f"heldout{n}" for n in range(54, 70))
QQP = "pairs:qqp"
BASE = Path("/work/base")
S5_ROWS = {g: BASE / f"m29-{g}-a1ee7c5-pairs.jsonl" for g in GROUPS}
S5_QUORA = BASE / "m29-quora-a1ee7c5-pairs.jsonl"
OUT = HERE / "results" / "s8-screen-session30.json"
RATES = (0.005, 0.01, 0.02, 0.03)


def writer_pair(name: str) -> str:
    """heldoutNN's writer pair: heldout54-55 -> "heldout54-55" (NN even, NN+1)."""
    n = int(name.removeprefix("heldout"))
    return f"heldout{n - n % 2}-{n - n % 2 + 1}"


def same_pairs(a: list[dict[str, Any]], b: list[dict[str, Any]], what: str,
               name: str = "S8") -> None:
    if [(r["set"], r["id"], r["a"], r["b"], r["label"]) for r in a] != [
            (r["set"], r["id"], r["a"], r["b"], r["label"]) for r in b]:
        raise SystemExit(f"S5's and {name}'s {what} rows hold different pairs")


def at(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    c = counts(rows, FLOOR, cut)
    return {"cut": cut, **{k: (round(v, 6) if isinstance(v, float) else v) for k, v in c.items()}}


def by(rows: list[dict[str, Any]], key: Any, cut: float) -> dict[str, Any]:
    names = sorted({key(r) for r in rows})
    return {n: at([r for r in rows if key(r) == n], cut) for n in names}


def screen(s5: list[dict[str, Any]], s8: list[dict[str, Any]], s5_quora: list[dict[str, Any]],
           s8_quora: list[dict[str, Any]], name: str = "S8") -> dict[str, Any]:
    """Stage 1 on the pooled heldout54-69 rows and the Quora rows of both models; ``name``:
    the candidate's (rule S9's screen is rule S8's with S9 in S8's place, ``s9_rule.py``)."""
    same_pairs(s5, s8, "heldout54-69", name)
    same_pairs(s5_quora, s8_quora, "Quora", name)
    if sorted({r["set"] for r in s5}) != sorted(SETS):
        raise SystemExit(f"the pool is not heldout54-69: {sorted({r['set'] for r in s5})}")
    q5 = [r for r in s5_quora if r["set"] == QQP]
    q8 = [r for r in s8_quora if r["set"] == QQP]
    if not q5:
        raise SystemExit(f"no {QQP} rows")
    f1 = counts(s5, FLOOR, S5_CUT)["false_hits"]
    q = counts(q5, FLOOR, S5_CUT)["false_hits"]
    c1 = lowest_cut(s8, f1, (q8, q))
    base, cand = at(s5, S5_CUT), at(s8, c1)
    gain = points(cand, base)
    passes = gain >= SCREEN_GAIN
    models = ("S5", name)
    rows = {"S5": s5, name: s8}
    cuts = {"S5": S5_CUT, name: c1}
    records = {
        "at_cuts": {
            "S5 at 0.916959": {"pool": base, "qqp": at(q5, S5_CUT),
                               "quora": by(s5_quora, lambda r: r["set"], S5_CUT)},
            f"{name} at 0.916959": {"pool": at(s8, S5_CUT), "qqp": at(q8, S5_CUT),
                                    "quora": by(s8_quora, lambda r: r["set"], S5_CUT)},
            f"{name} at c1": {"pool": cand, "qqp": at(q8, c1),
                              "quora": by(s8_quora, lambda r: r["set"], c1)},
        },
        "by_writer_pair": {m: {f"at {cuts[m]}": by(rows[m], lambda r: writer_pair(r["set"]),
                                                  cuts[m])} for m in models},
        "by_set": {m: by(rows[m], lambda r: r["set"], cuts[m]) for m in models},
        "by_kind": {m: by(rows[m], lambda r: ("+" if r["label"] else "-") + r["kind"], cuts[m])
                    for m in models},
        f"{name}_by_writer_pair_at_0.916959": by(s8, lambda r: writer_pair(r["set"]), S5_CUT),
        f"{name}_by_kind_at_0.916959": by(
            s8, lambda r: ("+" if r["label"] else "-") + r["kind"], S5_CUT),
        "curve": curve(rows, RATES, models),
        "disagree": disagreements(s5, s8, S5_CUT, c1, name),
    }
    return {"F1": f1, "Q": q, "Q_as_the_rule_states": Q_RULE, "c1": c1,
            "S5_recall": base["recall"], f"{name}_recall_at_c1": cand["recall"], "points": gain,
            "bar_points": SCREEN_GAIN, "passes": passes, "records": records}


def disagreements(s5: list[dict[str, Any]], s8: list[dict[str, Any]], cut5: float,
                  cut8: float, name: str = "S8") -> dict[str, Any]:
    """The pairs one model takes and the other refuses (S5 at ``cut5``, the candidate
    ``name``, S8 by default, at ``cut8``)."""
    out: dict[str, list[dict[str, Any]]] = {f"{name}_only_found": [], "S5_only_found": [],
                                            f"{name}_only_passed": [], "S5_only_passed": []}
    for a, b in zip(s5, s8, strict=True):
        h5, h8 = stage(a, FLOOR, cut5)[1], stage(b, FLOOR, cut8)[1]
        if h5 == h8:
            continue
        kind = (f"{name}_only_" if h8 else "S5_only_") + ("found" if a["label"] else "passed")
        out[kind].append({"set": a["set"], "id": a["id"], "kind": a["kind"], "a": a["a"],
                          "b": a["b"], "p_S5": a["p"], f"p_{name}": b["p"]})
    return {"counts": {k: len(v) for k, v in out.items()},
            "by_kind": {k: dict(Counter(r["kind"] for r in v).most_common())
                        for k, v in out.items()},
            "pairs": out}


def report(r: dict[str, Any], name: str = "S8") -> None:
    s = r["screen"]
    rec = s["records"]["at_cuts"]
    print(f"F1 = {s['F1']} (S5's pooled heldout54-69 false hits at {S5_CUT}); Q = {s['Q']} "
          f"(the rule states {s['Q_as_the_rule_states']}); c1 = {s['c1']:.6f}")
    for which, v in rec.items():
        p = v["pool"]
        print(f"  {which:>15}: pool recall {p['recall'] * 100:.2f} % ({p['hits']}/"
              f"{p['positives']}), false hits {p['false_hits']}/{p['negatives']}; "
              f"pairs:qqp false hits {v['qqp']['false_hits']}")
    print(f"screen: {name} at c1 {s['points']:+.2f} points over S5 (bar +{s['bar_points']}): "
          f"{'PASSES' if s['passes'] else 'FAILS'}")
    for m in ("S5", name):
        (cut, wp), = r["screen"]["records"]["by_writer_pair"][m].items()
        print(f"  {m} {cut}: " + ", ".join(
            f"{k} {v['recall'] * 100:.1f} %/{v['false_hits']}" for k, v in wp.items()))


def main(name: str = "S8", rule: str = RULE, out: Path = OUT, doc: str = __doc__) -> int:
    """``name``, ``rule``, ``out``, ``doc``: the candidate's, for a rule that is this one's screen
    with another candidate in S8's place (``s9_rule.py``)."""
    low = name.lower()
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("screen", help="stage 1 on heldout54-69 and Quora")
    p.add_argument(f"--{low}-rows", type=Path, nargs="+", required=True,
                   help=f"{name}'s cache_losses rows of P4 D58 D60 D62 D64 D66 D68, in that order")
    p.add_argument(f"--{low}-quora", type=Path, required=True)
    p.add_argument("--s5-rows", type=Path, nargs="+",
                   default=[S5_ROWS[g] for g in GROUPS])
    p.add_argument("--s5-quora", type=Path, default=S5_QUORA)
    p.add_argument("--fit", type=Path, help=f"{name}'s fit record (fit/{name}.json), kept beside")
    p.add_argument("--minimal", type=Path, help="minimal_pairs.py's record, kept beside")
    p.add_argument("--out", type=Path, default=out)
    args = parser.parse_args()
    cand_rows, cand_quora = getattr(args, f"{low}_rows"), getattr(args, f"{low}_quora")
    if len(cand_rows) != len(args.s5_rows):
        raise SystemExit(f"{name}'s and S5's row files differ in number")
    s5 = [r for path in args.s5_rows for r in read_jsonl(path)]
    s8 = [r for path in cand_rows for r in read_jsonl(path)]
    result = screen(s5, s8, read_jsonl(args.s5_quora), read_jsonl(cand_quora), name)
    fit = json.loads(args.fit.read_text()) if args.fit else None
    record = {"rule": rule, "stage": 1,
              "inputs": {"S5": [str(p) for p in args.s5_rows] + [str(args.s5_quora)],
                         name: [str(p) for p in cand_rows] + [str(cand_quora)]},
              "screen": result,
              "fit": None if fit is None else {k: v for k, v in fit.items() if k != "loss_log"},
              "minimal": (json.loads(args.minimal.read_text()) if args.minimal else None),
              "run": run_record()}
    save(args.out, record, lambda r: report(r, name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
