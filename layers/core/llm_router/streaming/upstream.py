"""One streaming attempt: open the provider's stream and read it up to its first chunk.

``open_attempt`` returns only once a first OpenAI chunk exists, so every failure before
the client could see a byte (connect, status, a broken or empty stream) is an ordinary
``UpstreamError`` that failover can act on. The rest of the stream is read lazily.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import anyio

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import UpstreamConnectionError, UpstreamError, UpstreamProtocolError
from llm_router.providers.registry import adapter_for
from llm_router.providers.session import UpstreamHttp
from llm_router.providers.transport import UpstreamStream, open_stream
from llm_router.schema import ChatRequest
from llm_router.streaming.base import StreamState, StreamTransform
from llm_router.streaming.chunks import Chunk
from llm_router.streaming.registry import transform_for
from llm_router.streaming.sse import SseDecoder, SseEvent


class Connection(Protocol):
    async def aclose(self) -> None:
        """Drop the upstream connection (which cancels the generation)."""
        ...


@dataclass
class OpenedStream:
    """A provider stream whose first chunk is in hand, whatever its wire (SSE over aiohttp,
    or Bedrock's event stream through boto3)."""

    model: ModelConfig
    provider: ProviderConfig
    transform: StreamState
    first: Chunk
    _rest: AsyncGenerator[Chunk, None]
    _upstream: Connection

    async def chunks(self) -> AsyncIterator[Chunk]:
        yield self.first
        async for chunk in self._rest:
            yield chunk

    async def aclose(self) -> None:
        """Stop reading and drop the connection (which cancels the generation upstream)."""
        with anyio.CancelScope(shield=True):
            await self._rest.aclose()
            await self._upstream.aclose()


async def open_attempt(
    http: UpstreamHttp,
    request: ChatRequest,
    model: ModelConfig,
    provider: ProviderConfig,
    request_id: str,
    *,
    timeout_s: float | None = None,
) -> OpenedStream:
    upstream = await open_stream(http, adapter_for(provider.kind), request, model, provider,
                                 timeout_s=timeout_s)
    transform = transform_for(provider.kind, model.name, request_id)
    rest = chunks_from(upstream, transform, provider.name, model.name)
    try:
        first = await anext(rest)
    except StopAsyncIteration:
        await upstream.aclose()
        raise UpstreamProtocolError(
            f"{provider.name} ended the stream without a single chunk",
            provider=provider.name, model=model.name,
        ) from None
    except BaseException:
        with anyio.CancelScope(shield=True):
            await rest.aclose()
            await upstream.aclose()
        raise
    return OpenedStream(model, provider, transform, first, rest, upstream)


async def chunks_from(
    upstream: UpstreamStream, transform: StreamTransform, provider: str, model: str
) -> AsyncGenerator[Chunk, None]:
    """The stream's OpenAI chunks, as its events arrive. Raises ``UpstreamError``."""
    decoder = SseDecoder()
    async for line in upstream.lines():
        event = decoder.feed(line)
        if event is None:
            continue
        for chunk in _feed(transform, event, provider, model):
            yield chunk
        if transform.done:
            return
    last = decoder.flush()
    if last is not None:
        for chunk in _feed(transform, last, provider, model):
            yield chunk
    if not transform.complete:
        raise UpstreamConnectionError(
            f"{provider} ended the stream before the answer was complete",
            provider=provider, model=model,
        )


def _feed(transform: StreamTransform, event: SseEvent, provider: str, model: str) -> list[Chunk]:
    try:
        return transform.feed(event)
    except UpstreamError as exc:
        exc.provider, exc.model = provider, model
        exc.message = f"{provider}: {exc.message}"
        raise
