"""The relay: an open provider stream out to the client as OpenAI server-sent events.

Chunks are written as they arrive (nothing is buffered). At the end the client gets the
usage chunk if it asked for one (``stream_options.include_usage``), a comment with the
cost, and ``data: [DONE]``. Whatever ends the stream, ``close`` runs exactly once: it
drops the upstream connection and settles (books the ledger item) with the usage of
what was generated.

- provider fails mid-stream: an OpenAI-shaped error event, then the stream ends;
  booked as ``stream_interrupted`` with the partial usage.
- anything else fails (a bug): an OpenAI-shaped ``internal_error`` event; booked so.
- client disconnects: the relay is cancelled (Starlette cancels the body on
  ``http.disconnect``); the upstream request is dropped and the partial usage booked
  as ``client_disconnected``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import anyio

from llm_router.errors import InternalError, RouterError, UpstreamError
from llm_router.guards.actions import header_value
from llm_router.guards.output import StreamGuard
from llm_router.ledger import UsageSource
from llm_router.pricing import cost_of
from llm_router.schema import ChatCompletion, ChatRequest
from llm_router.streaming.accumulator import Accumulator
from llm_router.streaming.chunks import Chunk, usage_chunk
from llm_router.streaming.errors import ClientDisconnectedError, StreamInterruptedError
from llm_router.streaming.sse import DONE, encode_comment, encode_data
from llm_router.streaming.upstream import OpenedStream
from llm_router.streaming.usage import settled_usage

log = logging.getLogger("llm_router.streaming")


@dataclass(frozen=True)
class StreamOutcome:
    completion: ChatCompletion  # what was generated, with the usage it is booked with
    usage_source: UsageSource
    cost_usd: Decimal
    error: RouterError | None  # None: the client got the whole answer


Settle = Callable[[StreamOutcome], Awaitable[None]]


class StreamRelay:
    def __init__(self, opened: OpenedStream, request: ChatRequest, settle: Settle,
                 *, request_id: str = "", guard: StreamGuard | None = None):
        self.opened = opened
        self._request = request
        self._settle = settle
        self._request_id = request_id
        self._include_usage = bool(request.stream_options and request.stream_options.include_usage)
        self._acc = Accumulator()
        # The output guard (docs/guards.md): may hold text back, redact or end the answer.
        self._guard = guard or StreamGuard("off")
        self._delivered = False
        self._closed = False
        self.outcome: StreamOutcome | None = None

    async def body(self) -> AsyncGenerator[bytes, None]:
        error: RouterError | None = None
        try:
            async for chunk in self.opened.chunks():
                self._acc.add(chunk)
                for out in self._guard.apply(chunk):
                    yield encode_data(self._for_client(out))
                if self._guard.blocked:
                    break  # the answer ended with content_filter; close() drops the upstream
            for out in self._guard.finish():
                yield encode_data(self._for_client(out))
            outcome = self._outcome(None)
            self._delivered = True
            if self._include_usage and outcome.completion.usage is not None:
                yield encode_data(usage_chunk(self._for_client(self.opened.first),
                                              outcome.completion.usage))
            guarded = header_value(self._guard.actions())
            if guarded:
                yield encode_comment(f"x-router-guard={guarded}")
            yield encode_comment(f"x-router-cost-usd={outcome.cost_usd:f}") + DONE
        except UpstreamError as exc:
            error = StreamInterruptedError(exc)
            yield encode_data(error.to_body())
        except Exception as exc:
            # A bug, not the provider: booked as such; the client gets a plain event.
            log.exception("relaying a stream failed", extra={"request_id": self._request_id})
            error = InternalError(exc)
            yield encode_data(error.to_body())
        finally:
            await self.close(error)

    async def close(self, error: RouterError | None = None) -> None:
        """Drop the upstream and settle, once. Without an error and before the end of the
        answer, the client has gone away."""
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            await self.opened.aclose()
            if error is None and not self._delivered:
                error = ClientDisconnectedError()
            # Estimating usage counts the prompt's tokens when the provider did not report
            # them: a worker thread for a large prompt.
            self.outcome = (await anyio.to_thread.run_sync(self._outcome, error)
                            if self._request.is_large() else self._outcome(error))
            try:
                await self._settle(self.outcome)
            except Exception:
                # The status line went out long ago; the log is the only place left.
                log.exception("settling a stream failed", extra={"request_id": self._request_id})

    def _outcome(self, error: RouterError | None) -> StreamOutcome:
        transform = self.opened.transform
        usage, source = settled_usage(transform.usage, transform.complete, self._request,
                                      self.opened.model, self._acc.generated_text())
        return StreamOutcome(self._acc.completion(usage), source,
                             cost_of(usage, self.opened.model), error)

    def _for_client(self, chunk: Chunk) -> Chunk:
        # With include_usage, OpenAI puts "usage": null on every chunk but the last.
        return {**chunk, "usage": None} if self._include_usage else chunk
