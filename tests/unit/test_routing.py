from decimal import Decimal

import pytest

from llm_router.catalog import parse_catalog
from llm_router.errors import InvalidRequestError
from llm_router.providers.calls import for_model
from llm_router.routing import (
    candidates_for,
    check_output_limit,
    select_auto,
    select_explicit,
)
from llm_router.schema import ChatRequest

CATALOG = parse_catalog({
    "providers": {
        "cheap": {"kind": "openai", "base_url": "http://c/v1", "api_key": "k"},
        "fast": {"kind": "openai", "base_url": "http://f/v1", "api_key": "k"},
        "nokey": {"kind": "openai", "base_url": "http://n/v1"},
    },
    "models": {
        "tiny": {"provider": "cheap", "input_per_mtok": 0.05, "output_per_mtok": 0.1,
                 "tiers": ["simple"], "typical_latency_ms": 900},
        "quick": {"provider": "fast", "input_per_mtok": 0.5, "output_per_mtok": 1,
                  "tiers": ["simple", "moderate"], "typical_latency_ms": 150},
        "big": {"provider": "cheap", "input_per_mtok": 3, "output_per_mtok": 15,
                "tiers": ["complex", "reasoning"], "typical_latency_ms": 2000},
        "free-but-keyless": {"provider": "nokey", "input_per_mtok": 0, "output_per_mtok": 0,
                             "tiers": ["simple", "moderate", "complex", "reasoning"]},
    },
}, env={})


def request(**extra) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "auto", "messages": [{"role": "user", "content": "hi"}], **extra})


def by_price(req: ChatRequest, model) -> Decimal:
    # A stand-in estimate: 1000 tokens in, 1000 out.
    return (model.input_per_mtok + model.output_per_mtok) / 1000


def test_cost_picks_the_cheapest_usable_candidate() -> None:
    d = select_auto(CATALOG, request(), "simple", estimate=by_price)
    assert d.model.name == "tiny" and d.tier == "simple"
    assert [m.name for m in d.fallbacks] == ["quick"]
    assert d.max_cost_usd == Decimal("0.00015")
    assert "optimize_for=cost" in d.reason


def test_keyless_provider_is_never_chosen_even_when_free() -> None:
    for tier in ("simple", "moderate", "complex", "reasoning"):
        assert select_auto(CATALOG, request(), tier, estimate=by_price).provider.configured


def test_latency_and_quality() -> None:
    assert select_auto(CATALOG, request(optimize_for="latency"), "simple",
                       estimate=by_price).model.name == "quick"
    assert select_auto(CATALOG, request(optimize_for="quality"), "simple",
                       estimate=by_price).model.name == "quick"


def test_constraints_filter_candidates() -> None:
    assert select_auto(CATALOG, request(allowed_models=["quick"]), "simple",
                       estimate=by_price).model.name == "quick"
    assert select_auto(CATALOG, request(max_latency_ms=500), "simple",
                       estimate=by_price).model.name == "quick"


def test_no_usable_model_in_tier_moves_up_never_down() -> None:
    d = select_auto(CATALOG, request(allowed_models=["big"]), "moderate", estimate=by_price)
    assert d.model.name == "big" and d.tier == "complex"
    assert "so complex" in d.reason


def test_nothing_usable_is_a_400_naming_each_reason() -> None:
    with pytest.raises(InvalidRequestError) as info:
        select_auto(CATALOG, request(max_cost_usd=0.00001), "complex", estimate=by_price)
    assert info.value.code == "no_route"
    assert "big: max cost" in info.value.message
    assert "free-but-keyless: provider has no key" in info.value.message


def test_routing_section_order_wins() -> None:
    catalog = CATALOG.model_copy(update={"routing": CATALOG.routing.model_copy(
        update={"tiers": {"simple": ("quick",)}})})
    assert [m.name for m in candidates_for(catalog, "simple")] == ["quick"]


def test_explicit_respects_allowed_models() -> None:
    assert select_explicit(CATALOG, "big", None).reason == "explicit model"
    with pytest.raises(InvalidRequestError):
        select_explicit(CATALOG, "big", ["tiny"])


def test_failover_climbs_to_the_next_stronger_tier_never_a_weaker_one() -> None:
    d = select_auto(CATALOG, request(), "simple", estimate=by_price)
    # quick already serves simple, so moderate adds nothing; complex is two tiers up.
    assert d.escalation == ()
    two_up = CATALOG.model_copy(update={"routing": CATALOG.routing.model_copy(
        update={"failover_tiers": 2})})
    d = select_auto(two_up, request(), "simple", estimate=by_price)
    assert [m.name for m in d.fallbacks] == ["quick"]
    assert [m.name for m in d.escalation] == ["big"]
    # A model of a stronger tier serves at that tier; the tier's own models at the routed one.
    assert d.tier_serving(d.escalation[0]) == "complex"
    assert d.tier_serving(d.model) == d.tier_serving(d.fallbacks[0]) == "simple"
    assert select_auto(two_up, request(), "complex", estimate=by_price).escalation == ()


def test_escalation_respects_the_requests_constraints_and_the_policy() -> None:
    d = select_auto(CATALOG, request(), "moderate", estimate=by_price)
    assert d.model.name == "quick" and [m.name for m in d.escalation] == ["big"]
    assert select_auto(CATALOG, request(allowed_models=["quick"]), "moderate",
                       estimate=by_price).escalation == ()
    assert select_auto(CATALOG, request(max_cost_usd=0.01), "moderate",
                       estimate=by_price).escalation == ()
    stay = CATALOG.model_copy(update={"routing": CATALOG.routing.model_copy(
        update={"failover_tiers": 0})})
    assert select_auto(stay, request(), "moderate", estimate=by_price).escalation == ()


def test_an_explicit_model_refuses_more_output_tokens_than_it_can_generate() -> None:
    capped = parse_catalog({
        "providers": {"p": {"kind": "openai", "base_url": "http://p/v1", "api_key": "k"}},
        "models": {"m": {"provider": "p", "input_per_mtok": 1, "output_per_mtok": 2,
                         "max_output_tokens": 16384}}}, env={})
    model = capped.models["m"]
    check_output_limit(request(max_tokens=16384), model)
    check_output_limit(request(), model)
    for field in ("max_tokens", "max_completion_tokens"):
        with pytest.raises(InvalidRequestError) as info:
            check_output_limit(request(**{field: 16385}), model)
        assert (info.value.status, info.value.param, info.value.code) == (
            400, field, "invalid_value")
        assert "16384" in info.value.message
    check_output_limit(request(max_tokens=10**6), CATALOG.models["tiny"])  # no limit known


def test_the_cap_sent_upstream_is_clipped_to_the_models_limit() -> None:
    capped = parse_catalog({
        "providers": {"p": {"kind": "openai", "base_url": "http://p/v1", "api_key": "k"}},
        "models": {"m": {"provider": "p", "input_per_mtok": 1, "output_per_mtok": 2,
                         "max_output_tokens": 100}}}, env={})
    model = capped.models["m"]
    small = request(max_tokens=50)
    assert for_model(small, model) is small
    both = request(max_tokens=500, max_completion_tokens=80)
    sent = for_model(both, model)
    assert (sent.max_tokens, sent.max_completion_tokens, sent.output_limit) == (100, 80, 80)
    assert for_model(request(max_completion_tokens=10**6), model).output_limit == 100
    assert for_model(request(), model).output_limit is None
    loose = request(max_tokens=10**6)
    assert for_model(loose, CATALOG.models["tiny"]) is loose
