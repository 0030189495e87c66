"""llm-router next to the LiteLLM proxy and the bare upstream, interleaved runs.

    make bench-peer                         # installs .venv-litellm, then runs this
    .venv/bin/python bench/peer_bench.py [--runs 3] [--c1 1000] [--c32 2000] [--stream 300]
        [--targets direct,litellm,llm-router] [--out bench/results]

One loopback OpenAI-compatible upstream (bench/peer/upstream.py) serves everyone. Each
run starts every gateway afresh (in rotated order), times it to ready, warms it up, then
measures: c1 latency (keep-alive client, like the openai SDK), time to the first
streamed chunk at c1, c32 throughput, and its process tree's memory idle and after the
run. Unique prompts and the router's cache off, so nothing is answered from a cache.
Then, for llm-router only, a second router with its cache on (``--cache`` requests of
each kind, at c1): unique prompts (misses, each answer stored), the same prompts again
(exact hits) and each reworded (semantic hits), with their phases and storage calls.
Writes ``peer-<date>.md`` (medians of the runs, versions, machine, and the router's
Server-Timing phases and storage round trips) to ``--out`` and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from pathlib import Path

from peer.gateways import Gateway, start_litellm, start_router, start_upstream
from peer.load import CLIENTS, Run, drive
from peer.report import CACHE_KINDS, Measured, write_report

TARGETS = ("direct", "litellm", "llm-router")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--c1", type=int, default=1000, help="requests at concurrency 1")
    parser.add_argument("--c32", type=int, default=2000, help="requests at concurrency 32")
    parser.add_argument("--stream", type=int, default=300, help="streamed requests at c1")
    parser.add_argument("--cache", type=int, default=300,
                        help="llm-router with its cache on: requests of each kind (miss, "
                             "exact repeat, paraphrase) at c1; 0 skips")
    parser.add_argument("--client", choices=CLIENTS, default="aiohttp",
                        help="the load generator's HTTP client (it shares the cores with "
                             "the gateway: aiohttp spends less CPU per request than httpx)")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; choose from {', '.join(TARGETS)}")
    upstream = start_upstream()
    measured: dict[str, list[Measured]] = {t: [] for t in targets}
    try:
        for run in range(args.runs):
            order = targets[run % len(targets):] + targets[:run % len(targets)]
            for name in order:
                measured[name].append(asyncio.run(_measure(name, upstream, args, run)))
    finally:
        upstream.stop()
    write_report(measured, Path(args.out), args)  # prints it too
    return 0


async def _measure(name: str, upstream: Gateway, args: argparse.Namespace,
                   run: int) -> Measured:
    gateway = _start(name, upstream)
    label = f"run {run + 1}/{args.runs} {name}"
    try:
        idle = gateway.rss_mb()
        print(f"{label}: ready in {gateway.ready_s:.1f} s, {idle:.0f} MB; warming up",
              flush=True)
        await drive(gateway, args.warmup, 1, offset=run * 10**6, client=args.client)
        t0 = time.perf_counter()
        c1 = await drive(gateway, args.c1, 1, offset=run * 10**6 + 10**5, client=args.client)
        print(f"{label}: c1 done ({time.perf_counter() - t0:.0f} s); streaming", flush=True)
        stream = await drive(gateway, args.stream, 1, stream=True,
                             offset=run * 10**6 + 2 * 10**5, client=args.client)
        print(f"{label}: streaming done; c32", flush=True)
        c32 = await drive(gateway, args.c32, 32, offset=run * 10**6 + 3 * 10**5, client=args.client)
        total = args.warmup + args.c1 + args.stream + args.c32
        after = gateway.rss_mb()
        print(f"{label}: c32 {c32.rps:.0f} rps, {c32.errors} errors; {after:.0f} MB after "
              f"{total} requests", flush=True)
        measured = Measured(gateway.ready_s, idle, after, total, c1, stream, c32)
    finally:
        if gateway is not upstream:
            gateway.stop()
    if name == "llm-router" and args.cache:
        measured.cache = await _measure_cache(upstream, args, run, label)
    return measured


async def _measure_cache(upstream: Gateway, args: argparse.Namespace, run: int,
                         label: str) -> dict[str, Run]:
    """The router with its cache on: each prompt sent once (a miss, whose answer the
    settle stores), then again word for word, then reworded; all at c1."""
    gateway = start_router(upstream, cache=True)
    offset = run * 10**6 + 4 * 10**5
    try:
        await drive(gateway, args.warmup, 1, offset=offset + 5 * 10**4,  # its own prompts
                    client=args.client)
        runs = {kind: await drive(gateway, args.cache, 1, offset=offset,
                                  wording="paraphrase" if kind == "paraphrase" else "plain",
                                  client=args.client)
                for kind in CACHE_KINDS}
    finally:
        gateway.stop()
    print(f"{label}: cache on: " + ", ".join(
        f"{kind} {sum(s.cache == want for s in r.samples)}/{len(r.samples)} {want}"
        for (kind, r), want in zip(runs.items(), ("miss", "exact", "semantic"), strict=True)),
        flush=True)
    return runs


def _start(name: str, upstream: Gateway) -> Gateway:
    if name == "direct":
        return upstream
    if name == "llm-router":
        return start_router(upstream)
    with socket.socket() as probe:  # LiteLLM takes a port number, not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return start_litellm(upstream, port)


if __name__ == "__main__":
    raise SystemExit(main())
