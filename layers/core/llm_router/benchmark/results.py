"""Where benchmark results go: JSON in S3, headline numbers as EMF metrics."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


class S3Results:
    def __init__(self, client: Any, bucket: str, prefix: str = "benchmarks/"):
        self._client = client
        self._bucket = bucket
        self._prefix = prefix if prefix.endswith("/") else prefix + "/"

    def put(self, started: datetime, run_id: str, payload: dict[str, Any]) -> str:
        key = f"{self._prefix}{started:%Y-%m-%d}/{run_id}.json"
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=json.dumps(payload, indent=2, default=str).encode(),
            ContentType="application/json",
        )
        return key


def publish_metrics(namespace: str, result: dict[str, Any]) -> None:
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    metrics = EphemeralMetrics(namespace=namespace, service="llm-router-benchmark")
    metrics.add_metric(name="RoutingAccuracy", unit=MetricUnit.Percent,
                       value=100 * result["accuracy"])
    metrics.add_metric(name="UnderRoutingRate", unit=MetricUnit.Percent,
                       value=100 * result["routed_under_routing"])
    metrics.add_metric(name="ClassifyLatencyP50Ms", unit=MetricUnit.Milliseconds,
                       value=result["latency_p50_ms"])
    metrics.flush_metrics()
