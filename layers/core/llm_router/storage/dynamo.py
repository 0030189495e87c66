"""Building the DynamoDB client once per container, translating its failures, and reading a
Query or Scan page by page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from llm_router import __version__, aws
from llm_router.errors import StorageError
from llm_router.settings import RouterSettings
from llm_router.storage.calls import watch_calls

# botocore's "standard" mode retries throttling and 5xx with backoff and jitter;
# after that the router fails closed with a StorageError (503), never silently.
RETRY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=2,
    read_timeout=5,
)
# The router calls DynamoDB from anyio's worker threads, at most 40 at once (anyio's
# default limiter). With botocore's default pool of 10 connections, every call beyond
# the tenth in flight opened a new connection and dropped it afterwards (about one
# settle in eight at 32 concurrent settles); the pool is opened lazily, so a Lambda
# container serving one request at a time still holds one connection.
POOL_CONNECTIONS = 40
# DynamoDB validates every request itself (and so does the embedded store:
# llm_router_local/store/wire.py); botocore's own pass over the parameters was about a
# fifth of the client's CPU per settle transaction (docs/performance.md).
# A fixed User-Agent: botocore otherwise rebuilds and sanitises its composed string
# (SDK, OS, language, feature ids) twice per call, a tenth of the client's CPU per
# settle transaction (docs/performance.md).
USER_AGENT = f"llm-router/{__version__}"  # botocore appends its own name and version
DYNAMODB_CONFIG = RETRY_CONFIG.merge(Config(parameter_validation=False,
                                            user_agent=USER_AGENT,
                                            max_pool_connections=POOL_CONNECTIONS))
# For a store that checks no signature (the embedded one): botocore's documented way to
# send a request unsigned. Everything else about the call is as on AWS.
UNSIGNED_CONFIG = DYNAMODB_CONFIG.merge(Config(signature_version=UNSIGNED))


def make_dynamodb_client(settings: RouterSettings) -> Any:
    """The DynamoDB client, with each call timed for the Server-Timing header."""
    return dynamodb_client(settings.region, settings.aws_endpoint_url,
                           signed=not settings.storage_unsigned)


def dynamodb_client(region: str, endpoint_url: str | None, *, signed: bool = True,
                    **credentials: str) -> Any:
    """Every DynamoDB client the router's code runs on, whatever answers it (DynamoDB, a
    store server, the in-process store): one config and the same call timing, so what
    the benchmark runner measures against its in-process store is the client Lambda runs,
    and a request botocore would have let through here is let through everywhere.
    ``signed=False`` only for a store that takes no credentials (``storage_unsigned``)."""
    if not signed and endpoint_url is None:
        raise ValueError("unsigned DynamoDB calls are for a local store, not for AWS")
    config = DYNAMODB_CONFIG if signed else UNSIGNED_CONFIG
    return watch_calls(aws.client("dynamodb", region=region, endpoint_url=endpoint_url,
                                  config=config, **credentials))


# What a failed storage call asks of whoever reads the message, by the error's class.
# Most failures pass (throttling, a 5xx, a timeout or dropped connection that outlasted
# botocore's retries): "Retry later". These do not, however often they are retried.
_CREDENTIALS = ("Its AWS credentials are missing or may not make this call: fix the "
                "router's IAM role or keys; retrying will not help.")
_MISSING = ("A table or bucket it needs does not exist in this account and region: deploy "
            "the stack (sam deploy) or fix the configured names; retrying will not help.")
_INVALID = ("It refused the request as invalid (a router bug, or an item over DynamoDB's "
            "limits): report it with this message; retrying will not help.")
_ADVICE = {
    # DynamoDB's codes, then S3's (the snapshot and outbox bucket), then botocore's own.
    **dict.fromkeys(("AccessDeniedException", "UnrecognizedClientException",
                     "InvalidSignatureException", "IncompleteSignatureException",
                     "MissingAuthenticationTokenException", "ExpiredTokenException",
                     "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                     "ExpiredToken", "NoCredentialsError", "PartialCredentialsError"),
                    _CREDENTIALS),
    **dict.fromkeys(("ResourceNotFoundException", "TableNotFoundException", "NoSuchBucket"),
                    _MISSING),
    **dict.fromkeys(("ValidationException", "SerializationException",
                     "ItemCollectionSizeLimitExceededException", "InvalidArgument",
                     "InvalidRequest", "MalformedXML", "ParamValidationError"), _INVALID),
}
# A transaction is cancelled with one reason per item: these no retry mends either
# (throttling, a conflict or another item's condition may pass on the next try).
_INVALID_REASONS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})
_TRANSIENT = "Retry later."


def storage_error(action: str, exc: Exception) -> StorageError:
    """A StorageError that names the action and the error's code (never the storage's own
    message: table names and key values stay out of responses), and says whether a
    retry can help or someone must fix something first (``retryable``: what a caller
    that tries again reads)."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        reasons = {r.get("Code") for r in exc.response.get("CancellationReasons") or []}
    else:
        code, reasons = type(exc).__name__, set()
    advice = _INVALID if reasons & _INVALID_REASONS else _ADVICE.get(code, _TRANSIENT)
    return StorageError(f"The router's storage is unavailable ({action}: {code}). {advice}",
                        retryable=advice is _TRANSIENT)


def paged_items(client: Any, method: str, action: str, **request: Any) -> Iterator[dict[str, Any]]:
    """The items of a DynamoDB Query or Scan (``method``: "query" or "scan"; ``request``: its
    parameters), page by page as they are read: each page after the first starts at the
    previous one's LastEvaluatedKey, and a caller that stops early reads no further page.
    A failed call raises ``storage_error(action, ...)``."""
    call = getattr(client, method)
    while True:
        try:
            page = call(**request)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error(action, exc) from exc
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
