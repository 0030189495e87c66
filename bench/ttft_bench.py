"""Time to first token: straight to the provider simulator vs through the router.

    .venv/bin/python bench/ttft_bench.py        # writes bench/results/ttft.json

Starts ``llm-router simulate`` (no added latency, 20 ms between chunks) and
``llm-router serve`` (embedded store, the simulator as every provider) on 127.0.0.1,
then for each wire format alternates a direct streaming request to the simulator and
the same request through the router, measuring the time from sending the request to
the first ``data:`` event. The router's added time to first token is the per-pair
difference (router minus direct), reported as p50/p95. Same machine, same upstream,
bounded loops, everything it starts is stopped by PID.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from llm_router_local.processes import stop_process, wait_for_line

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "ttft.json"
KEY = "sk-lr-bench-ttft"
QUESTION = "How do I adjust the rear derailleur when the chain skips between two gears?"
CATALOG = """
providers:
  benchopenai: {{kind: openai, base_url: "{sim}/benchopenai/v1", api_key: sim-key}}
  benchanthropic: {{kind: anthropic, base_url: "{sim}/benchanthropic", api_key: sim-key}}
  benchgemini: {{kind: gemini, base_url: "{sim}/benchgemini/v1beta", api_key: sim-key}}
models:
  openai-model: {{provider: benchopenai, input_per_mtok: 0.15, output_per_mtok: 0.6}}
  anthropic-model: {{provider: benchanthropic, input_per_mtok: 3, output_per_mtok: 15}}
  gemini-model: {{provider: benchgemini, input_per_mtok: 0.1, output_per_mtok: 0.4}}
"""


def direct_request(sim: str, fmt: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    messages = [{"role": "user", "content": QUESTION}]
    if fmt == "openai":
        return (f"{sim}/benchopenai/v1/chat/completions", {"authorization": "Bearer sim-key"},
                {"model": "openai-model", "messages": messages, "stream": True,
                 "stream_options": {"include_usage": True}})
    if fmt == "anthropic":
        return (f"{sim}/benchanthropic/v1/messages", {"x-api-key": "sim-key"},
                {"model": "anthropic-model", "messages": messages, "max_tokens": 300,
                 "stream": True})
    return (f"{sim}/benchgemini/v1beta/models/gemini-model:streamGenerateContent?alt=sse",
            {"x-goog-api-key": "sim-key"},
            {"contents": [{"role": "user", "parts": [{"text": QUESTION}]}]})


def ttft_ms(http: httpx.Client, url: str, headers: dict[str, str], body: dict[str, Any]) -> float:
    """Milliseconds to the first data event; the rest of the stream is read and dropped."""
    started = time.perf_counter()
    first = None
    with http.stream("POST", url, headers=headers, json=body) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if first is None and line.startswith("data:"):
                first = (time.perf_counter() - started) * 1000
    assert first is not None, "no data event"
    return first


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "min": round(ordered[0], 2)}


def start(cmd: list[str], marker: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"})
    line = wait_for_line(proc, marker, 90)
    return proc, line.rsplit(marker, 1)[1].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="measured pairs per format")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--chunk-delay-ms", type=int, default=20)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    cli = [sys.executable, "-m", "llm_router_local.cli"]
    sim, sim_url = start([*cli, "simulate", "--port", "0", "--latency-ms", "0",
                          "--chunk-delay-ms", str(args.chunk_delay_ms)], "listening on ", {})
    router = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "catalog.yaml"
            config.write_text(CATALOG.format(sim=sim_url))
            env = {"LLM_ROUTER_AWS_ENDPOINT_URL": ""} if "LLM_ROUTER_AWS_ENDPOINT_URL" in \
                os.environ else {}
            router, router_url = start([*cli, "serve", "--config", str(config), "--port", "0",
                                        "--simulate", "off", "--dev-key", KEY],
                                       "llm-router listening on ", env)
            results = measure(sim_url, router_url, args.requests, args.warmup)
    finally:
        if router is not None:
            stop_process(router)
        stop_process(sim)
    report = {
        "what": "time to first data event, direct to the simulator vs through llm-router "
                "(stream: true), same machine, alternating pairs; added = router - direct",
        "command": "python bench/ttft_bench.py "
                   f"--requests {args.requests} --chunk-delay-ms {args.chunk_delay_ms}",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "formats": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for fmt, row in results.items():
        print(f"{fmt:10s} direct p50 {row['direct_ms']['p50']:6.2f} ms   router p50 "
              f"{row['router_ms']['p50']:6.2f} ms   added p50 {row['added_ms']['p50']:5.2f} ms"
              f"  p95 {row['added_ms']['p95']:5.2f} ms")
    return 0


def measure(sim: str, router: str, n: int, warmup: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    routed_headers = {"authorization": f"Bearer {KEY}"}
    with httpx.Client(timeout=30) as http:
        for fmt in ("openai", "anthropic", "gemini"):
            url, headers, body = direct_request(sim, fmt)
            routed = {"model": f"{fmt}-model", "stream": True, "max_tokens": 300,
                      "messages": [{"role": "user", "content": QUESTION}]}
            direct, through, added = [], [], []
            for i in range(warmup + n):
                d = ttft_ms(http, url, headers, body)
                r = ttft_ms(http, f"{router}/v1/chat/completions", routed_headers, routed)
                if i >= warmup:
                    direct.append(d)
                    through.append(r)
                    added.append(r - d)
            results[fmt] = {"requests": n, "direct_ms": percentiles(direct),
                            "router_ms": percentiles(through), "added_ms": percentiles(added)}
    return results


if __name__ == "__main__":
    raise SystemExit(main())
