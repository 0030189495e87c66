"""GET /v1/analytics/* on a router process against moto and the simulator: totals equal
the ledger's exactly, tenant scoping, and `llm-router analytics` printing the same."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from llm_router.ledger import now_utc
from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, sim_catalog, start_router

pytestmark = pytest.mark.integration

KEYS = {"sk-an-a": "an-a", "sk-an-b": "an-b", "sk-an-ops": "an-ops"}


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("analytics") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url) + "analytics:\n  admin_tenants: [an-ops]\n"
                      "rollups:\n  shards: 3\n")
    for key, tenant in KEYS.items():
        storage.add_key(key, tenant=tenant)
    proc = start_router(config, storage.env())
    traffic(proc.url)
    yield proc
    stop_process(proc.process)


def traffic(url: str) -> None:
    plan = [("sk-an-a", "small-model", 3), ("sk-an-a", "gemini-test", 2),
            ("sk-an-a", "no-such-model", 1), ("sk-an-b", "claude-test", 2)]
    with httpx.Client(base_url=url, timeout=30) as c:
        for key, model, n in plan:
            for i in range(n):
                c.post("/v1/chat/completions", headers={"authorization": f"Bearer {key}"},
                       json={"model": model, "max_tokens": 40, "messages": [
                           {"role": "user", "content": f"analytics {model} {i}"}]})


def get(router: RouterProcess, path: str, key: str, **params: str) -> httpx.Response:
    return httpx.get(f"{router.url}{path}", params=params, timeout=30,
                     headers={"authorization": f"Bearer {key}"})


def ledger_totals(storage: Storage, tenant: str) -> dict[str, Decimal]:
    items = storage.ledger.entries(tenant, limit=1000)
    return {"requests": Decimal(len(items)),
            "cost_usd": sum((Decimal(i["cost_usd"]) for i in items), Decimal(0)),
            "prompt_tokens": sum((Decimal(i["prompt_tokens"]) for i in items), Decimal(0)),
            "errors": Decimal(sum(1 for i in items if not i["success"]))}


@pytest.mark.parametrize("group_by", ["model", "provider", "key", "tier", "day", "hour"])
def test_usage_totals_equal_the_ledger(router: RouterProcess, storage: Storage,
                                       group_by: str) -> None:
    resp = get(router, "/v1/analytics/usage", "sk-an-a", group_by=group_by)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    expected = ledger_totals(storage, "an-a")
    assert expected["requests"] == 6 and expected["errors"] == 1
    total = body["total"]
    assert Decimal(total["requests"]) == expected["requests"]
    assert Decimal(total["cost_usd"]) == expected["cost_usd"] > 0
    assert Decimal(total["prompt_tokens"]) == expected["prompt_tokens"]
    assert Decimal(total["errors"]) == expected["errors"]
    assert {r["tenant_id"] for r in body["data"]} == {"an-a"}  # only the caller's tenant
    assert sum(r["requests"] for r in body["data"]) == 6
    assert sum((Decimal(r["cost_usd"]) for r in body["data"]), Decimal(0)) == expected[
        "cost_usd"]


def test_usage_rows_by_model(router: RouterProcess) -> None:
    rows = get(router, "/v1/analytics/usage", "sk-an-a", group_by="model").json()["data"]
    by_model = {r["model"]: r for r in rows}
    assert by_model["small-model"]["requests"] == 3
    assert by_model["gemini-test"]["requests"] == 2
    assert by_model["-"]["errors_by_class"] == {"model_not_found": 1}
    assert by_model["small-model"]["p95_ms"] is not None


def test_admin_sees_every_tenant_others_only_their_own(router: RouterProcess,
                                                       storage: Storage) -> None:
    body = get(router, "/v1/analytics/usage", "sk-an-ops").json()
    tenants = {r["tenant_id"] for r in body["data"]}
    assert {"an-a", "an-b"} <= tenants
    only_b = get(router, "/v1/analytics/usage", "sk-an-ops", tenant="an-b").json()
    assert Decimal(only_b["total"]["cost_usd"]) == ledger_totals(storage, "an-b")["cost_usd"]
    refused = get(router, "/v1/analytics/usage", "sk-an-a", tenant="an-b")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    bad = get(router, "/v1/analytics/usage", "sk-an-a", group_by="colour")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "group_by"
    assert get(router, "/v1/analytics/usage", "sk-an-a", **{"from": "2026-13-01"}
               ).status_code == 400
    assert get(router, "/v1/analytics/usage", "nope").status_code == 401


def test_recommendations_are_scoped_and_shaped(router: RouterProcess) -> None:
    resp = get(router, "/v1/analytics/recommendations", "sk-an-b")
    assert resp.status_code == 200, resp.text
    reports = resp.json()["data"]
    assert [r["tenant_id"] for r in reports] == ["an-b"]
    for item in reports[0]["data"]:  # the arithmetic is tested in tests/unit
        assert Decimal(item["estimated_monthly_saving_usd"]) >= 0
        assert item["kind"] in ("cache_opportunity", "downgrade_candidate",
                                "max_tokens_waste", "unused_free_tier")


def test_cli_prints_the_same_totals(router: RouterProcess, storage: Storage,
                                    tmp_path: Path) -> None:
    config = tmp_path / "catalog.yaml"
    config.write_text("rollups: {shards: 3}\n")
    today = now_utc().strftime("%Y-%m-%d")
    result = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "analytics", "--tenant", "an-a",
         "--group-by", "provider", "--from", today, "--config", str(config),
         "--format", "jsonl"],
        capture_output=True, text=True, timeout=120, env=storage.env())
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["tenant_id"] == "TOTAL"
    assert Decimal(lines[-1]["cost_usd"]) == ledger_totals(storage, "an-a")["cost_usd"]
    table = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "analytics", "--tenant", "an-a",
         "--config", str(config), "--format", "table"],
        capture_output=True, text=True, timeout=120, env=storage.env())
    assert table.returncode == 0 and table.stdout.splitlines()[0].startswith("tenant_id")


@pytest.mark.parametrize("prompt_chars", [None, 9])
def test_serve_logs_one_line_per_request_without_text_unless_opted_in(
    tmp_path: Path, simulator: SimulatorProcess, storage: Storage, prompt_chars: int | None
) -> None:
    """By default no prompt text at all; ``LLM_ROUTER_LOG_PROMPT_CHARS=9`` logs the last
    user turn's first 9 characters, and nothing more of it."""
    config = tmp_path / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    key = f"sk-an-log-{prompt_chars}"
    storage.add_key(key, tenant="an-log")
    env = {**storage.env(), "LLM_ROUTER_REQUEST_LOG": "true",
           "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter/test"}
    if prompt_chars is not None:
        env["LLM_ROUTER_LOG_PROMPT_CHARS"] = str(prompt_chars)
    proc = start_router(config, env)
    try:
        with httpx.Client(base_url=proc.url, timeout=30) as c:
            resp = c.post("/v1/chat/completions",
                          headers={"authorization": f"Bearer {key}"},
                          json={"model": "small-model", "messages": [
                              {"role": "user", "content": "a very private question"}]})
        assert resp.status_code == 200
    finally:
        stop_process(proc.process)
    deadline = time.monotonic() + 5  # the reader thread may still be draining the pipe
    while not any('"message":"request"' in line for line in proc.output):
        assert time.monotonic() < deadline, proc.output[-5:]
        time.sleep(0.05)
    rest = "".join(proc.output)
    lines = [json.loads(line) for line in proc.output if line.startswith("{")]
    requests = [r for r in lines if r.get("message") == "request"]
    assert len(requests) == 1
    [rec] = requests
    assert rec["request_id"] == resp.headers["x-request-id"]
    assert (rec["tenant_id"], rec["model"], rec["status"]) == ("an-log", "small-model", 200)
    assert rec["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "LLMRouter/test"
    assert "private question" not in rest
    if prompt_chars is None:
        assert "prompt" not in rec and "a very" not in rest
    else:
        assert rec["prompt"] == "a very pr"
