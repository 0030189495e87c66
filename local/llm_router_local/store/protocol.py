"""DynamoDB's JSON 1.0 protocol in front of the store's operations: one call in (the
``X-Amz-Target`` header and the body), status and reply out. The HTTP server and the
in-process client hook both answer through it."""

from __future__ import annotations

import json
from typing import Any

from llm_router_local.store.errors import StoreError
from llm_router_local.store.operations import Operations

TARGET_PREFIX = "DynamoDB_20120810."


def respond(operations: Operations, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """DynamoDB's answer to one JSON 1.0 call (``X-Amz-Target`` and body): status, body."""
    try:
        return 200, operations.handle(target.removeprefix(TARGET_PREFIX),
                                      json.loads(body or b"{}"))
    except StoreError as exc:
        return 400, exc.body()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return 400, {"__type": "com.amazon.coral.validate#ValidationException",
                     "message": f"Invalid request: {type(exc).__name__}: {exc}"}
