"""Resilience's candidate chain: the routed tier first, stronger tiers after it, all of
it handed to the executor (which bounds calls, not skips)."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio

from llm_router.catalog import parse_catalog
from llm_router.policies import BreakerConfig
from llm_router.resilience.executor import Trail
from llm_router.resilience.health import HealthBoard
from llm_router.resilience.layer import Resilience, Target
from llm_router.resilience.quota import quota_ops
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


# Two free tiers on two providers: "a" serves the simple tier (cheapest first), "b" only
# the moderate tier, so a moderate request's chain holds b's counters and not a's.
QUOTA_SPEC = {
    "providers": {
        "a": {"kind": "openai", "base_url": "http://a/v1", "api_key": "k",
              "free_tier": {"requests_per_minute": 2}},
        "b": {"kind": "openai", "base_url": "http://b/v1", "api_key": "k",
              "free_tier": {"requests_per_minute": 2}},
        "p": {"kind": "openai", "base_url": "http://p/v1", "api_key": "k"}},
    "models": {"a-simple": {**model(["simple"], 1), "provider": "a"},
               "p-simple": {**model(["simple"], 2), "provider": "p"},
               "b-moderate": {**model(["moderate"], 3), "provider": "b"}},
}
QUOTA_CATALOG = parse_catalog(QUOTA_SPEC, env={})


def test_a_chain_reads_its_own_free_tiers_however_recently_another_chain_read_theirs() -> None:
    # a's free tier is used up. A moderate request scores first and reads b's counters;
    # a simple request right after (inside quota_cache_ttl_s) must still see a's full
    # window and put a-simple last, not read a's missing counters as an unused tier and
    # try it first (a skip and a failover the scoring is there to avoid).
    now = datetime(2026, 12, 6, 13, 0, 30, tzinfo=UTC)
    counters = MemoryCounters()
    a = QUOTA_CATALOG.models["a-simple"]
    for _ in range(2):
        counters.reserve(quota_ops(QUOTA_CATALOG.providers["a"], a, 0, now))
    cfg = BreakerConfig(cache_ttl_s=0)
    layer = Resilience(QUOTA_CATALOG, counters, HealthBoard(MemoryBreakers(cfg), cfg),
                       wall=lambda: now)
    request = ChatRequest.model_validate(
        {"model": "auto", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})

    def decision(tier: str):  # type: ignore[no-untyped-def]
        return select_auto(QUOTA_CATALOG, request, tier,  # type: ignore[arg-type]
                           estimate=lambda r, m: m.input_per_mtok + m.output_per_mtok)

    async def go() -> tuple[list[str], list[str]]:
        moderate = await layer.chain(request, decision("moderate"))
        simple = await layer.chain(request, decision("simple"))
        return [t.model.name for t in moderate], [t.model.name for t in simple]

    moderate, simple = anyio.run(go)
    assert moderate == ["b-moderate"]
    assert simple == ["p-simple", "a-simple", "b-moderate"]


def test_a_free_tier_a_reservation_found_full_is_scored_full_until_its_next_read() -> None:
    # The layer read a's counters while a's free tier had room; another container then
    # used it up. The next request's reservation on a is refused (a skip); the requests
    # after it, inside quota_cache_ttl_s, must score a full rather than read the stale
    # room and skip it again.
    now = datetime(2026, 12, 6, 13, 0, 30, tzinfo=UTC)
    catalog = parse_catalog({**QUOTA_SPEC, "resilience": {"quota_cache_ttl_s": 600}}, env={})
    counters = MemoryCounters()
    cfg = BreakerConfig(cache_ttl_s=0)
    layer = Resilience(catalog, counters, HealthBoard(MemoryBreakers(cfg), cfg),
                       wall=lambda: now)
    request = ChatRequest.model_validate(
        {"model": "auto", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})
    decision = select_auto(catalog, request, "simple",
                           estimate=lambda r, m: m.input_per_mtok + m.output_per_mtok)
    called: list[str] = []

    async def attempt(target: Target, timeout_s: float) -> str:
        called.append(target.model.name)
        return "answer"

    async def go() -> tuple[list[str], list[str]]:
        before = [t.model.name for t in await layer.chain(request, decision)]
        for _ in range(2):  # another container's requests use a's free tier up
            counters.reserve(quota_ops(catalog.providers["a"], catalog.models["a-simple"],
                                       0, now))
        trail = Trail()
        await layer.run(request, decision, attempt, trail)
        assert [a.outcome for a in trail.attempts] == ["free_tier_exhausted", "ok"]
        return before, [t.model.name for t in await layer.chain(request, decision)]

    before, after = anyio.run(go)
    assert before == ["a-simple", "p-simple", "b-moderate"]
    assert called == ["p-simple"]
    assert after == ["p-simple", "a-simple", "b-moderate"]
