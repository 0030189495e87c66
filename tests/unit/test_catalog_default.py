"""Invariants of the catalog that ships in the layer."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from llm_router.catalog import TIERS, Catalog, ModelConfig, load_catalog

# Names other parts of the router (tests, docs, demo) rely on.
KEPT_MODELS = {"gpt-4o-mini", "gpt-4o", "claude-3-5-haiku", "claude-sonnet-4",
               "gemini-2.0-flash", "gemini-2.5-pro", "llama-3.1-8b-instant",
               "llama-3.3-70b-versatile", "mistral-small-latest"}
KEPT_PROVIDERS = {"openai", "anthropic", "gemini", "groq", "mistral"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(env={})


def test_size(catalog: Catalog) -> None:
    assert len(catalog.models) >= 30
    assert len({m.provider for m in catalog.models.values()}) >= 8
    assert set(catalog.models) >= KEPT_MODELS
    assert set(catalog.providers) >= KEPT_PROVIDERS


def test_every_model_is_priced_with_source_and_date(catalog: Catalog) -> None:
    for model in catalog.models.values():
        assert model.cached_input_per_mtok is not None, model.name
        assert model.price_source and model.price_source.startswith("https://"), model.name
        assert model.price_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", model.price_date)
        assert model.context_window, model.name


def test_cached_input_never_costs_more_than_input(catalog: Catalog) -> None:
    for model in catalog.models.values():
        assert model.cached_input_per_mtok is not None
        assert model.cached_input_per_mtok <= model.input_per_mtok, model.name
        if model.cache_write_per_mtok is not None:
            assert model.cache_write_per_mtok >= model.input_per_mtok, model.name


def test_prices_are_exact_decimals(catalog: Catalog) -> None:
    assert catalog.models["gpt-4o-mini"].input_per_mtok == Decimal("0.15")
    assert catalog.models["gpt-4.1-nano"].cached_input_per_mtok == Decimal("0.025")


def test_every_tier_has_paid_candidates(catalog: Catalog) -> None:
    def paid(m: ModelConfig) -> bool:
        return m.output_per_mtok > 0

    for tier in TIERS:
        candidates = [m for m in catalog.models.values() if tier in m.tiers]
        assert len({m.provider for m in candidates if paid(m)}) >= 2, tier


def test_free_and_local_models_are_not_routed_by_cost(catalog: Catalog) -> None:
    for model in catalog.models.values():
        if model.output_per_mtok == 0:
            assert model.tiers == (), model.name
    assert catalog.providers["ollama"].local and catalog.providers["ollama"].api_key is None


def test_api_keys_come_from_the_environment() -> None:
    catalog = load_catalog(env={"OPENAI_API_KEY": "sk-test"})
    assert catalog.providers["openai"].api_key == "sk-test"
    assert catalog.providers["anthropic"].api_key is None
