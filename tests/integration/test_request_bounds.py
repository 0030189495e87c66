"""Out-of-range request values are refused with a 400 naming the parameter before
admission: no budget reserved, nothing sent upstream, the request booked at no cost.
A large but valid output cap is reserved at its worst case and refused honestly (402)
when the budget cannot hold it.

Runs the app in-process over real storage (moto) and the simulator, through the settle
harness (no faults injected)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anyio
import pytest
import yaml

from llm_router.catalog import parse_catalog
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage
from .resilience_setup import pair_catalog, unique
from .settle_harness import Harness, UpstreamFaults, post

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def harness(storage: Storage, simulator: SimulatorProcess) -> Iterator[Harness]:
    """The harness's model, plus ``<model>-capped``: the same, with a catalog output
    limit of 100 tokens."""
    h = Harness(storage, simulator.url, unique("bounds"))
    data = yaml.safe_load(pair_catalog(simulator.url, [h.model]))
    data["resilience"]["breaker"]["failure_threshold"] = 1_000_000
    data["models"][f"{h.model}-capped"] = {**data["models"][h.model], "max_output_tokens": 100}
    h.catalog = parse_catalog(data)
    yield h


def send(harness: Harness, key: str, body: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with harness.app(UpstreamFaults()) as app:
            return await post(app, key, body)

    return anyio.run(go)


def booked_nothing(harness: Harness, key: str, status: int) -> None:
    """One ledger item, the refusal's, at no cost; the budget counter untouched."""
    key_id = harness.keys[key]
    [item] = harness.ledger_items(key_id)
    assert (item["status"], Decimal(str(item["cost_usd"]))) == (status, 0)
    assert harness.budget_used(key_id) == 0


@pytest.mark.parametrize(("extra", "param"), [
    ({"max_tokens": 10**30}, "max_tokens"),
    ({"max_completion_tokens": 2_000_000}, "max_completion_tokens"),
    ({"seed": 2**64}, "seed"),
    ({"logit_bias": {"50256": 101}}, "logit_bias.50256"),
    ({"logprobs": True, "top_logprobs": 21}, "top_logprobs"),
    ({"temperature": 2.5}, "temperature"),
    ({"n": 3}, "n"),
])
def test_an_out_of_range_value_is_a_400_before_admission(
        harness: Harness, extra: dict[str, Any], param: str) -> None:
    key = harness.new_key()
    resp = send(harness, key, harness.body(**extra))
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error", param, "invalid_value")
    booked_nothing(harness, key, 400)


def test_more_output_than_the_named_model_generates_is_a_400_before_admission(
        harness: Harness) -> None:
    key = harness.new_key()
    resp = send(harness, key, harness.body(model=f"{harness.model}-capped", max_tokens=101))
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert (error["param"], error["code"]) == ("max_tokens", "invalid_value")
    assert "at most 100" in error["message"]
    booked_nothing(harness, key, 400)
    ok = send(harness, key, harness.body(model=f"{harness.model}-capped", max_tokens=100))
    assert ok.status_code == 200, ok.text


def test_a_large_valid_output_cap_is_reserved_at_its_worst_case_and_refused_honestly(
        harness: Harness) -> None:
    # No catalog limit on this model: a million output tokens at $0.60 per million may
    # cost $0.60, over the key's $0.50 a day.
    key = harness.new_key()
    resp = send(harness, key, harness.body(max_tokens=1_000_000))
    assert resp.status_code == 402, resp.text
    error = resp.json()["error"]
    assert error["code"] == "budget_exceeded" and "$0.6000" in error["message"]
    booked_nothing(harness, key, 402)
    # Within the budget, the same key is served and booked its actual cost.
    resp = send(harness, key, harness.body(max_tokens=500_000))
    assert resp.status_code == 200, resp.text
    harness.check_books(key, 2)
