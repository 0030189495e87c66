"""Named pair sets' queries against one shared cache: what a user of a populated cache
sees, next to the one-entry figures.

    .venv/bin/python bench/cache_shared.py              # heldout1-9, 10,000 entries, 3 variants
    .venv/bin/python bench/cache_shared.py --sets heldout9 heldout10 heldout11 --variants 0.5:5
    .venv/bin/python bench/cache_shared.py --entries 0 --variants 0.5:5  # the sets' texts only
    .venv/bin/python bench/cache_shared.py --root /some/dir --sets setA setB  # other folders
    .venv/bin/python bench/cache_shared.py --sets heldout9 --verifier-model cross [--cross-dir D]
    .venv/bin/python bench/cache_shared.py --sets heldout9 --variants 0.5:5:0 0.5:5:3  # rank margin
    .venv/bin/python bench/cache_shared.py --sets heldout42 heldout43 --variants 0.5:5 0.5:5:n0.45
    .venv/bin/python bench/cache_shared.py --sets heldout48 heldout49 --variants 0.5:5 0.5:5:m \
        --retrieval-map .cache/cache_retrieval/MAP.npz  # the learnt retrieval map (session 27)
    .venv/bin/python bench/cache_shared.py --sets heldout66 heldout67 --variants 0.5:5:m 0.5:5:m:r

A pair probe (``bench/cache_losses.py``) holds one entry, so neither the lookup's bound of
``CANDIDATES`` nearest entries nor another entry's answer shows there. Here one tenant's
index holds every distinct cached text of the sets given (named as in
``bench/pair_sets.py``; default heldout1-9) plus Quora questions from bench/cache_pairs
(seen) up to ``--entries``, and each pair's query is looked up in it (its own text left
out when it is also an entry) through the router's ``TenantIndex.search`` and policy,
once per ``--variants`` entry FLOOR:WIDEN_TO[:RANK_MARGIN] (the similarity floor;
``widen_to``: the candidates a lookup may judge in all; ``MatchPolicy.rank_margin``; a
field ``nF`` after WIDEN_TO: F1 at F, ``MatchPolicy.nearest_floor``; a field ``m``: the
index ranks and floors by ``--retrieval-map``'s mapped cosine, by default the catalog's
``cache.retrieval_map``: the shipped lookup is ``0.5:5:m`` since session 28; a field
``r``: RA, every candidate at the floor or over that the lookup refused raises the next
one's bar, whatever check refused it, ``MatchPolicy.rank_margin_counts_refused``, off in
the shipped lookup: ``0.5:5:m:r``, session 29; a field ``a``: the query's asking clause
embedded too, its second vector searched in the same index, ``cache.ask_clause``, off in
the shipped lookup: ``0.5:5:m:a``, session 31; ``af``: the query alone picks the
candidates and the clause's cosine lifts only their floor, ``cache.ask_clause: floor``;
the clause's MiniLM pass, batch 1, is counted in the lookup's CPU; a field ``q``: the hard
check and the index's codes read amounts written other ways, ``cache.amount_forms``, off in
the shipped lookup: ``0.5:5:m:q``, session 31; a field ``c``: the co-member check after
the verifier, ``cache.co_members``, off in the shipped lookup: ``0.5:5:m:c``, session 33;
a field ``lC``: the lookup's nearest candidate judged at the variant's cut and the others at
C, the nearest learnt by the bench, ``RankCut``, session 35; ``LC``: the same judged by the
layer, ``cache.verifier_later_cut`` C, off in the shipped lookup: ``0.5:5:m:3:0.91:L1.01``,
session 36; a field ``w`` or ``w0``: rule NW's number words in the hard check and the
index's codes on or off, ``cache.number_words``, on in the shipped lookup since session 36:
``0.5:5:m:w0`` is the lookup before it; with ``nF`` a field ``NK``: F1's candidate judged at
the cut K, ``cache.verifier_floor_nearest_cut``, off in the shipped lookup:
``0.5:5:m:n0.45:N0.97``, session 37),
the variants taken in turn first per query so that each pays the cold reads equally.
The nets (alone or under the cross-encoder) get every text's token states before timing;
the cross-encoder forgets its pair scores before every lookup, which then pays its one
batched pass (``bench/verifier_choice.py``: ``--verifier-model``, ``--cross-dir``).
Per pair, the outcome:

- ``partner``: the pair's cached text answered (for a negative: a false hit);
- ``other``: another entry answered first (``other_same``: one labelled a paraphrase of
  the query in some set; ``other_negative``: one labelled a negative of it; else
  unlabelled, listed for reading);
- ``top_k``: a miss, the partner not among the candidates the lookup could judge
  (outside the bound, or behind an entry under the floor);
- ``refused``: a miss, the partner judged and refused (its stage: ``cache_losses.py``).

Per variant also the CPU of a lookup and ``verified_per_lookup``: the candidates a lookup
hands the verifier's batched pass (over the floor, in the rounds it judged; none in a
round a respelled candidate answered), what a lower floor or a wider bound costs; with
the cross-encoder, ``scored_per_lookup`` counts what it did: the pairs its encoder
scored in the lookups (``ScoreCount``; the amounts-and-ids and one-word refusals before
the model left out, as ``before_judging`` leaves them).

Per set (and ``all``: every set given but ``pairs``' components), what a user sees:
``per_pair`` (recall and false hits with one entry, ``probe``), then of the positive
queries how many got their own entry's answer (``own``), another entry's (``another``)
or none, and of the negative queries how many got any answer (``answered``: their
pair's entry, the false hit, or ``another``). Another entry's answer is read by
``pair_sets.PairGroups``: ``another_right`` (the labels make it the query's question),
``another_wrong`` (a label-0 pair joins its question and the query's) or
``another_unknown`` (of which ``another_filler``: a Quora question, in no set);
``known_wrong`` (negatives) is the false hits plus
``another_wrong``: a floor on the wrong answers, not an estimate of them (the sets label
pairs, not everything near a query).

Writes ``bench/results/cache-shared.json`` (every pair's outcome and the entry that
answered: ``bench/results/local/cache-shared-pairs.jsonl``, gitignored) and prints
tables.

A run that does not finish says so (session 12: one died silently at 1,000 of 3,735
queries): ``--out`` holds ``{"incomplete": ...}`` from the start until the result replaces
it (a stale result is never left looking fresh); SIGTERM / SIGHUP / SIGINT end it with a
message naming the query it reached and exit 128 + the signal; a crash in native code
(SIGSEGV, SIGABRT, SIGBUS, SIGFPE) prints the Python stack (``faulthandler``); progress
lines carry the process's peak RSS, so a run the kernel kills for memory (SIGKILL: no
handler runs) shows its growth; and a run that judged fewer lookups than it was given
exits 1. The last line of a finished run is ``wrote OUT``.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import random
import resource
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

from embed_cache import embed_cached  # noqa: E402
from pair_sets import DEFAULT_SETS, PairGroups, load, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402
from tenants import sizes, split, tenant_of, with_traffic  # noqa: E402
from verifier_choice import add_arguments, load_chosen, ready  # noqa: E402

from llm_router.cache.co_members import shared_co_members  # noqa: E402
from llm_router.cache.cross import CrossVerifier  # noqa: E402
from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import CANDIDATES, TenantIndex, search_prescored  # noqa: E402
from llm_router.cache.narrowing import asking_clause  # noqa: E402
from llm_router.cache.pair_features import number_codes  # noqa: E402
from llm_router.cache.policy import (  # noqa: E402
    MatchPolicy,
    Verdict,
    synonyms_of,
    verified_policy,
)
from llm_router.cache.probe import probe  # noqa: E402
from llm_router.cache.retrieval_map import RetrievalMap, resolve  # noqa: E402
from llm_router.cache.verifier import PairVerifier, Verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

HERE = Path(__file__).resolve().parent
QUORA = (HERE / "cache_pairs" / "tune.jsonl", HERE / "cache_pairs" / "heldout.jsonl")
OUT = HERE / "results" / "cache-shared.json"
PAIRS = HERE / "results" / "local" / "cache-shared-pairs.jsonl"  # every outcome (gitignored)
FOREVER = 2**62
FILLER = ("a Quora question (seen), the same ones in every tenant: the rest of a tenant's "
          "cache, questions off its business (bench/tenants.py)")
CHUNK = 512  # texts readied in one batched pass


@dataclass(frozen=True)
class Answer:
    """One pair's query in the shared cache, at one variant."""

    pair: dict[str, Any]
    outcome: str  # partner, other_same, other_negative, other, top_k, refused
    answered: str | None  # the text of the entry that answered
    relation: str | None  # of another entry's answer: right, wrong, unknown (PairGroups)
    filler: bool  # another entry's answer from a text no set holds (a Quora question)
    alone: bool  # a hit with the pair's entry alone in the cache (``probe``)
    p: float | None = None  # the verifier's probability for the entry that answered (session 37)


def entries(pairs: list[dict[str, Any]], size: int) -> list[str]:
    """The sets' distinct cached texts, then Quora questions (fixed sample) up to ``size``."""
    texts = list(dict.fromkeys(p["a"] for p in pairs))
    if size > len(texts):
        taken, quora = set(texts) | {p["b"] for p in pairs}, []
        for path in QUORA:
            for p in load(path):
                if p["source"].startswith("qqp"):
                    quora += [t for t in (p["a"], p["b"]) if t not in taken]
        quora = sorted(set(quora))
        random.Random(13).shuffle(quora)
        texts += quora[:size - len(texts)]
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="heldoutN, pairs, a folder or .jsonl path, or names under --root "
                             "(default heldout1-9)")
    parser.add_argument("--root", type=Path, default=None,
                        help="read bare set names as folders under this one")
    parser.add_argument("--entries", type=int, default=10_000,
                        help="index size (at least the sets' cached texts)")
    parser.add_argument("--variants", nargs="+", default=["0.5:5", "0.5:10", "0.45:5"],
                        help="FLOOR:WIDEN_TO[:RANK_MARGIN] lookups to compare (the shipped: "
                             "0.5:5:m, with the catalog's map; 0.5:5 the raw cosine; "
                             "RANK_MARGIN: CacheConfig.verifier_rank_margin unless "
                             "given, 0: every candidate at the plain cut); "
                             "FLOOR/LOW@RATIO:WIDEN_TO: floor LOW for a pair whose word "
                             "counts differ RATIO-fold or more (UnequalFloor); a fourth "
                             "field :CUT judges at that cut instead of the verifier's; a "
                             "field :nF after WIDEN_TO verifies the nearest entry at "
                             "cosine F or more where none reaches FLOOR (F1: "
                             "cache.verifier_floor_nearest); a field :r counts every "
                             "refused candidate at the floor or over toward the rank "
                             "margin (RA: cache.rank_margin_counts_refused); a field :a "
                             "also searches the query's asking clause's vector "
                             "(cache.ask_clause: rank), :af reads it for the floor of "
                             "the query's candidates only (cache.ask_clause: floor)")
    parser.add_argument("--tenants", choices=("domain",), default=None,
                        help="one index per tenant, each (set, domain) of the pairs, its "
                             "queries looked up there only (bench/tenants.py; --entries "
                             "unused); default: one index for every set")
    parser.add_argument("--fillers", type=int, default=0,
                        help="with --tenants: Quora questions added to every tenant's index "
                             "(the same ones; default 0)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pairs-out", type=Path, default=PAIRS,
                        help="every pair's row (jsonl; default under bench/results/local/)")
    parser.add_argument("--list", action="store_true", help="print the unknown other hits")
    parser.add_argument("--scored-out", type=Path, default=None,
                        help="with the cross-encoder: every pair a lookup's verifier pass "
                             "scored (variant, query, cached text, p), jsonl (the pairs "
                             "probed alone after it left out); default: not written")
    parser.add_argument("--retrieval-map", type=Path, default=None,
                        help="the map (train/cache_retrieval/fit.py's .npz) the variants with "
                             "a field m rank and floor by (default: the catalog's "
                             "cache.retrieval_map, the layer's)")
    parser.add_argument("--keep-scores", action="store_true",
                        help="with the cross-encoder: a query's pair scores are kept across "
                             "its variants (forgotten once a query, not once a lookup): the "
                             "same verdicts, but a lookup's CPU and scored_per_lookup are "
                             "then only what the query's first variant did not score; for "
                             "many cuts of one model as variants (rule S10c)")
    add_arguments(parser)
    args = parser.parse_args()
    started = time.monotonic()
    fail_loudly(args.out)
    embedder = MiniLMEmbedder.load()
    model, verifier = load_chosen(args)
    nets = nets_part(verifier)
    if nets is not None:
        nets._prepared.budget = 1 << 31  # every text prepared once (~25 KB each): a bench only
    cut = CacheConfig().verifier_threshold or verifier.threshold
    variants = {name: variant(name, verifier, cut) for name in args.variants}
    uses_map = frozenset(name for name in args.variants if mapped_variant(name))
    catalogs = CacheConfig().retrieval_map
    if uses_map and args.retrieval_map is None:
        if catalogs is None:
            raise SystemExit(f"variants {sorted(uses_map)} name a map (m): give "
                             "--retrieval-map")
        args.retrieval_map = resolve(catalogs)
    retrieval_map = None if not uses_map else RetrievalMap.load(args.retrieval_map)
    pairs = load_sets(args.sets, args.root)
    if args.tenants is None:  # one index: every set's cached texts and Quora up to --entries
        tenancy = {"": (pairs, entries(pairs, args.entries))}
    else:
        pairs = with_traffic(pairs, args.sets, args.root)
        own = len(dict.fromkeys(p["a"] for p in pairs))
        tenancy = split(pairs, entries(pairs, own + args.fillers)[own:], args.tenants)
    texts = list(dict.fromkeys(t for _, each in tenancy.values() for t in each))
    queries = list(dict.fromkeys(p["b"] for p in pairs))
    PROGRESS["stage"] = "embedding the texts"
    vectors = dict(zip(texts, embed_cached(embedder, texts), strict=True))
    vectors.update(zip(queries, embed_cached(embedder, queries), strict=True))
    size = sum(len(each) for _, each in tenancy.values())
    looked = sum(len({p["b"] for p in mine}) for mine, _ in tenancy.values())
    print(f"{size} entries{'' if args.tenants is None else f' in {len(tenancy)} tenants'}, "
          f"{len(pairs)} pairs ({looked} distinct queries) of "
          f"{', '.join(args.sets)}; verifier: {model}", flush=True)
    groups = PairGroups(pairs)
    outcomes: dict[str, list[Answer]] = {name: [] for name in variants}
    cpu = {name: 0.0 for name in variants}
    handed = {name: 0 for name in variants}
    scored: dict[str, int] | None = None
    readings: list[dict[str, Any]] | None = None if args.scored_out is None else []
    for mine, its_texts in tenancy.values():
        its, its_cpu, its_handed, its_scored = in_index(
            its_texts, mine, vectors, variants, groups, verifier, embedder, retrieval_map,
            uses_map, progress=args.tenants is None, readings=readings,
            keep_scores=args.keep_scores)
        for name in variants:
            outcomes[name] += its[name]
            cpu[name] += its_cpu[name]
            handed[name] += its_handed[name]
        if its_scored is not None:
            scored = {name: (scored or {}).get(name, 0) + its_scored[name] for name in variants}
    cross = verifier if isinstance(verifier, CrossVerifier) else None
    for name, answers in outcomes.items():  # every pair judged at every variant, or exit 1
        if len(answers) != len(pairs):
            raise SystemExit(f"cache_shared: variant {name} judged {len(answers)} of "
                             f"{len(pairs)} pairs: the result would be partial")
    result = {"sets": args.sets,
              "verifier": {"model": model, "sha256": verifier.meta["sha256"],
                           "min_probability": cut},
              **({} if retrieval_map is None else {"retrieval_map": {
                  "path": str(args.retrieval_map), "weight_sha256": retrieval_map.sha256,
                  "variants": sorted(uses_map)}}),
              **report(outcomes, cpu, handed, looked, size, args.sets,
                       list(dict.fromkeys(p["set"] for p in pairs)), scored,
                       None if args.tenants is None
                       else list(dict.fromkeys(p["traffic"] for p in pairs)))}
    for name, held in judging(variants).items():  # what each variant judged at, beside its name
        result["by_variant"][name]["judging"] = held
    if args.tenants is not None:
        result["tenants"] = {"by": args.tenants, "filler": FILLER, **sizes(tenancy, args.fillers)}
    result["groups"] = {"contradictions": groups.contradictions,
                        "rule": "texts joined by label-1 pairs and by case/space/final "
                                "punctuation; label-0 pairs join groups apart"}
    result["timings"] = {**run_record(), "wall_s": round(time.monotonic() - started, 1),
                         "note": "CPU of one process; " + (
                             "" if nets is None else "every text's states (nets) prepared "
                             "before timing; ") + (
                             "" if cross is None else "every lookup scores its candidates "
                             "afresh (cross-encoder)" if not args.keep_scores else
                             "--keep-scores: a query's pair scores kept across its variants, "
                             "so CPU and scored per lookup are not each variant's own")}
    write_atomically(args.out, json.dumps(result, indent=1) + "\n")
    args.pairs_out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(args.pairs_out, "".join(
        json.dumps({"variant": k, "set": a.pair["set"], "id": a.pair.get("id"),
                    "label": a.pair["label"], "kind": a.pair["kind"], "a": a.pair["a"],
                    "b": a.pair["b"], "outcome": a.outcome, "answered": a.answered,
                    "relation": a.relation, "filler": a.filler, "alone": a.alone,
                    "p": a.p,
                    **({} if args.tenants is None else {
                        "tenant": tenant_of(a.pair, args.tenants),
                        "traffic": a.pair["traffic"]})},
                   ensure_ascii=False) + "\n"
        for k, got in outcomes.items() for a in got))
    if args.scored_out is not None:
        write_atomically(args.scored_out, "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                                  for r in readings or []))
    if args.list:
        for k, got in outcomes.items():
            print(f"\nanother entry's answers the labels do not judge, floor:widen_to {k}:")
            for query, text in sorted({(a.pair["b"], a.answered or "") for a in got
                                       if a.relation == "unknown"}):
                print(f"  {query!r}\n    -> {text!r}")
    print(f"\nwrote {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


# What the run has reached, for the message of a signal that ends it.
PROGRESS = {"stage": "starting", "query": 0, "queries": 0}


def fail_loudly(out: Path) -> None:
    """A run that ends early says so: ``out`` marked incomplete until the result replaces
    it, a message and exit 128 + N on SIGTERM / SIGHUP / SIGINT, the Python stack on a
    crash in native code (see the module's docstring)."""
    faulthandler.enable(all_threads=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, json.dumps({
        "incomplete": "cache_shared.py was running, or died before writing its result",
        "argv": sys.argv[1:], "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}) + "\n")

    def stop(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        print(f"cache_shared: stopped by {name} during {PROGRESS['stage']} (query "
              f"{PROGRESS['query']} of {PROGRESS['queries']}; peak RSS {peak_rss_mb():.0f} "
              f"MB); {out} is left marked incomplete", file=sys.stderr, flush=True)
        os._exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, stop)


def write_atomically(path: Path, text: str) -> None:
    """Whole or not at all: a run killed mid-write leaves the old text, never half."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass(frozen=True)
class UnequalFloor(MatchPolicy):
    """A length-aware floor, for measuring only: ``threshold`` (the lower floor) for a
    pair whose longer text has at least ``ratio`` times the shorter's words, ``floor``
    for the others. A candidate between the two floors whose lengths are alike is passed
    over (refused, not "threshold": the next candidate, nearer the floor, may be unequal)."""

    floor: float = 0.5
    ratio: float = 3.0

    def judge(self, similarity: float, cached: Any, query: Any, cached_text: str = "",
              query_text: str = "", judged: int = 0, floor: float | None = None,
              cosine: float | None = None, nearest: bool = True) -> Verdict:
        if self.threshold <= similarity < self.floor and not unequal(
                cached_text, query_text, self.ratio):
            return Verdict(False, similarity, "floor_alike")  # type: ignore[arg-type]
        return super().judge(similarity, cached, query, cached_text, query_text, judged,
                             floor, cosine, nearest)


@dataclass(frozen=True)
class RankCut(MatchPolicy):
    """Two cuts by rank, for measuring only (session 35, an exploration; nothing in the
    layer): the lookup's nearest candidate (``nearest_text``: the first of ``search``'s
    first round by the floor's cosine, the mapped one with a map) is held to
    ``min_probability``, every other candidate to ``later_cut`` (the rank margin then on
    top of that cut's logit). ``nearest_text`` None: every candidate at
    ``min_probability`` (a pair alone, ``probe``: its entry is its own nearest). The
    bench sets ``nearest_text`` per lookup (``look_up``); the index's texts are
    distinct, so a text names its row. Session 36's layer field
    ``MatchPolicy.later_probability`` (``cache.verifier_later_cut``, variant field ``LC``)
    judges the same way with the nearest known from ``search`` itself; this class stays the
    bench's own reading, the check of that one (``nearest`` is passed on untouched)."""

    later_cut: float = 0.5
    nearest_text: str | None = None

    def judge(self, similarity: float, cached: Any, query: Any, cached_text: str = "",
              query_text: str = "", judged: int = 0, floor: float | None = None,
              cosine: float | None = None, nearest: bool = True) -> Verdict:
        if self.nearest_text is not None and cached_text != self.nearest_text:
            later: MatchPolicy = replace(cast(MatchPolicy, self), min_probability=self.later_cut)
            return MatchPolicy.judge(later, similarity, cached, query, cached_text, query_text,
                                     judged, floor, cosine, nearest)
        return super().judge(similarity, cached, query, cached_text, query_text, judged,
                             floor, cosine, nearest)


def unequal(a: str, b: str, ratio: float) -> bool:
    """Whether one text has at least ``ratio`` times the other's words."""
    na, nb = len(a.split()), len(b.split())
    return max(na, nb) >= ratio * max(min(na, nb), 1)


def variant_policy(spec: str, verifier: Verifier, cut: float,
                   rank_margin: float, nearest_floor: float | None = None,
                   counts_refused: bool = False) -> MatchPolicy:
    """FLOOR, or FLOOR/LOW@RATIO (``UnequalFloor``); ``nearest_floor``: F1's
    (``MatchPolicy.nearest_floor``), with FLOOR only; ``counts_refused``: RA's
    (``MatchPolicy.rank_margin_counts_refused``)."""
    if "/" not in spec:
        return MatchPolicy(float(spec), True, verifier, cut, rank_margin=rank_margin,
                           extra_ask=CacheConfig().extra_ask, own_case=CacheConfig().own_case,
                           synonyms=synonyms_of(CacheConfig()), nearest_floor=nearest_floor,
                           rank_margin_counts_refused=counts_refused,
                           number_words=CacheConfig().number_words)
    if nearest_floor is not None:
        raise SystemExit(f"variant {spec}: F1 (:n) goes with a plain FLOOR only")
    floor, rest = spec.split("/")
    low, ratio = rest.split("@")
    return UnequalFloor(float(low), True, verifier, cut, rank_margin=rank_margin,
                        extra_ask=CacheConfig().extra_ask, own_case=CacheConfig().own_case,
                        synonyms=synonyms_of(CacheConfig()), floor=float(floor),
                        ratio=float(ratio), rank_margin_counts_refused=counts_refused,
                        number_words=CacheConfig().number_words)


def asked_variant(name: str) -> bool:
    """Whether the variant has a field ``a`` or ``af`` after WIDEN_TO: its lookups also
    read the query's asking clause's vector (``cache.ask_clause`` "rank", or "floor" with
    ``af``: ``TenantIndex.search``'s ``ask``, ``MatchPolicy.ask_ranks``)."""
    return not {"a", "af"}.isdisjoint(name.split(":")[2:])


def mapped_variant(name: str) -> bool:
    """Whether the variant has a field ``m`` after WIDEN_TO: its lookups rank and floor by
    the retrieval map's cosine (``--retrieval-map``)."""
    return "m" in name.split(":")[2:]


def variant(name: str, verifier: Verifier, cut: float) -> tuple[MatchPolicy, int]:
    """FLOOR:WIDEN_TO[:RANK_MARGIN[:CUT]] (rank margin: ``CacheConfig``'s when not given;
    cut: the verifier's), and anywhere after WIDEN_TO a field ``nF``: F1 at F (the nearest
    entry verified at cosine F or more where no candidate reaches FLOOR), a field ``m``
    (``mapped_variant``: the index is the mapped one, FLOOR on its cosine), a field
    ``r`` (RA: ``MatchPolicy.rank_margin_counts_refused``), a field ``a`` or ``af``
    (``asked_variant``: the asking clause's second vector; ``af``: the floor only,
    ``MatchPolicy.ask_ranks`` False), a field ``q`` (``MatchPolicy.amount_forms``) and a
    field ``c`` (``MatchPolicy.co_members``: the layer's table), a field ``w`` or ``w0``
    (``MatchPolicy.number_words`` on or off, rule NW; else ``cache.number_words``); with
    ``nF`` a field ``NK``: F1's candidate under FLOOR judged at the cut K, the others at the
    variant's (``MatchPolicy.nearest_cut``, ``cache.verifier_floor_nearest_cut``, rule FC,
    session 37); a field ``lC``: the
    cut (given or the verifier's) for the lookup's nearest candidate only and C for the
    others (``RankCut``; with a plain FLOOR, not with ``a``/``af``); a field ``LC``: the
    same judged by the layer (``cache.verifier_later_cut`` C: the policy
    ``verified_policy`` builds from the catalog's configuration with that setting and the
    variant's rank margin, the nearest known from ``search``; with a plain FLOOR and ``m``
    alone, session 36)."""
    floor, widen_to, *fields = name.split(":")
    layer_later = [float(f[1:]) for f in fields if f.startswith("L")]
    fields = [f for f in fields if not f.startswith("L")]
    nearest_cut = [float(f[1:]) for f in fields if f.startswith("N")]
    fields = [f for f in fields if not f.startswith("N")]
    later = [float(f[1:]) for f in fields if f.startswith("l")]
    fields = [f for f in fields if not f.startswith("l")]
    if later and (len(later) > 1 or "/" in floor or not {"a", "af"}.isdisjoint(fields)):
        raise SystemExit(f"variant {name}: one :lC at most, with a plain FLOOR, no :a")
    if layer_later and (len(layer_later) > 1 or later or "/" in floor or not set(fields) <= {
            "m"} | {f for f in fields if f.replace(".", "", 1).isdigit()}):
        raise SystemExit(f"variant {name}: one :LC at most, with a plain FLOOR, :m alone")
    counts_refused = "r" in fields
    ask_ranks = "af" not in fields
    forms = "q" in fields
    co = "c" in fields
    words = True if "w" in fields else False if "w0" in fields else None
    fields = [f for f in fields if f not in ("m", "r", "a", "af", "q", "c", "w", "w0")]
    nearest = [float(f[1:]) for f in fields if f.startswith("n")]
    rest = [f for f in fields if not f.startswith("n")]
    if len(nearest) > 1:
        raise SystemExit(f"variant {name}: one :nF at most")
    if nearest_cut and (len(nearest_cut) > 1 or not nearest or later or layer_later):
        raise SystemExit(f"variant {name}: one :NK at most, with :nF, no :lC or :LC")
    rank_margin = float(rest[0]) if rest else CacheConfig().verifier_rank_margin
    if len(rest) > 1:
        cut = float(rest[1])
    policy = variant_policy(floor, verifier, cut, rank_margin, nearest[0] if nearest else None,
                            counts_refused)
    policy = policy if ask_ranks else replace(policy, ask_ranks=False)
    policy = replace(policy, amount_forms=True) if forms else policy
    policy = policy if words is None else replace(policy, number_words=words)
    policy = replace(policy, nearest_cut=nearest_cut[0]) if nearest_cut else policy
    if later:
        policy = RankCut(**{f: getattr(policy, f) for f in MatchPolicy.__dataclass_fields__},
                         later_cut=later[0])
    if layer_later:
        config = CacheConfig(verifier_rank_margin=rank_margin,
                             verifier_later_cut=layer_later[0])
        policy = verified_policy(config, float(floor), verifier, cut)
    return (replace(policy, co_members=shared_co_members()) if co else policy), int(widen_to)


def judging(variants: dict[str, tuple[MatchPolicy, int]]) -> dict[str, dict[str, Any]]:
    """Per variant, the floor, bound, rank margin and cut its lookups judged at (a cut
    given as the variant's last field, else the verifier's), and F1's floor where the variant
    sets one (``nF``): the result's record of it."""
    return {name: {"floor": policy.threshold, "widen_to": k, "rank_margin": policy.rank_margin,
                   "min_probability": policy.min_probability,
                   **({"later_cut": policy.later_cut} if isinstance(policy, RankCut) else {}),
                   **({} if policy.nearest_floor is None
                      else {"nearest_floor": policy.nearest_floor}),
                   **({} if policy.later_probability is None
                      else {"later_probability": policy.later_probability}),
                   **({} if policy.nearest_cut is None
                      else {"nearest_cut": policy.nearest_cut})}
            for name, (policy, k) in variants.items()}


def lowest_floor(policy: MatchPolicy) -> float:
    """The lowest cosine at which ``policy`` may judge a candidate (F1's floor, if on)."""
    return min(policy.threshold, policy.threshold if policy.nearest_floor is None
               else policy.nearest_floor)


def nets_part(verifier: Verifier) -> PairVerifier | None:
    """The nets a verifier runs (alone, or the cross-encoder is stacked on them)."""
    return verifier if isinstance(verifier, PairVerifier) else verifier.nets


def forget_scores(cross: CrossVerifier) -> None:
    """Drop the cross-encoder's pair scores and views, not the nets' prepared texts: a
    lookup scores its pairs afresh in a router too, but there the query's token states
    come from its own embedding pass and popular entries' are kept; preparing every text
    once, before timing, stands for that (``forget`` alone would drop the nets' too)."""
    nets, cross.nets = cross.nets, None
    try:
        cross.forget()
    finally:
        cross.nets = nets


@dataclass
class ScoreCount:
    """The pairs a cross-encoder's encoder scored (every ``scored`` call: the lookup's
    batched pass and any pair scored alone after), counted once ``count_scores`` wraps it."""

    pairs: int = 0
    # (query, cached, p) of every pair scored, in order (``--scored-out`` reads a lookup's)
    readings: list[tuple[str, str, float]] = field(default_factory=list)


def count_scores(cross: CrossVerifier) -> ScoreCount:
    """Count every pair ``cross``'s encoder scores from now on (its verdicts unchanged)."""
    count = ScoreCount()
    scored = cross.encoder.scored

    def counted(pairs: Any) -> Any:
        count.pairs += len(pairs)
        out = scored(pairs)
        count.readings += [(q, c, float(p)) for (q, c), p in zip(pairs, out[0], strict=True)]
        return out

    cross.encoder.scored = counted  # type: ignore[method-assign]
    return count


def judgeable(index: TenantIndex, vectors: dict[str, Any],
              by_query: dict[str, list[dict[str, Any]]], floor: float,
              k: int, forms: bool = False, words: bool = False) -> list[tuple[str, str]]:
    """(entry, query) of every candidate over ``floor`` that a lookup of any variant may
    judge: the query's ``k`` nearest entries (one more, its own text left out), those the
    hard check refuses left out as ``search`` does (the codes read with the forms with
    ``forms``: ``MatchPolicy.amount_forms``; with ``words``: ``MatchPolicy.number_words``)."""
    out = []
    for query in by_query:
        nearest = index.nearest(vectors[query], "ctx", 0, max(k, CANDIDATES) + 1,
                                number_codes(query, forms, words), forms=forms, words=words)
        out += [(index.text(row), query) for row, similarity in nearest
                if similarity >= floor and index.text(row) != query]
    return out


def in_index(texts: list[str], pairs: list[dict[str, Any]], vectors: dict[str, Any],
             variants: dict[str, tuple[MatchPolicy, int]], groups: PairGroups,
             verifier: Verifier, embedder: MiniLMEmbedder,
             retrieval_map: RetrievalMap | None, uses_map: frozenset[str],
             progress: bool = True, readings: list[dict[str, Any]] | None = None,
             keep_scores: bool = False
             ) -> tuple[dict[str, list[Answer]], dict[str, float], dict[str, int],
                        dict[str, int] | None]:
    """One index of ``texts`` (and its twin ranked by ``retrieval_map`` where a variant
    of ``uses_map`` asks for it; and of each, a twin for each reading of the codes but
    the first, ``q``'s forms and ``w`` / ``w0``'s number words: ``TenantIndex`` holds one
    reading's), the texts a
    lookup or a probe there may judge prepared for the nets first, and every query of
    ``pairs`` looked up in it (``look_up``)."""
    index = TenantIndex(capacity=len(texts))
    mapped = (None if retrieval_map is None
              else TenantIndex(capacity=len(texts), retrieval_map=retrieval_map))
    # Each reading of the codes (amount forms, number words) but the first looks up in
    # twins of the indexes: ``TenantIndex`` holds one reading's codes.
    reading_of = sorted({(policy.amount_forms, policy.number_words)
                         for policy, _ in variants.values()})
    first = reading_of[0]
    twins = {(each, *reading): TenantIndex(capacity=len(texts),
                                           retrieval_map=each.retrieval_map)
             for reading in reading_of[1:] for each in (index, mapped) if each is not None}
    for i, text in enumerate(texts):
        for each in (index, mapped, *twins.values()):
            if each is not None:
                each.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], FOREVER, ""))
    by_query: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_query.setdefault(p["b"], []).append(p)
    PROGRESS["stage"] = "preparing the texts"
    nets = nets_part(verifier)
    if nets is not None:  # every text a lookup or a probe may judge, prepared before timing
        floor = min(lowest_floor(policy) for policy, _ in variants.values())
        k = max(k for _, k in variants.values())
        judged = [pair for each in (index, mapped) if each is not None
                  for pair in judgeable(each, vectors, by_query, floor, k, *first)]
        judged += [pair for (_, *reading), each in twins.items()
                   for pair in judgeable(each, vectors, by_query, floor, k, *reading)]
        judged += [(p["a"], p["b"]) for p in pairs]
        texts_judged = list(dict.fromkeys(t for pair in judged for t in pair))
        for n in range(0, len(texts_judged), CHUNK):  # each text once: a MiniLM pass each
            ready(nets, embedder, [(t, t) for t in texts_judged[n:n + CHUNK]])
    cross = verifier if isinstance(verifier, CrossVerifier) else None
    return look_up(index, vectors, by_query, variants, texts, groups, cross, mapped,
                   uses_map, progress, embedder, twins, readings, keep_scores)


def look_up(index: TenantIndex, vectors: dict[str, Any],
            by_query: dict[str, list[dict[str, Any]]],
            variants: dict[str, tuple[MatchPolicy, int]], texts: list[str],
            groups: PairGroups, cross: CrossVerifier | None = None,
            mapped: TenantIndex | None = None, uses_map: frozenset[str] = frozenset(),
            progress: bool = True, embedder: MiniLMEmbedder | None = None,
            twins: dict[tuple[TenantIndex, bool, bool], TenantIndex] | None = None,
            readings: list[dict[str, Any]] | None = None, keep_scores: bool = False
            ) -> tuple[dict[str, list[Answer]], dict[str, float], dict[str, int],
                       dict[str, int] | None]:
    """Every query once per variant in the shared index (CPU timed), and each of its
    pairs alone (``probe``, untimed); per variant the outcomes, the CPU seconds, the
    candidates the lookups handed the verifier (``handed``) and, with the
    ``cross``-encoder, the pairs it scored in them (``scored``; else None). Its pair
    scores are forgotten before each lookup (a variant never reads another's). The
    variants of ``uses_map`` look up in ``mapped`` (the same entries, a retrieval map's
    index), and their pairs alone are probed with its map. The variants with a field
    ``a`` (``asked_variant``) embed the query's asking clause with ``embedder`` (batch 1,
    in the lookup's CPU) and search that vector too. The variants whose codes are read
    otherwise than the first reading's (``q``: ``MatchPolicy.amount_forms``; ``w`` / ``w0``:
    ``MatchPolicy.number_words``) look up in the ``twins`` of those for their reading (the
    same entries, their codes read so; the first reading in the same index).
    ``readings``, given with the ``cross``-encoder, gets every pair a lookup scored
    (variant, query, cached, p).
    ``keep_scores``: the scores are forgotten before a query's first variant only (the same
    verdicts; the later variants' CPU and ``scored`` then leave out what the first scored)."""
    key_text = {f"e{i}": text for i, text in enumerate(texts)}
    own_key = {text: f"e{i}" for i, text in enumerate(texts)}
    outcomes: dict[str, list[Answer]] = {name: [] for name in variants}
    alone: dict[tuple[str, str, str], bool] = {}  # (floor spec, query, cached): a probe's hit
    cpu = {name: 0.0 for name in variants}
    handed = {name: 0 for name in variants}
    count = None if cross is None else count_scores(cross)
    scored = {name: 0 for name in variants}
    names = list(variants)
    PROGRESS.update(stage="the lookups", queries=len(by_query))
    for n, (query, its_pairs) in enumerate(by_query.items()):
        PROGRESS["query"] = n
        if progress and n % 1000 == 0:
            print(f"  {n}/{len(by_query)} queries (peak RSS {peak_rss_mb():.0f} MB)",
                  flush=True)
        own = own_key.get(query)
        every = (index, mapped, *(twins or {}).values())
        if own is not None:  # the query is also an entry: leave it out
            for each in every:
                if each is not None:
                    each.remove(own)
        turn = names[n % len(names):] + names[:n % len(names)]  # each first in turn
        for name in turn:
            policy, k = variants[name]
            base = mapped if name in uses_map and mapped is not None else index
            searched = (twins or {}).get((base, policy.amount_forms, policy.number_words),
                                         base)
            if cross is not None and (not keep_scores or name == turn[0]):
                forget_scores(cross)
            judge_by = policy  # a RankCut learns the lookup's nearest candidate (untimed)
            if isinstance(policy, RankCut):
                first = rounds(searched, vectors[query], query, policy, k)
                judge_by = replace(policy, nearest_text=first[0][0][0]
                                   if first and first[0] else None)
            before = 0 if count is None else count.pairs
            read_from = 0 if count is None else len(count.readings)
            started = time.process_time()
            ask = None
            if asked_variant(name):
                assert embedder is not None, "a variant with :a needs the embedder"
                clause = asking_clause(query)
                ask = None if clause is None else embedder.embed_one(clause)
            lookup = search_prescored(searched, vectors[query], "ctx", 0, judge_by, query,
                                      widen_to=k, ask=ask)
            cpu[name] += time.process_time() - started
            scored[name] += 0 if count is None else count.pairs - before
            if readings is not None and count is not None:
                readings += [{"variant": name, "query": q, "cached": c, "p": round(p, 6)}
                             for q, c, p in count.readings[read_from:]]
            answered = None if lookup.match is None else key_text[lookup.match.key]
            walk = rounds(searched, vectors[query], query, policy, k, ask)
            handed[name] += handed_over(walk, policy, answered, lookup.respelling is not None,
                                        nearest_floor(searched, vectors[query], walk, policy,
                                                      ask))
            for p in its_pairs:
                one = (name.split(":", 1)[0] + ":" + str(policy.min_probability) + ":"
                       + str(policy.nearest_floor) + ":" + str(base is mapped) + ":"
                       + str(ask is not None) + ":" + str(policy.amount_forms) + ":"
                       + str(policy.number_words) + ":" + str(policy.nearest_cut),
                       query, p["a"])
                if one not in alone:
                    alone[one] = probe(p["a"], vectors[p["a"]], query, vectors[query],
                                       policy, searched.retrieval_map, ask).hit
                relation = (None if answered in (None, p["a"])
                            else groups.relation(answered, query))
                outcomes[name].append(Answer(
                    p, outcome(p, answered, walk, groups), answered,
                    relation, relation is not None and answered not in groups, alone[one],
                    None if answered is None or lookup.probability is None
                    else round(lookup.probability, 6)))
        if own is not None:
            for each in every:
                if each is not None:
                    each.add(IndexRecord(own, "ctx", query, vectors[query], FOREVER, ""))
    if cross is not None:  # the encoder's own ``scored`` again: a next look_up counts afresh
        vars(cross.encoder).pop("scored", None)
    return outcomes, cpu, handed, None if count is None else scored


def rounds(index: TenantIndex, vector: Any, query: str, policy: MatchPolicy,
           k: int, ask: Any = None) -> list[list[tuple[str, float]]]:
    """(text, similarity) of the candidates a lookup of ``query`` may judge, round by
    round as ``search`` walks them: the ``k`` nearest (those the hard check refuses left
    out), no round after one that reached under the floor. ``ask``: the lookup's second
    vector (``TenantIndex.search``)."""
    numbers = (number_codes(query, policy.amount_forms, policy.number_words)
               if policy.filters_numbers else None)
    nearest = index.nearest(vector, "ctx", 0, max(k, CANDIDATES), numbers, ask,
                            policy.ask_ranks, policy.amount_forms, policy.number_words)
    out = []
    for start in range(0, len(nearest), CANDIDATES):
        out.append([(index.text(row), s) for row, s in nearest[start:start + CANDIDATES]])
        if any(s < policy.threshold for _, s in out[-1]):
            break
    return out


def nearest_floor(index: TenantIndex, vector: Any, walk: list[list[tuple[str, float]]],
                  policy: MatchPolicy, ask: Any = None) -> float | None:
    """The floor F1 holds the lookup's nearest candidate to, where it applies
    (``MatchPolicy.floor_for_nearest``: none reaches the floor, and it is the nearest
    entry of all); else None."""
    if policy.nearest_floor is None or not walk or not walk[0]:
        return None
    best = index.nearest(vector, "ctx", 0, 1, ask=ask, ask_ranks=policy.ask_ranks)[0][1]
    return policy.floor_for_nearest(walk[0][0][1], best)


def handed_over(walk: list[list[tuple[str, float]]], policy: MatchPolicy,
                answered: str | None, respelled: bool, lowered: float | None = None) -> int:
    """The candidates a lookup handed the verifier's batched pass (``before_judging``):
    those over the floor in each round it judged, up to the one that answered; none in a
    round a respelled candidate answered (that check comes first). ``lowered``: the
    floor of the first round's first candidate (F1's, where it applies)."""
    n = 0
    for r, candidates in enumerate(walk):
        answers = any(text == answered for text, _ in candidates)
        if not (answers and respelled):
            n += sum(s >= (policy.threshold if r or i or lowered is None else lowered)
                     for i, (_, s) in enumerate(candidates))
        if answers:
            break
    return n


def outcome(pair: dict[str, Any], answered: str | None,
            walk: list[list[tuple[str, float]]], groups: PairGroups) -> str:
    if answered == pair["a"]:
        return "partner"
    if answered is not None:
        label = groups.label(answered, pair["b"])
        return "other" if label is None else "other_same" if label else "other_negative"
    # A miss: was the partner among the candidates the lookup could judge?
    judged = [text for candidates in walk for text, _ in candidates]
    return "refused" if pair["a"] in judged else "top_k"


def rate(n: int, of: int) -> float:
    return round(n / max(of, 1), 4)


def user_view(got: list[Answer]) -> dict[str, Any]:
    """Per pair, with one entry (``per_pair``) and in the shared cache (see the module's
    docstring)."""
    pos = [a for a in got if a.pair["label"]]
    neg = [a for a in got if not a.pair["label"]]
    out: dict[str, Any] = {"per_pair": {
        "recall": rate(sum(a.alone for a in pos), len(pos)), "hits": sum(a.alone for a in pos),
        "positives": len(pos), "false_hits": rate(sum(a.alone for a in neg), len(neg)),
        "passed": sum(a.alone for a in neg), "negatives": len(neg)}}
    for name, rows in (("positives", pos), ("negatives", neg)):
        own = sum(a.outcome == "partner" for a in rows)
        by = Counter(a.relation for a in rows if a.relation is not None)
        another = sum(by.values())
        block = {"n": len(rows), "own": own, "another": another,
                 "another_right": by["right"], "another_wrong": by["wrong"],
                 "another_unknown": by["unknown"],
                 "another_filler": sum(a.filler for a in rows),  # of the unknown
                 "none": len(rows) - own - another,
                 "answered_by_another": rate(another, len(rows))}
        if rows is pos:
            block["own_rate"] = rate(own, len(rows))
        else:
            block.update(answered=own + another, answered_rate=rate(own + another, len(rows)),
                         known_wrong=own + by["wrong"],
                         known_wrong_rate=rate(own + by["wrong"], len(rows)))
        out[name] = block
    return out


def report(outcomes: dict[str, list[Answer]], cpu: dict[str, float],
           handed: dict[str, int], queries: int, size: int, sets: list[str],
           names: list[str], scored: dict[str, int] | None = None,
           kinds: list[str] | None = None) -> dict[str, Any]:
    """The outcome tables and what a user sees, per variant: per set (``names``), per
    traffic kind where ``kinds`` are given (``by_kind``: support / general, the pairs'
    ``traffic``), and ``all``."""
    result: dict[str, Any] = {"entries": size, "by_variant": {}}
    given = ", ".join(sets)
    print(f"\n{size} entries: outcome of each pair's query ({given})\n")
    print("| floor:widen_to | label | partner | other_same | other_negative | other (unlabelled) | "
          "top_k | refused | CPU ms / lookup | verified / lookup |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    for k, got in outcomes.items():
        cells = {}
        for label in (1, 0):
            c = Counter(a.outcome for a in got if a.pair["label"] == label)
            cells["positives" if label else "negatives"] = {"n": sum(c.values()), **c}
            print(f"| {k} | {'+' if label else '-'} ({sum(c.values())}) | {c['partner']} | "
                  f"{c['other_same']} | {c['other_negative']} | {c['other']} | {c['top_k']} | "
                  f"{c['refused']} | {cpu[k] * 1000 / queries:.2f} | "
                  f"{handed[k] / queries:.2f}"
                  f"{'' if scored is None else f' ({scored[k] / queries:.2f} scored)'} |")
        plain = [a for a in got if not a.pair["set"].startswith("pairs:")]
        result["by_variant"][k] = {
            **cells, "cpu_ms_per_lookup": round(cpu[k] * 1000 / queries, 3),
            # candidates handed the verifier per lookup (``handed_over``)
            "verified_per_lookup": round(handed[k] / queries, 3),
            # pairs the cross-encoder scored per lookup (``ScoreCount``), with one
            **({} if scored is None else {"scored_per_lookup": round(scored[k] / queries, 3)}),
            "all": user_view(plain),
            "by_set": {n: user_view([a for a in got if a.pair["set"] == n]) for n in names},
            **({} if kinds is None else {"by_kind": {
                n: user_view([a for a in got if a.pair["traffic"] == n]) for n in kinds}})}
    for k, r in result["by_variant"].items():
        print(f"\nwhat a user sees, {size} entries, floor:widen_to {k} (all = every set "
              f"given but pairs'; another entry's answer: right / wrong / unknown by the "
              f"labels; Quora: of the unknown, a Quora question's)\n")
        print("| set | per pair recall | per pair FH | + own | + another (r/w/?; Quora) | "
              "+ none | - answered | - of which another (r/w/?; Quora) | - known wrong |\n"
              "|---|---|---|---|---|---|---|---|---|")
        for name, v in {**r["by_set"], **r.get("by_kind", {}), "all": r["all"]}.items():
            one, pos, neg = v["per_pair"], v["positives"], v["negatives"]
            print(f"| {name} | {one['recall']:.1%} ({one['hits']}/{one['positives']}) | "
                  f"{one['false_hits']:.1%} ({one['passed']}/{one['negatives']}) | "
                  f"{pos['own_rate']:.1%} ({pos['own']}) | {pos['answered_by_another']:.1%} "
                  f"({pos['another_right']}/{pos['another_wrong']}/{pos['another_unknown']}; "
                  f"{pos['another_filler']}) | "
                  f"{pos['none']} | {neg['answered_rate']:.1%} ({neg['answered']}/{neg['n']}) "
                  f"| {neg['answered_by_another']:.1%} ({neg['another_right']}/"
                  f"{neg['another_wrong']}/{neg['another_unknown']}; {neg['another_filler']}) | "
                  f"{neg['known_wrong_rate']:.1%} ({neg['known_wrong']}) |")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
