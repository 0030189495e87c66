"""`llm-router alerts check` and the checker against moto and a Slack webhook on 127.0.0.1.

The webhook receiver is a thread in this process, shut down by its fixture; the CLI runs
as a child process with LLM_ROUTER_AWS_ENDPOINT_URL pointing at the session's moto.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import httpx
import pytest

from llm_router.alerting.wiring import build_checker
from llm_router.ledger import LedgerEntry
from llm_router.settings import AlertSettings
from llm_router_local.aws import LOCAL_CREDENTIALS, create_resources, find_template
from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage, sim_catalog, start_router
from .test_handlers import ROOT, load_handler_module

pytestmark = pytest.mark.integration

QUIET = ("daily_cost_usd: null, error_rate: null, p95_latency_ms: null, "
         "free_tier_used: null, circuit_open: false")


@dataclass
class Hook:
    url: str
    received: list[dict] = field(default_factory=list)
    # Statuses to answer, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)


@pytest.fixture
def slack() -> Iterator[Hook]:
    hook = Hook("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["content-length"])
            body = json.loads(self.rfile.read(length))
            status = hook.script.pop(0) if hook.script else 200
            if status == 200:
                hook.received.append(body)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()  # shutdown() stops the loop; this closes the listening socket
    thread.join(timeout=5)


@pytest.fixture
def fresh(storage: Storage) -> Storage:
    """Tables of this test's own: alert state must not carry over between tests."""
    suffix = uuid.uuid4().hex[:8]
    settings = storage.settings.model_copy(update={
        "keys_table": f"keys-{suffix}", "ledger_table": f"ledger-{suffix}",
        "counters_table": f"counters-{suffix}", "cache_table": f"cache-{suffix}"})
    create_resources(settings, find_template())
    return Storage(settings, storage.client)


def book(storage: Storage, tenant: str, request_id: str, cost: str, at: datetime,
         **kw) -> None:
    assert storage.ledger.record(LedgerEntry(
        request_id=request_id, tenant_id=tenant, key_id="k", started_at=at,
        requested_model="m", success=True, status=200, latency_ms=1, model="m",
        cost_usd=Decimal(cost), **kw))


def alerts_check(storage: Storage, config: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "alerts", "check", "--config", str(config)],
        capture_output=True, text=True, timeout=120, env={**storage.env(), "PATH": ""})
    assert result.returncode in (0, 1), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_spike_fires_once_then_resolves(fresh: Storage, slack: Hook, tmp_path: Path) -> None:
    fresh.add_key("sk-spiky", tenant="spiky")
    now = datetime.now(UTC)
    for back in range(1, 8):  # a week at $1 a day, then $5 today
        book(fresh, "spiky", f"req_spike_{back}", "1", now - timedelta(days=back))
    book(fresh, "spiky", "req_spike_today", "5", now)
    config = tmp_path / "catalog.yaml"
    config.write_text(f"alerts: {{{QUIET}, slack_webhook_url: {slack.url}}}\n")

    first = alerts_check(fresh, config)
    assert [(e["event"], e["rule"]) for e in first] == [("fired", "spend_spike")]
    assert first[0]["channels"] == ["slack"] and first[0]["value"] == "5"
    assert len(slack.received) == 1
    assert "spend_spike: spiky" in slack.received[0]["text"]
    assert "5.0x" in slack.received[0]["text"]

    second = alerts_check(fresh, config)
    assert [e["event"] for e in second] == ["suppressed"]
    assert len(slack.received) == 1  # no second POST

    config.write_text(f"alerts: {{{QUIET}, spike_factor: 10, slack_webhook_url: {slack.url}}}\n")
    third = alerts_check(fresh, config)
    assert [(e["event"], e["rule"]) for e in third] == [("resolved", "spend_spike")]
    assert len(slack.received) == 2 and "RESOLVED" in slack.received[1]["text"]
    assert alerts_check(fresh, config) == []
    assert len(slack.received) == 2


def test_minimal_config_fires_daily_cost(fresh: Storage, slack: Hook, tmp_path: Path) -> None:
    fresh.add_key("sk-daily", tenant="daily")
    book(fresh, "daily", "req_daily_1", "0.002", datetime.now(UTC))
    config = tmp_path / "catalog.yaml"
    config.write_text(f"alerts: {{daily_cost_usd: 0.001, slack_webhook_url: {slack.url}}}\n")
    events = alerts_check(fresh, config)
    assert [(e["event"], e["rule"]) for e in events] == [("fired", "daily_cost")]
    assert "dashboard" not in slack.received[0]["text"]  # none configured


def test_an_alert_no_channel_accepted_is_retried_next_run(
    fresh: Storage, slack: Hook, tmp_path: Path, moto_url: str
) -> None:
    fresh.add_key("sk-retry", tenant="retry")
    book(fresh, "retry", "req_retry_1", "3", datetime.now(UTC))
    config = tmp_path / "catalog.yaml"
    config.write_text(f"alerts: {{{QUIET}, daily_cost_usd: 2, "
                      f"dashboard_url: https://dash.example/d}}\n")
    sns = boto3.client("sns", endpoint_url=moto_url, region_name="us-east-1",
                       **LOCAL_CREDENTIALS)
    topic = sns.create_topic(Name="alerts-retry")["TopicArn"]
    settings = AlertSettings(**fresh.settings.model_dump(exclude={"config_path"}),
                             config_path=config, slack_webhook_url=slack.url)
    slack.script = [500, 500, 500]  # every try of the first run fails
    checker = build_checker(settings)
    first = checker.run()
    assert [(e.event, e.rule) for e in first] == [("failed", "daily_cost")]
    assert "HTTP 500" in first[0].errors[0] and slack.received == []

    second = checker.run()
    assert [e.event for e in second] == ["fired"] and len(slack.received) == 1
    assert "dashboard: https://dash.example/d" in slack.received[0]["text"]

    # A channel added later gets the alert once; slack, which has it, is not asked again.
    with_sns = build_checker(settings.model_copy(update={"alerts_topic_arn": topic}))
    third = with_sns.run()
    assert [(e.event, e.channels) for e in third] == [("fired", ["sns"])]
    assert len(slack.received) == 1
    fourth = with_sns.run()
    assert [e.event for e in fourth] == ["suppressed"]


def test_serve_creates_missing_tables_at_the_endpoint(
    storage: Storage, simulator: SimulatorProcess, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    env = {**storage.env(), "LLM_ROUTER_KEYS_TABLE": f"keys-new-{suffix}",
           "LLM_ROUTER_LEDGER_TABLE": f"ledger-new-{suffix}",
           "LLM_ROUTER_COUNTERS_TABLE": f"counters-new-{suffix}",
           "LLM_ROUTER_CACHE_TABLE": f"cache-new-{suffix}"}
    config = tmp_path / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    router = start_router(config, env, dev_key="sk-new-tables")
    try:
        tables = set(storage.client.list_tables()["TableNames"])  # type: ignore[attr-defined]
        assert {f"{t}-new-{suffix}" for t in ("keys", "ledger", "counters", "cache")} <= tables
        resp = httpx.get(f"{router.url}/v1/models", timeout=10,
                         headers={"authorization": "Bearer sk-new-tables"})
        assert resp.status_code == 200  # the dev key went into the new keys table
    finally:
        stop_process(router.process)


@dataclass
class FakeLambdaContext:
    function_name: str = "alert-checker"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:alert-checker"
    aws_request_id: str = "req-alert-handler"


def test_alert_checker_function(fresh: Storage, slack: Hook, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    fresh.add_key("sk-fn", tenant="fn")
    book(fresh, "fn", "req_fn_1", "3", datetime.now(UTC))
    config = tmp_path / "catalog.yaml"
    config.write_text(textwrap.dedent(f"""
        providers:
          gratis: {{kind: openai, base_url: "http://127.0.0.1:9/v1", api_key: k,
                   free_tier: {{requests_per_day: 100}}}}
        models:
          free-model: {{provider: gratis, input_per_mtok: 0, output_per_mtok: 0}}
        alerts: {{{QUIET}, daily_cost_usd: 2, slack_webhook_url: {slack.url}}}
    """))
    mp = pytest.MonkeyPatch()
    for name, value in {**fresh.env(), "LLM_ROUTER_CONFIG_PATH": str(config),
                        "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter/test"}.items():
        mp.setenv(name, value)
    try:
        module = load_handler_module(ROOT / "functions" / "alert_checker" / "app.py")
        # Powertools configures its logging handler once per service name and keeps the
        # stream it saw then: an earlier test that loaded a handler module left it on that
        # test's captured stdout. Point it at this test's.
        module.logger.registered_handler.setStream(sys.stdout)
        result = module.handler({}, FakeLambdaContext())
    finally:
        mp.undo()
    assert result["counts"] == {"fired": 1}
    assert len(slack.received) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
             if line.startswith("{")]
    [use] = [line for line in lines if line.get("message") == "free tier use"]
    assert use["Quota"] == "gratis:dreq" and use["FreeTierUsedPct"] == 0.0
