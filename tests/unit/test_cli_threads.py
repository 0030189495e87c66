"""The CLI (``serve`` and every other command) runs numpy with one BLAS thread.

OpenBLAS reads its thread count once, when numpy loads; with more spinning worker threads
than idle cores, concurrent one-query embeddings under ``serve`` got far slower
(docs/performance.md). A fresh interpreter, without the variables (tests/conftest.py sets
them for the test process itself), records what they were at the moment numpy was first
imported, while the CLI builds its parser (which imports every sub-command's module).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# A finder that notes the BLAS variables when numpy's import starts, then steps aside.
PROBE = f"""
import json, os, sys
seen = {{}}
class Probe:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not seen:
            seen.update({{v: os.environ.get(v) for v in {VARS!r}}})
        return None
sys.meta_path.insert(0, Probe())
import llm_router_local.cli
llm_router_local.cli.build_parser()
import numpy
print(json.dumps(seen))
"""


def env_when_numpy_loaded(**overrides: str) -> dict[str, str | None]:
    env = {k: v for k, v in os.environ.items() if k not in VARS} | overrides
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, check=True, timeout=120)
    seen: dict[str, str | None] = json.loads(done.stdout.splitlines()[-1])
    return seen


def test_numpy_loads_with_one_blas_thread_under_the_cli() -> None:
    assert env_when_numpy_loaded() == dict.fromkeys(VARS, "1")


@pytest.mark.parametrize("var", VARS)
def test_an_explicit_thread_count_is_kept(var: str) -> None:
    seen = env_when_numpy_loaded(**{var: "3"})
    assert seen[var] == "3"
    assert all(seen[other] == "1" for other in VARS if other != var)
