"""Does S5 part context pairs? (session 30, helper i13, recipe R-c of "Session 27: what S5
refuses"; a diagnostic on seen data, decides nothing).

The training sets train13a-d and train16a-b hold matched sets written around one short general
question: a longer text asking the same thing with context that does not change the answer
(``added_context``, label 1) and a longer text about a specific case, or the same plus more
(``specific_case`` / ``added_request``, label 0). The writers of the held-out sets reword
queries the same way ("My son lives in Rotterdam; would you be able to post our tea to him
there?" for "Can you send a parcel of tea to the Netherlands?"), and S5 refuses many of them.
If S5 parts the training kinds, weighting them up is a cheap next fit (data); if it does not
part even the pairs it trained on, it is capacity.

    pairs   the bundle's pairs of the three kinds (``refusal_families.py labels`` of S5's
            bundle, ``--rule session25``), every other bundle pair of the added-situation
            shape and with ``--kinds`` every pair of those kinds, as a pair-set file
            ``bench/cache_losses.py --sets`` reads; ids ``<source>:<bundle index>``,
            ``group`` the matched set's short text, ``shape`` context / situation / kind
    run     the figures: per kind found / refused at the shipped floor and cut (the stage
            from ``cache_losses.stage``), S5's p by band and quantiles, the AUC of p for the
            positives against the negatives, the matched sets' order (the positive's p over
            the negative's on one short text), examples; the same on the seen writer sets'
            rows for pairs of the "added situation" shape (``situation``), any kind, and the
            reworded positives S5 refuses there that have the shape, with a seeded draw to
            check by hand

The "added situation" shape (``situation``): the longer text (by words) is at least 1.5 times
the shorter and 5 words longer, and holds a clause (split at ``. ; : ! ? ,``, a dash, or the
words and / but / because / since / as / though / while) with a first-person word (I,
me, my, we, us, our and their contractions) and at least two content words
(``refusal_families.content``), none of them in the shorter text, that does not open with a
question word, an auxiliary or a condition (``ASKS``: can, would, is, how, what, if, after,
...), in a text of two clauses or more: a statement about the asker that the other text does
not hold, beside the question. The shorter text must hold no such clause
against the longer one. It is a heuristic: the run draws 30 flagged refusals to read.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import label_audit  # noqa: E402
from cache_losses import stage  # noqa: E402
from refusal_families import WORD, content, read_jsonl  # noqa: E402
from run_record import run_record  # noqa: E402

FLOOR, CUT = 0.5, 0.916959
KINDS = {"added_context": 1, "specific_case": 0, "added_request": 0}
# The writers' kinds (the held-out template's) and the three context kinds: the bundle's
# hand-written pairs, which the containment split and its AUC read (Quora's, the generated
# and the mined pairs of the shape are counted by kind only).
HAND = frozenset({"abbreviation", "formality", "reorder", "reworded", "short_long", "synonym",
                  "typo", "direction_swap", "entity_swap", "intent_shift", "near_topic",
                  "negation", "number_swap", "time_swap", "unit_swap", *KINDS})
SEED = 30
BANDS = ((0.0, 0.1), (0.1, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, CUT), (CUT, 1.01))
FIRST = frozenset(re.split(r"\s+", """i i'm i've i'd i'll me my mine myself we we're we've we'd
we'll us our ours ourselves im ive"""))
# A clause opening with one of these asks or sets a condition: not a statement of the asker's.
ASKS = frozenset(re.split(r"\s+", """can could would will do does did is are was were am have has
how what where when why which who whom whose should shall may might must any anyone please if
unless after before once until"""))
CLAUSE = re.compile(r"[.;:!?,()]|\s[-\u2013\u2014]\s|\b(?:and|but|because|since|as|though|"
                    r"while)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def added_clauses(longer: str, shorter: str) -> list[str]:
    """The longer text's clauses that state something (not opening with a question word or
    an auxiliary) with a first-person word and >= 2 content words, none of them in the
    shorter text."""
    other = content(shorter)
    clauses = [c for c in CLAUSE.split(longer) if words(c)]
    out = []
    for clause in clauses if len(clauses) >= 2 else []:
        ws = words(clause)
        own = content(clause)
        if (ws[0].split("'")[0] not in ASKS and set(ws) & FIRST and len(own) >= 2
                and not own & other):
            out.append(clause.strip())
    return out


def situation(a: str, b: str) -> bool:
    """Whether the pair has the "added situation" shape (the module's docstring)."""
    na, nb = len(words(a)), len(words(b))
    longer, shorter = (a, b) if na >= nb else (b, a)
    nl, ns = max(na, nb), max(min(na, nb), 1)
    if nl < 1.5 * ns or nl - ns < 5:
        return False
    return bool(added_clauses(longer, shorter)) and not added_clauses(shorter, longer)


def containment(a: str, b: str) -> float:
    """The share of the shorter text's content words that the longer holds (1.0 when the
    shorter has none)."""
    short, long_ = sorted((a, b), key=lambda t: len(words(t)))
    own = content(short)
    return len(own & content(long_)) / len(own) if own else 1.0


def auc(pos: list[float], neg: list[float]) -> float | None:
    """P(a positive's p > a negative's), ties half (Mann-Whitney)."""
    if not pos or not neg:
        return None
    ranked = sorted([(p, 1) for p in pos] + [(p, 0) for p in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # ranks i+1 .. j
        rank_sum += mid * sum(lab for _, lab in ranked[i:j])
        i = j
    n1, n0 = len(pos), len(neg)
    return round((rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0), 4)


def band_counts(ps: list[float]) -> dict[str, int]:
    return {f"{lo:g}-{min(hi, 1):g}": sum(lo <= p < hi for p in ps) for lo, hi in BANDS}


def quantiles(ps: list[float]) -> dict[str, float] | None:
    if len(ps) < 2:
        return None
    q = statistics.quantiles(ps, n=20, method="inclusive")
    return {"p10": round(q[1], 4), "p25": round(q[4], 4), "median": round(q[9], 4),
            "p75": round(q[14], 4), "p90": round(q[17], 4), "mean": round(statistics.mean(ps), 4)}


def verdicts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Found (positives) or passed (negatives) at the shipped floor and cut, the stages that
    decide the rest, and p's spread (pairs the amounts check refuses have no p)."""
    c: Counter[str] = Counter(n=0, hit=0, refused=0)
    for r in rows:
        where, hit = stage(r, FLOOR, CUT)
        c["n"] += 1
        c[("hit:" if hit else "refused:") + where] += 1
        c["hit" if hit else "refused"] += 1
    ps = [r["p"] for r in rows if r["p"] is not None]
    return {**dict(sorted(c.items())), "p_bands": band_counts(ps), "p": quantiles(ps)}


def example(r: dict[str, Any]) -> dict[str, Any]:
    where, hit = stage(r, FLOOR, CUT)
    return {"set": r["set"], "id": r["id"], "kind": r["kind"], "label": r["label"],
            "a": r["a"], "b": r["b"], "similarity": round(r["similarity"], 4),
            "p": None if r["p"] is None else round(r["p"], 4), "stage": where, "hit": hit}


def examples(pos: list[dict[str, Any]], neg: list[dict[str, Any]], k: int,
             rng: random.Random) -> dict[str, Any]:
    """``k`` refused positives (a seeded draw) and the ``k`` negatives S5 scores highest
    (the ones that pass first)."""
    refused = [r for r in pos if not stage(r, FLOOR, CUT)[1]]
    top = sorted((r for r in neg if r["p"] is not None), key=lambda r: -r["p"])[:k]
    return {"positives_refused": [example(r) for r in rng.sample(refused, min(k, len(refused)))],
            "negatives_highest_p": [example(r) for r in top]}


def part(pos: list[dict[str, Any]], neg: list[dict[str, Any]]) -> dict[str, Any]:
    """The AUC of p, positives against negatives (pairs with a p)."""
    return {"positives": len(pos), "negatives": len(neg),
            "auc": auc([r["p"] for r in pos if r["p"] is not None],
                       [r["p"] for r in neg if r["p"] is not None])}


def matched(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per matched set (one short text, ``group``): each positive against each negative on
    it, the share where the positive's p is the higher (ties half), and both verdicts."""
    groups: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        groups[r["group"]][r["label"]].append(r)
    n = wins = both_ok = 0
    for g in groups.values():
        for p in g[1]:
            for q in g[0]:
                if p["p"] is None or q["p"] is None:
                    continue
                n += 1
                wins += 1 if p["p"] > q["p"] else 0.5 if p["p"] == q["p"] else 0  # type: ignore
                both_ok += stage(p, FLOOR, CUT)[1] and not stage(q, FLOOR, CUT)[1]
    return {"sets_with_both": sum(1 for g in groups.values() if g[1] and g[0]),
            "positive_negative_pairs": n,
            "positive_scored_higher": round(wins / n, 4) if n else None,
            "both_right_at_cut": both_ok}


def wilson(k: int, n: int) -> list[float] | None:
    """The Wilson 95 % interval of k of n (``label_audit.wilson``, 4 digits); None of none."""
    return label_audit.wilson(k, n, digits=4) if n else None


def hand_check(path: Path, writer: dict[str, Any]) -> dict[str, Any]:
    """A reader's labels of the two draws (``{"flagged": {set:id: value}, "missed": ...}``,
    values "yes..." or "no"), checked against the draws, and what they say of the refused
    reworded positives: the flagged ones of the shape (precision) and the unflagged ones of
    it (misses), each scaled to its whole with a Wilson interval."""
    labels = json.loads(path.read_text())
    rew = writer["reworded"]
    out: dict[str, Any] = {"file": str(path), "reader": labels.get("reader")}
    for name, draw, whole in (("flagged", "hand_check_draw", rew["situation_refused"]),
                              ("missed", "miss_check_draw",
                               rew["refused"] - rew["situation_refused"])):
        ids = [f"{r['set']}:{r['id']}" for r in writer[draw]]
        if sorted(ids) != sorted(labels[name]):
            raise SystemExit(f"{path}: the {name} labels are not the run's draw")
        yes = sum(v.startswith("yes") for v in labels[name].values())
        ci = wilson(yes, len(ids))
        out[name] = {"read": len(ids), "yes": yes, "values": dict(Counter(labels[name].values())),
                     "share_ci": ci, "of": whole,
                     "estimate": round(whole * yes / len(ids), 1) if ids else None,
                     "estimate_ci": None if ci is None else [round(whole * c, 1) for c in ci]}
    return out


def pairs(args: argparse.Namespace) -> None:
    """The bundle's pairs of the three kinds (``shape`` "context") and every other bundle
    pair of the added-situation shape (``shape`` "situation", kind as the bundle has it: the
    held sets' rewordings, intent shifts, Quora's, mined ones)."""
    rows = read_jsonl(args.labels)
    out = []
    for i, r in enumerate(rows):
        context = r["kind"] in KINDS
        if context and r["label"] != KINDS[r["kind"]]:
            raise SystemExit(f"bundle pair {i}: kind {r['kind']} with label {r['label']}")
        if context or situation(r["a"], r["b"]) or r["kind"] in args.kinds:
            short = min(r["a"], r["b"], key=lambda t: len(words(t)))
            out.append({"id": f"{r['source']}:{i}", "a": r["a"], "b": r["b"],
                        "label": r["label"], "kind": r["kind"] or r["source"],
                        "domain": r["source"], "group": f"{r['source']}|{short}",
                        "shape": "context" if context else "situation"
                        if situation(r["a"], r["b"]) else "kind"})
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out),
                        encoding="utf-8")
    print(f"{args.out}: {len(out)} pairs {dict(Counter(r['shape'] for r in out))}")


def by_containment(pos: list[dict[str, Any]], neg: list[dict[str, Any]]) -> dict[str, Any]:
    """Added-situation pairs split by whether the longer text keeps the shorter's words
    (``containment`` >= 0.5, the question kept and a situation added, as train13 / train16's
    ``added_context``) or rewords them (< 0.5, the situation standing for part of the
    question): per side the verdicts, and the AUC against all the negatives given."""
    out: dict[str, Any] = {}
    for name, keep in (("kept", True), ("reworded", False)):
        side = [r for r in pos if (containment(r["a"], r["b"]) >= 0.5) == keep]
        out[f"positives_{name}"] = verdicts(side)
        out[f"auc_{name}"] = part(side, neg)
        out[f"negatives_{name}"] = verdicts(
            [r for r in neg if (containment(r["a"], r["b"]) >= 0.5) == keep])
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(SEED)
    made = {r["id"]: r for r in read_jsonl(args.bundle_pairs)}
    every = read_jsonl(args.bundle_rows)
    for r in every:
        r["group"], r["shape"] = made[r["id"]]["group"], made[r["id"]]["shape"]
    bundle = [r for r in every if r["shape"] == "context"]
    shaped = [r for r in every if r["shape"] == "situation" or situation(r["a"], r["b"])]
    bpos = [r for r in bundle if r["kind"] == "added_context"]
    bneg = [r for r in bundle if r["kind"] in ("specific_case", "added_request")]
    bundle_part = {
        "by_kind": {k: verdicts([r for r in bundle if r["kind"] == k]) for k in KINDS},
        "by_source": {s: verdicts([r for r in bundle if r["id"].split(":")[0] == s])
                      for s in sorted({r["id"].split(":")[0] for r in bundle})},
        "auc": part(bpos, bneg),
        "auc_specific_case": part(bpos, [r for r in bneg if r["kind"] == "specific_case"]),
        "auc_added_request": part(bpos, [r for r in bneg if r["kind"] == "added_request"]),
        "matched": matched(bundle),
        "situation_shape": {k: sum(situation(r["a"], r["b"]) for r in bundle if r["kind"] == k)
                            for k in KINDS},
        "situation_shape_verdicts": {
            k: verdicts([r for r in bundle if r["kind"] == k and situation(r["a"], r["b"])])
            for k in KINDS},
        "examples": examples(bpos, bneg, args.examples, rng),
        # every bundle pair of the added-situation shape, the three kinds' among them
        "situation": {
            "by_kind": {f"{'+' if lab else '-'}{k}": verdicts(
                [r for r in shaped if r["kind"] == k and r["label"] == lab])
                for k, lab in sorted({(r["kind"], r["label"]) for r in shaped},
                                     key=lambda x: (-x[1], x[0]))},
            **by_containment([r for r in shaped if r["label"] == 1 and r["kind"] in HAND],
                             [r for r in shaped if r["label"] == 0 and r["kind"] in HAND]),
            "examples": examples([r for r in shaped if r["label"] == 1 and containment(
                r["a"], r["b"]) < 0.5 and r["kind"] in HAND],
                [r for r in shaped if r["label"] == 0 and r["kind"] in HAND],
                args.examples, rng),
        },
        # the kinds pairs --kinds wrote whole: each with and without the shape
        "kinds": {f"{k}:{'situation' if sit else 'other'}": verdicts(
            [r for r in every if r["kind"] == k and situation(r["a"], r["b"]) == sit])
            for k in sorted({r["kind"] for r in every if r["shape"] == "kind"})
            for sit in (True, False)},
    }
    writers = [r for path in args.rows for r in read_jsonl(path)]
    hand = random.Random(SEED)  # the draws to read by hand, apart from the examples' draws
    sets = sorted({r["set"] for r in writers}, key=lambda s: int(re.sub(r"\D", "", s) or 0))
    for r in writers:
        r["situation"] = situation(r["a"], r["b"])
    wpos = [r for r in writers if r["label"] == 1 and r["situation"]]
    wneg = [r for r in writers if r["label"] == 0 and r["situation"]]
    reworded = [r for r in writers if r["kind"] == "reworded"]
    refused = [r for r in reworded if not stage(r, FLOOR, CUT)[1]]
    flagged = [r for r in refused if r["situation"]]
    writer_part = {
        "sets": sets,
        "pairs": len(writers),
        "situation_by_kind": {
            f"{'+' if lab else '-'}{k}": verdicts([r for r in writers if r["kind"] == k
                                                   and r["label"] == lab and r["situation"]])
            for k, lab in sorted({(r["kind"], r["label"]) for r in writers},
                                 key=lambda x: (-x[1], x[0]))},
        "situation_positives": verdicts(wpos),
        **by_containment(wpos, wneg),
        "situation_negatives": verdicts(wneg),
        "auc_situation": part(wpos, wneg),
        "reworded_situation": verdicts([r for r in wpos if r["kind"] == "reworded"]),
        "auc_reworded_situation": part([r for r in wpos if r["kind"] == "reworded"], wneg),
        "auc_reworded_kind": part(reworded, wneg),  # every reworded positive
        "auc_all": part([r for r in writers if r["label"] == 1],
                        [r for r in writers if r["label"] == 0]),
        "examples": examples(wpos, wneg, args.examples, rng),
        "reworded": {
            "positives": len(reworded), "refused": len(refused),
            "refused_verifier": sum(stage(r, FLOOR, CUT)[0] == "verifier" for r in refused),
            "refused_floor": sum(stage(r, FLOOR, CUT)[0] == "floor" for r in refused),
            "situation": sum(r["situation"] for r in reworded),
            "refused_rate": round(len(refused) / len(reworded), 4) if reworded else None,
            "situation_refused": len(flagged),
            "situation_refused_rate": round(len(flagged) / max(
                sum(r["situation"] for r in reworded), 1), 4),
            "situation_refused_verifier": sum(stage(r, FLOOR, CUT)[0] == "verifier"
                                              for r in flagged),
            "situation_refused_floor": sum(stage(r, FLOOR, CUT)[0] == "floor" for r in flagged),
            "situation_found": sum(r["situation"] and stage(r, FLOOR, CUT)[1] for r in reworded),
            "by_set": {s: {"positives": sum(r["set"] == s for r in reworded),
                           "refused": sum(r["set"] == s for r in refused),
                           "refused_verifier": sum(r["set"] == s and stage(r, FLOOR, CUT)[0]
                                                   == "verifier" for r in refused),
                           "situation_refused": sum(r["set"] == s for r in flagged),
                           "situation_refused_verifier": sum(
                               r["set"] == s and stage(r, FLOOR, CUT)[0] == "verifier"
                               for r in flagged)}
                       for s in sets},
        },
        "hand_check_draw": [
            {**example(r), "clauses": added_clauses(*sorted((r["a"], r["b"]),
                                                           key=lambda t: -len(words(t))))}
            for r in hand.sample(flagged, min(args.hand, len(flagged)))],
        # refused reworded positives the heuristic does not flag: read to see what it misses
        "miss_check_draw": [example(r) for r in hand.sample(
            [r for r in refused if not r["situation"]],
            min(args.hand, len(refused) - len(flagged)))],
    }
    if args.hand_labels is not None:
        writer_part["hand_check"] = hand_check(args.hand_labels, writer_part)
    return {"what": "S5 (cross.npz cffa0c35) at floor 0.5 and cut 0.916959 on context pairs: "
                    "the training bundle's added_context / specific_case / added_request pairs "
                    "(pairs S5 trained on) and the seen writer sets' pairs of the added-situation "
                    "shape (trained on by no verifier)",
            "floor": FLOOR, "cut": CUT, "seed": SEED,
            "bundle_rows": str(args.bundle_rows), "rows": [str(p) for p in args.rows],
            "bundle": bundle_part, "writers": writer_part}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pairs")
    p.add_argument("--labels", type=Path, required=True,
                   help="refusal_families.py labels' output for the bundle")
    p.add_argument("--kinds", nargs="*", default=[],
                   help="also every bundle pair of these kinds (shape \"kind\" when not of "
                        "the added-situation shape)")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("run")
    p.add_argument("--bundle-pairs", type=Path, required=True, help="pairs' output")
    p.add_argument("--bundle-rows", type=Path, required=True,
                   help="cache_losses.py --pairs-out rows of the bundle pairs")
    p.add_argument("--rows", type=Path, nargs="+", required=True,
                   help="cache_losses.py rows of the seen writer sets")
    p.add_argument("--examples", type=int, default=10)
    p.add_argument("--hand", type=int, default=30)
    p.add_argument("--hand-labels", type=Path, default=None,
                   help="a reader's labels of the two draws (hand_check's format)")
    p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "pairs":
        pairs(args)
        return 0
    result = run(args)
    result["run_record"] = run_record()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    b, w = result["bundle"], result["writers"]
    print(f"bundle AUC {b['auc']['auc']} (matched {b['matched']['positive_scored_higher']}); "
          f"writers' situation AUC {w['auc_situation']['auc']}; reworded refused "
          f"{w['reworded']['refused']}, of them situation {w['reworded']['situation_refused']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
