"""One structured line per request: a Powertools Logger record that is also CloudWatch EMF.

The line carries what operators filter on (request id, tenant, key id, model, provider,
tier, cache result, status, latency, added latency, tokens, cost, failovers, error code,
phase timings) and an ``_aws`` directive, so CloudWatch turns the same line into metrics,
with no API call and no second line. Never the answer, and the prompt only when an operator
opts in (``LLM_ROUTER_LOG_PROMPT_CHARS``: its first N characters); the rest of the line is
built from the ledger entry, which holds neither.

Metrics, namespace ``LLMRouter/<Stage>``; each directive is one dimension set, and every
(metric, dimension values) pair is a billed custom metric, so each set names only what its
widgets and alarms need:

  [service]            Requests ServerErrors ClientErrors LatencyMs AddedLatencyMs CostUSD
                       CostSavedUSD CacheHits Failovers   (alarms, totals)
  [service, Provider]  Requests ServerErrors LatencyMs Failovers        (provider health)
  [service, Model]     Requests CostUSD LatencyMs
  [service, Tier]      Requests CostUSD
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from llm_router.ledger import LedgerEntry
from llm_router.rollups import failovers_of
from llm_router.tracing import PhaseTracer, Span

_UNITS = {
    "Requests": "Count", "ServerErrors": "Count", "ClientErrors": "Count",
    "LatencyMs": "Milliseconds", "AddedLatencyMs": "Milliseconds", "CostUSD": "None",
    "CostSavedUSD": "None", "CacheHits": "Count", "Failovers": "Count",
}
FREE_TIER_METRIC = "FreeTierUsedPct"
# The settle outbox after the alert checker's replay run (storage/outbox.py): bookings
# still parked, made dead letters this run, and dead letters in all (alarmed above 0).
OUTBOX_METRICS = ("SettleParked", "SettleDeadLettered", "SettleDeadLetters")
DIMENSION_SETS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    ((), tuple(_UNITS)),
    (("Provider",), ("Requests", "ServerErrors", "LatencyMs", "Failovers")),
    (("Model",), ("Requests", "CostUSD", "LatencyMs")),
    (("Tier",), ("Requests", "CostUSD")),
)


class PhaseTimings(Protocol):
    """What ``llm_router.service.Timings`` records: ms per phase, and when each ran."""

    phases: dict[str, float]
    spans: list[Span]
    trace_header: str | None


class QuotaUse(Protocol):
    subject: str
    used: Decimal
    limit: Decimal


class RequestTelemetry(Protocol):
    def publish(self, entry: LedgerEntry, timings: PhaseTimings, prompt: str = "") -> None: ...


def request_fields(entry: LedgerEntry, phases: Mapping[str, float]) -> dict[str, Any]:
    """What the request line says (no metric directive)."""
    upstream = phases.get("upstream", 0.0)
    return {
        "request_id": entry.request_id,
        "tenant_id": entry.tenant_id,
        "key_id": entry.key_id,
        "requested_model": entry.requested_model,
        "model": entry.model or None,
        "provider": entry.provider or None,
        "tier": entry.tier,
        "cache": entry.cache_status,
        "stream": entry.stream,
        "status": entry.status,
        "error_code": entry.error_code,
        "latency_ms": round(entry.latency_ms, 1),
        "added_latency_ms": round(max(entry.latency_ms - upstream, 0.0), 1),
        "prompt_tokens": entry.prompt_tokens,
        "completion_tokens": entry.completion_tokens,
        "cost_usd": f"{entry.cost_usd:f}",
        "cost_saved_usd": f"{entry.cost_saved_usd:f}",
        "failovers": failovers_of(entry),
        "attempts": len(entry.attempts),
        "phases_ms": {k: round(v, 1) for k, v in phases.items()},
    }


def emf_fields(entry: LedgerEntry, phases: Mapping[str, float], namespace: str,
               service: str) -> dict[str, Any]:
    """The metric values, their dimensions and the ``_aws`` directive, as top-level keys."""
    upstream = phases.get("upstream", 0.0)
    values: dict[str, float] = {
        "Requests": 1,
        "ServerErrors": 1 if entry.status >= 500 else 0,
        "ClientErrors": 1 if 400 <= entry.status < 500 else 0,
        "LatencyMs": round(entry.latency_ms, 1),
        "AddedLatencyMs": round(max(entry.latency_ms - upstream, 0.0), 1),
        "CostUSD": float(entry.cost_usd),
        "CostSavedUSD": float(entry.cost_saved_usd),
        "CacheHits": 1 if entry.cache_status in ("exact", "semantic") else 0,
        "Failovers": failovers_of(entry),
    }
    dimensions = {"service": service, "Provider": entry.provider or "none",
                  "Model": entry.model or "none", "Tier": entry.tier or "explicit"}
    directives = [{
        "Namespace": namespace,
        "Dimensions": [["service", *dims]],
        "Metrics": [{"Name": n, "Unit": _UNITS[n]} for n in names],
    } for dims, names in DIMENSION_SETS]
    return {"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": directives},
            **dimensions, **values}


class PowertoolsTelemetry:
    """The request line through Powertools Logger (JSON on stdout, where Lambda ships it
    to CloudWatch Logs); EMF rides along when a namespace is set."""

    def __init__(self, namespace: str | None, service: str = "llm-router",
                 logger: Any = None, tracer: PhaseTracer | None = None,
                 prompt_chars: int = 0):
        if logger is None:
            from aws_lambda_powertools import Logger

            logger = Logger(service=service)
        self._logger = logger
        self._namespace = namespace
        self._service = service
        self._tracer = tracer
        self._prompt_chars = prompt_chars  # 0: the prompt is never logged

    def publish(self, entry: LedgerEntry, timings: PhaseTimings, prompt: str = "") -> None:
        """``prompt``: the request's last user turn, logged only when opted in."""
        fields = request_fields(entry, timings.phases)
        if self._prompt_chars and prompt:
            fields["prompt"] = prompt[:self._prompt_chars]
        if self._namespace:
            fields.update(emf_fields(entry, timings.phases, self._namespace, self._service))
        self._logger.info("request", extra=fields)
        if self._tracer is not None:
            self._tracer.record(timings.spans, {
                "tenant_id": entry.tenant_id, "model": entry.model or "none",
                "status": str(entry.status)}, timings.trace_header)


def outbox_line(parked: int, dead_lettered: int, dead_letters: int, namespace: str,
                service: str = "llm-router") -> dict[str, Any]:
    """The EMF record of one outbox replay run (the alert checker logs one per run)."""
    return {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": namespace, "Dimensions": [["service"]],
            "Metrics": [{"Name": name, "Unit": "Count"} for name in OUTBOX_METRICS]}]},
        "service": service,
        **dict(zip(OUTBOX_METRICS, (parked, dead_lettered, dead_letters), strict=True)),
    }


def free_tier_lines(uses: Sequence[QuotaUse], namespace: str,
                    service: str = "llm-router") -> list[dict[str, Any]]:
    """EMF records of free-tier use (the alert checker logs one per quota and run)."""
    return [{
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": namespace, "Dimensions": [["service", "Quota"]],
            "Metrics": [{"Name": FREE_TIER_METRIC, "Unit": "Percent"}]}]},
        "service": service, "Quota": use.subject,
        FREE_TIER_METRIC: float(100 * use.used / use.limit) if use.limit else 0.0,
    } for use in uses]
