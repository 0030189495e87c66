"""A cached answer replayed to a streaming request as OpenAI server-sent events.

The hit is booked before the response starts (a replay costs nothing and cannot fail
upstream), so ``close`` has nothing to settle. The text goes out in word-sized pieces,
so a client renders it the way it renders a live stream.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator

from llm_router.schema import ChatCompletion, ChatRequest
from llm_router.streaming.chunks import Chunk, ChunkFactory, usage_chunk
from llm_router.streaming.sse import DONE, encode_comment, encode_data

# About one token per piece: a word with the space before it.
_PIECE = re.compile(r"\s*\S+|\s+$")


class ReplayRelay:
    def __init__(self, completion: ChatCompletion, request: ChatRequest):
        self._completion = completion
        self._include_usage = bool(request.stream_options and request.stream_options.include_usage)

    async def body(self) -> AsyncGenerator[bytes, None]:
        for chunk in replay_chunks(self._completion):
            yield encode_data({**chunk, "usage": None} if self._include_usage else chunk)
        if self._include_usage and self._completion.usage is not None:
            like = ChunkFactory(self._completion.id, self._completion.created,
                                self._completion.model).role()
            yield encode_data(usage_chunk(like, self._completion.usage))
        yield encode_comment("x-router-cost-usd=0") + DONE

    async def close(self) -> None:
        """Nothing to drop or settle: the hit was booked before the first byte."""


def replay_chunks(completion: ChatCompletion) -> Iterator[Chunk]:
    """The chunks a live stream of ``completion`` would have carried, in order."""
    make = ChunkFactory(completion.id, completion.created, completion.model)
    choice = completion.choices[0]
    yield make.role()
    for piece in _PIECE.findall(choice.message.content or ""):
        yield make.content(piece)
    for index, call in enumerate(choice.message.tool_calls or []):
        yield make.tool_call(index, call.id, call.function.name, call.function.arguments)
    yield make.finish(choice.finish_reason or "stop")
