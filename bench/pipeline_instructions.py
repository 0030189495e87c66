"""Instructions per request of the pipeline bench's router arm (cache on, ``model: auto``)
over the pinned workload's first requests, trees alternated: what grew and what a cut
saves, read where the shared machine's load cannot move it.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/pipeline_instructions.py \\
        --arm now=layers/core:local --arm s27=/tmp/s27/layers/core:/tmp/s27/local \\
        [--requests 100] [--rounds 2] [--out results.json]
    .venv/bin/python bench/pipeline_instructions.py --arm now=layers/core:local \\
        --profile /tmp/router.prof --requests 300      # cProfile, no callgrind

``--profile``: the same arm natively under cProfile, one profiler a thread, each on its
thread's own CPU clock (``time.thread_time``: the worker threads' embedding and lookups
count, waits do not), merged: shares, not timings (the profiler inflates Python-heavy
code, botocore's most, against numpy's). ``--keep DIR``: callgrind's profiles kept.

bench/app_instructions.py counts ``serve``'s app with an explicit model and the cache
off: the baselines' path, not the router arm's. This one builds the arm as ``llm-router
bench`` does (``PipelineBench``: the shipped catalog on the in-process simulator, the
embedded store in its own process, the tier picker, fresh tables) and replays
``bench/workloads/pipeline-1000.jsonl``'s first ``--requests`` requests through a cold
cache that fills, repeats and paraphrases included, as the arm does. Two differences,
both for repeatable counts: one request in flight (``concurrency 1``: at 8, which of two
concurrent askers stores an entry first moves the hits by a request or three), and the
breaker table and free-tier usage read once an hour instead of every 2 s (under callgrind
a request lasts seconds, so a 2 s refresh would be a storage call a request, as many as
the load makes the run last; the bench makes one every ~100 requests). The collector is
off while counting (as app_instructions), so its passes do not land in one run's window
and not another's.

Under callgrind with counting off: start-up, then a warm-up arm (the workload's last
``--warmup`` requests on their own tables: the models and the verifier load lazily), then
``callgrind_control -i on`` and the measured arm, then ``os._exit``. Callgrind follows
this process only (the app, the simulator, the client, every thread), not the store's
process: the bench's ``cpu_s`` counts the same. ``PYTHONHASHSEED=0``. Each run prints the
arm's outcomes (status, model, tier, cache per request) and their digest, so trees that
must answer alike can be checked to. Rounds take the arms in the order given, then
reversed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app_instructions import CALLGRIND, collected
from router_ab import round_order
from run_record import run_record

HERE = Path(__file__).resolve().parent
WORKLOAD = HERE / "workloads" / "pipeline-1000.jsonl"


def driver(requests: int, warmup: int, folder: str, profile: str | None) -> str:
    """The script one run executes (under callgrind, or under cProfile with ``profile``).
    It counts from the measured arm's first request to its last answer: ``PipelineBench._ask``
    (one request, in every tree since session 27) is wrapped to stop there and wait while
    the controller turns callgrind's counting on (files ``ready``/``go``), then off after
    the ``requests``-th answer (``done``/``gone``): the arm's tables, app and ledger read
    stay out, as they stay out of the bench's ``cpu_s``."""
    return f"""
import asyncio, gc, hashlib, json, os, sys, time
from pathlib import Path
from llm_router.bootstrap import load_tier_picker
from llm_router.catalog import load_catalog
from llm_router.settings import RouterSettings
from llm_router_local.aws import fresh_tables, start_embedded_aws
from llm_router_local.benchmark.pipeline import Arm, PipelineBench
from llm_router_local.benchmark.upstream import simulated_providers
from llm_router_local.benchmark.workload import load_workload

PROFILE, FOLDER, REQUESTS = {profile!r}, Path({folder!r}), {requests}
state = {{"measuring": False, "answered": 0, "cpu": 0.0}}
profiles = []

def wait(mark, answer):
    (FOLDER / mark).write_text(str(os.getpid()))
    while not (FOLDER / answer).exists():
        time.sleep(0.2)

def begin():
    gc.collect()
    gc.disable()
    if PROFILE:
        for p in profiles:
            p.clear()  # the warm-up's calls
    else:
        wait("ready", "go")
    state["cpu"] = time.process_time()

def end():
    state["cpu"] = time.process_time() - state["cpu"]
    if PROFILE:
        import pstats
        profiles[0].disable()
        stats = pstats.Stats(profiles[0])
        for p in profiles[1:]:
            try:
                stats.add(p)
            except Exception:
                pass
        stats.dump_stats(PROFILE)
    else:
        wait("done", "gone")

_ask = PipelineBench._ask

async def ask(self, *args, **kwargs):
    if state["measuring"] and state["answered"] == 0:
        begin()
    outcome = await _ask(self, *args, **kwargs)
    if state["measuring"]:
        state["answered"] += 1
        if state["answered"] == REQUESTS:
            end()
    return outcome

PipelineBench._ask = ask

async def main():
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    settings = RouterSettings()
    catalog = load_catalog(settings.config_path)
    res = catalog.resilience
    catalog = catalog.model_copy(update={{"resilience": res.model_copy(update={{
        "quota_cache_ttl_s": 3600.0,
        "breaker": res.breaker.model_copy(update={{"cache_ttl_s": 3600.0}})}})}})
    aws = start_embedded_aws()
    try:  # the tree's CLI's settings for the store it starts (session 37: unsigned)
        from llm_router_local.cli.bench import on_embedded_store
    except ImportError:
        def on_embedded_store(settings, url):
            return settings.model_copy(update={{"aws_endpoint_url": url}})
    settings = on_embedded_store(settings, aws.endpoint_url)
    items = load_workload(Path({str(WORKLOAD)!r}))
    measured, warm = items[:REQUESTS], items[len(items) - {warmup}:]
    tiers = load_tier_picker(catalog)
    if PROFILE:  # hooked before the warm-up, which starts the worker threads
        import cProfile, threading
        def start(*_):
            p = cProfile.Profile(time.thread_time)
            profiles.append(p)
            p.enable()  # replaces this hook in the thread that called it
        threading.setprofile(start)
        profiles.append(cProfile.Profile(time.thread_time))
        profiles[0].enable()
    async with simulated_providers(catalog) as upstream:
        bench = PipelineBench(settings, upstream.catalog, tiers, upstream.http, fresh_tables,
                              concurrency=1)
        await bench.run_arm(Arm("router"), warm)
        state["measuring"] = True
        result = await bench.run_arm(Arm("router"), measured)
    rows = [[o.status, o.model, o.tier, o.cache] for o in result.outcomes]
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
    cache, phases = {{}}, {{}}
    for o in result.outcomes:
        cache[o.cache] = cache.get(o.cache, 0) + 1
        for name, ms in getattr(o, "phases", ()):  # Server-Timing, since session 28
            phases[name] = phases.get(name, 0.0) + ms
    print("OUTCOMES " + json.dumps({{"digest": digest, "cache": cache,
                                     "cpu_s": round(state["cpu"], 2),
                                     "phase_ms": {{k: round(v, 1) for k, v in phases.items()}},
                                     "rows": rows}}), flush=True)
    os._exit(0)

asyncio.run(main())
"""


def _env(path: str) -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join(
                [*(os.path.abspath(p) for p in path.split(os.pathsep)), str(HERE)])}


def outcomes(output: str) -> dict:
    """The run's ``OUTCOMES`` line, parsed."""
    for line in output.splitlines():
        if line.startswith("OUTCOMES "):
            return json.loads(line[len("OUTCOMES "):])  # type: ignore[no-any-return]
    raise SystemExit(f"the run printed no outcomes:\n{output[-3000:]}")


def _control(pid: str, switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, pid], check=True, capture_output=True)


def _await_mark(proc: subprocess.Popen[str], mark: Path) -> str:
    while not mark.exists():
        if proc.poll() is not None:
            raise SystemExit(f"the run stopped before {mark.name}:\n"
                             f"{proc.stdout.read()[-3000:] if proc.stdout else ''}")
        time.sleep(0.5)
    time.sleep(0.2)  # the pid is written
    return mark.read_text()


def instructions(path: str, requests: int, warmup: int,
                 keep: str | None = None) -> tuple[float, dict]:
    """One callgrind run of one tree: instructions per request, and the outcomes; with
    ``keep``, callgrind's profile is written there (``callgrind_annotate`` reads it)."""
    with tempfile.TemporaryDirectory(prefix="pipe-instr-") as folder:
        script = Path(folder) / "driver.py"
        script.write_text(driver(requests, warmup, folder, None))
        tool = [*CALLGRIND[:-1], f"--callgrind-out-file={keep}"] if keep else list(CALLGRIND)
        proc = subprocess.Popen([*tool, sys.executable, str(script)], env=_env(path),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        pid = _await_mark(proc, Path(folder) / "ready")
        _control(pid, "on")
        (Path(folder) / "go").touch()
        _await_mark(proc, Path(folder) / "done")
        _control(pid, "off")
        (Path(folder) / "gone").touch()
        out, _ = proc.communicate()
    return collected(out) / requests, outcomes(out)


def profile(path: str, requests: int, warmup: int, out: str) -> dict:
    """One cProfile run (every thread) of one tree, written to ``out``."""
    with tempfile.TemporaryDirectory(prefix="pipe-prof-") as folder:
        script = Path(folder) / "driver.py"
        script.write_text(driver(requests, warmup, folder, os.path.abspath(out)))
        done = subprocess.run([sys.executable, str(script)], env=_env(path),
                              capture_output=True, text=True)
    return outcomes(done.stdout + done.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", help="cProfile the first arm into this file instead")
    parser.add_argument("--out", help="write the runs and medians here (JSON)")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each run's callgrind profile here (NAME-ROUND.out)")
    args = parser.parse_args()
    arms = dict(a.split("=", 1) for a in args.arm)
    if args.profile:
        seen = profile(next(iter(arms.values())), args.requests, args.warmup, args.profile)
        print(f"profile: {args.profile}; outcomes {seen['digest']} {seen['cache']}, "
              f"{seen['cpu_s']} s CPU under the profiler")
        return 0
    runs: dict[str, list[float]] = {name: [] for name in arms}
    seen_by: dict[str, list[dict]] = {name: [] for name in arms}
    for round_ in range(args.rounds):
        for name in round_order(list(arms), round_):
            keep = (os.path.join(args.keep, f"{name}-{round_ + 1}.out") if args.keep
                    else None)
            count, seen = instructions(arms[name], args.requests, args.warmup, keep)
            runs[name].append(count)
            seen_by[name].append({k: v for k, v in seen.items() if k != "rows"})
            print(f"round {round_ + 1} {name}: {count / 1e6:.2f} M instructions per request; "
                  f"outcomes {seen['digest']} {seen['cache']} (load average "
                  f"{os.getloadavg()[0]:.1f})", flush=True)
    medians = {name: statistics.median(v) for name, v in runs.items()}
    first = next(iter(medians.values()))
    for name, value in medians.items():
        print(f"median {name}: {value / 1e6:.2f} M ({(value / first - 1) * 100:+.1f} %)")
    if args.out:
        Path(args.out).write_text(json.dumps({
            "run": run_record(), "requests": args.requests, "warmup": args.warmup,
            "arms": arms, "instructions_per_request": runs, "median": medians,
            "outcomes": seen_by}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
