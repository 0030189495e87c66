"""`llm-router serve` closes the provider session when uvicorn shuts down (the app's
lifespan), so a stopped server leaves no "Unclosed client session" behind. Lambda's
router runs Mangum with the lifespan off: a frozen container needs nothing closed."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest

from llm_router_local.processes import close_pipes
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage, sim_catalog, start_router

pytestmark = pytest.mark.integration
KEY = "sk-test-shutdown"


@pytest.mark.parametrize("stack", ["uvloop + httptools", "asyncio + h11"])
def test_serve_closes_the_upstream_session_on_shutdown(
    tmp_path: Path, simulator: SimulatorProcess, storage: Storage, stack: str
) -> None:
    """On the default stack (requirements/serve.txt) and on the fallback alike."""
    loop, http = stack.split(" + ")
    key = f"{KEY}-{loop}"  # the storage is the module's: one key per run
    config = tmp_path / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    storage.add_key(key)
    router = start_router(config, storage.env(), serve_args=["--loop", loop, "--http", http])
    try:
        resp = httpx.post(f"{router.url}/v1/chat/completions", timeout=20,
                          headers={"authorization": f"Bearer {key}",
                                   "content-type": "application/json"},
                          content=json.dumps({"model": "small-model", "cache": False,
                                              "messages": [{"role": "user", "content": "hi"}]}))
        assert resp.status_code == 200, resp.text  # the upstream session is open now
    finally:
        router.process.send_signal(signal.SIGTERM)
        router.process.wait(timeout=30)
        close_pipes(router.process)  # the reader has passed on its last line
    output = "".join(router.output)
    assert f"server: uvicorn on {stack}" in output
    assert router.process.returncode == 143, output  # SIGTERM, after a clean shutdown
    assert "Unclosed client session" not in output and "Unclosed connector" not in output
