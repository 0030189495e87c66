"""Session 22's E: a proper name or letter code swapped for another at the same place
refuses a pair (``bench/entities.py``; not shipped: the rule said no), decided by the
lead's rule, quoted unchanged from docs/cache-history.md "Session 22: swapped names and
letter codes":

    E: where the two texts differ (the stances check's alignment, `codes.replaced`), a
    proper name or letter code replaced on one side by a different proper name or letter
    code at the same place on the other side refuses the pair, as the ids check refuses a
    changed code ("numbers", before the models). A proper name is a capitalised word (or
    a run of them) that is not the text's first word nor a common word capitalised for
    emphasis; a letter code is a word of two to six capital letters. Two that the
    respelling check calls the same (case, spelling, short forms, the synonym table) are
    not a swap; nothing else changes. E is designed on training data only and fixed in a
    commit before any D25 run. Over D25 (bench/cache_losses.py on heldout9-11, 14-35 with
    E on, against the shipped rows /work/base/base-D25-7657d69-pairs.jsonl) and over the
    other committed hand-written and public pairs (`others()` of D25; the pairs
    train/cache_verifier/pairs.py generates excluded and reported apart): P = paraphrase
    hits E takes away, N = negative hits E takes away, both over D25 and others together;
    E may add no hit. Ship E (no new setting: part of the hard check) if N >= 3 and P <= 3
    x N, and E's added CPU per candidate pair (median over D25's pairs, process time) <=
    0.1 ms.

    # 1. the pairs of D25 and others(D25) E refuses that the lookup without it does not
    #    refuse before the models (no model), and E's added CPU on D25's pairs
    .venv/bin/python bench/entity_rule.py fire --out /tmp/e-fired.jsonl
    # 2. the stack on them without E (the lookup as shipped)
    .venv/bin/python bench/cache_losses.py --sets /tmp/e-fired.jsonl --out /tmp/e-off.json \
        --pairs-out /tmp/e-off-rows.jsonl
    # 3. with E in the lookup (git apply bench/results/entities-session22-layer.patch: it
    #    adds bench/entities.py as it was measured as llm_router/cache/entities.py, and
    #    the policy's hard check calls its swapped_names), on them and on D25 as the rule
    #    names it; then git apply -R
    .venv/bin/python bench/cache_losses.py --sets /tmp/e-fired.jsonl --out /tmp/e-on.json \
        --pairs-out /tmp/e-on-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets heldout9 heldout10 heldout11 heldout14 \
        ... heldout35 --out /tmp/e-D25.json --pairs-out /tmp/e-D25-rows.jsonl
    # 4. the rule
    .venv/bin/python bench/entity_rule.py decide --base /work/base/base-D25-7657d69-pairs.jsonl \
        --fired /tmp/e-fired.jsonl --off-rows /tmp/e-off-rows.jsonl \
        --on-rows /tmp/e-on-rows.jsonl --decision-rows /tmp/e-D25-rows.jsonl \
        --out bench/results/entities-session22.json

E only refuses (the hard check's "numbers", before the models), and only where the
respelling check has not made the pair a hit (a pair it calls one text is no swap: E is
asked where ``MatchPolicy._refused_before_model`` is, after the respelling check), so a
pair it does not fire on keeps its row: the stack need judge only the pairs ``fire``
finds, and ``decide`` checks that D25's rows with E on differ from the shipped rows on
those pairs alone (any other change, made in the tree since the shipped rows, is listed
apart).

E's added CPU per pair: its reading of each text's names (``read_names`` of the
text's respelling tokens; the tokens themselves are the respelling check's, which reads
every candidate first, so they are kept, except for a text longer than the respelling
check reads, ``spelling.MAX_CHARS``, whose tokens E pays for) and the comparison
(``swapped``), ``REPEATS`` times over, process time. The hard check without E is
untouched (E is a call after it), so E's time is what it adds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from entities import Names, read_names, swapped, swapped_names
from extra_ask_rule import fire_over
from synonym_guard import decide_arguments, sparse_decide

from llm_router.cache.pair_features import quantity_conflict
from llm_router.cache.spelling import MAX_CHARS, Pieces, reading, same_spelling, tokens
from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

D25 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 36)))
RULE = "docs/cache-history.md, Session 22: swapped names and letter codes (E)"
T = TypeVar("T")
REPEATS = 10  # each pair's check timed this many times over, for the process clock


def added_cpu(a: str, b: str, pieces: Pieces, synonyms: Synonyms) -> float:
    """E's CPU on one candidate pair (seconds), as the lookup pays it: each text's names
    read from its respelling tokens (kept by the respelling check up to ``MAX_CHARS``,
    read afresh past it) and the two compared, ``REPEATS`` times over."""
    return names_cpu(a, b, lambda x, y: swapped(x, y, pieces, synonyms))


def names_cpu(a: str, b: str, compare: Callable[[Names, Names], object]) -> float:
    """A check's CPU on one candidate pair (seconds) where it reads the two texts' names
    (``read_names``) and compares them (``compare``: E's ``swapped``, H's
    ``sisters_swapped``), ``REPEATS`` times over, as ``added_cpu`` says."""
    for text in (a, b):
        if len(text) <= MAX_CHARS:
            reading(text)  # the respelling check read it first

    def names(text: str) -> Any:
        return read_names(reading(text).tokens if len(text) <= MAX_CHARS else tokens(text))

    started = time.process_time()
    for _ in range(REPEATS):
        compare(names(a), names(b))
    return (time.process_time() - started) / REPEATS


def asked_models(a: str, b: str, found: Callable[[], T | None], pieces: Pieces,
                 synonyms: Synonyms, short_forms: bool, vocabulary: Any) -> T | None:
    """What a check that refuses before the models (E, H: ``found()``, its reading of the
    pair) fires on where the lookup without it would ask the models: not a respelled hit
    (the respelling check decides first), not refused by the amounts check; else None."""
    if same_spelling(a, b, pieces, synonyms, short_forms) is not None:
        return None  # the respelling check decides it first, the check never asked
    finding = found()
    if finding is None or quantity_conflict(vocabulary.view(a), vocabulary.view(b)):
        return None
    return finding


def fires(a: str, b: str, pieces: Pieces, synonyms: Synonyms, short_forms: bool,
          vocabulary: Any) -> tuple[str, str] | None:
    """The names E refuses the pair for where the lookup without it would ask the models,
    or None."""
    return asked_models(a, b, lambda: swapped_names(a, b, pieces, synonyms), pieces,
                        synonyms, short_forms, vocabulary)


def fire(decision: tuple[str, ...], out: Path) -> None:
    """The pairs of ``decision`` and of ``others(decision)`` E refuses that the lookup
    without it lets through to the models, each with the names that fired; E's added CPU
    on ``decision``'s."""
    vocabulary, synonyms = shared_verifier().vocabulary, shared_synonyms()
    short_forms = CacheConfig().short_forms
    fire_over(decision, out, "E", "names",
              lambda a, b: added_cpu(a, b, vocabulary.pieces, synonyms),
              lambda a, b: fires(a, b, vocabulary.pieces, synonyms, short_forms, vocabulary),
              REPEATS)


def decide(base: Path, fired: Path, off_rows: Path, on_rows: Path, decision_rows: Path,
           out: Path, decision: tuple[str, ...]) -> None:
    sparse_decide(RULE, "E", "names", base, fired, off_rows, on_rows, decision_rows, out,
                  decision, sort_fired=False, trim=True)

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs E refuses that the lookup passed to the models")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--decision", nargs="+", default=list(D25),
                       help="the decision sets (default D25: heldout9-11, 14-35)")
        p.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "E")
    args = parser.parse_args()
    if args.command == "fire":
        fire(tuple(args.decision), args.out)
    else:
        decide(args.base, args.fired, args.off_rows, args.on_rows, args.decision_rows,
               args.out, tuple(args.decision))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
