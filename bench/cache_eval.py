"""Semantic cache evaluation: recall and false hits per source and per negative kind, at
the default operating point and swept, with and without the pair verifier; lookup
latency including verification at 1k, 10k and 100k entries per tenant.

    .venv/bin/python bench/cache_eval.py            # writes bench/results/cache.json
    .venv/bin/python bench/cache_eval.py --latency-only --label quiet  # timings only
    .venv/bin/python bench/cache_eval.py --latency-only --sizes 10000 --floor 0.45 --out F

Pair sets (bench/cache_pairs/):
- ``pairs.jsonl``: the 334 pairs the lexical guards were written with (and that the
  verifier trains on): a regression check, not a quality figure;
- ``tune.jsonl``: Quora and our support pairs the verifier's model and operating point
  were chosen on (never trained on);
- ``heldout.jsonl``: questions of Quora components and a support file written apart,
  on which nothing was trained, tuned or chosen (data/cache_verifier/SOURCES.md).

Every pair goes through ``llm_router.cache.probe.probe``: a fresh index holding only the
cached text, asked for the query, with the router's own index. The quality sweeps read the
verifier's own reading (floor, amounts check, respelling without the synonym or short form,
verifier): the checks after it (narrowing, extra_ask, own_case) and the synonym form are
not applied there, so these figures are the verifier's, not the shipped lookup's
(``bench/cache_losses.py`` and ``bench/heldout_eval.py`` read that); the latency part runs
the router's policy (``verified_policy``). A sweep point
is read off one probe per pair: the probe at the loosest setting reports the similarity
and the verifier's probability (or the check that refused), and a stricter setting hits
exactly when both clear it.

The verifier's rows (``verifier``, ``verifier_no_spelling``) and the latency part floor and
rank by the catalog's ``cache.retrieval_map`` as the router does (the default since session
28; ``--no-retrieval-map``: the raw cosine, as every run before); the ``guards`` and
``cosine_only`` rows read the raw cosine, always. A row's ``similarity`` is the verifier
probe's (mapped with a map); the results and ``--rows-out`` say which
(``retrieval_map``: the weight's sha256, or None / absent: raw).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One core, as the targets are set; a threaded BLAS on a loaded machine made one
# 40-token MiniLM pass ~15 times slower. Before numpy loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from cache_shared import count_scores  # noqa: E402
from embed_cache import embed_cached  # noqa: E402
from verifier_choice import add_arguments, load_chosen, ready  # noqa: E402

from llm_router.cache.context import MAX_TOKENS
from llm_router.cache.cross import CrossVerifier
from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import CANDIDATES, WIDEN_TO, TenantIndex
from llm_router.cache.pair_features import number_codes
from llm_router.cache.policy import MatchPolicy, verified_policy
from llm_router.cache.probe import probe
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map
from llm_router.cache.verifier import PairVerifier, Verifier, nets_of
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "cache_pairs"
DATA = HERE.parent / "data"
SETS = {"project": PAIRS / "pairs.jsonl", "tune": PAIRS / "tune.jsonl",
        "heldout": PAIRS / "heldout.jsonl",
        # The independent sets, all seen (data/cache_verifier/SOURCES.md): the verifier
        # trains and tunes on the first three (split by domain).
        "heldout1": DATA / "heldout" / "cache_pairs.jsonl",
        "heldout2": DATA / "heldout2" / "cache_pairs.jsonl",
        "heldout3": DATA / "heldout3" / "cache_pairs.jsonl",
        # The fourth and fifth, seen too: the fusion model trains on both (session 7; it
        # leaves heldout6 out: train/cache_verifier/fusion.py --holdout).
        "heldout4": DATA / "heldout4" / "cache_pairs.jsonl",
        "heldout5": DATA / "heldout5" / "cache_pairs.jsonl",
        # The sixth, scored once unseen at the start of session 7 (bench/results/heldout6.json),
        # seen since.
        "heldout6": DATA / "heldout6" / "cache_pairs.jsonl",
        # The seventh, scored once unseen at 523a9f9 (bench/results/heldout7.json), seen since.
        "heldout7": DATA / "heldout7" / "cache_pairs.jsonl"}
DEFAULT_SETS = ("project", "tune", "heldout", "heldout4", "heldout5", "heldout6", "heldout7")
OUT = HERE / "results" / "cache.json"
THRESHOLDS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
PROBABILITIES = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
SIZES = (1_000, 10_000, 100_000)
CHUNK = 500  # pairs whose texts are prepared together (within the verifier's bound)


def load_pairs(path: Path) -> list[dict[str, Any]]:
    """Both formats: {cached, query, kind} (pairs.jsonl) and {a, b, label, source, kind}."""
    out = []
    for p in read_jsonl(path):
        if "cached" in p:
            p = {"a": p["cached"], "b": p["query"], "label": int(p["kind"] == "paraphrase"),
                 "source": "project", "kind": p["kind"]}
        p.setdefault("source", path.parent.name)  # the independent sets: by folder
        out.append(p)
    return out


def judge_all(pairs: list[dict[str, Any]], embedder: MiniLMEmbedder, verifier: Verifier,
              floor: float, retrieval_map: RetrievalMap | None = None
              ) -> list[dict[str, Any]]:
    """One probe per pair and mode at the loosest setting of that mode; the verifier's
    through ``retrieval_map`` (None: the raw cosine), the others by the raw cosine."""
    cached = embed_cached(embedder, [p["a"] for p in pairs])
    queries = embed_cached(embedder, [p["b"] for p in pairs])
    loose = {"guards": MatchPolicy(0.0, True), "cosine": MatchPolicy(0.0, False),
             "verifier": MatchPolicy(floor, True, verifier, 0.0)}
    alone = MatchPolicy(floor, True, verifier, 0.0, spelling=False)
    out = []
    for n, (pair, c, q) in enumerate(zip(pairs, cached, queries, strict=True)):
        if n % CHUNK == 0:  # the next pairs' states (nets) or scores (cross), batched
            ready(verifier, embedder, [(p["a"], p["b"]) for p in pairs[n:n + CHUNK]])
        row: dict[str, Any] = {"source": pair["source"], "kind": pair["kind"],
                               "label": pair["label"]}
        for mode, policy in loose.items():
            r = probe(pair["a"], c, pair["b"], q, policy,
                      retrieval_map if mode == "verifier" else None)
            row["similarity"] = r.similarity
            row[mode] = r.probability if mode == "verifier" and r.hit else (
                r.similarity if r.hit else None)
            if mode == "verifier":  # the floor or the amounts check, before the verifier
                row["refused_before"] = r.refused_by
                # The same question respelled (cache/spelling.py) hits at every cut; the
                # verifier alone is asked again only for those pairs.
                row["respelled"] = r.respelling is not None
                if r.respelling is not None:
                    row[mode] = 1.0
                    alone_r = probe(pair["a"], c, pair["b"], q, alone, retrieval_map)
                    row["verifier_no_spelling"] = alone_r.probability if alone_r.hit else None
                else:
                    row["verifier_no_spelling"] = row[mode]
        if retrieval_map is not None:
            row["retrieval_map"] = retrieval_map.sha256
        out.append(row)
    return out


def rates(rows: list[dict[str, Any]], mode: str, cut: float) -> dict[str, Any]:
    """Recall (positives) or false-hit rate (negatives) per source and kind at ``cut``."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        hit = r[mode] is not None and r[mode] >= cut
        groups[f"{r['source']}:{r['kind']}"].append(hit)  # recall or false hits by kind
        groups[f"{r['source']}:{'recall' if r['label'] else 'false_hits'}"].append(hit)
        groups[f"all:{'recall' if r['label'] else 'false_hits'}"].append(hit)
    return {k: {"rate": round(sum(v) / len(v), 4), "n": len(v)} for k, v in sorted(groups.items())}


def losses(rows: list[dict[str, Any]], cut: float) -> dict[str, dict[str, int]]:
    """Where each kind's paraphrases are lost with the verifier at ``cut``: below the
    similarity floor, at the amounts-and-ids check, or by the verifier's probability."""
    out: dict[str, dict[str, int]] = defaultdict(
        lambda: {"n": 0, "floor": 0, "numbers": 0, "verifier": 0, "hit": 0, "respelled": 0})
    for r in rows:
        if r["label"]:
            cell = out[f"{r['source']}:{r['kind']}"]
            cell["n"] += 1
            stage = {"threshold": "floor", "numbers": "numbers"}.get(
                r["refused_before"] or "",
                "hit" if r["verifier"] is not None and r["verifier"] >= cut else "verifier")
            cell[stage] += 1
            cell["respelled"] += int(r["respelled"])
    return dict(sorted(out.items()))


def summary(rows: list[dict[str, Any]], floor: float, probability: float,
            threshold: float) -> dict[str, Any]:
    return {
        "positives_lost_at": losses(rows, probability),
        "default": {
            "verifier": {"floor": floor, "min_probability": probability,
                         **rates(rows, "verifier", probability)},
            # The verifier without the same-question-respelled check before it.
            "verifier_no_spelling": {"floor": floor, "min_probability": probability,
                                     **rates(rows, "verifier_no_spelling", probability)},
            "guards": {"threshold": threshold, **rates(rows, "guards", threshold)},
        },
        "sweep": {
            "verifier": {f"{p:.2f}": _headline(rates(rows, "verifier", p))
                         for p in PROBABILITIES},
            "verifier_no_spelling": {f"{p:.2f}": _headline(rates(rows, "verifier_no_spelling", p))
                                     for p in PROBABILITIES},
            "guards": {f"{t:.2f}": _headline(rates(rows, "guards", t)) for t in THRESHOLDS},
            "cosine_only": {f"{t:.2f}": _headline(rates(rows, "cosine", t))
                            for t in THRESHOLDS},
        },
    }


def _headline(table: dict[str, Any]) -> dict[str, float]:
    return {k: v["rate"] for k, v in table.items() if k.endswith((":recall", ":false_hits"))}


def latency(embedder: MiniLMEmbedder, texts: list[str], policy: MatchPolicy,
            repeats: int, sizes: tuple[int, ...] = SIZES,
            widen_to: int = WIDEN_TO, retrieval_map: RetrievalMap | None = None
            ) -> dict[str, Any]:
    """Per-tenant index of N entries (real question embeddings plus noise, re-normalised,
    so each query has near neighbours to verify); times ``search`` including the checks
    and the verifier on up to 5 candidates, as on the request path: the query is one of
    ``texts`` and its vector that text's embedding, its token states come from that
    embedding pass (untimed: the lookup needs that pass anyway), an entry's text is
    prepared once (at insert on the instance that stored it, else at its first
    verification) and kept while the verifier's bound allows. ``policy``: the router's
    (``main``: the catalog's floor, guards, respelling check, rank margin and narrowing
    setting). An entry's text is not its vector's question (entry ``i`` holds
    ``texts[i % len(texts)]``), so the candidates are unrelated questions that MiniLM
    placed near the query: most are refused, every one is judged. ``scan_cpu``: the
    same lookups' first step alone (``TenantIndex.nearest``: the matrix-vector product,
    the masks, the amounts-and-ids filter and the top-k), the rest is judging candidates;
    ``scored_per_lookup`` (the cross-encoder): the pairs its encoder scored a lookup, what
    most of the rest grows with (the larger the index, the more of a query's noisy
    neighbours clear the floor). ``retrieval_map``: the index ranks and floors by it
    (``cache.retrieval_map``), as the router's. ``memory_mb``: the index's vector rows,
    one float32 row an entry (the mapped one with a map; session 28's index held the raw
    row beside it, twice this)."""
    rng = np.random.default_rng(7)
    base = embed_cached(embedder, texts)
    out: dict[str, Any] = {}
    verifier = policy.verifier
    # The nets the verifier runs: alone, or under the cross-encoder stacked on them.
    nets = None if verifier is None else nets_of(verifier)
    counted = count_scores(verifier) if isinstance(verifier, CrossVerifier) else None
    for size in sizes:
        if isinstance(verifier, CrossVerifier):  # no pair scored at the last size is kept;
            verifier.nets = None                 # the nets keep their texts, as alone
            verifier.forget()
            verifier.nets = nets
        index = TenantIndex(dim=base.shape[1], capacity=size, retrieval_map=retrieval_map)
        rows = base[rng.integers(0, len(base), size)] + rng.normal(0, 0.08, (size, base.shape[1]))
        rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
        for i in range(size):
            index.add(IndexRecord(f"k{i}", "ctx", texts[i % len(texts)], rows[i], 2**62, ""))
        samples, cpu, scan = [], [], []
        scored = 0
        for r in range(repeats):
            pick = (r * 7919) % len(texts)  # the query: one question, its vector and text
            q, text = base[pick], texts[pick]
            if nets is not None:  # the query's states from its embedding pass (untimed)
                _, states = embedder.embed_with_states([text], MAX_TOKENS, nets.state_layers)
                nets.prepare(text, states[0])
            before = 0 if counted is None else counted.pairs
            started, cpu_started = time.perf_counter(), time.process_time()
            index.search(q, "ctx", 0, policy, text, widen_to=widen_to)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            scored += 0 if counted is None else counted.pairs - before
            cpu_started = time.process_time()
            index.nearest(q, "ctx", 0, max(CANDIDATES, widen_to),
                          number_codes(text, policy.amount_forms) if policy.filters_numbers
                          else None, forms=policy.amount_forms)
            scan.append((time.process_time() - cpu_started) * 1000)
        samples.sort()
        cpu.sort()
        scan.sort()
        out[str(size)] = {
            "p50_ms": round(samples[len(samples) // 2], 3),
            "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 3),
            # this process's CPU time: what a loaded machine inflates least
            "cpu_p50_ms": round(cpu[len(cpu) // 2], 3),
            "cpu_p99_ms": round(cpu[int(len(cpu) * 0.99) - 1], 3),
            "scan_cpu_p50_ms": round(scan[len(scan) // 2], 3),
            "scan_cpu_p99_ms": round(scan[int(len(scan) * 0.99) - 1], 3),
            "scored_per_lookup": None if counted is None else round(scored / repeats, 2),
            # the rows' vectors: one float32 row an entry (the mapped one with a map)
            "memory_mb": round(index._vectors[:index.semantic_rows].nbytes / 2**20, 1),
            # the process's peak so far: models, kept texts and scores, this index
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    return out


def verify_cost(verifier: Verifier, embedder: MiniLMEmbedder, pairs: list[dict[str, Any]],
                n: int = 200) -> dict[str, float]:
    """Milliseconds to verify one candidate on this core. The cross-encoder (alone, or
    stacked on the nets): CPU ms a candidate when a lookup judges 1 or 5, the query's
    states from its embedding pass and the candidates' texts new (``request``) or kept
    (``warm``), median (``bench/stack_cost.py``). The nets:
    ``new``: neither text seen before (both texts' views and token states computed: two
    MiniLM passes of up to 40 tokens);
    ``request_path``: the cached text prepared at insert, the query's token states from
    its own embedding pass (untimed: the lookup makes that pass anyway), its view built;
    ``warm``: both texts kept (a query's second and later candidates).
    Also the memory a kept text takes (its view's word vectors and its token states)."""
    sample = pairs[:n]
    out: dict[str, float] = {}
    if not isinstance(verifier, PairVerifier):  # the cross-encoder, alone or stacked
        from stack_cost import lookup_cost

        for state in ("request", "warm"):
            for k, name in ((1, "one_candidate_cpu"), (5, "five_candidates_cpu")):
                per = sorted(lookup_cost(verifier, sample, k, state))
                out[f"{state}_{name}"] = round(per[len(per) // 2], 3)
        return out
    verifier.forget()
    started = time.perf_counter()
    for p in sample:
        verifier.probability(p["a"], p["b"], 0.8)
    out["new"] = round((time.perf_counter() - started) * 1000 / len(sample), 3)
    verifier.forget()
    request_path, warm = request_path_cost(verifier, embedder, sample)
    out["request_path"] = round(request_path, 3)
    out["warm"] = round(warm, 3)
    kept = [verifier.prepare(p["b"]).nbytes for p in sample]
    out["kept_text_kb_mean"] = round(sum(kept) / len(kept) / 1024, 1)
    out["kept_text_kb_max"] = round(max(kept) / 1024, 1)
    return out


def request_path_cost(verifier: PairVerifier, embedder: MiniLMEmbedder,
                      sample: list[dict[str, Any]],
                      clock: Callable[[], float] = time.perf_counter) -> tuple[float, float]:
    """Milliseconds by ``clock`` to verify one candidate ``b`` for the query ``a``: on the
    request path (``a`` kept; ``b``'s token states from its own embedding pass, untimed,
    its view built) and then with both texts kept (``warm``)."""
    _, states = embedder.embed_with_states([p["b"] for p in sample], MAX_TOKENS,
                                           verifier.state_layers)
    for p in sample:
        verifier.prepare(p["a"])
    elapsed = 0.0
    for p, rows in zip(sample, states, strict=True):
        started = clock()
        verifier.prepare(p["b"], rows)
        verifier.probability(p["a"], p["b"], 0.8)
        elapsed += clock() - started
    started = clock()
    for p in sample:
        verifier.probability(p["a"], p["b"], 0.8)
    warm = clock() - started
    return elapsed * 1000 / len(sample), warm * 1000 / len(sample)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="entries per tenant for the lookup timings")
    parser.add_argument("--widen-to", type=int, default=WIDEN_TO,
                        help="candidates a lookup may judge in all (TenantIndex.search)")
    parser.add_argument("--floor", type=float, default=None,
                        help="the verifier's similarity floor (default: cache.verifier_floor)")
    parser.add_argument("--quality-only", action="store_true",
                        help="print the pair sets' tables only: no timings, no --out written")
    parser.add_argument("--rows-out", type=Path, default=None,
                        help="also write every pair's row (source, kind, label, similarity, "
                             "the verifier's probability or None) as JSON Lines, to sweep "
                             "any cut afterwards")
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS), choices=list(SETS))
    parser.add_argument("--latency-only", action="store_true",
                        help="time verification and lookups only, and replace just those "
                             "parts of --out (the quality tables stay as they are)")
    parser.add_argument("--label", default="",
                        help="how the timings were taken (e.g. 'under load'), stored with "
                             "them with the load average")
    parser.add_argument("--no-retrieval-map", action="store_true",
                        help="the verifier's rows and the lookups rank and floor by the raw "
                             "cosine, not the catalog's cache.retrieval_map")
    add_arguments(parser)
    args = parser.parse_args()
    embedder = shared_embedder()  # the verifier's MiniLM too, as in the router: one copy
    model, verifier = load_chosen(args)
    config = CacheConfig()
    probability = config.verifier_threshold or verifier.threshold
    floor = config.verifier_floor if args.floor is None else args.floor
    retrieval_map = (None if config.retrieval_map is None or args.no_retrieval_map
                     else shared_retrieval_map(config.retrieval_map))
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(),
                    "cpu": platform.processor() or platform.machine()},
        "embedder": embedder.model_id,
        "verifier": {"sha256": verifier.meta["sha256"], "min_probability": probability,
                     "model": model,
                     "floor": floor,
                     # the weight sha256 of the map the verifier's rows and the lookups
                     # rank and floor by; None: the raw cosine
                     "retrieval_map": None if retrieval_map is None else retrieval_map.sha256},
        "sets": {},
    }
    all_pairs: list[dict[str, Any]] = []
    for name in args.sets:
        pairs = load_pairs(SETS[name])
        all_pairs += pairs
        if args.latency_only:
            continue
        rows = judge_all(pairs, embedder, verifier, floor, retrieval_map)
        if args.rows_out is not None:
            with args.rows_out.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps({"set": name, "model": model, **row}) + "\n"
                               for row in rows)
        result["sets"][name] = summary(rows, floor, probability,
                                       config.similarity_threshold)
        print_set(name, result["sets"][name])
    if args.quality_only:
        return
    result["verify_ms_per_candidate"] = verify_cost(verifier, embedder, all_pairs)
    # The router's policy (``policy.policy_for``) with the verifier chosen here.
    policy = verified_policy(config, floor, verifier, probability)
    texts = list(dict.fromkeys(p["b"] for p in all_pairs))
    result["lookup_latency"] = latency(embedder, texts, policy, args.repeats,
                                       tuple(args.sizes), args.widen_to, retrieval_map)
    result["timings"] = {"label": args.label, "load_average_1m": round(os.getloadavg()[0], 2),
                         "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if args.latency_only and args.out.exists():  # keep the quality tables as they are
        kept = json.loads(args.out.read_text())
        kept.update({k: result[k] for k in ("verify_ms_per_candidate", "lookup_latency",
                                            "timings")})
        kept["latency_retrieval_map"] = result["verifier"]["retrieval_map"]
        result = kept
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"verification per candidate: {result['verify_ms_per_candidate']} (ms; KB a "
          "kept text)")
    for size, numbers in result["lookup_latency"].items():
        print(f"lookup with verification at {size:>6} entries: p50 {numbers['p50_ms']} ms, "
              f"p99 {numbers['p99_ms']} ms (CPU p50 {numbers['cpu_p50_ms']}, p99 "
              f"{numbers['cpu_p99_ms']} ms; the scan alone {numbers['scan_cpu_p50_ms']} / "
              f"{numbers['scan_cpu_p99_ms']} ms), {numbers['memory_mb']} MB, process peak RSS "
              f"{numbers['peak_rss_mb']} MB")


def print_set(name: str, table: dict[str, Any]) -> None:
    """A markdown table: per source and kind, verifier vs. threshold-and-guards defaults
    (recall for paraphrase rows and source totals, false-hit rate for the rest)."""
    v, g = table["default"]["verifier"], table["default"]["guards"]
    alone = table["default"]["verifier_no_spelling"]
    print(f"\n{name}: verifier (floor {v['floor']}, p >= {v['min_probability']:.3f}) with and "
          f"without the respelling check before it, vs cosine {g['threshold']} + guards\n")
    print("| source : kind | n | respelling + verifier | verifier alone | cosine + guards |\n"
          "|---|---|---|---|---|")
    for key, cell in v.items():
        if isinstance(cell, dict):
            print(f"| {key} | {cell['n']} | {cell['rate']:.1%} | {alone[key]['rate']:.1%} | "
                  f"{g[key]['rate']:.1%} |")
    print(f"\n{name}: where paraphrases are lost (with the verifier at the default)\n")
    print("| source : kind | n | below floor | amounts/ids | verifier | hit | of which "
          "respelled |\n|---|---|---|---|---|---|---|")
    for key, c in table["positives_lost_at"].items():
        print(f"| {key} | {c['n']} | {c['floor']} | {c['numbers']} | {c['verifier']} | "
              f"{c['hit']} | {c['respelled']} |")


if __name__ == "__main__":
    main()
