"""glibc's heap for a long-running server (``llm_router.heap``)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_serve_fixes_the_mmap_threshold_before_its_models_load() -> None:
    """``bound_heap`` is accepted, and ``serve`` asks for it first thing: after an
    artefact's bytes are freed at load, glibc's own threshold would have risen to their
    size (docs/semantic-cache.md "Session 15")."""
    import inspect

    from llm_router_local.cli import serve

    # In a child: the setting is process-wide, and this process's tests keep glibc's.
    code = "from llm_router.heap import bound_heap; raise SystemExit(0 if bound_heap() else 1)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    first = inspect.getsource(serve._serve).split('"""')[2].strip().splitlines()[0]
    assert first.startswith("bound_heap()")
