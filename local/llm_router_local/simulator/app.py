"""The provider simulator: one FastAPI app speaking OpenAI, Anthropic, Gemini and Bedrock
Converse for any provider name, with per-provider latency, scripted faults and request statistics.

Routes (``{provider}`` is any name; it selects latency, faults and stats):
  POST /{provider}/v1/chat/completions                      OpenAI format
  POST /{provider}/v1/messages                              Anthropic format
  POST /{provider}/v1beta/models/{model}:generateContent     Gemini format
  POST /{provider}/v1beta/models/{model}:streamGenerateContent?alt=sse
  POST /{provider}/model/{modelId}/converse                 Bedrock Converse
  POST /{provider}/model/{modelId}/converse-stream          (binary event stream)
  POST /_sim/faults, DELETE /_sim/faults, GET /_sim/faults   scripted faults (faults.py)
  POST /_sim/latency {"provider", "ms"}                      override a provider's latency
  GET /_sim/stats, POST /_sim/reset                          counters; clear all state
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

import llm_router_local.providers.anthropic.simulator as anthropic_format
import llm_router_local.providers.bedrock.simulator as bedrock_format
import llm_router_local.providers.gemini.simulator as gemini_format
import llm_router_local.providers.openai.simulator as openai_format
from llm_router_local.simulator.faults import FaultSpec, SimState
from llm_router_local.simulator.text import BadRequest, answer


class SimulatedReset(Exception):
    """Raised mid-body so the server drops the connection (the ``reset`` fault)."""


class _HideSimulatedResets(logging.Filter):
    # uvicorn logs every exception that ends a response; a scripted reset is not news.
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SimulatedReset))


class LatencySpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    provider: str = Field(min_length=1)
    ms: int = Field(ge=0)


def create_app(state: SimState | None = None) -> FastAPI:
    app = FastAPI(title="llm-router provider simulator", docs_url=None, redoc_url=None)
    sim = state or SimState()
    app.state.sim = sim
    logging.getLogger("uvicorn.error").addFilter(_HideSimulatedResets())

    @app.post("/{provider}/v1/chat/completions")
    async def openai_chat(provider: str, request: Request) -> Response:
        return await _handle(sim, request, provider, openai_format, None, stream=None)

    @app.post("/{provider}/v1/messages")
    async def anthropic_messages(provider: str, request: Request) -> Response:
        return await _handle(sim, request, provider, anthropic_format, None, stream=None)

    @app.post("/{provider}/v1beta/models/{target}")
    async def gemini_generate(provider: str, target: str, request: Request) -> Response:
        model, _, method = target.partition(":")
        return await _handle_operation(sim, request, provider, gemini_format, model, method,
                                       ("generateContent", "streamGenerateContent"), "method")

    @app.post("/{provider}/model/{target:path}")
    async def bedrock_converse(provider: str, target: str, request: Request) -> Response:
        model, _, method = target.rpartition("/")
        return await _handle_operation(sim, request, provider, bedrock_format, model, method,
                                       ("converse", "converse-stream"), "operation")

    @app.post("/_sim/faults")
    async def add_fault(spec: FaultSpec) -> dict[str, Any]:
        sim.arm(spec)
        return {"faults": sim.faults()}

    @app.get("/_sim/faults")
    async def list_faults() -> dict[str, Any]:
        return {"faults": sim.faults()}

    @app.delete("/_sim/faults")
    async def clear_faults(provider: str | None = None) -> dict[str, Any]:
        sim.clear(provider)
        return {"faults": sim.faults()}

    @app.post("/_sim/latency")
    async def set_latency(spec: LatencySpec) -> dict[str, Any]:
        sim.latency_ms[spec.provider] = spec.ms
        return {"provider": spec.provider, "ms": spec.ms}

    @app.get("/_sim/stats")
    async def stats() -> dict[str, Any]:
        return sim.stats()

    @app.post("/_sim/reset")
    async def reset() -> dict[str, Any]:
        sim.reset()
        return {"ok": True}

    return app


async def _handle_operation(
    sim: SimState,
    request: Request,
    provider: str,
    fmt: ModuleType,
    model: str,
    operation: str,
    operations: tuple[str, str],
    noun: str,
) -> Response:
    """Gemini and Bedrock name the model and the operation in the path: ``operations`` is
    the (whole answer, streamed) pair; any other is a 404 in the format's error shape."""
    whole, streamed = operations
    if operation not in (whole, streamed):
        return JSONResponse(fmt.error("invalid", f"unknown {noun} {operation!r}"), 404)
    return await _handle(sim, request, provider, fmt, model, stream=operation == streamed)


async def _handle(
    sim: SimState,
    request: Request,
    provider: str,
    fmt: ModuleType,
    path_model: str | None,
    *,
    stream: bool | None,
) -> Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        sim.record(provider, path_model or "unknown", 400)
        return JSONResponse(fmt.error("invalid", "the body is not a JSON object"), 400)
    model: str = fmt.model_of(body, path_model)
    await asyncio.sleep(sim.latency_for(provider) / 1000)

    fault = sim.take(provider, model)
    if fault is not None:
        return await _fault(sim, fault, fmt, provider, model, request)
    if not fmt.authorized(request.headers, request.query_params):
        sim.record(provider, model, 401)
        return JSONResponse(fmt.error("auth", "missing or invalid API key"), 401)
    try:
        prompt = fmt.parse(body, model)
    except BadRequest as exc:
        sim.record(provider, model, 400)
        return JSONResponse(fmt.error("invalid", str(exc)), 400)

    result = answer(prompt)
    rid, created = uuid.uuid4().hex[:24], int(time.time())
    sim.record(provider, model, 200)
    if stream is None:
        stream = body.get("stream") is True
    if not stream:
        return JSONResponse(fmt.completion(result, model, rid, created))
    if fmt is gemini_format and request.query_params.get("alt") != "sse":
        # Without alt=sse Gemini streams one JSON array; buffered here, which is enough.
        frames = fmt.stream(result, model, rid, created, body)
        return Response(
            "[" + ",".join(f[6:].strip() for f in frames) + "]", media_type="application/json"
        )
    frames = fmt.stream(result, model, rid, created, body)
    return StreamingResponse(
        _paced(frames, sim.chunk_delay_ms),
        media_type=getattr(fmt, "STREAM_MEDIA_TYPE", "text/event-stream"),
        headers={"Cache-Control": "no-cache"},
    )


async def _paced(frames: Sequence[str | bytes], delay_ms: int) -> AsyncIterator[str | bytes]:
    for i, frame in enumerate(frames):
        if i:
            await asyncio.sleep(delay_ms / 1000)
        yield frame


async def _fault(
    sim: SimState, fault: FaultSpec, fmt: ModuleType, provider: str, model: str, request: Request
) -> Response:
    if fault.mode == "timeout":
        sim.record(provider, model, "timeout")
        await _hang(request, sim.hang_s)  # the client gives up first
        return JSONResponse(fmt.error("server", "simulated timeout"), 504)
    if fault.mode == "malformed":
        sim.record(provider, model, "malformed")
        return Response('{"id": "sim-broken", "choices": [', media_type="application/json")
    if fault.mode == "reset":
        sim.record(provider, model, "reset")
        return StreamingResponse(
            _reset_midway(), media_type="application/json", headers={"Content-Length": "4096"}
        )
    if fault.mode == "429":
        retry_after = 1.0 if fault.retry_after is None else fault.retry_after
        headers = {"Retry-After": str(math.ceil(retry_after))}
        if fmt is openai_format:
            headers["retry-after-ms"] = str(round(retry_after * 1000))
        sim.record(provider, model, 429)
        return JSONResponse(fmt.error("rate", "simulated rate limit"), 429, headers=headers)
    status = 500 if fault.mode == "500" else int(fmt.DOWN_STATUS)
    kind = "server" if fault.mode == "500" else "down"
    sim.record(provider, model, status)
    return JSONResponse(fmt.error(kind, f"simulated {fault.mode}"), status)


async def _hang(request: Request, seconds: float) -> None:
    # Stop as soon as the client hangs up, so a shutdown never waits on abandoned requests.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not await request.is_disconnected():
        await asyncio.sleep(0.05)


async def _reset_midway() -> AsyncIterator[bytes]:
    yield b'{"id": "sim-reset", "choices": ['
    raise SimulatedReset("simulated connection reset")
