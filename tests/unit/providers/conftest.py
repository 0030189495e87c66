"""Fixtures for the adapter tests: recorded payloads and catalog entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_router.catalog import ModelConfig, ProviderConfig

PAYLOADS = Path(__file__).parent / "payloads"


@pytest.fixture
def payload() -> Callable[[str], Any]:
    """Load a recorded payload (``payloads/<name>.json``)."""

    def load(name: str) -> Any:
        return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))

    return load


@pytest.fixture
def model() -> Callable[..., ModelConfig]:
    def make(upstream: str = "up-model", **extra: Any) -> ModelConfig:
        return ModelConfig(name="catalog-model", provider="p", upstream_model=upstream,
                           input_per_mtok=1, output_per_mtok=2, **extra)

    return make


@pytest.fixture
def provider() -> Callable[..., ProviderConfig]:
    def make(kind: Any, base_url: str = "https://api.example.com/v1", **extra: Any
             ) -> ProviderConfig:
        fields = {"api_key": "sk-secret-key", **extra}
        return ProviderConfig(name=f"{kind}-test", kind=kind, base_url=base_url, **fields)

    return make
