"""The simulator's path-named operations (Gemini's ``:method``, Bedrock's ``/operation``),
in-process over httpx's ASGI transport (whole bodies only; streaming is tested against
the simulator process)."""

from __future__ import annotations

import anyio
import httpx
import pytest

from llm_router_local.simulator.app import create_app
from llm_router_local.simulator.faults import SimState


def post(path: str, body: dict[str, object]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(SimState(global_latency_ms=0)))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return await client.post(path, json=body,
                                     headers={"x-goog-api-key": "k", "authorization": "k"})

    return anyio.run(go)


GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "Do you ship to Canada?"}]}]}


@pytest.mark.parametrize(("path", "noun"), [
    ("/g/v1beta/models/gemini-x:countTokens", "method 'countTokens'"),
    ("/b/model/amazon.nova-micro-v1:0/invoke", "operation 'invoke'"),
])
def test_an_unknown_operation_is_a_404_in_the_format_s_error_shape(path: str,
                                                                   noun: str) -> None:
    resp = post(path, GEMINI_BODY)
    assert resp.status_code == 404
    assert f"unknown {noun}" in resp.text


def test_a_known_gemini_method_is_answered_whole() -> None:
    resp = post("/g/v1beta/models/gemini-x:generateContent", GEMINI_BODY)
    assert resp.status_code == 200, resp.text
    assert resp.json()["candidates"][0]["content"]["parts"][0]["text"]
