"""DynamoDB errors injected at the HTTP boundary: a botocore ``before-send`` hook that
returns one of these instead of sending, so botocore's retries and our error mapping
run unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def aws_error(request: Any, body: bytes, status: int = 400) -> AWSResponse:
    """The response DynamoDB would send for an error with this JSON ``body``."""
    return AWSResponse(request.url, status, {"x-amzn-requestid": "injected",
                                             "content-type": "application/x-amz-json-1.0"},
                       _Body(body))
