"""The pipeline bench's engine on an embedded store and the provider simulator, as the bench
scripts that replay arms outside ``llm-router bench`` start it (bench/pipeline_failovers.py,
bench/baselines_at_once.py): one store for the whole run, one simulator per replay."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from llm_router.bootstrap import load_tier_picker
from llm_router.catalog import Catalog, load_catalog
from llm_router.settings import RouterSettings
from llm_router_local.aws import fresh_tables, start_embedded_aws
from llm_router_local.benchmark.pipeline import PipelineBench
from llm_router_local.benchmark.upstream import simulated_providers


@contextmanager
def embedded_store() -> Iterator[tuple[RouterSettings, Catalog]]:
    """The router's settings pointed at an embedded store started here (stopped on the way
    out), and the catalog they name."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    settings = RouterSettings()
    catalog = load_catalog(settings.config_path)
    aws = start_embedded_aws()
    try:
        yield settings.model_copy(update={"aws_endpoint_url": aws.endpoint_url}), catalog
    finally:
        aws.stop()


@asynccontextmanager
async def simulated_bench(settings: RouterSettings,
                          catalog: Catalog) -> AsyncIterator[PipelineBench]:
    """A ``PipelineBench`` on the simulator (started here) and the shipped classifier, each
    arm in fresh tables of ``settings``' store."""
    async with simulated_providers(catalog) as upstream:
        yield PipelineBench(settings, upstream.catalog, load_tier_picker(catalog),
                            upstream.http, fresh_tables)
