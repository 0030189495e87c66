"""The lead's rule S5 (session 25): S2 continued on every writer it never trained on at once
(heldout30-47), decided on heldout48-49, applied once, as written, from the lookup's rows.
The rule, quoted unchanged:

    S5: S2 (cross.npz 2a9b446e) continued on heldout30-47 by S4's recipe (the brief's bundle
    and fit, seed 25). D48 = heldout48, heldout49 (trained on by neither; read by nothing
    before session 25 but the lead's base rows). Verdicts: cache_losses.stage(row, 0.5, cut)
    on bench/cache_losses.py rows with every shipped check on (S2:
    /work/base/base-D48-3c4c050-pairs.jsonl; S5: --cross-dir S5 at main). F = S2's D48 false
    hits at 0.855177; Q = S2's pairs:qqp false hits at 0.855177
    (/work/base/quora-3c4c050-pairs.jsonl). c = S5's lowest 6-decimal cut at which its D48
    false hits <= F and its pairs:qqp false hits <= Q. S5 replaces S2, shipped at c, iff (a)
    S5's D48 recall at c >= S2's D48 recall at 0.855177 + 3.0 points; (b) on each of
    heldout48 and heldout49, S5's recall at c >= S2's at 0.855177 + 1.0 point; (c)
    bench/cache_shared.py on heldout48+heldout49 (10,000 entries; S2 at 0.5:5, S5 at
    0.5:5:3:c): negative queries answered by another entry with S5 <= S2's + 2; (e) a lone new
    candidate's median CPU with S5 <= 10 ms (bench/stack_cost.py --verifiers cross --states
    request, alternated with S2), and S5's verdicts identical between the lookup and the
    offline scorer on the D48 pairs. Otherwise S2 stays at 0.855177.

How each part is read (rule S4b's reading, ``bench/s4b_rule.py``, whose helpers this
imports): a pair's verdict is ``cache_losses.stage`` at floor 0.5 and the counts
``cache_losses.counts``; c is ``cross_continue.lowest_cut`` under both bounds (the search
``cross_continue decide --rule session25`` runs too: its cut must be this one); the recall
on a set compares hits over the same positives. (c) reads ``cache_shared.py``'s
``by_variant[...].all.negatives.another``: S2's run at ``--variants 0.5:5`` with S2's
``cross.json`` at 0.855177, S5's ``--variants 0.5:5:3:<c>`` (the fourth field judges at c).
(e) reads ``stack_cost.py``'s "1 candidate" median line of each round (rounds alternated S5,
S2, S5, S2 into one text file, each round under a ``## S5`` or ``## S2`` header line): every
S5 round's median <= 10 ms; and ``s5_rule.py identity``'s count of D48 pairs whose verdict
at c differs between one lookup of that one candidate (``CrossVerifier.probability``, its
own pass, nothing kept) and the batched row: 0. Records beside the verdict, not conditions:
both at S2's cut and at c per set, kind and traffic on D48 with the Quora file's components;
the curve at matched false hits on D48 (each model's lowest cut with at most 0.5, 1, 2, 3 %
of D48's negatives passed); the pairs they disagree on at c; who answered in the populated
caches; the bundle's and the fit's record. The commands (2026-12-06):

    .venv/bin/python bench/cache_losses.py --sets heldout48 heldout49 --cross-dir S5 \\
        --out D48-S5.json --pairs-out D48-S5-pairs.jsonl      # and --sets pairs: quora-S5
    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --variants 0.5:5 \\
        --cross-dir S2 --out SHARED-S2.json --pairs-out SHARED-S2-pairs.jsonl
    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --cross-dir S5 \\
        --variants 0.5:5:3:<c> --out SHARED-S5.json --pairs-out SHARED-S5-pairs.jsonl
    .venv/bin/python bench/stack_cost.py --verifiers cross --cross-dir [S5 | S2] \\
        --states request --rounds 1              # twice each, alternated, into COST.txt
    .venv/bin/python bench/s5_rule.py identity --rows D48-S5-pairs.jsonl --cross-dir S5 \\
        --cut <c> --out IDENTITY.json
    .venv/bin/python bench/s5_rule.py verdict --s5 D48-S5-pairs.jsonl \\
        --s5-quora quora-S5-pairs.jsonl --shared-s2 SHARED-S2.json --shared-s5 SHARED-S5.json \\
        --shared-pairs SHARED-S2-pairs.jsonl SHARED-S5-pairs.jsonl --cost COST.txt \\
        --identity IDENTITY.json [--decision decision-S5.json --bundle bundle.json \\
        --fit fit/S5.json]                                     # the verdict

Rule S5b (``--rule S5b``, the lead's, written after S5's record on the unseen heldout50-51 and
before any run on heldout52-53) tests the same S5 once more on D52 = heldout52, heldout53,
both models read at the same false hits. Quoted unchanged:

    S5b: S5 (cross.npz cffa0c35, /work/base/s5: S2 continued on heldout30-47, refused by rule
    S5 on heldout48-49) against the shipped S2 (2a9b446e at 0.855177), decided once on D52 =
    heldout52, heldout53 (written at session 25's start for session 26; read by nothing
    before this rule; trained on by neither). Why a second test: S5's score on the unseen
    heldout50-51, made at 05:44 UTC before this rule was written and deciding nothing, read
    +5.7 points at 1 % false hits over S2; rule S5 had compared at D48's 6 false hits, where
    one pair moves the match. Verdicts: cache_losses.stage(row, 0.5, cut) on
    bench/cache_losses.py rows with every shipped check on (S2: main's layer; S5: --cross-dir
    /work/base/s5), both made at main. F = max(S2's D52 false hits at 0.855177, floor(1 % of
    D52's negatives)). Q = 48 (S2's pairs:qqp false hits at 0.855177). c = S5's lowest
    6-decimal cut at which its D52 false hits <= F and its pairs:qqp false hits <= Q (S5's
    Quora rows: /work/i12/.cache/cross-s5/pairs-S5 rows, made at main). R2 = S2's D52 recall
    at its lowest 6-decimal cut with D52 false hits <= F (S2 read at the same false hits). S5
    replaces S2, shipped at c, iff (a) S5's D52 recall at c >= R2 + 2.0 points; (b) on each
    of heldout52 and heldout53, S5's recall at c >= S2's recall there at R2's cut; (c)
    bench/cache_shared.py on heldout52+heldout53 (10,000 entries; S2 at 0.5:5, S5 at
    0.5:5:3:c): negative queries answered by another entry with S5 <= S2's + 2; (d) S5's
    verdicts identical between the lookup and the offline scorer on the D52 pairs
    (s5_rule.py identity), and a lone new candidate's median CPU with S5 within 5 % of S2's
    in the same alternation (bench/stack_cost.py --verifiers cross --states request, S5 / S2
    alternated, 2 rounds each; the two share every shape). Otherwise S2 stays at 0.855177.

How S5b differs in the reading (the rest is S5's, same functions): the sets are D52 (every
``--rule S5b`` step, identity included); F takes the 1 % floor; Q is the rule's 48 (S2's Quora
rows' count beside it as a check); S2 is read at its own lowest cut with D52 false hits <= F
(``R2_cut``), and (a), (b) and the disagreements compare S5 at c with S2 there; (b) needs no
gain; (d) is S5's (e) with the CPU part relative: the median of S5's round medians at most
1.05 x the median of S2's (S5 faster passes; "within 5 %" read as "not more than 5 % over",
the check being a cost), identity as before. S5b's commands are S5's with ``--rule S5b``,
``--sets heldout52 heldout53`` and S2's D52 rows from main's layer (``--s2``), into
``bench/results/verifier-s5b-session25.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

from cache_losses import counts
from run_record import run_record
from s4b_rule import (
    EXAMPLES,
    FLOOR,
    QUORA,
    VARIANT,
    another,
    at_table,
    figures,
    split,
    traffic_of,
    variant_name,
)
from s4b_rule import other_answers as s4b_other_answers
from verifier_rule import disagreements as verifier_disagreements
from verifier_rule import only, save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.cross_continue import lowest_cut  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
D48 = ("heldout48", "heldout49")
S2_CUT = 0.855177  # S2's shipped cut (cross.npz 2a9b446e)
S2_SHA = "2a9b446e"
MODELS = ("S2", "S5")
GAIN = 3.0  # (a), points of D48 recall
EACH_GAIN = 1.0  # (b), points of recall on each set
ANOTHER_SLACK = 2  # (c)
CPU_MS = 10.0  # (e), a lone new candidate's median
CURVE = (0.005, 0.01, 0.02, 0.03)  # matched false-hit rates on D48 (a record)
BASE = Path("/work/base")
DEFAULTS = {"s2": BASE / "base-D48-3c4c050-pairs.jsonl",
            "s2_quora": BASE / "quora-3c4c050-pairs.jsonl"}
OUT = HERE / "results" / "verifier-s5-session25.json"
RULE_B = " ".join(next(p for p in __doc__.split("\n\n")
                       if p.lstrip().startswith("S5b:")).split())  # rule S5b, quoted unchanged
D52 = ("heldout52", "heldout53")
FLOOR_RATE_B = 0.01  # S5b's F: at least floor(1 % of D52's negatives)
Q_B = 48  # S5b's Q, as the rule states it
GAIN_B = 2.0  # S5b's (a), points over S2 at the same false hits
CPU_WITHIN_B = 0.05  # S5b's (d): S5's median at most 5 % over S2's
OUT_B = HERE / "results" / "verifier-s5b-session25.json"
E_KEY = {"S5": "e", "S5b": "d"}  # the identity-and-CPU check's letter in each rule


class Spec(NamedTuple):
    """What each rule reads: its text, decision sets, (a)'s and (b)'s gains, results file."""

    rule: str
    sets: tuple[str, ...]
    gain: float
    each_gain: float
    out: Path


SPECS = {"S5": Spec(RULE, D48, GAIN, EACH_GAIN, OUT), "S5b": Spec(RULE_B, D52, GAIN_B, 0.0, OUT_B)}


def same_pairs(a: list[dict[str, Any]], b: list[dict[str, Any]], what: str,
               models: tuple[str, str] = MODELS) -> None:
    if [(r["set"], r["id"], r["a"], r["b"], r["label"]) for r in a] != [
            (r["set"], r["id"], r["a"], r["b"], r["label"]) for r in b]:
        raise SystemExit(f"{models[0]}'s and {models[1]}'s {what} rows hold different pairs")


def points(a: dict[str, Any], b: dict[str, Any]) -> float:
    """a's recall minus b's, in points."""
    return round((a["recall"] - b["recall"]) * 100, 4)


def curve(rows: dict[str, list[dict[str, Any]]], rates: tuple[float, ...] = CURVE,
          models: tuple[str, str] = MODELS) -> list[dict[str, Any]]:
    """Both models (``models``: the shipped one, then the candidate) at matched false hits:
    for each rate, each model's lowest 6-decimal cut passing at most floor(rate x D48's
    negatives) of them, and its counts there."""
    old, new = models
    negatives = counts(rows[old], FLOOR, S2_CUT)["negatives"]  # any cut: all the negatives
    out = []
    for rate in rates:
        most = math.floor(rate * negatives + 1e-9)
        at = {}
        for m in models:
            cut = lowest_cut(rows[m], most)
            at[m] = {"cut": cut, **counts(rows[m], FLOOR, cut)}
        out.append({"rate": rate, "false_hits_at_most": most, **at,
                    "points": points(at[new], at[old])})
    return out


def decide(d48: dict[str, list[dict[str, Any]]], quora: dict[str, list[dict[str, Any]]],
           traffic: dict[tuple[str, str], str] | None = None,
           rule: str = "S5") -> dict[str, Any]:
    """F, Q, c, checks (a) and (b) with their figures (and the records). ``d48`` holds the
    rule's decision sets' rows (D48 for S5, D52 for S5b); S5b reads S2 at ``R2_cut``."""
    spec = SPECS[rule]
    sets = spec.sets
    same_pairs(d48["S2"], d48["S5"], "decision sets'")
    same_pairs(quora["S2"], quora["S5"], "Quora")
    qqp = {m: [r for r in quora[m] if r["set"] == QUORA] for m in MODELS}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    at_s2 = counts(d48["S2"], FLOOR, S2_CUT)
    q_rows = counts(qqp["S2"], FLOOR, S2_CUT)["false_hits"]
    extra: dict[str, Any] = {}
    if rule == "S5b":
        floor_1 = math.floor(FLOOR_RATE_B * at_s2["negatives"] + 1e-9)
        f, q = max(at_s2["false_hits"], floor_1), Q_B
        ref_cut = lowest_cut(d48["S2"], f)
        extra = {"F_parts": {"S2_false_hits_at_S2_cut": at_s2["false_hits"],
                             "floor_1pct_of_negatives": floor_1,
                             "negatives": at_s2["negatives"]},
                 "Q_check": {"S2_quora_false_hits_at_S2_cut": q_rows,
                             "agrees": q_rows == Q_B},
                 "R2_cut": ref_cut}
    else:
        f, q, ref_cut = at_s2["false_hits"], q_rows, S2_CUT
    c = lowest_cut(d48["S5"], f, (qqp["S5"], q))
    s2, s5 = counts(d48["S2"], FLOOR, ref_cut), counts(d48["S5"], FLOOR, c)
    by_set = {s: {"S2": counts([r for r in d48["S2"] if r["set"] == s], FLOOR, ref_cut),
                  "S5": counts([r for r in d48["S5"] if r["set"] == s], FLOOR, c)}
              for s in sets}
    gain, each = spec.gain, spec.each_gain
    check_a = {"S2_recall": s2["recall"], "S5_recall": s5["recall"], "S2_hits": s2["hits"],
               "S5_hits": s5["hits"], "positives": s2["positives"],
               "S2_false_hits": s2["false_hits"], "S2_cut": ref_cut,
               "S5_false_hits": s5["false_hits"], "points": points(s5, s2), "needs": gain,
               "pass": points(s5, s2) >= gain - 1e-9}
    if rule == "S5":  # S5's record as it was written (S2 at its shipped cut)
        del check_a["S2_false_hits"], check_a["S2_cut"]
    check_b = {"by_set": {s: {"S2_hits": v["S2"]["hits"], "S5_hits": v["S5"]["hits"],
                              "positives": v["S2"]["positives"],
                              "points": points(v["S5"], v["S2"])} for s, v in by_set.items()},
               "needs": each,
               "pass": all(points(v["S5"], v["S2"]) >= each - 1e-9
                           for v in by_set.values())}
    cuts = {"S2_cut": S2_CUT, "c": c} | ({"R2_cut": ref_cut} if rule == "S5b" else {})
    at = {m: {name: {"d48": figures(d48[m], cut, traffic),
                     "pairs": split(quora[m], lambda r: r["set"], cut)}
              for name, cut in cuts.items()} for m in MODELS}
    return {"F": f, "Q": q, **extra, "c": c,
            "S5_quora_false_hits_at_c": counts(qqp["S5"], FLOOR, c)["false_hits"],
            "a": check_a, "b": check_b, "at": at, "curve": curve(d48),
            "disagreements_at_c": verifier_disagreements(d48["S2"], d48["S5"], ref_cut, c,
                                                         MODELS, EXAMPLES)}


def check_c(cut: float, s2_run: dict[str, Any] | None,
            s5_run: dict[str, Any] | None, sets: tuple[str, ...] = D48,
            slack: int = ANOTHER_SLACK, models: tuple[str, str] = MODELS,
            shipped: tuple[str, float] = (S2_SHA, S2_CUT)) -> dict[str, Any]:
    """(c): negatives answered by another entry, S5 at ``cut`` against S2 at its cut +
    ``slack`` (2; rule S5c's (d): 4), each run checked (S2's sha256 and cut, S5 another
    model, both on D48's sets, 10,000 entries). ``pass`` None while a run is missing.
    ``models`` and ``shipped`` (its sha256 and cut) name the shipped verifier and the
    candidate where they are not S2 and S5 (rule S6d: S5 and S6)."""
    old, new = models
    sha, old_cut = shipped
    name = variant_name(cut)
    if s2_run is None or s5_run is None:
        return {"pass": None, f"{new}_variant": name,
                "why": f"cache_shared runs not given (--shared-{old.lower()}, "
                       f"--shared-{new.lower()})"}
    for who, run in ((old, s2_run), (new, s5_run)):
        if list(run["sets"]) != list(sets) or run.get("entries") != 10_000:
            raise SystemExit(f"the {who} cache_shared run is not on {', '.join(sets)} with "
                             "10,000 entries")
    if not s2_run["verifier"]["sha256"].startswith(sha):
        raise SystemExit(f"the {old} cache_shared run is not {sha}")
    if s5_run["verifier"]["sha256"].startswith(sha):
        raise SystemExit(f"the {new} cache_shared run is {old}")
    if s2_run["verifier"]["min_probability"] != old_cut:
        raise SystemExit(f"the {old} cache_shared run judges at "
                         f"{s2_run['verifier']['min_probability']}, not {old_cut}")
    m, k = another(s2_run, VARIANT), another(s5_run, name)
    return {old: m, new: k, "limit": m + slack, "pass": k <= m + slack,
            f"{new}_variant": name, f"{new}_sha256": s5_run["verifier"]["sha256"],
            "entries": [s2_run.get("entries"), s5_run.get("entries")]}


def other_answers(s2_pairs: list[dict[str, Any]], s5_pairs: list[dict[str, Any]],
                  label: int = 0, models: tuple[str, str] = MODELS) -> dict[str, Any]:
    """Rule S4b's record of who answered in the two populated caches, S5 in S4's place
    (``models``: the shipped verifier in S2's, the candidate in S4's)."""
    old, new = models

    def name(k: str) -> str:
        return k.replace("S2", old) if "S2" in k else k.replace("S4", new)

    renamed = s4b_other_answers(s2_pairs, s5_pairs, label)
    return {name(what): dict(v, pairs=[{name(k): x for k, x in p.items()} for p in v["pairs"]])
            for what, v in renamed.items()}


COST_LINE = re.compile(r"^cross\s+request\s+1 candidate\s*:\s*([\d.]+) / ([\d.]+) / ([\d.]+)"
                       r"(?: \(load average ([\d.]+)\))?")


def cost_rounds(text: str, models: tuple[str, str] = MODELS) -> dict[str, list[dict[str, Any]]]:
    """Each ``## S5`` / ``## S2`` round's "1 candidate" median, mean, p99 (ms) and load
    (``models``: the two headers' names)."""
    rounds: dict[str, list[dict[str, Any]]] = {m: [] for m in models}
    who = None
    for line in text.splitlines():
        head = re.match(rf"^## ({'|'.join(models)})\b", line)
        if head:
            who = head.group(1)
            continue
        hit = COST_LINE.match(line.strip())
        if hit and who is not None:
            med, mean, p99, load = hit.groups()
            rounds[who].append({"median_ms": float(med), "mean_ms": float(mean),
                                "p99_ms": float(p99),
                                "load": None if load is None else float(load)})
    return rounds


def check_e(cost: str | None, identity: dict[str, Any] | None, cut: float,
            rule: str = "S5", models: tuple[str, str] = MODELS) -> dict[str, Any]:
    """(e): every S5 round's median <= 10 ms (S2's rounds beside), and no D48 verdict of S5
    at c differing between the lone lookup and the batched row. ``pass`` None while either
    input is missing. S5b's (d): the same, the CPU part the median of S5's round medians
    <= 1.05 x the median of S2's (and the identity on D52); ``models`` name the shipped
    verifier and the candidate where they are not S2 and S5 (rule S6d: S5 and S6)."""
    old, new = models
    out: dict[str, Any] = ({"limit_ms": CPU_MS} if rule == "S5"
                           else {"within": CPU_WITHIN_B})
    cpu_ok = identical = None
    if cost is not None:
        rounds = cost_rounds(cost, models)
        if not rounds[new] or not rounds[old]:
            raise SystemExit(f"the cost file holds no {new} or no {old} round")
        s5_ms = statistics.median(r["median_ms"] for r in rounds[new])
        s2_ms = statistics.median(r["median_ms"] for r in rounds[old])
        if rule == "S5":
            cpu_ok = all(r["median_ms"] <= CPU_MS for r in rounds[new])
        else:
            cpu_ok = s5_ms <= s2_ms * (1 + CPU_WITHIN_B) + 1e-9
            out |= {f"{new}_over_{old}": round(s5_ms / s2_ms - 1, 4),
                    "limit_ms": round(s2_ms * (1 + CPU_WITHIN_B), 4)}
        out |= {"rounds": rounds, "cpu_pass": cpu_ok,
                f"{new}_median_ms": s5_ms, f"{old}_median_ms": s2_ms}
    if identity is not None:
        if abs(identity["cut"] - cut) > 5e-7:
            raise SystemExit(f"the identity check ran at {identity['cut']}, not c = {cut}")
        identical = identity["verdicts_differ"] == 0
        out |= {"identity": identity, "identity_pass": identical}
    out["pass"] = None if cpu_ok is None or identical is None else cpu_ok and identical
    return out


def verdict(r: dict[str, Any]) -> bool | None:
    """S5 replaces S2 iff (a), (b), (c) and (e) pass; None while (c) or (e) is pending and
    the others pass."""
    if not (r["a"]["pass"] and r["b"]["pass"]):
        return False
    e = r["e"] if "e" in r else r["d"]
    if r["c_check"]["pass"] is False or e["pass"] is False:
        return False
    return None if None in (r["c_check"]["pass"], e["pass"]) else True


def identity(rows: list[dict[str, Any]], cross_dir: Path, cut: float,
             sets: tuple[str, ...] = D48) -> dict[str, Any]:
    """(e)'s second half: S5's verdict at ``cut`` on every D48 pair with a probability, as a
    lookup of that one candidate makes it (its own pass, nothing kept), against the batched
    row's (``cache_losses.py``)."""
    from llm_router.cache.cross import load_cross_verifier
    from llm_router.embedding.minilm import shared_embedder

    v = load_cross_verifier(shared_embedder(), cross_dir)
    if v.nets is not None or v.combines_nets:
        raise SystemExit(f"{cross_dir}: not a model that decides alone")
    differ, worst, n, started = 0, 0.0, 0, time.process_time()
    for r in only(rows, sets):
        if r["p"] is None:
            continue
        v.forget()
        p = v.probability(r["a"], r["b"], r["similarity"])
        n += 1
        worst = max(worst, abs(p - r["p"]))
        differ += (p >= cut) != (r["p"] >= cut)
    return {"pairs": n, "cut": cut, "verdicts_differ": differ, "max_abs_dp": worst,
            "cpu_s": round(time.process_time() - started, 1), "cross_dir": str(cross_dir),
            **({"sets": list(sets)} if sets != D48 else {})}


def load(path: Path | None) -> Any:
    return None if path is None else json.loads(path.read_text(encoding="utf-8"))


def summary(bundle: dict[str, Any] | None, fit: dict[str, Any] | None) -> dict[str, Any]:
    """The bundle's and the fit's record (no loss log, no pair lists)."""
    out: dict[str, Any] = {}
    if bundle is not None:
        out["bundle"] = {k: v for k, v in bundle.items()
                         if k not in ("dropped_as_decision_pairs", "dropped_sharing_a_text",
                                      "new_sha256", "train_sources", "qqp_hard")}
        out["bundle"] |= {"dropped_as_decision_pairs": len(bundle["dropped_as_decision_pairs"]),
                          "dropped_sharing_a_text": len(bundle["dropped_sharing_a_text"]),
                          "qqp_hard_kept": (bundle.get("qqp_hard") or {}).get("kept"),
                          "train_sources": bundle.get("train_sources")}
    if fit is not None:
        out["fit"] = {k: v for k, v in fit.items() if k != "loss_log"}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    i = sub.add_parser("identity", help="(e)'s verdicts, lone lookup against batched rows")
    i.add_argument("--rows", type=Path, required=True, help="cache_losses rows, S5, D48")
    i.add_argument("--cross-dir", type=Path, required=True, help="S5's folder")
    i.add_argument("--cut", type=float, required=True, help="c")
    i.add_argument("--out", type=Path, required=True)
    i.add_argument("--rule", choices=tuple(SPECS), default="S5",
                   help="S5 (D48) or S5b (D52): which decision sets")
    v = sub.add_parser("verdict", help="F, Q, c and (a) to (e)")
    v.add_argument("--rule", choices=tuple(SPECS), default="S5",
                   help="S5 (D48, the defaults below) or S5b (D52: give --s2, S2's D52 rows)")
    v.add_argument("--s2", type=Path, default=DEFAULTS["s2"], help="cache_losses rows, S2, D48")
    v.add_argument("--s5", type=Path, required=True, help="the same, S5")
    v.add_argument("--s2-quora", type=Path, default=DEFAULTS["s2_quora"],
                   help="cache_losses --sets pairs rows, S2")
    v.add_argument("--s5-quora", type=Path, required=True, help="the same, S5")
    v.add_argument("--shared-s2", type=Path, default=None,
                   help="cache_shared on heldout48 heldout49, S2 at 0.5:5")
    v.add_argument("--shared-s5", type=Path, default=None, help="the same, S5 at 0.5:5:3:c")
    v.add_argument("--shared-pairs", type=Path, nargs=2, default=None,
                   metavar=("S2_PAIRS", "S5_PAIRS"), help="the two runs' --pairs-out rows")
    v.add_argument("--cost", type=Path, default=None,
                   help="stack_cost.py's output, rounds alternated under ## S5 / ## S2 lines")
    v.add_argument("--identity", type=Path, default=None, help="s5_rule.py identity's JSON")
    v.add_argument("--decision", type=Path, default=None,
                   help="cross_continue decide --rule session25's JSON (its cut must be c)")
    v.add_argument("--bundle", type=Path, default=None, help="prepare's bundle .json (record)")
    v.add_argument("--fit", type=Path, default=None, help="the fit's S5.json (record)")
    v.add_argument("--out", type=Path, default=None, help="default: the rule's results file")
    args = parser.parse_args()
    spec = SPECS[args.rule]
    sets = spec.sets
    if args.step == "identity":
        result = identity(read_jsonl(args.rows), args.cross_dir, args.cut, sets)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result))
        return 0
    if args.rule == "S5b" and args.s2 == DEFAULTS["s2"]:
        raise SystemExit("--rule S5b: give --s2, S2's D52 rows made at main")
    args.out = args.out or spec.out
    d48 = {"S2": only(read_jsonl(args.s2), sets), "S5": only(read_jsonl(args.s5), sets)}
    quora = {"S2": read_jsonl(args.s2_quora), "S5": read_jsonl(args.s5_quora)}
    result = decide(d48, quora, traffic_of(sets), args.rule)
    c = check_c(result["c"], load(args.shared_s2), load(args.shared_s5), sets)
    if args.shared_pairs is not None:
        s2p, s5p = (read_jsonl(p) for p in args.shared_pairs)
        c["other_answers"] = {"negatives": other_answers(s2p, s5p),
                              "paraphrases": other_answers(s2p, s5p, label=1)}
    e = check_e(None if args.cost is None else args.cost.read_text(encoding="utf-8"),
                load(args.identity), result["c"], args.rule)
    decided = load(args.decision)
    agrees = None
    if decided is not None:
        agrees = (abs(decided["cut"] - result["c"]) < 5e-7
                  and decided["a"]["pass"] == result["a"]["pass"]
                  and decided["b"]["pass"] == result["b"]["pass"])
        if not agrees:
            raise SystemExit("cross_continue decide's cut or (a), (b) differ from this reading")
    out = {"rule": spec.rule, "decision_sets": list(sets), "floor": FLOOR, "S2_cut": S2_CUT,
           **result, "c_check": c, E_KEY[args.rule]: e, "decide_agrees": agrees}
    replaces = verdict(out)
    out |= {"S5_replaces_S2": replaces,
            "ships": None if replaces is None else (
                {"verifier": "S5", "cut": result["c"]} if replaces
                else {"verifier": "S2", "cut": S2_CUT}),
            **summary(load(args.bundle), load(args.fit)),
            "inputs": {k: str(x) for k, x in vars(args).items()
                       if k != "out" and (k != "rule" or args.rule != "S5")},
            "run": run_record()}
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    mark = {True: "pass", False: "FAIL", None: "pending"}
    sets = tuple(r["decision_sets"])
    letter = "e" if "e" in r else "d"
    if "R2_cut" in r:
        print(f"F = {r['F']} ({r['F_parts']}); Q = {r['Q']} ({r['Q_check']}); S2's cut at F "
              f"(R2's) {r['R2_cut']:.6f}")
    print(f"F = {r['F']}; Q = {r['Q']}; c = {r['c']:.6f} (S5's pairs:qqp false hits there "
          f"{r['S5_quora_false_hits_at_c']})\n")
    at_table(r["at"], "d48", sets, "")
    print(f"\nmatched false hits on {', '.join(sets)} "
          "(rate: at most n; S2 cut, recall; S5 cut, recall; points)")
    for x in r["curve"]:
        print(f"  {x['rate']:.1%}: <= {x['false_hits_at_most']}; S2 {x['S2']['cut']:.6f} "
              f"{x['S2']['recall']:.2%} ({x['S2']['hits']}, {x['S2']['false_hits']} FH); S5 "
              f"{x['S5']['cut']:.6f} {x['S5']['recall']:.2%} ({x['S5']['hits']}, "
              f"{x['S5']['false_hits']} FH); {x['points']:+.2f}")
    a, b, c, e = r["a"], r["b"], r["c_check"], r[letter]
    print(f"\n(a) S5 at c {a['S5_recall']:.2%} ({a['S5_hits']}) against S2 {a['S2_recall']:.2%} "
          f"({a['S2_hits']}) of {a['positives']}: {a['points']:+.2f} points (needs "
          f"+{a['needs']}): "
          f"{mark[a['pass']]}")
    print("(b) " + ", ".join(f"{s} S5 {v['S5_hits']} / S2 {v['S2_hits']} of {v['positives']} "
                             f"({v['points']:+.2f})" for s, v in b["by_set"].items())
          + f" (each needs +{b['needs']}): {mark[b['pass']]}")
    print("(c) " + str({k: v for k, v in c.items() if k != "other_answers"}))
    for label, cells in c.get("other_answers", {}).items():
        for what, v in cells.items():
            print(f"    {label} another entry answered, {what}: {v['n']} {v['by_kind']}; "
                  f"the other lookup: {v['other_outcome']}")
    print(f"({letter}) " + str({k: v for k, v in e.items() if k != "rounds"})
          + f": {mark[e['pass']]}")
    for what, v in r["disagreements_at_c"].items():
        print(f"{what}: {v['n']} {v['by_kind']}")
    print(f"\nverdict: S5 replaces S2: {r['S5_replaces_S2']}; ships {r['ships']}")


if __name__ == "__main__":
    raise SystemExit(main())
