"""The pipeline benchmark engine end to end: the real app in process, the embedded store,
the simulator on 127.0.0.1; savings in the results equal the ledgers to the cent."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from llm_router.bootstrap import load_tier_picker
from llm_router.catalog import load_catalog
from llm_router.classifier.dataset import load_examples
from llm_router.settings import RouterSettings
from llm_router_local.aws import fresh_tables
from llm_router_local.benchmark.job import SHIPPED_DATA
from llm_router_local.benchmark.pipeline import ArmResult, PipelineBench, Together, standard_arms
from llm_router_local.benchmark.summary import build_results
from llm_router_local.benchmark.upstream import simulated_providers
from llm_router_local.benchmark.workload import WorkloadShape, build_workload

pytestmark = pytest.mark.integration


def test_savings_equal_the_ledgers_to_the_cent(moto_url: str) -> None:
    settings = RouterSettings(aws_endpoint_url=moto_url)
    catalog = load_catalog(settings.config_path)
    workload = build_workload(load_examples(SHIPPED_DATA), WorkloadShape(60, 0.2, 0.1))
    arms = standard_arms(catalog)

    async def run() -> list:
        async with simulated_providers(catalog) as upstream:
            bench = PipelineBench(settings, upstream.catalog, load_tier_picker(catalog),
                                  upstream.http, fresh_tables, concurrency=4)
            return [await bench.run_arm(arm, workload) for arm in arms]

    results = asyncio.run(run())
    out = build_results(results, workload, {"concurrency": 4, "upstream": "simulator"})
    booked = {}
    for arm in results:
        # One ledger item per request, read back from the arm's own table.
        assert len(arm.ledger) == len(workload)
        booked[arm.arm.name] = sum((Decimal(str(e["cost_usd"])) for e in arm.ledger),
                                   Decimal(0))
        assert booked[arm.arm.name] > 0
    router = results[0]
    # Repeats hit the cache in the router arm; no arm without cache has a hit.
    assert sum(o.cache in ("exact", "semantic") for o in router.outcomes) > 0
    assert all(o.cache not in ("exact", "semantic") for o in results[1].outcomes)
    for base in results[1:]:
        saved = out["savings"][base.arm.name]
        assert Decimal(saved["saved_usd"]) == booked[base.arm.name] - booked["router"]
        assert Decimal(saved["baseline_cost_usd"]) == booked[base.arm.name]
    strongest = next(a for a in out["arms"] if a["arm"].startswith("always-strongest"))
    cheapest = next(a for a in out["arms"] if a["arm"].startswith("always-cheapest"))
    assert strongest["under_routed"] == 0 < cheapest["under_routed"]
    assert Decimal(strongest["cost_usd"]) > Decimal(out["arms"][0]["cost_usd"])
    for a in out["arms"]:
        assert Decimal(a["header_cost_usd"]) == Decimal(a["cost_usd"])  # headers = ledger


def test_cli_writes_report_results_plots_and_compare_fails_on_regression(
        moto_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "LLM_ROUTER_AWS_ENDPOINT_URL": moto_url}
    cmd = [sys.executable, "-m", "llm_router_local.cli", "bench", "--requests", "40",
           "--router-only", "--out", str(tmp_path / "a")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "req/s" in done.stderr and "report:" in done.stderr
    for name in ("report.md", "results.json", "workload.jsonl", "cost_vs_quality.png",
                 "latency_cdf.png", "cache_hit_rate.png", "cost_by_model.png"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    better = {**results, "headline": {**results["headline"],
                                      "cache_hit_rate": results["headline"]["cache_hit_rate"]
                                      + 0.5}}
    (tmp_path / "better.json").write_text(json.dumps(better))
    again = subprocess.run(cmd[:-1] + [str(tmp_path / "b"), "--workload",
                                       str(tmp_path / "a" / "workload.jsonl"),
                                       "--compare", str(tmp_path / "better.json")],
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1, again.stderr
    assert "cache_hit_rate regressed" in again.stderr


def test_baselines_at_once_read_what_they_read_one_after_another(moto_url: str) -> None:
    """Each baseline at once gets its own tables, key and seeded draw: its requests get the
    same models, answers, costs and statuses as when it runs alone; only the timings
    (latency, Server-Timing phases, wall) may differ."""
    settings = RouterSettings(aws_endpoint_url=moto_url)
    catalog = load_catalog(settings.config_path)
    workload = build_workload(load_examples(SHIPPED_DATA), WorkloadShape(40, 0.2, 0.1))
    baselines = [a for a in standard_arms(catalog) if a.models]

    async def run() -> tuple[list, list, Together]:
        async with simulated_providers(catalog) as upstream:
            bench = PipelineBench(settings, upstream.catalog, load_tier_picker(catalog),
                                  upstream.http, fresh_tables, concurrency=4)
            alone = [await bench.run_arm(arm, workload) for arm in baselines]
            together, group = await bench.run_at_once(baselines, workload)
            return alone, together, group

    alone, together, group = asyncio.run(run())
    assert group.arms == tuple(a.name for a in baselines) and group.wall_s > 0

    def what(result: ArmResult) -> tuple:
        return (result.arm, result.ledger_cost_usd, len(result.ledger),
                [replace(o, latency_ms=0.0, phases=()) for o in result.outcomes])

    assert [what(r) for r in together] == [what(r) for r in alone]
    assert all(r.at_once and r.cpu_s is None for r in together)
    assert not any(r.at_once for r in alone)
