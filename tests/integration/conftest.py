"""Real servers on 127.0.0.1 for integration tests: moto, the simulator, the router.

Each server is bounded in time and stopped in its fixture's finaliser; the simulator
and the router run as child processes and are stopped by PID. A run that leaves a pipe,
socket or session unclosed fails (ResourceWarning: tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.settings import RouterSettings
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger
from llm_router_local.aws import (
    LOCAL_CREDENTIALS,
    create_resources,
    find_template,
    start_embedded_aws,
)
from llm_router_local.processes import stop_process, wait_for_line
from llm_router_local.simulated import SimulatorProcess

from .openai_clients import close_all

TENANT = "acme"
# How long `serve` may take to say it listens before the test calls it hung: a guard,
# not a speed check (``wait_for_line`` returns at the line, or at once when the process
# exits). Start-up is about 1.6 s of CPU, 2-3 s of wall time on a quiet machine, 9 s at
# nice 15 beside two busy loops (load 8.5), and it took over 60 s at load 13.
ROUTER_STARTUP_S = 600
@pytest.fixture(autouse=True)
def close_openai_clients() -> Iterator[None]:
    """Closes the openai clients the test made (``openai_clients.openai_client``)."""
    yield
    close_all()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    aws = start_embedded_aws()
    yield aws.endpoint_url
    aws.stop()


@dataclass
class Storage:
    settings: RouterSettings
    client: object

    @property
    def ledger(self) -> DynamoLedger:
        return DynamoLedger(self.client, self.settings.ledger_table, self.settings.counters_table)

    def ledger_item(self, request_id: str, tenant: str = TENANT,
                    timeout_s: float = 5.0) -> dict[str, Any]:
        """The request's one ledger item. A stream settles after its last byte, so this
        polls briefly; two items for one request id fail the test."""
        deadline = time.monotonic() + timeout_s
        while True:
            items = [e for e in self.ledger.entries(tenant, limit=1000)
                     if e["request_id"] == request_id]
            if items or time.monotonic() > deadline:
                assert len(items) == 1, f"expected one ledger item for {request_id}: {items}"
                return items[0]
            time.sleep(0.05)

    def add_key(self, plaintext: str, tenant: str = TENANT, *, admin: bool = False) -> None:
        key_hash = hash_key(plaintext)
        DynamoKeyStore(self.client, self.settings.keys_table).put(
            ApiKey(key_hash, key_id_of(key_hash), tenant, "2026-01-01T00:00:00+00:00",
                   admin=admin)
        )

    def env(self) -> dict[str, str]:
        s = self.settings
        return {
            "LLM_ROUTER_AWS_ENDPOINT_URL": s.aws_endpoint_url or "",
            "LLM_ROUTER_KEYS_TABLE": s.keys_table,
            "LLM_ROUTER_LEDGER_TABLE": s.ledger_table,
            "LLM_ROUTER_COUNTERS_TABLE": s.counters_table,
            "LLM_ROUTER_CACHE_TABLE": s.cache_table,
            "LLM_ROUTER_REGION": s.region,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
        }


@pytest.fixture(scope="module")
def storage(moto_url: str) -> Storage:
    """Fresh tables (unique names) in the session's moto server, for one test module."""
    suffix = uuid.uuid4().hex[:8]
    settings = RouterSettings(
        aws_endpoint_url=moto_url,
        keys_table=f"keys-{suffix}",
        ledger_table=f"ledger-{suffix}",
        counters_table=f"counters-{suffix}",
        cache_table=f"cache-{suffix}",
    )
    create_resources(settings, find_template())
    client = boto3.client("dynamodb", endpoint_url=moto_url, region_name=settings.region,
                          **LOCAL_CREDENTIALS)
    return Storage(settings, client)


def sim_catalog(sim_url: str, *, timeout_s: float = 5.0, max_body_bytes: int = 65536) -> str:
    """A catalog with one provider per wire format, all served by the simulator (Bedrock
    through boto3, signed with the fake credentials of ``Storage.env``)."""
    return textwrap.dedent(f"""
        providers:
          simopenai:
            kind: openai
            base_url: {sim_url}/simopenai/v1
            api_key: sim-key
            timeout_s: {timeout_s}
          simanthropic:
            kind: anthropic
            base_url: {sim_url}/simanthropic
            api_key: sim-key
            timeout_s: {timeout_s}
          simgemini:
            kind: gemini
            base_url: {sim_url}/simgemini/v1beta
            api_key: sim-key
            timeout_s: {timeout_s}
          simbedrock:
            kind: bedrock
            region: us-east-1
            endpoint_url: {sim_url}/simbedrock
            timeout_s: {timeout_s}
          nokey:
            kind: openai
            base_url: {sim_url}/nokey/v1
            api_key: ${{LLM_ROUTER_TEST_UNSET_KEY}}
        models:
          small-model:
            provider: simopenai
            upstream_model: up-small
            input_per_mtok: 0.15
            output_per_mtok: 0.60
            cached_input_per_mtok: 0.075
            tiers: [simple, moderate]
          claude-test:
            provider: simanthropic
            upstream_model: claude-up
            input_per_mtok: 3.00
            output_per_mtok: 15.00
            tiers: [complex, reasoning]
          gemini-test:
            provider: simgemini
            upstream_model: gemini-up
            input_per_mtok: 0.10
            output_per_mtok: 0.40
            tiers: [simple]
          bedrock-test:
            provider: simbedrock
            upstream_model: "{{geo}}.amazon.nova-micro-v1:0"
            input_per_mtok: 0.035
            output_per_mtok: 0.14
            cached_input_per_mtok: 0.00875
          orphan-model:
            provider: nokey
            input_per_mtok: 1
            output_per_mtok: 1
        limits:
          max_body_bytes: {max_body_bytes}
    """)


@dataclass
class RouterProcess:
    url: str
    process: subprocess.Popen[str]
    output: list[str]

    @property
    def pid(self) -> int:
        return self.process.pid


def start_router(config: Path, env: dict[str, str], *, dev_key: str | None = None,
                 serve_args: Sequence[str] = ()) -> RouterProcess:
    cmd = [sys.executable, "-m", "llm_router_local.cli", "serve", "--config", str(config),
           "--port", "0", "--simulate", "off", *serve_args]
    if dev_key:
        cmd += ["--dev-key", dev_key]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"})
    output: list[str] = []
    line = wait_for_line(proc, "llm-router listening on ", ROUTER_STARTUP_S,
                         on_line=output.append)
    return RouterProcess(line.split("listening on ", 1)[1].strip(), proc, output)


@pytest.fixture(scope="module")
def router(
    tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess, storage: Storage
) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("router") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url, timeout_s=1.5))
    storage.add_key("sk-test-acme")
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)
