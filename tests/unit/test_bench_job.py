"""The benchmark runner's event parsing and metric naming (pure parts of the job)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_router.errors import ConfigError, InvalidRequestError
from llm_router.settings import BenchmarkSettings
from llm_router_local.benchmark.job import build_job, parse_event
from llm_router_local.benchmark.results import baseline_key

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_the_daily_schedule_gets_the_defaults() -> None:
    schedule = json.loads((EVENTS / "schedule.json").read_text())
    params = parse_event({**schedule, "job": "benchmark"})
    assert params.requests is None and params.concurrency == 8 and not params.router_only


def test_the_baselines_run_at_once_unless_the_event_asks_for_one_after_another() -> None:
    assert not parse_event({"job": "benchmark"}).sequential
    assert parse_event({"job": "benchmark", "sequential": True}).sequential
    with pytest.raises(InvalidRequestError) as info:
        parse_event({"sequential": "sometimes"})
    assert info.value.param == "sequential"


def test_overrides_come_from_the_event_or_an_eventbridge_detail() -> None:
    assert parse_event({"job": "benchmark", "requests": 200}).requests == 200
    schedule = json.loads((EVENTS / "schedule.json").read_text())
    custom = {**schedule, "detail": {"requests": 50, "router_only": True}}
    params = parse_event(custom)
    assert params.requests == 50 and params.router_only


@pytest.mark.parametrize(("event", "param"), [
    ({"requests": 0}, "requests"), ({"requests": 5001}, "requests"),
    ({"concurrency": "many"}, "concurrency"), ({"requets": 10}, "requets"),
    ({"job": "cache-snapshots"}, "job"),
])
def test_a_bad_override_names_its_field(event: dict, param: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse_event(event)
    assert info.value.param == param and param in info.value.message


def test_baseline_metric_dimension_drops_the_model() -> None:
    assert baseline_key("always-strongest (claude-opus-4)") == "always-strongest"
    assert baseline_key("router-no-cache") == "router-no-cache"


def test_live_upstream_without_any_provider_key_is_a_config_error(tmp_path: Path) -> None:
    # A daily bench "live" with no key would book every request as a failure: refuse.
    config = tmp_path / "catalog.yaml"
    config.write_text("providers:\n  up:\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n"
                      "models:\n  m:\n    provider: up\n    input_per_mtok: 1\n"
                      "    output_per_mtok: 1\n    tiers: [simple]\n")
    settings = BenchmarkSettings(config_path=config, benchmark_upstream="live",
                                 provider_keys_prefix=None, bucket=None)
    with pytest.raises(ConfigError, match="live but no provider has a key"):
        build_job(settings, s3=None)
