"""The only I/O of a provider call: send an adapter's request with httpx, translate failures.

Every lower-level failure becomes one of the ``Upstream*Error`` classes here, with the
httpx exception kept as ``__cause__`` for logs. The provider key lives only in request
headers; error messages are scrubbed of it in case a server echoes it back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.base import ProviderAdapter
from llm_router.providers.wire import quote
from llm_router.schema import ChatCompletion, ChatRequest


async def call_provider(
    client: httpx.AsyncClient,
    adapter: ProviderAdapter,
    request: ChatRequest,
    model: ModelConfig,
    provider: ProviderConfig,
    request_id: str,
    *,
    timeout_s: float | None = None,
) -> ChatCompletion:
    """One buffered attempt against one provider. Raises an ``UpstreamError`` on failure."""
    upstream = adapter.build_request(request, model, provider)
    timeout = timeout_s if timeout_s is not None else provider.timeout_s
    where = {"provider": provider.name, "model": model.name}
    try:
        response = await client.request(
            upstream.method,
            upstream.url,
            headers=upstream.headers,
            json=upstream.json,
            timeout=timeout,
        )
    except httpx.TimeoutException as exc:
        raise UpstreamTimeoutError(
            f"{provider.name} did not answer within {timeout:g}s ({type(exc).__name__})", **where
        ) from exc
    except httpx.TransportError as exc:
        # ConnectError, ReadError (connection reset), RemoteProtocolError (truncated body)...
        detail = _scrub(str(exc), provider.api_key) or "no detail"
        raise UpstreamConnectionError(
            f"{provider.name} connection failed: {type(exc).__name__}: {detail}", **where
        ) from exc

    if response.status_code >= 400:
        message = adapter.error_message(response.status_code, _body_of(response))
        raise UpstreamStatusError(
            f"{provider.name} returned HTTP {response.status_code}: "
            f"{_scrub(message, provider.api_key)}",
            upstream_status=response.status_code,
            retry_after=retry_after_of(response.headers),
            **where,
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise UpstreamProtocolError(
            f"{provider.name} answered HTTP {response.status_code} with a body that is not "
            f"JSON: {_scrub(quote(response.text), provider.api_key)}",
            **where,
        ) from exc
    try:
        return adapter.parse_response(body, model, request_id)
    except UpstreamProtocolError as exc:
        raise UpstreamProtocolError(f"{provider.name}: {exc.message}", **where) from exc


def retry_after_of(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP
    date; None when absent or unreadable. Never negative."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _number(millis)
        if seconds is not None:
            return max(0.0, seconds / 1000)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # RFC 9110 dates are always GMT; a naive one is not a valid header
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret and len(secret) >= 4 else text
