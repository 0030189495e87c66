"""AWS clients from one botocore session per process.

boto3's ``boto3.client()`` is botocore's ``Session.create_client`` behind a default
session, plus resource and S3 transfer layers the router does not use; importing boto3
(and s3transfer, multiprocessing and its resource and docs modules with it) was 85 M
instructions of every cold start (docs/performance.md#cold-start). The router's clients
(DynamoDB, S3, Bedrock Runtime) are the same botocore clients made directly: the same
credential chain (the function's role, the developer's profile), region and endpoint
handling, retries and configuration. One session, like boto3's default one, so the
service models and credentials load once.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from botocore.config import Config

_session: Any = None
_lock = threading.Lock()


def session() -> Any:
    """The process's botocore session, made on first use."""
    global _session
    with _lock:
        if _session is None:
            _session = botocore.session.get_session()
        return _session


def client(service: str, *, region: str | None, endpoint_url: str | None = None,
           config: Config | None = None, **credentials: str) -> Any:
    """A botocore client for ``service``, as ``boto3.client(...)`` would make it;
    ``credentials``: ``aws_access_key_id``, ``aws_secret_access_key``,
    ``aws_session_token`` instead of the credential chain."""
    made = session()
    with _lock:  # botocore sessions are not safe to create clients from concurrently
        return made.create_client(service, region_name=region, endpoint_url=endpoint_url,
                                  config=config, **credentials)
