"""Per-request CloudWatch metrics as Embedded Metric Format log lines (no API calls).

One EMF line per request, dimensioned by provider only: every distinct dimension set is
a billed custom metric, and per-model dimensions would multiply the bill by the size of
the catalog. Per-model numbers live in the ledger's rollups instead.
"""

from __future__ import annotations

from typing import Protocol

from llm_router.ledger import LedgerEntry


class RequestMetrics(Protocol):
    def publish(self, entry: LedgerEntry, upstream_ms: float) -> None: ...


class EmfRequestMetrics:
    def __init__(self, namespace: str, service: str = "llm-router"):
        from aws_lambda_powertools.metrics import EphemeralMetrics

        self._namespace = namespace
        self._service = service
        self._cls = EphemeralMetrics

    def publish(self, entry: LedgerEntry, upstream_ms: float) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        metrics = self._cls(namespace=self._namespace, service=self._service)
        metrics.add_dimension(name="Provider", value=entry.provider or "none")
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=0 if entry.success else 1)
        metrics.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds,
                           value=entry.latency_ms)
        metrics.add_metric(name="AddedLatencyMs", unit=MetricUnit.Milliseconds,
                           value=max(entry.latency_ms - upstream_ms, 0.0))
        metrics.add_metric(name="CostUSD", unit=MetricUnit.NoUnit, value=float(entry.cost_usd))
        metrics.add_metric(name="CacheHits", unit=MetricUnit.Count,
                           value=0 if entry.cache_status in ("miss", "bypass") else 1)
        metrics.flush_metrics()
