"""bench/pipeline_failovers.py's counts (session 29): the free-tier reservations the
executor sends the counters table and those refused, and the skips of a provider its
request had already skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from llm_router.resilience.counters import CounterOp, LimitReached
from llm_router.storage.counters import DynamoCounters


@pytest.fixture(scope="module")
def failovers(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("pipeline_failovers")


def skip(provider: str, model: str) -> dict[str, str]:
    return {"provider": provider, "model": model, "outcome": "free_tier_exhausted"}


def test_repeat_skips_count_a_provider_skipped_again_in_one_request(
        failovers: ModuleType) -> None:
    ledger = [
        {"attempts": [skip("groq", "a"), skip("groq", "b"), skip("gemini", "c"),
                      {"provider": "openai", "model": "d", "outcome": "ok"}]},
        {"attempts": [skip("groq", "a"), {"provider": "groq", "model": "b",
                                          "outcome": "circuit_open"}]},
        {"attempts": [skip("gemini", "c")]},
        {"cache_status": "exact"},
    ]
    assert failovers.repeat_skips(ledger) == 1


def test_free_tier_reservations_are_counted_and_others_pass_through(
        failovers: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    op = CounterOp("QUOTA#groq", "m#1#req", Decimal(1), 0, Decimal(1))

    def reserve(self: Any, ops: Any, action: str = "admitting the request") -> None:
        asked.append(action)
        if ops == "full":
            raise LimitReached(op)

    monkeypatch.setattr(DynamoCounters, "reserve", reserve)
    counts: Counter[str] = Counter()
    failovers.count_reservations(counts)
    store = object.__new__(DynamoCounters)
    store.reserve([op], "reserving free-tier quota")
    with pytest.raises(LimitReached):
        store.reserve("full", "reserving free-tier quota")  # type: ignore[arg-type]
    store.reserve([op])
    assert counts == {"sent": 2, "refused": 1}
    assert asked == ["reserving free-tier quota"] * 2 + ["admitting the request"]
