"""One BLAS thread against OpenBLAS's default, for the embedding under `serve` at c8.

    .venv/bin/python bench/blas_threads.py [--requests 400] [--concurrency 8] [--runs 2]
        [--threads 1,N]                      # N: this machine's core count

Each run starts ``llm-router serve`` (embedded store, semantic cache on, so every request
embeds its prompt once) with ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` /
``MKL_NUM_THREADS`` set to each value in turn (the CLI keeps an explicit setting; "1" is
its default), sends unique prompts from keep-alive clients and prints the Server-Timing
``embed`` phase (p50 / p99) and the request latency per arm, arms interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from peer.gateways import start_router, start_upstream
from peer.load import drive, median, percentile

VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--threads", default=f"1,{os.cpu_count() or 1}")
    args = parser.parse_args()
    arms = [t.strip() for t in args.threads.split(",") if t.strip()]
    embed: dict[str, list[float]] = {arm: [] for arm in arms}
    total: dict[str, list[float]] = {arm: [] for arm in arms}
    errors = dict.fromkeys(arms, 0)
    upstream = start_upstream()
    try:
        for run in range(args.runs):
            for arm in arms[run % len(arms):] + arms[:run % len(arms)]:
                os.environ.update(dict.fromkeys(VARS, arm))  # the router inherits these
                router = start_router(upstream, cache=True)
                try:
                    offset = (run * len(arms) + arms.index(arm)) * 10**6
                    asyncio.run(drive(router, args.warmup, args.concurrency, offset=offset))
                    done = asyncio.run(drive(router, args.requests, args.concurrency,
                                             offset=offset + 10**5))
                finally:
                    router.stop()
                embed[arm] += [s.phases["embed"] for s in done.samples if "embed" in s.phases]
                total[arm] += done.latencies
                errors[arm] += done.errors
                print(f"run {run + 1} threads={arm}: embed p50 "
                      f"{median(embed[arm]):.1f} ms so far", flush=True)
    finally:
        upstream.stop()
    print(f"\n{args.runs} x {args.requests} requests per arm at c{args.concurrency}, "
          f"{os.cpu_count()} cores\n")
    print("| BLAS threads | embed p50 | embed p99 | request p50 | request p99 | errors |")
    print("|---|---|---|---|---|---|")
    for arm in arms:
        print(f"| {arm} | {median(embed[arm]):.1f} ms | {percentile(embed[arm], 99):.1f} ms | "
              f"{median(total[arm]):.1f} ms | {percentile(total[arm], 99):.1f} ms | "
              f"{errors[arm]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
