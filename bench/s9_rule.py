"""The lead's rule S9 (session 30): S5 fitted one more pass over its own bundle, screened on the
seen heldout54-69 and Quora exactly as rule S8's stage 1 (``s8_rule.py``, whose screen this runs
with S9 in S8's place), decided (only if the screen passes, after the lead's word) on D70 and D74.
The rule, quoted unchanged (/work/brief/S9-rule.txt, whole):

    RULE S9 (the lead's, session 30, written 2026-12-06 18:29 UTC before any S9 run; S8's screen failed at 18:25, so
    the decision sets D70/D74 were read by no verifier rule)

    S9: S5 (cross.npz cffa0c35, the shipped verifier) continued by one more pass over its own training bundle (S5's
    bundle.npz, sha256 ad3c1754...; /work/i12/.cache/cross-s5/), S5's fit flags unchanged (--lr 2e-5 --warmup 0.06
    --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3
    --distil 0.5 --fast), --init S5 (the teacher of the replay pairs' distillation is then S5, as the fit takes it from
    the init), --steps 1733 (S5's), --seed 26 (a new order). Why: session 30's R-c diagnostic found S5 misses about half
    of its own training pairs of the situation-rewording shape (it saw each pair about once, 0.85 epoch), and S8 moved
    synonyms up and rewordings down: is it the one-pass fit or capacity? One candidate, one fit, nothing changed after
    any S9 figure exists.

    Stage 1, the screen, exactly as rule S8's (seen heldout54-69 and pairs:qqp; S5's m29 rows; F1 = 33, Q = 29; c1 =
    S9's lowest 6-decimal cut with pooled heldout54-69 false hits <= F1 and pairs:qqp false hits <= Q; passes iff S9's
    pooled heldout54-69 recall at c1 >= S5's at 0.916959 + 1.0 point). If it fails, S9 stops; no decision set is read.

    Stage 2, only if the screen passed and after the lead writes /work/brief/S9-go.txt: exactly rule S8's stage 2 with
    S9 in S8's place (decision sets D70 = heldout70+71, D74 = heldout74+75; S5's rows /work/base/m30-D70-6858d08-pairs.jsonl
    and m30-D74-6858d08-pairs.jsonl; bars (a) pooled recall at c >= S5's + 2.0 points, (b) each of D70 and D74 +0.5
    point, (c) the two cache_shared runs, negatives answered by another entry <= S5's + 2 and own-entry paraphrase
    answers >= S5's, summed, (d) lone candidate <= 10 ms in every S9 round and verdicts identical lookup vs offline).
    S9 replaces S5 at c iff all hold; otherwise S5 stays at 0.916959.

Helper i12c (brief i12c) fits S9 and runs the screen. How stage 1 is read: as ``s8_rule.py``
reads rule S8's (its docstring), the candidate S9: F1 and Q from S5's m29 rows at 0.916959, c1 =
``cross_continue.lowest_cut`` under both bounds on S9's rows, pass iff S9's pooled heldout54-69
recall at c1 is S5's at 0.916959 + 1.0 point or more (the difference in points, 4 decimals).

    .cache/s9/fit.sh      # cross_continue fit --init <the layer's cross.npz> --bundle <S5's> \\
                          #   --steps 1733 --seed 26, S5's flags; export --threshold 0.916959
    .venv/bin/python bench/cache_losses.py --cross-dir .cache/s9/S9 --sets heldout54 heldout55 \\
        heldout56 heldout57 --out S9-P4.json --pairs-out S9-P4-pairs.jsonl  # and D58 .. D68, pairs
    .venv/bin/python bench/s9_rule.py screen --s9-rows S9-{P4,D58,...,D68}-pairs.jsonl \\
        --s9-quora S9-quora-pairs.jsonl --fit fit/S9.json   # S5's: the lead's m29 files by default
"""  # noqa: E501

from __future__ import annotations

from pathlib import Path

import s8_rule

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    RULE S9"):__doc__.index("\nHelper i12c")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # S9-rule.txt, whole
NAME = "S9"
OUT = HERE / "results" / "s9-screen-session30.json"


def main() -> int:
    return s8_rule.main(NAME, RULE, OUT, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
