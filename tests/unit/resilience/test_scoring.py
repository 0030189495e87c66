from __future__ import annotations

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.resilience.breaker import BreakerState
from llm_router.resilience.scoring import Signals, rank


def pair(name: str, local: bool = False) -> tuple[ModelConfig, ProviderConfig]:
    return (ModelConfig(name=name, provider=name, input_per_mtok=1, output_per_mtok=1,
                        typical_latency_ms=500),
            ProviderConfig(name=name, kind="openai", base_url="http://x", api_key="k",
                           local=local))


CHAIN = ["cheap", "mid", "local"]
PAIRS = {"cheap": pair("cheap"), "mid": pair("mid"), "local": pair("local", local=True)}


def order(signals: dict[str, Signals], env: str = "prod") -> list[str]:
    return rank(CHAIN, lambda n: (*PAIRS[n], signals.get(n, Signals())), env)  # type: ignore[arg-type]


def test_without_signals_routing_order_stands() -> None:
    assert order({}) == CHAIN


def test_dev_prefers_the_local_model() -> None:
    assert order({}, "dev")[0] == "local"


def test_open_breaker_and_errors_push_a_target_down() -> None:
    assert order({"cheap": Signals(breaker=BreakerState("open"))})[-1] == "cheap"
    assert order({"cheap": Signals(error_rate=0.8)})[0] == "mid"


def test_free_capacity_is_preferred_and_exhausted_free_tiers_go_last() -> None:
    assert order({"mid": Signals(free_remaining=0.9)})[0] == "mid"
    assert order({"cheap": Signals(free_remaining=0.0)})[-1] == "cheap"


def test_slow_targets_lose_to_equals() -> None:
    assert order({"cheap": Signals(latency_ms=5000)})[0] == "mid"
