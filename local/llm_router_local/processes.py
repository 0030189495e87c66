"""Child processes of the local tools (simulator, router): start-up line and stop.

``serve``, ``demo`` and the tests all start a child that prints one ready line, and
all stop it by PID; this is the one implementation of both. A child started with
``spawn`` is also stopped by the kernel if its parent dies without cleaning up
(``PR_SET_PDEATHSIG`` on Linux), and ``sigterm_exits`` turns SIGTERM into a normal
exit, so ``finally`` blocks that stop children run on SIGTERM as on Ctrl-C.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from llm_router.errors import ConfigError


def wait_for_line(
    proc: subprocess.Popen[str],
    marker: str,
    timeout_s: float,
    *,
    on_line: Callable[[str], None] | None = None,
) -> str:
    """The first output line containing ``marker``; later output keeps being read.

    A reader thread feeds a queue, so a child that hangs silently still times out. Every
    line (before and after the marker) goes to ``on_line``; the pipe is drained to the
    end so a chatty child never blocks on a full pipe.
    """
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines, on_line), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            line = None
        if line is None:
            exited = proc.poll()
            stop_process(proc)
            tail = "".join(seen[-5:]).strip() or "(no output)"
            what = (f"exited with status {exited}" if exited is not None
                    else f"did not print {marker!r} within {timeout_s:.0f}s")
            raise ConfigError(f"{proc.args!r} {what}; last output: {tail}")
        seen.append(line)
        if marker in line:
            return line


def _pump(stream: IO[str], lines: queue.Queue[str | None],
          on_line: Callable[[str], None] | None) -> None:
    for line in stream:
        lines.put(line)
        if on_line is not None:
            on_line(line)
    lines.put(None)


def stop_process(proc: subprocess.Popen[str], timeout_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the child has not exited within ``timeout_s``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)


PARENT_ENV = "LLM_ROUTER_PARENT_PID"


def spawn(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """An ``llm-router`` child with its output piped as text, that dies with this process
    (it calls ``die_with_parent`` as it starts)."""
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**env, PARENT_ENV: str(os.getpid())})


def die_with_parent(environ: Mapping[str, str]) -> None:
    """In a child ``spawn`` started: get SIGTERM when the parent dies (Linux), and exit
    at once if it is gone already. Set in the child, not in a ``preexec_fn``, which is
    unsafe in a parent that runs threads (the embedded moto server is one)."""
    parent = environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != int(parent):
        raise SystemExit(f"parent process {parent} is gone")


@contextmanager
def sigterm_exits() -> Iterator[None]:
    """SIGTERM raises ``SystemExit(143)`` in the main thread while this is active.

    The default action kills the process on the spot, skipping every ``finally``; and
    uvicorn, which handles SIGTERM itself while serving, re-raises it once it has shut
    down, so its caller never got to stop what it had started."""
    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
