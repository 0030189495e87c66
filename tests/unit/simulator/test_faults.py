"""Fault bookkeeping of the simulator (pure)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llm_router_local.simulator.faults import FaultSpec, SimState, default_latency_ms


def test_fault_applies_count_times_to_its_provider_only():
    state = SimState()
    state.arm(FaultSpec(provider="a", mode="500", count=2))
    assert state.take("b", "m") is None
    assert [bool(state.take("a", "m")) for _ in range(3)] == [True, True, False]


def test_count_minus_one_lasts_until_cleared():
    state = SimState()
    state.arm(FaultSpec(provider="a", mode="down", count=-1))
    assert all(state.take("a", "m") for _ in range(10))
    state.clear("a")
    assert state.take("a", "m") is None


def test_model_scoped_fault():
    state = SimState()
    state.arm(FaultSpec(provider="a", mode="429", model="big"))
    assert state.take("a", "small") is None
    assert state.take("a", "big") is not None


def test_unknown_mode_is_rejected():
    with pytest.raises(ValidationError):
        FaultSpec(provider="a", mode="explode")  # type: ignore[arg-type]


def test_latency_defaults_are_small_and_distinct():
    names = ["openai", "anthropic", "gemini", "groq"]
    values = [default_latency_ms(n) for n in names]
    assert all(20 <= v <= 60 for v in values) and len(set(values)) > 1
    state = SimState(global_latency_ms=5, latency_ms={"groq": 1})
    assert (state.latency_for("groq"), state.latency_for("openai")) == (1, 5)


def test_stats_and_reset():
    state = SimState()
    state.record("a", "m", 200)
    state.record("a", "m", 200)
    state.record("b", "n", "timeout")
    stats = state.stats()
    assert stats["total"] == 3 and stats["providers"] == {"a": 2, "b": 1}
    assert {"provider": "a", "model": "m", "status": "200", "count": 2} in stats["requests"]
    state.arm(FaultSpec(provider="a", mode="500"))
    state.reset()
    assert state.stats()["total"] == 0 and state.faults() == []
