"""One benchmark-runner invocation: load, measure, store, publish."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from llm_router import __version__
from llm_router.benchmark.results import S3Results, publish_metrics
from llm_router.benchmark.routing import run_routing_benchmark
from llm_router.classifier.dataset import load_examples, split
from llm_router.classifier.runtime import ComplexityClassifier
from llm_router.embedding.base import Embedder
from llm_router.ledger import now_utc

log = logging.getLogger("llm_router.benchmark")
# The labelled queries ship in the layer (copied there by `make data`).
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data" / "benchmark" / "queries.jsonl"


@dataclass
class BenchmarkJob:
    embedder: Embedder
    classifier: ComplexityClassifier
    results: S3Results | None
    metrics_namespace: str | None
    data: Path = SHIPPED_DATA
    clock: Callable[[], datetime] = now_utc

    def run(self) -> dict[str, Any]:
        started = self.clock()
        run_id = f"{started:%H%M%S}-{uuid.uuid4().hex[:8]}"
        heldout = split(load_examples(self.data), "heldout")
        bench = run_routing_benchmark(
            self.embedder, self.classifier, heldout,
            under_cost=self.classifier.under_cost,
        )
        payload = {
            "run_id": run_id,
            "started_at": started.isoformat(),
            "router_version": __version__,
            "classifier_version": self.classifier.metadata.get("version"),
            "embedder": self.classifier.embedder_id,
            "routing": bench.to_dict(),
        }
        if self.results is not None:
            payload["s3_key"] = self.results.put(started, run_id, payload)
        if self.metrics_namespace:
            publish_metrics(self.metrics_namespace, bench.to_dict())
        log.info("benchmark done", extra={"run_id": run_id, "accuracy": bench.accuracy,
                                          "p50_ms": bench.latency_p50_ms})
        return payload
