"""Pointing a catalog at the provider simulator, and starting the simulator process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from llm_router.catalog import Catalog, ProviderConfig
from llm_router.local.processes import spawn, stop_process, wait_for_line

SIMULATOR_KEY = "sim-key"


def has_real_keys(catalog: Catalog) -> bool:
    """Any provider key, or a Bedrock provider with a region (it signs with AWS credentials)."""
    return any(p.api_key or (p.kind == "bedrock" and p.configured)
               for p in catalog.providers.values())


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
    if provider.kind == "bedrock":  # boto3 signs with whatever credentials the process has
        return provider.model_copy(update={"endpoint_url": base,
                                           "region": provider.region or "us-east-1"})
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
        stop_process(self.process, timeout_s)


def start_simulator(*, startup_timeout_s: float = 20.0) -> SimulatorProcess:
    """Run ``llm-router simulate --port 0`` and wait for its 'listening on' line."""
    proc = spawn([sys.executable, "-m", "llm_router.cli", "simulate", "--port", "0"],
                 {**os.environ, "PYTHONUNBUFFERED": "1"})
    line = wait_for_line(proc, "listening on ", startup_timeout_s)
    return SimulatorProcess(line.rsplit("listening on ", 1)[1].strip(), proc)
