"""Streaming end to end: official openai client -> uvicorn router -> simulator (all four
wire formats), ledger read back from moto."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import openai
import pytest

from llm_router.catalog import load_catalog
from llm_router.pricing import cost_of
from llm_router.schema import Usage

from .conftest import RouterProcess, Storage
from .openai_clients import openai_client

pytestmark = pytest.mark.integration
KEY = "sk-test-acme"
MODELS = ["small-model", "claude-test", "gemini-test", "bedrock-test"]
QUESTION = [
    {"role": "system", "content": "You are a support agent for a bike shop."},
    {"role": "user", "content": "Can you explain how to adjust the rear derailleur on a "
                                "road bike when the chain skips between two gears?"},
]


def client(router: RouterProcess) -> openai.OpenAI:
    return openai_client(f"{router.url}/v1", KEY, timeout=20)



# These tests are about live relaying: the same question answered buffered first would
# otherwise be replayed from the response cache (tests/integration/test_cache.py).
LIVE = {"cache": False}


def buffered(router: RouterProcess, model: str, **extra: object) -> object:
    return client(router).chat.completions.create(model=model, messages=QUESTION,
                                                  max_tokens=200, **extra)


@pytest.mark.parametrize("model", MODELS)
def test_stream_content_matches_the_buffered_answer_and_cost_is_exact(
    router: RouterProcess, storage: Storage, model: str
) -> None:
    whole = buffered(router, model)
    with client(router).chat.completions.with_streaming_response.create(
        model=model, messages=QUESTION, max_tokens=200, stream=True,
        stream_options={"include_usage": True}, extra_body=LIVE,
    ) as raw:
        assert raw.headers["content-type"].startswith("text/event-stream")
        assert raw.headers["cache-control"] == "no-cache"
        assert raw.headers["x-accel-buffering"] == "no"
        assert raw.headers["x-router-model"] == model
        request_id = raw.headers["x-request-id"]
        chunks = list(raw.parse())

    assert all(c.object == "chat.completion.chunk" and c.model == model for c in chunks)
    assert len({c.id for c in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content  # the simulator is deterministic
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and
                c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    # Only the last chunk carries usage, and it is the provider's own count.
    assert all(c.usage is None for c in chunks[:-1])
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (
        whole.usage.prompt_tokens, whole.usage.completion_tokens)

    item = storage.ledger_item(request_id)
    assert item["stream"] is True and item["success"] is True and item["status"] == 200
    assert item["usage_source"] == "reported"
    assert item["prompt_tokens"] == usage.prompt_tokens
    assert item["completion_tokens"] == usage.completion_tokens
    catalog_model = load_catalog(router_config(router)).models[model]
    expected = cost_of(Usage.of(usage.prompt_tokens, usage.completion_tokens), catalog_model)
    assert Decimal(str(item["cost_usd"])) == expected


def router_config(router: RouterProcess) -> str:
    args = router.process.args
    return str(args[args.index("--config") + 1])


@pytest.mark.parametrize("model", MODELS)
def test_without_include_usage_no_usage_chunk_reaches_the_client(
    router: RouterProcess, storage: Storage, model: str
) -> None:
    stream = client(router).chat.completions.create(
        model=model, messages=QUESTION, max_tokens=50, stream=True, extra_body=LIVE)
    chunks = list(stream)
    assert chunks and all(c.choices for c in chunks)
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_chunks_arrive_spread_in_time(router: RouterProcess) -> None:
    # The simulator paces chunks 15 ms apart; a buffering relay would deliver them at once.
    arrivals = []
    stream = client(router).chat.completions.create(
        model="small-model", messages=QUESTION, max_tokens=200, stream=True, extra_body=LIVE)
    for _chunk in stream:
        arrivals.append(time.perf_counter())
    assert len(arrivals) >= 8
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    spread = sum(1 for g in gaps if g > 0.005)
    assert spread >= len(gaps) // 2, gaps
    assert arrivals[-1] - arrivals[0] > 0.05


def test_tool_calls_stream_from_every_format(router: RouterProcess) -> None:
    tools = [{"type": "function", "function": {
        "name": "lookup_order", "description": "Find an order",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                       "required": ["order_id"]}}}]
    messages = [{"role": "user", "content": "Please call lookup_order for order A123"}]
    for model in MODELS:
        whole = client(router).chat.completions.create(model=model, messages=messages,
                                                       tools=tools, max_tokens=100)
        stream = client(router).chat.completions.create(model=model, messages=messages,
                                                        tools=tools, max_tokens=100, stream=True,
                                                        extra_body=LIVE)
        name, arguments, finish = "", "", None
        for chunk in stream:
            delta = chunk.choices[0].delta
            for call in delta.tool_calls or []:
                name += call.function.name or "" if call.function else ""
                arguments += call.function.arguments or "" if call.function else ""
            finish = chunk.choices[0].finish_reason or finish
        expected = whole.choices[0].message.tool_calls[0].function
        assert (name, finish) == (expected.name, "tool_calls"), model
        assert arguments.replace(" ", "") == expected.arguments.replace(" ", ""), model


def test_stream_errors_before_the_first_byte_are_plain_json_errors(
    router: RouterProcess, storage: Storage
) -> None:
    resp = httpx.post(f"{router.url}/v1/chat/completions", timeout=20,
                      headers={"authorization": f"Bearer {KEY}"},
                      json={"model": "orphan-model", "messages": QUESTION, "stream": True})
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "all_providers_failed"
    item = storage.ledger_item(resp.headers["x-request-id"])
    assert item["stream"] is True and item["success"] is False
