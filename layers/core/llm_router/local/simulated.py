"""Pointing a catalog at the provider simulator, and starting the simulator process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO

from llm_router.catalog import Catalog, ProviderConfig
from llm_router.errors import ConfigError

SIMULATOR_KEY = "sim-key"


def has_real_keys(catalog: Catalog) -> bool:
    return any(p.api_key for p in catalog.providers.values())


def simulated_catalog(catalog: Catalog, simulator_url: str) -> Catalog:
    """The same catalog with every simulatable provider served by the simulator.

    Each provider keeps its name and wire format; only its base URL and key change, so
    routing, pricing and the ledger behave exactly as with the real providers.
    """
    providers = {
        name: _simulated(p, simulator_url) if p.simulate else p
        for name, p in catalog.providers.items()
    }
    return catalog.model_copy(update={"providers": providers})


def _simulated(provider: ProviderConfig, url: str) -> ProviderConfig:
    base = f"{url.rstrip('/')}/{provider.name}"
    suffix = {"openai": "/v1", "anthropic": "", "gemini": "/v1beta"}[provider.kind]
    return provider.model_copy(update={"base_url": base + suffix, "api_key": SIMULATOR_KEY})


@dataclass
class SimulatorProcess:
    url: str
    process: subprocess.Popen[str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout_s: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout_s)


def start_simulator(*, startup_timeout_s: float = 20.0) -> SimulatorProcess:
    """Run ``llm-router simulate --port 0`` and wait for its 'listening on' line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "llm_router.cli", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + startup_timeout_s
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "listening on " in line:
            # Keep draining its output so a chatty simulator never blocks on a full pipe.
            threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
            return SimulatorProcess(line.rsplit("listening on ", 1)[1].strip(), proc)
    proc.kill()
    raise ConfigError("the provider simulator did not start (no 'listening on' line)")


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass
