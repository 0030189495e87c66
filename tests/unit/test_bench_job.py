"""The benchmark runner's event parsing and metric naming (pure parts of the job)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_router.benchmark.job import parse_event
from llm_router.benchmark.results import baseline_key
from llm_router.errors import InvalidRequestError

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_the_daily_schedule_gets_the_defaults() -> None:
    schedule = json.loads((EVENTS / "schedule.json").read_text())
    params = parse_event({**schedule, "job": "benchmark"})
    assert params.requests is None and params.concurrency == 8 and not params.router_only


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
