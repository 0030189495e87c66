"""The seen sets' queries against one shared cache: what the candidate bound loses.

    .venv/bin/python bench/cache_shared.py              # 10,000 entries, the three variants
    .venv/bin/python bench/cache_shared.py --entries 0 --variants 0.5:5  # the sets' texts only

A pair probe (``bench/cache_losses.py``) holds one entry, so the lookup's bound of
``CANDIDATES`` nearest entries never loses anything there. Here one tenant's index holds
every distinct cached text of data/heldout..heldout9 (all seen: 5,956) plus Quora
questions from bench/cache_pairs (seen) up to ``--entries``, and each pair's query is
looked up in it (its own text left out when it is also an entry) through the router's
``TenantIndex.search`` and policy, once per ``--variants`` entry FLOOR:WIDEN_TO (the
similarity floor; ``widen_to``: the candidates a lookup may judge in all), the variants
taken in turn first per query so that each pays the cold reads equally. Per pair, the
outcome:

- ``partner``: the pair's cached text answered (for a negative: a false hit);
- ``other``: another entry answered first (``other_same``: one labelled a paraphrase of
  the query in some set; ``other_negative``: one labelled a negative of it; else
  unlabelled, listed for reading);
- ``top_k``: a miss, the partner not among the candidates the lookup could judge
  (outside the bound, or behind an entry under the floor);
- ``refused``: a miss, the partner judged and refused (its stage: ``cache_losses.py``).

Writes ``bench/results/cache-shared.json`` (every pair's outcome and the entry that
answered: ``bench/results/local/cache-shared-pairs.jsonl``, gitignored) and prints a
table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

from cache_losses import INDEPENDENT, SEEN, load  # noqa: E402
from embed_cache import embed_cached  # noqa: E402
from verifier_choice import add_arguments, load_chosen, ready  # noqa: E402

from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import CANDIDATES, TenantIndex  # noqa: E402
from llm_router.cache.pair_features import number_codes  # noqa: E402
from llm_router.cache.policy import MatchPolicy  # noqa: E402
from llm_router.cache.verifier import PairVerifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

HERE = Path(__file__).resolve().parent
QUORA = (HERE / "cache_pairs" / "tune.jsonl", HERE / "cache_pairs" / "heldout.jsonl")
OUT = HERE / "results" / "cache-shared.json"
PAIRS = HERE / "results" / "local" / "cache-shared-pairs.jsonl"  # every outcome (gitignored)
FOREVER = 2**62
CHUNK = 256


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
    parser.add_argument("--entries", type=int, default=10_000,
                        help="index size (at least the sets' cached texts)")
    parser.add_argument("--variants", nargs="+", default=["0.5:5", "0.5:10", "0.45:5"],
                        help="FLOOR:WIDEN_TO lookups to compare (the shipped: 0.5:5)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--list", action="store_true", help="print the unlabelled other hits")
    add_arguments(parser)
    args = parser.parse_args()
    embedder = MiniLMEmbedder.load()
    model, verifier = load_chosen(args)
    nets = isinstance(verifier, PairVerifier)
    if nets:
        verifier._keep_bytes = 1 << 30  # every text prepared once (~25 KB each): a bench only
    config = CacheConfig()
    cut = config.verifier_threshold or verifier.threshold
    variants = {name: (MatchPolicy(float(name.split(":")[0]), True, verifier, cut),
                       int(name.split(":")[1])) for name in args.variants}
    pairs = [{"set": name, **p} for name in INDEPENDENT for p in load(SEEN[name])]
    texts = entries(pairs, args.entries)
    queries = list(dict.fromkeys(p["b"] for p in pairs))
    vectors = dict(zip(texts, embed_cached(embedder, texts), strict=True))
    vectors.update(zip(queries, embed_cached(embedder, queries), strict=True))
    labelled = {(p["a"], p["b"]): p["label"] for p in pairs}
    index = TenantIndex(capacity=len(texts))
    for i, text in enumerate(texts):
        index.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], FOREVER, ""))
    key_text = {f"e{i}": text for i, text in enumerate(texts)}
    own_key = {text: f"e{i}" for i, text in enumerate(texts)}
    by_query: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_query.setdefault(p["b"], []).append(p)
    print(f"{len(texts)} entries, {len(pairs)} pairs ({len(by_query)} distinct queries); "
          f"verifier: {model}", flush=True)
    every = list(dict.fromkeys([*texts, *by_query]))
    for n in range(0, len(every) if nets else 0, CHUNK):  # the nets: every text prepared
        ready(verifier, embedder, [(t, t) for t in every[n:n + CHUNK]])  # before timing
    outcomes: dict[str, list[tuple[dict[str, Any], str, str | None]]] = {
        name: [] for name in variants}
    cpu = {name: 0.0 for name in variants}
    names = list(variants)
    for n, (query, its_pairs) in enumerate(by_query.items()):
        if n % 1000 == 0:
            print(f"  {n}/{len(by_query)} queries", flush=True)
        own = own_key.get(query)
        if own is not None:  # the query is also an entry: leave it out
            index.remove(own)
        for name in names[n % len(names):] + names[:n % len(names)]:  # each first in turn
            policy, k = variants[name]
            started = time.process_time()
            lookup = index.search(vectors[query], "ctx", 0, policy, query, widen_to=k)
            cpu[name] += time.process_time() - started
            answered = None if lookup.match is None else key_text[lookup.match.key]
            for p in its_pairs:
                outcomes[name].append((p, outcome(p, answered, index, vectors, policy, k,
                                                  labelled), answered))
        if own is not None:
            index.add(IndexRecord(own, "ctx", query, vectors[query], FOREVER, ""))
    result = report(outcomes, cpu, len(by_query), len(texts))
    result["timings"] = {"load_average_1m": round(os.getloadavg()[0], 2),
                         "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                         "note": "CPU of one process; every text prepared before timing"}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    PAIRS.parent.mkdir(parents=True, exist_ok=True)
    PAIRS.write_text("".join(
        json.dumps({"variant": k, "set": p["set"], "id": p.get("id"), "label": p["label"],
                    "kind": p["kind"], "a": p["a"], "b": p["b"], "outcome": o,
                    "answered": a}, ensure_ascii=False) + "\n"
        for k, got in outcomes.items() for p, o, a in got), encoding="utf-8")
    if args.list:
        for k, got in outcomes.items():
            print(f"\nunlabelled other hits, floor:widen_to {k}:")
            for query, text in sorted({(p["b"], a or "") for p, o, a in got if o == "other"}):
                print(f"  {query!r}\n    -> {text!r}")
    print(f"\nwrote {args.out}")
    return 0


def outcome(pair: dict[str, Any], answered: str | None, index: TenantIndex,
            vectors: dict[str, Any], policy: MatchPolicy, k: int,
            labelled: dict[tuple[str, str], int]) -> str:
    if answered == pair["a"]:
        return "partner"
    if answered is not None:
        return {1: "other_same", 0: "other_negative"}.get(
            labelled.get((answered, pair["b"]), -1), "other")
    # A miss: was the partner among the candidates the lookup could judge?
    numbers = number_codes(pair["b"]) if policy.filters_numbers else None
    nearest = index.nearest(vectors[pair["b"]], "ctx", 0, max(k, CANDIDATES), numbers)
    judged: list[str] = []
    for start in range(0, len(nearest), CANDIDATES):  # as ``search`` walks its rounds
        judged += [index.text(row) for row, _ in nearest[start:start + CANDIDATES]]
        if any(s < policy.threshold for _, s in nearest[start:start + CANDIDATES]):
            break
    return "refused" if pair["a"] in judged else "top_k"


def report(outcomes: dict[str, list[tuple[dict[str, Any], str, str | None]]],
           cpu: dict[str, float], queries: int, size: int) -> dict[str, Any]:
    result: dict[str, Any] = {"entries": size, "by_variant": {}}
    print(f"\n{size} entries: outcome of each pair's query (heldout1-9, seen)\n")
    print("| floor:widen_to | label | partner | other_same | other_negative | other (unlabelled) | "
          "top_k | refused | CPU ms / lookup |\n|---|---|---|---|---|---|---|---|---|")
    for k, got in outcomes.items():
        cells = {}
        for label in (1, 0):
            c = Counter(o for p, o, _ in got if p["label"] == label)
            cells["positives" if label else "negatives"] = {"n": sum(c.values()), **c}
            print(f"| {k} | {'+' if label else '-'} ({sum(c.values())}) | {c['partner']} | "
                  f"{c['other_same']} | {c['other_negative']} | {c['other']} | {c['top_k']} | "
                  f"{c['refused']} | {cpu[k] * 1000 / queries:.2f} |")
        result["by_variant"][k] = {**cells, "cpu_ms_per_lookup": round(
            cpu[k] * 1000 / queries, 3)}
    return result


if __name__ == "__main__":
    raise SystemExit(main())
