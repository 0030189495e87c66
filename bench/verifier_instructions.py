"""Instructions of the cross-encoder verifier per lookup, arms alternated: the load does
not move them, so a cut of a few per cent reads where a timed A/B on a shared machine
cannot (bench/app_instructions.py's method, on bench/stack_cost.py's lookups).

    .venv/bin/python bench/verifier_instructions.py \\
        --arm before=/tmp/base/layers/core:/tmp/base/local --arm now=layers/core:local \\
        [--candidates 1 5] [--lookups 40] [--rounds 2] [--out results.json]

Each run loads the shipped verifier (``stack_cost.build("cross")``, the arm's code) under
callgrind with instrumentation off, runs a few lookups uncounted (first-call costs), then
has ``callgrind_control -i on`` turn counting on and runs ``--lookups`` lookups of
``stack_cost.lookup_cost`` (the query against ``k`` candidates, texts new: state
``request``), then leaves with ``os._exit`` (no teardown counted). Instructions per
candidate = collected / (lookups * k). ``PYTHONHASHSEED=0``, one BLAS thread. Rounds take
the arms in the order given, then reversed (router_ab's ``round_order``). Under valgrind
OpenBLAS may pick other kernels than on the bare CPU: the counts compare arms, they are not
a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from app_instructions import CALLGRIND, collected
from router_ab import round_order
from run_record import run_record

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def driver(candidates: int, lookups: int, state: str) -> str:
    """The measured program: warm up uncounted, turn counting on for itself, run, leave."""
    return f"""
import os, subprocess, sys
sys.path.insert(0, {str(HERE)!r})
sys.path.insert(1, {str(ROOT)!r})
from stack_cost import PAIRS, build, lookup_cost
from train.cache_verifier.pairs import read_jsonl
pairs = read_jsonl(PAIRS)[: {lookups} + {candidates}]
verifier = build("cross")
lookup_cost(verifier, pairs[:8], 2, "cold")
lookup_cost(verifier, pairs[:8], 1, {state!r})
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True,
               capture_output=True)
lookup_cost(verifier, pairs, {candidates}, {state!r})
sys.stdout.flush()
os._exit(0)
"""


def instructions(path: str, candidates: int, lookups: int, state: str = "request") -> float:
    """One run of one arm: instructions per candidate."""
    with tempfile.TemporaryDirectory(prefix="verifier-instr-") as folder:
        script = Path(folder) / "driver.py"
        script.write_text(driver(candidates, lookups, state))
        env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in path.split(os.pathsep))}
        done = subprocess.run([*CALLGRIND, sys.executable, str(script)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              check=False)
    return collected(done.stdout) / (lookups * candidates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--candidates", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--lookups", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", help="write the runs and medians here (JSON)")
    args = parser.parse_args()
    arms = dict(a.split("=", 1) for a in args.arm)
    runs: dict[str, dict[str, list[float]]] = {str(k): {name: [] for name in arms}
                                               for k in args.candidates}
    for round_ in range(args.rounds):
        for name in round_order(list(arms), round_):
            for k in args.candidates:
                runs[str(k)][name].append(instructions(arms[name], k, args.lookups))
                print(f"round {round_ + 1} {name} {k} candidate(s): "
                      f"{runs[str(k)][name][-1] / 1e6:.3f} M instructions a candidate",
                      flush=True)
    medians = {k: {name: statistics.median(v) for name, v in by.items()}
               for k, by in runs.items()}
    for k, by in medians.items():
        first = next(iter(by.values()))
        for name, value in by.items():
            print(f"median {k} candidate(s) {name}: {value / 1e6:.3f} M "
                  f"({(value / first - 1) * 100:+.1f} %)")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "run": run_record(), "lookups": args.lookups, "arms": arms,
            "instructions_per_candidate": runs, "median": medians}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
