"""The command-line contract: keys create, serve with the DESIGN.md minimal file, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from llm_router.keys import hash_key
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.processes import stop_process

from .conftest import Storage, start_router

pytestmark = pytest.mark.integration
DESIGN_MINIMAL = (Path(__file__).parents[1] / "data" / "design_minimal.yaml").read_text()


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "llm_router_local.cli", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_keys_create_prints_the_key_once_and_stores_only_its_hash(storage: Storage) -> None:
    done = cli("keys", "create", "--tenant", "acme-2", "--rpm", "60",
               "--daily-budget-usd", "12.5", env=storage.env())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["api_key"].startswith("sk-lr-") and out["tenant"] == "acme-2"
    stored = DynamoKeyStore(storage.client, storage.settings.keys_table).get(
        hash_key(out["api_key"]))
    assert stored is not None and stored.rpm == 60 and str(stored.daily_budget_usd) == "12.5"
    raw = storage.client.scan(TableName=storage.settings.keys_table)["Items"]
    assert out["api_key"] not in json.dumps(raw)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "bad tenant!"], "invalid tenant"),
        (["--tenant", "ok", "--rpm", "0"], "--rpm"),
        (["--tenant", "ok", "--daily-budget-usd", "lots"], "must be a number"),
        (["--tenant", "ok", "--daily-budget-usd", "-3"], "positive"),
    ],
)
def test_keys_create_bad_input_is_one_line_and_nonzero(
    storage: Storage, args: list[str], message: str
) -> None:
    done = cli("keys", "create", *args, env=storage.env())
    assert done.returncode != 0
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_serve_accepts_the_design_minimal_file(tmp_path, storage: Storage) -> None:
    config = tmp_path / "minimal.yaml"
    config.write_text(DESIGN_MINIMAL)
    router = start_router(config, storage.env(), dev_key="sk-dev-minimal")
    try:
        health = httpx.get(f"{router.url}/health", timeout=5,
                           headers={"authorization": "Bearer sk-dev-minimal"})
        assert health.json()["mode"] == "live"
        models = httpx.get(f"{router.url}/v1/models", timeout=5,
                           headers={"authorization": "Bearer sk-dev-minimal"}).json()
        assert {m["id"] for m in models["data"]} == {"small-model", "large-model"}
        # serve's dev key is its admin key: it (only) reads the API description.
        assert httpx.get(f"{router.url}/openapi.json", timeout=5).status_code == 404
        schema = httpx.get(f"{router.url}/openapi.json", timeout=5,
                           headers={"authorization": "Bearer sk-dev-minimal"}).json()
        assert "ChatRequest" in schema["components"]["schemas"]
    finally:
        stop_process(router.process)


def test_serve_with_a_broken_config_fails_with_one_line(tmp_path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("models:\n  m: {provider: ghost, input_per_mtok: 1, output_per_mtok: 1}\n")
    done = cli("serve", "--config", str(config), "--port", "0")
    assert done.returncode == 2
    assert "names provider 'ghost'" in done.stderr


def test_demo_names_its_key_by_its_id_when_serve_fails(tmp_path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("models:\n  m: {provider: ghost, input_per_mtok: 1, output_per_mtok: 1}\n")
    done = cli("demo", "--config", str(config))
    assert done.returncode == 2
    [error] = done.stderr.splitlines()[-1:]
    assert error.startswith("llm-router demo: error: ") and "names provider 'ghost'" in error
    assert "sk-lr-demo-" not in done.stdout + done.stderr
    assert "'--dev-key', 'key_" in error


def test_demo_runs_end_to_end_and_stops_everything() -> None:
    env = {k: "" for k in os.environ if k.endswith("_API_KEY")}  # force the simulator
    done = cli("demo", env=env, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert "SIMULATED mode" in out
    assert "ledger: 11 requests booked" in out and "(1 failed)" in out
    assert " exact " in out and " semantic " in out  # the repeat and the paraphrase
    assert "cache: 1 exact and 1 semantic hits, 9 misses; not for want of a match: none" in out
    assert " simple " in out and " reasoning " in out  # the two model="auto" questions
    for provider in ("openai", "anthropic", "gemini", "groq"):
        assert f" {provider} " in out
    assert "HTTP 404" in out
