"""The only I/O of a provider call: send an adapter's request with httpx, translate failures.

Every lower-level failure becomes one of the ``Upstream*Error`` classes here, with the
httpx exception kept as ``__cause__`` for logs. The provider key lives only in request
headers; error messages are scrubbed of it in case a server echoes it back.

A request is built by the client (its headers, base URL and timeout) and handed straight
to the client's transport (``send``): the client's own per-request layers (auth flow,
redirect loop, cookie jar, stream wrapper) do nothing a provider call needs and cost
8-30 % of httpx's CPU per call (docs/performance.md, bench/upstream_hop.py).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import anyio
import httpx

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.base import ProviderAdapter
from llm_router.providers.wire import quote
from llm_router.schema import ChatCompletion, ChatRequest


async def body_args(request: ChatRequest, headers: dict[str, str],
                    payload: Any) -> dict[str, Any]:
    """httpx's keyword arguments for an upstream body: ``json=`` for a small request;
    for a large one the same bytes httpx would send, encoded off the event loop (a 1 MB
    prompt takes milliseconds to encode, tens under load)."""
    if not request.is_large():
        return {"headers": headers, "json": payload}
    content = await anyio.to_thread.run_sync(_json_bytes, payload)
    return {"headers": {**headers, "content-type": "application/json"}, "content": content}


def _json_bytes(payload: Any) -> bytes:
    """Exactly httpx's ``json=`` encoding (httpx/_content.py ``encode_json``)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


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
    body = await body_args(request, upstream.headers, upstream.json)
    outgoing = client.build_request(upstream.method, upstream.url, timeout=timeout, **body)
    try:
        response = await send(client, outgoing)
        await response.aread()
    except httpx.TransportError as exc:
        raise _transport_error(exc, provider, model, timeout) from exc

    if response.status_code >= 400:
        raise _status_error(response, adapter, provider, model)
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


async def send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """``request`` through the transport ``client`` would use for its URL (its mounts and
    proxies included), body not read; ``aread`` or ``aclose`` the response. Redirects are
    not followed, as ``client.send`` does not by default; no cookies are kept (a provider
    API sets none that matter). ``_transport_for_url`` is httpx's own lookup (pinned in
    requirements/runtime.txt; tests/unit/providers/test_transport.py would notice it go)."""
    transport = client._transport_for_url(request.url)
    response = await transport.handle_async_request(request)
    response.request = request
    return response


class UpstreamStream:
    """An open streaming response (status 2xx, headers read, body not yet read).

    ``lines`` yields the body's lines as they arrive and maps failures mid-body the way
    ``call_provider`` maps them; ``aclose`` drops the connection, which cancels the
    upstream generation when the body was not read to the end.
    """

    def __init__(self, response: httpx.Response, provider: ProviderConfig, model: ModelConfig,
                 timeout: float):
        self.response = response
        self._provider = provider
        self._model = model
        self._timeout = timeout

    async def lines(self) -> AsyncIterator[str]:
        try:
            async for line in self.response.aiter_lines():
                yield line
        except httpx.HTTPError as exc:
            raise _transport_error(exc, self._provider, self._model, self._timeout) from exc

    async def aclose(self) -> None:
        await self.response.aclose()


async def open_stream(
    client: httpx.AsyncClient,
    adapter: ProviderAdapter,
    request: ChatRequest,
    model: ModelConfig,
    provider: ProviderConfig,
    *,
    timeout_s: float | None = None,
) -> UpstreamStream:
    """Send a streaming request and wait for the provider's status and headers only.

    Raises the same ``UpstreamError`` as ``call_provider`` for the same failure; the
    timeout bounds the connection and every read (so also the wait for each event).
    """
    upstream = adapter.build_stream_request(request, model, provider)
    timeout = timeout_s if timeout_s is not None else provider.timeout_s
    body = await body_args(request, upstream.headers, upstream.json)
    outgoing = client.build_request(upstream.method, upstream.url, timeout=timeout, **body)
    try:
        response = await send(client, outgoing)
    except httpx.HTTPError as exc:
        raise _transport_error(exc, provider, model, timeout) from exc
    if response.status_code >= 400:
        try:
            await response.aread()
        except httpx.HTTPError as exc:
            raise _transport_error(exc, provider, model, timeout) from exc
        finally:
            await response.aclose()
        raise _status_error(response, adapter, provider, model)
    return UpstreamStream(response, provider, model, timeout)


def _transport_error(
    exc: httpx.HTTPError, provider: ProviderConfig, model: ModelConfig, timeout: float
) -> UpstreamError:
    where = {"provider": provider.name, "model": model.name}
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeoutError(
            f"{provider.name} did not answer within {timeout:g}s ({type(exc).__name__})", **where
        )
    # ConnectError, ReadError (connection reset), RemoteProtocolError (truncated body)...
    detail = _scrub(str(exc), provider.api_key) or "no detail"
    return UpstreamConnectionError(
        f"{provider.name} connection failed: {type(exc).__name__}: {detail}", **where
    )


def _status_error(
    response: httpx.Response, adapter: ProviderAdapter, provider: ProviderConfig,
    model: ModelConfig,
) -> UpstreamStatusError:
    message = adapter.error_message(response.status_code, _body_of(response))
    return UpstreamStatusError(
        f"{provider.name} returned HTTP {response.status_code}: "
        f"{_scrub(message, provider.api_key)}",
        upstream_status=response.status_code,
        retry_after=retry_after_of(response.headers),
        provider=provider.name,
        model=model.name,
    )


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
