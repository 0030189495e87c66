"""The embedded store inside this process: boto3 DynamoDB clients whose calls the store's
``Operations`` answer directly (a botocore ``before-send`` hook), with no socket and no
child process.

The benchmark runner's Lambda replays its workload through the app against one of these
(a fresh in-memory database per arm), so benchmark traffic never reaches the stack's
own tables: no ledger items, rollups, budgets or alerts of real tenants move. boto3's
serialisation, retries and error parsing run unchanged; only the wire is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

from llm_router.storage.dynamo import dynamodb_client
from llm_router.storage.tables import ALL_TABLES, create_table_args
from llm_router_local.store.database import Database
from llm_router_local.store.operations import Operations
from llm_router_local.store.protocol import respond

_ENDPOINT = "http://embedded-store.invalid"  # never dialled: the hook answers first


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class InProcessStore:
    """One database (in memory unless ``path`` names a SQLite file) and its clients."""

    def __init__(self, path: str = ":memory:"):
        self.operations = Operations(Database(path))

    def client(self, region: str = "us-east-1") -> Any:
        # The client Lambda runs (no botocore parameter validation: the store checks each
        # request as DynamoDB does), so a benchmark arm here costs what it costs there.
        client = dynamodb_client(region, _ENDPOINT, aws_access_key_id="local",
                                 aws_secret_access_key="local")
        client.meta.events.register("before-send.dynamodb", self._answer)
        return client

    def create_tables(self, names: dict[str, str], region: str = "us-east-1") -> Any:
        """Every table of template.yaml (``storage.tables`` mirrors it), named by logical
        id in ``names``; returns a client."""
        client = self.client(region)
        for spec in ALL_TABLES:
            name = names[spec.logical_id]
            client.create_table(TableName=name, **create_table_args(spec))
            if spec.ttl_attribute:
                client.update_time_to_live(TableName=name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": spec.ttl_attribute})
        return client

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        body = request.body if isinstance(request.body, bytes) else (
            request.body or "").encode()
        status, reply = respond(self.operations, target, body)
        return AWSResponse(request.url, status,
                           {"content-type": "application/x-amz-json-1.0",
                            "x-amzn-requestid": "in-process"},
                           _Body(json.dumps(reply, separators=(",", ":")).encode()))
