"""Several `llm-router bench` runs side by side, and the proof that two of them read the same
per arm but for the timings (docs/benchmark.md, "Session 29").

    .venv/bin/python bench/pipeline_runs.py --run m1=DIR1 --run b1=DIR2 ... \\
        --same s1 b1 --out bench/results/pipeline-runs-session29.json

Each ``--run NAME=DIR`` reads ``DIR/results.json`` and, when it is there, ``DIR.log`` (the
scratch runner's record: start and end times with the load average, the code and the
command). Per run: the arms' wall time (``arms_wall_s``, or for a run that predates it the
sum of its arms' walls), each arm's wall and CPU, and each arm's outcomes (cost, errors,
under-routing, cache hits, failovers, skips). ``--same A B`` diffs every per-arm figure of
two runs except the timings (``TIMINGS``) and prints each difference; the result holds them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_record import run_record  # noqa: E402

# What an arm reads off the clock: its latency, its phases and its wall and CPU time (and
# whether it ran beside others). Everything else an arm reports is its own outcome.
TIMINGS = frozenset({"latency_p50_ms", "latency_p95_ms", "latency_mean_ms", "phase_ms",
                     "wall_s", "cpu_s", "requests_per_s", "at_once"})
WIDTH = 160  # a difference's line, cut (cost by model, failover causes: long dicts)
OUTCOMES = ("cost_usd", "errors", "under_routed", "under_routed_originals", "tier_accuracy",
            "cache_exact", "cache_semantic", "failovers", "skips")


def arms_wall(results: dict[str, Any]) -> float:
    if "arms_wall_s" in results:
        return float(results["arms_wall_s"])
    return round(sum(a["wall_s"] for a in results["arms"]), 2)


def read_log(path: Path) -> dict[str, str]:
    """``key rest-of-line`` lines of the scratch runner's log (label, start, end, rc...)."""
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text().splitlines():
        key, _, rest = line.partition(" ")
        if key in ("label", "start", "end", "elapsed", "rc"):
            out[key] = rest
    return out


def run_summary(name: str, folder: Path) -> dict[str, Any]:
    results = json.loads((folder / "results.json").read_text())
    return {
        "run": name, "log": read_log(folder.with_suffix(".log")),
        "arms_wall_s": arms_wall(results),
        "cpu_s": round(sum(a["cpu_s"] for a in results["arms"] if a.get("cpu_s") is not None)
                       + ((results.get("at_once") or {}).get("cpu_s") or 0.0), 2),
        "at_once": results.get("at_once"),
        "pinned": (results["workload"].get("pinned") or {}).get("file"),
        "variants": results["workload"]["variants"],
        "arms": [{"arm": a["arm"], "wall_s": a["wall_s"], "cpu_s": a.get("cpu_s"),
                  "at_once": a.get("at_once", False), "latency_p50_ms": a["latency_p50_ms"],
                  **{k: a.get(k) for k in OUTCOMES}} for a in results["arms"]],
    }


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Every per-arm figure of two results.json but the timings that differs, one line each."""
    out = []
    if a["workload"] != {k: v for k, v in b["workload"].items() if k in a["workload"]}:
        out.append("the workloads differ")
    names = [x["arm"] for x in a["arms"]]
    if names != [x["arm"] for x in b["arms"]]:
        return [*out, f"the arms differ: {names} against {[x['arm'] for x in b['arms']]}"]
    for x, y in zip(a["arms"], b["arms"], strict=True):
        for key in sorted((set(x) | set(y)) - TIMINGS):
            if x.get(key) != y.get(key):
                line = f"{x['arm']}: {key} {x.get(key)!r} against {y.get(key)!r}"
                out.append(line if len(line) <= WIDTH else line[:WIDTH - 3] + "...")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", action="append", default=[], metavar="NAME=DIR", required=True)
    p.add_argument("--same", nargs=2, action="append", default=[], metavar=("A", "B"))
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    folders = dict(r.split("=", 1) for r in args.run)
    runs = [run_summary(name, Path(folder)) for name, folder in folders.items()]
    for r in runs:
        print(f"{r['run']}: arms {r['arms_wall_s']} s wall, {r['cpu_s']} s CPU; "
              f"{r['log'].get('start', '')} -> {r['log'].get('end', '')}")
    same = []
    for a, b in args.same:
        diff = differences(*(json.loads((Path(folders[n]) / "results.json").read_text())
                             for n in (a, b)))
        same.append({"runs": [a, b], "differences": diff})
        print(f"{a} against {b}: " + ("the same but the timings" if not diff else
                                      f"{len(diff)} differences"))
        for line in diff:
            print(f"  {line}")
    if args.out:
        args.out.write_text(json.dumps({"runs": runs, "same": same, "timings": sorted(TIMINGS),
                                        "run_record": run_record()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
