"""Semantic cache evaluation: recall on paraphrases, false hits per hard-negative kind,
for thresholds 0.70-0.95, with and without the guards; and lookup latency at 1k, 10k
and 100k entries per tenant.

    .venv/bin/python bench/cache_eval.py            # writes bench/results/cache.json

Every pair goes through ``llm_router.cache.probe.probe``: a fresh index holding only the
cached text, asked for the query, with the router's own index, threshold and guards.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.probe import probe
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "cache_pairs" / "pairs.jsonl"
OUT = HERE / "results" / "cache.json"
THRESHOLDS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
SIZES = (1_000, 10_000, 100_000)
KINDS = ("paraphrase", "entity_swap", "number_swap", "negation", "intent_shift", "near_topic")


def load_pairs(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(pairs: list[dict[str, str]], embedder: MiniLMEmbedder) -> dict[str, Any]:
    cached = embedder.embed([p["cached"] for p in pairs])
    queries = embedder.embed([p["query"] for p in pairs])
    table: list[dict[str, Any]] = []
    refusals: dict[str, dict[str, int]] = {}
    for guards in (False, True):
        for threshold in THRESHOLDS:
            policy = MatchPolicy(threshold, guards)
            hits: dict[str, list[bool]] = defaultdict(list)
            why: dict[str, int] = defaultdict(int)
            for pair, c, q in zip(pairs, cached, queries, strict=True):
                result = probe(pair["cached"], c, pair["query"], q, policy)
                hits[pair["kind"]].append(result.hit)
                if result.refused_by and result.refused_by != "threshold":
                    why[f"{pair['kind']}:{result.refused_by}"] += 1
            negatives = [h for k in KINDS[1:] for h in hits[k]]
            row = {
                "threshold": threshold,
                "guards": guards,
                "paraphrase_recall": _rate(hits["paraphrase"]),
                **{f"false_hit_{k}": _rate(hits[k]) for k in KINDS[1:]},
                "false_hit_all_negatives": _rate(negatives),
            }
            table.append(row)
            if guards:
                refusals[f"{threshold:.2f}"] = dict(sorted(why.items()))
    sims = [float(c @ q) for c, q in zip(cached, queries, strict=True)]
    by_kind = {k: [s for s, p in zip(sims, pairs, strict=True) if p["kind"] == k]
               for k in KINDS}
    return {
        "pairs": {k: len(v) for k, v in by_kind.items()},
        "similarity_median": {k: round(statistics.median(v), 3) for k, v in by_kind.items()},
        "table": table,
        "guard_refusals": refusals,
    }


def latency(embedder: MiniLMEmbedder, queries: list[str], repeats: int) -> dict[str, Any]:
    """Per-tenant index of N entries (real query embeddings plus noise, re-normalised, so
    the neighbourhood structure is realistic); time ``search`` including the guards."""
    rng = np.random.default_rng(7)
    base = embedder.embed(queries)
    policy = MatchPolicy(CacheConfig().similarity_threshold, True)
    out: dict[str, Any] = {}
    for size in SIZES:
        index = TenantIndex(dim=base.shape[1], capacity=size)
        rows = base[rng.integers(0, len(base), size)] + rng.normal(0, 0.08, (size, base.shape[1]))
        rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
        texts = [queries[i % len(queries)] for i in range(size)]
        for i in range(size):
            index.add(IndexRecord(f"k{i}", "ctx", texts[i], rows[i], 2**62, ""))
        samples = []
        for r in range(repeats):
            q = base[r % len(base)]
            started = time.perf_counter()
            index.search(q, "ctx", 0, policy, queries[r % len(queries)])
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        out[str(size)] = {
            "p50_ms": round(samples[len(samples) // 2], 3),
            "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 3),
            "memory_mb": round(index.semantic_rows * base.shape[1] * 4 / 2**20, 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    embedder = MiniLMEmbedder.load()
    pairs = load_pairs(args.pairs)
    result = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor()
                    or platform.machine()},
        "embedder": embedder.model_id,
        "default_threshold": CacheConfig().similarity_threshold,
        **evaluate(pairs, embedder),
        "lookup_latency": latency(embedder, [p["query"] for p in pairs], args.repeats),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def print_table(result: dict[str, Any]) -> None:
    head = ["guards", "thr", "recall"] + [k.replace("_swap", "").replace("_shift", "")[:8]
                                         for k in KINDS[1:]] + ["all-neg"]
    print(" | ".join(f"{h:>8}" for h in head))
    for row in result["table"]:
        cells = ["on" if row["guards"] else "off", f"{row['threshold']:.2f}",
                 f"{row['paraphrase_recall']:.1%}"]
        cells += [f"{row[f'false_hit_{k}']:.1%}" for k in KINDS[1:]]
        cells.append(f"{row['false_hit_all_negatives']:.1%}")
        print(" | ".join(f"{c:>8}" for c in cells))
    for size, numbers in result["lookup_latency"].items():
        print(f"lookup at {size:>6} entries: p50 {numbers['p50_ms']} ms, "
              f"p99 {numbers['p99_ms']} ms, {numbers['memory_mb']} MB")


def _rate(values: list[bool]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


if __name__ == "__main__":
    main()
