"""The lead's rules R1 and R2 (session 27): a sign before a word in the respelling check (R1),
a minus sign before a number in the respelling and amounts checks (R2). R1, quoted unchanged:

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

R2, quoted unchanged:

    R2: in the respelling check (layers/core/llm_router/cache/spelling.py) and in the
    amounts check (the hard check on numbers and amounts,
    layers/core/llm_router/cache/quantities.py as the lookup calls it), a minus sign ('-' or
    U+2212) written directly before a digit at the start of a number (at the text's start or
    after white space, '(', '[', ',' or '=') makes that number negative, so "-2" and "2"
    (and "-5 °C" and "5 °C") are different numbers there; a '-' between two digits or two
    letters ("5-10", "e-mail", "COVID-19") and anything else reads as before. Verdicts: the
    shipped lookup (S5 at 0.916959, floor 0.5, every shipped check on, R1 in) against the
    same lookup with R2, per pair. Sets: every committed seen set, heldout1 .. heldout59
    (all parts of each set's cache_pairs.jsonl) and bench/cache_pairs/heldout.jsonl (all
    parts). R2 ships iff (a) not one pair that the shipped lookup answers as a paraphrase
    (label 1, hit) is refused with R2, and (b) at least one false hit of the shipped lookup
    (label 0, hit) is refused with R2. Records: every pair whose verdict or stage moves,
    with both texts, and the number of pairs on which either check's answer changes at all.
    Otherwise both checks stay as they are. Why on seen sets: as R1, R2 reads a sign as
    meaning, a correction of a reading, not a tuned threshold; (a) forbids any paraphrase
    lost on the 59 writers' and Quora's pairs.

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

R2 (``--rule R2``) is read the same way, over heldout1-59 and ``pairs``, against
``spelling`` at 249f412 (main with R1), on a tree that holds R2: R2 did not ship, and its
code lives at ``R2_COMMIT`` alone (``git worktree add /tmp/r2 dc98704``, ``make venv data``
there, and run this command in it; on a tree without R2 ``--rule R2`` refuses to run). It
changes the amounts check too, which the lookup reads only through the texts' views
(``quantity_conflict``, before the verifier and after a respelling): R2 changes the hard
check's forms alone (``quantities._rewritten``, where a sign that makes a number negative is
written as ``quantities.NEGATIVE``, which only the hard pattern's ``neg`` reads), so a text
whose forms are the same with and without R2 has the same view. Without R2 is
``quantities._MINUS`` matching nothing (no text of the sets holds ``NEGATIVE``: checked),
the kept forms emptied (``without_r2``). Step 1 adds the amounts check's answer
(``quantity_conflict`` of the lookup's views, cached text then query) both ways on every
pair with a text whose forms change; step 2 runs on the pairs where either check's answer
changes, without R2 being both checks as before.

    .venv/bin/python bench/r1_rule.py --out bench/results/r1-session27.json
    .venv/bin/python bench/r1_rule.py --rule R2 --out bench/results/r2-session27.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import cache_losses  # noqa: E402
from extra_ask_rule import at_revision  # noqa: E402
from pair_sets import PAIRS, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache import policy, quantities, spelling  # noqa: E402
from llm_router.cache.kept import KeptInBytes  # noqa: E402
from llm_router.cache.pair_features import normalise, quantity_conflict  # noqa: E402
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
RULE_R2 = (
    'R2: in the respelling check (layers/core/llm_router/cache/spelling.py) and in '
    'the amounts check (the hard check on numbers and amounts, '
    'layers/core/llm_router/cache/quantities.py as the lookup calls it), a minus '
    "sign ('-' or U+2212) written directly before a digit at the start of a number "
    "(at the text's start or after white space, '(', '[', ',' or '=') makes that "
    'number negative, so "-2" and "2" (and "-5 °C" and "5 °C") are different '
    'numbers there; a \'-\' between two digits or two letters ("5-10", "e-mail", '
    '"COVID-19") and anything else reads as before. Verdicts: the shipped lookup '
    '(S5 at 0.916959, floor 0.5, every shipped check on, R1 in) against the same '
    'lookup with R2, per pair. Sets: every committed seen set, heldout1 .. '
    "heldout59 (all parts of each set's cache_pairs.jsonl) and "
    'bench/cache_pairs/heldout.jsonl (all parts). R2 ships iff (a) not one pair '
    'that the shipped lookup answers as a paraphrase (label 1, hit) is refused with'
    ' R2, and (b) at least one false hit of the shipped lookup (label 0, hit) is '
    'refused with R2. Records: every pair whose verdict or stage moves, with both '
    "texts, and the number of pairs on which either check's answer changes at all. "
    'Otherwise both checks stay as they are. Why on seen sets: as R1, R2 reads a '
    'sign as meaning, a correction of a reading, not a tuned threshold; (a) forbids'
    " any paraphrase lost on the 59 writers' and Quora's pairs.")
SETS = (*(f"heldout{n}" for n in range(1, 58)), PAIRS)
SETS_R2 = (*(f"heldout{n}" for n in range(1, 60)), PAIRS)
FLOOR, CUT = 0.5, 0.916959  # the rules': S5 at rule S5c's cut, floor 0.5
BASE = "66c9ccc"  # main at the session's start: the respelling check without R1
BASE_R2 = "249f412"  # main with R1: the respelling check without R2
R2_COMMIT = "dc98704"  # R2's code (adf3955, reverted: R2 did not ship) and this script: its run
WORK = Path(__file__).resolve().parent / "results" / "local"


@dataclass(frozen=True)
class Rule:
    name: str
    text: str
    sets: tuple[str, ...]
    base: str  # the commit whose spelling.py is the respelling check without the rule
    amounts: bool  # the rule changes the amounts check too (``without_r2``)


RULES = {"R1": Rule("R1", RULE, SETS, BASE, False),
         "R2": Rule("R2", RULE_R2, SETS_R2, BASE_R2, True)}
_NEVER = re.compile(r"(?!)")


def _forget_forms() -> None:
    """Empty the hard check's kept forms (``quantities._FORMS``), read with or without R2."""
    quantities._FORMS = KeptInBytes(
        quantities.FORMS_BYTES, lambda lowered, forms: sys.getsizeof(lowered)
        + sys.getsizeof(forms))


@contextmanager
def without_r2() -> Iterator[None]:
    """The amounts check as before R2: ``quantities._MINUS`` matches nothing, so no sign
    is written as ``NEGATIVE`` and the hard pattern's ``neg`` never matches (on a tree
    without R2: nothing to change)."""
    minus = getattr(quantities, "_MINUS", None)
    if minus is None:
        yield
        return
    quantities._MINUS = _NEVER  # type: ignore[attr-defined]
    _forget_forms()
    try:
        yield
    finally:
        quantities._MINUS = minus  # type: ignore[attr-defined]
        _forget_forms()


def holds_r2() -> bool:
    """Whether this tree's amounts check holds R2 (``R2_COMMIT`` does; main does not)."""
    return hasattr(quantities, "NEGATIVE")


def amounts_changed(pairs: list[dict[str, Any]]) -> tuple[dict[int, tuple[bool, bool]], int]:
    """The pairs (by index) whose amounts check (``quantity_conflict`` of the lookup's
    views, cached text then query, with ``cache.synonyms``' table) differs with and without
    R2, each with (without, with); and how many texts' hard forms R2 changes. Only a pair
    with such a text is read (R2 changes the forms alone)."""
    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    assert not any(quantities.NEGATIVE in t for t in texts)  # type: ignore[attr-defined]
    forms = {t: quantities._rewritten(normalise(t)) for t in texts}
    with without_r2():
        moved = {t for t in texts if quantities._rewritten(normalise(t)) != forms[t]}
    vocabulary = shared_verifier().vocabulary
    synonyms = policy.synonyms_of(CacheConfig())
    read = [k for k, p in enumerate(pairs) if p["a"] in moved or p["b"] in moved]

    def answers() -> list[bool]:
        return [quantity_conflict(vocabulary.view(pairs[k]["a"]),
                                  vocabulary.view(pairs[k]["b"]), synonyms) for k in read]

    after = answers()
    with without_r2():
        before = answers()
    return {k: (b, a) for k, b, a in zip(read, before, after, strict=True) if b != a}, len(moved)


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


def changed_r2(pairs: list[dict[str, Any]], old: Any
               ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """R2's step 1: the pairs where the respelling check's answer (``changed``) or the
    amounts check's (``amounts_changed``) changes, each with both checks' answers both
    ways; and the counts."""
    spelt, reversed_ = changed(pairs, old)
    numbers, texts = amounts_changed(pairs)
    by_text = {(p["set"], p["a"], p["b"]): p for p in spelt}
    out = []
    for k, pair in enumerate(pairs):
        found = by_text.get((pair["set"], pair["a"], pair["b"]))
        if found is None and k not in numbers:
            continue
        if found is None:
            answer = policy.same_spelling(pair["a"], pair["b"], *_spelling_args())
            found = pair | {"respelling_without": answer, "respelling_with": answer}
        conflict = numbers.get(k)
        if conflict is None:
            same = quantity_conflict(*_views(pair), policy.synonyms_of(CacheConfig()))
            conflict = (same, same)
        out.append(found | {"numbers_without": conflict[0], "numbers_with": conflict[1]})
    return out, {"respelling_changes": len(spelt), "respelling_changes_query_first": reversed_,
                 "amounts_changes": len(numbers), "texts_whose_amounts_forms_change": texts,
                 "either_changes": len(out)}


def _spelling_args() -> tuple[Any, ...]:
    config = CacheConfig()
    return (shared_verifier().vocabulary.pieces, policy.synonyms_of(config),
            config.short_forms)


def _views(pair: dict[str, Any]) -> tuple[Any, Any]:
    vocabulary = shared_verifier().vocabulary
    return vocabulary.view(pair["a"]), vocabulary.view(pair["b"])


def rows(pairs_file: Path, name: str, work: Path) -> list[dict[str, Any]]:
    """``cache_losses.py`` over the pairs of ``pairs_file`` (default settings: the shipped
    lookup as rules R1 and R2 read it, with the raw cosine: ``--no-retrieval-map`` since
    session 28 shipped the map), as ``policy.same_spelling`` is now; its rows."""
    out, pairs_out = work / f"losses-{name}.json", work / f"losses-{name}-pairs.jsonl"
    argv = sys.argv
    # the raw cosine, as the rules were applied (before session 28 shipped the map)
    sys.argv = ["cache_losses.py", "--sets", str(pairs_file), "--out", str(out),
                "--pairs-out", str(pairs_out), "--no-retrieval-map"]
    try:
        cache_losses.main()
    finally:
        sys.argv = argv
    return [json.loads(line) for line in pairs_out.read_text(encoding="utf-8").splitlines()]


def compare(without: list[dict[str, Any]], with_r1: list[dict[str, Any]],
            floor: float, cut: float, name: str = "R1") -> dict[str, Any]:
    """Each pair's stage and verdict both ways; the pairs that move; (a) and (b) of rule
    ``name``."""
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
            "verdict": f"{name} ships" if a and b else (
                f"{name} does not ship: the check stays as it is" if name == "R1"
                else f"{name} does not ship: both checks stay as they are")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rule", choices=sorted(RULES), default="R1")
    parser.add_argument("--base", default=None,
                        help="the commit whose spelling.py is the check without the rule "
                             f"(default: {BASE} for R1, {BASE_R2} for R2)")
    parser.add_argument("--work", type=Path, default=None,
                        help="the changed pairs and both runs' rows (default "
                             "bench/results/local/<rule>/, gitignored)")
    args = parser.parse_args()
    rule = RULES[args.rule]
    if rule.amounts and not holds_r2():
        parser.error(f"R2 is not in this tree (it did not ship): run this at {R2_COMMIT}")
    base = args.base or rule.base
    work = args.work or WORK / rule.name.lower()
    pairs = load_sets(list(rule.sets))
    old = at_revision(spelling, "same_spelling", base)
    if rule.amounts:
        moving, counts = changed_r2(pairs, old)
    else:
        moving, reversed_ = changed(pairs, old)
        counts = {"respelling_changes": len(moving), "respelling_changes_query_first": reversed_}
    work.mkdir(parents=True, exist_ok=True)
    pairs_file = work / "changed.jsonl"
    # each pair keeps its set: load_sets' ``set`` is the pair's own where it has one
    pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in moving),
                          encoding="utf-8")
    keys = ("set", "id", "kind", "label", "a", "b", "respelling_without", "respelling_with",
            *(("numbers_without", "numbers_with") if rule.amounts else ()))
    found = {"pairs": len(pairs), **counts,
             "changes": [{k: p.get(k) for k in keys} for p in moving]}
    name = rule.name
    with_rule = rows(pairs_file, f"with-{name}", work) if moving else []
    shipped = policy.same_spelling
    policy.same_spelling = old  # the lookup without the rule
    try:
        if rule.amounts:
            with without_r2():
                without = rows(pairs_file, f"without-{name}", work) if moving else []
        else:
            without = rows(pairs_file, f"without-{name}", work) if moving else []
    finally:
        policy.same_spelling = shipped
    result = {"rule": rule.text, "sets": list(rule.sets), "base": base, "floor": FLOOR,
              "cut": CUT,
              "verifier": json.loads((work / f"losses-with-{name}.json").read_text())[
                  "verifier"] if moving else None,
              "step1": found, **compare(without, with_rule, FLOOR, CUT, name),
              "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{len(pairs)} pairs; {counts}")
    for m in result["moved"]:
        print(f"  {m['set']} {m['id']} label {m['label']}: {m['without']['stage']} "
              f"{'hit' if m['without']['hit'] else 'miss'} -> {m['with']['stage']} "
              f"{'hit' if m['with']['hit'] else 'miss'} (p {m['p']})\n    {m['a']!r}\n"
              f"    {m['b']!r}")
    print(f"(a) {result['a']}\n(b) {result['b']}\n{result['verdict']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
