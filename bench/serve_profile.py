"""cProfile of ``llm-router serve`` over c1 chat requests, thread CPU, start-up left out.

    .venv/bin/python bench/serve_profile.py [--requests 4000] [--path layers/core:local]
        [--top 30] [--out profile.json] [--pstats serve.prof]

Starts the loopback upstream and ``serve`` as router_ab.py does (``--path`` on its
PYTHONPATH: another build's ``layers/core`` and ``local``), with a ``sitecustomize`` that
arms a cProfile (timer ``time.thread_time``, so a loaded machine's waits are not counted)
on SIGUSR2 (SIGUSR1 is serve's stack dump). Sends 200 warm-up requests, signals, sends
``--requests`` c1 requests (aiohttp, keep-alive, a new prompt each), signals again: the
profile of the event loop's thread is written. Prints the function calls per request and
the top entries by own time; ``--out`` writes them as JSON. cProfile adds a few
microseconds to each Python call, so the shares of call-heavy code read high: use it to
find where calls go, and bench/app_instructions.py or router_ab.py to measure a cut.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from peer.gateways import start_router, start_upstream
from peer.load import drive
from run_record import run_record

SITECUSTOMIZE = """
import os, sys
if os.environ.get("SERVE_PROFILE_OUT") and "serve" in sys.argv:
    import cProfile, signal, time
    _profile = cProfile.Profile(time.thread_time)
    _armed = []

    def _toggle(*_):
        if not _armed:
            _armed.append(1)
            _profile.enable()
        else:
            _profile.disable()
            _profile.dump_stats(os.environ["SERVE_PROFILE_OUT"])

    signal.signal(signal.SIGUSR2, _toggle)
"""


def _short(path: str) -> str:
    """A profile entry's file, from its package on (any build's copy reads the same)."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    for package in ("/llm_router_local/", "/llm_router/"):
        if package in path:
            return package[1:] + path.split(package, 1)[1]
    return re.sub(r".*/lib/python3\.\d+/", "", path)


def top_entries(stats: pstats.Stats, requests: int, top: int) -> list[dict[str, Any]]:
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    return [{"function": f"{_short(f)}:{line}({name})" if f != "~" else name,
             "calls_per_request": round(nc / requests, 2),
             "own_us_per_request": round(tt / requests * 1e6, 1),
             "cumulative_us_per_request": round(ct / requests * 1e6, 1)}
            for (f, line, name), (_, nc, tt, ct, _) in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--path", default="layers/core:local")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", help="write calls per request and the top entries (JSON)")
    parser.add_argument("--pstats", help="keep the raw profile here")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="serve-profile-")
    Path(folder.name, "sitecustomize.py").write_text(SITECUSTOMIZE)
    out = args.pstats or str(Path(folder.name) / "serve.prof")
    upstream = start_upstream()
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "SERVE_PROFILE_OUT")}
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [folder.name, *(os.path.abspath(p) for p in args.path.split(os.pathsep))])
    os.environ["SERVE_PROFILE_OUT"] = out
    try:
        router = start_router(upstream)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        asyncio.run(drive(router, 200, 1, offset=0))
        os.kill(router.process.pid, signal.SIGUSR2)
        time.sleep(0.5)
        asyncio.run(drive(router, args.requests, 1, offset=10**5))
        os.kill(router.process.pid, signal.SIGUSR2)
        for _ in range(100):
            if Path(out).exists() and Path(out).stat().st_size > 2:
                break
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        router.stop()
        upstream.stop()
    stats = pstats.Stats(out)
    total_calls = stats.total_calls  # type: ignore[attr-defined]
    total_tt = stats.total_tt  # type: ignore[attr-defined]
    result = {"run": run_record(), "path": args.path, "requests": args.requests,
              "calls_per_request": round(total_calls / args.requests, 1),
              "profiled_cpu_us_per_request": round(total_tt / args.requests * 1e6, 1),
              "top_by_own_time": top_entries(stats, args.requests, args.top)}
    print(f"{result['calls_per_request']} calls, {result['profiled_cpu_us_per_request']} us "
          f"of profiled thread CPU per request (load average {os.getloadavg()[0]:.1f})")
    for row in result["top_by_own_time"]:
        print(f"{row['own_us_per_request']:8.1f} us {row['calls_per_request']:7.2f} calls  "
              f"{row['function']}")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
