"""Does a 1 MB prompt hold up the other requests on the router's event loop?

    make bench-loop-stall
    .venv/bin/python bench/loop_stall.py [--prompts 4] [--bytes 1000000] [--out bench/results]

One process probes ``GET /health`` every 10 ms on a keep-alive connection (a process of
its own, so sending the big bodies cannot slow the probe) while this one sends 1 MB
prompts one after another, in three set-ups, each a fresh ``llm-router serve`` on its
embedded store against the loopback upstream (bench/peer/upstream.py):

- ``explicit``: an explicit model, guards off, cache off;
- ``guards``: an explicit model, input guards on (sanitize, injection flag), cache on;
- ``auto``: ``model: "auto"`` (embedding, classifier features), guards on, cache on.

Reports /health p50, p99 and max while idle and while the prompts were served, and the
worst delay (max during minus p50 idle; issue 12's target: at most 50 ms), plus the big
requests' Server-Timing phases. Writes ``loop-stall-<date>.md``; exits 1 on a miss.
The prompts are unique (no cache hits) prose with numbers, lists, code and questions,
so every guard and feature pattern has matches to find.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from peer.gateways import KEY, start_router, start_upstream
from peer.load import percentile, server_timing
from peer.report import write_markdown

TARGET_MS = 50.0
GUARDS = "guards: {input: sanitize, injection: flag, pii: 'off'}\n"
NO_GUARDS = "guards: {input: 'off', injection: 'off', pii: 'off'}\n"
SETUPS = {  # name -> (model, cache, extra catalog YAML)
    "explicit": ("bench-model", False, NO_GUARDS),
    "guards": ("bench-model", True, GUARDS),
    "auto": ("auto", True, GUARDS),
}

# Polls /health every 10 ms until a line arrives on stdin, then prints the latencies (ms).
PROBE = """
import json, sys, threading, time, httpx
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
out = []
with httpx.Client(base_url=sys.argv[1], timeout=30) as client:
    client.get("/health").raise_for_status()
    print("probing", flush=True)
    while not stop.is_set():
        t0 = time.perf_counter()
        client.get("/health").raise_for_status()
        ms = (time.perf_counter() - t0) * 1000
        out.append(ms)
        time.sleep(max(0.0, 0.010 - ms / 1000))
print(json.dumps(out), flush=True)
"""

PARAGRAPH = (
    "Order {i}-{j}: I was charged twice (USD 49.99 and 49.99) for the same plan, 12 % more "
    "than quoted. Should I ask for a refund or wait? The ticket ref ABC-{j} is still open.\n"
    "- step 1: check the invoice; - step 2: compare 3 * 16.5 = 49.5 with the total.\n"
    "Here is the script: `def total(x): return sum(x)` -> it fails with KeyError: 'price'.\n"
    "Please explain why, briefly, and which option is cheaper per month; my budget is "
    "limited and the deadline is Friday!\n\n"
)


def prompt(i: int, size: int) -> str:
    parts, total, j = [], 0, 0
    while total < size:
        parts.append(PARAGRAPH.format(i=i, j=j))
        total += len(parts[-1])
        j += 1
    return "".join(parts)[:size]


@dataclass
class Result:
    name: str
    idle: list[float]
    during: list[float]
    phases: list[dict[str, float]]
    statuses: list[int]

    @property
    def worst_delay(self) -> float:
        return max(self.during) - percentile(self.idle, 50)


class Probe:
    def __init__(self, url: str):
        self.proc = subprocess.Popen([sys.executable, "-c", PROBE, url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "probing":
            raise SystemExit("the /health probe did not start")

    def stop(self) -> list[float]:
        out, _ = self.proc.communicate("stop\n", timeout=60)
        return [float(x) for x in json.loads(out)]


def run_setup(name: str, prompts: int, size: int) -> Result:
    model, cache, extra = SETUPS[name]
    upstream = start_upstream()
    router = start_router(upstream, cache=cache,
                          extra=extra + f"limits: {{max_body_bytes: {4 * size}}}\n")
    base = router.url.removesuffix("/v1")
    try:
        with httpx.Client(base_url=router.url, timeout=300,
                          headers={"authorization": f"Bearer {KEY}"}) as client:
            # First use loads what loads lazily (classifier, tokenizer): not what is measured.
            client.post("/chat/completions", json={
                "model": model, "messages": [{"role": "user", "content": "warm up " + name}]})
            probe = Probe(base)
            time.sleep(2.0)
            idle = probe.stop()
            probe = Probe(base)
            time.sleep(0.2)
            statuses, phases = [], []
            for i in range(prompts):
                print(f"{name}: prompt {i + 1}/{prompts}", flush=True)
                resp = client.post("/chat/completions", json={
                    "model": model, "max_tokens": 20,
                    "messages": [{"role": "user", "content": prompt(i, size)}]})
                statuses.append(resp.status_code)
                phases.append(server_timing(resp.headers.get("server-timing", ""))[0])
            time.sleep(0.2)
            during = probe.stop()
    finally:
        router.stop()
        upstream.stop()
    return Result(name, idle, during, phases, statuses)


def report(results: list[Result], prompts: int, size: int) -> tuple[list[str], bool]:
    ok = all(r.worst_delay <= TARGET_MS and set(r.statuses) == {200} for r in results)
    lines = [
        f"# Event loop: {size:,}-byte prompts vs a concurrent /health, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `.venv/bin/python bench/loop_stall.py --prompts {prompts} --bytes {size}` "
        "(`make bench-loop-stall`). /health probed every 10 ms from another process; "
        f"{prompts} prompts per set-up, one after another.",
        "",
        "| set-up | /health idle p50 / p99 / max (ms) | while served p50 / p99 / max (ms) "
        "| worst delay (ms) | statuses |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {percentile(r.idle, 50):.1f} / {percentile(r.idle, 99):.1f} / "
            f"{max(r.idle):.1f} | {percentile(r.during, 50):.1f} / "
            f"{percentile(r.during, 99):.1f} / {max(r.during):.1f} | {r.worst_delay:.1f} | "
            f"{', '.join(str(s) for s in sorted(set(r.statuses)))} |")
    lines += ["", "Server-Timing of the big requests (median ms per phase):", "",
              "| set-up | phases |", "|---|---|"]
    for r in results:
        names = sorted({k for p in r.phases for k in p})
        cells = ", ".join(f"{k} {percentile([p.get(k, 0.0) for p in r.phases], 50):.1f}"
                          for k in names)
        lines.append(f"| {r.name} | {cells} |")
    lines += ["", f"Target: worst delay <= {TARGET_MS:.0f} ms in every set-up. "
              f"Result: {'PASS' if ok else 'FAIL'}."]
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--bytes", type=int, default=1_000_000)
    parser.add_argument("--setups", default=",".join(SETUPS),
                        help=f"comma-separated, of {', '.join(SETUPS)}")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    names = [n for n in args.setups.split(",") if n]
    unknown = [n for n in names if n not in SETUPS]
    if unknown:
        parser.error(f"unknown set-up(s) {', '.join(unknown)}; choose from {', '.join(SETUPS)}")
    results = [run_setup(name, args.prompts, args.bytes) for name in names]
    lines, ok = report(results, args.prompts, args.bytes)
    write_markdown(Path(args.out), "loop-stall", lines)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
