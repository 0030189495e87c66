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
    size (docs/cache-history.md "Session 15")."""
    import inspect

    from llm_router_local.cli import serve

    # In a child: the setting is process-wide, and this process's tests keep glibc's.
    code = "from llm_router.heap import bound_heap; raise SystemExit(0 if bound_heap() else 1)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    first = inspect.getsource(serve._serve).split('"""')[2].strip().splitlines()[0]
    assert first.startswith("bound_heap()")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_server_and_the_lambda_handler_bound_the_arenas_before_any_thread() -> None:
    """``bound_arenas`` is accepted (in a child: the setting is process-wide), ``serve``
    asks for it in ``bound_heap`` and the Lambda handler first thing in ``lambda_init``,
    before its imports start a thread (docs/cache-history.md "Session 17")."""
    import inspect

    from llm_router import coldstart

    code = ("from llm_router.heap import bound_arenas, bound_heap\n"
            "raise SystemExit(0 if bound_arenas() and bound_heap() else 1)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    body = inspect.getsource(coldstart.lambda_init).split('"""')[2].strip().splitlines()
    assert body[0] == "bound_arenas()"


def test_elsewhere_than_glibc_the_heap_calls_do_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the C library has no ``mallopt`` (macOS, musl) the settings are not made and
    nothing fails: ``bound_arenas`` and ``bound_heap`` say False."""
    from llm_router import heap

    class NoMallopt:
        def __init__(self, name: object) -> None:
            pass

    monkeypatch.setattr(heap.ctypes, "CDLL", NoMallopt)
    assert heap.bound_arenas() is False
    assert heap.bound_heap() is False
