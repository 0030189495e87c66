"""CPU of one upstream call: httpx (the router before) against aiohttp (the router now).

    .venv/bin/python bench/upstream_hop.py [--calls 300] [--rounds 6]

Starts the loopback bench upstream (bench/peer/upstream.py) and, alternating by round,
posts the same chat request ``--calls`` times (a) with httpx's ``AsyncClient.request``,
(b) with httpx's ``build_request`` and the client's transport for the URL (the router's
provider call until 2026-12-03: no auth flow, redirect loop, cookie jar or stream
wrapper), and (c) with ``llm_router.providers.transport.send`` on an ``UpstreamHttp``
(aiohttp, the router's provider call now), reading and parsing the JSON answer each
time. Prints this thread's CPU per call (min and median over rounds: the upstream runs
in its own process, so only the client side is counted) and the wall time per call
(mean of a round's calls; median over rounds), which includes the upstream's answer.
httpx is a development dependency here (the tests' client), no longer the router's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from peer.gateways import start_upstream

from llm_router.providers.session import UpstreamHttp
from llm_router.providers.transport import send

BODY = {"model": "up-model", "max_tokens": 16,
        "messages": [{"role": "user", "content": "Benchmark request 1: say hello."}]}
HEADERS = {"authorization": "Bearer upstream-key"}


async def _measure(url: str, calls: int,
                   rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    upstream = UpstreamHttp()
    async with httpx.AsyncClient() as client:
        async def full() -> object:
            response = await client.request("POST", url, json=BODY, headers=HEADERS,
                                            timeout=30)
            return response.json()

        async def transport() -> object:
            outgoing = client.build_request("POST", url, json=BODY, headers=HEADERS,
                                            timeout=30)
            response = await client._transport_for_url(outgoing.url).handle_async_request(
                outgoing)
            await response.aread()
            return response.json()

        async def via_aiohttp() -> object:
            body = json.dumps(BODY, ensure_ascii=False, separators=(",", ":")).encode()
            response = await send(upstream, "POST", url, HEADERS, body, 30)
            try:
                return json.loads(await response.read())
            finally:
                response.release()

        arms: dict[str, Callable[[], Awaitable[object]]] = {
            "httpx AsyncClient.request": full,
            "httpx build_request + transport (before)": transport,
            "aiohttp UpstreamHttp + send (now)": via_aiohttp}
        results: dict[str, list[float]] = {name: [] for name in arms}
        walls: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(rounds):
            for name, call in arms.items():
                for _ in range(30):
                    await call()
                started, wall = time.thread_time(), time.perf_counter()
                for _ in range(calls):
                    await call()
                results[name].append((time.thread_time() - started) / calls * 1000)
                walls[name].append((time.perf_counter() - wall) / calls * 1000)
    await upstream.aclose()
    return results, walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    upstream = start_upstream()
    try:
        results, walls = asyncio.run(_measure(upstream.url + "/chat/completions", args.calls,
                                       args.rounds))
    finally:
        upstream.stop()
    for name, values in results.items():
        print(f"{name}: CPU per call {min(values):.3f} ms min, "
              f"{statistics.median(values):.3f} ms median; wall per call "
              f"{statistics.median(walls[name]):.3f} ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
