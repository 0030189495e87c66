"""What a hung local process is waiting on, printed on request (``kill -USR1 PID``).

Two views, because a hang is one of two kinds. Every thread's stack comes from
``faulthandler``, which writes from the C signal handler, so it works even when the
interpreter is stuck in C code and runs no Python. When the event loop is idle (an
awaited future nobody resolves), those stacks end in the loop's poll and say nothing;
the second view, written by a Python-level handler the idle loop still runs, walks each
asyncio task's chain of awaits down to the one it is parked on.
"""

from __future__ import annotations

import asyncio
import faulthandler
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

DUMP_SIGNAL = signal.SIGUSR1
TASKS_HEADER = "asyncio tasks (outermost await first):"


def dump_stacks_on(sig: signal.Signals = DUMP_SIGNAL, out: TextIO | None = None) -> None:
    """From now on ``sig`` prints every thread's stack, then every task's awaits, to
    ``out`` (stderr by default: ``spawn`` pipes it with stdout to the parent)."""
    stream = out or sys.stderr

    def tasks(signum: int, frame: FrameType | None) -> None:
        dump_tasks(stream)

    signal.signal(sig, tasks)
    # chain: after its C-level dump, faulthandler calls the handler above.
    faulthandler.register(sig, file=stream, all_threads=True, chain=True)


def dump_tasks(out: TextIO) -> None:
    """Each task of the loop running in this thread, with the frame of every coroutine
    down its await chain (``Task.print_stack`` shows only the outermost)."""
    loop = asyncio._get_running_loop()
    if loop is None:
        print("asyncio tasks: no event loop is running in the main thread", file=out,
              flush=True)
        return
    print(TASKS_HEADER, file=out)
    for task in asyncio.all_tasks(loop):
        print(f"  {task!r}", file=out)
        for frame in _awaits(task.get_coro()):
            code = frame.f_code
            print(f'    File "{code.co_filename}", line {frame.f_lineno}, in {code.co_name}',
                  file=out)
    out.flush()


def _awaits(coro: Any) -> Iterator[FrameType]:
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            yield frame
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
