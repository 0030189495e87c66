from decimal import Decimal

import pytest

from llm_router.alerting.config import parse_alert_config
from llm_router.alerting.rules import (
    QuotaUse,
    TenantUsage,
    circuit_findings,
    free_tier_findings,
    tenant_findings,
)
from llm_router.errors import ConfigError
from llm_router.ledger import LedgerEntry
from llm_router.rollups import increments, total
from tests.unit.test_rollups import AT


def usage(today: str = "0", month: str | None = None, trailing=("0",) * 7,
          window=()) -> TenantUsage:
    return TenantUsage("t", "2026-12-03", "2026-12", Decimal(today),
                       Decimal(month if month is not None else today),
                       tuple(Decimal(x) for x in trailing), total(window))


def requests(n: int, *, status: int = 200, latency_ms: float = 100) -> list:
    return [increments(LedgerEntry(
        request_id=f"r{i}", tenant_id="t", key_id="k", started_at=AT, requested_model="m",
        success=status < 400, status=status, latency_ms=latency_ms,
        error_code=None if status < 400 else "upstream_error")) for i in range(n)]


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


def test_daily_cost_global_and_per_tenant_override() -> None:
    config = parse_alert_config({"daily_cost_usd": 10, "tenants": {"t": {"daily_cost_usd": 1}}})
    assert rules(tenant_findings(config.for_tenant("other"), usage("5"))) == []
    found = tenant_findings(config.for_tenant("t"), usage("5"))
    assert rules(found) == ["daily_cost"]
    assert found[0].window == "2026-12-03" and "$5" in found[0].summary


def test_monthly_budget_fires_at_the_highest_level_reached() -> None:
    t = parse_alert_config({"daily_cost_usd": None, "monthly_budget_usd": 100}).for_tenant("t")
    assert rules(tenant_findings(t, usage("0", month="49"))) == []
    at_50 = tenant_findings(t, usage("0", month="50"))
    at_85 = tenant_findings(t, usage("0", month="85"))
    assert [f.window for f in at_50] == ["2026-12@0.5"]
    assert [f.window for f in at_85] == ["2026-12@0.8"]  # a new window: notified again
    assert at_50[0].key == at_85[0].key  # one alert, so 50% is not "resolved" by 80%


def test_spend_spike_needs_factor_minimum_and_a_baseline() -> None:
    t = parse_alert_config({"daily_cost_usd": None}).for_tenant("t")  # k = 2, min $1
    week = ("1",) * 7
    assert rules(tenant_findings(t, usage("2.5", trailing=week))) == ["spend_spike"]
    assert rules(tenant_findings(t, usage("1.9", trailing=week))) == []
    small = ("0.1",) * 7
    assert rules(tenant_findings(t, usage("0.9", trailing=small))) == []  # under $1
    assert rules(tenant_findings(t, usage("50"))) == []  # no history: no baseline


def test_error_rate_and_p95_over_the_window() -> None:
    t = parse_alert_config({"daily_cost_usd": None}).for_tenant("t")
    assert rules(tenant_findings(t, usage(window=requests(10, status=503)))) == []  # < 20
    failing = requests(18) + requests(2, status=503)  # 10% 5xx
    assert rules(tenant_findings(t, usage(window=failing))) == ["error_rate"]
    client_errors = requests(18) + requests(2, status=429)  # not the router failing
    assert rules(tenant_findings(t, usage(window=client_errors))) == []
    slow = requests(18) + requests(2, latency_ms=7000)  # 10% over 5 s: p95 over 5 s
    found = tenant_findings(t, usage(window=slow))
    assert rules(found) == ["p95_latency"] and found[0].window == "rolling"
    assert rules(tenant_findings(t, usage(window=requests(19) + requests(1, latency_ms=7000)))
                 ) == []  # exactly 5% slow: p95 is still in the 5 s bucket


def test_free_tier_and_circuits() -> None:
    uses = [QuotaUse("p's free tier: 100 requests per day", "p:dreq", "d#2026-12-03#req",
                     Decimal(80), Decimal(100)),
            QuotaUse("q's free tier", "q:dreq", "d#2026-12-03#req", Decimal(79), Decimal(100))]
    assert [f.subject for f in free_tier_findings(uses, 0.8)] == ["p:dreq"]
    assert free_tier_findings(uses, None) == []
    assert [f.subject for f in circuit_findings(["p#m"], True)] == ["p#m"]
    assert circuit_findings(["p#m"], False) == []


def test_config_errors_name_the_field() -> None:
    with pytest.raises(ConfigError, match="alerts.error_rate"):
        parse_alert_config({"error_rate": 2})
    with pytest.raises(ConfigError, match="daily_cost_usd"):
        parse_alert_config({"tenants": {"t": {"daily_cost_usd": -1}}})
    with pytest.raises(ConfigError, match="alerts.vibes"):
        parse_alert_config({"vibes": 1})
