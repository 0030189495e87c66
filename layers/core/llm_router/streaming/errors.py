"""Errors that only exist once a response is streaming.

They extend the one tree in ``llm_router.errors``. After the first byte the HTTP status
is already 200, so the two ``RouterError`` classes here are never turned into a status
line: they become an OpenAI-shaped error event (``to_body``) and the ledger's
``status``/``error_code``.
"""

from __future__ import annotations

from llm_router.errors import RouterError, UpstreamError


class UpstreamStreamError(UpstreamError):
    """The provider reported an error inside its event stream (Anthropic ``event: error``,
    an OpenAI or Gemini ``{"error": ...}`` event)."""

    code = "upstream_stream_error"


class StreamInterruptedError(RouterError):
    """A provider failed after the first byte reached the client: the stream ends here."""

    status = 502
    type = "upstream_error"
    code = "stream_interrupted"

    def __init__(self, cause: UpstreamError):
        super().__init__(
            f"The provider failed mid-stream ({cause.provider}/{cause.model}): {cause.message}. "
            "The answer is incomplete; what was generated is billed."
        )
        self.cause = cause


class ClientDisconnectedError(RouterError):
    """The client hung up before the stream ended (booked as status 499, nginx's
    'client closed request'); the upstream request is cancelled."""

    status = 499
    type = "client_disconnected"
    code = "client_disconnected"

    def __init__(self) -> None:
        super().__init__("The client closed the connection before the stream ended.")
