"""Where one c1 request's time goes inside ``llm-router serve``, step by step.

    .venv/bin/python bench/request_path.py [--requests 1000] [--stream] [--serve OPTIONS]

Runs ``serve`` (embedded store, one loopback upstream, explicit model, cache off, as
``make bench-peer``) with marks at each step of the request path
(bench/request_path_marks/sitecustomize.py: uvicorn's first and last bytes of the
request, the handler, parse, route, admission, aiohttp writing the upstream request and
reading its headers, the settle, the hop to the worker thread, the storage call, the
response written). The client marks its send and its receipt on the same clock
(``perf_counter`` is system-wide). Prints, for each mark, the median time since uvicorn
saw the request's first bytes and the step from the mark before; then the client's
wait for the router and for the upstream directly. With ``--stream``, the client's mark
is the first content chunk. Run it on a quiet machine: every step is a wake-up or a
few hundred microseconds of CPU, and both stretch under load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from peer.gateways import Gateway, start_router, start_upstream
from peer.load import body

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

MARKS = Path(__file__).with_name("request_path_marks")
HOOK = Path(__file__).with_name("marks_hook")  # their sitecustomize's serve hook


async def _client(gateway: Gateway, requests: int, stream: bool,
                  offset: int) -> list[tuple[float, float]]:
    """(sent, answered) per request, ``perf_counter`` seconds."""
    times: list[tuple[float, float]] = []
    async with httpx.AsyncClient(base_url=gateway.url, timeout=60,
                                 headers={"authorization": f"Bearer {gateway.key}"}) as client:
        for i in range(offset, offset + requests):
            started = time.perf_counter()
            if not stream:
                (await client.post("/chat/completions", json=body(gateway, i))).raise_for_status()
                times.append((started, time.perf_counter()))
                continue
            first = None
            async with client.stream("POST", "/chat/completions",
                                     json=body(gateway, i, stream=True)) as response:
                async for line in response.aiter_lines():
                    if first is None and line.startswith("data:") and '"content"' in line:
                        first = time.perf_counter()
            times.append((started, first if first is not None else float("nan")))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--serve", default="", metavar="OPTIONS",
                        help="serve's options, e.g. '--loop asyncio --http h11'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="request-path-") as folder:
        out = Path(folder) / "marks.jsonl"
        os.environ["REQUEST_PATH_MARKS"] = str(out)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(MARKS), str(HOOK), os.environ.get("PYTHONPATH")]))
        upstream = start_upstream()
        try:
            asyncio.run(_client(upstream, args.warmup, args.stream, 0))
            direct = asyncio.run(_client(upstream, args.requests, args.stream, 10**6))
            router = start_router(upstream, serve_args=args.serve.split())
            try:
                asyncio.run(_client(router, args.warmup, args.stream, 0))
                routed = asyncio.run(_client(router, args.requests, args.stream, 10**6))
            finally:
                router.stop()  # its exit writes the last marks
        finally:
            upstream.stop()
        rows = read_jsonl(out)[-args.requests:]
    _report(rows, routed, direct, args)
    return 0


def _report(rows: list[dict[str, float]], routed: list[tuple[float, float]],
            direct: list[tuple[float, float]], args: argparse.Namespace) -> None:
    steps: dict[str, list[float]] = {}
    for row, (sent, answered) in zip(rows, routed, strict=True):
        zero = row["request_head"]
        row = {**row, "client_sent": sent, "client_answered": answered}
        for name, at in row.items():
            steps.setdefault(name, []).append((at - zero) * 1000)
    print(f"{len(rows)} requests{' (stream: first chunk)' if args.stream else ''}, "
          f"load average {os.getloadavg()[0]:.1f}; ms since uvicorn saw the first bytes "
          "(medians)")
    previous = None
    for name in sorted(steps, key=lambda n: statistics.median(steps[n])):
        at = statistics.median(steps[name])
        step = "" if previous is None else f"  (+{at - previous:.3f})"
        print(f"  {name:24s} {at:8.3f}{step}")
        previous = at
    waits = {"router": routed, "direct": direct}
    print("client's wait, p50 ms: " + ", ".join(
        f"{name} {statistics.median((b - a) * 1000 for a, b in times):.3f}"
        for name, times in waits.items()))


if __name__ == "__main__":
    raise SystemExit(main())
