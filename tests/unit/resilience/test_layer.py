"""Resilience's candidate chain: the routed tier first, stronger tiers after it, all of
it handed to the executor (which bounds calls, not skips)."""

from __future__ import annotations

import anyio

from llm_router.catalog import parse_catalog
from llm_router.policies import BreakerConfig
from llm_router.resilience.health import HealthBoard
from llm_router.resilience.layer import Resilience
from llm_router.routing import select_auto
from llm_router.schema import ChatRequest

from .fakes import MemoryBreakers, MemoryCounters


def model(tiers: list[str], price: float) -> dict:
    return {"provider": "p", "input_per_mtok": price, "output_per_mtok": price,
            "tiers": tiers}


CATALOG = parse_catalog({
    "providers": {"p": {"kind": "openai", "base_url": "http://p/v1", "api_key": "k"}},
    "models": {f"s{i}": model(["simple"], 1 + i) for i in range(6)}
    | {"free-strong": model(["moderate"], 0), "strong": model(["moderate"], 5)},
    "routing": {"environments": {"dev": {"free": 100}}},
    "resilience": {"retry": {"max_targets": 2}},
}, env={})


def chain_of(environment: str) -> list[str]:
    request = ChatRequest.model_validate(
        {"model": "auto", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})
    decision = select_auto(CATALOG, request, "simple",
                           estimate=lambda r, m: m.input_per_mtok + m.output_per_mtok)
    cfg = BreakerConfig(cache_ttl_s=0)
    layer = Resilience(CATALOG, MemoryCounters(), HealthBoard(MemoryBreakers(cfg), cfg),
                       environment=environment)  # type: ignore[arg-type]

    async def go() -> list[str]:
        return [t.model.name for t in await layer.chain(request, decision)]

    return anyio.run(go)


def test_the_whole_tier_then_the_stronger_tier_past_max_targets() -> None:
    assert chain_of("prod") == ["s0", "s1", "s2", "s3", "s4", "s5", "free-strong", "strong"]


def test_scoring_never_moves_a_stronger_tier_ahead_of_the_routed_one() -> None:
    # dev's free weight would put the free moderate model first in one ranked list.
    assert chain_of("dev")[:6] == ["s0", "s1", "s2", "s3", "s4", "s5"]
    assert chain_of("dev")[6] == "free-strong"
