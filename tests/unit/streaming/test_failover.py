"""Failover before the first byte, with a scripted attempt function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from llm_router.catalog import ModelConfig, ProviderConfig, load_catalog
from llm_router.errors import (
    AllProvidersFailedError,
    UpstreamError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.ledger import AttemptRecord
from llm_router.routing import RouteDecision
from llm_router.streaming.failover import open_first

CATALOG = """
providers:
  a: {kind: openai, base_url: "http://127.0.0.1:9/a", api_key: k}
  b: {kind: anthropic, base_url: "http://127.0.0.1:9/b", api_key: k}
  c: {kind: gemini, base_url: "http://127.0.0.1:9/c", api_key: k}
  nokey: {kind: openai, base_url: "http://127.0.0.1:9/n", api_key: "${LLM_ROUTER_TEST_UNSET}"}
models:
  ma: {provider: a, input_per_mtok: 1, output_per_mtok: 1}
  mb: {provider: b, input_per_mtok: 1, output_per_mtok: 1}
  mc: {provider: c, input_per_mtok: 1, output_per_mtok: 1}
  mn: {provider: nokey, input_per_mtok: 1, output_per_mtok: 1}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Any:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return load_catalog(path)


def decision(catalog: Any, first: str, *fallbacks: str) -> RouteDecision:
    model = catalog.models[first]
    return RouteDecision(model, catalog.provider_of(model), "simple", "auto: test",
                         fallbacks=tuple(catalog.models[f] for f in fallbacks))


def scripted(outcomes: dict[str, UpstreamError | str]) -> Any:
    async def attempt(model: ModelConfig, provider: ProviderConfig) -> Any:
        outcome = outcomes[model.name]
        if isinstance(outcome, UpstreamError):
            raise outcome
        return outcome
    return attempt


def test_fails_over_down_the_chain_and_records_every_attempt(catalog: Any) -> None:
    attempts: list[AttemptRecord] = []
    outcomes: dict[str, UpstreamError | str] = {
        "ma": UpstreamStatusError("down", upstream_status=503, provider="a", model="ma"),
        "mb": UpstreamTimeoutError("slow", provider="b", model="mb"),
        "mc": "stream-c",
    }
    chosen, opened = anyio.run(open_first, catalog, decision(catalog, "mn", "ma", "mb", "mc"),
                               scripted(outcomes), attempts)
    assert opened == "stream-c"
    assert chosen.model.name == "mc" and chosen.provider.name == "c"
    assert chosen.reason.endswith("failed over to mc before the first byte")
    assert [(a.model, a.outcome) for a in attempts] == [
        ("mn", "provider_not_configured"), ("ma", "upstream_503"),
        ("mb", "upstream_timeout"), ("mc", "ok")]


def test_a_refused_request_is_not_failed_over(catalog: Any) -> None:
    attempts: list[AttemptRecord] = []
    bad = UpstreamStatusError("bad", upstream_status=400, provider="a", model="ma")
    with pytest.raises(UpstreamStatusError):
        anyio.run(open_first, catalog, decision(catalog, "ma", "mb"),
                  scripted({"ma": bad, "mb": "never"}), attempts)
    assert [a.model for a in attempts] == ["ma"]


def test_all_failing_lists_every_attempt(catalog: Any) -> None:
    down = UpstreamStatusError("down", upstream_status=503)
    with pytest.raises(AllProvidersFailedError) as info:
        anyio.run(open_first, catalog, decision(catalog, "ma", "mb"),
                  scripted({"ma": down, "mb": down}), [])
    assert info.value.status == 502 and len(info.value.attempts) == 2
    with pytest.raises(AllProvidersFailedError) as info:
        anyio.run(open_first, catalog, decision(catalog, "mn"), scripted({}), [])
    assert info.value.status == 503
