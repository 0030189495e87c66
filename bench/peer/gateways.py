"""Starting what the benchmarks compare, each as a child process stopped by PID.

``direct`` is the upstream itself; ``router`` is ``llm-router serve`` on its embedded
default (store and all); ``litellm`` is the LiteLLM proxy from its own virtualenv, one
worker, no database. Each ``Gateway`` knows its base URL, its key, the model name to
send, when it became ready and its process tree's memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from llm_router_local.processes import stop_process, wait_for_line

ROOT = Path(__file__).resolve().parents[2]
LITELLM = ROOT / ".venv-litellm" / "bin" / "litellm"
KEY = "sk-bench-gateway"
MODEL = "bench-model"
READY_TIMEOUT_S = 180


@dataclass
class Gateway:
    name: str
    url: str  # OpenAI base URL, ending in /v1
    process: subprocess.Popen[str]
    ready_s: float
    model: str = MODEL
    key: str = KEY
    temp: list[tempfile.TemporaryDirectory[str]] = field(default_factory=list)

    def rss_mb(self) -> float:
        return tree_rss_mb(self.process.pid)

    def cpu_s(self) -> float:
        return tree_cpu_s(self.process.pid)

    def store_file(self) -> Path | None:
        """The SQLite file of the embedded store in this gateway's process tree (None:
        none open), read from the members' open files in ``/proc``."""
        for member in sorted(family(self.process.pid)):
            try:
                targets = [os.readlink(f"/proc/{member}/fd/{fd}")
                           for fd in os.listdir(f"/proc/{member}/fd")]
            except OSError:
                continue
            for target in targets:
                if target.endswith(".sqlite3"):
                    return Path(target)
        return None

    def stop(self) -> None:
        stop_process(self.process, timeout_s=15)
        for folder in self.temp:
            folder.cleanup()


def family(pid: int) -> set[int]:
    """``pid`` and all its descendants."""
    members, grew = {pid}, True
    while grew:
        grew = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in members:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent in members:
                members.add(int(entry))
                grew = True
    return members


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB."""
    total_kb = 0
    for member in family(pid):
        try:
            with open(f"/proc/{member}/status") as f:
                total_kb += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        except (OSError, StopIteration):
            continue
    return total_kb / 1024


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` and its living descendants have used: what a
    stretch of requests cost the process tree, whatever else loads the machine."""
    ticks = 0
    for member in family(pid):
        try:
            with open(f"/proc/{member}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def start_upstream() -> Gateway:
    started = time.perf_counter()
    proc = _spawn([sys.executable, str(Path(__file__).with_name("upstream.py")), "--port", "0"])
    line = wait_for_line(proc, "listening on ", READY_TIMEOUT_S)
    url = line.rsplit(" ", 1)[1].strip()
    return Gateway("direct", url + "/v1", proc, time.perf_counter() - started,
                   model="up-model", key="upstream-key")


def start_router(upstream: Gateway, *, cache: bool = False, cache_ttl_s: int | None = None,
                 extra: str = "", serve_args: Sequence[str] = (),
                 env: dict[str, str] | None = None) -> Gateway:
    """``cache_ttl_s``: the cache's ``ttl_seconds`` (None: its default); ``extra``: YAML
    appended to the catalog (top-level keys: guards, limits); ``serve_args``: more
    ``serve`` options (``--loop asyncio``, say); ``env``: more environment for ``serve``
    (and the store it starts)."""
    ttl = "" if cache_ttl_s is None else f", ttl_seconds: {cache_ttl_s}"
    folder = tempfile.TemporaryDirectory(prefix="bench-router-")
    config = Path(folder.name) / "catalog.yaml"
    config.write_text(textwrap.dedent(f"""
        providers:
          testup: {{kind: openai, base_url: "{upstream.url}", api_key: upstream-key}}
        models:
          {MODEL}:
            provider: testup
            upstream_model: up-model
            input_per_mtok: 0.15
            output_per_mtok: 0.60
            tiers: [simple, moderate, complex, reasoning]
        cache: {{enabled: {str(cache).lower()}{ttl}}}
    """) + extra)
    started = time.perf_counter()
    proc = _spawn([sys.executable, "-m", "llm_router_local.cli", "serve", "--config", str(config),
                   "--port", "0", "--dev-key", KEY, "--simulate", "off", *serve_args], env)
    line = wait_for_line(proc, "llm-router listening on ", READY_TIMEOUT_S)
    url = line.split("listening on ", 1)[1].strip()
    _wait_healthy(f"{url}/health")
    return Gateway("llm-router", url + "/v1", proc, time.perf_counter() - started,
                   temp=[folder])


def start_litellm(upstream: Gateway, port: int) -> Gateway:
    if not LITELLM.exists():
        raise SystemExit(f"{LITELLM} is missing: `make bench-peer` installs LiteLLM there")
    folder = tempfile.TemporaryDirectory(prefix="bench-litellm-")
    config = Path(folder.name) / "litellm.yaml"
    config.write_text(textwrap.dedent(f"""
        model_list:
          - model_name: {MODEL}
            litellm_params:
              model: openai/up-model
              api_base: "{upstream.url}"
              api_key: upstream-key
        general_settings:
          master_key: {KEY}
    """))
    # Offline (the bundled cost map, no telemetry) and without a database (none named).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
                "LITELLM_LOG": "ERROR", "NO_DOCS": "True"})
    started = time.perf_counter()
    log = (Path(folder.name) / "litellm.log").open("w")  # not a pipe: nobody drains it
    proc = subprocess.Popen([str(LITELLM), "--config", str(config), "--host", "127.0.0.1",
                             "--port", str(port), "--num_workers", "1"], stdout=log,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{url}/health/liveliness", proc)
    except SystemExit as exc:
        log.close()
        tail = (Path(folder.name) / "litellm.log").read_text()[-2000:]
        folder.cleanup()
        raise SystemExit(f"{exc}\n{tail}") from None
    return Gateway("litellm", url + "/v1", proc, time.perf_counter() - started,
                   temp=[folder])


def _spawn(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})


def _wait_healthy(url: str, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited with {proc.returncode} before it was "
                             "healthy")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} not healthy within {READY_TIMEOUT_S} s")
