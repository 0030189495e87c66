"""Optional remote embedders, chosen by configuration instead of the local MiniLM.
Each takes its client, built once per container at the edge: a ``JsonPoster`` whose
``base_url`` and auth header point at any OpenAI-compatible ``/v1`` API, or a boto3
``bedrock-runtime`` client for Amazon Titan. Note that the classifier artefact is tied
to one embedder id: a remote embedder needs a classifier trained on its vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from llm_router.embedding.base import Matrix
from llm_router.embedding.wire import (
    openai_request,
    openai_response,
    titan_request,
    titan_response,
)
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.jsonpost import JsonPoster, PostFailed, PostTimeout


class OpenAIEmbedder:
    """``POST {base_url}/embeddings`` with ``{"model", "input": [...]}``."""

    def __init__(
        self, client: JsonPoster, *, model: str, dim: int, send_dimensions: bool = False
    ):
        self._client = client
        self._model = model
        self._dim = dim
        self._dimensions = dim if send_dimensions else None

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_id(self) -> str:
        return f"openai-compatible:{self._model}@{self._dim}"

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.empty((0, self._dim), dtype=np.float32)
        try:
            response = self._client.post(
                "embeddings", openai_request(texts, self._model, self._dimensions)
            )
        except PostTimeout as exc:
            raise UpstreamTimeoutError("embeddings request timed out", model=self._model) from exc
        except PostFailed as exc:
            raise UpstreamConnectionError(f"embeddings: {exc}", model=self._model) from exc
        if response.status >= 400:
            raise UpstreamStatusError(
                f"embeddings returned {response.status}",
                upstream_status=response.status,
                model=self._model,
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise UpstreamProtocolError("embeddings response is not JSON") from exc
        return openai_response(payload, len(texts), self._dim)

    def embed_one(self, text: str) -> Matrix:
        return self.embed([text])[0]


class TitanEmbedder:
    """Amazon Titan Text Embeddings v2 through ``bedrock-runtime.invoke_model``; one
    text per call, as the API takes."""

    def __init__(self, client: Any, *, model: str = "amazon.titan-embed-text-v2:0", dim: int = 512):
        self._client = client
        self._model = model
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_id(self) -> str:
        return f"bedrock:{self._model}@{self._dim}"

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self.embed_one(text)
        return out

    def embed_one(self, text: str) -> Matrix:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.invoke_model(
                modelId=self._model,
                body=titan_request(text, self._dim),
                contentType="application/json",
                accept="application/json",
            )
            body = response["body"].read()
        except ClientError as exc:
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 502))
            raise UpstreamStatusError(
                f"bedrock: {exc}", upstream_status=status, provider="bedrock", model=self._model
            ) from exc
        except BotoCoreError as exc:
            raise UpstreamConnectionError(
                f"bedrock: {exc}", provider="bedrock", model=self._model
            ) from exc
        return titan_response(body, self._dim)[0]
