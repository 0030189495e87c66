"""What the benchmark's arms call: the providers' HTTP client and the catalog that points
at them, for one run (a run's event loop is its own, and so are its connections)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from llm_router.catalog import Catalog
from llm_router.providers.session import UpstreamHttp
from llm_router_local.simulator.catalog import simulated_catalog
from llm_router_local.simulator.loopback import simulator_on_loopback


@dataclass(frozen=True)
class Providers:
    http: UpstreamHttp
    catalog: Catalog


@asynccontextmanager
async def live_providers(catalog: Catalog) -> AsyncIterator[Providers]:
    """The catalog's own providers (keys already resolved)."""
    http = UpstreamHttp()
    try:
        yield Providers(http, catalog)
    finally:
        await http.aclose()


@asynccontextmanager
async def simulated_providers(catalog: Catalog) -> AsyncIterator[Providers]:
    """Every provider of ``catalog`` served by a fresh simulator on 127.0.0.1."""
    async with simulator_on_loopback() as url, live_providers(
            simulated_catalog(catalog, url)) as providers:
        yield providers
