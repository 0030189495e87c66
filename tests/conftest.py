"""Fixtures shared by every test directory."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

SIMULATOR_STARTUP_S = 20.0


@dataclass(frozen=True)
class RunningSimulator:
    url: str
    pid: int


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    """``llm-router simulate --port 0`` as a child process, stopped by PID at the end.

    Its ``/_sim`` state is shared by the session: tests that arm faults use their own
    provider names (the path segment), so they never disturb each other.
    """
    command = [str(Path(sys.executable).with_name("llm-router")), "simulate", "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=SIMULATOR_STARTUP_S)
    except queue.Empty:
        line = ""
    if "listening on http://" not in line:
        _stop(proc)
        pytest.fail(f"the simulator did not start (first line: {line!r})")
    try:
        yield RunningSimulator(url=line.rsplit(" ", 1)[1].strip(), pid=proc.pid)
    finally:
        _stop(proc)


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    # Keep reading so a chatty child never blocks on a full pipe.
    for line in stream:
        lines.put(line)


def _stop(proc: subprocess.Popen[str], timeout_s: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)


@pytest.fixture(scope="session", autouse=True)
def _vendored_tiktoken() -> None:
    """Token counting in tests uses the BPE files shipped in the layer, never a download."""
    import os

    from llm_router.tokens import use_vendored_encodings

    use_vendored_encodings(os.environ)
