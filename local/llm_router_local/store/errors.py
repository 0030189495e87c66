"""The embedded store's errors, each carrying the DynamoDB error code boto3 expects."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """An error returned to the client as ``{"__type": ..., "message": ...}`` with 400."""

    code = "InternalServerError"

    def __init__(self, message: str, **fields: Any):
        super().__init__(message)
        self.message = message
        self.fields = fields

    def body(self) -> dict[str, Any]:
        return {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "message": self.message, **self.fields}


class ValidationError(StoreError):
    code = "ValidationException"


class ResourceNotFound(StoreError):
    code = "ResourceNotFoundException"


class ResourceInUse(StoreError):
    code = "ResourceInUseException"


class ConditionalCheckFailed(StoreError):
    code = "ConditionalCheckFailedException"


class TransactionCanceled(StoreError):
    code = "TransactionCanceledException"

    def body(self) -> dict[str, Any]:
        # DynamoDB capitalises this one's key; botocore reads either.
        return {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "Message": self.message, **self.fields}
