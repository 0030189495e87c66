"""Cold start of the router function's code: a fresh interpreter imports the app and
builds everything a container builds at init (catalog, embedder, classifier, tiktoken
encodings, clients), as functions/router/app.py does. No request is sent.

    .venv/bin/python bench/cold_start.py [--runs 7]

Prints min / median / max wall seconds of whole processes and writes
bench/results/cold_start.json. Interpreter start-up is included (a Lambda cold start
pays it too); the `python -c pass` baseline is printed beside it. ``cpu_s`` is the
processes' CPU time (user + system): on a busy machine wall time mostly measures the
wait for a core, CPU time much less so (compare like with like).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

INIT = """
import os
os.environ.update(LLM_ROUTER_AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_ACCESS_KEY_ID="x",
                  AWS_SECRET_ACCESS_KEY="x", AWS_REGION="us-east-1")
from mangum import Mangum
from llm_router.bootstrap import create_app_from_env
handler = Mangum(create_app_from_env(), lifespan="off")
"""


def timed(code: str) -> float:
    return measured(code)[0]


def measured(code: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    timed(INIT)  # warm the page cache, as a reused Lambda host would have it
    baseline = sorted(timed("pass") for _ in range(args.runs))
    init, cpu = [], []
    for i in range(args.runs):
        wall, used = measured(INIT)
        init.append(wall)
        cpu.append(used)
        print(f"run {i + 1}/{args.runs}: {wall:.3f} s wall, {used:.3f} s CPU", file=sys.stderr)
    init.sort()
    cpu.sort()
    result = {
        "runs": args.runs,
        "python": sys.version.split()[0],
        "init_s": {"min": init[0], "median": statistics.median(init), "max": init[-1]},
        "cpu_s": {"min": cpu[0], "median": statistics.median(cpu), "max": cpu[-1]},
        "interpreter_only_s": {"median": statistics.median(baseline)},
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results" / "cold_start.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
