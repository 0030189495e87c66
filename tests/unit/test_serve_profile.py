"""bench/serve_profile.py and bench/app_instructions.py: the pieces that run without a
server or valgrind (names of profile entries, the top table, the driver's text)."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType


def test_entries_are_named_from_their_package_whatever_the_copy(
        bench_module: Callable[[str], ModuleType]) -> None:
    short = bench_module("serve_profile")._short
    assert short("/tmp/x/core/llm_router/storage/rollups.py") == "llm_router/storage/rollups.py"
    assert short("/w/layers/core/llm_router/api/app.py") == "llm_router/api/app.py"
    assert short("/w/local/llm_router_local/one_send.py") == "llm_router_local/one_send.py"
    assert short("/v/.venv/lib/python3.11/site-packages/botocore/hooks.py") == "botocore/hooks.py"
    assert short("/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/streams.py") == (
        "asyncio/streams.py")
    assert short("~") == "~"


def test_top_entries_are_per_request_and_by_own_time(
        bench_module: Callable[[str], ModuleType]) -> None:
    top_entries = bench_module("serve_profile").top_entries

    def busy() -> int:
        return sum(i * i for i in range(20000))

    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    for _ in range(4):
        busy()
    profile.disable()
    rows = top_entries(pstats.Stats(profile), 4, 3)
    assert len(rows) == 3
    assert [r["own_us_per_request"] for r in rows] == sorted(
        (r["own_us_per_request"] for r in rows), reverse=True)
    assert any(r["function"].endswith("(busy)") and r["calls_per_request"] == 1 for r in
               top_entries(pstats.Stats(profile), 4, 50))


def test_the_instruction_driver_is_python_that_waits_for_its_go(
        bench_module: Callable[[str], ModuleType]) -> None:
    text = bench_module("app_instructions")._driver(50, Path("/tmp/r"), Path("/tmp/g"))
    compile(text, "driver.py", "exec")
    assert "range(50)" in text and "'/tmp/g'" in text and "os._exit(0)" in text
