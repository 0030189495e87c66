"""Benchmark of the routing classifier on the held-out labelled queries.

Run in the benchmark-runner function (daily) it measures what a laptop cannot: the
accuracy of the shipped artefact and the embed + classify latency on Lambda's own CPU.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from llm_router.classifier.dataset import Example
from llm_router.classifier.decision import decide, two_asks_up
from llm_router.classifier.evaluate import evaluate
from llm_router.classifier.runtime import ComplexityClassifier
from llm_router.classifier.tiers import tier_index
from llm_router.embedding.base import Embedder


@dataclass(frozen=True)
class RoutingBenchmark:
    n: int
    accuracy: float
    under_routing: float
    routed_accuracy: float  # of the cost-aware decision, what the router sends
    routed_under_routing: float
    routed_up_rate: float  # share of queries the decision sent above the top label
    latency_p50_ms: float
    latency_p95_ms: float
    report: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_routing_benchmark(
    embedder: Embedder,
    classifier: ComplexityClassifier,
    examples: Sequence[Example],
    *,
    under_cost: float,
    two_asks: bool = True,
) -> RoutingBenchmark:
    """Classify each query one at a time, as the router does, timing embed + classify."""
    if not examples:
        raise ValueError("the benchmark needs at least one labelled query")
    latencies, probs = [], []
    for example in examples:
        started = time.perf_counter()
        embedding = embedder.embed_one(example.query)
        result = classifier.classify(example.query, embedding)
        latencies.append((time.perf_counter() - started) * 1000)
        probs.append(result.probabilities)
    p = np.asarray(probs, dtype=np.float32)
    truth = np.asarray([tier_index(e.label) for e in examples], dtype=np.int64)
    plain = evaluate(truth, p.argmax(axis=1).astype(np.int64))
    routed_pred = decide(p, under_cost)
    if two_asks:  # the router's two-asks override (decision.two_asks_up)
        routed_pred = two_asks_up(routed_pred, p, [e.query for e in examples])
    routed = evaluate(truth, routed_pred)
    latencies.sort()
    return RoutingBenchmark(
        n=len(examples),
        accuracy=plain.accuracy,
        under_routing=plain.under_routing,
        routed_accuracy=routed.accuracy,
        routed_under_routing=routed.under_routing,
        routed_up_rate=float(np.mean(routed_pred > p.argmax(axis=1))),
        latency_p50_ms=statistics.median(latencies),
        latency_p95_ms=latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        report=plain.to_dict(),
    )
