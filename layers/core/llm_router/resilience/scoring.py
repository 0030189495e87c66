"""Ordering a request's candidate targets by score. Pure.

The proof of concept's factors, on top of routing's own order (which already ranks by
cost, latency or quality for the request's ``optimize_for``, and by the tier the task
needs):

  routing rank    0..30   first candidate 30, the last close to 0
  free quota     10..30   10 + 20 x the share left of the target's free tier (no free
                          tier: 10); an exhausted free tier -50 (it would be skipped)
  health        -100..0   breaker open -100, half-open -30, else -30 x error rate
  latency        -15..0   observed moving average over twice the typical latency
  environment     weights of the deployment environment (routing.environments):
                  + local for a provider on your machine (Ollama, vLLM); + free for a
                  model priced 0, or free x the share left of its free tier.
                  Defaults: dev local 50, free 25; prod nothing.

With no signals (healthy, no free tiers, prod) every adjustment is equal, so the order
is routing's: scoring only moves a candidate when something is known about it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.policies import EnvironmentWeights
from llm_router.resilience.breaker import CLOSED, BreakerState


@dataclass(frozen=True)
class Signals:
    breaker: BreakerState = CLOSED
    error_rate: float = 0.0
    latency_ms: float | None = None
    # Share (0..1) of the free tier left; None when the target has no free tier.
    free_remaining: float | None = None


def score(
    position: int,
    count: int,
    model: ModelConfig,
    provider: ProviderConfig,
    signals: Signals,
    weights: EnvironmentWeights,
) -> float:
    points = 30.0 * (count - position) / max(count, 1)
    if signals.free_remaining is None:
        points += 10.0
    elif signals.free_remaining <= 0:
        points -= 50.0
    else:
        points += 10.0 + 20.0 * signals.free_remaining
    if signals.breaker.state == "open":
        points -= 100.0
    elif signals.breaker.state == "half_open":
        points -= 30.0
    points -= 30.0 * signals.error_rate
    typical = model.typical_latency_ms
    if signals.latency_ms is not None and typical:
        points -= 15.0 * min(1.0, max(0.0, signals.latency_ms / (2 * typical) - 1))
    if provider.local:
        points += weights.local
    if model.input_per_mtok == 0 and model.output_per_mtok == 0:
        points += weights.free
    elif signals.free_remaining is not None and signals.free_remaining > 0:
        points += weights.free * signals.free_remaining
    return points


T = TypeVar("T")


def rank(
    chain: Sequence[T],
    describe: Callable[[T], tuple[ModelConfig, ProviderConfig, Signals]],
    weights: EnvironmentWeights,
) -> list[T]:
    """``chain`` reordered by score, highest first; ties keep routing's order."""
    scored = []
    for position, item in enumerate(chain):
        model, provider, signals = describe(item)
        scored.append((-score(position, len(chain), model, provider, signals, weights),
                       position, item))
    return [item for _, _, item in sorted(scored, key=lambda s: (s[0], s[1]))]
