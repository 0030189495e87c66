"""The lead's rule S10w (session 34, run in session 35): S10 at the cut that holds S5's false
hits on the seen writers alone (no Quora bound), decided on heldout94-95. The rule, quoted
unchanged (docs/cache-history.md, written 06:20 UTC 2026-12-07 before any read of
heldout94-95):

    S10w: S10 (data/cache_verifier/s10/cross.npz, sha256 a38f6f80) against S5 (the layer's cross.npz cffa0c35 at
    0.916959). Verdicts are `cache_losses.stage` at floor 0.5 on `bench/cache_losses.py --pairs-out` rows at one
    commit (S10 by `--cross-dir` a copy of data/cache_verifier/s10 whose cross.json threshold is c_w).
    **Step 1 (cut, seen; computed at session 34's end and recorded in its docs):** W = heldout80-91 pooled. c_w = the
    lowest 6-decimal cut at which S10's false hits on W are at most S5's at 0.916959 on W (30): 0.909847. No Quora
    bound in the cut.
    **Step 2 (decision):** D' = heldout94 + heldout95 pooled. Adopt S10 at c_w if all hold:
    (a) recall(S10, c_w) on D' >= recall(S5, 0.916959) on D' + 1.5 points;
    (b) false hits(S10, c_w) on D' <= S5's + 2 (a count);
    (c) one populated cache, `bench/cache_shared.py --entries 10000 --sets heldout94 heldout95 --variants 0.5:5:m`
    (S10 by `--cross-dir` at c_w): negative queries answered (by any entry) S10 <= S5 + 2; own-entry answers S10 >= S5;
    (d) Quora (pairs:qqp) false-hit rate at c_w <= 3.0 % (2.80 % on the rows above: a check that the artefact and
    rows are the same ones).
    Otherwise S10 is not adopted. Every figure is reported, passed or not; nothing is retuned after reading D'.

How it is read: rule S10's (``bench/s10_rule.py``, imported): counts by ``cache_losses.counts``,
"+ N points" by ``s5_rule.points``, a populated cache by ``s4c_rule.populated`` through
``s10_rule.shared_run`` (each run checked to be its model's verifier at its cut on heldout94-95
with 10,000 entries), the records beside the verdict (per set, kind, Quora, both cuts, matched
false hits, the disagreements) by ``s10_rule.records``. Step 1 is not recomputed here (its rows
are i19's, session 34; the command is in docs/cache-history.md); c_w is the rule's constant and
the S10 directory's cross.json must hold it. The commands (session 35, 2026-12-07):

    D="heldout94 heldout95"; L=bench/results/local; S10=DIR   # a copy of data/cache_verifier/s10
                                                               # (below), cross.json at 0.909847
    .venv/bin/python bench/cache_losses.py --sets $D --out $L/s35-s5-D.json --pairs-out $L/s35-s5-D.jsonl
    .venv/bin/python bench/cache_losses.py --sets $D --cross-dir $S10 --out $L/s35-s10-D.json \\
        --pairs-out $L/s35-s10-D.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets $D --variants 0.5:5:m --out $L/s35-shared-s5.json
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets $D --variants 0.5:5:m --cross-dir $S10 \\
        --out $L/s35-shared-s10.json
    .venv/bin/python bench/cache_losses.py --sets pairs --out $L/s35-s5-pairs.json \\
        --pairs-out $L/s35-s5-pairs.jsonl                     # and --cross-dir $S10: s35-s10-pairs
    .venv/bin/python bench/s10w_rule.py --s5 $L/s35-s5-D.jsonl --s10 $L/s35-s10-D.jsonl \\
        --s5-quora $L/s35-s5-pairs.jsonl --s10-quora $L/s35-s10-pairs.jsonl \\
        --shared-s5 $L/s35-shared-s5.json --shared-s10 $L/s35-shared-s10.json --s10-dir $S10

Since session 35's ship (rule S10c) the layer's folder holds S10 (cross.npz a38f6f80, at 0.93) and
data/cache_verifier/s10 is gone: DIR is a copy of layers/core/llm_router/data/cache_verifier with
its cross.json threshold set to 0.909847 (its cross.npz a38f6f80 byte for byte), and S5's runs,
the lines above with no ``--cross-dir``, take ``--cross-dir S5`` where S5 holds ffcf05a's layer
files (``git show ffcf05a:layers/core/llm_router/data/cache_verifier/cross.npz`` and ``cross.json``):
S5's cache_shared run is checked by its sha256, so a run on the new layer is refused.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from run_record import run_record
from s5_rule import same_pairs
from s10_rule import (
    FLOOR,
    GAIN,
    MODELS,
    S5_CUT,
    S5_SHA,
    Rows,
    export_at,
    listed_false_hits,
    only,
    pooled_checks,
    quora_check,
    records,
    sha_of,
    shared_run,
)
from verifier_rule import save

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    S10w: S10"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the docs', whole
C_W = 0.909847  # step 1's cut (session 34, on heldout80-91)
S10_SHA = "a38f6f80"
D = ("heldout94", "heldout95")
ANSWERED_SLACK = 2  # (c), negative queries answered over S5's in the populated cache
OUT = HERE / "results" / "s10w-rule-session35.json"


def decide(rows: dict[str, Rows], quora: dict[str, Rows],
           shared: dict[str, dict[str, Any]], shas: dict[str, str],
           sets: tuple[str, str] = D, cut: float = C_W, name: str = "c_w") -> dict[str, Any]:
    """Checks (a) to (d) on D' (pooled), S5 at 0.916959 and S10 at c_w; the same checks on
    other ``sets`` at another ``cut`` called ``name`` (rule S10c's step 2: D'' at c_pop)."""
    old, new = MODELS
    only(rows[old], sets, "S5 D'")
    same_pairs(rows[old], rows[new], "D'", MODELS)
    same_pairs(quora[old], quora[new], "Quora", MODELS)
    cuts = {old: S5_CUT, new: cut}
    check_a, check_b = pooled_checks(rows, cut)  # (a) +1.5 points, (b) S5's + 2: rule S10's
    got = {m: shared_run(shared[m], m, sets, shas, cuts[m]) for m in MODELS}
    answered = {m: got[m]["all"]["negatives_answered"] for m in MODELS}
    own = {m: got[m]["all"]["positives_own"] for m in MODELS}
    check_c = {"variant": "0.5:5:m", "negatives_answered": answered,
               "answered_limit": answered[old] + ANSWERED_SLACK, "paraphrases_own": own,
               "answered_pass": answered[new] <= answered[old] + ANSWERED_SLACK,
               "own_pass": own[new] >= own[old], "populated": got}
    check_c["pass"] = check_c["answered_pass"] and check_c["own_pass"]
    check_d = quora_check(quora, cut)
    false_hits = listed_false_hits(rows, cuts)
    return {"sets": list(sets), name: cut, "a": check_a, "b": check_b, "c": check_c,
            "d": check_d, "false_hits": false_hits,
            "records": records(rows, quora, {"S5_cut": S5_CUT, name: cut}, name)}


def verdict(r: dict[str, Any]) -> bool:
    """Adopted iff (a) to (d) pass."""
    return all(r[k]["pass"] for k in "abcd")


def print_checks(decision: dict[str, Any], label: str = "D'") -> None:
    """Checks (a) to (d) of ``decide``'s result, one line each (rules S10w and S10c)."""
    a, b, c, d = (decision[k] for k in "abcd")
    print(f"(a) {label} recall S5 {a['S5_recall'] * 100:.2f} % ({a['S5_hits']}/"
          f"{a['positives']}), S10 {a['S10_recall'] * 100:.2f} % ({a['S10_hits']}) "
          f"({a['points']:+.2f}, needs +{GAIN}): {a['pass']}")
    print(f"(b) {label} false hits S5 {b['S5_false_hits']}, S10 {b['S10_false_hits']} of "
          f"{b['negatives']} (limit {b['limit']}): {b['pass']}")
    print(f"(c) 10,000 entries: negatives answered {c['negatives_answered']} (limit "
          f"{c['answered_limit']}), own {c['paraphrases_own']}: {c['pass']}")
    print(f"(d) S10 pairs:qqp false hits {d['S10_qqp_false_hits']}/{d['qqp_negatives']} "
          f"({d['S10_qqp_false_hit_rate'] * 100:.2f} %, limit 3.0 %; S5 "
          f"{d['S5_qqp_false_hits']}): {d['pass']}")


def report(r: dict[str, Any]) -> None:
    print_checks(r["decision"])
    print(f"S10 adopted at c_w {C_W}: {r['S10_adopted']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for m in MODELS:
        parser.add_argument(f"--{m.lower()}", type=Path, required=True,
                            help=f"{m}'s cache_losses rows on heldout94-95")
        parser.add_argument(f"--{m.lower()}-quora", type=Path, required=True,
                            help=f"{m}'s cache_losses --sets pairs rows")
        parser.add_argument(f"--shared-{m.lower()}", type=Path, required=True,
                            help=f"{m}'s cache_shared result on heldout94-95")
    parser.add_argument("--s10-dir", type=Path, required=True,
                        help="S10's export with cross.json at c_w")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    paths = vars(args)
    s10_sha = sha_of(args.s10_dir)
    if not s10_sha.startswith(S10_SHA):
        raise SystemExit(f"{args.s10_dir}/cross.npz is {s10_sha[:8]}, not S10's {S10_SHA}")
    export_at(args.s10_dir, C_W, "c_w")
    rows = {m: read_jsonl(paths[m.lower()]) for m in MODELS}
    quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in MODELS}
    shared = {m: json.loads(paths[f"shared_{m.lower()}"].read_text(encoding="utf-8"))
              for m in MODELS}
    decision = decide(rows, quora, shared, {"S5": S5_SHA, "S10": s10_sha})
    out = {"rule": RULE, "floor": FLOOR, "S5": {"cut": S5_CUT, "sha256": S5_SHA},
           "S10": {"cut": C_W, "sha256": s10_sha}, "decision": decision,
           "S10_adopted": verdict(decision),
           "inputs": {k: str(v) for k, v in paths.items() if k != "out"},
           "run": run_record()}
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
