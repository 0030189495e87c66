"""CPU of the router's app per chat completion, in-process: no uvicorn, no HTTP client.

    .venv/bin/python bench/app_cost.py [--requests 1000] [--warmup 100]

Builds the app as ``llm-router serve`` does (the embedded store in its own process, the
loopback bench upstream in another; explicit model, cache off, the dev key without
limits) and sends it POST /v1/chat/completions as direct ASGI calls from this thread, one
at a time, each with a new prompt. Prints this process's CPU per request, which is the
app's own (the store and the upstream run elsewhere; the ASGI driver costs a few us).
The collector is off while measuring: its passes land in one run's window and not in
another's (tens of millions of instructions each), and arms are to compare on their own
work.

Timings on a shared machine move with its load; instruction counts do not. Run under
callgrind at two sizes and divide the difference (callgrind follows only this process;
a fixed hash seed keeps dict and set layouts the same from run to run):

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/app_cost.py --requests 30
    (the same with --requests 180: (I180 - I30) / 150 instructions per request; another
    build's code with PYTHONPATH=<its layers/core>:<its local>)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from peer.gateways import KEY, MODEL, start_upstream

from llm_router.api.app import create_app
from llm_router.bootstrap import build_encoders, build_services
from llm_router.catalog import load_catalog
from llm_router.providers.session import UpstreamHttp
from llm_router.settings import RouterSettings
from llm_router_local.stack import DEV_TENANT, LocalStack

CATALOG = """
providers:
  testup: {{kind: openai, base_url: "{url}", api_key: upstream-key}}
models:
  {model}:
    provider: testup
    upstream_model: up-model
    input_per_mtok: 0.15
    output_per_mtok: 0.60
    tiers: [simple, moderate, complex, reasoning]
cache: {{enabled: false}}
# The breaker table and free-tier usage are re-read every 2 s by default: under callgrind
# (tens of times slower) that is a storage call every few requests, as many as the
# machine's load makes the run last. Read once here, so counts do not move with the load.
resilience: {{breaker: {{cache_ttl_s: 3600}}, quota_cache_ttl_s: 3600}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    upstream = start_upstream()
    folder = tempfile.TemporaryDirectory(prefix="app-cost-")
    config = Path(folder.name) / "catalog.yaml"
    config.write_text(CATALOG.format(url=upstream.url, model=MODEL))
    settings = RouterSettings(environment="dev", admin_tenant=DEV_TENANT,
                              config_path=config)
    stack = LocalStack.start(settings, load_catalog(config), simulate="off")
    try:
        stack.register_dev_key(KEY)
        services = build_services(stack.settings, http=UpstreamHttp(), catalog=stack.catalog,
                                  mode=stack.mode)
        build_encoders()
        app = create_app(services)
        gc.freeze()  # as serve does after start-up
        cpu_ms = _run(_drive(app, services, args.requests, args.warmup))
    finally:
        stack.stop()
        upstream.stop()
        folder.cleanup()
    print(f"app CPU per request: {cpu_ms:.3f} ms over {args.requests} requests "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


def _run(work: Any) -> float:
    try:
        import uvloop  # serve's loop (requirements/serve.txt)
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)  # type: ignore[no-any-return]


async def _drive(app: Any, services: Any, requests: int, warmup: int) -> float:
    for i in range(warmup):
        await _one(app, i)
    gc.collect()
    gc.disable()
    started = time.process_time()
    for i in range(requests):
        await _one(app, 10**6 + i)
    cpu_ms = (time.process_time() - started) / requests * 1000
    gc.enable()
    await services.chat.aclose()
    return cpu_ms


async def _one(app: Any, i: int) -> None:
    body = json.dumps({"model": MODEL, "max_tokens": 16, "stream": False, "messages": [
        {"role": "user", "content": f"Benchmark request {i}: say hello."}]}).encode()
    # The headers bench/peer's httpx client sends.
    headers = [(b"host", b"127.0.0.1:8080"), (b"accept", b"*/*"),
               (b"accept-encoding", b"gzip, deflate"), (b"connection", b"keep-alive"),
               (b"user-agent", b"python-httpx"), (b"authorization", f"Bearer {KEY}".encode()),
               (b"content-length", str(len(body)).encode()),
               (b"content-type", b"application/json")]
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions",
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080), "state": {}}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect: the request runs to its end
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [200]:
        raise SystemExit(f"request {i} answered {statuses}")


if __name__ == "__main__":
    raise SystemExit(main())
