"""Sentence embeddings: one vector per request, shared by the semantic cache and the
complexity classifier. ``Embedder`` is the port; ``MiniLMEmbedder`` is the local default
(a numpy forward pass, no torch); ``remote`` holds optional HTTP and Bedrock backends."""

from llm_router.embedding.base import Embedder, normalise_rows

__all__ = ["Embedder", "normalise_rows"]
