"""How long semantic lookups of one tenant wait for its index lock inside ``llm-router
serve``, at 1, 4 and 8 concurrent clients (session 27, exploration: nothing decided here).

    .venv/bin/python bench/lock_wait.py --rows ROWS.jsonl [--seed 1500] [--queries 200] \\
        [--clients 1 4 8] --out bench/results/lock-wait-session27.json

A semantic lookup reads its candidates under the tenant's lock, has the verifier score
them outside it (``index.prescore``, session 27; before that the pass ran under the lock,
inside ``TenantIndex.search``), then makes its verdict under the lock again: what still
waits for the lock is what this measures. For each client count: a fresh ``serve``
(embedded store, one loopback upstream, cache on, one API key: one tenant), the timers of
bench/lock_wait_marks/sitecustomize.py on its PYTHONPATH; the cache seeded with the
``seed`` first distinct cached texts (``a``) of ROWS (``cache_losses.py --pairs-out`` rows),
one request at a time; then the ``queries`` first distinct query texts (``b``) of the rows
the verifier read (over the floor, not respelled, not refused by the amounts check), that
are no cached text, sent by N clients of that key at once. Reports, per client count, over
the query phase: throughput, the clients' p50 / p99, and from the server's timers per
lookup the wall time, the lock wait, the time held, ``TenantIndex.search`` and the
verifier's batched pass, outside the lock (``prescore_ms``) and under it (``verifier_ms``:
pairs ``search`` found no kept score for); the other acquires (``remember``). The server
is stopped by its PID (``Gateway.stop``). Run it on a quiet
machine: every figure stretches under load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from peer.gateways import Gateway, start_router, start_upstream
from run_record import run_record

MARKS = Path(__file__).with_name("lock_wait_marks")
HOOK = Path(__file__).with_name("marks_hook")  # their sitecustomize's serve hook


def texts(rows_file: Path, seed: int, queries: int) -> tuple[list[str], list[str]]:
    """(the cached texts to seed, the queries): the verifier read each query's pair."""
    rows = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines()]
    cached = list(dict.fromkeys(r["a"] for r in rows))[:seed]
    held = set(cached)
    asked = [r["b"] for r in rows if r["p"] is not None and not r["numbers"]
             and r["respelling"] is None and r["similarity"] >= 0.5 and r["a"] in held
             and r["b"] not in held]
    return cached, list(dict.fromkeys(asked))[:queries]


def body(gateway: Gateway, text: str) -> dict[str, Any]:
    return {"model": gateway.model, "max_tokens": 16,
            "messages": [{"role": "user", "content": text}]}


async def send(gateway: Gateway, items: list[str], clients: int) -> list[dict[str, Any]]:
    """Each text once, ``clients`` at a time, each client on its own connection."""
    queue = iter(items)
    samples: list[dict[str, Any]] = []
    headers = {"authorization": f"Bearer {gateway.key}"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=120,
                                     limits=httpx.Limits(max_connections=1)) as http:
            for text in queue:
                started = time.perf_counter()
                response = await http.post("/chat/completions", json=body(gateway, text))
                samples.append({"s": time.perf_counter() - started,
                                "status": response.status_code,
                                "cache": response.headers.get("x-router-cache")})

    await asyncio.gather(*(client() for _ in range(clients)))
    return samples


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 2)


def one_level(clients: int, cached: list[str], queries: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lock-wait-") as folder:
        marks = Path(folder) / "marks.jsonl"
        os.environ["LOCK_WAIT_MARKS"] = str(marks)
        return measured(clients, cached, queries, marks)


def measured(clients: int, cached: list[str], queries: list[str], marks: Path
             ) -> dict[str, Any]:
    upstream = start_upstream()
    router = start_router(upstream, cache=True)
    try:
        seeded = asyncio.run(send(router, cached, 1))
        phase = time.perf_counter()
        load_before = os.getloadavg()[0]
        cpu_before = router.cpu_s()
        samples = asyncio.run(send(router, queries, clients))
        wall = time.perf_counter() - phase
        cpu = router.cpu_s() - cpu_before
        load_after = os.getloadavg()[0]
    finally:
        router.stop()
        upstream.stop()
    rows = [json.loads(line) for line in marks.read_text().splitlines()]
    lookups = [r for r in rows if r["kind"] == "lookup" and r["t"] >= phase]
    others = [r for r in rows if r["kind"] == "other" and r["t"] >= phase]
    wall_sum = sum(r["wall"] for r in lookups)
    return {
        "clients": clients, "seeded": len(seeded), "queries": len(samples),
        "errors": sum(s["status"] != 200 for s in samples),
        "answers": {k: sum(s["cache"] == k for s in samples)
                    for k in sorted({str(s["cache"]) for s in samples})},
        "wall_s": round(wall, 2), "rps": round(len(samples) / wall, 2),
        "p50_ms": pct([s["s"] for s in samples], 50),
        "p99_ms": pct([s["s"] for s in samples], 99),
        "server_cpu_s": round(cpu, 2), "load_1m": [round(load_before, 2), round(load_after, 2)],
        "lookups": len(lookups),
        "lookup_wall_ms": {"p50": pct([r["wall"] for r in lookups], 50),
                           "p99": pct([r["wall"] for r in lookups], 99),
                           "mean": round(1000 * wall_sum / max(1, len(lookups)), 2)},
        "lock_wait_ms": {"p50": pct([r["wait"] for r in lookups], 50),
                         "p99": pct([r["wait"] for r in lookups], 99),
                         "mean": round(1000 * sum(r["wait"] for r in lookups)
                                       / max(1, len(lookups)), 2),
                         "share_of_lookup_wall": round(sum(r["wait"] for r in lookups)
                                                       / max(wall_sum, 1e-9), 4),
                         "contended": sum(r["contended"] > 0 for r in lookups)},
        "lock_held_ms": {"p50": pct([r["hold"] for r in lookups], 50),
                         "mean": round(1000 * sum(r["hold"] for r in lookups)
                                       / max(1, len(lookups)), 2)},
        "search_ms": {"p50": pct([r["search"] for r in lookups], 50),
                      "mean": round(1000 * sum(r["search"] for r in lookups)
                                    / max(1, len(lookups)), 2)},
        "prescore_ms": {"p50": pct([r.get("prescore", 0.0) for r in lookups], 50),
                        "mean": round(1000 * sum(r.get("prescore", 0.0) for r in lookups)
                                      / max(1, len(lookups)), 2)},
        "verifier_ms": {"p50": pct([r["verifier"] for r in lookups], 50),
                        "mean": round(1000 * sum(r["verifier"] for r in lookups)
                                      / max(1, len(lookups)), 2),
                        "share_of_held": round(sum(r["verifier"] for r in lookups)
                                               / max(1e-9, sum(r["hold"] for r in lookups)),
                                               4)},
        "hits": sum(r["hit"] for r in lookups),
        "other_acquires": {"n": len(others),
                           "wait_ms_mean": round(1000 * statistics.fmean(
                               [r["wait"] for r in others]), 3) if others else None,
                           "contended": sum(r["contended"] for r in others)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, required=True,
                        help="cache_losses.py --pairs-out rows: the texts")
    parser.add_argument("--seed", type=int, default=1500, help="cached texts seeded")
    parser.add_argument("--queries", type=int, default=200, help="queries a client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(MARKS), str(HOOK), *filter(None, [os.environ.get("PYTHONPATH")])])
    cached, queries = texts(args.rows, args.seed, args.queries)
    print(f"{len(cached)} cached texts, {len(queries)} queries", flush=True)
    levels = []
    for clients in args.clients:
        level = one_level(clients, cached, queries)
        print(json.dumps(level), flush=True)
        levels.append(level)
    result = {"rows": str(args.rows), "seed": len(cached), "queries": len(queries),
              "levels": levels, "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
