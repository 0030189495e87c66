"""Driving a gateway: keep-alive clients, fixed concurrency, per-request measurements."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import httpx

from .gateways import Gateway

# The load generator shares the machine's cores with the gateway it measures, so its own
# CPU per request caps what any gateway can show at c32. httpx (what the openai SDK uses)
# spends about 1 ms of CPU per request here, as much as the router itself
# (bench/router_ab.py's per-process split); aiohttp's client spends less. Both keep one
# connection per worker alive. Reports name the client.
CLIENTS = ("aiohttp", "httpx")


@dataclass
class Sample:
    ms: float
    ok: bool
    phases: dict[str, float] = field(default_factory=dict)
    calls: list[tuple[str, float]] = field(default_factory=list)
    cache: str = ""  # the router's x-router-cache: miss, exact, semantic, bypass
    request: int = -1  # its number in ``drive`` (samples are kept in the order they end)


@dataclass
class Run:
    samples: list[Sample]
    seconds: float

    @property
    def latencies(self) -> list[float]:
        return [s.ms for s in self.samples if s.ok]

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    @property
    def rps(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# The same ask, worded two ways: the second is a paraphrase the router's semantic cache
# serves from the first's entry (checked by `llm-router cache-probe`: similarity 0.97).
PROMPTS = {"plain": "Benchmark request {i}: say hello.",
           "paraphrase": "Benchmark request {i}: please say hello."}


def body(gateway: Gateway, i: int, *, stream: bool = False,
         wording: str = "plain", pad: str = "") -> dict[str, object]:
    """A unique prompt per request (``i``), so no gateway can answer from a cache unless
    the prompt is sent again (or, with ``wording="paraphrase"``, reworded); ``pad``
    follows it (a long message)."""
    payload: dict[str, object] = {
        "model": gateway.model, "max_tokens": 16, "stream": stream,
        "messages": [{"role": "user", "content": PROMPTS[wording].format(i=i) + pad}]}
    if stream:
        payload["stream_options"] = {"include_usage": True}
    return payload


def server_timing(header: str) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Phases (auth, admit, ...) and storage calls (ddb-N) from a Server-Timing header."""
    phases: dict[str, float] = {}
    calls: list[tuple[str, float]] = []
    for part in filter(None, (p.strip() for p in header.split(","))):
        name, *params = (x.strip() for x in part.split(";"))
        values = dict(p.split("=", 1) for p in params if "=" in p)
        ms = float(values.get("dur", "nan"))
        if name.startswith("ddb-"):
            calls.append((values.get("desc", "?").strip('"'), ms))
        else:
            phases[name] = ms
    return phases, calls


async def drive(gateway: Gateway, requests: int, concurrency: int, *, stream: bool = False,
                offset: int = 0, wording: str = "plain",
                progress: Callable[[int, Run], None] | None = None,
                client: str = "aiohttp",
                mix: Callable[[int], tuple[int, str]] | None = None, pad: str = "") -> Run:
    """``requests`` requests, ``concurrency`` at a time, each client keeping its connection
    (``client``: one of ``CLIENTS``). For a stream, the sample is the time to the first
    content chunk. ``mix``: request number -> (prompt number, wording), for a run that
    sends some prompts again (default: request ``i`` sends prompt ``i`` in ``wording``);
    ``pad``: text after every prompt (``body``)."""
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; choose from {', '.join(CLIENTS)}")
    samples: list[Sample] = []
    counter = iter(range(offset, offset + requests))
    headers = {"authorization": f"Bearer {gateway.key}"}
    started = time.perf_counter()

    kind = client

    async def worker() -> None:
        if kind == "aiohttp":
            await aiohttp_worker()
            return
        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=60,
                                     limits=httpx.Limits(max_connections=1)) as client:
            for i in counter:
                n, said = mix(i) if mix else (i, wording)
                samples.append(await _one(client, gateway, n, stream, said, pad))
                samples[-1].request = i
                if progress is not None and len(samples) % 1000 == 0:
                    progress(len(samples), Run(samples, time.perf_counter() - started))

    async def aiohttp_worker() -> None:
        url = gateway.url.rstrip("/") + "/chat/completions"
        async with aiohttp.ClientSession(
                headers=headers, timeout=aiohttp.ClientTimeout(total=60),
                connector=aiohttp.TCPConnector(limit=1)) as session:
            for i in counter:
                n, said = mix(i) if mix else (i, wording)
                samples.append(await _one_aiohttp(session, url, gateway, n, stream, said, pad))
                samples[-1].request = i
                if progress is not None and len(samples) % 1000 == 0:
                    progress(len(samples), Run(samples, time.perf_counter() - started))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(samples, time.perf_counter() - started)


async def _one(client: httpx.AsyncClient, gateway: Gateway, i: int, stream: bool,
               wording: str, pad: str = "") -> Sample:
    t0 = time.perf_counter()
    try:
        if not stream:
            resp = await client.post("/chat/completions",
                                     json=body(gateway, i, wording=wording, pad=pad))
            ms = (time.perf_counter() - t0) * 1000
            phases, calls = server_timing(resp.headers.get("server-timing", ""))
            return Sample(ms, resp.status_code == 200, phases, calls,
                          resp.headers.get("x-router-cache", ""))
        async with client.stream("POST", "/chat/completions",
                                 json=body(gateway, i, stream=True, pad=pad)) as resp:
            first = None
            async for line in resp.aiter_lines():
                if first is None and line.startswith("data:") and '"content"' in line:
                    first = (time.perf_counter() - t0) * 1000
            phases, calls = server_timing(resp.headers.get("server-timing", ""))
            return Sample(first if first is not None else float("nan"),
                          resp.status_code == 200 and first is not None, phases, calls)
    except httpx.HTTPError:
        return Sample((time.perf_counter() - t0) * 1000, False)


async def _one_aiohttp(session: aiohttp.ClientSession, url: str, gateway: Gateway, i: int,
                       stream: bool, wording: str, pad: str = "") -> Sample:
    t0 = time.perf_counter()
    try:
        if not stream:
            async with session.post(url, json=body(gateway, i, wording=wording, pad=pad)) as resp:
                await resp.read()
                ms = (time.perf_counter() - t0) * 1000
                phases, calls = server_timing(resp.headers.get("server-timing", ""))
                return Sample(ms, resp.status == 200, phases, calls,
                              resp.headers.get("x-router-cache", ""))
        async with session.post(url, json=body(gateway, i, stream=True, pad=pad)) as resp:
            first = None
            async for raw in resp.content:
                if first is None and raw.startswith(b"data:") and b'"content"' in raw:
                    first = (time.perf_counter() - t0) * 1000
            phases, calls = server_timing(resp.headers.get("server-timing", ""))
            return Sample(first if first is not None else float("nan"),
                          resp.status == 200 and first is not None, phases, calls)
    except (aiohttp.ClientError, TimeoutError):
        return Sample((time.perf_counter() - t0) * 1000, False)
