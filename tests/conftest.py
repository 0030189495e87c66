"""Fixtures shared by every test directory."""

from __future__ import annotations

import os

# One BLAS thread, before numpy loads (as the CLI and the benchmark function set it): with
# OpenBLAS's spinning workers, concurrent in-process requests embedded ~30x slower.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402
from llm_router.errors import ConfigError  # noqa: E402
from llm_router_local.simulated import SimulatorProcess, start_simulator  # noqa: E402


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
def minilm() -> MiniLMEmbedder:
    """The layer's MiniLM embedder, loaded once for every test that needs real vectors."""
    try:
        return MiniLMEmbedder.load()
    except ConfigError as exc:
        pytest.fail(f"{exc} (the unit target depends on `make data`)")
