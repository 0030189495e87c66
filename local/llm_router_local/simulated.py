"""Starting the provider simulator as a process (``simulator.catalog`` points a catalog
at it)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from llm_router_local.processes import spawn, stop_process, wait_for_line
from llm_router_local.simulator.catalog import (  # noqa: F401  (re-exported: serve, the CLI)
    SIMULATOR_KEY,
    has_real_keys,
    simulated_catalog,
)


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
    proc = spawn([sys.executable, "-m", "llm_router_local.cli", "simulate", "--port", "0"],
                 {**os.environ, "PYTHONUNBUFFERED": "1"})
    line = wait_for_line(proc, "listening on ", startup_timeout_s)
    return SimulatorProcess(line.rsplit("listening on ", 1)[1].strip(), proc)
