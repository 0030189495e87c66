"""Pointing a catalog at the provider simulator (in process or at a URL).

The benchmark runner's Lambda uses it too (its default upstream is the simulator), so it
lives with the simulator, not with the local process runner."""

from __future__ import annotations

from llm_router.catalog import Catalog, ProviderConfig

SIMULATOR_KEY = "sim-key"


def has_real_keys(catalog: Catalog) -> bool:
    """Any provider key, or a Bedrock provider with a region (it signs with AWS credentials)."""
    return any(p.api_key or (p.kind == "bedrock" and p.configured)
               for p in catalog.providers.values())


def simulated_catalog(catalog: Catalog, simulator_url: str) -> Catalog:
    """The same catalog with every simulatable provider served by the simulator.

    Each provider keeps its name and wire format; only its base URL and key change, so
    routing, pricing and the ledger behave exactly as with the real providers.
    """
    providers = {
        name: _simulated(p, simulator_url) if p.simulate else p
        for name, p in catalog.providers.items()
    }
    return catalog.model_copy(update={"providers": providers})


def _simulated(provider: ProviderConfig, url: str) -> ProviderConfig:
    base = f"{url.rstrip('/')}/{provider.name}"
    if provider.kind == "bedrock":  # boto3 signs with whatever credentials the process has
        return provider.model_copy(update={"endpoint_url": base,
                                           "region": provider.region or "us-east-1"})
    suffix = {"openai": "/v1", "anthropic": "", "gemini": "/v1beta"}[provider.kind]
    return provider.model_copy(update={"base_url": base + suffix, "api_key": SIMULATOR_KEY})
