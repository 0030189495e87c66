"""bench/pipeline_runs.py (bench runs side by side, diffed but the timings) and
bench/pin_workload.py (the pinned workload and its check)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from llm_router.classifier.tiers import TIERS


def results(**router: Any) -> dict[str, Any]:
    arm = {"arm": "router", "cost_usd": "0.06", "failovers": 3, "wall_s": 20.0, "cpu_s": 28.0,
           "latency_p50_ms": 200.0, "phase_ms": {"cache": 90.0}, "at_once": False}
    base = {"arm": "always-cheapest (m)", "cost_usd": "0.01", "failovers": 0, "wall_s": 6.0,
            "cpu_s": 4.0, "latency_p50_ms": 50.0, "phase_ms": {}, "at_once": False}
    return {"workload": {"requests": 2, "variants": {"original": 2}},
            "arms": [{**arm, **router}, base]}


def test_runs_differ_only_where_an_outcome_does(
        bench_module: Callable[[str], ModuleType]) -> None:
    pr = bench_module("pipeline_runs")
    timed = results(wall_s=35.0, cpu_s=None, latency_p50_ms=400.0, phase_ms={"cache": 1.0},
                    at_once=True)
    assert pr.differences(results(), timed) == []
    assert pr.differences(results(), results(failovers=5)) == [
        "router: failovers 3 against 5"]
    long = pr.differences(results(), results(cost_usd="0." + "1" * 300))
    assert len(long) == 1 and len(long[0]) == pr.WIDTH and long[0].endswith("...")
    assert pr.arms_wall(results()) == 26.0  # before arms_wall_s: the arms' sum
    assert pr.arms_wall({**results(), "arms_wall_s": 21.5}) == 21.5


def test_pin_writes_provenance_and_check_reads_the_split_of_today(
        bench_module: Callable[[str], ModuleType], tmp_path: Path) -> None:
    pin = bench_module("pin_workload")
    rows = [{"id": f"id{i}", "query": f"Question {i} about {TIERS[i % 4]}?",
             "label": TIERS[i % 4], "domain": "bank", "source": "own",
             "split": "heldout" if i < 10 else "train"} for i in range(40)]
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "w" / "pipeline-100.jsonl"
    assert pin.main(["--queries", str(queries), "--out", str(out), "--requests", "100"]) == 0
    provenance = json.loads((tmp_path / "w" / "pipeline-100.provenance.json").read_text())
    assert provenance["seed"] == 16 and provenance["requests"] == 100
    assert provenance["workload_sha256"] == pin.sha256_of(out)
    assert provenance["queries_sha256"] == pin.sha256_of(queries)
    rows[0]["split"] = "train"  # a retrain took a held-out query into training
    queries.write_text("".join(json.dumps(r) + "\n" for r in rows))
    found = pin.check(out, queries)
    assert found["queries_sha256_now"] != found["queries_sha256_pinned"]
    moved = found["split_moved"].get("heldout -> train", 0)
    assert moved >= 1
    assert found["heldout_requests_now"] == found["heldout_requests_pinned"] - moved
    out.write_text(out.read_text().replace("Question", "Query"))
    with pytest.raises(ValueError, match="changed after it was pinned"):
        pin.check(out, queries)
