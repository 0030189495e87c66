"""One benchmark-runner invocation: the whole-pipeline benchmark (``pipeline``), stored
in S3 and published as metrics.

It runs the engine ``llm-router bench`` runs: the labelled workload replayed through the
real app for the router and each baseline, in the same order (``PipelineBench.run_arms``:
the router arms one after the other, the baselines at once unless the event says
``sequential``), each arm on fresh tables of an in-process store (never the stack's own
tables, so no tenant's ledger, budget or alert moves).
Providers are a simulator on 127.0.0.1, in the same process, unless ``upstream`` is
``live``: a daily bench against paid providers costs real money (about 5 x the
workload's requests a day), so the template's default is the simulator.

The results also carry the classifier's own score on the held-out labelled queries
(``classifier``), measured on Lambda's CPU.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llm_router import __version__
from llm_router.bootstrap import load_tier_picker, resolve_secrets
from llm_router.catalog import Catalog, load_catalog
from llm_router.classifier.dataset import load_examples, split
from llm_router.complexity import TierPicker
from llm_router.errors import ConfigError, InvalidRequestError
from llm_router.ledger import now_utc
from llm_router.settings import BenchmarkSettings, RouterSettings
from llm_router.storage.tables import physical_table_names
from llm_router_local.benchmark.pipeline import ArmResult, PipelineBench, Together, standard_arms
from llm_router_local.benchmark.results import S3Results, publish_metrics
from llm_router_local.benchmark.routing import run_routing_benchmark
from llm_router_local.benchmark.summary import build_results, compare, report_markdown
from llm_router_local.benchmark.upstream import Providers, live_providers, simulated_providers
from llm_router_local.benchmark.workload import (
    WorkloadItem,
    WorkloadShape,
    build_workload,
    parse_workload,
)
from llm_router_local.simulator.catalog import has_real_keys
from llm_router_local.store.inprocess import InProcessStore

log = logging.getLogger("llm_router.benchmark")
# The labelled queries ship in the layer (copied there by `make data`).
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data" / "benchmark" / "queries.jsonl"
Upstream = Literal["simulator", "live"]


class BenchmarkEvent(BaseModel):
    """What one invocation may override (a manual ``aws lambda invoke`` payload); the
    daily schedule sends ``{"job": "benchmark"}`` and gets the defaults."""

    model_config = ConfigDict(extra="forbid")
    job: Literal["benchmark"] = "benchmark"
    requests: int | None = Field(default=None, ge=1, le=5000)
    concurrency: int = Field(default=8, ge=1, le=64)
    repeat_rate: float = Field(default=0.15, ge=0, lt=1)
    paraphrase_rate: float = Field(default=0.10, ge=0, lt=1)
    rate_per_s: float | None = Field(default=None, gt=0)
    seed: int = 16
    router_only: bool = False
    # The three baselines one after another instead of at once (``llm-router bench
    # --sequential``): at once they overlap their providers' waits (session 29's pinned
    # 1,000 requests on the simulator: 12.6 s together against about 21 s one after
    # another) but their latencies read beside each other's; with live keys at once means
    # three arms' requests in flight at the same providers.
    sequential: bool = False
    # A workload JSONL in the results bucket, under the benchmark prefix (replayed, cut
    # or repeated to ``requests``); none builds one from the shipped labelled queries.
    workload_key: str | None = None


@dataclass
class BenchmarkJob:
    settings: RouterSettings
    catalog: Catalog  # with live keys, or to be pointed at the simulator by ``providers``
    upstream: Upstream
    tiers: TierPicker
    # The providers for one run, from the catalog: fresh per run (an invocation's event
    # loop is its own): benchmark.upstream's simulated_providers or live_providers.
    providers: Callable[[Catalog], AbstractAsyncContextManager[Providers]]
    results: S3Results | None
    metrics_namespace: str | None
    default_requests: int = 1000
    data: Path = SHIPPED_DATA
    clock: Callable[[], datetime] = now_utc

    def run(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        params = parse_event(event or {})
        started = self.clock()
        run_id = f"{started:%H%M%S}-{uuid.uuid4().hex[:8]}"
        workload = self._workload(params)
        t0 = time.perf_counter()
        arms, together = asyncio.run(self._replay(workload, params))
        results = build_results(arms, workload, {
            "run_id": run_id, "started_at": started.isoformat(),
            "router_version": __version__, "upstream": self.upstream,
            "concurrency": params.concurrency, "wall_s": round(time.perf_counter() - t0, 2)},
            together)
        results["classifier"] = self._classifier_score()
        earlier = self.results.latest() if self.results else None
        results["regressions"] = compare(results, earlier) if earlier else []
        if self.results is not None:
            results["s3_keys"] = self.results.put_run(
                started, run_id, results, report_markdown(results, []))
        if self.metrics_namespace:
            publish_metrics(self.metrics_namespace, results)
        log.info("benchmark done", extra={"run_id": run_id, "headline": results["headline"],
                                          "regressions": results["regressions"]})
        return summary_of(results)

    async def _replay(self, workload: list[WorkloadItem], params: BenchmarkEvent
                      ) -> tuple[list[ArmResult], Together | None]:
        arms = standard_arms(self.catalog)[: 1 if params.router_only else None]

        def done(result: ArmResult) -> None:
            log.info("benchmark arm done", extra={
                "arm": result.arm.name, "requests": len(workload),
                "wall_s": round(result.wall_s, 2), "at_once": result.at_once})

        async with self.providers(self.catalog) as providers:
            bench = PipelineBench(self.settings, providers.catalog, self.tiers, providers.http,
                                  concurrency=params.concurrency, seed=params.seed,
                                  stores=fresh_store)
            return await bench.run_arms(arms, workload, at_once=not params.sequential,
                                        on_arm=done)

    def _workload(self, params: BenchmarkEvent) -> list[WorkloadItem]:
        requests = params.requests or self.default_requests
        if params.workload_key:
            if self.results is None:
                raise InvalidRequestError("workload_key needs a results bucket",
                                          param="workload_key")
            try:
                items = parse_workload(self.results.read_workload(params.workload_key),
                                       params.workload_key)
            except ValueError as exc:
                raise InvalidRequestError(str(exc), param="workload_key") from exc
            return (items * (requests // len(items) + 1))[:requests]
        try:
            shape = WorkloadShape(requests, params.repeat_rate, params.paraphrase_rate,
                                  params.rate_per_s, params.seed)
        except ValueError as exc:
            raise InvalidRequestError(str(exc)) from exc
        return build_workload(load_examples(self.data), shape)

    def _classifier_score(self) -> dict[str, Any]:
        heldout = split(load_examples(self.data), "heldout")
        score = run_routing_benchmark(self.tiers.embedder, self.tiers.classifier, heldout,
                                      under_cost=self.tiers.under_cost,
                                      two_asks=self.tiers.two_asks).to_dict()
        score.pop("report", None)  # the confusion matrix: the CLI's `classify` shows it
        return {**score, "version": self.tiers.classifier.metadata.get("version"),
                "embedder": self.tiers.classifier.embedder_id}


def build_job(settings: BenchmarkSettings, s3: Any) -> BenchmarkJob:
    """The runner's job as its settings say: simulator or live providers, results in the
    bucket when there is one, metrics in the namespace when there is one."""
    catalog = load_catalog(settings.config_path)
    providers: Callable[[Catalog], AbstractAsyncContextManager[Providers]]
    if settings.benchmark_upstream == "live":
        catalog = resolve_secrets(catalog, settings.provider_keys_prefix)
        if not has_real_keys(catalog):
            raise ConfigError("LLM_ROUTER_BENCHMARK_UPSTREAM=live but no provider has a key "
                              f"(SSM prefix {settings.provider_keys_prefix})")
        providers = live_providers
    else:
        providers = simulated_providers
    tiers = load_tier_picker(catalog)
    if tiers is None:
        raise ConfigError("the benchmark needs the classifier and embedder in the layer")
    return BenchmarkJob(
        settings, catalog, settings.benchmark_upstream, tiers, providers,
        results=S3Results(s3, settings.bucket, settings.benchmark_prefix)
        if settings.bucket else None,
        metrics_namespace=settings.metrics_namespace,
        default_requests=settings.benchmark_requests)


# An EventBridge event's envelope: not overrides (those may ride in its ``detail``).
_ENVELOPE = frozenset({"version", "id", "detail-type", "source", "account", "time", "region",
                       "resources", "detail"})


def parse_event(event: dict[str, Any]) -> BenchmarkEvent:
    """The invocation's overrides, or a 400-style error naming the bad field (a typo such
    as ``request`` is an error, not a silent default)."""
    overrides = {k: v for k, v in event.items() if k not in _ENVELOPE}
    if isinstance(event.get("detail"), dict):
        overrides = {**event["detail"], **overrides}
    try:
        return BenchmarkEvent.model_validate(overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        raise InvalidRequestError(f"benchmark event: {where}: {first['msg']}",
                                  param=where) from exc


def fresh_store(settings: RouterSettings) -> Any:
    """An arm's tables in a new in-memory store: a DynamoDB client on which they exist."""
    return InProcessStore().create_tables(physical_table_names(settings), settings.region)


def summary_of(results: dict[str, Any]) -> dict[str, Any]:
    """What the invocation returns (and logs): the headline, savings and where the rest is."""
    return {
        "run_id": results["run_id"], "started_at": results["started_at"],
        "upstream": results["upstream"], "requests": results["workload"]["requests"],
        "wall_s": results["wall_s"], "headline": results["headline"],
        "savings_pct": {k: v["saved_pct"] for k, v in results["savings"].items()},
        "errors": {a["arm"]: a["errors"] for a in results["arms"]},
        "regressions": results["regressions"], "s3_keys": results.get("s3_keys"),
    }

