"""The gateway benchmarks run end to end, briefly (no timing assertions: numbers taken
on a shared CI machine mean nothing; `make bench-peer` and `make bench-soak` take them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
BENCH = Path(__file__).resolve().parents[2] / "bench"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
def test_peer_bench_writes_its_table(tmp_path, client: str) -> None:
    done = run("peer_bench.py", "--runs", "1", "--warmup", "2", "--c1", "10", "--c32", "40",
               "--stream", "3", "--cache", "4", "--targets", "direct,llm-router",
               "--client", client, "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = next(tmp_path.glob("peer-*.md")).read_text()
    assert "| c32 throughput (rps), p99 (ms), errors |" in report
    assert ", 0 |" in report.split("c32 throughput")[1].split("\n")[0]  # no errors
    assert "TransactWriteItems" in report  # the settle, seen in Server-Timing
    assert "run 1/1 llm-router: ready in" in done.stdout
    assert f"--client {client}`" in report
    # The cache-on rows: every repeat answered from the cache. The instance that stored
    # an answer keeps it, so a hit's one storage call is the settle that counts it.
    cache = report.split("with its cache on")[1]
    assert "| 4 of 4 miss |" in cache.split("(miss; the answer stored)")[1].split("\n")[0]
    exact = cache.split("(exact hit)")[1].split("\n")[0]
    assert "| 4 of 4 exact |" in exact and "| TransactWriteItems " in exact, exact
    assert "GetItem" not in exact, exact
    assert "of 4 semantic |" in cache.split("(semantic hit)")[1].split("\n")[0]


def test_soak_reports_first_and_last_windows(tmp_path) -> None:
    done = run("soak.py", "--requests", "40", "--concurrency", "4", "--max-drift", "1000",
               "--rss-mb", "100000", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = next(tmp_path.glob("soak-*.md")).read_text()
    assert "| p50 (ms) |" in report and "Errors: 0." in report and "PASS" in report


def test_soak_with_the_cache_answers_every_repeat_from_it(tmp_path) -> None:
    done = run("soak.py", "--cache", "--requests", "300", "--concurrency", "4",
               "--max-drift", "1000", "--rss-mb", "100000", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = next(tmp_path.glob("soak-cache-*.md")).read_text()
    last = report.split("| answered |")[1].split("\n")[0].split("|")[1]
    assert "exact" in last and "semantic" in last, report
    assert "repeats not answered from the cache: 0." in report and "PASS" in report


@pytest.mark.parametrize("stream", [False, True])
def test_request_path_marks_every_step(stream: bool) -> None:
    """The marks still hook what they wrap (uvicorn, aiohttp, botocore and the service
    are internals there): every step shows up. The script lists steps by median time, and
    neighbours a few microseconds apart (the relay's first body write and the client's
    receipt of it) swap under load, so the order is not asserted."""
    done = run("request_path.py", "--requests", "5", "--warmup", "2",
               *(["--stream"] if stream else []))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    steps = ["request_head", "handler_in", "parse_out", "admit_out", "upstream_send_in",
             "upstream_body_written", "upstream_headers_read", "upstream_phase_out",
             "first_body_written" if stream else "book_on_loop_in",
             "client_answered" if stream else "storage_reply_in"]
    names = [line.split()[0] for line in done.stdout.splitlines() if line.startswith("  ")]
    assert sorted(n for n in names if n in steps) == sorted(steps), done.stdout
    assert "client's wait, p50 ms: router" in done.stdout
