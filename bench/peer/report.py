"""The dated markdown table of a peer benchmark: medians of runs, versions, machine."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .gateways import LITELLM
from .load import Run, median, percentile

PHASES = ("auth", "admit", "cache", "classify", "upstream", "settle")
# The cache-on runs, in the order they are sent, and what each should be answered as.
CACHE_KINDS = ("miss", "exact", "paraphrase")
_EXPECTED = {"miss": "miss", "exact": "exact", "paraphrase": "semantic"}
_CACHE_ROWS = {"miss": "new prompt (miss; the answer stored)",
               "exact": "the same prompt again (exact hit)",
               "paraphrase": "the prompt reworded (semantic hit)"}


@dataclass
class Measured:
    ready_s: float
    rss_idle_mb: float
    rss_after_mb: float
    requests: int
    c1: Run
    stream: Run
    c32: Run
    cache: dict[str, Run] = field(default_factory=dict)  # llm-router, cache on


def write_report(measured: dict[str, list[Measured]], out: Path,
                 args: argparse.Namespace) -> Path:
    now = datetime.now(UTC)
    return write_markdown(out, "peer", _lines(measured, now, args))


def write_markdown(out: Path, stem: str, lines: list[str]) -> Path:
    """``lines`` as ``<out>/<stem>-<UTC date>.md``; prints them and where they went."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}-{datetime.now(UTC):%Y-%m-%d}.md"
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written to {path}")
    return path


def _lines(measured: dict[str, list[Measured]], now: datetime,
           args: argparse.Namespace) -> list[str]:
    names = list(measured)
    direct = measured.get("direct")
    base_p50 = median([percentile(m.c1.latencies, 50) for m in direct]) if direct else 0.0
    base_p99 = median([percentile(m.c1.latencies, 99) for m in direct]) if direct else 0.0
    base_ttft = median([percentile(m.stream.latencies, 50) for m in direct]) if direct else 0.0

    def med(name: str, f: object) -> float:
        return median([f(m) for m in measured[name]])  # type: ignore[operator]

    rows: list[tuple[str, list[str]]] = [
        ("c1 p50 / p99 (ms)", [f"{med(n, lambda m: percentile(m.c1.latencies, 50)):.2f} / "
                               f"{med(n, lambda m: percentile(m.c1.latencies, 99)):.2f}"
                               for n in names]),
        ("added over direct, c1 p50 / p99 (ms)", [
            "-" if n == "direct" else
            f"{med(n, lambda m: percentile(m.c1.latencies, 50)) - base_p50:.2f} / "
            f"{med(n, lambda m: percentile(m.c1.latencies, 99)) - base_p99:.2f}"
            for n in names]),
        ("c32 throughput (rps), p99 (ms), errors", [
            f"{med(n, lambda m: m.c32.rps):,.0f}, "
            f"{med(n, lambda m: percentile(m.c32.latencies, 99)):.1f}, "
            f"{sum(m.c32.errors for m in measured[n])}" for n in names]),
        ("streaming: first chunk p50 (ms); over direct", [
            f"{med(n, lambda m: percentile(m.stream.latencies, 50)):.2f}"
            + ("" if n == "direct" else
               f"; +{med(n, lambda m: percentile(m.stream.latencies, 50)) - base_ttft:.2f}")
            for n in names]),
        ("RSS idle -> after (MB)", [
            "-" if n == "direct" else
            f"{med(n, lambda m: m.rss_idle_mb):.0f} -> {med(n, lambda m: m.rss_after_mb):.0f}"
            f" after {measured[n][0].requests:,}" for n in names]),
        ("time to ready (s)", ["-" if n == "direct" else f"{med(n, lambda m: m.ready_s):.1f}"
                               for n in names]),
    ]
    client = getattr(args, "client", "httpx")
    lines = [
        f"# Gateways side by side, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `.venv/bin/python bench/peer_bench.py --runs {args.runs} --c1 {args.c1} "
        f"--c32 {args.c32} --stream {args.stream} --cache {args.cache} --client {client}` "
        f"(`make bench-peer`). Medians of {args.runs} interleaved runs, a fresh gateway per "
        "run, one loopback upstream that answers at once, keep-alive clients "
        f"({client}, one connection each, on the same cores as the "
        "gateway), unique prompts, no cache (but in the cache section).",
        "",
        f"Machine: {_machine()}. Versions: {_versions()}.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        *[f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows],
    ]
    if "llm-router" in measured:
        lines += ["", *_router_breakdown(measured["llm-router"], base_p50)]
        if any(m.cache for m in measured["llm-router"]):
            lines += ["", *_cache_rows(measured["llm-router"], args)]
    return lines


def _cache_rows(runs: list[Measured], args: argparse.Namespace) -> list[str]:
    """The router with its cache on (target: a hit answered in under 5 ms p50)."""
    lines = ["## llm-router with its cache on (c1, Server-Timing, p50 ms)", "",
             f"A second router per run, cache on: {args.cache} new prompts (each a miss whose "
             "answer the settle stores), then the same prompts again word for word, then "
             "each reworded (`Benchmark request N: please say hello.`). Latencies are the "
             "client's wait, over the requests answered as the row says.", "",
             "| request | answered so | p50 / p99 (ms) | cache | embed | admit | upstream | "
             "settle | storage calls (most common sequence) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in CACHE_KINDS:
        every = [s for m in runs for s in m.cache.get(kind, Run([], 0)).samples]
        picked = [s for s in every if s.ok and s.cache == _EXPECTED[kind]]
        if not every:
            continue
        shapes = Counter(tuple(op for op, _ in s.calls) for s in picked)
        shape = shapes.most_common(1)[0][0] if shapes else ()
        same = [s for s in picked if tuple(op for op, _ in s.calls) == shape]
        calls = ", ".join(f"{op} {median([s.calls[i][1] for s in same]):.2f}"
                          for i, op in enumerate(shape)) or "-"
        phase = [f"{median([s.phases.get(p, 0.0) for s in picked]):.2f}"
                 for p in ("cache", "embed", "admit", "upstream", "settle")]
        lines.append(
            f"| {_CACHE_ROWS[kind]} | {len(picked)} of {len(every)} {_EXPECTED[kind]} | "
            f"{percentile([s.ms for s in picked], 50):.2f} / "
            f"{percentile([s.ms for s in picked], 99):.2f} | " + " | ".join(phase)
            + f" | {calls} ({len(same)} of {len(picked)}) |")
    return lines


def _router_breakdown(runs: list[Measured], base_p50: float) -> list[str]:
    samples = [s for m in runs for s in m.c1.samples if s.ok]
    storage = [sum(ms for _, ms in s.calls) for s in samples]
    own = [s.ms - base_p50 - st for s, st in zip(samples, storage, strict=True)]
    lines = ["## llm-router: where the time goes (c1, Server-Timing, p50 ms)", "",
             "| " + " | ".join(PHASES) + " | all storage calls | own work (added - storage) |",
             "|" + "---|" * (len(PHASES) + 2),
             "| " + " | ".join(f"{median([s.phases.get(p, 0.0) for s in samples]):.2f}"
                               for p in PHASES)
             + f" | {median(storage):.2f} | {median(own):.2f} |", ""]
    shapes = Counter(tuple(op for op, _ in s.calls) for s in samples)
    lines += ["Storage round trips per request (most common sequences):", ""]
    for shape, count in shapes.most_common(3):
        picked = [s for s in samples if tuple(op for op, _ in s.calls) == shape]
        timed = ", ".join(f"{op} {median([s.calls[i][1] for s in picked]):.2f} ms"
                          for i, op in enumerate(shape))
        lines.append(f"- {count} of {len(samples)} requests: {len(shape)} calls: {timed or '-'}")
    return lines


def _machine() -> str:
    load = os.getloadavg()[0]
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load:.1f} when the report was written")


def _versions() -> str:
    router = metadata.version("llm-router")
    try:
        done = subprocess.run([str(LITELLM.with_name("python")), "-c",
                               "import importlib.metadata as m; print(m.version('litellm'))"],
                              capture_output=True, text=True, timeout=60)
        litellm = done.stdout.strip() or "not installed"
    except OSError:
        litellm = "not installed"
    return f"llm-router {router}, LiteLLM proxy {litellm}"
