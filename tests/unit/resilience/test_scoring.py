from __future__ import annotations

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.policies import DEFAULT_ENVIRONMENTS, EnvironmentWeights
from llm_router.resilience.breaker import BreakerState
from llm_router.resilience.scoring import Signals, rank


def pair(name: str, local: bool = False, price: int = 1) -> tuple[ModelConfig, ProviderConfig]:
    return (ModelConfig(name=name, provider=name, input_per_mtok=price, output_per_mtok=price,
                        typical_latency_ms=500),
            ProviderConfig(name=name, kind="openai", base_url="http://x", api_key="k",
                           local=local))


CHAIN = ["cheap", "mid", "local"]
PAIRS = {"cheap": pair("cheap"), "mid": pair("mid"), "local": pair("local", local=True)}


def order(signals: dict[str, Signals], env: str = "prod", chain: list[str] = CHAIN,
          weights: EnvironmentWeights | None = None) -> list[str]:
    weights = weights or DEFAULT_ENVIRONMENTS[env]  # type: ignore[index]
    return rank(chain, lambda n: (*PAIRS[n], signals.get(n, Signals())), weights)


def test_without_signals_routing_order_stands() -> None:
    assert order({}) == CHAIN


def test_dev_prefers_the_local_model() -> None:
    assert order({}, "dev")[0] == "local"


PAIRS["free"] = pair("free", price=0)


def test_dev_prefers_free_models_and_free_tier_room_prod_keeps_routing_order() -> None:
    chain = ["cheap", "mid", "free"]
    assert order({}, "prod", chain) == chain
    assert order({}, "dev", chain)[0] == "free"
    # Free-tier room earns dev's free weight times the share left.
    assert order({"mid": Signals(free_remaining=1.0)}, "dev", ["cheap", "mid"])[0] == "mid"
    assert order({"mid": Signals(free_remaining=0.1)}, "dev", ["cheap", "mid"])[0] == "cheap"


def test_a_local_model_still_goes_first_in_dev_over_a_free_one() -> None:
    assert order({}, "dev", ["cheap", "free", "local"])[0] == "local"


def test_weights_come_from_the_catalog() -> None:
    heavy_free = EnvironmentWeights(local=0, free=100)
    assert order({}, chain=["cheap", "local", "free"], weights=heavy_free)[0] == "free"


def test_open_breaker_and_errors_push_a_target_down() -> None:
    assert order({"cheap": Signals(breaker=BreakerState("open"))})[-1] == "cheap"
    assert order({"cheap": Signals(error_rate=0.8)})[0] == "mid"


def test_free_capacity_is_preferred_and_exhausted_free_tiers_go_last() -> None:
    assert order({"mid": Signals(free_remaining=0.9)})[0] == "mid"
    assert order({"cheap": Signals(free_remaining=0.0)})[-1] == "cheap"


def test_slow_targets_lose_to_equals() -> None:
    assert order({"cheap": Signals(latency_ms=5000)})[0] == "mid"
