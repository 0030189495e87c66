"""The one exception tree of llm-router, and the only place HTTP statuses are chosen.

RouterError
 +-- InvalidRequestError            400 invalid_request_error
 |    +-- RequestTooLargeError      413 invalid_request_error
 +-- AuthenticationError            401 authentication_error
 +-- BudgetExceededError            402 insufficient_quota
 +-- PermissionDeniedError          403 permission_error (not an admin key, model out of scope)
 +-- ModelNotFoundError             404 invalid_request_error / model_not_found
 +-- KeyNotFoundError               404 invalid_request_error / key_not_found
 +-- RateLimitedError               429 rate_limit_exceeded (carries retry_after)
 +-- UpstreamError                  a provider failed; never reaches a client as-is
 |    +-- UpstreamTimeoutError      504 timeout
 |    +-- UpstreamConnectionError   502 upstream_connection_error
 |    +-- UpstreamStatusError       carries the provider's status (retryable or not)
 |    +-- UpstreamProtocolError     502 bad_upstream_response (malformed body)
 +-- AllProvidersFailedError        502/503 with the attempts listed
 +-- StorageError                   503 storage_unavailable (DynamoDB failed closed)
 +-- RequestCancelledError          499 (booked only: the client is gone)
 +-- InternalError                  500 internal_error (a bug; booked, logged, no trace out)
 +-- ConfigError                    raised at start-up, never per request

Lower-level errors (aiohttp, botocore, pydantic) are translated at the edge with
``raise ... from exc`` so the cause survives in logs but never in a response body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class RouterError(Exception):
    """Base of every error llm-router raises on purpose."""

    status: int = 500
    type: str = "server_error"
    code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code

    def to_body(self) -> dict[str, Any]:
        """OpenAI's error shape: ``{"error": {"message", "type", "param", "code"}}``."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def headers(self) -> dict[str, str]:
        return {}

    @property
    def ledger_message(self) -> str:
        """What the ledger keeps about this error (never sent to a client)."""
        return self.message


class InvalidRequestError(RouterError):
    status = 400
    type = "invalid_request_error"


class RequestTooLargeError(InvalidRequestError):
    status = 413
    code = "request_too_large"


class RequestTimeoutError(InvalidRequestError):
    """The request's body did not arrive within ``limits.body_timeout_s`` (a client that
    declared more than it sent, or sends a byte now and then): the connection and its
    task are not held for ever."""

    status = 408
    code = "request_timeout"


class BodyNotReceivedError(RouterError):
    """The client closed the connection before its request body arrived. Booked as 499
    (nginx's 'client closed request'); nobody reads the answer."""

    status = 499
    type = "client_disconnected"
    code = "client_disconnected"

    def __init__(self) -> None:
        super().__init__("The client closed the connection before its request body arrived.")


class AuthenticationError(RouterError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDeniedError(RouterError):
    status = 403
    type = "permission_error"
    code = "permission_denied"


class BudgetExceededError(RouterError):
    status = 402
    type = "insufficient_quota"
    code = "budget_exceeded"


class KeyNotFoundError(RouterError):
    status = 404
    type = "invalid_request_error"
    code = "key_not_found"


class ModelNotFoundError(RouterError):
    status = 404
    type = "invalid_request_error"
    code = "model_not_found"


class RateLimitedError(RouterError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"

    def __init__(self, message: str, *, retry_after: float, param: str | None = None):
        super().__init__(message, param=param)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(_seconds(self.retry_after))}


class UpstreamError(RouterError):
    """A single provider attempt failed. Routing decides whether to retry or fail over."""

    status = 502
    type = "upstream_error"
    code = "upstream_error"
    retryable = True

    def __init__(self, message: str, *, provider: str = "", model: str = ""):
        super().__init__(message)
        self.provider = provider
        self.model = model


class UpstreamTimeoutError(UpstreamError):
    status = 504
    type = "timeout"
    code = "upstream_timeout"


class UpstreamConnectionError(UpstreamError):
    code = "upstream_connection_error"


class UpstreamProtocolError(UpstreamError):
    """The provider answered, but not in its documented format."""

    code = "bad_upstream_response"


class UpstreamStatusError(UpstreamError):
    """The provider answered with an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        upstream_status: int,
        provider: str = "",
        model: str = "",
        retry_after: float | None = None,
    ):
        super().__init__(message, provider=provider, model=model)
        self.upstream_status = upstream_status
        self.retry_after = retry_after
        self.code = f"upstream_{upstream_status}"
        # 408, 409, 429 and 5xx may succeed on another try; other 4xx will not.
        self.retryable = upstream_status in (408, 409, 429) or upstream_status >= 500
        # A provider rejecting the request itself is the client's error too; a provider
        # rejecting our credentials (401/403) is ours, so it stays a 502.
        if upstream_status in (400, 404, 413, 422):
            self.status = 400
            self.type = "invalid_request_error"


@dataclass(frozen=True)
class AttemptSummary:
    provider: str
    model: str
    error: str
    code: str | None


class AllProvidersFailedError(RouterError):
    """502: every candidate called failed. 503: no candidate could be called at all
    (no key, breaker open, cooling down, free tier used up), with ``retry_after`` when
    one of them is known to be back in that many seconds."""

    type = "upstream_error"
    code = "all_providers_failed"

    def __init__(self, attempts: list[AttemptSummary], *, status: int = 502,
                 retry_after: float | None = None):
        listed = "; ".join(f"{a.provider}/{a.model}: {a.error}" for a in attempts) or "none"
        if status == 503:
            when = (f" The first may serve again in {_seconds(retry_after)} s."
                    if retry_after is not None else "")
            message = (f"No provider can serve this request now: all {len(attempts)} "
                       f"candidates were skipped ({listed}).{when}")
        else:
            message = f"All providers failed ({len(attempts)} attempts): {listed}"
        super().__init__(message)
        self.attempts = attempts
        self.status = status
        self.retry_after = retry_after

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        body["error"]["attempts"] = [
            {"provider": a.provider, "model": a.model, "error": a.error, "code": a.code}
            for a in self.attempts
        ]
        return body

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(_seconds(self.retry_after))}


def _seconds(wait: float | None) -> int:
    """A wait as Retry-After's whole seconds: rounded up, at least one."""
    return max(1, int((wait or 0) + 0.999))


class StorageError(RouterError):
    """Storage failed. ``retryable`` is False when storage said the call cannot succeed
    as it stands (credentials, a missing table, an invalid request): a caller that would
    try again gives up at once instead (``storage.dynamo.storage_error`` decides)."""

    status = 503
    type = "server_error"
    code = "storage_unavailable"

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class RequestCancelledError(RouterError):
    """The request was cancelled (its client hung up, or its task was torn down) before
    an answer went out. Booked as 499, nginx's 'client closed request'; nobody reads it."""

    status = 499
    type = "client_disconnected"
    code = "request_cancelled"

    def __init__(self) -> None:
        super().__init__("The request was cancelled before an answer was sent.")


class InternalError(RouterError):
    """Something other than a ``RouterError`` escaped the request path: a bug. The
    ledger keeps its class; the client gets this plain message and the request id."""

    status = 500
    type = "server_error"
    code = "internal_error"

    def __init__(self, cause: BaseException | None = None):
        super().__init__("The router hit an internal error. It has been logged; retry later.")
        self.detail = f"{type(cause).__name__}: {cause}" if cause is not None else ""

    @property
    def ledger_message(self) -> str:
        return self.detail or self.message


class ConfigError(RouterError):
    """Bad configuration. Raised while starting up, so a deploy fails loudly."""

    status = 500
    type = "server_error"
    code = "config_error"
