"""Does the embedded default hold sustained load? N requests at c8 against `serve`.

    make bench-soak                          # 50,000 requests, cache off
    make bench-soak-cache                    # 50,000 requests, the default cache on
    .venv/bin/python bench/soak.py [--requests 50000] [--concurrency 8] [--cache]
                                   [--rss-mb MB] [--max-growth-mb MB] [--query-chars N]
                                   [--no-marks] [--out bench/results]

Starts the loopback upstream (bench/peer/upstream.py) and ``llm-router serve`` on its
embedded store (cache off, explicit model, unique prompts), sends the requests from
keep-alive clients, prints progress every 1,000 (rate, p50 of the last 1,000, process
tree RSS), and writes ``soak-<date>.md``: p50 of the first and the last 1,000 requests,
Server-Timing phases of both, every window's p50, the drift, RSS idle and after, errors.
Exits 1 when the drift is over ``--max-drift`` (1.3), RSS is over ``--rss-mb`` (300; with
``--cache``, the idle tree's RSS plus MODELS_MB + CAPS_MB + SLACK_MB, and LONG_MB with
``--query-chars``) or a request failed.

The drift (``drift``, session 23) is the median of the last ``--drift-windows`` (3)
windows' p50 over the median of the first 3's, each window 1,000 requests in the order
they finished (the progress lines' windows): one window that a neighbour's job slowed or
sped moves neither median, while a slowdown that lasts (a step, or a rise through the
run) moves at least two of the three. The last 1,000's p50 over the first's alone, the
figure before session 23, is printed beside it; it read 1.48 and then 1.06 on two runs of
the same commit in session 22.

Beside the drift, as a record and no gate (session 24): the CPU drift, the same medians of
each window's router tree CPU a request (``window_cpu_ms``; the drift reads wall time on
a shared machine, where a neighbour's job slows a window without the router doing more).

And a table of each window's work and machine (session 28, ``soak_windows``): the store's KB
written a request and WAL checkpoints, gen-2 collections and their pauses (bench/soak_marks
on the router's ``PYTHONPATH``), the router tree's cores and run delay, the bench's own CPU
a request, the machine's other CPU, load, and a fixed unit's CPU in a calibration process,
with each column's medians at both ends: CPU a request moves with the machine's load, and
the table tells the router doing more from the machine running slower. ``--no-marks``
leaves the hook and the calibration out.

``--cache``: the default config instead (cache on, ``model: auto``, so the classifier and
both cache layers run), and a mix (``mixed``): of every 10 requests, 8 new prompts (each
stored: one entry more), 1 a prompt sent ``LAG`` requests before, again (an exact hit)
and 1 such a prompt reworded (a semantic hit). Writes ``soak-cache-<date>.md`` with the
answers of each kind in both windows and the entries stored; exits 1 also when a
repeat was not answered from the cache, or when RSS grew over ``--max-growth-mb`` once the
index was full (``_growth``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import soak_windows
from peer.gateways import start_router, start_upstream
from peer.load import PROMPTS, Run, Sample, drive, median, percentile
from peer.report import PHASES, write_markdown

from llm_router.cache.entry import IndexRecord
from llm_router.cache.store import JOURNAL, overlap_start
from llm_router.catalog import CacheConfig

WINDOW = 1000
# bench/soak_marks: the collector's counts in the router and its store (``--no-marks``).
MARKS = Path(__file__).with_name("soak_marks")
DRIFT_WINDOWS = 3
# The cache-on soak's memory target, from session 15's accounting (docs/cache-history.md
# "Session 15"; bench/rss_account.py): peak RSS at most the idle tree's plus
# - MODELS_MB, what the first lookups load: the verifier's models (29 MB) and the pages of
#   MiniLM's float16 word table the requests touch (20 MB, file-backed);
# - CAPS_MB, the caches at their bounds: the nets' prepared texts 48 MB, the
#   cross-encoder's views 16 and scores 4, the kept answers 4, a full index of short
#   questions 21 (10,000 entries of ~2.2 KB), and the ~29 MB traced beyond those (the
#   word caches: pieces of up to 50,000 words, readings of 2,048 texts, amounts of 1 MiB:
#   ``quantities.FORMS_BYTES``);
# - SLACK_MB, the allocators': malloc's free heaps (~18 MB) and pymalloc's unused arenas
#   (~3) at the server's thresholds (llm_router/heap.py), 8 threads' arenas (~7), the
#   embedded store's growth (~4), rounded up;
# and flat once the index is full: RSS grows at most GROWTH_MB from the later of the
# run's half and the request that fills the index (``mixed`` stores 8 of 10) to its end.
MODELS_MB = 50.0
CAPS_MB = 122.0
SLACK_MB = 40.0
# With --query-chars (long messages; docs/cache-history.md "Session 18"), LONG_MB more:
# the index full by bytes instead of entries (max_index_bytes, 32 MiB, less the 21 MB
# CAPS_MB counts); what two glibc arenas (``heap.bound_arenas``, session 17) keep of freed
# long texts and the messages in flight beyond the short prompts' soak: 58 MB at session
# 17's peak (530 MB, idle 248), rounded to 60; and a margin of 30 MB, about twice the
# swing between that run's marks once the index was full (514-530 MB). Session 16's 320
# (glibc's 8 arenas a core) sat ~260 MB over what the bound holds.
LONG_MB = 12.5 + 60.0 + 30.0
GROWTH_MB = 8.0
STORED_SHARE = 0.8
# A repeat sends the prompt of the request LAG before it: an odd lag, so that request was
# a new prompt (``mixed``), long stored at c8.
LAG = 101
# ``--query-chars``: what follows each prompt, repeated to length (no digit: the hard
# check still tells the prompts apart by their request number alone).
FILLER = ("Some background first. The account was opened last spring, and since then the "
          "customer has written about the billing cycle, the shipping address, the warranty "
          "terms and the return policy; each time the team answered within a day. ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rss-mb", type=float, default=None,
                        help="RSS target (MB); default 300, with --cache the idle tree's "
                             "RSS plus MODELS_MB + CAPS_MB + SLACK_MB")
    parser.add_argument("--max-growth-mb", type=float, default=GROWTH_MB,
                        help="--cache: the most RSS may grow once the index is full")
    parser.add_argument("--max-drift", type=float, default=1.3,
                        help="the most the drift may be (``drift``: the median of the last "
                             "--drift-windows windows' p50 over the first's)")
    parser.add_argument("--drift-windows", type=int, default=DRIFT_WINDOWS,
                        help="windows at each end whose p50s' median the drift compares "
                             "(at most half the run's windows; 1: the first and the last "
                             "window alone)")
    parser.add_argument("--cache", action="store_true",
                        help="the default config: cache on, model auto, repeats and rewordings")
    parser.add_argument("--ttl-seconds", type=int,
                        help="with --cache: the cache's ttl_seconds (default: the config's, "
                             "a day), short to see the store's expired entries go")
    parser.add_argument("--query-chars", type=int, default=0,
                        help="each prompt followed by filler text up to about this many "
                             "characters (a long user message); 0: the short prompts")
    parser.add_argument("--no-marks", action="store_true",
                        help="leave bench/soak_marks (the collector's counts) out of the router "
                             "and run no calibration process (bench/soak_windows.py)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    pad = padding(args.query_chars)
    window = min(WINDOW, max(args.requests // 4, 1))
    folder = None if args.no_marks else tempfile.TemporaryDirectory(prefix="soak-marks-")
    env = {} if folder is None else {
        "SOAK_MARKS": folder.name,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(MARKS), os.environ.get("PYTHONPATH")]))}
    upstream = start_upstream()
    router = start_router(upstream, cache=args.cache, cache_ttl_s=args.ttl_seconds, env=env)
    if args.cache:
        router.model = "auto"
    started = time.perf_counter()
    peak = [0.0]
    marks: list[tuple[int, float]] = []  # (requests done, RSS MB)
    cpu = [(0, router.cpu_s())]  # (requests done, the router tree's CPU seconds)
    disk: list[tuple[int, int, int]] = []  # (requests done, store file bytes, its WAL's)
    # (bench/soak_windows) the work and the machine at each mark, and the calibration
    # units' file; none for a router that is no process of this machine (the tests')
    counters = _counters(router, upstream, folder)
    units = None if folder is None or counters is None else Path(folder.name) / "units.txt"
    calibration: subprocess.Popen[bytes] | None = None
    costs: list[soak_windows.Mark] = []

    def progress(done: int, run: Run) -> None:
        rss = router.rss_mb()
        peak[0] = max(peak[0], rss)
        marks.append((done, rss))
        cpu.append((done, router.cpu_s()))
        disk.append((done, *_file_bytes(router.store_file())))
        if counters is not None:
            costs.append(counters(done))
        recent = [s.ms for s in run.samples[-window:] if s.ok]
        hits = f"  answered {_answers(run.samples[-window:])}" if args.cache else ""
        print(f"{done:>7,}/{args.requests:,}  {run.rps:6.1f} rps  p50 of the last "
              f"{len(recent):,}: {percentile(recent, 50):7.1f} ms  CPU "
              f"{_cpu_ms(cpu[-2:]):5.1f} ms a request  errors {run.errors}  "
              f"RSS {rss:.0f} MB  store {disk[-1][1] / 1e6:.1f} + WAL "
              f"{disk[-1][2] / 1e6:.1f} MB  load {os.getloadavg()[0]:.1f}{hits}", flush=True)

    try:
        if units is not None:
            calibration = soak_windows.start_calibration(units)
        if counters is not None:
            costs.append(counters(0))
        idle = router.rss_mb()
        print(f"router ready in {router.ready_s:.1f} s, {idle:.0f} MB; sending "
              f"{args.requests:,} requests at c{args.concurrency}", flush=True)
        run = asyncio.run(drive(router, args.requests, args.concurrency, progress=progress,
                                mix=mixed if args.cache else None, pad=pad))
        after = router.rss_mb()
        if cpu[-1][0] != len(run.samples):
            cpu.append((len(run.samples), router.cpu_s()))
            if counters is not None:
                costs.append(counters(len(run.samples)))
        rows = _store_rows(router.store_file())
        spent = soak_windows.read_units(units)
    finally:
        if calibration is not None:
            calibration.kill()
            calibration.wait()
        router.stop()
        upstream.stop()
        if folder is not None:
            folder.cleanup()
    first, last = run.samples[:window], run.samples[-window:]
    p_first, p_last = _p50(first), _p50(last)
    ends = p_last / p_first if p_first else float("nan")
    p50s = window_p50s(run.samples, window)
    ratio = drift(p50s, args.drift_windows)
    k = drift_windows(len(p50s), args.drift_windows)
    cpus = window_cpu_ms(cpu)
    cpu_ratio = drift(cpus, args.drift_windows)  # a record beside the gate, not a gate
    k_cpu = drift_windows(len(cpus), args.drift_windows)
    peak_rss = max(peak[0], after)
    target = args.rss_mb if args.rss_mb is not None else (
        idle + MODELS_MB + CAPS_MB + SLACK_MB + (LONG_MB if pad else 0.0) if args.cache
        else 300.0)
    growth, since = _growth(marks + [(len(run.samples), after)], len(run.samples),
                            index_holds(pad)) \
        if args.cache else (None, 0)
    # Every repeat (the request numbers ``mixed`` sends again) answered from the cache.
    unanswered = sum(s.cache == "miss" for s in run.samples
                     if args.cache and mixed(s.request)[0] != s.request)
    ok = (ratio <= args.max_drift and peak_rss <= target and run.errors == 0
          and not unanswered and (growth is None or growth <= args.max_growth_mb))
    what = (f"`make bench-soak-cache`); `llm-router serve` on its embedded store, the "
            f"default cache on, `model: auto`, loopback upstream; of every 10 requests 8 new "
            f"prompts, 1 the prompt of {LAG} requests before again, 1 it reworded"
            if args.cache else
            "`make bench-soak`); `llm-router serve` on its embedded store, cache off, "
            "explicit model, loopback upstream, unique prompts")
    lines = [
        f"# Soak{' with the cache on' if args.cache else ''}: {args.requests:,} requests at "
        f"c{args.concurrency}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `.venv/bin/python bench/soak.py --requests {args.requests} "
        f"--concurrency {args.concurrency}{' --cache' if args.cache else ''}"
        f"{f' --ttl-seconds {args.ttl_seconds}' if args.ttl_seconds else ''}"
        f"{f' --query-chars {args.query_chars}' if args.query_chars else ''}` ({what}"
        f"{f'; each prompt followed by filler to {args.query_chars:,} characters' if pad else ''}.",
        "",
        f"| | first {window:,} | last {window:,} |",
        "|---|---|---|",
        f"| p50 (ms) | {p_first:.1f} | {p_last:.1f} |",
        *[f"| {phase} p50 (ms) | {_phase(first, phase):.2f} | {_phase(last, phase):.2f} |"
          for phase in PHASES],
        f"| storage calls p50 (ms) | {_storage(first):.2f} | {_storage(last):.2f} |",
        f"| router tree CPU a request (ms) | {_cpu_ms(cpu[:2]):.1f} | {_cpu_ms(cpu[-2:]):.1f} |",
        *([f"| answered | {_answers(first)} | {_answers(last)} |"] if args.cache else []),
        "",
        f"p50 (ms) of each {window:,} requests in the order they finished: "
        f"{', '.join(f'{p:.1f}' for p in p50s)}.",
        "",
        f"Router tree CPU a request (ms) of each {WINDOW:,} requests (the progress lines'): "
        f"{', '.join(f'{c:.1f}' for c in cpus)}.",
        "",
        *soak_windows.report_lines(soak_windows.windows(costs, spent), args.drift_windows),
        f"Drift (the median of the last {k} windows' p50 / the first {k}'s): {ratio:.2f} "
        f"(target <= {args.max_drift}); CPU drift, a record, not a gate (the median of the "
        f"last {k_cpu} windows' router tree CPU a request / the first {k_cpu}'s): "
        f"{cpu_ratio:.2f}; the last {window:,} / the first {window:,} alone {ends:.2f}. "
        f"Process tree RSS: {idle:.0f} MB idle, {after:.0f} MB after, peak {peak_rss:.0f} MB "
        f"(target <= {target:.0f}"
        + (f": idle + {MODELS_MB:.0f} models + {CAPS_MB:.0f} caps + {SLACK_MB:.0f} slack"
           + (f" + {LONG_MB:.0f} long messages" if pad else "")
           if args.cache and args.rss_mb is None else "") + ")."
        + (f" Growth once the index is full, request {since:,} to the end: {growth:.0f} MB "
           f"(target <= {args.max_growth_mb:.0f})." if growth is not None else
           " Growth once the index is full: not measured (the run ends less than "
           f"{2 * WINDOW:,} requests after it fills)." if args.cache else "")
        + f" Errors: {run.errors}. Throughput {run.rps:.1f} rps "
        f"over {time.perf_counter() - started:.0f} s."
        + (f" Entries stored (new prompts answered as misses): "
           f"{sum(s.cache == 'miss' for s in run.samples):,}; repeats not answered from "
           f"the cache: {unanswered}." if args.cache else "")
        + f" Result: {'PASS' if ok else 'FAIL'}.",
        "",
        *_disk_lines(disk, len(run.samples)),
        *rows,
    ]
    write_markdown(Path(args.out), "soak-cache" if args.cache else "soak", lines)
    return 0 if ok else 1


def _counters(router: Any, upstream: Any, folder: tempfile.TemporaryDirectory[str] | None,
              ) -> Callable[[int], soak_windows.Mark] | None:
    """``soak_windows.take`` for this run's router (None for a stand-in without a
    process)."""
    if getattr(router, "process", None) is None or getattr(upstream, "process", None) is None:
        return None
    marks = Path(folder.name) if folder is not None else None
    return lambda done: soak_windows.take(done, router.process.pid, router.store_file(), marks)


def window_p50s(samples: list[Sample], window: int) -> list[float]:
    """p50 (ms) of each ``window`` requests in the order they finished (the progress lines'
    windows at the default 1,000); a tail of fewer is left out."""
    return [_p50(samples[i:i + window])
            for i in range(0, len(samples) - window + 1, max(window, 1))]


def window_cpu_ms(cpu: list[tuple[int, float]]) -> list[float]:
    """The router tree's CPU ms a request between each two of the (requests done, CPU s)
    marks, taken every 1,000 requests (the progress lines' windows; the p50 windows at
    the default ``WINDOW``); a last span shorter than the first (the run's tail) is left
    out, as ``window_p50s`` leaves it."""
    spans = [cpu[i:i + 2] for i in range(len(cpu) - 1)]
    if len(spans) > 1 and (spans[-1][1][0] - spans[-1][0][0]
                           < spans[0][1][0] - spans[0][0][0]):
        spans.pop()
    return [_cpu_ms(span) for span in spans]


def drift_windows(windows: int, k: int = DRIFT_WINDOWS) -> int:
    """How many windows at each end ``drift`` reads: ``k``, at most half of them, at least
    one."""
    return max(1, min(k, windows // 2))


def drift(p50s: list[float], k: int = DRIFT_WINDOWS) -> float:
    """The median of the last ``k`` windows' p50 over the median of the first ``k``'s
    (``drift_windows``: the two ends never share a window). One slow or fast window at
    either end moves neither median; a slowdown that lasts moves most of the last ``k``
    windows and so their median: a step of 40 % or a rise through the run still reads
    over 1.3."""
    if not p50s:
        return float("nan")
    k = drift_windows(len(p50s), k)
    head, tail = median(p50s[:k]), median(p50s[-k:])
    return tail / head if head else float("nan")


def index_holds(pad: str) -> int:
    """Entries of this run's prompts a full index of the default config holds:
    ``max_entries``, or fewer where ``max_index_bytes`` binds first (long prompts,
    ``--query-chars``)."""
    config = CacheConfig()
    prompt = PROMPTS["plain"].format(i=10**4) + pad
    each = IndexRecord("", "", prompt, np.zeros(1, dtype=np.float32), 0, "").nbytes
    return min(config.max_entries, config.max_index_bytes // each)


def _growth(marks: list[tuple[int, float]], requests: int,
            held: int = CacheConfig().max_entries) -> tuple[float | None, int]:
    """RSS growth (MB) from the first mark at or after the later of the run's half and the
    request that fills the index (``held`` entries, ``index_holds``) to the last mark, and
    that mark's request; None when fewer than two windows of ``WINDOW`` requests are left
    after it."""
    start = max(requests // 2, int(held / STORED_SHARE))
    first = next((m for m in marks if m[0] >= start), None)
    if first is None or requests - first[0] < 2 * WINDOW:
        return None, start
    return marks[-1][1] - first[1], first[0]


def padding(chars: int) -> str:
    """What follows each prompt so that it is at most ``chars`` long ("" for 0)."""
    if chars <= 0:
        return ""
    room = chars - len(PROMPTS["paraphrase"].format(i=10**9))
    return (" " + FILLER * (room // len(FILLER) + 1))[:max(room, 0)]


def mixed(i: int) -> tuple[int, str]:
    """Request ``i``'s (prompt number, wording): of every 10, the 4th sends the prompt of
    ``LAG`` requests before again, the 8th that prompt reworded, the others their own."""
    if i >= LAG and i % 10 in (3, 7):
        return i - LAG, "plain" if i % 10 == 3 else "paraphrase"
    return i, "plain"


def _file_bytes(path: Path | None) -> tuple[int, int]:
    """The store file's bytes and its WAL's (0 where none)."""
    sizes = []
    for name in ("", "-wal"):
        try:
            sizes.append(Path(f"{path}{name}").stat().st_size if path else 0)
        except OSError:
            sizes.append(0)
    return sizes[0], sizes[1]


def _disk_lines(disk: list[tuple[int, int, int]], requests: int) -> list[str]:
    """The store's bytes on disk through the run, and what the second half added a
    request."""
    if not disk:
        return []
    step = max(1, len(disk) // 10)
    marks = ", ".join(f"{done:,}: {db / 1e6:.1f} + {wal / 1e6:.1f}"
                      for done, db, wal in disk[step - 1::step])
    (n0, db0, wal0), (n1, db1, wal1) = disk[len(disk) // 2], disk[-1]
    growth = (db1 + wal1 - db0 - wal0) / (n1 - n0) if n1 > n0 else float("nan")
    return [f"Embedded store on disk (SQLite file + WAL, MB) by requests done: {marks}. "
            f"Growth from request {n0:,} to {n1:,}: {growth:,.0f} bytes a request.", ""]


def _store_rows(path: Path | None) -> list[str]:
    """Rows and item bytes per table of the store (the cache's answers ``A#`` and
    journal ``J#`` apart), its pages, and the journal items a sync's overlap covers."""
    if path is None:
        return []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT tbl, CASE WHEN substr(rk, 2, 1) = '#' THEN substr(rk, 1, 2) ELSE '' END, "
            "count(*), sum(length(item)) FROM items GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
        pages, free, size = (db.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
        newest = db.execute("SELECT max(rk) FROM items WHERE rk >= ? AND rk < 'J$'",
                            (JOURNAL,)).fetchone()[0] or ""
        window = db.execute("SELECT count(*) FROM items WHERE rk >= ? AND rk < 'J$'",
                            (overlap_start(newest) or JOURNAL,)).fetchone()[0]
    lines = ["| table | items | rows | item bytes | bytes a row |", "|---|---|---|---|---|"]
    lines += [f"| {table} | {kind or 'all'} | {n:,} | {nbytes:,} | {nbytes / n:,.0f} |"
              for table, kind, n, nbytes in rows]
    return [*lines, "", f"Pages: {pages:,} of {size:,} bytes, {free:,} free. Journal items "
            f"in the minute before the newest (what a journal sync's overlap covers): "
            f"{window:,}."]


def _cpu_ms(marks: list[tuple[int, float]]) -> float:
    """CPU ms a request between the first and the last (requests done, CPU s) mark."""
    (n0, s0), (n1, s1) = marks[0], marks[-1]
    return (s1 - s0) * 1000 / (n1 - n0) if n1 > n0 else float("nan")


def _answers(samples: list[Sample]) -> str:
    """How the router answered (``x-router-cache``): "800 miss, 100 exact, 100 semantic"."""
    counts = Counter(s.cache for s in samples if s.ok)
    return ", ".join(f"{n:,} {kind}" for kind, n in counts.most_common())


def _p50(samples: list[Sample]) -> float:
    return percentile([s.ms for s in samples if s.ok], 50)


def _phase(samples: list[Sample], phase: str) -> float:
    return median([s.phases.get(phase, 0.0) for s in samples if s.ok])


def _storage(samples: list[Sample]) -> float:
    return median([sum(ms for _, ms in s.calls) for s in samples if s.ok])


if __name__ == "__main__":
    raise SystemExit(main())
