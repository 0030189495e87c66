"""The router arm's under-routed requests of a pipeline bench run, one row each: which
query, original or an echo of one, served by which model from which cache layer.

    .venv/bin/llm-router bench --requests 100 --router-only --out /tmp/b   # make demo's 100
    .venv/bin/python bench/under_routed.py /tmp/b

Reads ``DIR/results.json`` (``router_requests``: each request's model, tier, cache status
and ``under``, since session 26) and ``DIR/workload.jsonl`` (label, variant, split, in the
same order; ``--workload`` for a run given one). An echo (repeat or paraphrase) of an
under-routed query is under-routed again: its cached answer, or the same tier
(docs/benchmark.md, "The demo's under-routing").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def rows(results: dict[str, Any], workload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The under-routed requests, in workload order, with their workload line."""
    served = results["router_requests"]
    if len(served) != len(workload):
        raise ValueError(f"{len(served)} router requests against {len(workload)} workload lines")
    if served and "under" not in served[0]:
        raise ValueError("results.json predates session 26: its router_requests name no "
                         "model or under-routing")
    return [{"index": i, **w, **r} for i, (r, w) in enumerate(zip(served, workload, strict=True))
            if r["under"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="an `llm-router bench --out` folder")
    parser.add_argument("--workload", type=Path, help="the run's workload (default "
                        "RUN/workload.jsonl; a run given --workload FILE wrote none)")
    args = parser.parse_args()
    results = json.loads((args.run / "results.json").read_text(encoding="utf-8"))
    text = (args.workload or args.run / "workload.jsonl").read_text(encoding="utf-8")
    workload = [json.loads(line) for line in text.splitlines() if line]
    under = rows(results, workload)
    answered = [r for r in results["router_requests"] if r["status"] == 200]
    originals = sum(1 for r, w in zip(results["router_requests"], workload, strict=True)
                    if r["status"] == 200 and w["variant"] == "original")
    print(f"under-routed {len(under)} of {len(answered)} answered; originals "
          f"{sum(r['variant'] == 'original' for r in under)} of {originals}")
    for r in under:
        print(f"{r['index']:>5} {r['variant']:<10} {r['split']:<7} label {r['label']:<9} "
              f"{r['cache']:<8} {r['model']} ({r['tier'] or 'cached'})  {r['query'][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
