import json
from datetime import UTC, datetime
from decimal import Decimal

from llm_router.ledger import LedgerEntry
from llm_router.metrics import EmfRequestMetrics


def test_one_emf_line_per_request_with_added_latency(capsys) -> None:
    entry = LedgerEntry(
        request_id="r", tenant_id="t", key_id="k", started_at=datetime.now(UTC),
        requested_model="m", success=False, status=502, latency_ms=250.0, provider="groq",
        cost_usd=Decimal("0.0015"))
    EmfRequestMetrics("LLMRouter/test").publish(entry, upstream_ms=240.0)
    line = json.loads(capsys.readouterr().out.strip())
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "LLMRouter/test"
    assert ["Provider", "service"] in directive["Dimensions"]
    assert line["Provider"] == "groq"
    assert line["Errors"] == [1.0] and line["Requests"] == [1.0]
    assert line["AddedLatencyMs"] == [10.0]
    assert line["CostUSD"] == [0.0015]
