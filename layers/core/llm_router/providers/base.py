"""The provider port: how one wire protocol maps to and from the OpenAI shape.

An adapter is pure: it builds an ``UpstreamRequest`` (URL, headers, JSON body) from a
``ChatRequest`` and parses the provider's JSON answer back into a ``ChatCompletion``.
It never does I/O; ``llm_router.providers.transport`` sends the request with aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.schema import ChatCompletion, ChatRequest


@dataclass(frozen=True)
class UpstreamRequest:
    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any]
    # What to show in logs instead of the headers (which hold the provider key).
    redacted: dict[str, str] = field(default_factory=dict)


class ProviderAdapter(Protocol):
    """One wire protocol (OpenAI-compatible, Anthropic Messages, Gemini generateContent)."""

    kind: str

    def build_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        """Translate an OpenAI-shaped request into this provider's request."""
        ...

    def build_stream_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        """The same request asking for server-sent events, with token usage reported in
        the stream where the provider can; ``llm_router.streaming`` reads the events."""
        ...

    def parse_response(self, body: Any, model: ModelConfig, request_id: str) -> ChatCompletion:
        """Translate a successful JSON body into an OpenAI ``chat.completion``.

        ``model`` is the catalog entry: the completion's ``model`` field is its name.
        Raises ``UpstreamProtocolError`` when the body is not in the documented shape.
        """
        ...

    def error_message(self, status: int, body: Any) -> str:
        """The provider's own error text from an error body (any shape), for logs and
        for the attempts listed in a 502."""
        ...
