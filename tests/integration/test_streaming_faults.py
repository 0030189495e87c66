"""Streams that go wrong: failover before the first token, a provider dying mid-stream,
a client hanging up. A scripted upstream on 127.0.0.1 (uvicorn in a thread) records
what happened on its side; the router is the real ``llm-router serve`` process."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import TENANT, RouterProcess, Storage, start_router
from .openai_clients import openai_client

pytestmark = pytest.mark.integration
KEY = "sk-test-faults"
WORDS = [f"word{i} " for i in range(200)]


@dataclass
class UpstreamLog:
    """What the scripted upstream saw, per route."""

    sent: dict[str, int] = field(default_factory=dict)
    cancelled_after: dict[str, int] = field(default_factory=dict)  # chunks sent when cut off


def _openai_frame(delta: dict, finish: str | None = None) -> str:
    chunk = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 1,
             "model": "up", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(chunk)}\n\n"


def scripted_upstream(log: UpstreamLog) -> Starlette:
    async def slow(request: Request) -> StreamingResponse:
        # 200 pieces 50 ms apart: ten seconds, unless the router hangs up first.
        async def body() -> AsyncIterator[str]:
            log.sent["slow"] = 0
            try:
                yield _openai_frame({"role": "assistant", "content": ""})
                for word in WORDS:
                    await asyncio.sleep(0.05)
                    log.sent["slow"] += 1
                    yield _openai_frame({"content": word})
                yield _openai_frame({}, "stop")
                yield "data: [DONE]\n\n"
            except BaseException:
                # Starlette cancels the body when the router drops the connection.
                log.cancelled_after["slow"] = log.sent["slow"]
                raise
        return StreamingResponse(body(), media_type="text/event-stream")

    async def cut(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[str]:
            yield _openai_frame({"role": "assistant", "content": ""})
            for word in WORDS[:5]:
                yield _openai_frame({"content": word})
            await asyncio.sleep(0.05)
            raise RuntimeError("scripted crash mid-stream")  # uvicorn drops the connection
        return StreamingResponse(body(), media_type="text/event-stream")

    async def anthropic_cut(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[str]:
            start = {"type": "message_start", "message": {
                "id": "msg_scripted", "type": "message", "role": "assistant", "content": [],
                "usage": {"input_tokens": 42, "output_tokens": 1}}}
            yield f"event: message_start\ndata: {json.dumps(start)}\n\n"
            for word in WORDS[:4]:
                delta = {"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": word}}
                yield f"event: content_block_delta\ndata: {json.dumps(delta)}\n\n"
            error = {"type": "error", "error": {"type": "overloaded_error",
                                                "message": "Overloaded"}}
            yield f"event: error\ndata: {json.dumps(error)}\n\n"
        return StreamingResponse(body(), media_type="text/event-stream")

    return Starlette(routes=[
        Route("/slow/v1/chat/completions", slow, methods=["POST"]),
        Route("/cut/v1/chat/completions", cut, methods=["POST"]),
        Route("/acut/v1/messages", anthropic_cut, methods=["POST"]),
    ])


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, UpstreamLog]]:
    log = UpstreamLog()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(scripted_upstream(log), log_level="critical",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", log
    server.should_exit = True
    thread.join(timeout=5)


def fault_catalog(upstream_url: str, sim_url: str) -> str:
    providers = "\n".join(
        f"""  {name}:
    kind: {kind}
    base_url: {base}
    api_key: k
    timeout_s: 3""" for name, kind, base in (
            ("slow", "openai", f"{upstream_url}/slow/v1"),
            ("cut", "openai", f"{upstream_url}/cut/v1"),
            ("acut", "anthropic", f"{upstream_url}/acut"),
            ("flakyfive", "openai", f"{sim_url}/flakyfive/v1"),
            ("flakyreset", "anthropic", f"{sim_url}/flakyreset"),
            ("steady", "gemini", f"{sim_url}/steady/v1beta"),
        ))
    models = "\n".join(
        f"""  {name}:
    provider: {provider}
    input_per_mtok: {price}
    output_per_mtok: {price}
    tiers: [simple, moderate, complex, reasoning]""" for name, provider, price in (
            ("slow-model", "slow", 1), ("cut-model", "cut", 1), ("acut-model", "acut", 3),
            ("flaky-a", "flakyfive", 0.01), ("flaky-b", "flakyreset", 0.02),
            ("steady-model", "steady", 0.5),
        ))
    tiers = "\n".join(f"    {t}: [flaky-a, flaky-b, steady-model]"
                      for t in ("simple", "moderate", "complex", "reasoning"))
    return f"providers:\n{providers}\nmodels:\n{models}\nrouting:\n  tiers:\n{tiers}\n"


@pytest.fixture(scope="module")
def fault_router(
    tmp_path_factory: pytest.TempPathFactory, upstream: tuple[str, UpstreamLog],
    simulator: SimulatorProcess, storage: Storage,
) -> Iterator[RouterProcess]:
    config: Path = tmp_path_factory.mktemp("faults") / "catalog.yaml"
    config.write_text(fault_catalog(upstream[0], simulator.url))
    storage.add_key(KEY)
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)



def stream_request(router: RouterProcess, model: str) -> httpx.Request:
    body = {"model": model, "stream": True,
            "messages": [{"role": "user", "content": "Tell me about gears."}]}
    return httpx.Request("POST", f"{router.url}/v1/chat/completions", json=body,
                         headers={"authorization": f"Bearer {KEY}"})


def test_failover_before_the_first_token(
    fault_router: RouterProcess, simulator: SimulatorProcess, storage: Storage
) -> None:
    # The two cheapest candidates fail before a token: one with a 503, one with a 200
    # whose body breaks off. The client only ever sees the third's stream.
    httpx.post(f"{simulator.url}/_sim/faults", json={"provider": "flakyfive", "mode": "down",
                                                     "count": -1}).raise_for_status()
    httpx.post(f"{simulator.url}/_sim/faults", json={"provider": "flakyreset",
                                                     "mode": "reset", "count": -1}
               ).raise_for_status()
    try:
        client = openai_client(f"{fault_router.url}/v1", KEY)
        with client.chat.completions.with_streaming_response.create(
            model="auto", messages=[{"role": "user", "content": "Where is my order?"}],
            stream=True,
        ) as raw:
            assert raw.headers["x-router-model"] == "steady-model"
            assert "failed over to steady-model" in raw.headers["x-router-reason"]
            text = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
            request_id = raw.headers["x-request-id"]
    finally:
        for name in ("flakyfive", "flakyreset"):
            httpx.delete(f"{simulator.url}/_sim/faults", params={"provider": name})
    assert text.endswith("(Simulated by steady-model.)")
    item = storage.ledger_item(request_id)
    outcomes = [(a["model"], a["outcome"]) for a in item["attempts"]]
    # The executor may retry a target before failing over; the order is the chain's.
    assert outcomes[-1] == ("steady-model", "ok")
    assert ("flaky-a", "upstream_503") in outcomes
    assert ("flaky-b", "upstream_connection_error") in outcomes  # 200, then a broken body
    assert [m for m, _ in outcomes] == sorted(m for m, _ in outcomes)
    assert item["success"] is True and item["model"] == "steady-model"
    assert item["usage_source"] == "reported"


def test_provider_failure_mid_stream_ends_with_an_error_event_and_books_partial_usage(
    fault_router: RouterProcess, storage: Storage
) -> None:
    client = openai_client(f"{fault_router.url}/v1", KEY)
    received = ""
    with client.chat.completions.with_streaming_response.create(
        model="cut-model", messages=[{"role": "user", "content": "Tell me about gears."}],
        stream=True,
    ) as raw:
        assert raw.status_code == 200  # the status went out with the first chunk
        request_id = raw.headers["x-request-id"]
        with pytest.raises(openai.APIError, match="mid-stream"):
            for chunk in raw.parse():
                received += chunk.choices[0].delta.content or ""
    assert received == "".join(WORDS[:5])
    item = storage.ledger_item(request_id)
    assert item["success"] is False and item["error_code"] == "stream_interrupted"
    assert item["usage_source"] == "estimated"
    assert item["completion_tokens"] >= 5 and item["prompt_tokens"] > 0
    assert item["cost_usd"] > 0


def test_anthropic_error_event_keeps_the_reported_prompt_tokens(
    fault_router: RouterProcess, storage: Storage
) -> None:
    with httpx.Client(timeout=10) as http:
        resp = http.send(stream_request(fault_router, "acut-model"), stream=True)
        lines = [line for line in resp.iter_lines() if line.startswith("data: ")]
        request_id = resp.headers["x-request-id"]
    last = json.loads(lines[-1][6:])
    assert set(last) == {"error"} and last["error"]["code"] == "stream_interrupted"
    assert "overloaded_error" in last["error"]["message"]
    item = storage.ledger_item(request_id)
    assert item["prompt_tokens"] == 42  # from message_start, the provider's own count
    assert item["usage_source"] == "estimated" and item["completion_tokens"] >= 4


def test_client_disconnect_cancels_the_upstream_and_settles(
    fault_router: RouterProcess, storage: Storage, upstream: tuple[str, UpstreamLog]
) -> None:
    log = upstream[1]
    with httpx.Client(timeout=10) as http:
        resp = http.send(stream_request(fault_router, "slow-model"), stream=True)
        request_id = resp.headers["x-request-id"]
        seen = 0
        for line in resp.iter_lines():
            seen += line.startswith("data: ")
            if seen == 4:
                break
        resp.close()  # hang up mid-answer
    deadline = time.monotonic() + 5
    while "slow" not in log.cancelled_after:
        assert time.monotonic() < deadline, "the upstream request was never cancelled"
        time.sleep(0.02)
    # The upstream was cut off a few chunks after the hang-up, not after its 200: counted
    # in chunks, not seconds, so a loaded machine cannot fail it (a wall-clock bound here
    # would only measure the load).
    assert log.cancelled_after["slow"] < 20
    item = storage.ledger_item(request_id)
    assert item["stream"] is True and item["success"] is False
    assert item["status"] == 499 and item["error_code"] == "client_disconnected"
    assert item["usage_source"] == "estimated"
    # Booked: what the router relayed before the hang-up (one token per word here).
    assert 3 <= item["completion_tokens"] <= 2 * log.cancelled_after["slow"] + 2


def test_reconcile_lists_estimated_and_reported_totals_per_provider(
    fault_router: RouterProcess, storage: Storage
) -> None:
    # Runs after the tests above in this module: their items are in this module's tables.
    out = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "ledger", "reconcile", "--tenant", TENANT],
        env={**os.environ, **storage.env()}, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout
    rows = {r["provider"]: r for r in map(json.loads, out.splitlines())}
    assert rows["cut"]["estimated"]["requests"] >= 1
    assert rows["steady"]["reported"]["requests"] >= 1
    assert Decimal(rows["cut"]["estimated"]["cost_usd"]) > 0
