"""The pipeline bench's three baselines one after another and at once, alternated in one
process on one workload: what running them at once saves on this machine as loaded now,
and that each arm reads the same but for its timings (docs/benchmark.md, "Session 29").

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/baselines_at_once.py --rounds 3 \\
        --out bench/results/baselines-at-once-session29.json

One simulator and one embedded store serve every round, as in `llm-router bench`; each arm
gets fresh tables each round. Per round and mode: the arms' wall time as `llm-router
bench` counts it (one after another: the sum of the arms' walls; at once: the group's) and
the process's CPU meanwhile, the same with the arms' table setup and ledger reads, each
arm's figures, and the load average before and after. Every
arm's per-arm figures but the timings (``pipeline_runs.TIMINGS``) must equal the first
sequential round's, else the script says which and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from llm_router.classifier.dataset import load_examples
from llm_router_local.benchmark.job import SHIPPED_DATA
from llm_router_local.benchmark.pipeline import standard_arms
from llm_router_local.benchmark.summary import arm_summary
from llm_router_local.benchmark.workload import against_queries, load_workload

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_runs import TIMINGS  # noqa: E402
from run_record import run_record  # noqa: E402
from simulated_pipeline import embedded_store, simulated_bench  # noqa: E402

PINNED = Path("bench/workloads/pipeline-1000.jsonl")


def load() -> float:
    return round(os.getloadavg()[0], 2)


async def rounds(workload: list[Any], count: int) -> list[dict[str, Any]]:
    out = []
    with embedded_store() as (settings, catalog):
        async with simulated_bench(settings, catalog) as bench:
            baselines = [a for a in standard_arms(bench.catalog) if a.models]
            for number in range(count):
                for mode in ("sequential", "at_once"):
                    before = load()
                    t0, c0 = time.perf_counter(), time.process_time()
                    if mode == "sequential":
                        results = [await bench.run_arm(arm, workload) for arm in baselines]
                        arms_wall = sum(r.wall_s for r in results)
                        arms_cpu = sum(r.cpu_s or 0.0 for r in results)
                    else:
                        results, together = await bench.run_at_once(baselines, workload)
                        arms_wall, arms_cpu = together.wall_s, together.cpu_s
                    total, cpu = time.perf_counter() - t0, time.process_time() - c0
                    arms = [arm_summary(r, workload) for r in results]
                    out.append({"round": number + 1, "mode": mode,
                                "arms_wall_s": round(arms_wall, 2),
                                "arms_cpu_s": round(arms_cpu, 2),
                                "with_setup_wall_s": round(total, 2),
                                "with_setup_cpu_s": round(cpu, 2), "load_1m": [before, load()],
                                "arms": arms})
                    print(f"round {number + 1} {mode}: arms {arms_wall:.2f} s wall, "
                          f"{arms_cpu:.2f} s CPU ({total:.2f} s, {cpu:.2f} s with their "
                          f"tables' setup and ledger reads); load {before} -> {load()}; "
                          "each arm's wall " + ", ".join(f"{a['wall_s']}" for a in arms),
                          flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workload", type=Path, default=PINNED)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    workload = against_queries(load_workload(args.workload),
                               load_examples(SHIPPED_DATA))[: args.requests]
    done = asyncio.run(rounds(workload, args.rounds))
    first = {a["arm"]: a for a in done[0]["arms"]}
    differences = [f"round {r['round']} {r['mode']}: {a['arm']}: {key}"
                   for r in done for a in r["arms"]
                   for key in sorted(set(a) - TIMINGS) if a[key] != first[a["arm"]][key]]
    print("every arm the same but its timings in every round" if not differences
          else "\n".join(differences))
    if args.out:
        args.out.write_text(json.dumps({"workload": str(args.workload),
                                        "requests": len(workload), "rounds": done,
                                        "differences": differences,
                                        "run_record": run_record()}, indent=2) + "\n")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
