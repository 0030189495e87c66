"""The lead's rule S5c (session 26): S5 at a cut fixed on the six seen writers P6 so that it
holds S2's false hits on the pairs, on Quora and in the populated cache, then tested once on
heldout54-55. The rule, quoted unchanged:

    S5c: S5 (cross.npz cffa0c35, /work/base/s5: S2 continued on heldout30-47; refused by
    rules S5 on heldout48-49 and S5b on heldout52-53) at a fixed cut c* against the shipped
    S2 (2a9b446e at 0.855177). Verdicts: cache_losses.stage(row, 0.5, cut) on
    bench/cache_losses.py rows made at main with every shipped check on (S2: main's layer;
    S5: --cross-dir /work/base/s5). Step 1, on the seen P6 = heldout48, heldout49,
    heldout50, heldout51, heldout52, heldout53 (trained on by neither): F6 = S2's P6 false
    hits at 0.855177; A6 = S2's negative queries answered by another entry, summed over
    three bench/cache_shared.py runs (heldout48+heldout49, heldout50+heldout51,
    heldout52+heldout53; 10,000 entries each; variant 0.5:5). C = (0.851796, 0.86, 0.87,
    0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93). c* = the lowest cut in C at which S5 has
    (i) P6 false hits <= F6, (ii) pairs:qqp false hits <= 48 (S2's at 0.855177), and (iii)
    negative queries answered by another entry, summed over the same three runs with
    --cross-dir /work/base/s5 and variants 0.5:5:3:<cut>, <= A6. If no cut in C meets
    (i)-(iii), S5c ends there and S2 stays. c* is written to /work/brief/S5c-cut.txt before
    any figure of heldout54 or heldout55 is looked at. Step 2, on D54 = heldout54, heldout55
    (written at session 25's end for session 26, read by nothing before this rule, trained
    on by neither): S5 at c* replaces S2 at 0.855177 iff (a) S5's D54 recall at c* >= S2's
    D54 recall + 2.0 points; (b) S5's D54 false hits at c* <= max(S2's D54 false hits,
    floor(1 % of D54's negatives)); (c) on each of heldout54 and heldout55, S5's recall at
    c* >= S2's; (d) bench/cache_shared.py on heldout54+heldout55 (10,000 entries; S2 at
    0.5:5, S5 at 0.5:5:3:c*): negative queries answered by another entry with S5 <= S2's +
    4; (e) S5's verdicts identical between the lookup and the offline scorer on the D54
    pairs (s5_rule.py identity), and a lone new candidate's median CPU with S5 within 5 % of
    S2's in the same alternation (bench/stack_cost.py --verifiers cross --states request, S5
    / S2 alternated, 2 rounds each). Otherwise S2 stays at 0.855177. Why (d) allows +4 where
    S5b allowed +2: step 1 already holds S5 to S2's count pooled over six writers; between
    writer pairs the count has moved by 4 to 6 (heldout48-49: S5 7, S2 13; heldout52-53: S5
    29, S2 25), so (d) on two writers catches a gross failure, not noise. Why (b) reads
    max(S2's, 1 %): the issue's target is <= 1 % false hits; S5 may not add false hits above
    what S2 has or the target allows.

How it is read: rule S5's and S5b's reading (``bench/s5_rule.py``) and rule S4c's two steps
(``bench/s4c_rule.py``), imported, not copied: a pair's verdict is ``cache_losses.stage`` at
floor 0.5 and the counts ``cache_losses.counts``; the recall on a set compares hits over the
same positives; a ``cache_shared`` run's "negative queries answered by another entry" is
``by_variant[...].all.negatives.another`` (``s4b_rule.another``). Step 1 reads the lead's P6
rows and Quora rows of both models (made at main b1db4b1) and six ``cache_shared`` runs: S2
at ``--variants 0.5:5`` (main's layer, 2a9b446e at 0.855177) and S5 (``--cross-dir
/work/base/s5``, cffa0c35) holding all ten cuts of C as variants ``0.5:5:3:<cut>`` (one index,
one process a writer pair), on each of heldout48+49, heldout50+51 and heldout52+53, each
checked to be the verifier, the sets, the 10,000 entries and (S2) the cut the rule names.
(ii)'s 48 is the rule's number; S2's count on the lead's Quora rows is recorded beside it as
a check. Step 2 reads the D54 rows, the two ``cache_shared`` runs on heldout54+55 ((d): S5
at ``0.5:5:3:<c*>`` against S2 at ``0.5:5``, rule S5's (c) with a slack of 4),
``s5c_rule.py identity`` (``s5_rule.identity`` on D54) and the ``stack_cost.py`` rounds
alternated S5, S2, S5, S2 under ``## S5`` / ``## S2`` lines ((e): rule S5b's (d), the median
of S5's round medians at most 1.05 x S2's). (b)'s 1 % is floor(0.01 x D54's negatives).
Records beside the verdict, not conditions: step 1's table for every cut (P6 per set and
traffic, each run's count); on D54 both models at S2's cut and at c* per set, kind and
traffic with the Quora file's components, the curve at matched false hits (each model's
lowest 6-decimal cut passing at most 0.5, 1, 2, 3 % of D54's negatives, ``s5_rule.curve``)
and S5 at S2's D54 false hits; the pairs they disagree on at c*; who answered in the
populated caches. The commands (2026-12-06, ``OMP_NUM_THREADS=1 nice -n 5``):

    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --variants 0.5:5 \\
        --out SHARED-48-49-S2.json --pairs-out SHARED-48-49-S2.jsonl   # and 50-51, 52-53
    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --cross-dir \\
        /work/base/s5 --variants 0.5:5:3:0.851796 0.5:5:3:0.860000 ... 0.5:5:3:0.930000 \\
        --out SHARED-48-49-S5.json --pairs-out SHARED-48-49-S5.jsonl   # and 50-51, 52-53
    .venv/bin/python bench/s5c_rule.py step1 --shared-s2 SHARED-{48-49,50-51,52-53}-S2.json \\
        --shared-s5 SHARED-{48-49,50-51,52-53}-S5.json --cut-out /work/brief/S5c-cut.txt
    .venv/bin/python bench/cache_shared.py --sets heldout54 heldout55 --variants 0.5:5 \\
        --out SHARED-54-55-S2.json --pairs-out SHARED-54-55-S2.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout54 heldout55 --cross-dir \\
        /work/base/s5 --variants 0.5:5:3:<c*> --out SHARED-54-55-S5.json \\
        --pairs-out SHARED-54-55-S5.jsonl
    .venv/bin/python bench/stack_cost.py --verifiers cross [--cross-dir /work/base/s5] \\
        --states request --rounds 1       # S5, S2, S5, S2 under ## lines into COST.txt
    .venv/bin/python bench/s5c_rule.py identity --rows D54-S5-pairs.jsonl --cut <c*> \\
        --out IDENTITY.json
    .venv/bin/python bench/s5c_rule.py step2 --shared-s2 SHARED-54-55-S2.json \\
        --shared-s5 SHARED-54-55-S5.json --shared-pairs SHARED-54-55-S2.jsonl \\
        SHARED-54-55-S5.jsonl --cost COST.txt --identity IDENTITY.json   # the verdict

The rows default to the lead's: /work/base/base-{P6,D54}-b1db4b1-{S2,S5}-pairs.jsonl and
/work/base/quora-b1db4b1-{S2,S5}-pairs.jsonl. Both steps write
``bench/results/verifier-s5c-session26.json`` (step 2 adds to step 1's).

The steps, the checks and the command line are written for any such rule (``Duel``: the
shipped verifier and its cut, the candidate, the writer pairs, the decision sets, C, the
names of the figures); ``S5C`` is this rule's. Rule S6d (session 27, ``bench/s6d_rule.py``:
S6 against the shipped S5) reads its two steps through them.
"""


from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from cache_losses import counts
from run_record import run_record
from s4b_rule import (
    FLOOR,
    QUORA,
    VARIANT,
    at_table,
    figures,
    split,
    traffic_of,
    variant_name,
)
from s4c_rule import SHAS as S4C_SHAS
from s4c_rule import checked, load, populated
from s5_rule import (
    EXAMPLES,
    MODELS,
    S2_CUT,
    check_c,
    check_e,
    curve,
    identity,
    other_answers,
    points,
    same_pairs,
)
from verifier_rule import disagreements as verifier_disagreements
from verifier_rule import only, save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
PAIRS6 = (("heldout48", "heldout49"), ("heldout50", "heldout51"), ("heldout52", "heldout53"))
P6 = tuple(s for pair in PAIRS6 for s in pair)  # step 1
D54 = ("heldout54", "heldout55")  # step 2
CUTS = (0.851796, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93)  # C
Q_LIMIT = 48  # (ii): S2's pairs:qqp false hits at 0.855177, as the rule states it
ENTRIES = 10_000
GAIN = 2.0  # (a), points of D54 recall over S2's
FLOOR_RATE = 0.01  # (b): at least floor(1 % of D54's negatives)
ANOTHER_SLACK = 4  # (d)
SHAS = {"S2": S4C_SHAS["S2"], "S5": "cffa0c35"}
BASE = Path("/work/base")
ROWS = {(what, m): BASE / f"{what}-b1db4b1-{m}-pairs.jsonl"
        for what in ("base-P6", "base-D54", "quora") for m in MODELS}
CUT_FILE = Path("/work/brief/S5c-cut.txt")
OUT = HERE / "results" / "verifier-s5c-session26.json"


class Duel(NamedTuple):
    """One rule of this shape: the shipped verifier at its cut against a candidate at the
    lowest cut of C that holds the shipped one's figures on the seen writers (step 1), then
    tested once on the decision sets (step 2); the figures' names as its results hold them."""

    rule: str  # the rule's text, quoted
    name: str  # S5c
    models: tuple[str, str]  # the shipped verifier, the candidate
    shipped_cut: float
    shas: dict[str, str]  # each model's cross.npz sha256 (its first digits)
    writer_pairs: tuple[tuple[str, str], ...]  # step 1's sets, one cache_shared run a pair
    decision: tuple[str, ...]  # step 2's sets
    cuts: tuple[float, ...]  # C
    q_limit: int | None  # (ii)'s bound as the rule states it; None: the shipped one's count
    seen: str  # step 1's sets' name (P6); F6, A6 and the table's P6_* take its digit
    decided: str  # step 2's sets' name (D54); the figures' "d54"
    q_key: str  # (ii)'s bound's name in the results (Q)
    c_key: str  # the cut step 1 finds, as the results name it (c_star)
    c_text: str  # the same, printed (c*)
    rows: dict[tuple[str, str], Path]  # the lead's rows: (base-P6 | base-D54 | quora, model)
    cut_file: Path
    out: Path
    examples: int | None = EXAMPLES  # the disagreements shown per kind (None: every one)
    # step 1's sets where they are more than the writer pairs' (rule S7r: P8, eight sets,
    # two cache_shared runs); None: the writer pairs' sets
    seen_sets: tuple[str, ...] | None = None

    @property
    def sets(self) -> tuple[str, ...]:
        if self.seen_sets is not None:
            return self.seen_sets
        return tuple(s for pair in self.writer_pairs for s in pair)

    def key(self, letter: str) -> str:
        """F6 / A6 for S5c (the seen sets' digit after the letter)."""
        return letter + self.seen[1:]


S5C = Duel(RULE, "S5c", MODELS, S2_CUT, SHAS, PAIRS6, D54, CUTS, Q_LIMIT, "P6", "D54", "Q",
           "c_star", "c*", ROWS, CUT_FILE, OUT)


def run_of(run: dict[str, Any], who: str, sets: tuple[str, ...],
           names: tuple[str, ...], duel: Duel = S5C) -> dict[str, Any]:
    """A cache_shared result checked to be what the rule names: ``who``'s verifier (S2 at
    0.855177), ``sets``, 10,000 entries, every variant in ``names``."""
    checked(run, who, sets, duel.shas, (duel.models[0], duel.shipped_cut))
    if run.get("entries") != ENTRIES:
        raise SystemExit(f"the {who} cache_shared run on {', '.join(sets)} holds "
                         f"{run.get('entries')} entries, not {ENTRIES:,}")
    missing = [n for n in names if n not in run["by_variant"]]
    if missing:
        raise SystemExit(f"the {who} cache_shared run on {', '.join(sets)} has no variant "
                         f"{', '.join(missing)}")
    return run


def step1(p6: dict[str, list[dict[str, Any]]], quora: dict[str, list[dict[str, Any]]],
          runs: dict[str, list[dict[str, Any]]],
          traffic: dict[tuple[str, str], str] | None = None, duel: Duel = S5C,
          less: dict[str, list[dict[str, int]]] | None = None) -> dict[str, Any]:
    """F6, A6 and c*: the lowest cut in C where S5 keeps (i) P6's false hits <= F6, (ii)
    pairs:qqp's <= 48 and (iii) the three populated caches' negatives answered by another
    entry <= A6 (None: no cut does). ``runs``: S2's and S5's cache_shared results, one per
    writer pair of PAIRS6, in that order. Each cut's row: the three conditions and the
    figures behind them. ``less``: per model, per run, per variant, the negatives answered
    by another entry that the rule leaves out of the counts (rule S6d's step 0; the run's
    own count is kept beside as ``another_in_run``)."""
    old, new = duel.models
    seen, f_key, a_key = duel.seen, duel.key("F"), duel.key("A")
    same_pairs(p6[old], p6[new], seen, duel.models)
    same_pairs(quora[old], quora[new], "Quora", duel.models)
    qqp = {m: [r for r in quora[m] if r["set"] == QUORA] for m in duel.models}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    names = tuple(variant_name(c) for c in duel.cuts)
    old_runs = [populated(run_of(r, old, s, (VARIANT,), duel), VARIANT)
                for r, s in zip(runs[old], duel.writer_pairs, strict=True)]
    new_runs = [run_of(r, new, s, names, duel)
                for r, s in zip(runs[new], duel.writer_pairs, strict=True)]

    def another(by_run: list[dict[str, Any]], who: str, name: str) -> tuple[list[int], list[int]]:
        """Each run's count as the rule reads it, and as the run holds it."""
        held = [r["all"]["negatives_another"] for r in by_run]
        if less is None:
            return held, held
        return [n - cut[name] for n, cut in zip(held, less[who], strict=True)], held

    old_by, old_held = another(old_runs, old, VARIANT)
    at_old = counts(p6[old], FLOOR, duel.shipped_cut)
    f6, a6 = at_old["false_hits"], sum(old_by)
    q2 = counts(qqp[old], FLOOR, duel.shipped_cut)["false_hits"]
    q_limit = q2 if duel.q_limit is None else duel.q_limit
    table = []
    for cut, name in zip(duel.cuts, names, strict=True):
        at = figures(p6[new], cut, traffic)
        q5 = counts(qqp[new], FLOOR, cut)
        by_run = [populated(r, name) for r in new_runs]
        by, held = another(by_run, new, name)
        another_sum = sum(by)
        i, ii, iii = at["all"]["false_hits"] <= f6, q5["false_hits"] <= q_limit, another_sum <= a6
        table.append({"cut": cut, "variant": name, f"{seen}_false_hits": at["all"]["false_hits"],
                      f"{seen}_recall": at["all"]["recall"], f"{seen}_hits": at["all"]["hits"],
                      "qqp_false_hits": q5["false_hits"], "qqp_recall": q5["recall"],
                      "another": another_sum, "another_by_pair": by,
                      **({} if less is None else {"another_in_run": held}),
                      "i": i, "ii": ii, "iii": iii, "holds": i and ii and iii,
                      seen: at, "populated": by_run})
    c_star = next((r["cut"] for r in table if r["holds"]), None)
    q_record = ({"Q_check": {f"{old}_quora_false_hits_at_{old}_cut": q2,
                             "agrees": q2 == duel.q_limit}}
                if duel.q_limit is not None else {})
    return {"sets": list(duel.sets), "writer_pairs": [list(p) for p in duel.writer_pairs],
            f_key: f6, a_key: a6, duel.q_key: q_limit, **q_record,
            duel.c_key: c_star, "table": table,
            old: {"cut": duel.shipped_cut, f"{seen}_false_hits": f6,
                  f"{seen}_recall": at_old["recall"], f"{seen}_hits": at_old["hits"],
                  "qqp_false_hits": q2,
                  "qqp_recall": counts(qqp[old], FLOOR, duel.shipped_cut)["recall"],
                  "another": a6, "another_by_pair": old_by,
                  **({} if less is None else {"another_in_run": old_held}),
                  seen: figures(p6[old], duel.shipped_cut, traffic), "populated": old_runs}}


def step2(c_star: float, d54: dict[str, list[dict[str, Any]]],
          quora: dict[str, list[dict[str, Any]]], traffic: dict[tuple[str, str], str] | None,
          shared: dict[str, dict[str, Any] | None], cost: str | None,
          identity_run: dict[str, Any] | None, duel: Duel = S5C,
          less: dict[str, int] | None = None) -> dict[str, Any]:
    """Checks (a) to (e) at c*, with the records. ``less``: per model, the negatives
    answered by another entry in (d)'s runs that the rule leaves out of its counts (rule
    S7r's step 0; the runs' own counts are kept beside as ``another_in_run``)."""
    old, new = duel.models
    models, sets, decided, old_cut = duel.models, duel.decision, duel.decided, duel.shipped_cut
    same_pairs(d54[old], d54[new], decided, models)
    same_pairs(quora[old], quora[new], "Quora", models)
    s2, s5 = counts(d54[old], FLOOR, old_cut), counts(d54[new], FLOOR, c_star)
    check_a = {f"{old}_recall": s2["recall"], f"{new}_recall": s5["recall"],
               f"{old}_hits": s2["hits"], f"{new}_hits": s5["hits"],
               "positives": s2["positives"], "points": points(s5, s2),
               "needs": GAIN, "pass": points(s5, s2) >= GAIN - 1e-9}
    floor_1 = math.floor(FLOOR_RATE * s2["negatives"] + 1e-9)
    limit = max(s2["false_hits"], floor_1)
    check_b = {f"{old}_false_hits": s2["false_hits"], "floor_1pct_of_negatives": floor_1,
               "negatives": s2["negatives"], "limit": limit,
               f"{new}_false_hits": s5["false_hits"], "pass": s5["false_hits"] <= limit}
    by_set = {s: (counts([r for r in d54[old] if r["set"] == s], FLOOR, old_cut),
                  counts([r for r in d54[new] if r["set"] == s], FLOOR, c_star)) for s in sets}
    check_c_ = {"by_set": {s: {f"{old}_hits": a["hits"], f"{new}_hits": b["hits"],
                               "positives": a["positives"], "points": points(b, a)}
                           for s, (a, b) in by_set.items()},
                "pass": all(b["hits"] >= a["hits"] for a, b in by_set.values())}
    old_run, new_run = shared[old], shared[new]
    if old_run is not None and new_run is not None:
        run_of(old_run, old, sets, (VARIANT,), duel)
        run_of(new_run, new, sets, (variant_name(c_star),), duel)
    check_d = check_c(c_star, old_run, new_run, sets, ANOTHER_SLACK, models,
                      (duel.shas[old], old_cut))
    if less is not None and check_d["pass"] is not None:
        check_d["another_in_run"] = {m: check_d[m] for m in models}
        check_d["left_out"] = dict(less)
        for m in models:
            check_d[m] -= less[m]
        check_d["limit"] = check_d[old] + ANOTHER_SLACK
        check_d["pass"] = check_d[new] <= check_d["limit"]
    if old_run is not None and new_run is not None:
        check_d["populated"] = {old: populated(old_run, VARIANT),
                                new: populated(new_run, variant_name(c_star))}
    if identity_run is not None and identity_run.get("sets") != list(sets):
        raise SystemExit(f"the identity check ran on {identity_run.get('sets')}, not {decided}")
    check_e_ = check_e(cost, identity_run, c_star, duel.name, models)  # S5b's (d): CPU within 5 %
    matched = lowest_cut(d54[new], s2["false_hits"])
    cuts = {f"{old}_cut": old_cut, duel.c_key: c_star}
    key = decided.lower()
    at = {m: {name: {key: figures(d54[m], cut, traffic),
                     "pairs": split(quora[m], lambda r: r["set"], cut)}
              for name, cut in cuts.items()} for m in models}
    at[new]["matched"] = {key: figures(d54[new], matched, traffic),
                          "pairs": split(quora[new], lambda r: r["set"], matched)}
    return {"sets": list(sets), duel.c_key: c_star, "matched_cut": matched,
            "a": check_a, "b": check_b, "c": check_c_, "d": check_d, "e": check_e_,
            "at": at, "curve": curve(d54, models=models),
            f"disagreements_at_{duel.c_key}": verifier_disagreements(
                d54[old], d54[new], old_cut, c_star, models, duel.examples)}


def verdict(r: dict[str, Any]) -> bool | None:
    """S5 at c* replaces S2 iff (a) to (e) pass; None while (d) or (e) is pending and the
    others pass."""
    marks = [r[k]["pass"] for k in "abcde"]
    if False in marks:
        return False
    return None if None in marks else True


def cut_text(c_star: float | None, duel: Duel = S5C) -> str:
    old, new = duel.models
    return (f"none: no cut in C meets (i)-(iii); {duel.name} ends, {old} stays\n"
            if c_star is None else f"{c_star:.6f}\n")


Rows = dict[str, list[dict[str, Any]]]
Step0 = Callable[[argparse.Namespace, Rows, Rows],
                 tuple[Rows, Rows, dict[str, list[dict[str, int]]] | None, dict[str, Any]]]
Step0Two = Callable[[argparse.Namespace, Rows, Rows, list[list[dict[str, Any]]] | None],
                    tuple[Rows, Rows, dict[str, int] | None, dict[str, Any]]]


def main(duel: Duel = S5C, doc: str | None = None,
         step0: tuple[Callable[[argparse.ArgumentParser], None], Step0] | None = None,
         step0_two: tuple[Callable[[argparse.ArgumentParser], None], Step0Two] | None = None
         ) -> int:
    """The command line of ``duel``'s rule (``doc``: its script's docstring). ``step0``: a
    step before step 1 (rule S6d's): what it adds to step 1's arguments, and what it makes
    of them and of step 1's rows and Quora rows (the rows step 1 reads, the ``less`` it
    subtracts, its record). ``step0_two``: the same before step 2 (rule S7r's), given the
    two (d) runs' --pairs-out rows: the rows, the negatives answered by another entry it
    takes out of (d)'s counts per model, its record."""
    old, new = duel.models
    seen, decided, c_text = duel.seen, duel.decided, duel.c_text
    shared_sets = " ".join(f"{a[-2:]}+{b[-2:]}" for a, b in duel.writer_pairs)
    parser = argparse.ArgumentParser(description=(doc or __doc__).splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("step1", help=f"{c_text} on {seen}")
    one.add_argument(f"--shared-{old.lower()}", type=Path, nargs=len(duel.writer_pairs),
                     required=True, help=f"cache_shared on {shared_sets}, {old} at {VARIANT}")
    one.add_argument(f"--shared-{new.lower()}", type=Path, nargs=len(duel.writer_pairs),
                     required=True, help=f"the same, {new} at the {len(duel.cuts)} cuts of C")
    one.add_argument("--cut-out", type=Path, default=None,
                     help=f"where {c_text} goes ({duel.cut_file})")
    if step0 is not None:
        step0[0](one)
    two = sub.add_parser("step2", help=f"the verdict on {decided}")
    two.add_argument(f"--shared-{old.lower()}", type=Path, default=None,
                     help=f"cache_shared on {' '.join(duel.decision)}, {old} at {VARIANT}")
    two.add_argument(f"--shared-{new.lower()}", type=Path, default=None,
                     help=f"the same, {new} at {c_text}")
    two.add_argument("--shared-pairs", type=Path, nargs=2, default=None,
                     metavar=(f"{old}_PAIRS", f"{new}_PAIRS"),
                     help="the two runs' --pairs-out rows")
    two.add_argument("--cost", type=Path, default=None,
                     help=f"stack_cost.py's output, rounds alternated under ## {new} / ## {old} "
                          "lines")
    two.add_argument("--identity", type=Path, default=None,
                     help=f"{duel.name.lower()}_rule.py identity's JSON")
    two.add_argument("--cut-file", type=Path, default=duel.cut_file,
                     help=f"step 1's {c_text}, written before {decided} was read (must agree)")
    if step0_two is not None:
        step0_two[0](two)
    for p, what in ((one, f"base-{seen}"), (two, f"base-{decided}")):
        for m in duel.models:
            p.add_argument(f"--{m.lower()}", type=Path, default=duel.rows[(what, m)],
                           help=f"cache_losses rows, {m}")
            p.add_argument(f"--{m.lower()}-quora", type=Path, default=duel.rows[("quora", m)],
                           help=f"cache_losses --sets pairs rows, {m}")
        p.add_argument("--out", type=Path, default=duel.out)
    i = sub.add_parser("identity", help=f"(e)'s verdicts on {decided}, lone lookup against "
                                        "the rows")
    i.add_argument("--rows", type=Path, default=duel.rows[(f"base-{decided}", new)],
                   help=f"cache_losses rows, {new}, {decided}")
    i.add_argument("--cross-dir", type=Path, default=BASE / new.lower(),
                   help=f"{new}'s folder")
    i.add_argument("--cut", type=float, required=True, help=c_text)
    i.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.step == "identity":
        result = identity(read_jsonl(args.rows), args.cross_dir, args.cut, duel.decision)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result))
        return 0
    inputs = {k: str(v) for k, v in vars(args).items() if k != "out"}
    paths = vars(args)
    replaces_key = f"{new}_replaces_{old}"
    shipped = {"verifier": old, "cut": duel.shipped_cut}
    if args.step == "step1":
        quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in duel.models}
        rows = {m: only(read_jsonl(paths[m.lower()]), duel.sets) for m in duel.models}
        less: dict[str, list[dict[str, int]]] | None = None
        before: dict[str, Any] = {}
        if step0 is not None:
            rows, quora, less, before = step0[1](args, rows, quora)
        runs = {m: [json.loads(p.read_text(encoding="utf-8"))
                    for p in paths[f"shared_{m.lower()}"]] for m in duel.models}
        first = step1(rows, quora, runs, traffic_of(duel.sets), duel, less)
        found = first[duel.c_key]
        out = {"rule": duel.rule, "cuts": list(duel.cuts), "floor": FLOOR,
               f"{old}_cut": duel.shipped_cut, **before, "step1": first,
               replaces_key: False if found is None else None,
               "ships": shipped if found is None else None,
               "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        if args.cut_out is not None:
            args.cut_out.write_text(cut_text(found, duel), encoding="utf-8")
    else:
        out = json.loads(args.out.read_text(encoding="utf-8"))
        c_star = out["step1"][duel.c_key]
        if c_star is None:
            raise SystemExit(f"step 1 found no cut: {duel.name} ended there")
        if args.cut_file.read_text(encoding="utf-8") != cut_text(c_star, duel):
            raise SystemExit(f"{args.cut_file} does not hold step 1's {c_text} {c_star:.6f}")
        rows = {m: only(read_jsonl(paths[m.lower()]), duel.decision) for m in duel.models}
        quora = {m: read_jsonl(paths[f"{m.lower()}_quora"]) for m in duel.models}
        shared_pairs = (None if args.shared_pairs is None
                        else [read_jsonl(p) for p in args.shared_pairs])
        less_d: dict[str, int] | None = None
        if step0_two is not None:
            rows, quora, less_d, zero = step0_two[1](args, rows, quora, shared_pairs)
            out["step0_step2"] = zero
        second = step2(c_star, rows, quora, traffic_of(duel.decision),
                       {m: load(paths[f"shared_{m.lower()}"]) for m in duel.models},
                       None if args.cost is None else args.cost.read_text(encoding="utf-8"),
                       load(args.identity), duel, less_d)
        if shared_pairs is not None:
            s2p, s5p = shared_pairs
            second["d"]["other_answers"] = {
                "negatives": other_answers(s2p, s5p, models=duel.models),
                "paraphrases": other_answers(s2p, s5p, label=1, models=duel.models)}
        replaces = verdict(second)
        out.update({"step2": second, replaces_key: replaces,
                    "ships": None if replaces is None else (
                        {"verifier": new, "cut": c_star} if replaces else shipped)})
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, lambda r: report(r, duel))
    return 0


def report(r: dict[str, Any], duel: Duel = S5C) -> None:
    old, new = duel.models
    seen, decided, c_text, c_key = duel.seen, duel.decided, duel.c_text, duel.c_key
    f_key, a_key, q_key = duel.key("F"), duel.key("A"), duel.q_key
    one = r["step1"]
    pairs = " + ".join(f"{a[-2:]}-{b[-2:]}" for a, b in duel.writer_pairs)
    q_check = (f" ({old}'s Quora rows: {one['Q_check'][f'{old}_quora_false_hits_at_{old}_cut']})"
               if "Q_check" in one else "")
    print(f"step 1 ({seen} = {', '.join(one['sets'])}): {f_key} = {one[f_key]}, {a_key} = "
          f"{one[a_key]} ({' + '.join(map(str, one[old]['another_by_pair']))}), {q_key} = "
          f"{one[q_key]}{q_check}\n\n"
          f"| verifier | cut | {seen} recall | (i) {seen} false hits | (ii) pairs:qqp false "
          f"hits | (iii) negatives answered by another entry ({pairs}) | meets |\n"
          "|---|---|---|---|---|---|---|")
    s2 = one[old]
    print(f"| {old} | {s2['cut']:.6f} | {s2[f'{seen}_recall']:.2%} ({s2[f'{seen}_hits']}) | "
          f"{s2[f'{seen}_false_hits']} | {s2['qqp_false_hits']} | {s2['another']} "
          f"({' + '.join(map(str, s2['another_by_pair']))}) | |")
    for x in one["table"]:
        meets = "yes" if x["holds"] else "no: " + ", ".join(
            f"({k})" for k in ("i", "ii", "iii") if not x[k])
        print(f"| {new} | {x['cut']:.6f} | {x[f'{seen}_recall']:.2%} ({x[f'{seen}_hits']}) | "
              f"{x[f'{seen}_false_hits']} | {x['qqp_false_hits']} | {x['another']} "
              f"({' + '.join(map(str, x['another_by_pair']))}) | {meets} |")
    c_star = one[c_key]
    print(f"\n{c_text} = {'none' if c_star is None else f'{c_star:.6f}'}")
    two = r.get("step2")
    if two is None:
        return
    mark = {True: "pass", False: "FAIL", None: "pending"}
    print(f"\nstep 2 ({decided} = {', '.join(two['sets'])}): {new} at {old}'s {decided} false "
          f"hits from {two['matched_cut']:.6f}\n")
    at_table(two["at"], decided.lower(), duel.decision, decided)
    print(f"\nmatched false hits on {decided} (rate: at most n; {old} cut, recall; {new} cut, "
          "recall; points)")
    for x in two["curve"]:
        print(f"  {x['rate']:.1%}: <= {x['false_hits_at_most']}; {old} {x[old]['cut']:.6f} "
              f"{x[old]['recall']:.2%} ({x[old]['hits']}, {x[old]['false_hits']} FH); {new} "
              f"{x[new]['cut']:.6f} {x[new]['recall']:.2%} ({x[new]['hits']}, "
              f"{x[new]['false_hits']} FH); {x['points']:+.2f}")
    a, b, c, d, e = (two[k] for k in "abcde")
    print(f"\n(a) {new} at {c_text} {a[f'{new}_recall']:.2%} ({a[f'{new}_hits']}) against {old} "
          f"{a[f'{old}_recall']:.2%} ({a[f'{old}_hits']}) of {a['positives']}: "
          f"{a['points']:+.2f} points (needs +{GAIN}): {mark[a['pass']]}")
    print(f"(b) {decided} false hits {new} {b[f'{new}_false_hits']}, limit {b['limit']} = "
          f"max({old}'s {b[f'{old}_false_hits']}, floor(1 % of {b['negatives']}) = "
          f"{b['floor_1pct_of_negatives']}): {mark[b['pass']]}")
    print("(c) " + ", ".join(f"{s} {new} {v[f'{new}_hits']} / {old} {v[f'{old}_hits']} of "
                             f"{v['positives']} ({v['points']:+.2f})"
                             for s, v in c["by_set"].items())
          + f": {mark[c['pass']]}")
    print("(d) " + str({k: v for k, v in d.items() if k not in ("other_answers", "populated")})
          + f": {mark[d['pass']]}")
    for label, cells in d.get("other_answers", {}).items():
        for what, v in cells.items():
            print(f"    {label} another entry answered, {what}: {v['n']} {v['by_kind']}; "
                  f"the other lookup: {v['other_outcome']}")
    print("(e) " + str({k: v for k, v in e.items() if k != "rounds"}) + f": {mark[e['pass']]}")
    for what, v in two[f"disagreements_at_{c_key}"].items():
        print(f"{what}: {v['n']} {v['by_kind']}")
    print(f"\nverdict: {new} replaces {old}: {r[f'{new}_replaces_{old}']}; ships {r.get('ships')}")


if __name__ == "__main__":
    raise SystemExit(main())
