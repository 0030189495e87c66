"""bench/thread_sampler.py: samples of running threads only, and their report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def sampler(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("thread_sampler")


def spin_for_the_sampler(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def block_for_the_sampler(event: threading.Event) -> None:
    event.wait()


def test_a_busy_thread_is_sampled_and_a_blocked_one_is_not(sampler: ModuleType) -> None:
    blocked = threading.Event()
    idle = threading.Thread(target=block_for_the_sampler, args=(blocked,))
    busy = threading.Thread(target=spin_for_the_sampler, args=(0.4,))
    idle.start()
    time.sleep(0.05)  # blocked on the event before the first sample
    with sampler.Sampler(0.002) as s:
        busy.start()
        busy.join()
    blocked.set()
    idle.join()
    names = dict(s.inclusive)
    assert any(n.endswith(":spin_for_the_sampler") for n in names)
    assert not any(n.endswith(":block_for_the_sampler") for n in names)  # blocked throughout
    report = sampler.report(s.result(0.4), 5)
    assert report.startswith(f"{s.samples} samples, 0.4 s CPU") and "-- self" in report
