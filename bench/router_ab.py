"""Two (or more) builds of ``llm-router serve`` against one loopback upstream, alternated.

    .venv/bin/python bench/router_ab.py --arm before=/tmp/old/layers/core:/tmp/old/local \\
        --arm after=layers/core:local [--rounds 3] [--c1 500] [--c32 1000] [--stream 100] [--hits 0]

Each ``--arm NAME=PATH`` runs ``serve`` (and its embedded store) with ``PYTHONPATH=PATH``,
so a copy of ``layers/core`` and ``local`` (two paths, ``:`` between them) from another
commit is measured by the same harness; words after the path are ``serve`` options, e.g.
``--arm "h11=layers/core:local --loop asyncio --http h11"``. Each
round starts every arm afresh, the arms in the order given in odd rounds and reversed in even
ones (``round_order``: an arm that runs second in a round read slower whichever build it was,
session 29's end benches), and measures: c1 p50, the settle transaction's
p50 from Server-Timing, the first streamed chunk's p50, c32 throughput, the CPU the
router's process and the store's process spent per c1 request (from /proc, so it is
the processes' own work, whatever the client costs) and, per c32 request, the CPU of
every process on it: router, store, upstream and this client (on a two-core machine
their sum is what bounds c32 throughput). With ``--hits N``, a second router
per arm with its cache on: N prompts sent once, then again word for word (exact hits):
the hits' p50, their settle call, their storage calls and the router's and the store's
CPU per hit.
With ``--key-limits``, the dev key has an rpm and a daily budget (catalog defaults,
``KEY_LIMITS``): every request's admission writes one conditional transaction before
the upstream call (its p50 is Server-Timing's ``admit``). Prints each round and the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import defaultdict

from peer.gateways import Gateway, start_router, start_upstream
from peer.load import drive, median

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
# High enough that nothing is refused: admission's write, not its refusals, is measured.
KEY_LIMITS = "limits:\n  keys: {rpm: 1000000, daily_budget_usd: 1000}\n"


def _cpu_ms(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS  # utime + stime


def _router_and_store_ms(pid: int) -> tuple[float, float]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        children = [int(c) for c in f.read().split()]
    return _cpu_ms(pid), sum(_cpu_ms(c) for c in children)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--c1", type=int, default=500)
    parser.add_argument("--c32", type=int, default=1000)
    parser.add_argument("--stream", type=int, default=100)
    parser.add_argument("--hits", type=int, default=0,
                        help="exact cache hits per round (a router with its cache on)")
    parser.add_argument("--key-limits", action="store_true",
                        help="the dev key with an rpm and a daily budget (admission writes)")
    args = parser.parse_args()
    arms = dict(a.split("=", 1) for a in args.arm)
    results: dict[str, dict[str, list[float]]] = {a: defaultdict(list) for a in arms}
    upstream = start_upstream()
    try:
        for round_ in range(args.rounds):
            for name in round_order(list(arms), round_):
                row = _measure(upstream, arms[name], args, round_)
                for key, value in row.items():
                    results[name][key].append(value)
                print(f"round {round_ + 1} {name}: " + ", ".join(
                    f"{k} {v:.2f}" for k, v in row.items())
                    + f" (load average {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        upstream.stop()
    for name, columns in results.items():
        print(f"median {name}: " + ", ".join(
            f"{k} {statistics.median(v):.2f}" for k, v in columns.items()))
    return 0


def round_order(names: list[str], round_: int) -> list[str]:
    """The arms' order in round ``round_`` (from 0): as given, then reversed, in turn, so
    that with an even number of rounds each arm runs first as often as last."""
    return list(names) if round_ % 2 == 0 else list(reversed(names))


def _start(upstream: Gateway, arm: str, *, cache: bool = False, extra: str = "") -> Gateway:
    path, *serve_args = arm.split()
    before = os.environ.get("PYTHONPATH")
    # inherited by serve and its store
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in path.split(os.pathsep))
    try:
        return start_router(upstream, cache=cache, extra=extra, serve_args=serve_args)
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = before


def _measure(upstream: Gateway, path: str, args: argparse.Namespace,
             round_: int) -> dict[str, float]:
    # At c32 every process on the request shares the machine's cores: the router, its
    # store, the upstream and this client (time.process_time: drive runs here).
    extra = KEY_LIMITS if args.key_limits else ""
    router = _start(upstream, path, extra=extra)
    offset = round_ * 10**6
    try:
        asyncio.run(drive(router, 100, 1, offset=offset))  # warm-up
        router_0, store_0 = _router_and_store_ms(router.process.pid)
        c1 = asyncio.run(drive(router, args.c1, 1, offset=offset + 10**5))
        router_1, store_1 = _router_and_store_ms(router.process.pid)
        stream = asyncio.run(drive(router, args.stream, 1, stream=True,
                                   offset=offset + 2 * 10**5))
        router_2, store_2 = _router_and_store_ms(router.process.pid)
        upstream_2, client_2 = _cpu_ms(upstream.process.pid), time.process_time() * 1000
        c32 = asyncio.run(drive(router, args.c32, 32, offset=offset + 3 * 10**5))
        router_3, store_3 = _router_and_store_ms(router.process.pid)
        upstream_3, client_3 = _cpu_ms(upstream.process.pid), time.process_time() * 1000
    finally:
        router.stop()
    # With --key-limits admission's transaction comes first in each request's calls.
    writes = [[ms for op, ms in s.calls if op == "TransactWriteItems"] for s in c1.samples]
    settle = [w[-1] for w in writes if w]
    row = {"c1 p50 ms": median(c1.latencies),
           "settle p50 ms": median([s.phases.get("settle", 0.0) for s in c1.samples]),
           "settle call p50 ms": median(settle),
           **({"admit p50 ms": median([s.phases.get("admit", 0.0) for s in c1.samples]),
               "admit call p50 ms": median([w[0] for w in writes if len(w) > 1])}
              if args.key_limits else {}),
           "first chunk p50 ms": median(stream.latencies), "c32 rps": c32.rps,
           "c32 errors": float(c32.errors),
           "router CPU ms/req": (router_1 - router_0) / args.c1,
           "store CPU ms/req": (store_1 - store_0) / args.c1,
           "router CPU ms/req c32": (router_3 - router_2) / args.c32,
           "store CPU ms/req c32": (store_3 - store_2) / args.c32,
           "upstream CPU ms/req c32": (upstream_3 - upstream_2) / args.c32,
           "client CPU ms/req c32": (client_3 - client_2) / args.c32}
    return {**row, **(_hits(upstream, path, args, offset) if args.hits else {})}


def _hits(upstream: Gateway, path: str, args: argparse.Namespace,
          offset: int) -> dict[str, float]:
    router = _start(upstream, path, cache=True,
                    extra=KEY_LIMITS if args.key_limits else "")
    try:
        asyncio.run(drive(router, 100, 1, offset=offset + 5 * 10**5))  # warm-up
        asyncio.run(drive(router, args.hits, 1, offset=offset + 4 * 10**5))  # stored
        router_0, store_0 = _router_and_store_ms(router.process.pid)
        again = asyncio.run(drive(router, args.hits, 1, offset=offset + 4 * 10**5))
        router_1, store_1 = _router_and_store_ms(router.process.pid)
    finally:
        router.stop()
    hits = [s for s in again.samples if s.ok and s.cache == "exact"]
    if len(hits) < len(again.samples):
        raise SystemExit(f"{len(again.samples) - len(hits)} repeats were not exact hits")
    return {"exact hit p50 ms": median([s.ms for s in hits]),
            "hit settle p50 ms": median([s.phases.get("settle", 0.0) for s in hits]),
            "hit settle call p50 ms": median([ms for s in hits for op, ms in s.calls
                                              if op == "TransactWriteItems"]),
            "hit storage calls": median([float(len(s.calls)) for s in hits]),
            "router CPU ms/hit": (router_1 - router_0) / args.hits,
            "store CPU ms/hit": (store_1 - store_0) / args.hits}


if __name__ == "__main__":
    raise SystemExit(main())
