"""Which cache layers a request may use, and when a similar entry may answer it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from llm_router.cache.guards import GuardName, Signature, refusal
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatRequest, TextPart, UserMessage

Refusal = GuardName | Literal["threshold", "context"]


@dataclass(frozen=True)
class CachePlan:
    exact: bool
    semantic: bool
    reason: str  # why a layer is off ("" when both are on)

    @property
    def bypass(self) -> bool:
        return not self.exact


def plan_for(request: ChatRequest, config: CacheConfig) -> CachePlan:
    """Bypass everything for ``cache: false`` or a disabled cache; serve only exact repeats
    for tools, high temperature or a non-text last turn. Streams use the cache like any
    request: a hit is replayed as a stream, a completed stream is stored.

    An unset temperature counts as "no variety asked for": clients rarely send one, and
    treating the API default (1.0) as creative would switch the semantic layer off for
    almost every request.
    """
    if not config.enabled:
        return CachePlan(False, False, "cache disabled")
    if not request.cache:
        return CachePlan(False, False, "cache: false")
    if request.tools:
        return CachePlan(True, False, "tools")
    if request.temperature is not None and request.temperature > config.max_temperature:
        return CachePlan(True, False,
                         f"temperature {request.temperature} > {config.max_temperature}")
    last = next((m for m in reversed(request.messages) if isinstance(m, UserMessage)), None)
    if last is None:
        return CachePlan(True, False, "no user turn")
    if isinstance(last.content, list) and not all(isinstance(p, TextPart) for p in last.content):
        return CachePlan(True, False, "non-text user turn")
    return CachePlan(True, True, "")


@dataclass(frozen=True)
class Verdict:
    hit: bool
    similarity: float
    refused_by: Refusal | None = None


@dataclass(frozen=True)
class MatchPolicy:
    threshold: float
    guards: bool = True

    def judge(self, similarity: float, cached: Signature, query: Signature) -> Verdict:
        if similarity < self.threshold:
            return Verdict(False, similarity, "threshold")
        if self.guards:
            refused = refusal(cached, query)
            if refused is not None:
                return Verdict(False, similarity, refused)
        return Verdict(True, similarity)


def policy_for(config: CacheConfig, tenant_id: str) -> MatchPolicy:
    threshold = config.tenant_thresholds.get(tenant_id, config.similarity_threshold)
    return MatchPolicy(threshold, config.guards)
