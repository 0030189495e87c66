"""Fixtures shared by every test directory, and the gate every run passes: a green run
that left a pipe, socket or session unclosed (a ResourceWarning) fails."""

from __future__ import annotations

import gc
import importlib
import os
import warnings

# One BLAS thread, before numpy loads (as the CLI and the benchmark function set it): with
# OpenBLAS's spinning workers, concurrent in-process requests embedded ~30x slower.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402
from llm_router.errors import ConfigError  # noqa: E402
from llm_router_local.simulated import SimulatorProcess, start_simulator  # noqa: E402

# Hypothesis's per-example deadline (200 ms) is a timing assertion: speed targets live in bench/,
# and on a loaded machine test_money_properties' first property failed it once (session 27).
hypothesis_settings.register_profile("llm-router", deadline=None)
hypothesis_settings.load_profile("llm-router")


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorProcess]:
    """``llm-router simulate --port 0`` as a child process (``.url``, ``.pid``), stopped by
    PID at the end of the session, the same way ``llm-router serve`` starts it.

    Its ``/_sim`` state is shared by the session: tests that arm faults use their own
    provider names (the path segment), so they never disturb each other.
    """
    proc = start_simulator()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session", autouse=True)
def _vendored_tiktoken() -> Iterator[None]:
    """Token counting in tests uses the BPE files shipped in the layer, never a download
    and never another cache directory the environment may name."""
    import os

    from llm_router.tokens import use_vendored_encodings

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TIKTOKEN_CACHE_DIR", raising=False)
        use_vendored_encodings(os.environ)
        yield


@pytest.fixture(scope="session")
def bench_module() -> Callable[[str], ModuleType]:
    """Imports a ``bench/`` script by name: its siblings import one another bare, so
    ``bench/`` is on ``sys.path`` while it loads (and taken off after)."""
    bench = Path(__file__).resolve().parents[1] / "bench"

    def load(name: str) -> ModuleType:
        with pytest.MonkeyPatch.context() as patch:
            patch.syspath_prepend(str(bench))
            return importlib.import_module(name)

    return load


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    """The layer's MiniLM embedder, loaded once for every test that needs real vectors."""
    try:
        return MiniLMEmbedder.load()
    except ConfigError as exc:
        pytest.fail(f"{exc} (the unit target depends on `make data`)")


# Every ResourceWarning of the run (pyproject shows them all: "always"), by test.
_unclosed: list[str] = []


def pytest_warning_recorded(warning_message: warnings.WarningMessage, when: str,
                            nodeid: str, location: Any) -> None:
    if issubclass(warning_message.category, ResourceWarning):
        _unclosed.append(f"{nodeid or when}: {warning_message.message}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails a green run that left anything unclosed; a collection now catches what
    only a reference cycle still held."""
    with warnings.catch_warnings(record=True) as late:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    _unclosed.extend(f"after the last test: {w.message}" for w in late
                     if issubclass(w.category, ResourceWarning))
    if _unclosed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _unclosed:
        terminalreporter.section("ResourceWarning: left unclosed (must be none)")
        for line in _unclosed:
            terminalreporter.write_line(line)
