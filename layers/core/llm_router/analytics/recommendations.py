"""Optimisation recommendations, each with an estimated monthly saving.

All four read the tenant's daily rollups over a range and scale to 30 days:

- cache opportunity: requests that skipped the cache (``cache: false``, streams with
  the cache off, high temperature) times the hit rate the cached requests saw.
- downgrade candidates: per (tier, model) actually served, the cheapest catalog model
  that serves the tier, priced on the same tokens.
- max_tokens waste: answers cut off at max_tokens (paid for, then usually asked again),
  and caps set far above what is used (they reserve budget for nothing).
- unused free tiers: free quota left over while the same tiers were paid for.

Estimates, not promises: each one says what it assumed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_router.analytics.usage import DayRange, Rollups
from llm_router.catalog import Catalog, FreeTier, ModelConfig
from llm_router.rollups import NONE, Counters

MONTH_DAYS = 30
MILLION = Decimal(1_000_000)
CENT = Decimal("0.01")


def recommendations(rollups: Rollups, catalog: Catalog, tenant_id: str,
                    span: DayRange) -> dict[str, Any]:
    first, last = span.first.isoformat(), span.last.isoformat()
    routes: dict[str, Counters] = {}
    for (_, value), counters in rollups.read(tenant_id, "day", "route", first, last).items():
        routes.setdefault(value, Counters()).add(counters.values)
    scale = Decimal(MONTH_DAYS) / Decimal(span.days)
    items = [*_cache(routes, scale), *_downgrades(routes, catalog, scale),
             *_max_tokens(routes, scale), *_free_tiers(routes, catalog, scale)]
    items.sort(key=lambda r: Decimal(r["estimated_monthly_saving_usd"]), reverse=True)
    return {"object": "analytics.recommendations", "tenant_id": tenant_id, "from": first,
            "to": last, "data": items,
            "estimated_monthly_saving_usd": _usd(sum(
                (Decimal(r["estimated_monthly_saving_usd"]) for r in items), Decimal(0)))}


def _cache(routes: dict[str, Counters], scale: Decimal) -> list[dict[str, Any]]:
    total = Counters()
    for counters in routes.values():
        total.add(counters.values)
    eligible = total.requests - int(total["cache_bypass"])
    if not total.requests:
        return []
    exact, semantic = int(total["cache_exact_hits"]), int(total["cache_semantic_hits"])
    rate = Decimal(exact + semantic) / eligible if eligible else Decimal(0)
    saving = total["cache_bypass_cost_usd"] * rate * scale
    if not total["cache_bypass"] or not saving:
        return []
    return [{
        "kind": "cache_opportunity",
        "summary": f"{int(total['cache_bypass'])} requests skipped the cache; cached "
                   f"requests hit {rate:.1%} of the time (repeats {exact}, paraphrases "
                   f"{semantic}). Let them use the cache (drop cache: false, keep "
                   "temperature at or under the cache's max_temperature).",
        "repeat_rate": round(exact / eligible, 4) if eligible else 0.0,
        "paraphrase_rate": round(semantic / eligible, 4) if eligible else 0.0,
        "requests_bypassing": int(total["cache_bypass"]),
        "estimated_monthly_saving_usd": _usd(saving),
    }]


def _downgrades(routes: dict[str, Counters], catalog: Catalog,
                scale: Decimal) -> list[dict[str, Any]]:
    out = []
    for route, counters in sorted(routes.items()):
        tier, _, model_name = route.partition("|")
        if tier == NONE or model_name not in catalog.models or not counters["cost_usd"]:
            continue
        candidates = [m for m in catalog.models.values() if tier in m.tiers]
        if not candidates:
            continue
        cheapest = min(candidates, key=lambda m: _priced(m, counters))
        alternative = _priced(cheapest, counters)
        saving = (counters["cost_usd"] - alternative) * scale
        if cheapest.name == model_name or saving <= 0:
            continue
        out.append({
            "kind": "downgrade_candidate",
            "summary": f"{counters.requests} {tier} requests went to {model_name} "
                       f"(${_usd(counters['cost_usd'])}); {cheapest.name} serves the "
                       f"{tier} tier and would have cost ${_usd(alternative)} for the same "
                       "tokens. Route the tier with optimize_for: cost, or list "
                       f"{cheapest.name} first for it.",
            "tier": tier, "model": model_name, "suggested_model": cheapest.name,
            "requests": counters.requests,
            "estimated_monthly_saving_usd": _usd(saving),
        })
    return out


def _max_tokens(routes: dict[str, Counters], scale: Decimal) -> list[dict[str, Any]]:
    per_model: dict[str, Counters] = {}
    for route, counters in routes.items():
        per_model.setdefault(route.partition("|")[2], Counters()).add(counters.values)
    out = []
    for model, c in sorted(per_model.items()):
        capped = int(c["max_tokens_requests"])
        if not capped:
            continue
        used = c["max_tokens_completion_tokens"] / c["max_tokens_sum"] if c[
            "max_tokens_sum"] else Decimal(1)
        truncated = int(c["truncated"])
        if not truncated and used >= Decimal("0.25"):
            continue
        saving = c["truncated_cost_usd"] * scale
        out.append({
            "kind": "max_tokens_waste",
            "summary": f"{model}: {capped} requests set max_tokens, averaging "
                       f"{c['max_tokens_sum'] / capped:.0f} and using {used:.0%} of it; "
                       f"{truncated} answers were cut off at the cap "
                       f"(${_usd(c['truncated_cost_usd'])} paid for truncated answers). "
                       "Size max_tokens to the answers you "
                       "expect: caps far above use reserve budget for nothing, caps at the "
                       "limit pay for answers that get asked again.",
            "model": model, "requests_capped": capped, "cap_used_share": round(float(used), 4),
            "truncated": truncated,
            "estimated_monthly_saving_usd": _usd(saving),
        })
    return out


def _free_tiers(routes: dict[str, Counters], catalog: Catalog,
                scale: Decimal) -> list[dict[str, Any]]:
    out = []
    for model in catalog.models.values():
        provider = catalog.provider_of(model)
        tier_limits = model.free_tier or provider.free_tier
        capacity = _monthly_tokens(tier_limits)
        if capacity is None or not model.tiers:
            continue
        own = sum((c["prompt_tokens"] + c["completion_tokens"] for r, c in routes.items()
                   if r.partition("|")[2] == model.name), Decimal(0)) * scale
        paid = Counters()
        for route, c in routes.items():
            tier, _, name = route.partition("|")
            if tier in model.tiers and name != model.name and c["cost_usd"]:
                paid.add(c.values)
        paid_tokens = (paid["prompt_tokens"] + paid["completion_tokens"]) * scale
        unused = capacity - own
        if unused <= 0 or not paid_tokens:
            continue
        movable = min(unused, paid_tokens)
        saving = paid["cost_usd"] * scale * movable / paid_tokens
        out.append({
            "kind": "unused_free_tier",
            "summary": f"{model.name}'s free tier ({provider.name}) has about "
                       f"{unused:.0f} tokens a month unused while {paid_tokens:.0f} tokens a "
                       f"month of its tiers ({', '.join(model.tiers)}) are paid for. List it "
                       "first for those tiers.",
            "model": model.name, "provider": provider.name,
            "unused_tokens_per_month": int(unused),
            "estimated_monthly_saving_usd": _usd(saving),
        })
    return out


def _monthly_tokens(limits: FreeTier | None) -> Decimal | None:
    if limits is None:
        return None
    options = [Decimal(limits.tokens_per_month)] if limits.tokens_per_month else []
    if limits.tokens_per_day:
        options.append(Decimal(limits.tokens_per_day) * MONTH_DAYS)
    return min(options) if options else None


def _priced(model: ModelConfig, c: Counters) -> Decimal:
    return (c["prompt_tokens"] * model.input_per_mtok
            + c["completion_tokens"] * model.output_per_mtok) / MILLION


def _usd(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.000001')):f}"
