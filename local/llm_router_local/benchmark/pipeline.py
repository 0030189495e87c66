"""The whole-pipeline benchmark engine, shared by ``llm-router bench`` and the runner.

Each arm (the router, the router without cache, and the baselines: always the strongest
model, always the cheapest, a random one) replays the same workload through the real app
in process: authentication, admission, guards, exact and semantic cache, classifier,
routing, resilience, provider calls and settle. Each arm gets fresh tables, so its cache
starts cold and its ledger holds only its own requests; its cost is read back from that
ledger, never computed from assumed token counts.

Requests reach the app over httpx's ASGI transport (no sockets, no event-loop hop); the
app reaches the providers over HTTP with its own client (``upstream``), the simulator on
127.0.0.1 (``benchmark.upstream``) or real providers.
Each arm's tables live in the store ``stores`` makes: the embedded store's server at
``settings.aws_endpoint_url`` (the CLI: ``local.aws.fresh_tables``), or an in-process
one (the Lambda runner: ``benchmark.job.fresh_store``), never the stack's own tables.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import Catalog, ModelConfig
from llm_router.classifier.tiers import tier_index
from llm_router.complexity import TierPicker
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.providers.session import UpstreamHttp
from llm_router.settings import RouterSettings
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger

from .workload import WorkloadItem

TENANT = "bench"
MAX_TOKENS = 300


@dataclass(frozen=True)
class Arm:
    """One way of serving the workload. ``models`` empty: ``model: auto`` (the router);
    one model: always that one; several: a random one per request (seeded)."""

    name: str
    models: tuple[str, ...] = ()
    cache: bool = True


@dataclass(frozen=True)
class Outcome:
    index: int
    status: int
    model: str
    tier: str  # the tier the router chose ("" for an explicit model)
    cache: str  # miss | bypass (cache: false) | exact | semantic
    latency_ms: float
    header_cost_usd: Decimal
    under_routed: bool  # answered by a model too weak for the query's label
    error: str = ""  # the OpenAI error code (or type) of a failed request
    # The app's Server-Timing phases of the request (auth, cache, embed, classify, admit,
    # upstream, settle; ms), and ``storage``: its storage round trips, summed.
    phases: tuple[tuple[str, float], ...] = ()


@dataclass
class ArmResult:
    arm: Arm
    outcomes: list[Outcome]
    ledger: list[dict[str, Any]]
    wall_s: float
    # The bench process's CPU over the arm, every thread: the app, the in-process
    # simulator and client (not an embedded store running as its own process). On a
    # shared machine the wall time reads the load; this reads the work. None for an arm
    # run at once with others: the process's CPU is theirs together (``Together``).
    cpu_s: float | None = 0.0
    # Replayed at the same time as other arms (``PipelineBench.run_at_once``): its latency
    # and wall time read beside theirs, on one event loop and the same cores.
    at_once: bool = False
    ledger_cost_usd: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.ledger_cost_usd = sum((Decimal(str(e.get("cost_usd", 0))) for e in self.ledger),
                                   Decimal(0))


@dataclass(frozen=True)
class Together:
    """Arms replayed at once: their names, and the wall time and the bench process's CPU
    from the first one's start to the last one's end."""

    arms: tuple[str, ...]
    wall_s: float
    cpu_s: float


def max_tier(model: ModelConfig) -> int:
    return max((tier_index(t) for t in model.tiers), default=-1)


def tiered_models(catalog: Catalog) -> list[ModelConfig]:
    """Models routing may pick: they serve a tier and their provider is reachable."""
    return [m for m in catalog.models.values()
            if m.tiers and catalog.providers[m.provider].kind != "bedrock"]


def _price(m: ModelConfig) -> Decimal:
    return m.input_per_mtok + 3 * m.output_per_mtok  # a typical 1:3 output-heavy mix


def standard_arms(catalog: Catalog) -> list[Arm]:
    """The router, the router without cache, and the three baselines the issue names."""
    models = tiered_models(catalog)
    if not models:
        raise ValueError("the catalog has no model that serves a tier")
    # A baseline's model is a paid model with no free-tier quota: a per-minute free
    # share would turn most of a fast replay into 503s and make the baseline look cheap.
    paid = [m for m in models if not m.free_tier
            and not catalog.providers[m.provider].free_tier] or models
    strongest = max(paid, key=lambda m: (max_tier(m), _price(m), m.name))
    cheapest = min(paid, key=lambda m: (_price(m), m.name))
    return [
        Arm("router"),
        Arm("router-no-cache", cache=False),
        Arm(f"always-strongest ({strongest.name})", (strongest.name,), cache=False),
        Arm(f"always-cheapest ({cheapest.name})", (cheapest.name,), cache=False),
        Arm("random-model", tuple(sorted(m.name for m in paid)), cache=False),
    ]


@dataclass(frozen=True)
class _Prepared:
    """An arm ready to replay: its settings and store, its key, its app's transport and
    each request's model."""

    arm: Arm
    settings: RouterSettings
    dynamodb: Any
    key: str
    transport: httpx.ASGITransport
    models: list[str]


@dataclass
class PipelineBench:
    """The app's dependencies for every arm: the store endpoint, the catalog (already
    pointed at the simulator or real providers), the loaded classifier and the providers'
    HTTP client."""

    settings: RouterSettings
    catalog: Catalog
    tiers: TierPicker | None
    upstream: UpstreamHttp
    # settings with fresh table names -> a DynamoDB client on which those tables exist.
    stores: Callable[[RouterSettings], Any]
    concurrency: int = 8
    seed: int = 16

    async def run_arm(self, arm: Arm, workload: Sequence[WorkloadItem],
                      on_request: Callable[[Outcome], None] | None = None) -> ArmResult:
        prepared = self._prepare(arm, workload)
        outcomes, wall, cpu = await self._replay(prepared, workload, on_request)
        return self._result(prepared, outcomes, wall, cpu)

    def _prepare(self, arm: Arm, workload: Sequence[WorkloadItem]) -> _Prepared:
        """The arm's fresh tables, key and app, and its seeded model draw: before its clock
        starts."""
        settings, dynamodb = self._fresh_tables()
        key = "sk-bench-" + uuid.uuid4().hex
        key_hash = hash_key(key)
        DynamoKeyStore(dynamodb, settings.keys_table).put(
            ApiKey(key_hash, key_id_of(key_hash), TENANT, "2026-01-01T00:00:00+00:00"))
        services = build_services(settings, http=self.upstream, catalog=self.catalog,
                                  dynamodb=dynamodb, mode="simulated", tiers=self.tiers,
                                  load_tiers=False)
        rng = random.Random(self.seed)
        return _Prepared(arm, settings, dynamodb, key,
                         httpx.ASGITransport(app=create_app(services)),
                         [rng.choice(arm.models) if arm.models else "auto" for _ in workload])

    async def _replay(self, prepared: _Prepared, workload: Sequence[WorkloadItem],
                      on_request: Callable[[Outcome], None] | None
                      ) -> tuple[list[Outcome], float, float]:
        """The arm's requests, ``concurrency`` in flight: its outcomes, wall and CPU."""
        arm, key, models = prepared.arm, prepared.key, prepared.models
        gate = asyncio.Semaphore(self.concurrency)
        outcomes: list[Outcome] = []
        started, cpu_started = time.perf_counter(), time.process_time()

        async def one(index: int, item: WorkloadItem, client: httpx.AsyncClient) -> None:
            delay = item.at_s - (time.perf_counter() - started)
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                outcome = await self._ask(client, key, index, item, models[index], arm.cache)
            outcomes.append(outcome)
            if on_request:
                on_request(outcome)

        async with httpx.AsyncClient(transport=prepared.transport, base_url="http://router",
                                     timeout=60) as client:
            await asyncio.gather(*(one(i, item, client) for i, item in enumerate(workload)))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        outcomes.sort(key=lambda o: o.index)
        return outcomes, wall, cpu

    def _result(self, prepared: _Prepared, outcomes: list[Outcome], wall: float,
                cpu: float | None) -> ArmResult:
        """The arm's result with its ledger, read back after its clock stopped."""
        settings = prepared.settings
        ledger = DynamoLedger(prepared.dynamodb, settings.ledger_table, settings.counters_table)
        return ArmResult(prepared.arm, outcomes, list(ledger.all_entries(TENANT)), wall, cpu)

    async def _ask(self, client: httpx.AsyncClient, key: str, index: int, item: WorkloadItem,
                   model: str, cache: bool) -> Outcome:
        body: dict[str, Any] = {"model": model, "max_tokens": MAX_TOKENS,
                                "messages": [{"role": "user", "content": item.query}]}
        if not cache:
            body["cache"] = False
        t0 = time.perf_counter()
        resp = await client.post("/v1/chat/completions", json=body,
                                 headers={"authorization": f"Bearer {key}"})
        latency = (time.perf_counter() - t0) * 1000
        served = resp.headers.get("x-router-model", "")
        config = self.catalog.models.get(served)
        under = resp.status_code == 200 and (
            config is None or max_tier(config) < tier_index(item.label))
        return Outcome(index, resp.status_code, served, resp.headers.get("x-router-tier", ""),
                       resp.headers.get("x-router-cache", "miss"), latency,
                       Decimal(resp.headers.get("x-router-cost-usd", "0")), under,
                       "" if resp.status_code == 200 else _error_code(resp),
                       server_timing(resp.headers.get("server-timing", "")))

    async def run_at_once(
            self, arms: Sequence[Arm], workload: Sequence[WorkloadItem],
            on_request: Callable[[Arm], Callable[[Outcome], None] | None] | None = None,
    ) -> tuple[list[ArmResult], Together]:
        """Several arms replayed at the same time, each as ``run_arm`` replays it alone (its
        own tables, key, seeded model draw and ``concurrency`` requests in flight), so
        arms that mostly wait on the providers (the baselines: the simulator's sleep)
        overlap their waits. What an arm's requests get (model, answer, cost, status)
        does not depend on the others'; their latency and wall time do."""
        # Every arm's tables and app first, and every ledger read after the last answer:
        # the clocks hold the replays alone, as run_arm's do (a setup or a ledger read
        # blocks the loop, so inside the group it would stall the other arms' requests).
        prepared = [self._prepare(arm, workload) for arm in arms]
        started, cpu_started = time.perf_counter(), time.process_time()
        replays = await asyncio.gather(*(
            self._replay(p, workload, on_request(p.arm) if on_request else None)
            for p in prepared))
        together = Together(tuple(a.name for a in arms), time.perf_counter() - started,
                            time.process_time() - cpu_started)
        results = [self._result(p, outcomes, wall, None)
                   for p, (outcomes, wall, _) in zip(prepared, replays, strict=True)]
        for result in results:
            result.at_once = True
        return results, together

    async def run_arms(
            self, arms: Sequence[Arm], workload: Sequence[WorkloadItem], *, at_once: bool = True,
            on_request: Callable[[Arm], Callable[[Outcome], None] | None] | None = None,
            on_arm: Callable[[ArmResult], None] | None = None,
    ) -> tuple[list[ArmResult], Together | None]:
        """Every arm of a run, in the order ``llm-router bench`` and the daily benchmark share:
        the router arms (no fixed models) one after the other, as they are CPU and at once
        would only share the cores; then the baselines, at once when ``at_once`` and there
        are several (their time is the providers' wait, which overlaps: ``run_at_once``),
        else one after another. ``on_request(arm)`` gives an arm's per-request callback,
        ``on_arm`` hears each result as it is made. The ``Together`` is None when no arms
        ran at once."""
        alone = [a for a in arms if not a.models]
        baselines = [a for a in arms if a.models]
        group = at_once and len(baselines) > 1
        results: list[ArmResult] = []
        for arm in alone + ([] if group else baselines):
            results.append(await self.run_arm(arm, workload,
                                              on_request(arm) if on_request else None))
            if on_arm:
                on_arm(results[-1])
        together = None
        if group:
            replayed, together = await self.run_at_once(baselines, workload, on_request)
            for result in replayed:
                results.append(result)
                if on_arm:
                    on_arm(result)
        return results, together

    def _fresh_tables(self) -> tuple[RouterSettings, Any]:
        suffix = uuid.uuid4().hex[:8]
        s = self.settings
        settings = s.model_copy(update={
            "keys_table": f"{s.keys_table}-{suffix}", "ledger_table": f"{s.ledger_table}-{suffix}",
            "counters_table": f"{s.counters_table}-{suffix}",
            "cache_table": f"{s.cache_table}-{suffix}", "bucket": None,
            "request_log": False, "metrics_namespace": None})
        return settings, self.stores(settings)


def server_timing(header: str) -> tuple[tuple[str, float], ...]:
    """``auth;dur=1.2, cache;dur=30.5, ddb-1;desc="put";dur=2.0`` -> the phases in order
    and the storage calls (``ddb-N``, each inside a phase) summed as ``storage``."""
    phases: dict[str, float] = {}
    for m in _METRIC.finditer(header):
        dur = _DUR.search(m.group(2))
        if dur is None:
            continue
        key = "storage" if m.group(1).startswith("ddb-") else m.group(1)
        phases[key] = phases.get(key, 0.0) + float(dur.group(1))
    return tuple(phases.items())


# A Server-Timing metric: its name, then its ;param=value list (a value may be quoted).
_METRIC = re.compile(r'([\w.-]+)((?:\s*;\s*\w+=(?:"[^"]*"|[^,;]*))*)')
_DUR = re.compile(r';\s*dur=([0-9.]+)')


def _error_code(resp: httpx.Response) -> str:
    try:
        err = resp.json()["error"]
        return str(err.get("code") or err.get("type") or resp.status_code)
    except (ValueError, KeyError, TypeError, AttributeError):
        return str(resp.status_code)
