"""The router's own thread CPU per c1 request, piece by piece (docs/performance.md,
"Where a c1 request's time goes").

    .venv/bin/python bench/app_pieces.py [--requests 3000]
    PYTHONPATH=<another build's layers/core>:<its local> .venv/bin/python bench/app_pieces.py

bench/app_cost.py's app and driver (the app as ``serve`` builds it, direct ASGI calls,
the embedded store and the loopback upstream in their own processes, the collector off
while measuring), with each piece below wrapped to add up its thread CPU
(``time.thread_time_ns``: the kernel's share of a send counts too). Pieces nest (an
indented one runs inside the one above it); a wrapped piece runs with the caches other
work left between requests, so it costs two to three times what a timeit loop of it
does, and each wrapper adds about a microsecond. Timings move with the machine's load:
alternate builds in one window and say the load.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import inspect
import os
import sys
import time
from typing import Any

import app_cost
from starlette import responses

from llm_router import auth, service
from llm_router.api import app as api
from llm_router.providers import transport
from llm_router.providers.openai import adapter
from llm_router.storage import ledger, loop_client, wire_json

_spent: collections.Counter[str] = collections.Counter()


def _wrap(owner: Any, name: str, label: str) -> None:
    original = getattr(owner, name)
    clock = time.thread_time_ns
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return await original(*args, **kwargs)
            finally:
                _spent[label] += clock() - started
    else:
        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            started = clock()
            try:
                return original(*args, **kwargs)
            finally:
                _spent[label] += clock() - started
    setattr(owner, name, timed)


PIECES = [
    (api.RouterApp, "__call__", "the app, all of it"),
    (service.ChatService, "_settle", "settle"),
    (ledger.DynamoLedger, "transaction", "  items (ledger item, rollup updates)"),
    (wire_json.PlannedJSONSerializer, "serialize_to_request", "  serialize_to_request"),
    (loop_client.LoopDynamoClient, "call", "  the store call, with botocore's events"),
    (loop_client.LoopDynamoClient, "_send", "    _send (inside ddb-N)"),
    (service.ChatService, "_call", "upstream phase"),
    (transport, "send", "  aiohttp: to status and headers"),
    (adapter.OpenAIAdapter, "build_request", "  build_request"),
    (transport, "body_bytes", "  body_bytes"),
    (adapter.OpenAIAdapter, "parse_response", "  parse_response"),
    (service.ChatService, "_parse", "parse and validate the body"),
    (service, "guard_input", "input guards"),
    (service.ChatService, "_guard_output", "output guard"),
    (auth.Authenticator, "authenticate_cached", "authentication (key cache)"),
    (api, "new_request_id", "request id"),
    (service.ChatService, "_admit", "admission"),
    (responses.Response, "__init__", "Response.__init__"),
    (responses.Response, "__call__", "Response.__call__"),
]


async def _drive(app: Any, services: Any, requests: int, warmup: int) -> float:
    for i in range(warmup):
        await app_cost._one(app, i)
    gc.collect()
    gc.disable()
    _spent.clear()
    started = time.thread_time()
    for i in range(requests):
        await app_cost._one(app, 10**6 + i)
    cpu_ms = (time.thread_time() - started) / requests * 1000
    gc.enable()
    for _, _, label in PIECES:
        print(f"{label:44s} {_spent[label] / requests / 1000:7.1f} us")
    await services.chat.aclose()
    return cpu_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    for owner, name, label in PIECES:
        _wrap(owner, name, label)
    app_cost._drive = _drive  # type: ignore[assignment]
    sys.argv = [sys.argv[0], "--requests", str(args.requests), "--warmup", str(args.warmup)]
    app_cost.main()
    print(f"(pieces: per request, thread CPU, wrappers included; load average "
          f"{os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
