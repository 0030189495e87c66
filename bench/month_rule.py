"""Session 22's M: month names in the amounts check, and the centilitre and decilitre
names in the respelling check's units, decided by the lead's rule, quoted unchanged from
docs/cache-history.md "Session 22: month names in the amounts check":

    M (the month reading and the centilitre unit names) is a correctness fix. Over D25
    (bench/cache_losses.py on heldout9-11, 14-35 with M, against
    /work/base/base-D25-7657d69-pairs.jsonl) and the other committed hand-written and
    public pairs (`others()` of D25, as bench/extra_ask_rule.py reads them; generated
    pairs reported apart): list every pair whose verdict changes. Ship M if it adds no
    negative hit anywhere and takes away no paraphrase hit; a change of either kind is
    listed and M then ships only without the piece that caused it.

    # 1. the pairs of D25 and others(D25) one of whose texts M reads differently: every
    #    output of the amounts check (quantities as committed at 7657d69, the base, and
    #    this tree's) and the respelling check's reading (spelling.reading, likewise)
    .venv/bin/python bench/month_rule.py fire --out /tmp/m-fired.jsonl
    # 2. the stack on them without M (the tree at 7657d69 on PYTHONPATH, its data linked
    #    to this checkout's) and with M (this tree)
    git archive 7657d69 layers/core | tar -x -C /tmp/m-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m-fired.jsonl --out /tmp/m-off.json --pairs-out /tmp/m-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m-fired.jsonl --out /tmp/m-on.json \
        --pairs-out /tmp/m-on-rows.jsonl
    # 3. the rule
    .venv/bin/python bench/month_rule.py decide \
        --base /work/base/base-D25-7657d69-pairs.jsonl --fired /tmp/m-fired.jsonl \
        --off-rows /tmp/m-off-rows.jsonl --on-rows /tmp/m-on-rows.jsonl \
        --out bench/results/months-session22.json

Session 23's M2 (``--candidate M2``: "may" beside a number read as the month only where
it cannot be the verb, in ``quantities``; a unit name glued inside a chemical formula,
"Cl" of "CH2Cl2", no unit, in the respelling check; "mg/dL" stays the concentration mg per
decilitre), decided by the lead's rule, written before any run and quoted unchanged:

    M2 (the "may" reading and the unit names inside compounds) is a correctness fix. Over
    D29 (bench/cache_losses.py verdicts with M2 against the rows of
    /work/base/base-D29-89e5b96-pairs.jsonl, at the shipped cut 0.861295) and the other
    committed hand-written and public pairs (others() of D29, as bench/month_rule.py reads
    them; generated pairs reported apart): list every pair whose verdict changes. Ship M2
    if it adds no negative hit anywhere and takes away no paraphrase hit; a change of
    either kind is listed and M2 then ships only without the piece that caused it.

The same steps with ``--candidate M2`` (the pieces "may" and "formula"; the base 89e5b96,
whose lookup 3a0863f keeps; D29 the decision sets):

    .venv/bin/python bench/month_rule.py fire --candidate M2 --out /tmp/m2-fired.jsonl
    git archive 89e5b96 layers/core | tar -x -C /tmp/m2-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m2-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m2-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m2-fired.jsonl --out /tmp/m2-off.json --pairs-out /tmp/m2-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m2-fired.jsonl --out /tmp/m2-on.json \
        --pairs-out /tmp/m2-on-rows.jsonl
    .venv/bin/python bench/month_rule.py decide --candidate M2 \
        --base /work/base/base-D29-89e5b96-pairs.jsonl --fired /tmp/m2-fired.jsonl \
        --off-rows /tmp/m2-off-rows.jsonl --on-rows /tmp/m2-on-rows.jsonl \
        --out bench/results/may-units-session23.json

Session 24's M3 (``--candidate M3``: in the respelling check, an "s" glued to a number a
hyphen joins to a word is a plural, no second, "under-14s", "W-2s"; a unit's letters
stand for several words only where one of them is a unit, so the "dL" of "mg/dL" is no
"deep learning"), decided by the lead's rule, written before any run and quoted
unchanged:

    M3 (the plural-s readings and acronyms inside units) is a correctness fix. Over D31
    (bench/cache_losses.py verdicts with M3 against the rows of
    /work/base/base-D31-b9e29c7-pairs.jsonl, at the shipped cut 0.855177, floor 0.5), DS
    (heldout42, heldout43, against /work/base/base-DS-b9e29c7-pairs.jsonl) and the other
    committed hand-written and public pairs (others() of D31, as bench/month_rule.py reads
    them; generated pairs reported apart): list every pair whose verdict changes. Ship M3
    if it adds no negative hit anywhere and takes away no paraphrase hit anywhere
    (pairs:qqp included, rows /work/base/quora-b9e29c7-pairs.jsonl), and its added CPU per
    text (median over D31's texts, process time) <= 0.02 ms. Otherwise M3 does not ship
    and each changed pair is reported.

The same steps with ``--candidate M3`` (the pieces "amounts", none expected: M3 leaves
``quantities`` alone; "plural", the respelling check's reading; "acronym", which changes
how two texts are compared, not how one is read, so ``fire`` also compares each pair's
``same_spelling`` as the lookup calls it, without M3, with the plural piece alone and with
both; the base b9e29c7; D31 and DS the decision sets, whose ``others`` are D31's less DS;
``--more-base``: the rows of DS and of ``pairs``, which ``decide`` checks like D31's):

    .venv/bin/python bench/month_rule.py fire --candidate M3 --out /tmp/m3-fired.jsonl
    git archive b9e29c7 layers/core | tar -x -C /tmp/m3-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m3-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m3-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m3-fired.jsonl --out /tmp/m3-off.json --pairs-out /tmp/m3-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m3-fired.jsonl --out /tmp/m3-on.json \
        --pairs-out /tmp/m3-on-rows.jsonl
    .venv/bin/python bench/month_rule.py decide --candidate M3 \
        --base /work/base/base-D31-b9e29c7-pairs.jsonl \
        --more-base /work/base/base-DS-b9e29c7-pairs.jsonl /work/base/quora-b9e29c7-pairs.jsonl \
        --fired /tmp/m3-fired.jsonl --off-rows /tmp/m3-off-rows.jsonl \
        --on-rows /tmp/m3-on-rows.jsonl --out bench/results/plural-units-session24.json

``fire`` also times the rule's CPU: each D31 text's respelling reading (``reading``
uncached) with M3 less without it, ``REPEATS`` times over, and each D31 pair's
``same_spelling`` likewise (the texts' readings kept, as the lookup keeps them).

Session 24's M4 (``--candidate M4``: an "s" glued to a number after a space is a plural,
no second, where the number is a decade, "the 1990s", or an age, "in my 20s", "over 65s";
the hard check reads the number alone, the respelling check the "s" as a word;
``quantities.plural_s``), decided by the lead's rule, written before any run and quoted
unchanged:

    M4 (a number with an "s" after it read as a plural or decade, not seconds, where the
    stated reading says so) is a correctness fix. Over D31 (rows
    /work/base/base-D31-b9e29c7-pairs.jsonl), DS (heldout42-43,
    /work/base/base-DS-b9e29c7-pairs.jsonl), D47 (heldout46-47, seen since rule S4c: rows
    by bench/cache_losses.py at main before M4), pairs:qqp
    (/work/base/quora-b9e29c7-pairs.jsonl) and the other committed hand-written and public
    pairs (others() as bench/month_rule.py reads them; generated pairs reported apart), at
    the shipped cut 0.855177 and floor 0.5: list every pair whose verdict changes. Ship M4
    if it adds no negative hit anywhere and takes away no paraphrase hit anywhere, and its
    added CPU per text (median over D31's texts, process time) <= 0.02 ms. Paraphrase hits
    it adds are reported. Otherwise M4 does not ship and each changed pair is reported.

The same steps with ``--candidate M4`` (the pieces "amounts", the hard check's reading,
and "plural", the respelling check's; no piece changes how two texts are compared, so a
pair's respelling changes only with a text's reading; the base 00abf17, main before M4,
whose verdicts the base rows of b9e29c7 stand for: M3 changed none; D31, DS and D47 the
decision sets, whose ``others`` are the rest; ``--more-base``: the rows of DS, of D47, made
at 00abf17 as step 2's rows without M4 are, and of ``pairs``):

    .venv/bin/python bench/month_rule.py fire --candidate M4 --out /tmp/m4-fired.jsonl
    git archive 00abf17 layers/core | tar -x -C /tmp/m4-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m4-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m4-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets heldout46 heldout47 --out /tmp/m4-d47.json --pairs-out /tmp/m4-d47-rows.jsonl
    PYTHONPATH=/tmp/m4-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m4-fired.jsonl --out /tmp/m4-off.json --pairs-out /tmp/m4-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m4-fired.jsonl --out /tmp/m4-on.json \
        --pairs-out /tmp/m4-on-rows.jsonl
    .venv/bin/python bench/month_rule.py decide --candidate M4 \
        --base /work/base/base-D31-b9e29c7-pairs.jsonl \
        --more-base /work/base/base-DS-b9e29c7-pairs.jsonl /tmp/m4-d47-rows.jsonl \
            /work/base/quora-b9e29c7-pairs.jsonl \
        --fired /tmp/m4-fired.jsonl --off-rows /tmp/m4-off-rows.jsonl \
        --on-rows /tmp/m4-on-rows.jsonl --out bench/results/plural-decades-session24.json

Session 25's M5 (``--candidate M5``: likewise a two-digit decade after "the", with or
without an apostrophe, "the 80s", "the '90s", unless a time limit follows, "the 30s
timeout"; an age group before a person, "20s women"; ``quantities.plural_s``), decided by
the lead's rule, written before any run and quoted unchanged:

    M5: M4's decade-and-age reading extended to two-digit decades after "the" (with or
    without an apostrophe: "the 80s", "the '80s", "the 80's") and an age-group before a
    person noun ("20s women"). Over D37 + others(D37) (every committed hand-written and
    public pair; generated pairs apart): M5 ships iff it takes no paraphrase hit, adds no
    negative hit, and its added CPU per text (median over D31's texts, process time) <=
    0.01 ms. The texts that read differently are listed with their pairs and verdicts,
    before and after.

The same steps with ``--candidate M5`` (M4's pieces; the base e73fe20, main before M5,
whose lookup the lead's base rows at 3c4c050 are; D37 = D31, DS, D47 and D48 =
heldout48-49 the decision sets; ``--more-base``: the rows of D48 and of ``pairs``):

    .venv/bin/python bench/month_rule.py fire --candidate M5 --out /tmp/m5-fired.jsonl
    git archive e73fe20 layers/core | tar -x -C /tmp/m5-old
    ln -s $PWD/layers/core/llm_router/data/embedding /tmp/m5-old/layers/core/llm_router/data/
    PYTHONPATH=/tmp/m5-old/layers/core .venv/bin/python bench/cache_losses.py \
        --sets /tmp/m5-fired.jsonl --out /tmp/m5-off.json --pairs-out /tmp/m5-off-rows.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/m5-fired.jsonl --out /tmp/m5-on.json \
        --pairs-out /tmp/m5-on-rows.jsonl
    .venv/bin/python bench/month_rule.py decide --candidate M5 \
        --base /work/base/base-D35-3c4c050-pairs.jsonl \
        --more-base /work/base/base-D48-3c4c050-pairs.jsonl \
            /work/base/quora-3c4c050-pairs.jsonl \
        --fired /tmp/m5-fired.jsonl --off-rows /tmp/m5-off-rows.jsonl \
        --on-rows /tmp/m5-on-rows.jsonl --out bench/results/plural-decades-session25.json

M4's added CPU a text is both checks' reading of it: the respelling reading (``reading``
uncached) and the hard check's forms (``quantities._rewritten``, which ``_hard_forms``
keeps), each with M4 less without it, ``REPEATS`` times over, on D31's texts.

A pair neither of whose texts M reads differently keeps every input the lookup reads
(the amounts, ids, periods, currencies, measures and ranks of each text, so the features,
the index's number codes and the hard check; the respelling check's tokens), so it keeps
its verdict (with M3: whose respelling is the same too): the stack need judge only the
pairs ``fire`` finds. On D25 the verdict without M is the base rows' (each checked against
step 2's row without M).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import types
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extra_ask_rule import at_revision, others, write_fired
from pair_sets import load_sets
from run_record import run_record
from synonym_guard import decide_arguments, line, rule_rows, taken_counts, tally
from synonym_rule import generated

from llm_router.cache import quantities, spelling
from llm_router.cache.pair_features import normalise
from llm_router.cache.policy import synonyms_of
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

D25 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 36)))
D29 = (*D25, *(f"heldout{n}" for n in range(36, 40)))
D31 = (*D29, "heldout40", "heldout41")
DS = ("heldout42", "heldout43")
D47 = ("heldout46", "heldout47")
D48 = ("heldout48", "heldout49")
REPEATS = 10  # each text's reading, each pair's respelling, timed this many times over


@dataclass(frozen=True)
class Candidate:
    rule: str
    base: str  # the base rows' commit: quantities and spelling without the candidate
    decision: tuple[str, ...]
    pieces: tuple[str, str]  # what differs in the amounts reading, in the respelling's
    # M3: a piece that changes how the respelling check compares two texts, not how it
    # reads one, and ``spelling``'s functions that make it (as committed at ``base``,
    # they give the other pieces alone); the sets whose texts' added CPU the rule bounds,
    # the bound (ms, the median) and the cut it names.
    compared: tuple[str, tuple[str, ...]] | None = None
    timed: tuple[str, ...] = ()
    cpu_ms: float | None = None
    cut: float | None = None
    # M4: the hard check's forms (``quantities._rewritten``) timed with the respelling
    # reading, a text's added CPU being both
    timed_amounts: bool = False


def _quoted(doc: str, after: str, before: str) -> str:
    """A rule quoted in this module's docstring, on one line."""
    return " ".join(doc.split(after, 1)[1].split(before, 1)[0].split())


CANDIDATES = {
    "M": Candidate("docs/cache-history.md, Session 22: month names in the amounts check (M)",
                   "7657d69", D25, ("months", "units")),
    "M2": Candidate(_quoted(__doc__, "quoted unchanged:", "The same steps"), "89e5b96", D29,
                    ("may", "formula")),
    "M3": Candidate(_quoted(__doc__.split("Session 24's M3", 1)[1], "quoted\nunchanged:",
                            "The same steps"), "b9e29c7", (*D31, *DS), ("amounts", "plural"),
                    ("acronym", ("_acronym",)), D31, 0.02, 0.855177),
    "M4": Candidate(_quoted(__doc__.split("Session 24's M4", 1)[1], "quoted\nunchanged:",
                            "The same steps"), "00abf17", (*D31, *DS, *D47),
                    ("amounts", "plural"), None, D31, 0.02, 0.855177, timed_amounts=True),
    "M5": Candidate(_quoted(__doc__.split("Session 25's M5", 1)[1], "quoted unchanged:",
                            "The same steps"), "e73fe20", (*D31, *DS, *D47, *D48),
                    ("amounts", "plural"), None, D31, 0.01, 0.855177, timed_amounts=True),
}


def amounts_reading(q: types.ModuleType, text: str) -> str:
    """Every output of ``quantities`` the lookup reads of a text (``vocabulary.view``'s
    and the index's number codes' inputs), as one string."""
    low = normalise(text)
    return repr((q.amounts(low), q.amounts(low, hard=True), q.other_readings(low),
                 sorted(q.ids(low)), sorted(q.ids(low, hard=True)), sorted(q.periods(low)),
                 sorted(q.currencies(low)), sorted(q.measures(low)), sorted(q.ranks(low))))


def spelling_reading(s: types.ModuleType, text: str) -> str:
    """The respelling check's reading of a text (tokens, kinds, units), as one string."""
    return repr(s.reading(text))


def old_modules(base: str) -> tuple[types.ModuleType, types.ModuleType]:
    """``quantities`` and ``spelling`` as committed at ``base``, each read with this
    tree's modules around it (``at_revision``, which keeps the module in ``sys.modules``)."""
    found = []
    for module, name in ((quantities, "amounts"), (spelling, "reading")):
        at_revision(module, name, base)
        found.append(sys.modules[f"{module.__name__}_at_{base}"])
    # ``spelling`` imports ``quantities.plural_s`` (M4): the old reading needs the old one
    # (M5 changes only it; session 25's fire ran before this line and saw no plural piece).
    if hasattr(found[1], "plural_s"):
        setattr(found[1], "plural_s", found[0].plural_s)  # noqa: B010
    return found[0], found[1]


def spliced(module: types.ModuleType, names: tuple[str, ...], source: types.ModuleType
            ) -> types.ModuleType:
    """``module`` as this tree has it, run again apart, with ``names`` taken from
    ``source`` (its version at the base: the candidate less the piece they make)."""
    path = Path(module.__file__ or "")
    copy = types.ModuleType(f"{module.__name__}_without_{'_'.join(names)}")
    copy.__file__ = module.__file__
    sys.modules[copy.__name__] = copy  # dataclasses look their module up
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), copy.__dict__)
    for name in names:
        setattr(copy, name, getattr(source, name))
    return copy


def respellings(candidate: Candidate, old_s: types.ModuleType, pairs: list[dict[str, Any]],
                ) -> dict[int, dict[str, Any]]:
    """Each pair whose respelling (``same_spelling`` as the lookup calls it) the candidate
    changes, by position, with the pieces that change it and the two results: its
    ``compared`` piece (this tree against this tree with the piece's functions at
    ``base``), and the reading's piece (that against ``base``)."""
    assert candidate.compared is not None
    piece, names = candidate.compared
    alone = spliced(spelling, names, old_s)
    config = CacheConfig()
    args = (shared_verifier().vocabulary.pieces, synonyms_of(config), config.short_forms)
    found: dict[int, dict[str, Any]] = {}
    for n, p in enumerate(pairs):
        old, other, new = (m.same_spelling(p["a"], p["b"], *args)
                           for m in (old_s, alone, spelling))
        if old != other:
            found.setdefault(n, {})[candidate.pieces[1]] = [old, other]
        if other != new:
            found.setdefault(n, {})[piece] = [other, new]
    return found


def added_cpu(candidate: Candidate, old_q: types.ModuleType, old_s: types.ModuleType
              ) -> tuple[list[float], list[float]]:
    """The candidate's added CPU (seconds) on each text of its ``timed`` sets, read once
    each (the respelling reading, ``reading`` uncached; with ``timed_amounts``, M4's, the
    hard check's forms too, ``_rewritten`` of the normalised text, which ``_hard_forms``
    keeps), and, with a ``compared`` piece, on each of their pairs (its ``same_spelling``,
    the two readings kept), each ``REPEATS`` times over, less ``base``'s (``quantities``,
    which M3 leaves alone, is not timed for M3)."""
    pairs = load_sets(list(candidate.timed))
    config = CacheConfig()
    args = (shared_verifier().vocabulary.pieces, synonyms_of(config), config.short_forms)

    def timed(call: Any, *given: Any) -> float:
        started = time.process_time()
        for _ in range(REPEATS):
            call(*given)
        return (time.process_time() - started) / REPEATS

    texts = [timed(spelling.reading.__wrapped__, t) - timed(old_s.reading.__wrapped__, t)
             + (timed(quantities._rewritten, normalise(t))
                - timed(old_q._rewritten, normalise(t)) if candidate.timed_amounts else 0.0)
             for t in dict.fromkeys(t for p in pairs for t in (p["a"], p["b"]))]
    compared: list[float] = []
    for p in pairs if candidate.compared is not None else ():
        for m in (spelling, old_s):
            m.reading(p["a"]), m.reading(p["b"])
        compared.append(timed(spelling.same_spelling, p["a"], p["b"], *args)
                        - timed(old_s.same_spelling, p["a"], p["b"], *args))
    return texts, compared


def fire(candidate: Candidate, decision: tuple[str, ...], out: Path) -> None:
    """The pairs of ``decision`` and ``others(decision)`` one of whose texts the
    candidate reads differently, each with the pieces that differ and the two readings
    (with a ``compared`` piece, those whose respelling it changes too, ``respelled``),
    and the candidate's added CPU where its rule bounds it."""
    old_q, old_s = old_modules(candidate.base)
    amounts_piece, units_piece = candidate.pieces
    pairs = load_sets(list(decision)) + others(decision)
    started = time.process_time()
    differs: dict[str, dict[str, Any]] = {}
    for text in dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])):
        found: dict[str, Any] = {}
        before, after = amounts_reading(old_q, text), amounts_reading(quantities, text)
        if before != after:
            found[amounts_piece] = [before, after]
        before, after = spelling_reading(old_s, text), spelling_reading(spelling, text)
        if before != after:
            found[units_piece] = [before, after]
        if found:
            differs[text] = found
    respelled = {} if candidate.compared is None else respellings(candidate, old_s, pairs)
    fired = []
    for n, p in enumerate(pairs):
        pieces = sorted({piece for t in (p["a"], p["b"]) for piece in differs.get(t, {})}
                        | set(respelled.get(n, {})))
        if pieces:
            fired.append({**p, "pieces": pieces,
                          "readings": {t: differs[t] for t in (p["a"], p["b"]) if t in differs},
                          **({"respelled": respelled[n]} if n in respelled else {})})
    spent = time.process_time() - started
    texts, compared = added_cpu(candidate, old_q, old_s) if candidate.timed else (None, [])
    summary = write_fired(out, pairs, fired, spent, texts, REPEATS)
    if candidate.timed:
        per_text = summary.pop("added_cpu_ms")  # write_fired counts them as "pairs"
        summary["added_cpu_ms"] = {"texts": per_text.pop("pairs"), **per_text}
        summary["texts_timed"] = candidate.timed
        if candidate.timed_amounts:
            summary["added_cpu_ms"]["reads"] = "spelling.reading + quantities._rewritten"
    if compared:
        summary["respelling_added_cpu_ms"] = {
            "pairs": len(compared), "repeats": REPEATS,
            "median": round(1000 * statistics.median(compared), 4),
            "p90": round(1000 * statistics.quantiles(compared, n=10)[-1], 4)}
    if candidate.timed:
        out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{len(pairs):,} pairs, {len(differs):,} texts read differently, {len(respelled):,} "
          f"pairs respelled differently, {len(fired):,} pairs ({spent:.1f} s CPU); added CPU "
          f"{summary.get('added_cpu_ms')} a text, {summary.get('respelling_added_cpu_ms')} a "
          f"pair; wrote {out}")


def read_differently(candidate: Candidate, fired: list[dict[str, Any]]
                     ) -> dict[str, dict[str, int]]:
    """By piece (each of the candidate's, none left out): the texts it reads differently
    and the pairs it changes (a pair: one of its texts so read, or its respelling changed
    by the piece)."""
    texts: dict[str, set[str]] = {}
    pairs: Counter[str] = Counter()
    for p in fired:
        for text, found in p["readings"].items():
            for piece in found:
                texts.setdefault(piece, set()).add(text)
        for piece in p["pieces"]:
            pairs[piece] += 1
    named = (*candidate.pieces, *(() if candidate.compared is None else candidate.compared[:1]))
    return {piece: {"texts": len(texts.get(piece, ())), "pairs": pairs[piece]}
            for piece in dict.fromkeys((*named, *sorted(pairs)))}


def decide(candidate: Candidate, base: Path, fired: Path, off_rows: Path, on_rows: Path,
           out: Path, decision: tuple[str, ...], more_base: tuple[Path, ...] = ()) -> None:
    floor, cut, pairs, before, after, shipped = rule_rows(base, fired, off_rows, on_rows)
    if candidate.cut is not None and round(cut, 6) != candidate.cut:
        raise SystemExit(f"the shipped cut is {cut}, the rule names {candidate.cut}")
    # Sets whose base rows are given (``more_base``: M3's DS and Quora's ``pairs``) are
    # checked like the decision sets: a fired pair's row without the candidate must give
    # its base row's verdict.
    for path in more_base:
        shipped.update({(r["set"], r["a"], r["b"]): r for r in read_jsonl(path)})
    checked = tuple(dict.fromkeys((*decision, *(key[0] for key in shipped))))
    changed, taken, added = tally(
        pairs, before, after, shipped, base, checked, floor, cut,
        lambda p, hit, s, m: f"{'+'.join(p['pieces'])}: {line(p, hit, m['p'])}")
    # The rule: no negative hit added, no paraphrase hit taken away (generated pairs
    # reported apart); for M and M2 a piece behind either does not ship, for M3 and M4
    # none of it.
    wrong = [(p, said) for p, said in added if not p["label"]] + [
        (p, said) for p, said in taken if p["label"]]
    counted = [(p, said) for p, said in wrong if not generated(p)]
    verdict: dict[str, Any] = {
        **taken_counts(taken, added, decision),
        "negative_hits_added": sum(1 for p, _ in counted if not p["label"]),
        "paraphrase_hits_taken": sum(1 for p, _ in counted if p["label"]),
        "paraphrase_hits_added": sum(1 for p, _ in added if p["label"] and not generated(p)),
        "generated_against": len(wrong) - len(counted)}
    summary = json.loads(fired.with_suffix(".json").read_text())
    if candidate.cpu_ms is None:
        blamed = sorted({piece for p, _ in counted for piece in p["pieces"]})
        verdict["ships"] = [piece for piece in candidate.pieces if piece not in blamed]
    else:
        cost = summary["added_cpu_ms"]["median"]
        verdict |= {"added_cpu_ms_median": cost, f"cpu<={candidate.cpu_ms}ms":
                    cost <= candidate.cpu_ms}
        verdict["ships"] = not counted and cost <= candidate.cpu_ms
    by = Counter(f"{p['set']} {'+'.join(p['pieces'])} {'+' if p['label'] else '-'}"
                 for p in pairs)
    result = {
        "rule": candidate.rule, "floor": floor, "cut": cut, "decision_sets": list(decision),
        "base_commit": candidate.base, "verdict": verdict, "pairs_read": summary["pairs"],
        "changed": summary["fired"], "fire_cpu_s": summary["cpu_s"],
        **{k: summary[k] for k in ("added_cpu_ms", "respelling_added_cpu_ms") if k in summary},
        "read_differently": read_differently(candidate, pairs),
        "changed_by_set_and_piece": dict(sorted(by.items())),
        "against_the_rule": [said for _, said in wrong],
        "hits_taken": [said for _, said in taken], "hits_added": [said for _, said in added],
        "verdicts_changed": [said for said in changed if "hit -> miss" in said
                             or "miss -> hit" in said],
        "changed_pairs": changed,
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(verdict, indent=1))
    print(json.dumps(result["read_differently"]))
    print("\n".join(result["verdicts_changed"]) or "no verdict changed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs M reads differently")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--candidate", choices=sorted(CANDIDATES), default="M",
                       help="M (session 22, the default), M2 (session 23), M3 or M4 (24), "
                            "M5 (25)")
        p.add_argument("--decision", nargs="+", default=None,
                       help="the decision sets (default: the candidate's, D25 for M: "
                            "heldout9-11, 14-35; D29 for M2: heldout9-11, 14-39; D31 and "
                            "DS for M3: heldout9-11, 14-43; and D47 for M4: heldout46-47; "
                            "and D48 for M5: heldout48-49)")
        p.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "the candidate", decision_rows=False)
    d.add_argument("--more-base", nargs="*", type=Path, default=[],
                   help="cache_losses --pairs-out rows of other sets, without the candidate, "
                        "checked like --base's (M3: DS's and Quora's pairs'; M4: D47's too)")
    args = parser.parse_args()
    candidate = CANDIDATES[args.candidate]
    decision = tuple(args.decision or candidate.decision)
    if args.command == "fire":
        fire(candidate, decision, args.out)
    else:
        decide(candidate, args.base, args.fired, args.off_rows, args.on_rows, args.out,
               decision, tuple(args.more_base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
