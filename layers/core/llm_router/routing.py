"""Choosing the target of a request. Pure: no I/O.

An explicit model id skips routing (everything else still applies); its catalog
``fallbacks`` become the decision's failover chain. ``auto`` takes the
tier the classifier chose, lists the tier's candidates, drops those the request's
constraints rule out (``allowed_models``, ``max_cost_usd`` against the pre-flight
estimate, ``max_latency_ms`` against the catalog's typical latency, providers without a
key) and ranks the rest by ``optimize_for``. When a tier has no usable candidate the
next stronger tier is tried, never a weaker one: under-routing costs quality. The usable
candidates of up to ``routing.failover_tiers`` stronger tiers follow as ``escalation``:
the executor fails over to them only after every candidate of the tier itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from llm_router.catalog import TIERS, Catalog, ModelConfig, ProviderConfig, Tier
from llm_router.errors import InvalidRequestError
from llm_router.schema import ChatRequest, OptimizeFor

CostEstimate = Callable[[ChatRequest, ModelConfig], Decimal]


@dataclass(frozen=True)
class RouteDecision:
    model: ModelConfig
    provider: ProviderConfig
    tier: str | None
    reason: str
    # The request's worst-case cost on ``model``, when it was estimated.
    max_cost_usd: Decimal | None = None
    # Usable candidates after ``model``, in order (for failover).
    fallbacks: tuple[ModelConfig, ...] = ()
    # Usable candidates of stronger tiers, tried after every one of ``fallbacks``.
    escalation: tuple[ModelConfig, ...] = ()
    # The stronger tier each model of ``escalation`` was listed for.
    escalation_tiers: tuple[str, ...] = ()

    def tier_serving(self, model: ModelConfig) -> str | None:
        """The tier ``model`` serves this request at: the routed tier, or for a model of
        ``escalation`` the stronger tier failover climbed to."""
        for candidate, tier in zip(self.escalation, self.escalation_tiers, strict=True):
            if candidate is model:
                return tier
        return self.tier


def select_explicit(catalog: Catalog, model_id: str, allowed: list[str] | None) -> RouteDecision:
    model = catalog.resolve(model_id)
    if allowed is not None and model.name not in allowed and model_id not in allowed:
        raise InvalidRequestError(
            f"The model {model_id!r} is not in this request's allowed_models.",
            param="allowed_models",
        )
    # The catalog's fallbacks for this model (say, the same model at another provider);
    # allowed_models still applies to them.
    fallbacks = tuple(
        catalog.models[name] for name in model.fallbacks
        if allowed is None or name in allowed
    )
    return RouteDecision(model, catalog.provider_of(model), None, "explicit model",
                         fallbacks=fallbacks)


def check_output_limit(request: ChatRequest, model: ModelConfig) -> None:
    """A 400, as OpenAI answers it, when the request asks an explicitly named model for
    more output tokens than the catalog says it can generate. (Under ``auto`` the router
    chose the model, so the cap sent upstream is clipped instead: ``providers.calls.for_model``.)"""
    limit = request.output_limit
    if limit is None or model.max_output_tokens is None or limit <= model.max_output_tokens:
        return
    param = "max_completion_tokens" if request.max_completion_tokens else "max_tokens"
    raise InvalidRequestError(
        f"{param} is too large: {limit}. The model {model.name!r} supports at most "
        f"{model.max_output_tokens} completion tokens.",
        param=param,
        code="invalid_value",
    )


def candidates_for(catalog: Catalog, tier: Tier) -> list[ModelConfig]:
    """The tier's candidates: the routing section's list, else every model serving it."""
    names = catalog.routing.tiers.get(tier)
    if names:
        return [catalog.models[n] for n in names]
    return [m for m in catalog.models.values() if tier in m.tiers]


def select_auto(
    catalog: Catalog,
    request: ChatRequest,
    tier: Tier,
    *,
    estimate: CostEstimate,
    why: str = "",
) -> RouteDecision:
    """The best usable model for ``tier`` (or a stronger tier) under the request's limits."""
    optimize_for: OptimizeFor = request.optimize_for or catalog.routing.default_optimize_for
    dropped: dict[str, str] = {}
    tiers = TIERS[TIERS.index(tier):]
    for step, current in enumerate(tiers):
        usable = _usable(catalog, request, current, estimate, dropped)
        if usable:
            ranked = sorted(usable, key=lambda mc: _rank(optimize_for, mc[0], mc[1]))
            best, cost = ranked[0]
            moved = f", no usable {tier} model so {current}" if current != tier else ""
            reason = (f"auto: tier {tier}{why}{moved}; optimize_for={optimize_for}: "
                      f"{best.name} best of {len(usable)} (max ${cost:.6f})")
            stronger = tiers[step + 1: step + 1 + catalog.routing.failover_tiers]
            escalation = _escalation(catalog, request, stronger, estimate, optimize_for,
                                     {m.name for m, _ in ranked})
            return RouteDecision(best, catalog.provider_of(best), current, reason, cost,
                                 tuple(m for m, _ in ranked[1:]),
                                 tuple(m for m, _ in escalation),
                                 tuple(t for _, t in escalation))
    detail = "; ".join(f"{name}: {why_not}" for name, why_not in dropped.items()) or "none listed"
    raise InvalidRequestError(
        f"No model can serve this request at tier {tier} or above ({detail}).",
        param="model",
        code="no_route",
    )


def _escalation(
    catalog: Catalog, request: ChatRequest, tiers: Sequence[Tier], estimate: CostEstimate,
    optimize_for: OptimizeFor, taken: set[str],
) -> list[tuple[ModelConfig, str]]:
    """Failover candidates of stronger ``tiers`` with the tier each serves, tier by tier,
    each tier ranked like the routed one; a model already in the chain is not listed
    twice."""
    out: list[tuple[ModelConfig, str]] = []
    for tier in tiers:
        usable = [mc for mc in _usable(catalog, request, tier, estimate, {})
                  if mc[0].name not in taken]
        taken.update(m.name for m, _ in usable)
        out += [(m, tier) for m, _ in sorted(usable, key=lambda mc: _rank(optimize_for, *mc))]
    return out


def _usable(
    catalog: Catalog, request: ChatRequest, tier: Tier, estimate: CostEstimate,
    dropped: dict[str, str],
) -> list[tuple[ModelConfig, Decimal]]:
    """The tier's candidates the request's constraints allow, with their worst-case cost;
    why each other one was dropped goes into ``dropped``."""
    usable: list[tuple[ModelConfig, Decimal]] = []
    for model in candidates_for(catalog, tier):
        cost = estimate(request, model)
        refusal = _refusal(catalog, request, model, cost)
        if refusal:
            dropped.setdefault(model.name, refusal)
        else:
            usable.append((model, cost))
    return usable


def _refusal(
    catalog: Catalog, request: ChatRequest, model: ModelConfig, cost: Decimal
) -> str | None:
    if not catalog.provider_of(model).configured:
        return "provider has no key"
    if request.allowed_models is not None and model.name not in request.allowed_models:
        return "not in allowed_models"
    if request.max_cost_usd is not None and cost > Decimal(str(request.max_cost_usd)):
        return f"max cost ${cost:.6f} over max_cost_usd"
    if (request.max_latency_ms is not None and model.typical_latency_ms is not None
            and model.typical_latency_ms > request.max_latency_ms):
        return f"typical latency {model.typical_latency_ms} ms over max_latency_ms"
    return None


def _rank(optimize_for: OptimizeFor, model: ModelConfig, cost: Decimal) -> tuple:
    latency = model.typical_latency_ms if model.typical_latency_ms is not None else 10**9
    strength = max((TIERS.index(t) for t in model.tiers), default=0)
    if optimize_for == "latency":
        return (latency, cost, model.name)
    if optimize_for == "quality":
        # The strongest model for the tier first; among equals the pricier is usually the
        # larger model, then the faster.
        return (-strength, -model.output_per_mtok, latency, model.name)
    return (cost, latency, model.name)
