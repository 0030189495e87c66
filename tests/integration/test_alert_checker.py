"""The alert checker against moto (DynamoDB, SNS) and a Slack webhook on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from llm_router.alerting.wiring import build_checker
from llm_router.ledger import LedgerEntry
from llm_router.local.aws import LOCAL_CREDENTIALS
from llm_router.settings import AlertSettings

from .conftest import Storage

pytestmark = pytest.mark.integration


@pytest.fixture
def slack() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["content-length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    thread.join(timeout=5)


def test_cost_alert_is_sent_once_to_slack_and_sns(
    storage: Storage, slack, tmp_path, moto_url: str
) -> None:
    url, received = slack
    sns = boto3.client("sns", endpoint_url=moto_url, region_name="us-east-1",
                       **LOCAL_CREDENTIALS)
    topic = sns.create_topic(Name="alerts-test")["TopicArn"]
    config = tmp_path / "catalog.yaml"
    config.write_text("alerts:\n  rules:\n    - {name: daily-cost, metric: cost_usd, "
                      "threshold: 1}\n")
    storage.add_key("sk-alerts", tenant="spender")
    storage.add_key("sk-frugal", tenant="frugal")
    today = datetime.now(UTC)
    for i, (tenant, cost) in enumerate([("spender", "0.75"), ("spender", "0.5"),
                                        ("frugal", "0.1")]):
        storage.ledger.record(LedgerEntry(
            request_id=f"req_alert_{i}", tenant_id=tenant, key_id="k", started_at=today,
            requested_model="m", success=True, status=200, latency_ms=1, model="m",
            cost_usd=Decimal(cost)))
    settings = AlertSettings(
        **storage.settings.model_dump(exclude={"config_path"}),
        config_path=config, alerts_topic_arn=topic, slack_webhook_url=url,
    )
    checker = build_checker(settings)
    day = today.strftime("%Y-%m-%d")

    first = checker.run(day)
    assert first.alerts == ["daily-cost/spender"]
    assert sorted(first.sent) == ["daily-cost/spender->slack", "daily-cost/spender->sns"]
    assert len(received) == 1 and "spender" in received[0]["text"]
    assert "1.25" in received[0]["text"]

    second = checker.run(day)  # the next 5-minute run: same alert, not sent again
    assert second.duplicates == ["daily-cost/spender"] and second.sent == []
    assert len(received) == 1
