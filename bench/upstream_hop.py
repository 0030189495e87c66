"""CPU of one upstream call through httpx: the client's full path against ``send``.

    .venv/bin/python bench/upstream_hop.py [--calls 300] [--rounds 6] [--aiohttp-from DIR]

Starts the loopback bench upstream (bench/peer/upstream.py) and, alternating by round,
posts the same chat request ``--calls`` times (a) with ``AsyncClient.request`` (what
``call_provider`` did before) and (b) with ``build_request`` and
``llm_router.providers.transport.send`` (the client's transport, without its auth,
redirect, cookie and stream-wrapper layers), reading and parsing the JSON answer each
time. Prints this thread's CPU per call (min and median over rounds): the upstream runs
in its own process, so only the client side is counted.

``--aiohttp-from DIR`` adds (c) aiohttp's ``ClientSession.post``, imported from the
site-packages folder DIR (appended to ``sys.path``, so httpx stays the dev venv's):
aiohttp is not a dependency, and ``make bench-peer``'s LiteLLM virtualenv has one
(``.venv-litellm/lib/python3.11/site-packages``). For sizing a swap, not used anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from peer.gateways import start_upstream

from llm_router.providers.transport import send

BODY = {"model": "up-model", "max_tokens": 16,
        "messages": [{"role": "user", "content": "Benchmark request 1: say hello."}]}
HEADERS = {"authorization": "Bearer upstream-key"}


async def _measure(url: str, calls: int, rounds: int,
                   aiohttp: Any = None) -> dict[str, list[float]]:
    session = aiohttp.ClientSession() if aiohttp is not None else None
    async with httpx.AsyncClient() as client:
        async def full() -> object:
            response = await client.request("POST", url, json=BODY, headers=HEADERS,
                                            timeout=30)
            return response.json()

        async def transport() -> object:
            outgoing = client.build_request("POST", url, json=BODY, headers=HEADERS,
                                            timeout=30)
            response = await send(client, outgoing)
            await response.aread()
            return response.json()

        async def via_aiohttp() -> object:
            assert session is not None
            async with session.post(url, json=BODY, headers=HEADERS,
                                    timeout=aiohttp.ClientTimeout(total=30)) as response:
                return await response.json()

        arms: dict[str, Callable[[], Awaitable[object]]] = {
            "AsyncClient.request": full, "build_request + send": transport}
        if session is not None:
            arms["aiohttp ClientSession.post"] = via_aiohttp
        results: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(rounds):
            for name, call in arms.items():
                for _ in range(30):
                    await call()
                started = time.thread_time()
                for _ in range(calls):
                    await call()
                results[name].append((time.thread_time() - started) / calls * 1000)
    if session is not None:
        await session.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--aiohttp-from", metavar="DIR",
                        help="site-packages folder to import aiohttp from (adds its arm)")
    args = parser.parse_args()
    aiohttp = None
    if args.aiohttp_from:
        sys.path.append(args.aiohttp_from)
        import aiohttp  # type: ignore[no-redef]
    upstream = start_upstream()
    try:
        results = asyncio.run(_measure(upstream.url + "/chat/completions", args.calls,
                                       args.rounds, aiohttp))
    finally:
        upstream.stop()
    for name, values in results.items():
        print(f"{name}: CPU per call {min(values):.3f} ms min, "
              f"{statistics.median(values):.3f} ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
