"""Where the runner's results go: S3 under a date-keyed prefix, headline numbers as EMF
metrics (CloudWatch reads them from the function's log; no PutMetricData call).

S3 layout (``prefix`` is ``benchmarks/``)::

    benchmarks/YYYY/MM/DD/<run-id>/results.json   everything (build_results' shape)
    benchmarks/YYYY/MM/DD/<run-id>/report.md      the same report ``llm-router bench`` writes
    benchmarks/latest.json                        the newest run's results: the next run
                                                  compares itself with it (regressions)
    benchmarks/workloads/…                        workloads a manual run may name

Metrics (namespace ``LLMRouter/<Stage>``, dimension ``service=llm-router-benchmark``;
percentages 0-100): BenchmarkTierAccuracy, BenchmarkUnderRouted, BenchmarkCacheHitRate,
BenchmarkLatencyP50Ms, BenchmarkLatencyP95Ms (the router arm's), BenchmarkErrors (failed
requests of every arm), BenchmarkErrorRate (the router arm's),
BenchmarkCostUSD, BenchmarkRegressions, ClassifierAccuracy; and BenchmarkSavingsPct with
a second dimension ``Baseline`` (always-strongest, always-cheapest, random-model,
router-no-cache).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

SERVICE = "llm-router-benchmark"
# What publish_metrics emits (template.yaml's alarms and dashboard may name only these).
METRICS = ("BenchmarkTierAccuracy", "BenchmarkUnderRouted", "BenchmarkCacheHitRate",
           "BenchmarkErrorRate", "BenchmarkErrors", "BenchmarkLatencyP50Ms",
           "BenchmarkLatencyP95Ms", "BenchmarkCostUSD", "BenchmarkRegressions",
           "ClassifierAccuracy", "BenchmarkSavingsPct")


class S3Results:
    def __init__(self, client: Any, bucket: str, prefix: str = "benchmarks/"):
        self._client = client
        self._bucket = bucket
        self._prefix = prefix if prefix.endswith("/") else prefix + "/"

    def run_prefix(self, started: datetime, run_id: str) -> str:
        return f"{self._prefix}{started:%Y/%m/%d}/{run_id}/"

    def put_run(self, started: datetime, run_id: str, results: dict[str, Any],
                report: str) -> dict[str, str]:
        """results.json and report.md under the run's date-keyed prefix, then latest.json."""
        base = self.run_prefix(started, run_id)
        keys = {"results": base + "results.json", "report": base + "report.md"}
        body = (json.dumps({**results, "s3_keys": keys}, indent=2, default=str) + "\n").encode()
        self._put(keys["results"], body, "application/json")
        self._put(keys["report"], report.encode(), "text/markdown; charset=utf-8")
        self._put(self._prefix + "latest.json", body, "application/json")
        return keys

    def latest(self) -> dict[str, Any] | None:
        """The previous run's results, or None before the first run."""
        try:
            body = self._client.get_object(Bucket=self._bucket,
                                           Key=self._prefix + "latest.json")["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        data = json.loads(body)
        return data if isinstance(data, dict) else None

    def read_workload(self, key: str) -> str:
        """A workload JSONL a manual run names; only under the benchmark prefix (the
        function may read nothing else)."""
        if not key.startswith(self._prefix) or ".." in key:
            raise ValueError(f"workload_key must be under {self._prefix} in the results "
                             f"bucket, not {key!r}")
        body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        return body.decode("utf-8")

    def _put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body,
                                ContentType=content_type)


def baseline_key(arm: str) -> str:
    """A baseline's stable metric dimension: its arm name without the model it used
    (``always-strongest (claude-opus-4)`` -> ``always-strongest``), so alarms survive a
    catalog change."""
    return arm.split(" (", 1)[0]


def publish_metrics(namespace: str, results: dict[str, Any]) -> None:
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    headline, router = results["headline"], results["arms"][0]
    metrics = EphemeralMetrics(namespace=namespace, service=SERVICE)

    def add(name: str, unit: MetricUnit, value: float | None) -> None:
        if value is not None:
            metrics.add_metric(name=name, unit=unit, value=value)

    pct = MetricUnit.Percent
    accuracy = headline["tier_accuracy"]
    add("BenchmarkTierAccuracy", pct, None if accuracy is None else 100 * accuracy)
    add("BenchmarkUnderRouted", pct, 100 * headline["under_routed"])
    add("BenchmarkCacheHitRate", pct, 100 * headline["cache_hit_rate"])
    add("BenchmarkErrorRate", pct, 100 * headline["error_rate"])
    add("BenchmarkErrors", MetricUnit.Count, sum(a["errors"] for a in results["arms"]))
    add("BenchmarkLatencyP50Ms", MetricUnit.Milliseconds, router["latency_p50_ms"])
    add("BenchmarkLatencyP95Ms", MetricUnit.Milliseconds, router["latency_p95_ms"])
    add("BenchmarkCostUSD", MetricUnit.NoUnit, float(router["cost_usd"]))
    add("BenchmarkRegressions", MetricUnit.Count, len(results.get("regressions", ())))
    classifier = results.get("classifier") or {}
    add("ClassifierAccuracy", pct,
        100 * classifier["accuracy"] if "accuracy" in classifier else None)
    metrics.flush_metrics()
    for arm, saved in results["savings"].items():
        per_baseline = EphemeralMetrics(namespace=namespace, service=SERVICE)
        per_baseline.add_dimension(name="Baseline", value=baseline_key(arm))
        per_baseline.add_metric(name="BenchmarkSavingsPct", unit=MetricUnit.Percent,
                                value=float(saved["saved_pct"]))
        per_baseline.flush_metrics()
