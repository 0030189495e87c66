"""The lead's rule R3 (session 36): one-letter respellings that are two words, in the respelling
check's typo reading. R3, quoted unchanged:

    R3: in the respelling check's typo reading (`spelling.py`: `_typo`, `_short_typo` and
    whatever else calls one substituted letter a slip), a one-letter substitution counts as a
    slip only where it looks like one, as the helper defines before the screen (for example:
    not the word's first letter, or the two letters neighbours on a QWERTY keyboard); doubled,
    dropped, added-neighbour and swapped letters keep their present reading; nothing else in
    the check changes. The change is fixed (code committed, unit tests passing) before the
    screen runs; if more than one version is screened, every version's figures are reported
    and the one shipped is named with why. Verdicts: the shipped lookup (S10 at 0.93, every
    shipped check on) against the same lookup with R3, per pair (bench/cache_losses.py rows
    made with and without R3 on the same pairs). Sets: every committed seen set, heldout1 ..
    heldout99 (all parts of each set's cache_pairs.jsonl), and bench/cache_pairs (all its
    files, Quora's rows included). R3 ships iff (a) not one pair that the shipped lookup
    answers as a paraphrase (label 1, hit) is refused with R3, and (b) at least one false hit
    of the shipped lookup (label 0, hit) is refused with R3. Records: every pair whose verdict
    or stage moves, with both texts, and the number of pairs on which the respelling check's
    answer changes at all. Otherwise the check stays as it is. The unseen sets at the
    session's end report it with the rest.

The versions, both committed (code and unit tests) before any screen ran (``VERSIONS``):
``spelling._looks_slipped`` decides whether two words of one length that differ in one letter
alone may be one word slipped; every other edit reads as before.

- ``first`` (7ec607b): a slip unless it is the word's first letter, and there only a key next
  to the other on a QWERTY keyboard (``spelling._KEYS_NEAR``); the same letter with or without
  an accent is one. "goroutine" / "coroutine" (g / c) are two words, "rhe" / "the" a slip.
- ``keys`` (6b9ff63): a slip only where the two letters are neighbouring keys (or one letter
  with or without an accent), wherever in the word: "seperate" / "separate" goes to the
  verifier too.

Which ships, fixed with them before the screen (``choose``): a version that meets (a) and (b);
of two that do, the one that refuses more false hits of the shipped lookup, and on a tie the
milder (``first``: fewer answers changed on the writers no set holds yet).

How it is read (R1's reading, session 27, ``r1_rule``: the narrowest equivalent of rows over
every pair). R3 changes ``spelling._typo`` and ``spelling._short_typo`` alone, and the lookup
reads the respelling check only through ``same_spelling`` (``MatchPolicy.respelled``: cached
text, query; ``co_members`` reads ``spelling.reading`` and ``common_ends``, which R3 leaves as
they were); a pair whose ``same_spelling`` answer is the same with and without R3 takes the
same path through the lookup, so its row cannot move. Step 1: ``same_spelling`` as the lookup
calls it (the word pieces, ``cache.synonyms``' table, ``cache.short_forms``) on every pair,
with ``spelling.py`` as committed at ``BASE`` (main at the session's start, the shipped check)
and at each version's commit (``extra_ask_rule.at_revision``): the pairs whose answer changes
at all. Step 2: ``bench/cache_losses.py`` (its ``main``, default settings: the layer's S10 at
its cut 0.93, floor ``cache.verifier_floor`` 0.5 on the catalog's retrieval map, every shipped
check) on the pairs any version changes, once per lookup, ``MatchPolicy.respelled`` asking
that lookup's ``same_spelling``; each pair's verdict is ``cache_losses.stage(row, 0.5, 0.93)``.

The sets: heldout1 .. heldout99 and ``pairs`` (``bench/cache_pairs/heldout.jsonl``, its
components ``pairs:<source>``) as ``pair_sets`` reads them, ``bench/cache_pairs/tune.jsonl``
(``cache_pairs/tune``) and ``bench/cache_pairs/pairs.jsonl`` (cached / query, label 1 for
kind "paraphrase": ``cache_pairs/pairs``). A pair (cached, query, label) written in more than
one file (the tune file copies heldout1-8's) is read once, where it comes first.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/r3_rule.py \\
        --out bench/results/r3-rule-session36.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import cache_losses  # noqa: E402
from extra_ask_rule import at_revision  # noqa: E402
from pair_sets import HERE, PAIRS, load, load_sets  # noqa: E402
from r1_rule import compare  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache import policy, spelling  # noqa: E402
from llm_router.cache.verifier import shared_verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

RULE = (
    "R3: in the respelling check's typo reading (`spelling.py`: `_typo`, `_short_typo` and "
    "whatever else calls one substituted letter a slip), a one-letter substitution counts as a "
    "slip only where it looks like one, as the helper defines before the screen (for example: "
    "not the word's first letter, or the two letters neighbours on a QWERTY keyboard); doubled, "
    "dropped, added-neighbour and swapped letters keep their present reading; nothing else in "
    "the check changes. The change is fixed (code committed, unit tests passing) before the "
    "screen runs; if more than one version is screened, every version's figures are reported "
    "and the one shipped is named with why. Verdicts: the shipped lookup (S10 at 0.93, every "
    "shipped check on) against the same lookup with R3, per pair (bench/cache_losses.py rows "
    "made with and without R3 on the same pairs). Sets: every committed seen set, heldout1 .. "
    "heldout99 (all parts of each set's cache_pairs.jsonl), and bench/cache_pairs (all its "
    "files, Quora's rows included). R3 ships iff (a) not one pair that the shipped lookup "
    "answers as a paraphrase (label 1, hit) is refused with R3, and (b) at least one false hit "
    "of the shipped lookup (label 0, hit) is refused with R3. Records: every pair whose verdict "
    "or stage moves, with both texts, and the number of pairs on which the respelling check's "
    "answer changes at all. Otherwise the check stays as it is. The unseen sets at the "
    "session's end report it with the rest.")
HELDOUT = tuple(f"heldout{n}" for n in range(1, 100))
TUNE, PROJECT = "cache_pairs/tune", "cache_pairs/pairs"
SETS = (*HELDOUT, PAIRS, TUNE, PROJECT)
FLOOR, CUT = 0.5, 0.93  # the shipped lookup: S10 (a38f6f80) at rule S10c's cut, floor 0.5
BASE = "4baf637"  # main at the session's start: the respelling check without R3
# each version's commit (its spelling.py and unit tests), both before the screen
VERSIONS = {"first": "7ec607b", "keys": "6b9ff63"}
MILDER = "first"  # ``choose``'s tie: fewer answers changed
WORK = Path(__file__).resolve().parent / "results" / "local" / "r3"


def load_pairs() -> tuple[list[dict[str, Any]], int]:
    """Every pair of ``SETS`` (each with its ``set``), a (cached, query, label) written in
    several files read once where it comes first; and how many copies were left out."""
    pairs = load_sets([*HELDOUT, PAIRS])
    pairs += [{"set": TUNE, **p} for p in load(HERE / "cache_pairs" / "tune.jsonl")]
    pairs += [{"set": PROJECT, "id": p.get("id"), "kind": p["kind"], "a": p["cached"],
               "b": p["query"], "label": int(p["kind"] == "paraphrase")}
              for p in read_jsonl(HERE / "cache_pairs" / "pairs.jsonl")]
    return once(pairs)


def once(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """``pairs`` with each (a, b, label) kept where it comes first; the copies' count."""
    seen: set[tuple[str, str, int]] = set()
    out = []
    for pair in pairs:
        key = (pair["a"], pair["b"], int(pair["label"]))
        if key not in seen:
            seen.add(key)
            out.append(pair)
    return out, len(pairs) - len(out)


Spelling = Callable[..., Any]  # ``same_spelling``'s signature


def changed(pairs: list[dict[str, Any]], old: Spelling, new: Spelling, args: tuple[Any, ...]
            ) -> tuple[list[dict[str, Any]], int]:
    """The pairs whose ``same_spelling`` (cached text, query, as ``MatchPolicy.respelled``
    asks it) differs between ``old`` and ``new``, each with both answers; and, a record, on
    how many pairs it differs asked the other way round (a populated cache holds either)."""
    out, reversed_ = [], 0
    for pair in pairs:
        before, after = old(pair["a"], pair["b"], *args), new(pair["a"], pair["b"], *args)
        if before != after:
            out.append(pair | {"respelling_without": before, "respelling_with": after})
        reversed_ += old(pair["b"], pair["a"], *args) != new(pair["b"], pair["a"], *args)
    return out, reversed_


def typo_answers(pairs: list[dict[str, Any]], old: Spelling, args: tuple[Any, ...]
                 ) -> dict[str, int]:
    """A record: how many pairs of each label the shipped check answers with a typo."""
    found: Counter[str] = Counter()
    for pair in pairs:
        used = old(pair["a"], pair["b"], *args)
        if used is not None and "typo" in used:
            found[f"label{pair['label']}"] += 1
    return dict(sorted(found.items()))


def rows(pairs_file: Path, name: str, work: Path, check: Spelling) -> list[dict[str, Any]]:
    """``cache_losses.py`` over the pairs of ``pairs_file`` (default settings: the shipped
    lookup) with ``MatchPolicy.respelled`` asking ``check``; its rows."""
    out, pairs_out = work / f"losses-{name}.json", work / f"losses-{name}-pairs.jsonl"
    argv, shipped = sys.argv, policy.same_spelling
    sys.argv = ["cache_losses.py", "--sets", str(pairs_file), "--out", str(out),
                "--pairs-out", str(pairs_out)]
    policy.same_spelling = check
    try:
        cache_losses.main()
    finally:
        sys.argv, policy.same_spelling = argv, shipped
    return [json.loads(line) for line in pairs_out.read_text(encoding="utf-8").splitlines()]


def verdict(version: str, result: dict[str, Any]) -> str:
    passed = result["a"]["pass"] and result["b"]["pass"]
    return (f"R3 ({version}) meets (a) and (b)" if passed
            else f"R3 ({version}) does not meet " + " and ".join(
                k for k in ("a", "b") if not result[k]["pass"]))


def choose(results: dict[str, dict[str, Any]]) -> tuple[str | None, str]:
    """The version that ships and why: one that meets (a) and (b); of several, the one
    that refuses most false hits of the shipped lookup, on a tie ``MILDER``. (None, why)
    when none does: the check stays as it is."""
    passing = [v for v, r in results.items() if r["a"]["pass"] and r["b"]["pass"]]
    if not passing:
        return None, "no version meets (a) and (b): the check stays as it is"
    most = max(results[v]["b"]["false_hits_refused"] for v in passing)
    best = [v for v in passing if results[v]["b"]["false_hits_refused"] == most]
    pick = MILDER if MILDER in best else best[0]
    why = ("the only version that meets (a) and (b)" if len(passing) == 1 else
           f"meets (a) and (b) and refuses the most false hits ({most})" if len(best) == 1
           else f"both meet (a) and (b) and refuse {most} false hits: the milder")
    return pick, f"R3 ships as version {pick!r}: {why}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=WORK,
                        help="the changed pairs and the runs' rows (default "
                             "bench/results/local/r3/, gitignored)")
    args = parser.parse_args()
    pairs, copies = load_pairs()
    config = CacheConfig()
    spelling_args = (shared_verifier().vocabulary.pieces, policy.synonyms_of(config),
                     config.short_forms)
    old = at_revision(spelling, "same_spelling", BASE)
    step1: dict[str, Any] = {"pairs": len(pairs), "copies_left_out": copies,
                             "by_set": dict(Counter(p["set"] for p in pairs)),
                             "typo_answers_without": typo_answers(pairs, old, spelling_args)}
    moving: dict[tuple[str, str, str], dict[str, Any]] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    checks = {}
    for version, commit in VERSIONS.items():
        checks[version] = at_revision(spelling, "same_spelling", commit)
        found[version], reversed_ = changed(pairs, old, checks[version], spelling_args)
        keys = ("set", "id", "kind", "label", "a", "b", "respelling_without",
                "respelling_with")
        step1[version] = {"respelling_changes": len(found[version]),
                          "respelling_changes_query_first": reversed_,
                          "changes": [{k: p.get(k) for k in keys} for p in found[version]]}
        for p in found[version]:
            moving.setdefault((p["set"], p["a"], p["b"]), {
                k: v for k, v in p.items() if not k.startswith("respelling_")})
    args.work.mkdir(parents=True, exist_ok=True)
    pairs_file = args.work / "changed.jsonl"
    # each pair keeps its set: load_sets' ``set`` is the pair's own where it has one
    pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n"
                                  for p in moving.values()), encoding="utf-8")
    without = rows(pairs_file, "without", args.work, old) if moving else []
    results: dict[str, dict[str, Any]] = {}
    for version, check in checks.items():
        with_r3 = rows(pairs_file, f"with-{version}", args.work, check) if moving else []
        read = compare(without, with_r3, FLOOR, CUT, f"R3 ({version})")
        read["verdict"] = verdict(version, read)
        results[version] = {"commit": VERSIONS[version], **read}
    shipped, why = choose(results)
    result = {"rule": RULE, "sets": list(SETS), "base": BASE, "floor": FLOOR, "cut": CUT,
              "versions": VERSIONS,
              "verifier": json.loads((args.work / "losses-without.json").read_text())[
                  "verifier"] if moving else None,
              "step1": step1, "results": results, "shipped": shipped, "verdict": why,
              "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{len(pairs)} pairs ({copies} copies left out); without R3 a typo on "
          f"{step1['typo_answers_without']}")
    for version, read in results.items():
        print(f"R3 ({version}): {step1[version]['respelling_changes']} answers change "
              f"({step1[version]['respelling_changes_query_first']} query first)")
        for m in read["moved"]:
            print(f"  {m['set']} {m['id']} label {m['label']}: {m['without']['stage']} "
                  f"{'hit' if m['without']['hit'] else 'miss'} -> {m['with']['stage']} "
                  f"{'hit' if m['with']['hit'] else 'miss'} (p {m['p']})\n    {m['a']!r}\n"
                  f"    {m['b']!r}")
        print(f"  (a) {read['a']}\n  (b) {read['b']}\n  {read['verdict']}")
    print(f"{why}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
