"""Wiring: from settings to ready services. Used by the Lambda edge and by ``serve``."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette

from llm_router.analytics.service import Analytics
from llm_router.api.app import Services, create_app
from llm_router.auth import Authenticator
from llm_router.cache.service import ResponseCache
from llm_router.cache.stats import CacheStats
from llm_router.catalog import Catalog, load_catalog
from llm_router.complexity import TierPicker
from llm_router.errors import ConfigError
from llm_router.heap import return_freed_memory
from llm_router.keyring import KeyRing
from llm_router.ledger import now_utc
from llm_router.providers.session import UpstreamHttp
from llm_router.resilience.health import HealthBoard
from llm_router.resilience.layer import Resilience
from llm_router.service import ChatService
from llm_router.settings import RouterSettings
from llm_router.storage.alerts import DynamoTenants
from llm_router.storage.breakers import DynamoBreakerStore
from llm_router.storage.counters import DynamoCounters
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.outbox import outbox_for
from llm_router.telemetry import PowertoolsTelemetry
from llm_router.tracing import PhaseTracer, tracer_from_env

log = logging.getLogger("llm_router")


def create_app_from_env() -> Starlette:
    """The Lambda edge: settings from the environment, clients built once per container."""
    from llm_router.tokens import use_vendored_encodings

    use_vendored_encodings(os.environ)  # the template sets it too; this covers other hosts
    return create_app(build_services(RouterSettings(), http=UpstreamHttp(),
                                     tracer=tracer_from_env(os.environ)))


def build_services(
    settings: RouterSettings,
    *,
    http: UpstreamHttp,
    catalog: Catalog | None = None,
    dynamodb: Any = None,
    mode: str = "live",
    tiers: TierPicker | None = None,
    load_tiers: bool = True,
    tracer: PhaseTracer | None = None,
    wall: Callable[[], datetime] = now_utc,
) -> Services:
    """``wall``: the clock of rate windows, budget days and quotas (tests freeze it)."""
    catalog = catalog or resolve_secrets(
        load_catalog(settings.config_path), settings.provider_keys_prefix
    )
    dynamodb = dynamodb or make_dynamodb_client(settings)
    max_body = settings.max_body_bytes or catalog.limits.max_body_bytes
    if tiers is None and load_tiers:
        tiers = load_tier_picker(catalog)
    warm_encodings()
    on_loop = loop_client(settings, dynamodb)  # the ledger's and the counters' (one pool)
    ledger = DynamoLedger(
        dynamodb,
        settings.ledger_table,
        settings.counters_table,
        retention_days=settings.ledger_retention_days,
        shards=catalog.rollups.shards,
        on_loop=on_loop,
    )
    keys = DynamoKeyStore(dynamodb, settings.keys_table)
    return Services(
        catalog=catalog,
        authenticator=Authenticator(keys, ttl_s=settings.key_cache_ttl_s,
                                    admin_tenants=catalog.analytics.admin_tenants),
        keyring=KeyRing(keys),
        chat=ChatService(
            catalog, http, ledger, max_body_bytes=max_body, tiers=tiers,
            cache=build_cache(settings, catalog, dynamodb),
            telemetry=PowertoolsTelemetry(settings.metrics_namespace, tracer=tracer,
                                          prompt_chars=settings.log_prompt_chars)
            if settings.request_log or settings.metrics_namespace else None,
            resilience=build_resilience(settings, catalog, dynamodb, wall=wall,
                                         on_loop=on_loop),
            outbox=outbox_for(settings),
        ),
        max_body_bytes=max_body,
        body_timeout_s=catalog.limits.body_timeout_s,
        mode=mode,
        cache_stats=CacheStats(ledger),
        analytics=Analytics(catalog, ledger.rollups,
                            DynamoTenants(dynamodb, settings.keys_table).tenants),
        docs_admin_tenants=admin_tenants(settings, catalog) if settings.api_docs else None,
    )


def loop_client(settings: RouterSettings, dynamodb: Any) -> Any:
    """For a store named by URL that checks no signature (``serve``'s embedded one), the
    settle's calls made on the event loop (``storage.loop_client``); on AWS, None: the
    router books through botocore's own client, in a worker thread."""
    if not (settings.storage_unsigned and settings.aws_endpoint_url):
        return None
    from llm_router.storage.loop_client import LoopDynamoClient

    return LoopDynamoClient(dynamodb)


def admin_tenants(settings: RouterSettings, catalog: Catalog) -> frozenset[str]:
    """Tenants whose keys are admin keys: the catalog's ``analytics.admin_tenants`` and
    ``LLM_ROUTER_ADMIN_TENANT`` (``serve``: the dev tenant)."""
    extra = {settings.admin_tenant} if settings.admin_tenant else set()
    return frozenset(catalog.analytics.admin_tenants) | extra


def build_cache(settings: RouterSettings, catalog: Catalog, dynamodb: Any) -> ResponseCache | None:
    """Entries in the cache table; snapshots from the bucket when there is one."""
    if not catalog.cache.enabled:
        return None
    from llm_router import aws
    from llm_router.cache.snapshots import S3SnapshotStore
    from llm_router.cache.store import DynamoCacheStore
    from llm_router.storage.dynamo import RETRY_CONFIG

    snapshots = None
    if settings.bucket:
        s3 = aws.client("s3", region=settings.region, endpoint_url=settings.aws_endpoint_url,
                        config=RETRY_CONFIG)
        snapshots = S3SnapshotStore(s3, settings.bucket)
    if catalog.cache.verifier:  # the word tables (cache.synonyms, cache.co_members) at
        from llm_router.cache.policy import co_members_of, synonyms_of  # init, not in a request

        synonyms_of(catalog.cache)
        co_members_of(catalog.cache)
    preparer = None
    if catalog.cache.verifier and catalog.cache.prepare_ahead > 0:
        from llm_router.cache.preparer import Preparer, shared_nets

        model, band = catalog.cache.verifier_model, catalog.cache.verifier_order_band
        preparer = Preparer(lambda: shared_nets(model, band), catalog.cache.prepare_ahead)
    return ResponseCache(catalog.cache, DynamoCacheStore(dynamodb, settings.cache_table),
                         snapshots=snapshots, preparer=preparer)


def build_resilience(settings: RouterSettings, catalog: Catalog, dynamodb: Any, *,
                     wall: Callable[[], datetime] = now_utc,
                     on_loop: Any = None) -> Resilience:
    """Limits, budgets, free-tier quotas and breakers, all in the counters table.
    ``on_loop``: ``loop_client``'s, for admission's write made on the event loop."""
    breaker = catalog.resilience.breaker
    board = HealthBoard(DynamoBreakerStore(dynamodb, settings.counters_table, breaker), breaker)
    counters = DynamoCounters(dynamodb, settings.counters_table, on_loop=on_loop)
    return Resilience(catalog, counters, board, environment=settings.environment, wall=wall)


def warm_encodings() -> None:
    """Load o200k's rank table now, not inside the first request's pre-flight estimate
    (every ``auto`` request prices its candidates with a token count). Only the table:
    short texts are counted from it directly, and tiktoken's encoder is built when the
    first long text needs it (``llm_router.tokens.counter``; it cost 0.16 s of init).

    o200k serves every current OpenAI model and the estimates for most others; cl100k
    (gpt-4, gpt-3.5, Llama estimates) loads on first use instead, to keep the cold
    start inside its budget."""
    from llm_router.tokens.encodings import O200K, get_encoding

    get_encoding(O200K)


def build_encoders() -> None:
    """Build tiktoken's o200k encoder now (about 0.2 s of CPU).

    For a server that answers concurrent requests (``llm-router serve``): the build holds
    the GIL, so left to the first long prompt it would stall every request in flight and
    /health for that long (``bench/loop_stall.py`` measured a 224 ms delay). o200k only:
    every ``auto`` request prices with it, and building cl100k too took the embedded
    default over its 300 MB (load_probe: RSS 320 MB with both, 285 MB with o200k alone);
    cl100k (older models' estimates) is built when its first long text needs it. Lambda
    runs one request per container at a time and keeps the build off its cold start
    (``warm_encodings``)."""
    from llm_router.tokens.encodings import O200K, get_encoding

    get_encoding(O200K).encoding()
    return_freed_memory()


def load_tier_picker(catalog: Catalog) -> TierPicker | None:
    """The embedder and classifier for ``model: auto``, or None (with a warning) when their
    files are missing: explicit models keep working, ``auto`` answers a clear 400."""
    try:
        return TierPicker.load(under_cost=catalog.routing.under_routing_cost,
                               two_asks=catalog.routing.two_asks_override)
    except ConfigError as exc:
        log.warning("model 'auto' is unavailable: %s", exc)
        return None


def resolve_secrets(catalog: Catalog, prefix: str | None, fetch: Any = None) -> Catalog:
    """Fill provider keys from SSM: ``api_key_parameter`` when a provider names one, else
    ``<prefix>/<provider>/api_key`` when present under the prefix. A provider with no
    key anywhere stays unconfigured (and is skipped), which is not an error.

    ``fetch`` (tests) replaces Powertools' cached SSM look-ups: (path|name, by_path) -> ...
    """
    missing = [name for name, p in catalog.providers.items()
               if not p.api_key and not p.local and p.kind != "bedrock"]
    if not missing:
        return catalog
    if fetch is None:
        fetch = _powertools_fetch
    by_path: dict[str, str] = {}
    if prefix and any(not catalog.providers[n].api_key_parameter for n in missing):
        by_path = fetch(prefix.rstrip("/"), True)
    providers = dict(catalog.providers)
    for name in missing:
        provider = providers[name]
        if provider.api_key_parameter:
            value = fetch(provider.api_key_parameter, False)
        else:
            value = by_path.get(f"{name}/api_key")
        if value:
            providers[name] = provider.model_copy(update={"api_key": str(value)})
    return catalog.model_copy(update={"providers": providers})


def _powertools_fetch(name: str, by_path: bool) -> Any:
    from aws_lambda_powertools.utilities import parameters

    if by_path:
        return parameters.get_parameters(name, recursive=True, decrypt=True, max_age=300)
    return parameters.get_parameter(name, decrypt=True, max_age=300)
