"""Complexity classifier: one of four tiers per query, from the request's embedding
plus a few cheap text features. ``runtime`` is what the router imports; ``train`` and
``evaluate`` build and measure the artefact that ships in the core layer."""

from llm_router.classifier.runtime import (
    Classification,
    ComplexityClassifier,
    Routing,
    load_classifier,
    route,
    routing,
)
from llm_router.classifier.tiers import TIERS, Tier

__all__ = [
    "TIERS",
    "Classification",
    "ComplexityClassifier",
    "Routing",
    "Tier",
    "load_classifier",
    "route",
    "routing",
]
