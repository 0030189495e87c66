"""The router's DynamoDB client: its connection pool against the threads that use it."""

from __future__ import annotations

import anyio
import anyio.to_thread

from llm_router.storage.dynamo import dynamodb_client


async def _worker_threads() -> int:
    return int(anyio.to_thread.current_default_thread_limiter().total_tokens)


def test_the_pool_holds_a_connection_for_every_worker_thread() -> None:
    """Every storage call runs in one of anyio's worker threads; a pool smaller than
    their number opens and drops a connection for each call beyond it."""
    client = dynamodb_client("us-east-1", "http://127.0.0.1:9", aws_access_key_id="x",
                             aws_secret_access_key="x")
    assert client.meta.config.max_pool_connections >= anyio.run(_worker_threads)


def test_calls_are_signed_unless_the_store_checks_no_signature() -> None:
    from botocore import UNSIGNED

    from llm_router.settings import RouterSettings
    from llm_router.storage.dynamo import make_dynamodb_client

    local = RouterSettings(aws_endpoint_url="http://127.0.0.1:9", storage_unsigned=True)
    assert make_dynamodb_client(local).meta.config.signature_version is UNSIGNED
    aws = RouterSettings(aws_endpoint_url=None)
    assert make_dynamodb_client(aws).meta.config.signature_version is not UNSIGNED


def test_unsigned_calls_are_refused_for_aws_itself() -> None:
    import pytest

    with pytest.raises(ValueError, match="local store"):
        dynamodb_client("us-east-1", None, signed=False)


def test_the_settle_books_from_the_event_loop_only_against_a_store_named_by_url() -> None:
    """``serve``'s embedded store: the settle's transaction from the event loop; on AWS
    botocore's own client, in a worker thread, as before."""
    from llm_router.bootstrap import loop_client
    from llm_router.settings import RouterSettings
    from llm_router.storage.dynamo import make_dynamodb_client
    from llm_router.storage.loop_client import LoopDynamoClient

    local = RouterSettings(aws_endpoint_url="http://127.0.0.1:9", storage_unsigned=True)
    assert isinstance(loop_client(local, make_dynamodb_client(local)), LoopDynamoClient)
    for settings in (RouterSettings(aws_endpoint_url=None),
                     RouterSettings(aws_endpoint_url="http://127.0.0.1:9")):
        assert loop_client(settings, make_dynamodb_client(settings)) is None
