"""The benchmark-runner's job against moto S3, with the shipped classifier and data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest

from llm_router.benchmark.job import SHIPPED_DATA, BenchmarkJob
from llm_router.benchmark.results import S3Results
from llm_router.classifier.dataset import load_examples, split
from llm_router.complexity import TierPicker
from llm_router.local.aws import LOCAL_CREDENTIALS

pytestmark = pytest.mark.integration


def test_job_scores_the_heldout_split_and_stores_json_in_s3(moto_url: str, capsys) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1", **LOCAL_CREDENTIALS)
    s3.create_bucket(Bucket="bench-results")
    picker = TierPicker.load()
    job = BenchmarkJob(
        embedder=picker.embedder,
        classifier=picker.classifier,
        results=S3Results(s3, "bench-results"),
        metrics_namespace="LLMRouter/test",
        clock=lambda: datetime(2026, 11, 22, 6, 0, tzinfo=UTC),
    )
    payload = job.run()

    heldout = split(load_examples(SHIPPED_DATA), "heldout")
    routing = payload["routing"]
    assert routing["n"] == len(heldout) > 0
    assert sum(map(sum, routing["report"]["confusion"])) == len(heldout)
    # A floor that catches a broken artefact or embedder, not the target itself.
    assert routing["accuracy"] > 0.7
    assert 0 < routing["latency_p50_ms"] <= routing["latency_p95_ms"]
    assert payload["s3_key"].startswith("benchmarks/2026-11-22/")
    stored = json.loads(s3.get_object(Bucket="bench-results", Key=payload["s3_key"])["Body"]
                        .read())
    assert stored["routing"]["accuracy"] == routing["accuracy"]
    emf = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert emf["RoutingAccuracy"] == [pytest.approx(100 * routing["accuracy"])]
