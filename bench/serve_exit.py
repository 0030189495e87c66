"""How long ``llm-router serve`` takes to exit after Ctrl-C or SIGTERM, and whether it does.

    .venv/bin/python bench/serve_exit.py [--runs 10] [--signal INT|TERM] [--max-delay-s 0]

Starts ``serve --port 0 --simulate on`` ``--runs`` times, alternating the start-up heap
frozen (what ``serve`` does) and not frozen (``gc.freeze`` made a no-op, as before it
froze), sends the signal a random 0..``--max-delay-s`` after the "listening on" line (0:
at once, the moment a user's Ctrl-C is likeliest to meet start-up code) and prints, per
run, the exit status and the seconds from the signal to the process's end. A run that has
not exited after ``--give-up-s`` is killed and counted as ignored.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time

from llm_router_local.processes import spawn, wait_for_line

# `serve` with gc.freeze() a no-op: the exit as it was before serve froze its heap.
UNFROZEN = ("import gc, sys; gc.freeze = lambda: None; "
            "from llm_router_local.cli import main; sys.exit(main())")


def one_exit(frozen: bool, sig: signal.Signals, max_delay_s: float,
             give_up_s: float) -> tuple[int | None, float]:
    env = {k: v for k, v in os.environ.items() if k != "LLM_ROUTER_AWS_ENDPOINT_URL"}
    head = ["-m", "llm_router_local.cli"] if frozen else ["-c", UNFROZEN]
    proc = spawn([sys.executable, *head, "serve", "--port", "0", "--simulate", "on"],
                 {**env, "PYTHONUNBUFFERED": "1"})
    wait_for_line(proc, "llm-router listening on ", 120)
    time.sleep(random.uniform(0, max_delay_s))
    proc.send_signal(sig)
    sent = time.monotonic()
    try:
        status: int | None = proc.wait(timeout=give_up_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        status = None
    return status, time.monotonic() - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="per arm")
    parser.add_argument("--signal", choices=("INT", "TERM"), default="INT")
    parser.add_argument("--max-delay-s", type=float, default=0.0)
    parser.add_argument("--give-up-s", type=float, default=60.0)
    args = parser.parse_args()
    sig = signal.Signals[f"SIG{args.signal}"]
    times: dict[bool, list[float]] = {True: [], False: []}
    ignored = {True: 0, False: 0}
    for i in range(args.runs):
        for frozen in (False, True):
            status, took = one_exit(frozen, sig, args.max_delay_s, args.give_up_s)
            ignored[frozen] += status is None
            times[frozen].append(took)
            print(f"run {i} {'frozen  ' if frozen else 'unfrozen'} status {status} "
                  f"exit {took:.2f} s  load {os.getloadavg()[0]:.1f}", flush=True)
    for frozen in (False, True):
        t = times[frozen]
        print(f"{'frozen  ' if frozen else 'unfrozen'}: {len(t) - ignored[frozen]}/{len(t)} "
              f"exited; signal -> exit median {statistics.median(t):.2f} s, max {max(t):.2f} s")


if __name__ == "__main__":
    main()
