"""What the hop from the event loop to a worker thread and back costs, by mechanism.

    .venv/bin/python bench/thread_hop.py [--hops 2000] [--rounds 5]

Every storage call the router makes leaves the event loop for a worker thread
(``anyio.to_thread.run_sync``) and comes back. This times that round trip for a
function that does nothing, three ways, alternated in rounds: anyio's worker threads (what
the router uses), ``loop.run_in_executor`` with a ``ThreadPoolExecutor`` (the context
copied, as anyio does), and one dedicated thread fed through a ``SimpleQueue`` (which
would serialise every storage call). Prints the median wall time per hop of each round
and the process CPU per hop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import os
import queue
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread


def _nothing() -> int:
    return 1


class _Dedicated:
    """One thread running what it is handed, in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            future, context, work = self._queue.get()
            result = context.run(work)
            self._loop.call_soon_threadsafe(future.set_result, result)

    async def call(self, work: Callable[[], Any]) -> Any:
        future = self._loop.create_future()
        self._queue.put((future, contextvars.copy_context(), work))
        return await future


async def _rounds(hops: int, rounds: int) -> None:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=40)
    dedicated = _Dedicated(loop)
    arms: dict[str, Callable[[], Awaitable[Any]]] = {
        "anyio.to_thread.run_sync": lambda: anyio.to_thread.run_sync(_nothing),
        "loop.run_in_executor": lambda: loop.run_in_executor(
            pool, contextvars.copy_context().run, _nothing),
        "one dedicated thread": lambda: dedicated.call(_nothing),
    }
    wall: dict[str, list[float]] = {name: [] for name in arms}
    cpu: dict[str, list[float]] = {name: [] for name in arms}
    for _ in range(rounds):
        for name, hop in arms.items():
            for _ in range(50):
                await hop()
            times = []
            started = time.process_time()
            for _ in range(hops):
                began = time.perf_counter()
                await hop()
                times.append(time.perf_counter() - began)
            cpu[name].append((time.process_time() - started) / hops * 1e6)
            wall[name].append(statistics.median(times) * 1e6)
    for name in arms:
        print(f"{name:26s} wall per hop, median of each round (us): "
              f"{' '.join(f'{w:.0f}' for w in wall[name])}; process CPU per hop "
              f"{statistics.median(cpu[name]):.0f} us")
    print(f"load average {os.getloadavg()[0]:.1f}")
    pool.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hops", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(_rounds(args.hops, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
