"""bench/soak_windows.py and bench/soak_marks (session 28): what each soak window cost the
router (the store's writes, the WAL's checkpoints, full collections) beside what else ran
on the machine (run delay, the machine's other CPU, load), so a drift explains itself."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from types import ModuleType

import pytest

MARKS = Path(__file__).resolve().parents[2] / "bench" / "soak_marks"


@pytest.fixture(scope="module")
def windows(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("soak_windows")


def test_the_wal_sequence_counts_the_checkpoints_that_restart_it(
        windows: ModuleType, tmp_path: Path) -> None:
    """SQLite raises the WAL header's checkpoint sequence each time a write starts the WAL
    over after a complete checkpoint: the embedded store's settings (WAL, synchronous off,
    a checkpoint every 4 pages here) read one more a restart."""
    path = tmp_path / "store.sqlite3"
    assert windows.wal_sequence(path) is None  # no file yet
    assert windows.wal_sequence(None) is None
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        start = windows.wal_sequence(path)
        assert start is not None
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("INSERT INTO t (v) VALUES ('x')")
        assert windows.wal_sequence(path) == start + 1
        db.execute("PRAGMA wal_autocheckpoint=4")
        for _ in range(40):
            db.execute("INSERT INTO t (v) VALUES (?)", ("y" * 3000,))
        assert windows.wal_sequence(path) > start + 2


def _mark(windows: ModuleType, done: int, **values: float | None) -> object:
    base = {"wall_s": done / 100, "tree_cpu_s": done * 0.0015, "own_cpu_s": done * 0.001,
            "busy_s": done * 0.0025, "waited_s": done * 0.0005, "load": 1.0,
            "store_written": done * 100 * 1024, "wal_sequence": done // 40,
            "full_collections": done // 1000, "full_pause_s": done / 1000 * 0.015}
    return windows.Mark(done, **{**base, **values})


def test_each_window_reads_its_work_and_the_machine(windows: ModuleType) -> None:
    """1,000 requests a window in 10 s: 1.5 ms CPU a request, 0.5 ms waited, 100 KB written,
    25 checkpoints, one full collection of 15 ms; the machine busy 2.5 s, of which the
    tree's 1.5 and the bench's 1.0: no other CPU. The third window a neighbour used 6 s
    more of the machine's CPU (0.6 cores) while the tree's CPU a request rose 40 %."""
    marks = [_mark(windows, n) for n in (0, 1000, 2000)]
    marks.append(_mark(windows, 3000, tree_cpu_s=3000 * 0.0015 + 0.6, busy_s=3000 * 0.0025 + 6.6,
                       waited_s=3000 * 0.0005 + 2.0, load=3.0))
    rows = windows.windows(marks)
    assert [r["done"] for r in rows] == [1000, 2000, 3000]
    first, third = rows[0], rows[2]
    assert first["cpu_ms"] == pytest.approx(1.5) and first["own_ms"] == pytest.approx(1.0)
    assert first["tree_cores"] == pytest.approx(0.15)
    assert first["waited_ms"] == pytest.approx(0.5)
    assert first["others_cores"] == pytest.approx(0.0, abs=1e-9)
    assert first["store_kb"] == pytest.approx(100.0)
    assert first["checkpoints"] == 25 and first["full_collections"] == 1
    assert first["full_pause_ms"] == pytest.approx(15.0)
    assert third["cpu_ms"] == pytest.approx(2.1)
    assert third["waited_ms"] == pytest.approx(2.5)
    assert third["others_cores"] == pytest.approx(0.6)
    assert third["load"] == 3.0 and third["store_kb"] == pytest.approx(100.0)


def test_a_short_tail_and_a_missing_wal(windows: ModuleType) -> None:
    """A last span shorter than the first is left out (as ``window_cpu_ms`` leaves it); a
    WAL not read at both ends gives no checkpoint count; no two marks, no window."""
    marks = [_mark(windows, n) for n in (0, 1000, 2000, 2400)]
    assert [r["done"] for r in windows.windows(marks)] == [1000, 2000]
    gone = [_mark(windows, 0), _mark(windows, 1000, wal_sequence=None)]
    assert math.isnan(windows.windows(gone)[0]["checkpoints"])
    assert windows.windows(marks[:1]) == []
    assert windows.report_lines([], 3) == []


def test_the_report_prints_each_window_and_the_ends(windows: ModuleType) -> None:
    """The medians of the first three windows and the last three's, then one row a window."""
    marks = [_mark(windows, n * 1000) for n in range(7)]
    marks[6] = _mark(windows, 6000, tree_cpu_s=6000 * 0.0015 + 1.0, busy_s=6000 * 0.0025 + 1.0)
    marks[5] = _mark(windows, 5000, tree_cpu_s=5000 * 0.0015 + 0.5, busy_s=5000 * 0.0025 + 0.5)
    lines = windows.report_lines(windows.windows(marks, [(5.0, 0.9), (55.0, 1.3)]), 3)
    assert lines[0].startswith("What each window cost and what else ran (bench/soak_windows.py; "
                               "the medians of the first 3 windows -> the last 3's): "
                               "CPU ms a request 1.50 -> 2.00; router tree cores 0.15 -> 0.20; "
                               "the bench's CPU ms a request 1.00 -> 1.00; "
                               "a fixed unit's CPU (ms) nan -> nan; waited for a CPU, ms a "
                               "request 0.50 -> 0.50; the machine's other CPU (cores) 0.00 -> "
                               "0.00; ")
    assert "; WAL checkpoints 25 -> 25; gen-2 collections 1 -> 1; gen-2 pauses (ms) 15 -> 15." \
        in lines[0]
    assert lines[2].startswith("| requests | CPU ms a request | router tree cores | the bench's "
                               "CPU ms a request | a fixed unit")
    assert lines[4] == ("| 1,000 | 1.50 | 0.15 | 1.00 | 0.900 | 0.50 | 0.00 | 1.0 | 100.0 | 25 "
                        "| 1 | 15 |")
    assert lines[5].startswith("| 2,000 | 1.50 | 0.15 | 1.00 | nan | ")  # no unit in 10-20 s
    assert lines[-2].startswith("| 6,000 | 2.00 | 0.20 | 1.00 | 1.300 | ")
    assert len(lines) == 4 + 6 + 1


def test_take_reads_this_machine(windows: ModuleType, tmp_path: Path) -> None:
    """The counters of a real process tree (a child of this process as the router), no
    store: no bytes written, no WAL; the bench's own CPU is this process's tree less the
    router's; the marks folder's files of the router tree's members summed."""
    burn = "import time\nt = time.process_time() + 0.3\nwhile time.process_time() < t: pass\n" \
           "time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", burn])
    try:
        (tmp_path / f"{child.pid}.json").write_text(
            json.dumps({"collections": [5, 2, 3], "pause_ns": [0, 0, 45_000_000]}))
        (tmp_path / f"{os.getpid()}.json").write_text(  # not of the router's tree: left out
            json.dumps({"collections": [0, 0, 9], "pause_ns": [0, 0, 9]}))
        deadline = time.monotonic() + 60
        while windows.tree_cpu_s(child.pid) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        mark = windows.take(10, child.pid, None, tmp_path)
        assert mark.done == 10 and mark.tree_cpu_s >= 0.25 and mark.busy_s > 0
        assert 0 < mark.own_cpu_s < windows.tree_cpu_s(os.getpid()) - 0.2  # the child's left out
        assert mark.store_written == 0 and mark.wal_sequence is None
        assert (mark.full_collections, mark.full_pause_s) == (3, pytest.approx(0.045))
        assert windows.take(10, child.pid, None, None).full_collections == 0
    finally:
        child.kill()
        child.wait()


def test_the_marks_hook_counts_a_process_s_collections(tmp_path: Path) -> None:
    """bench/soak_marks loaded by a process whose PYTHONPATH names it, with $SOAK_MARKS set:
    two full collections are in the file it writes; without $SOAK_MARKS it does nothing."""
    script = "import gc, time; gc.collect(); gc.collect(); time.sleep(1.2)"
    env = {**os.environ, "PYTHONPATH": str(MARKS), "SOAK_MARKS": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=60)
    assert proc.returncode == 0
    (written,) = tmp_path.glob("*.json")
    row = json.loads(written.read_text())
    assert row["collections"][2] >= 2 and row["pause_ns"][2] > 0
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    env.pop("SOAK_MARKS")
    subprocess.run([sys.executable, "-c", script], env=env, timeout=60, check=True)
    assert not list(quiet.iterdir()) and len(list(tmp_path.glob("*.json"))) == 1


def test_the_soak_report_holds_the_windows(
        bench_module: Callable[[str], ModuleType], windows: ModuleType,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``main`` takes a mark before the first request and at each progress line, and the
    report prints the table under the CPU windows (no server: the run and the marks are
    given)."""
    soak = bench_module("soak")
    samples = [soak.Sample(10.0, True) for _ in range(4000)]
    taken: list[int] = []

    class Gateway:
        ready_s = 0.1

        def rss_mb(self) -> float:
            return 200.0

        def cpu_s(self) -> float:
            return 0.0015 * (taken[-1] if taken else 0)

        def store_file(self) -> None:
            return None

        def stop(self) -> None:
            pass

    def counters(router: object, upstream: object, folder: object) -> Callable[[int], object]:
        def take(done: int) -> object:
            taken.append(done)
            return _mark(windows, done)
        return take

    async def drive(router: object, requests: int, concurrency: int, progress: Callable,
                    **kwargs: object) -> object:
        for done in range(1000, requests + 1, 1000):
            progress(done, soak.Run(samples[:done], 1.0))
        return soak.Run(samples, 40.0)

    monkeypatch.setattr(soak, "start_upstream", Gateway)
    monkeypatch.setattr(soak, "start_router", lambda *a, **k: Gateway())
    monkeypatch.setattr(soak, "_counters", counters)
    calibrations: list[str] = []

    class Calibration:
        def kill(self) -> None:
            calibrations.append("stopped")

        def wait(self) -> None:
            pass

    def calibrate(path: Path) -> Calibration:
        """The units a calibration process would have written: one a window (``_mark``'s
        windows span 10 s each)."""
        path.write_text("".join(f"{at:.4f} 1.1000\n" for at in (5.0, 15.0, 25.0, 35.0)))
        return Calibration()

    monkeypatch.setattr(soak.soak_windows, "start_calibration", calibrate)
    monkeypatch.setattr(soak, "drive", drive)
    monkeypatch.setattr("sys.argv", ["soak.py", "--requests", "4000", "--out", str(tmp_path)])
    assert soak.main() == 0
    assert taken == [0, 1000, 2000, 3000, 4000]
    report = next(tmp_path.glob("soak-*.md")).read_text()
    assert ("the medians of the first 2 windows -> the last 2's): CPU ms a request 1.50 -> "
            "1.50;") in report
    assert "| 4,000 | 1.50 | 0.15 | 1.00 | 1.100 | 0.50 | 0.00 | 1.0 | 100.0 | 25 | 1 | 15 |" \
        in report
    assert calibrations == ["stopped"]
    assert report.index("Router tree CPU a request") < report.index("What each window cost") \
        < report.index("Drift (the median")


def test_the_calibration_process_writes_a_unit_a_line(windows: ModuleType, tmp_path: Path) -> None:
    """``start_calibration`` runs the fixed unit in a process of its own, a line each (its
    start on the monotonic clock the marks read, its CPU ms); ``read_units`` reads them
    back, and nothing from a file that is not there."""
    path = tmp_path / "units.txt"
    before = time.monotonic()
    proc = windows.start_calibration(path)
    try:
        deadline = time.monotonic() + 60
        while len(windows.read_units(path)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
    units = windows.read_units(path)
    assert len(units) >= 3
    assert all(before <= at <= time.monotonic() and ms > 0 for at, ms in units)
    assert windows.read_units(tmp_path / "none.txt") == [] and windows.read_units(None) == []
