"""The only I/O of a provider call: send an adapter's request with aiohttp, translate failures.

Every lower-level failure becomes one of the ``Upstream*Error`` classes here, with the
aiohttp exception kept as ``__cause__`` for logs. The provider key lives only in request
headers; error messages are scrubbed of it in case a server echoes it back.

aiohttp's client, not httpx's: a quarter to a third of the CPU per call
(docs/performance.md, bench/upstream_hop.py). The session and its pool live in
``providers.session``.
"""

from __future__ import annotations

import codecs
import json
import math
import time
from collections.abc import AsyncIterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import anyio

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.base import ProviderAdapter
from llm_router.providers.session import UpstreamHttp, timeout_of
from llm_router.providers.wire import quote
from llm_router.schema import ChatCompletion, ChatRequest

# What aiohttp raises for a failed exchange: its own errors, and a bare TimeoutError
# from a timeout it does not wrap (its own timeouts are TimeoutErrors too).
_FAILURES = (aiohttp.ClientError, TimeoutError)


async def body_bytes(request: ChatRequest, payload: Any) -> bytes:
    """The upstream body as JSON bytes; a large one encoded off the event loop (a 1 MB
    prompt takes milliseconds to encode, tens under load)."""
    if not request.is_large():
        return _json_bytes(payload)
    return await anyio.to_thread.run_sync(_json_bytes, payload)


def _json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON: the bytes httpx's ``json=`` sent before (httpx/_content.py
    ``encode_json``), so providers see the same body."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


async def send(http: UpstreamHttp, method: str, url: str, headers: dict[str, str],
                body: bytes, timeout: float) -> aiohttp.ClientResponse:
    """The response with its status and headers read, body not; ``read`` or ``close`` it.
    Redirects are not followed (httpx's default before); no cookies are kept."""
    return await http.session().request(
        method, url, data=body, headers={**headers, "content-type": "application/json"},
        timeout=timeout_of(timeout), allow_redirects=False)


async def call_provider(
    http: UpstreamHttp,
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
    body = await body_bytes(request, upstream.json)
    try:
        response = await send(http, upstream.method, upstream.url, upstream.headers, body,
                               timeout)
        try:
            content = await response.read()
        finally:
            response.release()
    except _FAILURES as exc:
        raise _transport_error(exc, provider, model, timeout) from exc

    if response.status >= 400:
        raise _status_error(response.status, response.headers, content, adapter, provider,
                            model)
    try:
        answer = json.loads(content)
    except ValueError as exc:
        raise UpstreamProtocolError(
            f"{provider.name} answered HTTP {response.status} with a body that is not "
            f"JSON: {_scrub(quote(_text(content)), provider.api_key)}",
            **where,
        ) from exc
    try:
        return adapter.parse_response(answer, model, request_id)
    except UpstreamProtocolError as exc:
        raise UpstreamProtocolError(f"{provider.name}: {exc.message}", **where) from exc


class UpstreamStream:
    """An open streaming response (status 2xx, headers read, body not yet read).

    ``lines`` yields the body's lines as they arrive and maps failures mid-body the way
    ``call_provider`` maps them; ``aclose`` drops the connection, which cancels the
    upstream generation when the body was not read to the end (a body read to its end
    has already gone back to the pool).
    """

    def __init__(self, response: aiohttp.ClientResponse, provider: ProviderConfig,
                 model: ModelConfig, timeout: float):
        self.response = response
        self._provider = provider
        self._model = model
        self._timeout = timeout

    async def lines(self) -> AsyncIterator[str]:
        lines = LineSplitter()
        try:
            async for piece in self.response.content.iter_any():
                for line in lines.feed(piece):
                    yield line
        except _FAILURES as exc:
            raise _transport_error(exc, self._provider, self._model, self._timeout) from exc
        for line in lines.flush():
            yield line

    async def aclose(self) -> None:
        self.response.close()


class LineSplitter:
    """A body's lines as its pieces arrive: split at LF, CRLF or CR, without their ends,
    as httpx's ``aiter_lines`` split them; UTF-8 cut between pieces is joined, and bytes
    that are not UTF-8 are replaced, never fatal."""

    def __init__(self) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        self._pending = ""

    def feed(self, piece: bytes) -> list[str]:
        text = self._pending + self._decode(piece)
        held = ""
        if "\r" in text:
            if text.endswith("\r"):  # maybe the first half of a CRLF: wait for the next
                text, held = text[:-1], "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        *lines, last = text.split("\n")
        self._pending = last + held
        return lines

    def flush(self) -> list[str]:
        """The last line, when the body did not end with a line end."""
        last = (self._pending + self._decode(b"", final=True)).rstrip("\r")
        self._pending = ""
        return [last] if last else []


async def open_stream(
    http: UpstreamHttp,
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
    body = await body_bytes(request, upstream.json)
    try:
        response = await send(http, upstream.method, upstream.url, upstream.headers, body,
                               timeout)
    except _FAILURES as exc:
        raise _transport_error(exc, provider, model, timeout) from exc
    if response.status >= 400:
        try:
            content = await response.read()
        except _FAILURES as exc:
            raise _transport_error(exc, provider, model, timeout) from exc
        finally:
            response.release()
        raise _status_error(response.status, response.headers, content, adapter, provider,
                            model)
    return UpstreamStream(response, provider, model, timeout)


def _transport_error(
    exc: BaseException, provider: ProviderConfig, model: ModelConfig, timeout: float
) -> UpstreamError:
    where = {"provider": provider.name, "model": model.name}
    if isinstance(exc, TimeoutError):  # aiohttp's connect and read timeouts too
        return UpstreamTimeoutError(
            f"{provider.name} did not answer within {timeout:g}s ({type(exc).__name__})", **where
        )
    # ClientConnectorError, ServerDisconnectedError, ClientPayloadError (truncated body)...
    detail = _scrub(str(exc), provider.api_key) or "no detail"
    return UpstreamConnectionError(
        f"{provider.name} connection failed: {type(exc).__name__}: {detail}", **where
    )


def _status_error(
    status: int, headers: Mapping[str, str], content: bytes, adapter: ProviderAdapter,
    provider: ProviderConfig, model: ModelConfig,
) -> UpstreamStatusError:
    message = adapter.error_message(status, _body_of(content))
    return UpstreamStatusError(
        f"{provider.name} returned HTTP {status}: "
        f"{_scrub(message, provider.api_key)}",
        upstream_status=status,
        retry_after=retry_after_of(headers),
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


def _body_of(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return _text(content)


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret and len(secret) >= 4 else text
