"""The benchmark-runner's job: the pipeline engine through the real app (in-process store,
simulator on 127.0.0.1), results to S3 (the embedded store's S3) under the date key, the
headline as EMF metrics, regressions against the previous run's latest.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest

from llm_router.bootstrap import load_tier_picker
from llm_router.catalog import load_catalog
from llm_router.errors import InvalidRequestError
from llm_router.settings import RouterSettings
from llm_router_local.aws import LOCAL_CREDENTIALS
from llm_router_local.benchmark.job import BenchmarkJob
from llm_router_local.benchmark.results import S3Results
from llm_router_local.benchmark.upstream import simulated_providers

pytestmark = pytest.mark.integration
BUCKET = "bench-results"
DAY = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def s3(moto_url: str) -> Any:
    client = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1",
                          **LOCAL_CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(scope="module")
def job(s3: Any) -> BenchmarkJob:
    settings = RouterSettings()
    catalog = load_catalog(settings.config_path)
    tiers = load_tier_picker(catalog)
    assert tiers is not None
    return BenchmarkJob(settings, catalog, "simulator", tiers, simulated_providers,
                        results=S3Results(s3, BUCKET), metrics_namespace="LLMRouter/test",
                        default_requests=40, clock=lambda: DAY)


def emf_documents(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()
            if line.startswith("{") and '"_aws"' in line]


def metric(doc: dict[str, Any], name: str) -> float:
    value = doc[name]
    return float(value[0] if isinstance(value, list) else value)


def get_json(s3: Any, key: str) -> dict[str, Any]:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def test_a_run_stores_results_by_date_publishes_metrics_and_flags_regressions(
        job: BenchmarkJob, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # The previous run was (impossibly) better: this one must report the regression.
    earlier = {"headline": {"tier_accuracy": 1.5, "under_routed": 0.0, "error_rate": 0.0,
                            "cache_hit_rate": 0.0, "savings_vs_strongest_pct": 0.0}}
    s3.put_object(Bucket=BUCKET, Key="benchmarks/latest.json", Body=json.dumps(earlier))
    summary = job.run({"job": "benchmark", "requests": 30})

    assert summary["requests"] == 30 and summary["upstream"] == "simulator"
    keys = summary["s3_keys"]
    run_prefix = f"benchmarks/2026/11/22/{summary['run_id']}/"
    assert keys == {"results": run_prefix + "results.json", "report": run_prefix + "report.md"}
    stored = get_json(s3, keys["results"])
    assert get_json(s3, "benchmarks/latest.json")["run_id"] == summary["run_id"]
    report = s3.get_object(Bucket=BUCKET, Key=keys["report"])["Body"].read().decode()
    assert "Savings of the router" in report and "![" not in report  # no plots in Lambda

    # Five arms through the app; savings are ledger against ledger.
    arms = {a["arm"]: a for a in stored["arms"]}
    assert len(arms) == 5 and all(a["requests"] == 30 for a in arms.values())
    assert all(a["ledger_items"] == 30 for a in arms.values())
    router_cost = Decimal(arms["router"]["cost_usd"])
    for name, saved in stored["savings"].items():
        assert Decimal(saved["saved_usd"]) == Decimal(arms[name]["cost_usd"]) - router_cost
    assert any("tier_accuracy regressed" in r for r in stored["regressions"])
    # The daily run replays the three baselines at once, as llm-router bench does.
    assert stored["at_once"]["arms"] == [a for a in arms if a not in ("router", "router-no-cache")]
    assert [a["at_once"] for a in stored["arms"]] == [False, False, True, True, True]
    assert stored["classifier"]["n"] > 0 and 0.7 < stored["classifier"]["accuracy"] <= 1

    docs = emf_documents(capsys.readouterr().out)
    headline = next(d for d in docs if "BenchmarkUnderRouted" in d)
    assert headline["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "LLMRouter/test"
    assert headline["service"] == "llm-router-benchmark"
    h = stored["headline"]
    assert metric(headline, "BenchmarkUnderRouted") == pytest.approx(100 * h["under_routed"])
    assert metric(headline, "BenchmarkTierAccuracy") == pytest.approx(100 * h["tier_accuracy"])
    assert metric(headline, "BenchmarkCacheHitRate") == pytest.approx(100 * h["cache_hit_rate"])
    assert metric(headline, "BenchmarkLatencyP95Ms") == arms["router"]["latency_p95_ms"]
    assert metric(headline, "BenchmarkErrors") == sum(a["errors"] for a in arms.values())
    assert metric(headline, "BenchmarkRegressions") == len(stored["regressions"]) >= 1
    savings = {d["Baseline"]: metric(d, "BenchmarkSavingsPct") for d in docs if "Baseline" in d}
    assert set(savings) == {"router-no-cache", "always-strongest", "always-cheapest",
                            "random-model"}
    strongest = next(v for k, v in stored["savings"].items() if k.startswith("always-str"))
    assert savings["always-strongest"] == pytest.approx(float(strongest["saved_pct"]))


def test_a_manual_run_may_replay_a_workload_from_the_bucket(
        job: BenchmarkJob, s3: Any) -> None:
    lines = [{"query": "What is 2 + 2?", "label": "simple", "kind": "assistant"},
             {"query": "Where is my parcel?", "label": "simple"}]
    s3.put_object(Bucket=BUCKET, Key="benchmarks/workloads/tiny.jsonl",
                  Body="".join(json.dumps(line) + "\n" for line in lines))
    summary = job.run({"workload_key": "benchmarks/workloads/tiny.jsonl", "requests": 6,
                       "router_only": True})
    stored = get_json(s3, summary["s3_keys"]["results"])
    assert stored["workload"]["requests"] == 6 and len(stored["arms"]) == 1
    assert stored["arms"][0]["errors"] == 0 and stored["at_once"] is None


def test_an_event_may_ask_for_the_baselines_one_after_another(
        job: BenchmarkJob, s3: Any) -> None:
    summary = job.run({"requests": 6, "sequential": True})
    stored = get_json(s3, summary["s3_keys"]["results"])
    assert len(stored["arms"]) == 5 and stored["at_once"] is None
    assert not any(a["at_once"] for a in stored["arms"])
    assert stored["arms_wall_s"] == pytest.approx(sum(a["wall_s"] for a in stored["arms"]),
                                                  abs=0.06)


@pytest.mark.parametrize(("event", "words"), [
    ({"requests": 0}, "requests"),
    ({"request": 10}, "request"),  # a typo is an error, not the default
    ({"workload_key": "cache/tenant.npy"}, "must be under benchmarks/"),
    ({"job": "benchmark", "repeat_rate": 0.7, "paraphrase_rate": 0.5}, "sum to < 1"),
])
def test_bad_events_fail_before_any_request(job: BenchmarkJob, event: dict,
                                            words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        job.run(event)
