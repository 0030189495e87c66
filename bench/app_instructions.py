"""Instructions of the router's app per chat completion, arms alternated: the load does
not move them, so a cut of 1 % reads where a timed A/B on a shared machine cannot.

    .venv/bin/python bench/app_instructions.py --arm main=/tmp/main/layers/core:/tmp/main/local \\
        --arm now=layers/core:local [--requests 200] [--rounds 2] [--out results.json]

Each arm runs bench/app_cost.py's app (``serve``'s build, direct ASGI calls, the store
and the upstream in their own processes) under callgrind with instrumentation off: the
start-up and a 200-request warm-up run uncounted, then ``callgrind_control -i on``, then
``--requests`` requests, then the process leaves with ``os._exit`` (no teardown
counted). Instructions per request = collected / requests. ``PYTHONHASHSEED=0`` keeps
dict and set layouts the same from run to run; two runs of one build differ by about
0.3 %. Rounds take the arms in the order given, then reversed (router_ab's
``round_order``). A run takes about a minute on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from router_ab import round_order
from run_record import run_record

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _driver(requests: int, ready: Path, go: Path) -> str:
    """app_cost's main with its measured loop replaced: warm up, say so, wait, run."""
    return f"""
import gc, os, sys, time
sys.argv = ["app_cost.py", "--requests", "1", "--warmup", "200"]
import app_cost

async def _drive(app, services, requests, warmup):
    for i in range(warmup):
        await app_cost._one(app, i)
    gc.collect()
    gc.disable()
    open({str(ready)!r}, "w").write(str(os.getpid()))
    while not os.path.exists({str(go)!r}):
        time.sleep(0.2)
    for i in range({requests}):
        await app_cost._one(app, 10**6 + i)
    sys.stdout.flush()
    os._exit(0)

app_cost._drive = _drive
app_cost.main()
"""


# callgrind with counting off until the driver (or callgrind_control) turns it on, no file.
CALLGRIND = ("valgrind", "--tool=callgrind", "--instr-atstart=no",
             "--callgrind-out-file=/dev/null")


def collected(output: str) -> int:
    """callgrind's count of the instructions run while counting was on (its last
    ``Collected :`` line)."""
    counts = re.findall(r"Collected : (\d+)", output)
    if not counts:
        raise SystemExit(f"no instruction count in callgrind's output:\n{output[-2000:]}")
    return int(counts[-1])


def instructions(path: str, requests: int) -> float:
    """One run of one arm: instructions per request."""
    with tempfile.TemporaryDirectory(prefix="app-instr-") as folder:
        ready, go = Path(folder) / "ready", Path(folder) / "go"
        script = Path(folder) / "driver.py"
        script.write_text(_driver(requests, ready, go))
        env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join(
                   [*(os.path.abspath(p) for p in path.split(os.pathsep)), str(HERE)])}
        proc = subprocess.Popen([*CALLGRIND, sys.executable, str(script)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while not ready.exists():
            if proc.poll() is not None:
                raise SystemExit(f"the app stopped before its warm-up ended:\n"
                                 f"{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.5)
        subprocess.run(["callgrind_control", "-i", "on", ready.read_text()], check=True,
                       capture_output=True)
        go.touch()
        out, _ = proc.communicate()
    return collected(out) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", help="write the runs and medians here (JSON)")
    args = parser.parse_args()
    arms = dict(a.split("=", 1) for a in args.arm)
    runs: dict[str, list[float]] = {name: [] for name in arms}
    for round_ in range(args.rounds):
        for name in round_order(list(arms), round_):
            runs[name].append(instructions(arms[name], args.requests))
            print(f"round {round_ + 1} {name}: {runs[name][-1] / 1e6:.4f} M instructions "
                  f"per request", flush=True)
    medians = {name: statistics.median(v) for name, v in runs.items()}
    first = next(iter(medians.values()))
    for name, value in medians.items():
        print(f"median {name}: {value / 1e6:.4f} M ({(value / first - 1) * 100:+.1f} %)")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "run": run_record(), "requests": args.requests, "arms": arms,
            "instructions_per_request": runs, "median": medians}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
