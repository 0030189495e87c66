"""Bedrock through the real router: official openai client -> uvicorn router -> boto3
(SigV4) -> the simulator's loopback Converse / ConverseStream server; ledger from moto.

The shared wire-format tests (test_gateway, test_streaming) already run ``bedrock-test``
for answers, streams, tool calls and exact cost; these cover Bedrock's error codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import openai
import pytest

from llm_router.catalog import ModelConfig, load_catalog
from llm_router.pricing import cost_of
from llm_router.schema import Usage
from llm_router_local.simulated import SimulatorProcess

from .conftest import TENANT, RouterProcess, Storage
from .openai_clients import openai_client
from .resilience_setup import calls_to, fault

pytestmark = pytest.mark.integration
KEY = "sk-test-acme"
PROVIDER = "simbedrock"
QUESTION = [{"role": "user", "content": "Which pedals fit a gravel bike?"}]


@pytest.fixture
def sim(simulator: SimulatorProcess) -> Iterator[SimulatorProcess]:
    yield simulator
    httpx.delete(f"{simulator.url}/_sim/faults", timeout=5)


def client(router: RouterProcess) -> openai.OpenAI:
    return openai_client(f"{router.url}/v1", KEY, timeout=20)


def booked(storage: Storage, request_id: str) -> dict:
    return storage.ledger_item(request_id, TENANT)


def outcomes(item: dict) -> list[tuple[str, str]]:
    return [(a["provider"], a["outcome"]) for a in item["attempts"]]


def test_throttling_is_a_429_that_is_retried(router: RouterProcess, storage: Storage,
                                              sim: SimulatorProcess) -> None:
    before = calls_to(sim.url, PROVIDER)
    fault(sim.url, PROVIDER, "429", count=1, retry_after=0)
    raw = client(router).chat.completions.with_raw_response.create(
        model="bedrock-test", messages=QUESTION, max_tokens=50)
    completion = raw.parse()
    assert completion.choices[0].message.content
    item = booked(storage, raw.headers["x-request-id"])
    assert outcomes(item) == [(PROVIDER, "upstream_429"), (PROVIDER, "ok")]
    assert calls_to(sim.url, PROVIDER) - before == 2
    usage = completion.usage
    assert usage is not None
    expected = cost_of(Usage.of(usage.prompt_tokens, usage.completion_tokens),
                       _model(router))
    assert Decimal(item["cost_usd"]) == expected == Decimal(raw.headers["x-router-cost-usd"])


def test_throttling_before_the_first_byte_of_a_stream_is_retried(
    router: RouterProcess, storage: Storage, sim: SimulatorProcess
) -> None:
    fault(sim.url, PROVIDER, "429", count=1, retry_after=0)
    with client(router).chat.completions.with_streaming_response.create(
        model="bedrock-test", messages=QUESTION, max_tokens=50, stream=True,
        stream_options={"include_usage": True}, extra_body={"cache": False},
    ) as raw:
        chunks = list(raw.parse())
        request_id = raw.headers["x-request-id"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    item = booked(storage, request_id)
    assert outcomes(item) == [(PROVIDER, "upstream_429"), (PROVIDER, "ok")]
    assert item["usage_source"] == "reported"


def test_validation_exception_is_a_400_for_the_client(router: RouterProcess,
                                                       storage: Storage) -> None:
    # Converse refuses a conversation that starts with an assistant turn.
    with pytest.raises(openai.BadRequestError) as info:
        client(router).chat.completions.create(
            model="bedrock-test", max_tokens=20,
            messages=[{"role": "assistant", "content": "Hello, how can I help?"},
                      {"role": "user", "content": "Tell me about pedals."}])
    error = info.value.body
    assert isinstance(error, dict) and "ValidationException" in error["message"]
    request_id = info.value.response.headers["x-request-id"]
    item = booked(storage, request_id)
    assert item["status"] == 400 and item["success"] is False
    assert outcomes(item) == [(PROVIDER, "upstream_400")]  # not retried
    assert item["cost_usd"] == 0


def test_a_hung_converse_call_times_out_as_504(router: RouterProcess, storage: Storage,
                                               sim: SimulatorProcess) -> None:
    fault(sim.url, PROVIDER, "timeout", count=-1)
    resp = httpx.post(f"{router.url}/v1/chat/completions", timeout=30,
                      headers={"authorization": f"Bearer {KEY}"},
                      json={"model": "bedrock-test", "messages": QUESTION, "cache": False})
    assert resp.status_code == 504, resp.text
    assert resp.json()["error"]["code"] == "upstream_timeout"
    item = booked(storage, resp.headers["x-request-id"])
    assert {outcome for _, outcome in outcomes(item)} == {"upstream_timeout"}


def _model(router: RouterProcess) -> ModelConfig:
    args = router.process.args
    return load_catalog(args[args.index("--config") + 1]).models["bedrock-test"]
