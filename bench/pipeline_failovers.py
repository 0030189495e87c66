"""The pipeline bench's router arms once, with each arm's failovers laid out against the
minute windows of the free tiers that cause them (docs/benchmark.md, "Session 28").

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/pipeline_failovers.py --out DIR
    ... --classifier /tmp/old     # another classifier artefact (classifier.json / .npz)
    ... --arms 5                  # the baselines too

The same workload as ``make bench-pipeline`` (1,000 requests at seed 16 from the shipped
queries), the same engine and arms (``PipelineBench``, ``standard_arms``), the embedded
store and the in-process simulator, as ``llm-router bench`` runs them. Writes
``DIR/results.json`` (what ``bench`` writes per arm, less the per-request rows) and prints
per arm its wall and CPU seconds, failovers, skips, cost, cache hits, under-routed share
and tier accuracy, its failover causes, and per minute window: requests, requests with a
skip, those served by a free tier, and the skips per two-second slice (the free-tier
usage that scoring reads is cached for ``quota_cache_ttl_s``, 2 s). Per arm too, the
free-tier reservations the executor sent the counters table and how many it refused
(``reservations``: the storage round trips a skip costs; ``DynamoCounters.reserve`` is
wrapped to count them, the writes themselves unchanged).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

FREE = frozenset({"free_tier_exhausted"})


def windows(ledger: list[dict[str, Any]], free: frozenset[str]) -> list[dict[str, Any]]:
    """Per minute of ``started_at``: requests, those with a skipped free tier, those a
    free-tier provider served (``free``: the providers with a free tier), skips per 2 s."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"requests": 0, "skipped": 0, "free_served": 0, "by_2s": Counter()})
    for e in ledger:
        minute, second = str(e["started_at"])[:16], float(str(e["started_at"])[17:23])
        row = rows[minute]
        row["requests"] += 1
        row["free_served"] += e.get("provider") in free and e.get("cache_status") in (
            None, "miss", "bypass")
        if any(a.get("outcome") in FREE for a in e.get("attempts") or ()):
            row["skipped"] += 1
            row["by_2s"][int(second // 2) * 2] += 1
    return [{"minute": m, **{k: (dict(sorted(v.items())) if k == "by_2s" else v)
                             for k, v in r.items()}} for m, r in sorted(rows.items())]


def repeat_skips(ledger: list[dict[str, Any]]) -> int:
    """Free-tier skips of a provider its request had already skipped for its free tier
    (with a provider-wide free tier: the same counters refused again)."""
    n = 0
    for e in ledger:
        seen: set[str] = set()
        for a in e.get("attempts") or ():
            if a.get("outcome") in FREE:
                n += a.get("provider") in seen
                seen.add(a.get("provider"))
    return n


def count_reservations(counts: Counter[str]) -> None:
    """Count ``DynamoCounters.reserve`` calls the executor makes for free tiers (its
    ``action``) in ``counts``: ``sent`` and ``refused``."""
    from llm_router.resilience.counters import LimitReached
    from llm_router.storage.counters import DynamoCounters

    reserve = DynamoCounters.reserve

    def counted(self: DynamoCounters, ops: Any, action: str = "admitting the request") -> None:
        if action != "reserving free-tier quota":
            return reserve(self, ops, action)
        counts["sent"] += 1
        try:
            return reserve(self, ops, action)
        except LimitReached:
            counts["refused"] += 1
            raise

    DynamoCounters.reserve = counted  # type: ignore[method-assign]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--arms", type=int, default=2, help="the first N arms (default 2: router, "
                   "router-no-cache)")
    p.add_argument("--classifier", type=Path, help="a directory holding another classifier "
                   "artefact (classifier.json, classifier.npz), read in place of the shipped one")
    args = p.parse_args()
    if args.classifier:
        import llm_router.classifier.runtime as runtime

        runtime.DEFAULT_DIR = args.classifier
    from simulated_pipeline import embedded_store, simulated_bench

    from llm_router.classifier.dataset import load_examples
    from llm_router_local.benchmark.job import SHIPPED_DATA
    from llm_router_local.benchmark.pipeline import ArmResult, standard_arms
    from llm_router_local.benchmark.summary import build_results
    from llm_router_local.benchmark.workload import WorkloadShape, build_workload

    workload = build_workload(load_examples(SHIPPED_DATA), WorkloadShape(1000, 0.15, 0.10, None))
    counts: Counter[str] = Counter()
    count_reservations(counts)
    reservations: dict[str, dict[str, int]] = {}
    with embedded_store() as (settings, catalog):
        arms = standard_arms(catalog)[: args.arms]
        free = frozenset(n for n, pc in catalog.providers.items() if pc.free_tier)

        async def replay() -> list[ArmResult]:
            results = []
            async with simulated_bench(settings, catalog) as bench:
                for arm in arms:
                    counts.clear()
                    results.append(await bench.run_arm(arm, workload))
                    reservations[arm.name] = {"sent": counts["sent"],
                                              "refused": counts["refused"],
                                              "repeat_skips": repeat_skips(results[-1].ledger)}
            return results

        results = asyncio.run(replay())
    summary = build_results(results, workload, {"concurrency": 8, "upstream": "simulator"})
    summary.pop("router_requests")
    summary["windows"] = {r.arm.name: windows(r.ledger, free) for r in results}
    summary["reservations"] = reservations
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    for a in summary["arms"]:
        print(f"{a['arm']}: wall {a['wall_s']} s, CPU {a['cpu_s']} s, failovers "
              f"{a['failovers']}, skips {a['skips']}, cost {a['cost_usd']}, cache "
              f"{a['cache_exact']}/{a['cache_semantic']}, under-routed {a['under_routed']}, "
              f"tier accuracy {a['tier_accuracy']}")
        sent = summary["reservations"][a["arm"]]
        print(f"    free-tier reservations sent to the store {sent['sent']}, refused "
              f"{sent['refused']}; skips of a provider the request had already skipped "
              f"{sent['repeat_skips']}")
        for cause, n in a["failover_causes"].items():
            print(f"    {n} {cause}")
        for w in summary["windows"][a["arm"]]:
            print(f"    {w['minute']}: {w['requests']} requests, {w['skipped']} skipped, "
                  f"{w['free_served']} served by a free tier; skips by 2 s: {w['by_2s']}")


if __name__ == "__main__":
    main()
