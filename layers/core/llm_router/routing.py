"""Choosing the target of a request. Pure: no I/O.

An explicit model id skips routing (everything else still applies); ``auto`` routing by
complexity tier plugs in here.
"""

from __future__ import annotations

from dataclasses import dataclass

from llm_router.catalog import Catalog, ModelConfig, ProviderConfig
from llm_router.errors import InvalidRequestError


@dataclass(frozen=True)
class RouteDecision:
    model: ModelConfig
    provider: ProviderConfig
    tier: str | None
    reason: str


def select_explicit(catalog: Catalog, model_id: str, allowed: list[str] | None) -> RouteDecision:
    model = catalog.resolve(model_id)
    if allowed is not None and model.name not in allowed and model_id not in allowed:
        raise InvalidRequestError(
            f"The model {model_id!r} is not in this request's allowed_models.",
            param="allowed_models",
        )
    return RouteDecision(model, catalog.provider_of(model), None, "explicit model")


def select_target(catalog: Catalog, model_id: str, allowed: list[str] | None) -> RouteDecision:
    if model_id == "auto":
        raise InvalidRequestError(
            "model 'auto' needs the complexity classifier, which this router has not loaded. "
            "Name a model from GET /v1/models.",
            param="model",
            code="auto_routing_unavailable",
        )
    return select_explicit(catalog, model_id, allowed)
