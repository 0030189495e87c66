"""The lead's rule R1 (session 27): a sign before a word in the respelling check. The rule,
quoted unchanged:

    R1: in the respelling check (layers/core/llm_router/cache/spelling.py, what
    `MatchPolicy.respelled` asks before the verifier), a '-' written directly before a letter
    at the start of a word (after white space or at the text's start: Forth's "-rot", a flag
    "-v") is part of that word, so "-rot" and "rot" are different words there; nothing else in
    the check changes. Verdicts: the shipped lookup (S5 at 0.916959, floor 0.5, every shipped
    check on) against the same lookup with R1, per pair (bench/cache_losses.py rows made with
    and without R1, or cache-probe's lookup, on the same pairs). Sets: every committed seen
    set, heldout1 .. heldout57 (all parts of each set's cache_pairs.jsonl) and
    bench/cache_pairs/heldout.jsonl (all parts). R1 ships iff (a) not one pair that the
    shipped lookup answers as a paraphrase (label 1, hit) is refused with R1, and (b) at least
    one false hit of the shipped lookup (label 0, hit) is refused with R1. Records: every pair
    whose verdict or stage moves, with both texts, and the number of pairs on which the
    respelling check's answer changes at all. Otherwise the check stays as it is. Why on seen
    sets: R1 reads a sign as meaning, a correction of a reading, not a tuned threshold; the
    only cost it can have is paraphrases lost, and (a) forbids any on the 57 writers' and
    Quora's pairs; the unseen sets at the session's end report it with the rest.

How it is read (the narrowest equivalent of rows over every pair that runs the shipped lookup
per pair): R1 changes ``spelling.tokens`` alone, and the lookup reads the respelling check
only through ``same_spelling`` (``MatchPolicy.respelled``: cached text, query); a pair whose
``same_spelling`` answer is the same with and without R1 takes the same path through the
lookup, so its row cannot move. Step 1: ``same_spelling`` as the lookup calls it (the shipped
verifier's word pieces, ``cache.synonyms``' table, ``cache.short_forms``) on every pair of the
sets, with this tree's ``spelling`` (R1) and with ``spelling`` as committed at ``--base``
(``extra_ask_rule.at_revision``): the pairs whose answer changes at all. Step 2:
``bench/cache_losses.py`` (its ``main``, default settings: the layer's S5 at its cut, floor
``cache.verifier_floor``, every shipped check) on those pairs twice, with R1 and with
``MatchPolicy.respelled`` asking base's ``same_spelling``; each pair's verdict is
``cache_losses.stage(row, 0.5, 0.916959)`` both ways. (a) and (b) are read on those rows.

    .venv/bin/python bench/r1_rule.py --out bench/results/r1-session27.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import cache_losses  # noqa: E402
from extra_ask_rule import at_revision  # noqa: E402
from pair_sets import PAIRS, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache import policy, spelling  # noqa: E402
from llm_router.cache.verifier import shared_verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402

RULE = (
    "R1: in the respelling check (layers/core/llm_router/cache/spelling.py, what "
    "`MatchPolicy.respelled` asks before the verifier), a '-' written directly before a letter "
    "at the start of a word (after white space or at the text's start: Forth's \"-rot\", a flag "
    "\"-v\") is part of that word, so \"-rot\" and \"rot\" are different words there; nothing "
    "else in the check changes. Verdicts: the shipped lookup (S5 at 0.916959, floor 0.5, every "
    "shipped check on) against the same lookup with R1, per pair (bench/cache_losses.py rows "
    "made with and without R1, or cache-probe's lookup, on the same pairs). Sets: every "
    "committed seen set, heldout1 .. heldout57 (all parts of each set's cache_pairs.jsonl) and "
    "bench/cache_pairs/heldout.jsonl (all parts). R1 ships iff (a) not one pair that the "
    "shipped lookup answers as a paraphrase (label 1, hit) is refused with R1, and (b) at least "
    "one false hit of the shipped lookup (label 0, hit) is refused with R1. Records: every pair "
    "whose verdict or stage moves, with both texts, and the number of pairs on which the "
    "respelling check's answer changes at all. Otherwise the check stays as it is. Why on seen "
    "sets: R1 reads a sign as meaning, a correction of a reading, not a tuned threshold; the "
    "only cost it can have is paraphrases lost, and (a) forbids any on the 57 writers' and "
    "Quora's pairs; the unseen sets at the session's end report it with the rest.")
SETS = (*(f"heldout{n}" for n in range(1, 58)), PAIRS)
FLOOR, CUT = 0.5, 0.916959  # the rule's: S5 at rule S5c's cut, floor 0.5
BASE = "66c9ccc"  # main at the session's start: the respelling check without R1
WORK = Path(__file__).resolve().parent / "results" / "local" / "r1"


def changed(pairs: list[dict[str, Any]], old: Any) -> tuple[list[dict[str, Any]], int]:
    """The pairs whose ``same_spelling`` (as ``MatchPolicy.respelled`` calls it: cached
    text, query) differs between ``old`` (base's function) and this tree's, each with both
    answers; and, a record, on how many pairs it differs asked the other way round (a
    populated cache may hold either text)."""
    config = CacheConfig()
    args = (shared_verifier().vocabulary.pieces, policy.synonyms_of(config), config.short_forms)
    out, reversed_ = [], 0
    for pair in pairs:
        before = old(pair["a"], pair["b"], *args)
        after = spelling.same_spelling(pair["a"], pair["b"], *args)
        if before != after:
            out.append(pair | {"respelling_without": before, "respelling_with": after})
        reversed_ += old(pair["b"], pair["a"], *args) != spelling.same_spelling(
            pair["b"], pair["a"], *args)
    return out, reversed_


def rows(pairs_file: Path, name: str, work: Path) -> list[dict[str, Any]]:
    """``cache_losses.py`` over the pairs of ``pairs_file`` (default settings: the shipped
    lookup), as ``policy.same_spelling`` is now; its rows."""
    out, pairs_out = work / f"losses-{name}.json", work / f"losses-{name}-pairs.jsonl"
    argv = sys.argv
    sys.argv = ["cache_losses.py", "--sets", str(pairs_file), "--out", str(out),
                "--pairs-out", str(pairs_out)]
    try:
        cache_losses.main()
    finally:
        sys.argv = argv
    return [json.loads(line) for line in pairs_out.read_text(encoding="utf-8").splitlines()]


def compare(without: list[dict[str, Any]], with_r1: list[dict[str, Any]],
            floor: float, cut: float) -> dict[str, Any]:
    """Each pair's stage and verdict both ways; the pairs that move; (a) and (b)."""
    moved = []
    for old, new in zip(without, with_r1, strict=True):
        assert (old["set"], old["a"], old["b"]) == (new["set"], new["a"], new["b"])
        before, after = cache_losses.stage(old, floor, cut), cache_losses.stage(new, floor, cut)
        if before != after:
            moved.append({"set": old["set"], "id": old.get("id"), "kind": old["kind"],
                          "label": old["label"], "a": old["a"], "b": old["b"],
                          "without": {"stage": before[0], "hit": before[1],
                                      "respelling": old["respelling"]},
                          "with": {"stage": after[0], "hit": after[1],
                                   "respelling": new["respelling"]},
                          "similarity": new["similarity"], "p": new["p"]})
    lost = [m for m in moved if m["label"] == 1 and m["without"]["hit"] and not m["with"]["hit"]]
    refused = [m for m in moved
               if m["label"] == 0 and m["without"]["hit"] and not m["with"]["hit"]]
    a, b = not lost, bool(refused)
    return {"moved": moved,
            "a": {"pass": a, "paraphrase_hits_refused": len(lost)},
            "b": {"pass": b, "false_hits_refused": len(refused)},
            "verdict": "R1 ships" if a and b else "R1 does not ship: the check stays as it is"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", default=BASE,
                        help="the commit whose spelling.py is the check without R1")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="the changed pairs and both runs' rows (default under "
                             "bench/results/local/, gitignored)")
    args = parser.parse_args()
    pairs = load_sets(list(SETS))
    old = at_revision(spelling, "same_spelling", args.base)
    moving, reversed_ = changed(pairs, old)
    args.work.mkdir(parents=True, exist_ok=True)
    pairs_file = args.work / "changed.jsonl"
    # each pair keeps its set: load_sets' ``set`` is the pair's own where it has one
    pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in moving),
                          encoding="utf-8")
    found = {"pairs": len(pairs), "respelling_changes": len(moving),
             "respelling_changes_query_first": reversed_,
             "changes": [{k: p.get(k) for k in ("set", "id", "kind", "label", "a", "b",
                                               "respelling_without", "respelling_with")}
                         for p in moving]}
    with_r1 = rows(pairs_file, "with-R1", args.work) if moving else []
    shipped = policy.same_spelling
    policy.same_spelling = old  # the lookup without R1
    try:
        without = rows(pairs_file, "without-R1", args.work) if moving else []
    finally:
        policy.same_spelling = shipped
    result = {"rule": RULE, "sets": list(SETS), "base": args.base, "floor": FLOOR, "cut": CUT,
              "verifier": json.loads((args.work / "losses-with-R1.json").read_text())[
                  "verifier"] if moving else None,
              "step1": found, **compare(without, with_r1, FLOOR, CUT), "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{len(pairs)} pairs; the respelling check's answer changes on {len(moving)} "
          f"({reversed_} asked the other way round)")
    for m in result["moved"]:
        print(f"  {m['set']} {m['id']} label {m['label']}: {m['without']['stage']} "
              f"{'hit' if m['without']['hit'] else 'miss'} -> {m['with']['stage']} "
              f"{'hit' if m['with']['hit'] else 'miss'} (p {m['p']})\n    {m['a']!r}\n"
              f"    {m['b']!r}")
    print(f"(a) {result['a']}\n(b) {result['b']}\n{result['verdict']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
