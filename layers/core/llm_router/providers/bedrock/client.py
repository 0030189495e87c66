"""The I/O of a Bedrock call: boto3 ``bedrock-runtime`` (SigV4, the process's AWS
credentials), Converse and ConverseStream, run in worker threads.

boto3 is synchronous, so each call (and each read of a stream's next event) runs in a
thread under ``anyio.fail_after``: the attempt's deadline holds even while boto3 blocks.
boto3's own retries are off; the resilience executor retries, backs off and fails over
exactly as for the HTTP providers. Every botocore failure becomes an ``Upstream*Error``
here, with the botocore exception kept as ``__cause__``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from functools import partial
from typing import Any

import anyio

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.providers.bedrock.adapter import BedrockAdapter, status_of
from llm_router.providers.bedrock.stream import BedrockStreamTransform
from llm_router.providers.transport import retry_after_of
from llm_router.schema import ChatCompletion, ChatRequest
from llm_router.streaming.chunks import Chunk
from llm_router.streaming.upstream import OpenedStream

ADAPTER = BedrockAdapter()
# Connections kept per client: one per concurrent call (Lambda runs one request at a time;
# `llm-router serve` may run many).
MAX_POOL = 50


class BedrockRuntime:
    """One boto3 ``bedrock-runtime`` client per (region, endpoint, timeout), built on first
    use (so a router that never calls Bedrock never pays for the client at cold start).

    ``session`` (a ``boto3.Session``) lets tests and local runs pass credentials; by default
    the process's botocore session (``llm_router.aws``) with its credential chain (the
    Lambda function's role, or the developer's profile).
    """

    def __init__(self, session: Any = None):
        self._session = session
        self._clients: dict[tuple[str | None, str | None, float], Any] = {}
        self._lock = threading.Lock()

    def client_for(self, provider: ProviderConfig) -> Any:
        key = (provider.region, provider.endpoint_url, provider.timeout_s)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._build(provider)
            return self._clients[key]

    def _build(self, provider: ProviderConfig) -> Any:
        from botocore.config import Config

        from llm_router import aws

        config = Config(
            retries={"total_max_attempts": 1},  # the resilience executor retries
            connect_timeout=min(10.0, provider.timeout_s),
            read_timeout=provider.timeout_s,
            max_pool_connections=MAX_POOL,
        )
        if self._session is None:
            return aws.client("bedrock-runtime", region=provider.region,
                              endpoint_url=provider.endpoint_url, config=config)
        return self._session.client("bedrock-runtime", region_name=provider.region,
                                    endpoint_url=provider.endpoint_url, config=config)

    async def complete(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig,
        request_id: str, *, timeout_s: float | None = None,
    ) -> ChatCompletion:
        """One buffered Converse attempt. Raises an ``UpstreamError`` on failure."""
        params = ADAPTER.converse_params(request, model, provider)
        timeout = timeout_s if timeout_s is not None else provider.timeout_s
        client = self.client_for(provider)
        body = await _in_thread(partial(client.converse, **params), provider, model, timeout)
        try:
            return ADAPTER.parse_response(body, model, request_id)
        except UpstreamProtocolError as exc:
            raise UpstreamProtocolError(f"{provider.name}: {exc.message}",
                                        provider=provider.name, model=model.name) from exc

    async def open_stream(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig,
        request_id: str, *, timeout_s: float | None = None,
    ) -> OpenedStream:
        """A ConverseStream read up to its first chunk; failures before it are ordinary
        ``UpstreamError`` that failover acts on. ``timeout_s`` bounds the call and every
        wait for the next event."""
        params = ADAPTER.converse_params(request, model, provider)
        timeout = timeout_s if timeout_s is not None else provider.timeout_s
        client = self.client_for(provider)
        response = await _in_thread(partial(client.converse_stream, **params), provider, model,
                                    timeout)
        events = response["stream"]
        rid = response.get("ResponseMetadata", {}).get("RequestId") or request_id
        transform = BedrockStreamTransform(model.name, f"bedrock-{rid}")
        connection = _EventStreamConnection(events)
        rest = _chunks(iter(events), transform, provider, model, timeout)
        try:
            first = await anext(rest)
        except StopAsyncIteration:
            await connection.aclose()
            raise UpstreamProtocolError(f"{provider.name} ended the stream without a single chunk",
                                        provider=provider.name, model=model.name) from None
        except BaseException:
            with anyio.CancelScope(shield=True):
                await rest.aclose()
                await connection.aclose()
            raise
        return OpenedStream(model, provider, transform, first, rest, connection)


class _EventStreamConnection:
    def __init__(self, events: Any):
        self._events = events

    async def aclose(self) -> None:
        # Closing the body ends a read blocked in an abandoned worker thread, and drops
        # the connection, which stops the generation upstream.
        await anyio.to_thread.run_sync(self._events.close)


_END = object()


async def _chunks(
    events: Iterator[Any], transform: BedrockStreamTransform, provider: ProviderConfig,
    model: ModelConfig, timeout: float,
) -> AsyncGenerator[Chunk, None]:
    while not transform.done:
        event = await _in_thread(partial(next, events, _END), provider, model, timeout)
        if event is _END:
            break
        try:
            chunks = transform.feed(event)
        except UpstreamError as exc:
            exc.provider, exc.model = provider.name, model.name
            exc.message = f"{provider.name}: {exc.message}"
            raise
        for chunk in chunks:
            yield chunk
    if not transform.complete:
        raise UpstreamConnectionError(
            f"{provider.name} ended the stream before the answer was complete",
            provider=provider.name, model=model.name)


async def _in_thread(call: Callable[[], Any], provider: ProviderConfig, model: ModelConfig,
                     timeout: float) -> Any:
    try:
        with anyio.fail_after(timeout):
            # abandon_on_cancel: a deadline or a client hang-up must not wait for boto3.
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    except TimeoutError as exc:
        raise UpstreamTimeoutError(f"{provider.name} did not answer within {timeout:g}s",
                                   provider=provider.name, model=model.name) from exc
    except Exception as exc:
        error = translate(exc, provider, model, timeout)
        if error is None:
            raise
        raise error from exc


def translate(exc: Exception, provider: ProviderConfig, model: ModelConfig,
              timeout: float) -> UpstreamError | None:
    """The ``UpstreamError`` for a botocore / urllib3 failure; None for anything else."""
    from botocore import exceptions as bx
    from botocore.eventstream import ParserError
    from botocore.parsers import ResponseParserError
    from urllib3.exceptions import HTTPError as Urllib3Error
    from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeout

    where: dict[str, Any] = {"provider": provider.name, "model": model.name}
    name = provider.name
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        code = code[:1].upper() + code[1:]  # stream exceptions come camelCased
        meta = exc.response.get("ResponseMetadata", {})
        status = status_of(code, meta.get("HTTPStatusCode"))
        return UpstreamStatusError(
            f"{name} returned HTTP {status}: {code or 'error'}: {error.get('Message') or ''}",
            upstream_status=status, retry_after=retry_after_of(meta.get("HTTPHeaders") or {}),
            **where)
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError | Urllib3ReadTimeout):
        return UpstreamTimeoutError(
            f"{name} did not answer within {timeout:g}s ({type(exc).__name__})", **where)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return UpstreamStatusError(f"{name}: no usable AWS credentials to sign with ({exc})",
                                   upstream_status=401, **where)
    if isinstance(exc, bx.ParamValidationError):
        return UpstreamStatusError(f"{name} cannot take this request: {exc}",
                                   upstream_status=400, **where)
    if isinstance(exc, ResponseParserError | ParserError):
        return UpstreamProtocolError(f"{name} answered in a shape boto3 cannot read: {exc}",
                                     **where)
    if isinstance(exc, bx.BotoCoreError | Urllib3Error | OSError):
        return UpstreamConnectionError(
            f"{name} connection failed: {type(exc).__name__}: {exc}", **where)
    return None
