"""Session 18's rule for the own-case check's v2 (``narrowing.own_case``: besides session
17's told event, a query that asks a question and a further request, under
``narrowing.PLAN_COSINE``) against v1, the shipped check. v1 is ``own_case`` read at a
cosine over the band (the told event alone); ``decide`` checks that it gives the decision
rows' ``own`` (made by the shipped v1) on every row.

    # 1. outside D18, the pairs v2 fires on and v1 does not (no cosine yet: read as 0;
    #    the band is applied to the stack's rows in step 3)
    .venv/bin/python bench/own_case_rule.py fire --out /tmp/fired.jsonl
    # 2. the shipped stack's rows of them (v1 fires on none of them: the check off)
    .venv/bin/python bench/cache_losses.py --no-own-case --sets /tmp/fired.jsonl \\
        --pairs-out /tmp/fired-rows.jsonl
    # 3. the rule, on the lead's rows of D18 (the shipped stack, v1 on) and step 2's
    .venv/bin/python bench/own_case_rule.py decide \\
        --decision /work/base/base-D-2150edf-pairs.jsonl --fired /tmp/fired.jsonl \\
        --fired-rows /tmp/fired-rows.jsonl \\
        --listing bench/results/own-case-listing-session18.json \\
        --out bench/results/own-case-v2-session18.json

The check only refuses a pair the verifier passed, so the rows say what it changes. The
rule is the lead's, quoted in docs/cache-history.md "Session 18: own_case v2 (the writer's
plan, no event)".
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from extra_ask_rule import listed, newly, others, own_case_v1, per, rates, write_fired
from run_record import run_record

from llm_router.cache import narrowing
from llm_router.cache.narrowing import own_case
from llm_router.cache.pair_features import TextView
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402
from train.cache_verifier.stack_fit import load_pairs  # noqa: E402

D18 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 28)))
NEWEST = ("heldout26", "heldout27")
F_MIN, F_SETS, F_OLDER = 6, 3, 3  # refused false hits; their sets; those of heldout9-25
R_SHARE = 0.5  # R <= R_SHARE * F
R2_SHARE = 0.005  # R2 <= F2 + R2_SHARE * the paraphrases the stack passes outside D18
LONGER = 2.0  # "much longer": at least twice the cached text's words and 5 more


def fire(out: Path) -> None:
    """The pairs outside D18 that v2 (at cosine 0) refuses and v1 does not."""
    view = functools.cache(shared_verifier().vocabulary.view)
    pairs = others(D18)
    started = time.process_time()
    fired = [p for p in pairs
             if own_case(view(p["a"]), view(p["b"]), p["a"], p["b"], 0.0)
             and not own_case_v1(view(p["a"]), view(p["b"]), p["a"], p["b"])]
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, v2 alone fires on {len(fired):,} ({spent:.1f} s CPU, "
          f"views included); wrote {out}")


def support_style(names: list[str]) -> dict[tuple[str, str], bool]:
    """Whether each (set, id) of the named sets was written in a ``src/p_s_*`` file."""
    return {(p["set"], p["id"]): p["traffic"] == "support" for p in load_pairs(tuple(names))}


def reach(rows: list[dict[str, Any]], views: dict[str, TextView], floor: float,
          cut: float) -> dict[str, int]:
    """The paraphrases the shipped stack passes through the verifier (not respelled) whose
    query is much longer (``LONGER``) or names a person the cached text does not: what a
    check on this shape could wrongly refuse."""
    out: Counter[str] = Counter()
    for r in rows:
        if not (r["label"] and r["respelling"] is None and r["p"] is not None
                and r["similarity"] >= floor and r["p"] >= cut
                and not (r["more"] or r["own"])):
            continue
        a, b = views[r["a"]], views[r["b"]]
        longer = len(b.words) >= LONGER * len(a.words) and len(b.words) >= len(a.words) + 5
        person = not narrowing._PERSONS.isdisjoint(b.words) and narrowing._PERSONS.isdisjoint(
            a.words)
        out["passed_by_the_verifier"] += 1
        out["much_longer"] += longer
        out["person_added"] += person
        out["both"] += longer and person
        out["either"] += longer or person
        out["under_the_band"] += (longer or person) and r["similarity"] < narrowing.PLAN_COSINE
    return dict(out)


def decide(decision: Path, fired: Path, fired_rows: Path, listing: Path, out: Path,
           passed_paraphrases: int | None) -> None:
    config = CacheConfig()
    floor = config.verifier_floor
    verifier = shared_verifier()
    cut = config.verifier_threshold or verifier.threshold
    rows, others_rows = read_jsonl(decision), read_jsonl(fired_rows)
    if [(r["a"], r["b"]) for r in others_rows] != [(p["a"], p["b"]) for p in read_jsonl(fired)]:
        raise SystemExit(f"{fired_rows} are not the stack's rows of {fired}")
    if any(r.get("own") or r.get("narrowed") for r in others_rows):
        raise SystemExit(f"{fired_rows}: run cache_losses with --no-own-case")
    views = {text: verifier.vocabulary.view(text)
             for r in rows + others_rows for text in (r["a"], r["b"])}
    if any(r["p"] is not None
           and own_case_v1(views[r["a"]], views[r["b"]], r["a"], r["b"]) != r["own"]
           for r in rows):
        raise SystemExit(f"{decision}'s own-case check was not v1")
    started = time.process_time()  # v2 alone: a lookup holds both views already
    for r in rows:
        r["fires"] = r["p"] is not None and own_case(views[r["a"]], views[r["b"]], r["a"],
                                                     r["b"], r["similarity"])
    spent = time.process_time() - started
    for r in others_rows:  # the band on the stack's cosine; v1 refuses none of them
        r["fires"] = own_case(views[r["a"]], views[r["b"]], r["a"], r["b"], r["similarity"])
    names = list(dict.fromkeys(r["set"] for r in rows))
    support = support_style(names)
    refused, refused2 = newly(rows, floor, cut), newly(others_rows, floor, cut)
    big_f = [r for r in refused if not r["label"]]
    big_r = sum(1 for r in refused if r["label"])
    r2 = sum(1 for r in refused2 if r["label"])
    f2 = sum(1 for r in refused2 if not r["label"])
    f_sets = {r["set"] for r in big_f}
    older = sum(1 for r in big_f if r["set"] not in NEWEST)
    r2_met = r2 <= f2 or (passed_paraphrases is not None
                          and r2 <= f2 + R2_SHARE * passed_paraphrases)
    rule = {"F": len(big_f), "R": big_r, "F_sets": sorted(f_sets), "F_heldout9-25": older,
            "R2": r2, "F2": f2, "passed_paraphrases_others": passed_paraphrases,
            f"F>={F_MIN}": len(big_f) >= F_MIN, f"F_sets>={F_SETS}": len(f_sets) >= F_SETS,
            f"F_heldout9-25>={F_OLDER}": older >= F_OLDER,
            "R<=F/2": big_r <= R_SHARE * len(big_f), "R2<=F2+0.5%": r2_met}
    rule["ships"] = (len(big_f) >= F_MIN and len(f_sets) >= F_SETS and older >= F_OLDER
                     and big_r <= R_SHARE * len(big_f) and r2_met)

    def both(subset: list[dict[str, Any]]) -> dict[str, Any]:
        return {"v1": rates(subset, floor, cut, False), "v2": rates(subset, floor, cut, True)}

    hand = json.loads(listing.read_text(encoding="utf-8"))
    by_id = {(r["set"], r["id"]): r for r in rows}
    classes: dict[str, Counter[str]] = {}
    for item in hand["false_hits"]:
        row = by_id[(item["set"], item["id"])]
        cell = classes.setdefault(item["class"], Counter())
        cell["n"] += 1
        cell["heldout26-27" if item["set"] in NEWEST else "heldout9-25"] += 1
        cell["v2_refuses"] += row in big_f
    result: dict[str, Any] = {
        "rule": "docs/cache-history.md, Session 18: own_case v2 (the writer's plan, no event)",
        "floor": floor, "cut": cut, "plan_cosine": narrowing.PLAN_COSINE,
        "decision_sets": names,
        "rule_figures": rule,
        "all": both(rows),
        "support_style": both([r for r in rows if support[(r["set"], r["id"])]]),
        "general": both([r for r in rows if not support[(r["set"], r["id"])]]),
        "heldout9-25": both([r for r in rows if r["set"] not in NEWEST]),
        "heldout26-27": both([r for r in rows if r["set"] in NEWEST]),
        "by_set": {n: both([r for r in rows if r["set"] == n]) for n in names},
        "refused_decision": per(refused), "refused_decision_pairs": listed(refused),
        "listing": {"false_hits_by_class": {k: dict(v) for k, v in classes.items()},
                    "paraphrases_within_reach": reach(rows, views, floor, cut)},
        "others": {**{k: v for k, v in json.loads(fired.with_suffix(".json").read_text())
                      .items() if k != "cpu_s"},
                   "refused": per(refused2), "refused_pairs": listed(refused2)},
        "cpu_us_per_pair": round(1e6 * spent / max(len(rows), 1), 1),  # process time
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(rule, indent=1))
    print("\n".join(result["refused_decision_pairs"] + result["others"]["refused_pairs"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs outside D18 v2 refuses and v1 does not")
    f.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("decide", help="the rule's figures")
    d.add_argument("--decision", type=Path, required=True,
                   help="cache_losses --pairs-out rows of D18 (the shipped stack, v1 on)")
    d.add_argument("--fired", type=Path, required=True, help="fire's --out")
    d.add_argument("--fired-rows", type=Path, required=True,
                   help="cache_losses --no-own-case --pairs-out rows of fire's pairs")
    d.add_argument("--listing", type=Path, required=True,
                   help="the hand listing of D18's false hits (set, id, class)")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--passed-paraphrases", type=int, default=None,
                   help="the paraphrases the stack passes outside D18 (the rule's 0.5 %%; "
                        "needed only where R2 > F2)")
    args = parser.parse_args()
    if args.command == "fire":
        fire(args.out)
    else:
        decide(args.decision, args.fired, args.fired_rows, args.listing, args.out,
               args.passed_paraphrases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
