"""Request and response mapping for remote embedding APIs: pure functions, no I/O, so
they are tested against recorded payloads without a network."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from llm_router.embedding.base import Matrix, normalise_rows
from llm_router.errors import UpstreamProtocolError


def openai_request(texts: Sequence[str], model: str, dimensions: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "input": list(texts), "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    return body


def openai_response(payload: Any, expected_rows: int, dim: int) -> Matrix:
    """``data[i].embedding`` ordered by ``data[i].index`` (the API may reorder)."""
    try:
        items = sorted(payload["data"], key=lambda item: int(item["index"]))
        rows = np.asarray([item["embedding"] for item in items], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise UpstreamProtocolError(f"malformed embeddings response: {exc}") from exc
    return _checked(rows, expected_rows, dim)


def titan_request(text: str, dimensions: int) -> str:
    return json.dumps({"inputText": text, "dimensions": dimensions, "normalize": True})


def titan_response(body: bytes, dim: int) -> Matrix:
    try:
        rows = np.asarray([json.loads(body)["embedding"]], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise UpstreamProtocolError(f"malformed Titan response: {exc}") from exc
    return _checked(rows, 1, dim)


def _checked(rows: Matrix, expected_rows: int, dim: int) -> Matrix:
    if rows.ndim != 2 or rows.shape != (expected_rows, dim):
        raise UpstreamProtocolError(
            f"expected {expected_rows} embeddings of size {dim}, got shape {rows.shape}"
        )
    return normalise_rows(rows)
