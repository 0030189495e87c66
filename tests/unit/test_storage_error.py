"""storage_error: one StorageError (503 storage_unavailable) whatever failed, with a
message that says whether retrying can help or someone must fix something first."""

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from llm_router.errors import StorageError
from llm_router.storage.dynamo import storage_error


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "TransactWriteItems")


@pytest.mark.parametrize("exc", [
    client_error("ThrottlingException"),
    client_error("ProvisionedThroughputExceededException"),
    client_error("InternalServerError"),
    client_error("TransactionConflictException"),
    ReadTimeoutError(endpoint_url="https://dynamodb"),
    EndpointConnectionError(endpoint_url="https://dynamodb"),
], ids=lambda exc: type(exc).__name__)
def test_what_passes_says_retry_later(exc: Exception) -> None:
    message = str(storage_error("reserving the budget", exc))
    assert message.startswith("The router's storage is unavailable (reserving the budget: ")
    assert message.endswith(". Retry later.")


@pytest.mark.parametrize(("exc", "says"), [
    (client_error("AccessDeniedException"), "fix the router's IAM role or keys"),
    (client_error("UnrecognizedClientException"), "fix the router's IAM role or keys"),
    (client_error("ExpiredTokenException"), "fix the router's IAM role or keys"),
    (client_error("AccessDenied"), "fix the router's IAM role or keys"),  # S3
    (NoCredentialsError(), "credentials are missing"),
    (client_error("ResourceNotFoundException"), "does not exist"),
    (client_error("NoSuchBucket"), "does not exist"),  # S3
    (client_error("ValidationException"), "refused the request as invalid"),
    (client_error("ItemCollectionSizeLimitExceededException"), "over DynamoDB's limits"),
    (ParamValidationError(report="Missing required parameter"), "report it"),
], ids=lambda v: v if isinstance(v, str) else getattr(v, "response", {}).get(
    "Error", {}).get("Code", type(v).__name__))
def test_what_someone_must_fix_says_so_and_not_retry_later(exc: Exception, says: str) -> None:
    message = str(storage_error("reading the API key", exc))
    code = exc.response["Error"]["Code"] if hasattr(exc, "response") else type(exc).__name__
    assert message.startswith(f"The router's storage is unavailable (reading the API key: "
                              f"{code}). ")
    assert says in message
    assert "retrying will not help" in message and "Retry later" not in message


def test_the_api_error_stays_503_storage_unavailable_without_aws_details() -> None:
    exc = client_error("AccessDeniedException",
                       "User: arn:aws:sts::123:assumed-role/r is not authorized to perform: "
                       "dynamodb:GetItem on resource: table/llm-router-keys")
    error = storage_error("reading the API key", exc)
    assert isinstance(error, StorageError) and error.status == 503
    body = error.to_body()["error"]
    assert (body["type"], body["code"], body["param"]) == \
        ("server_error", "storage_unavailable", None)
    assert "arn:aws" not in body["message"] and "llm-router-keys" not in body["message"]


def cancelled(*reasons: str) -> ClientError:
    return ClientError({"Error": {"Code": "TransactionCanceledException", "Message": ""},
                        "CancellationReasons": [{"Code": r} for r in reasons]},
                       "TransactWriteItems")


def named(exc: Exception) -> str:
    if not isinstance(exc, ClientError):
        return type(exc).__name__
    reasons = [r["Code"] for r in exc.response.get("CancellationReasons", [])]
    return "+".join([exc.response["Error"]["Code"], *reasons])


@pytest.mark.parametrize(("exc", "retryable"), [
    (client_error("ThrottlingException"), True),
    (client_error("InternalServerError"), True),
    (ReadTimeoutError(endpoint_url="https://dynamodb"), True),
    (cancelled("None", "ThrottlingError"), True),  # an item throttled: may pass next time
    (cancelled("TransactionConflict"), True),
    (client_error("AccessDeniedException"), False),
    (client_error("ResourceNotFoundException"), False),
    (client_error("ValidationException"), False),
    (NoCredentialsError(), False),
    (cancelled("None", "ValidationError"), False),  # an item no retry makes valid
    (cancelled("ItemCollectionSizeLimitExceeded"), False),
], ids=lambda v: str(v) if isinstance(v, bool) else named(v))
def test_retryable_is_what_the_message_says(exc: Exception, retryable: bool) -> None:
    # What a caller that tries again (the settle) reads: the same verdict as the advice.
    error = storage_error("booking the request in the ledger", exc)
    assert error.retryable is retryable
    assert ("Retry later" in error.message) is retryable
    assert ("retrying will not help" in error.message) is not retryable
