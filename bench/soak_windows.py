"""What each soak window cost the router, and what else ran on the machine (session 28).

The soak's CPU a request (``window_cpu_ms``) is no load-independent figure on a shared
machine: at the same work a request (the same bytes written, write calls, checkpoints),
the router tree's CPU a request read 1.6-1.9 ms at load 2 and 2.4-4.4 ms at load 4.5-17
(docs/cache-history.md, "Session 28: the soak's bump after 35,000 requests"). So beside
it each window records, from ``/proc`` and the store's files:

- the work a request does that could grow with the run: the bytes the store process
  wrote (``/proc/<pid>/io`` ``wchar``: WAL frames and checkpoint copies), the WAL's
  checkpoints (its header's checkpoint sequence number, which SQLite raises each time
  the WAL starts over after a complete checkpoint), and the collector's full (gen-2)
  collections and their pauses in the router and its store (bench/soak_marks);
- the bench itself: its client's, upstream's and calibration's CPU a request (the client
  keeps every sample, so its heap grows through the run);
- the machine: the router tree's CPU over the window's wall time (cores), how long its
  threads waited, runnable, for a CPU (``schedstat``'s run delay), the CPU the machine
  spent outside the router tree and the bench's own processes (client and upstream), in
  cores, the 1-minute load average, and the CPU one fixed unit of work took in a
  calibration process (``calibrate``: about 1 % of a core), which reads a slower CPU
  that nothing inside this machine shows (the host's other guests on the same core or
  cache, a lower clock: this VM has no hardware counters to count instructions with).

A window whose CPU a request rose while its work held, and whose fixed unit or waits or the
machine's other CPU rose with it, reads the machine; one whose writes, checkpoints or
collections rose reads the router.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from peer.gateways import family, tree_cpu_s

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
# /proc/stat's cpu line: user nice system idle iowait irq softirq steal (guest time is in
# user already); the machine's busy time is all but idle and iowait.
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)
# The WAL file's header: magic, version, page size, checkpoint sequence (big-endian u32s).
WAL_HEADER = struct.Struct(">IIII")
# The calibration unit: an item like a ledger row encoded and decoded, its keys sorted,
# UNIT_ROUNDS times (about 1 ms of one core here), one unit every UNIT_EVERY_S.
UNIT_ROUNDS = 40
UNIT_EVERY_S = 0.1
UNIT_ITEM = {"tenant_id": {"S": "dev"}, "sk": {"S": "2026-12-06T12:00:00.000000Z#req-1"},
             "model": {"S": "bench-model"}, "latency_ms": {"N": "8.3"},
             "attempts": {"L": [{"M": {"provider": {"S": "testup"}, "ms": {"N": "3.1"}}}] * 4}}


@dataclass(frozen=True)
class Mark:
    """The counters at one progress mark (every 1,000 requests)."""

    done: int  # requests finished
    wall_s: float  # time.monotonic()
    tree_cpu_s: float  # the router tree's CPU (user + system)
    own_cpu_s: float  # the bench's: this process and its children but the router tree
    # (the upstream, the calibration process)
    busy_s: float  # the machine's busy CPU time, all CPUs
    waited_s: float  # the router tree's threads' time runnable without a CPU
    load: float  # the 1-minute load average
    store_written: int  # bytes the store process wrote (0: no store found)
    wal_sequence: int | None  # the WAL header's checkpoint sequence (None: no WAL)
    full_collections: int  # gen-2 collections in the router and its store (marks)
    full_pause_s: float  # their pauses


def take(done: int, router_pid: int, store: Path | None, marks: Path | None) -> Mark:
    """The counters now, for a router this process started (its child ``router_pid``);
    ``store``: the embedded store's SQLite file, ``marks``: the folder bench/soak_marks
    writes to (None: off)."""
    members = family(router_pid)
    store_pid = _holder(members, store)
    collections, pause = _collections(marks, members)
    tree = tree_cpu_s(router_pid)
    return Mark(done, time.monotonic(), tree, tree_cpu_s(os.getpid()) - tree, machine_busy_s(),
                _waited_s(members), os.getloadavg()[0],
                _written(store_pid) if store_pid else 0, wal_sequence(store),
                collections, pause)


def machine_busy_s(stat: str = "/proc/stat") -> float:
    """CPU seconds the machine's CPUs have been busy (steal included: time the host gave
    another guest)."""
    with open(stat) as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields[i] for i in BUSY_FIELDS if i < len(fields)) * TICK_S


def wal_sequence(store: Path | None) -> int | None:
    """The checkpoint sequence number in the header of ``store``'s WAL, None when there is
    no WAL (or no store)."""
    if store is None:
        return None
    try:
        with open(f"{store}-wal", "rb") as f:
            header = f.read(WAL_HEADER.size)
    except OSError:
        return None
    return WAL_HEADER.unpack(header)[3] if len(header) == WAL_HEADER.size else None


def unit() -> None:
    """One calibration unit: fixed pure-Python work (JSON, dicts, strings), as a request's
    bookkeeping is."""
    for i in range(UNIT_ROUNDS):
        item = json.loads(json.dumps(UNIT_ITEM, separators=(",", ":")))
        item["n"] = {"N": str(i)}
        _ = ",".join(f"{key}={value}" for key, value in sorted(item.items()))


def calibrate(path: Path, every_s: float = UNIT_EVERY_S) -> None:
    """A unit every ``every_s``, a line each to ``path``: its start (``time.monotonic``)
    and the CPU it took (``time.thread_time``, ms). Runs until killed."""
    with open(path, "a", buffering=1) as out:
        while True:
            wall, cpu = time.monotonic(), time.thread_time()
            unit()
            out.write(f"{wall:.4f} {(time.thread_time() - cpu) * 1000:.4f}\n")
            time.sleep(every_s)


def start_calibration(path: Path) -> subprocess.Popen[bytes]:
    """``calibrate`` in a process of its own (the caller stops it)."""
    return subprocess.Popen([sys.executable, __file__, "--calibrate", str(path)])


def read_units(path: Path | None) -> list[tuple[float, float]]:
    """The (start, CPU ms) lines ``calibrate`` wrote (none without a file)."""
    if path is None:
        return []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    units = []
    for line in lines:
        parts = line.split()
        if len(parts) == 2:
            units.append((float(parts[0]), float(parts[1])))
    return units


def windows(marks: list[Mark], units: Sequence[tuple[float, float]] = (),
            ) -> list[dict[str, float]]:
    """Each span between two marks: its CPU ms a request, the ms a request the router
    tree waited for a CPU, the machine's other CPU (cores: busy less the tree's and the
    bench's own, over the span's wall time), the load at its end, the store's KB written a
    request, its checkpoints (nan when the WAL was not read at both ends), its full
    collections with their pauses (ms), the tree's cores, the bench's own CPU ms a request
    (client, upstream, calibration), and the median CPU ms of the calibration ``units``
    started in it (nan: none). A last span shorter than the first is
    left out, as ``window_cpu_ms`` leaves it."""
    rows = []
    for a, b in zip(marks, marks[1:], strict=False):
        n, wall = b.done - a.done, b.wall_s - a.wall_s
        if n <= 0 or wall <= 0:
            continue
        tree = b.tree_cpu_s - a.tree_cpu_s
        others = (b.busy_s - a.busy_s) - tree - (b.own_cpu_s - a.own_cpu_s)
        spent = [ms for at, ms in units if a.wall_s <= at < b.wall_s]
        rows.append({
            "done": float(b.done),
            "cpu_ms": tree * 1000 / n,
            "tree_cores": tree / wall,
            "own_ms": (b.own_cpu_s - a.own_cpu_s) * 1000 / n,
            "unit_ms": median(spent) if spent else float("nan"),
            "waited_ms": max(b.waited_s - a.waited_s, 0.0) * 1000 / n,
            "others_cores": max(others, 0.0) / wall,
            "load": b.load,
            "store_kb": (b.store_written - a.store_written) / 1024 / n,
            "checkpoints": (float(b.wal_sequence - a.wal_sequence)
                            if a.wal_sequence is not None and b.wal_sequence is not None
                            else float("nan")),
            "full_collections": float(b.full_collections - a.full_collections),
            "full_pause_ms": (b.full_pause_s - a.full_pause_s) * 1000,
            "requests": float(n),
        })
    if len(rows) > 1 and rows[-1]["requests"] < rows[0]["requests"]:
        rows.pop()
    return rows


COLUMNS = (  # key, heading, format
    ("cpu_ms", "CPU ms a request", "{:.2f}"),
    ("tree_cores", "router tree cores", "{:.2f}"),
    ("own_ms", "the bench's CPU ms a request", "{:.2f}"),
    ("unit_ms", "a fixed unit's CPU (ms)", "{:.3f}"),
    ("waited_ms", "waited for a CPU, ms a request", "{:.2f}"),
    ("others_cores", "the machine's other CPU (cores)", "{:.2f}"),
    ("load", "load (1 min)", "{:.1f}"),
    ("store_kb", "store KB written a request", "{:.1f}"),
    ("checkpoints", "WAL checkpoints", "{:.0f}"),
    ("full_collections", "gen-2 collections", "{:.0f}"),
    ("full_pause_ms", "gen-2 pauses (ms)", "{:.0f}"),
)


def report_lines(rows: list[dict[str, float]], k: int) -> list[str]:
    """The table of every window and a line of each column's medians at the two ends (the
    first ``k`` windows', the last ``k``'s: the drift's ends)."""
    if not rows:
        return []
    k = max(1, min(k, len(rows) // 2))
    head, tail = rows[:k], rows[-k:]
    ends = "; ".join(
        f"{title} {fmt.format(median(r[key] for r in head))} -> "
        f"{fmt.format(median(r[key] for r in tail))}"
        for key, title, fmt in COLUMNS)
    lines = [
        f"What each window cost and what else ran (bench/soak_windows.py; the medians of the "
        f"first {k} windows -> the last {k}'s): {ends}. CPU a request that rose while the "
        f"store's writes, checkpoints and collections held, with the fixed unit's CPU, the "
        f"waits or the machine's other CPU, reads the machine; writes, checkpoints or "
        f"collections that rose read the router.",
        "",
        "| requests | " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    lines += [f"| {r['done']:,.0f} | " + " | ".join(fmt.format(r[key]) for key, _, fmt in COLUMNS)
              + " |" for r in rows]
    return [*lines, ""]


def _holder(members: set[int], store: Path | None) -> int | None:
    """The member of the router tree that holds the store's SQLite file open."""
    if store is None:
        return None
    for member in sorted(members):
        try:
            if any(os.readlink(f"/proc/{member}/fd/{fd}") == str(store)
                   for fd in os.listdir(f"/proc/{member}/fd")):
                return member
        except OSError:
            continue
    return None


def _written(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
    except (OSError, StopIteration):
        return 0


def _waited_s(members: set[int]) -> float:
    """The run delay (``schedstat``'s second field) of every thread of ``members``."""
    total = 0
    for member in members:
        try:
            threads = os.listdir(f"/proc/{member}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                with open(f"/proc/{member}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def _collections(marks: Path | None, members: set[int]) -> tuple[int, float]:
    """Gen-2 collections and their pauses (s) the members wrote to ``marks``."""
    count, pause = 0, 0.0
    if marks is None:
        return count, pause
    for member in members:
        try:
            row: dict[str, Any] = json.loads((marks / f"{member}.json").read_text())
        except (OSError, ValueError):
            continue
        count += row["collections"][2]
        pause += row["pause_ns"][2] / 1e9
    return count, pause


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the soak's calibration process")
    parser.add_argument("--calibrate", type=Path, required=True, help="file to append units to")
    calibrate(parser.parse_args().calibrate)
