"""The in-process store's client is the client Lambda runs, answered without a socket.

The benchmark runner's Lambda replays its workload through the app on this client; if
its config differed from the router's (botocore's parameter validation, retries,
timeouts, User-Agent, call timing), the benchmark would measure a client the router does
not run, and a request only one of them refuses would pass the benchmark and fail live.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from llm_router.settings import RouterSettings
from llm_router.storage.calls import recording_calls
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.tables import physical_table_names
from llm_router_local.store.inprocess import InProcessStore

SHARED = ("parameter_validation", "retries", "connect_timeout", "read_timeout", "user_agent")


@pytest.fixture
def settings() -> RouterSettings:
    return RouterSettings(aws_endpoint_url=None)


@pytest.fixture
def client(settings: RouterSettings) -> Any:
    return InProcessStore().create_tables(physical_table_names(settings), settings.region)


def test_the_in_process_client_has_the_lambda_clients_config(
        settings: RouterSettings, client: Any) -> None:
    lambda_config = make_dynamodb_client(settings).meta.config
    assert {k: getattr(client.meta.config, k) for k in SHARED} == {
        k: getattr(lambda_config, k) for k in SHARED}


def test_a_bad_request_is_refused_by_the_store_as_dynamodb_refuses_it(
        settings: RouterSettings, client: Any) -> None:
    """No botocore validation on either client: DynamoDB's answer (here, the store's
    ValidationException) is what both see."""
    with pytest.raises(ClientError) as caught:
        client.put_item(TableName=settings.ledger_table)  # no Item
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_its_calls_are_timed_like_the_lambda_clients(
        settings: RouterSettings, client: Any) -> None:
    calls: list[tuple[str, float]] = []

    class Log:
        def call(self, operation: str, ms: float) -> None:
            calls.append((operation, ms))

    with recording_calls(Log()):
        client.get_item(TableName=settings.keys_table, Key={"key_hash": {"S": "nobody"}})
    assert [name for name, _ in calls] == ["GetItem"]
