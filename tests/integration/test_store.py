"""The embedded store over HTTP with boto3: DynamoDB's guarantees under concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from llm_router.settings import RouterSettings
from llm_router_local.aws import LOCAL_CREDENTIALS, create_resources, find_template
from llm_router_local.processes import stop_process, wait_for_line
from llm_router_local.store.server import READY_LINE

from .conftest import Storage

THREADS = 12
ATTEMPTS = 15
LIMIT = 60


def _client(storage: Storage):
    return boto3.client("dynamodb", endpoint_url=storage.settings.aws_endpoint_url,
                        region_name=storage.settings.region, **LOCAL_CREDENTIALS)


def test_transactions_are_all_or_nothing_under_concurrency(storage: Storage) -> None:
    """Every thread books requests against one limited counter: exactly LIMIT succeed,
    and each success (and only a success) left its ledger item and its second counter."""
    counters, ledger = storage.settings.counters_table, storage.settings.ledger_table
    run = uuid.uuid4().hex
    outcomes: list[str] = []

    def book(thread: int) -> None:
        client = _client(storage)
        for attempt in range(ATTEMPTS):
            try:
                client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": counters, "Key": {"pk": {"S": run}, "sk": {"S": "limited"}},
                        "UpdateExpression": "ADD n :one",
                        "ConditionExpression": "attribute_not_exists(n) OR n <= :room",
                        "ExpressionAttributeValues": {":one": {"N": "1"},
                                                      ":room": {"N": str(LIMIT - 1)}}}},
                    {"Put": {
                        "TableName": ledger,
                        "Item": {"tenant_id": {"S": run}, "sk": {"S": f"{thread}-{attempt}"}},
                        "ConditionExpression": "attribute_not_exists(sk)"}},
                    {"Update": {
                        "TableName": counters, "Key": {"pk": {"S": run}, "sk": {"S": "total"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                ])
                outcomes.append("ok")
            except ClientError as exc:
                reasons = [r["Code"] for r in exc.response["CancellationReasons"]]
                assert reasons == ["ConditionalCheckFailed", "None", "None"]
                outcomes.append("refused")

    threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == THREADS * ATTEMPTS
    assert outcomes.count("ok") == LIMIT

    client = _client(storage)
    pages = client.get_paginator("query").paginate(
        TableName=ledger, KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": run}})
    assert sum(page["Count"] for page in pages) == LIMIT
    for name in ("limited", "total"):
        item = client.get_item(TableName=counters,
                               Key={"pk": {"S": run}, "sk": {"S": name}})["Item"]
        assert item["n"] == {"N": str(LIMIT)}


def test_errors_reach_boto3_in_dynamodb_shape(storage: Storage) -> None:
    client = _client(storage)
    table = storage.settings.keys_table
    client.put_item(TableName=table, Item={"key_hash": {"S": "h1"}, "v": {"N": "1"}})
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as failed:
        client.put_item(TableName=table, Item={"key_hash": {"S": "h1"}},
                        ConditionExpression="attribute_not_exists(key_hash)",
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert failed.value.response["Item"] == {"key_hash": {"S": "h1"}, "v": {"N": "1"}}
    with pytest.raises(ClientError) as invalid:
        client.get_item(TableName=table, Key={"key_hash": {"S": "h1"}},
                        ProjectionExpression="v", ExpressionAttributeNames={"#unused": "x"})
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_item(TableName="no-such-table", Key={"key_hash": {"S": "h1"}})


def test_the_store_stops_when_the_process_that_started_it_is_killed() -> None:
    """`serve` killed with SIGKILL cannot stop its children; the store notices its stdin
    closing and exits, so no orphan keeps a port and a temporary file."""
    code = ("from llm_router_local.aws import start_embedded_aws\n"
            "print(start_embedded_aws().pid, flush=True)\n"
            "import time; time.sleep(60)\n")
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          text=True) as parent:
        assert parent.stdout is not None
        store_pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(store_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(store_pid, signal.SIGTERM)
    pytest.fail(f"the store (pid {store_pid}) outlived the process that started it")


def test_the_store_deletes_expired_items_in_the_background_and_nothing_else() -> None:
    """DynamoDB's TTL: the cache's expired entries go within a sweep; the ledger's items
    (their retention ahead, or none) and live entries stay."""
    proc = subprocess.Popen([sys.executable, "-m", "llm_router_local.store", "--port", "0",
                             "--exit-with-stdin", "--ttl-sweep-seconds", "0.2"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        url = wait_for_line(proc, READY_LINE, 20).rsplit(" ", 1)[1].strip()
        settings = RouterSettings(aws_endpoint_url=url)
        create_resources(settings, find_template())
        client = boto3.client("dynamodb", endpoint_url=url, region_name=settings.region,
                              **LOCAL_CREDENTIALS)
        now = int(time.time())
        for sk, expires in (("A#gone", now - 1), ("J#gone", now - 1), ("A#live", now + 3600)):
            client.put_item(TableName=settings.cache_table, Item={
                "tenant_id": {"S": "t"}, "sk": {"S": sk}, "expires_at": {"N": str(expires)}})
        for sk, extra in (("kept", {"expires_at": {"N": str(now + 400 * 86400)}}),
                          ("kept-for-ever", {})):
            client.put_item(TableName=settings.ledger_table,
                            Item={"tenant_id": {"S": "t"}, "sk": {"S": sk}, **extra})

        def sks(table: str) -> list[str]:
            items = client.scan(TableName=table)["Items"]
            return sorted(i["sk"]["S"] for i in items)

        deadline = time.monotonic() + 10
        while len(sks(settings.cache_table)) > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sks(settings.cache_table) == ["A#live"]
        assert sks(settings.ledger_table) == ["kept", "kept-for-ever"]
    finally:
        stop_process(proc)


def test_s3_objects_round_trip_and_fail_as_s3_does(storage: Storage) -> None:
    s3 = boto3.client("s3", endpoint_url=storage.settings.aws_endpoint_url,
                      region_name=storage.settings.region, **LOCAL_CREDENTIALS)
    bucket = f"store-test-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="snapshots/a b.json", Body=b'{"x": 1}',
                  ContentType="application/json")
    got = s3.get_object(Bucket=bucket, Key="snapshots/a b.json")
    assert got["Body"].read() == b'{"x": 1}' and got["ContentType"] == "application/json"
    assert s3.head_object(Bucket=bucket, Key="snapshots/a b.json")["ContentLength"] == 8
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="missing")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket="no-such-bucket-here", Key="x")
    s3.delete_object(Bucket=bucket, Key="snapshots/a b.json")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="snapshots/a b.json")


def test_an_unsigned_client_is_served_as_a_signed_one(storage: Storage) -> None:
    """``serve`` sends its DynamoDB calls to the embedded store unsigned
    (``storage_unsigned``); the store answers them as it answers signed ones."""
    from llm_router.storage.dynamo import dynamodb_client

    table = storage.settings.counters_table
    key = {"pk": {"S": uuid.uuid4().hex}, "sk": {"S": "unsigned"}}
    client = dynamodb_client(storage.settings.region, storage.settings.aws_endpoint_url,
                             signed=False)
    client.update_item(TableName=table, Key=key, UpdateExpression="ADD n :one",
                       ExpressionAttributeValues={":one": {"N": "1"}})
    assert _client(storage).get_item(TableName=table, Key=key)["Item"]["n"] == {"N": "1"}
    assert client.get_item(TableName=table, Key=key)["Item"]["n"] == {"N": "1"}


def test_serve_signs_for_an_emulator_it_did_not_start(storage: Storage) -> None:
    """Only the store ``serve`` starts itself is called unsigned; an endpoint someone else
    runs (moto, DynamoDB Local) may check signatures, so it gets them."""
    from llm_router.catalog import load_catalog
    from llm_router.settings import RouterSettings
    from llm_router.storage.dynamo import make_dynamodb_client
    from llm_router_local.stack import LocalStack

    catalog = load_catalog(None)
    own = LocalStack.start(RouterSettings(aws_endpoint_url=None), catalog, simulate="off")
    try:
        assert own.settings.storage_unsigned and own.settings.aws_endpoint_url
        assert own.settings.ledger_table in make_dynamodb_client(own.settings).list_tables()[
            "TableNames"]
    finally:
        own.stop()
    theirs = LocalStack.start(storage.settings, catalog, simulate="off")
    try:
        assert not theirs.settings.storage_unsigned
    finally:
        theirs.stop()
