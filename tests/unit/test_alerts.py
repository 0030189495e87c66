from decimal import Decimal

import pytest

from llm_router.alerts import DEFAULT_RULES, AlertRule, evaluate, parse_rules
from llm_router.errors import ConfigError

ROLLUP = {
    "big": {"gpt-4o": {"requests": 30, "errors": 3, "cost_usd": Decimal("80.5"),
                       "prompt_tokens": 1000, "completion_tokens": 500},
            "gpt-4o-mini": {"requests": 10, "errors": 0, "cost_usd": Decimal("0.25")}},
    "small": {"gpt-4o-mini": {"requests": 5, "errors": 5, "cost_usd": Decimal("0.01")}},
}


def test_cost_rule_sums_models_per_tenant() -> None:
    rules = (AlertRule(name="cost", metric="cost_usd", threshold=Decimal(80)),)
    alerts = evaluate(rules, "2026-11-22", ROLLUP)
    assert [(a.tenant_id, a.value) for a in alerts] == [("big", Decimal("80.75"))]
    assert "over 80" in alerts[0].text


def test_error_rate_waits_for_min_requests() -> None:
    rules = (AlertRule(name="err", metric="error_rate", threshold=Decimal("0.05"),
                       min_requests=20),)
    alerts = evaluate(rules, "d", ROLLUP)
    # "small" failed 5/5 but has too few requests to judge; "big" is 3/40 = 7.5%.
    assert [(a.tenant_id, a.value) for a in alerts] == [("big", Decimal("0.075"))]
    assert "7.50%" in alerts[0].text


def test_threshold_is_strict() -> None:
    rules = (AlertRule(name="req", metric="requests", threshold=Decimal(40)),)
    assert evaluate(rules, "d", ROLLUP) == []


def test_parse_rules_defaults_and_errors() -> None:
    assert parse_rules({}) == DEFAULT_RULES
    rules = parse_rules({"rules": [{"name": "t", "metric": "tokens", "threshold": 10}]})
    assert rules[0].metric == "tokens"
    with pytest.raises(ConfigError):
        parse_rules({"rules": [{"name": "t", "metric": "vibes", "threshold": 1}]})
