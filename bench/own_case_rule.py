"""The rule for a new version of the own-case check (``narrowing.own_case``, this tree's)
against the shipped one (``--old``: ``narrowing.own_case`` as committed at that revision),
over decision sets given by name (``--sets``; the newest of them, which showed the shape,
reported apart: ``--newest``). Session 19: v3 against v2 (d9cb83a) over D19 (heldout9-11,
14-29; newest heldout28-29). Session 18's run (v2 against v1 over D18) is this script at
d9cb83a.

    D19="heldout9 heldout10 heldout11 $(printf 'heldout%s ' $(seq 14 29))"
    # 1. outside the decision sets, the pairs where the two versions may differ: the new
    #    one at cosine 0 (it fires at no higher cosine only) and not the old one's
    #    cosine-free part (at cosine 1), or the other way round
    .venv/bin/python bench/own_case_rule.py fire --old d9cb83a --sets $D19 \
        --out /tmp/fired.jsonl
    # 2. the shipped stack's rows of them, the check off (step 3 reads both versions)
    .venv/bin/python bench/cache_losses.py --no-own-case --sets /tmp/fired.jsonl \
        --pairs-out /tmp/fired-rows.jsonl
    # 3. the rule, on the lead's rows of the decision sets (the shipped stack, --old's
    #    check on) and step 2's
    .venv/bin/python bench/own_case_rule.py decide --old d9cb83a \
        --decision /work/base/base-D19-d9cb83a-pairs.jsonl --newest heldout28 heldout29 \
        --fired /tmp/fired.jsonl --fired-rows /tmp/fired-rows.jsonl \
        --listing bench/results/own-case-listing-session19.json \
        --passed-paraphrases 1536 --out bench/results/own-case-session19.json

The check only refuses a pair the verifier passed, so the rows say what either version
does. The rules are the lead's, quoted in docs/cache-history.md "Session 18: own_case v2
(the writer's plan, no event)" and "Session 19: own_case v3 (the writer's situation, then a
new ask)".
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extra_ask_rule import at_revision, hit, listed, others, per, rates, write_fired
from run_record import run_record

from llm_router.cache import narrowing
from llm_router.cache.narrowing import own_case
from llm_router.cache.pair_features import TextView
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402
from train.cache_verifier.stack_fit import load_pairs  # noqa: E402

F_MIN, F_SETS, F_OLDER = 6, 3, 3  # refused false hits; their sets; those outside --newest
R_SHARE = 0.5  # R <= R_SHARE * F
R2_SHARE = 0.005  # R2 <= F2 + R2_SHARE * the paraphrases the stack passes outside
LONGER = 2.0  # "much longer": at least twice the cached text's words and 5 more

Check = Callable[[TextView, TextView, str, str, float], bool]


def shipped(old: str) -> Check:
    """``narrowing.own_case`` as committed at ``old`` (the shipped version)."""
    check: Check = at_revision(narrowing, "own_case", old)
    return check


def fire(old: str, decision: tuple[str, ...], out: Path) -> None:
    """The pairs outside ``decision`` where this tree's check and ``old``'s may differ."""
    view = functools.cache(shared_verifier().vocabulary.view)
    before = shipped(old)
    pairs = others(decision)
    started = time.process_time()
    fired = []
    for p in pairs:
        a, b = view(p["a"]), view(p["b"])
        new = own_case(a, b, p["a"], p["b"], 0.0)
        if (new and not before(a, b, p["a"], p["b"], 1.0)) or (
                not new and before(a, b, p["a"], p["b"], 0.0)):
            fired.append(p)
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, the versions may differ on {len(fired):,} ({spent:.1f} s "
          f"CPU, views included); wrote {out}")


def support_style(names: list[str]) -> dict[tuple[str, str], bool]:
    """Whether each (set, id) of the named sets was written in a ``src/p_s_*`` file."""
    return {(p["set"], p["id"]): p["traffic"] == "support" for p in load_pairs(tuple(names))}


def judged(rows: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """The rows with ``version``'s verdict (``old`` or ``new``) as the check's (``own``)."""
    for r in rows:
        r["own"] = r[version]
    return rows


def changed(rows: list[dict[str, Any]], floor: float, cut: float) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows the stack passes with the old version and not the new (refused), and the
    other way round (passed)."""
    old = [hit(r, floor, cut, False) for r in judged(rows, "old")]
    new = [hit(r, floor, cut, False) for r in judged(rows, "new")]
    return ([r for r, o, n in zip(rows, old, new, strict=True) if o and not n],
            [r for r, o, n in zip(rows, old, new, strict=True) if n and not o])


def reach(rows: list[dict[str, Any]], views: dict[str, TextView], floor: float,
          cut: float) -> dict[str, int]:
    """The paraphrases the shipped stack passes through the verifier (not respelled) whose
    query is much longer (``LONGER``) or names a person the cached text does not: what a
    check on this shape could wrongly refuse."""
    out: Counter[str] = Counter()
    for r in judged(rows, "old"):
        if not (r["label"] and r["respelling"] is None and hit(r, floor, cut, False)):
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
        out["over_the_band"] += (longer or person) and r["similarity"] >= narrowing.PLAN_COSINE
    return dict(out)


def decide(old: str, decision: Path, newest: tuple[str, ...], fired: Path, fired_rows: Path,
           listing: Path, out: Path, passed_paraphrases: int | None) -> None:
    config = CacheConfig()
    floor = config.verifier_floor
    verifier = shared_verifier()
    cut = config.verifier_threshold or verifier.threshold
    before = shipped(old)
    rows, others_rows = read_jsonl(decision), read_jsonl(fired_rows)
    if [(r["a"], r["b"]) for r in others_rows] != [(p["a"], p["b"]) for p in read_jsonl(fired)]:
        raise SystemExit(f"{fired_rows} are not the stack's rows of {fired}")
    if any(r.get("own") or r.get("narrowed") for r in others_rows):
        raise SystemExit(f"{fired_rows}: run cache_losses with --no-own-case")
    views = {text: verifier.vocabulary.view(text)
             for r in rows + others_rows for text in (r["a"], r["b"])}
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    for version, check in [("old", before), ("new", own_case)] * 2:  # a lookup holds the views
        started = time.process_time()
        for r in rows:
            r[version] = r["p"] is not None and check(views[r["a"]], views[r["b"]], r["a"],
                                                      r["b"], r["similarity"])
        cpu[version].append(round(1e6 * (time.process_time() - started) / len(rows), 1))
    if any(r["old"] != r["own"] for r in rows):
        raise SystemExit(f"{decision}'s own-case check was not {old}'s")
    for r in others_rows:
        r["old"] = before(views[r["a"]], views[r["b"]], r["a"], r["b"], r["similarity"])
        r["new"] = own_case(views[r["a"]], views[r["b"]], r["a"], r["b"], r["similarity"])
    names = list(dict.fromkeys(r["set"] for r in rows))
    support = support_style(names)
    (refused, passed), (refused2, passed2) = (changed(rows, floor, cut),
                                              changed(others_rows, floor, cut))
    big_f = [r for r in refused if not r["label"]]
    big_r = sum(1 for r in refused if r["label"])
    r2 = sum(1 for r in refused2 if r["label"])
    f2 = sum(1 for r in refused2 if not r["label"])
    f_sets = {r["set"] for r in big_f}
    older = sum(1 for r in big_f if r["set"] not in newest)
    r2_met = r2 <= f2 or (passed_paraphrases is not None
                          and r2 <= f2 + R2_SHARE * passed_paraphrases)
    rest = "F_outside_" + "-".join(newest)
    rule = {"F": len(big_f), "R": big_r, "F_sets": sorted(f_sets), rest: older,
            "R2": r2, "F2": f2, "passed_paraphrases_others": passed_paraphrases,
            f"F>={F_MIN}": len(big_f) >= F_MIN, f"F_sets>={F_SETS}": len(f_sets) >= F_SETS,
            f"{rest}>={F_OLDER}": older >= F_OLDER,
            "R<=F/2": big_r <= R_SHARE * len(big_f), "R2<=F2+0.5%": r2_met}
    rule["ships"] = (len(big_f) >= F_MIN and len(f_sets) >= F_SETS and older >= F_OLDER
                     and big_r <= R_SHARE * len(big_f) and r2_met)

    def both(subset: list[dict[str, Any]]) -> dict[str, Any]:
        return {"old": rates(judged(subset, "old"), floor, cut, False),
                "new": rates(judged(subset, "new"), floor, cut, False)}

    hand = json.loads(listing.read_text(encoding="utf-8"))
    by_id = {(r["set"], r["id"]): r for r in rows}
    classes: dict[str, Counter[str]] = {}
    for item in hand["false_hits"]:
        row = by_id[(item["set"], item["id"])]
        cell = classes.setdefault(item["class"], Counter())
        cell["n"] += 1
        cell["newest" if item["set"] in newest else "older"] += 1
        cell["new_refuses"] += row in big_f
    result: dict[str, Any] = {
        "rule": "docs/cache-history.md, Session 19: own_case v3 (the writer's situation, "
                "then a new ask)",
        "old": old, "floor": floor, "cut": cut, "plan_cosine": narrowing.PLAN_COSINE,
        "decision_sets": names, "newest": list(newest),
        "rule_figures": rule,
        "all": both(rows),
        "support_style": both([r for r in rows if support[(r["set"], r["id"])]]),
        "general": both([r for r in rows if not support[(r["set"], r["id"])]]),
        "older": both([r for r in rows if r["set"] not in newest]),
        "newest_sets": both([r for r in rows if r["set"] in newest]),
        "by_set": {n: both([r for r in rows if r["set"] == n]) for n in names},
        "refused_decision": per(refused), "refused_decision_pairs": listed(refused),
        "passed_decision_pairs": listed(passed),
        "listing": {"false_hits_by_class": {k: dict(v) for k, v in classes.items()},
                    "paraphrases_within_reach": reach(rows, views, floor, cut)},
        "others": {**{k: v for k, v in json.loads(fired.with_suffix(".json").read_text())
                      .items() if k != "cpu_s"},
                   "refused": per(refused2), "refused_pairs": listed(refused2),
                   "passed_pairs": listed(passed2)},
        "cpu_us_per_pair": cpu,  # process time, each version twice, in turn
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(rule, indent=1))
    print("\n".join(result["refused_decision_pairs"] + result["passed_decision_pairs"]
                    + result["others"]["refused_pairs"] + result["others"]["passed_pairs"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs outside the decision sets where the versions "
                                    "may differ")
    f.add_argument("--sets", nargs="+", required=True, help="the decision sets' names")
    f.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("decide", help="the rule's figures")
    for command in (f, d):
        command.add_argument("--old", required=True,
                             help="the revision whose own_case is the shipped version")
    d.add_argument("--decision", type=Path, required=True,
                   help="cache_losses --pairs-out rows of the decision sets (the shipped "
                        "stack, --old's check on)")
    d.add_argument("--newest", nargs="+", required=True,
                   help="the newest decision sets, reported apart (the rule wants false "
                        "hits refused outside them too)")
    d.add_argument("--fired", type=Path, required=True, help="fire's --out")
    d.add_argument("--fired-rows", type=Path, required=True,
                   help="cache_losses --no-own-case --pairs-out rows of fire's pairs")
    d.add_argument("--listing", type=Path, required=True,
                   help="the hand listing of the decision sets' false hits (set, id, class)")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--passed-paraphrases", type=int, default=None,
                   help="the paraphrases the stack passes outside the decision sets (the "
                        "rule's 0.5 %%; needed only where R2 > F2)")
    args = parser.parse_args()
    if args.command == "fire":
        fire(args.old, tuple(args.sets), args.out)
    else:
        decide(args.old, args.decision, tuple(args.newest), args.fired, args.fired_rows,
               args.listing, args.out, args.passed_paraphrases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
