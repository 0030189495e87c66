"""Does the embedded default hold sustained load? N requests at c8 against `serve`.

    make bench-soak                          # 50,000 requests
    .venv/bin/python bench/soak.py [--requests 50000] [--concurrency 8] [--out bench/results]

Starts the loopback upstream (bench/peer/upstream.py) and ``llm-router serve`` on its
embedded store (cache off, explicit model, unique prompts), sends the requests from
keep-alive clients, prints progress every 1,000 (rate, p50 of the last 1,000, process
tree RSS), and writes ``soak-<date>.md``: p50 of the first and the last 1,000 requests,
their ratio, Server-Timing phases of both, RSS idle and after, errors. Exits 1 when the
last 1,000's p50 is over 1.3x the first's, RSS is over ``--rss-mb`` or a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from peer.gateways import start_router, start_upstream
from peer.load import Run, Sample, drive, median, percentile
from peer.report import PHASES, write_markdown

WINDOW = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rss-mb", type=float, default=300.0)
    parser.add_argument("--max-drift", type=float, default=1.3)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    window = min(WINDOW, max(args.requests // 4, 1))
    upstream = start_upstream()
    router = start_router(upstream)
    started = time.perf_counter()
    peak = [0.0]

    def progress(done: int, run: Run) -> None:
        rss = router.rss_mb()
        peak[0] = max(peak[0], rss)
        recent = [s.ms for s in run.samples[-window:] if s.ok]
        print(f"{done:>7,}/{args.requests:,}  {run.rps:6.1f} rps  p50 of the last "
              f"{len(recent):,}: {percentile(recent, 50):7.1f} ms  errors {run.errors}  "
              f"RSS {rss:.0f} MB", flush=True)

    try:
        idle = router.rss_mb()
        print(f"router ready in {router.ready_s:.1f} s, {idle:.0f} MB; sending "
              f"{args.requests:,} requests at c{args.concurrency}", flush=True)
        run = asyncio.run(drive(router, args.requests, args.concurrency, progress=progress))
        after = router.rss_mb()
    finally:
        router.stop()
        upstream.stop()
    first, last = run.samples[:window], run.samples[-window:]
    p_first, p_last = _p50(first), _p50(last)
    drift = p_last / p_first if p_first else float("nan")
    peak_rss = max(peak[0], after)
    ok = drift <= args.max_drift and peak_rss <= args.rss_mb and run.errors == 0
    lines = [
        f"# Soak: {args.requests:,} requests at c{args.concurrency}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `.venv/bin/python bench/soak.py --requests {args.requests} "
        f"--concurrency {args.concurrency}` (`make bench-soak`); `llm-router serve` on its "
        "embedded store, cache off, explicit model, loopback upstream, unique prompts.",
        "",
        f"| | first {window:,} | last {window:,} |",
        "|---|---|---|",
        f"| p50 (ms) | {p_first:.1f} | {p_last:.1f} |",
        *[f"| {phase} p50 (ms) | {_phase(first, phase):.2f} | {_phase(last, phase):.2f} |"
          for phase in PHASES],
        f"| storage calls p50 (ms) | {_storage(first):.2f} | {_storage(last):.2f} |",
        "",
        f"Drift (last / first p50): {drift:.2f} (target <= {args.max_drift}). "
        f"Process tree RSS: {idle:.0f} MB idle, {after:.0f} MB after, peak {peak_rss:.0f} MB "
        f"(target < {args.rss_mb:.0f}). Errors: {run.errors}. Throughput {run.rps:.1f} rps "
        f"over {time.perf_counter() - started:.0f} s. Result: {'PASS' if ok else 'FAIL'}.",
    ]
    write_markdown(Path(args.out), "soak", lines)
    return 0 if ok else 1


def _p50(samples: list[Sample]) -> float:
    return percentile([s.ms for s in samples if s.ok], 50)


def _phase(samples: list[Sample], phase: str) -> float:
    return median([s.phases.get(phase, 0.0) for s in samples if s.ok])


def _storage(samples: list[Sample]) -> float:
    return median([sum(ms for _, ms in s.calls) for s in samples if s.ok])


if __name__ == "__main__":
    raise SystemExit(main())
