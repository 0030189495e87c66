"""Child processes of the local tools (simulator, router): start-up line and stop.

``serve``, ``demo`` and the tests all start a child that prints one ready line, and
all stop it by PID; this is the one implementation of both.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO

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
