"""Settings from the environment (llm_router.settings.EnvSettings): LLM_ROUTER_<FIELD> in
any case, alias choices in order, keyword arguments over both, values validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from llm_router.settings import AlertSettings, BenchmarkSettings, RouterSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith("LLM_ROUTER_") or name.upper() in (
                "AWS_REGION", "POWERTOOLS_METRICS_NAMESPACE"):
            monkeypatch.delenv(name)


def test_defaults_without_environment() -> None:
    s = RouterSettings()
    assert (s.region, s.environment, s.key_cache_ttl_s, s.request_log) == (
        "us-east-1", "prod", 60.0, False)
    assert s.config_path is None and s.metrics_namespace is None


def test_prefixed_variables_in_any_case_are_parsed_as_their_types(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROUTER_CONFIG_PATH", "/opt/catalog.yaml")
    monkeypatch.setenv("llm_router_request_log", "true")
    monkeypatch.setenv("LLM_ROUTER_Ledger_Retention_Days", "30")
    monkeypatch.setenv("LLM_ROUTER_KEY_CACHE_TTL_S", "2.5")
    monkeypatch.setenv("LLM_ROUTER_ENVIRONMENT", "dev")
    s = RouterSettings()
    assert s.config_path == Path("/opt/catalog.yaml")
    assert s.request_log is True and s.ledger_retention_days == 30
    assert s.key_cache_ttl_s == 2.5 and s.environment == "dev"


def test_alias_choices_first_set_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Powertools")
    s = RouterSettings()
    assert (s.region, s.metrics_namespace) == ("eu-west-1", "Powertools")
    monkeypatch.setenv("LLM_ROUTER_REGION", "us-west-2")
    monkeypatch.setenv("LLM_ROUTER_METRICS_NAMESPACE", "Router")
    s = RouterSettings()
    assert (s.region, s.metrics_namespace) == ("us-west-2", "Router")


def test_keyword_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROUTER_REGION", "us-west-2")
    monkeypatch.setenv("LLM_ROUTER_ENVIRONMENT", "dev")
    s = RouterSettings(region="ap-south-1", environment="prod")
    assert (s.region, s.environment) == ("ap-south-1", "prod")
    # A dump fed back (as tests and the alert checker do) keeps its values.
    assert RouterSettings(**s.model_dump()).region == "ap-south-1"


def test_bad_values_are_refused_naming_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROUTER_KEY_CACHE_TTL_S", "600")
    with pytest.raises(ValidationError, match="key_cache_ttl_s"):
        RouterSettings()
    monkeypatch.delenv("LLM_ROUTER_KEY_CACHE_TTL_S")
    monkeypatch.setenv("LLM_ROUTER_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError, match="environment"):
        RouterSettings()


def test_subclasses_read_their_own_fields_and_ignore_unknown_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_ROUTER_ALERTS_TOPIC_ARN", "arn:aws:sns:us-east-1:1:alerts")
    monkeypatch.setenv("LLM_ROUTER_BENCHMARK_REQUESTS", "20")
    monkeypatch.setenv("LLM_ROUTER_NOT_A_SETTING", "x")
    assert AlertSettings().alerts_topic_arn == "arn:aws:sns:us-east-1:1:alerts"
    assert BenchmarkSettings().benchmark_requests == 20
    assert not hasattr(RouterSettings(), "not_a_setting")
    assert not hasattr(RouterSettings(), "alerts_topic_arn")


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        RouterSettings().region = "x"  # type: ignore[misc]
