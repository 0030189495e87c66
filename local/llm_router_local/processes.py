"""Child processes of the local tools (simulator, router): start-up line and stop.

``serve``, ``demo`` and the tests all start a child that prints one ready line, and
all stop it by PID; this is the one implementation of both. A child started with
``spawn`` is also stopped by the kernel if its parent dies without cleaning up
(``PR_SET_PDEATHSIG`` on Linux), and ``sigterm_exits`` turns SIGTERM into a normal
exit, so ``finally`` blocks that stop children run on SIGTERM as on Ctrl-C.

A child's output pipe has one reader, the thread ``wait_for_line`` starts, which closes
it at the end of the output; ``close_pipes`` waits for that and closes the rest.
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
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import IO, Any

from llm_router.errors import ConfigError
from llm_router.keys import hash_key, key_id_of

# The thread reading each child's output (wait_for_line), so close_pipes can wait for it.
_readers: weakref.WeakKeyDictionary[subprocess.Popen[str], threading.Thread] = (
    weakref.WeakKeyDictionary())
PIPE_DRAIN_S = 5.0
# Options whose value is an API key (``demo`` starts ``serve --dev-key`` with a fresh one):
# an error names such a key by its id, as ``keys list`` and the ledger do, never by the key.
SECRET_OPTIONS = frozenset({"--dev-key"})


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
    end so a chatty child never blocks on a full pipe, and closed there. Nothing else
    may read ``proc.stdout``: wait for the child's exit, then ``close_pipes``, and the
    last line has reached ``on_line``.
    """
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines, on_line), daemon=True)
    _readers[proc] = reader
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            ended = line is None
        except queue.Empty:
            line, ended = None, False
        if line is None:
            if ended:  # its output ended: it is exiting, so give its status time to land
                with suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            exited = proc.poll()
            stop_process(proc)
            # One line, as the CLI's errors are: a child's traceback spans several.
            tail = " / ".join(s.strip() for s in seen[-5:] if s.strip()) or "(no output)"
            what = (f"exited with status {exited}" if exited is not None
                    else f"closed its output before printing {marker!r}" if ended
                    else f"did not print {marker!r} within {timeout_s:.0f}s")
            raise ConfigError(masked(proc.args, f"{proc.args!r} {what}; last output: {tail}"))
        seen.append(line)
        if marker in line:
            return line


def masked(args: Any, text: str) -> str:
    """``text`` with the value of every ``SECRET_OPTIONS`` option of the command ``args``
    (``--dev-key KEY`` or ``--dev-key=KEY``) replaced by that key's id (``key_…``)."""
    argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else []
    secrets: list[str] = []
    for i, arg in enumerate(argv):
        option, eq, value = arg.partition("=")
        if option in SECRET_OPTIONS:
            value = value if eq else argv[i + 1] if i + 1 < len(argv) else ""
            if value:
                secrets.append(value)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, key_id_of(hash_key(secret)))
    return text


def _pump(stream: IO[str], lines: queue.Queue[str | None],
          on_line: Callable[[str], None] | None) -> None:
    with stream:
        for line in stream:
            lines.put(line)
            if on_line is not None:
                on_line(line)
    lines.put(None)


def stop_process(proc: subprocess.Popen[str], timeout_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the child has not exited within ``timeout_s``; then its
    pipes are closed (``close_pipes``)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)
    close_pipes(proc)


def close_pipes(proc: subprocess.Popen[str], timeout_s: float = PIPE_DRAIN_S) -> None:
    """For a child that has exited: waits (at most ``timeout_s``) until its reader has
    passed on the last line and closed the output pipe, then closes its stdin. An output
    pipe nobody reads is closed here; one whose reader is still blocked (a grandchild
    holds the pipe open) is left to that reader, which closes it at the end."""
    reader = _readers.get(proc)
    if reader is not None:
        reader.join(timeout_s)
    elif proc.stdout is not None:
        proc.stdout.close()
    if proc.stdin is not None:
        proc.stdin.close()


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
