"""``llm-router simulate``: run the provider simulator on loopback.

Prints ``simulator listening on http://HOST:PORT`` once the server accepts connections,
so scripts (and tests) can start it with ``--port 0`` and read the chosen port.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from typing import Any

from llm_router_local.cli import CommandError
from llm_router_local.simulator.app import create_app
from llm_router_local.simulator.faults import SimState
from llm_router_local.sockets import listening_socket


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "simulate",
        help="run the LLM provider simulator (OpenAI, Anthropic, Gemini, Bedrock wire formats)",
        description="Serve simulated providers at /{provider}/v1/chat/completions (OpenAI), "
        "/{provider}/v1/messages (Anthropic), /{provider}/v1beta/models/{model}:generateContent "
        "and :streamGenerateContent (Gemini) and /{provider}/model/{model}/converse and "
        "/converse-stream (Bedrock); {provider} is any name, the one a catalog's base_url "
        "uses. Script faults at /_sim/faults, set latency at /_sim/latency, read counters "
        "at /_sim/stats.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=18080,
                        help="port (default 18080; 0 picks a free one)")
    parser.add_argument(
        "--latency-ms",
        action="append",
        default=[],
        metavar="[PROVIDER=]MS",
        help="added latency: MS for every provider, or PROVIDER=MS (repeatable); "
        "default 20-60 ms, distinct per provider",
    )
    parser.add_argument(
        "--chunk-delay-ms", type=int, default=15,
        help="pause between streamed chunks (default 15)"
    )
    parser.add_argument(
        "--hang-s", type=float, default=30.0,
        help="how long the 'timeout' fault holds a request (default 30)"
    )
    parser.add_argument("--log-level", default="warning",
                        choices=("critical", "error", "warning", "info", "debug", "trace"),
                        help="uvicorn's log level (default warning)")
    parser.set_defaults(run=run)


def state_from(args: argparse.Namespace) -> SimState:
    state = SimState(chunk_delay_ms=args.chunk_delay_ms, hang_s=args.hang_s)
    for item in args.latency_ms:
        name, sep, value = item.rpartition("=")
        try:
            ms = int(value)
        except ValueError:
            ms = -1
        if ms < 0:
            raise CommandError(f"--latency-ms {item!r}: expected MS or PROVIDER=MS, "
                               "MS a whole number of milliseconds >= 0")
        if sep:
            state.latency_ms[name] = ms
        else:
            state.global_latency_ms = ms
    return state


def run(args: argparse.Namespace) -> int:
    import uvicorn  # only the serving commands need it

    # Bind first so --port 0 yields the real port before uvicorn starts.
    sock = listening_socket(args.host, args.port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(state_from(args)),
        log_level=args.log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    host = f"[{args.host}]" if ":" in args.host else args.host
    asyncio.run(_serve(server, sock, f"http://{host}:{port}"))
    return 0


async def _serve(server: Any, sock: socket.socket, url: str) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        print(f"simulator listening on {url}", flush=True)
    await task
