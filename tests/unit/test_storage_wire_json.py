"""``PlannedJSONSerializer`` makes botocore's JSON request dict, byte for byte when
json.dumps writes the body: the settle's real transaction, every DynamoDB attribute
type (binary ones included), and a JSON-protocol service with blobs, timestamps and
floats; an unknown member still fails. With orjson installed (``serve``'s requirements)
the body is orjson's text of the same JSON value."""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from unittest import mock

import pytest
from botocore.serialize import create_serializer

from llm_router import aws
from llm_router.ledger import AttemptRecord, LedgerEntry
from llm_router.storage import wire_json
from llm_router.storage.dynamo import dynamodb_client
from llm_router.storage.items import WireForm
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.wire_json import PlannedJSONSerializer, dumps
from llm_router_local.aws import LOCAL_CREDENTIALS

DYNAMO = dynamodb_client("us-east-1", "http://127.0.0.1:9", signed=False)


def both(client: Any, operation: str, params: dict[str, Any]) -> tuple[Any, Any]:
    model = client.meta.service_model.operation_model(operation)
    botocore_made = create_serializer("json", include_validation=False).serialize_to_request(
        params, model)
    planned = PlannedJSONSerializer()
    fast = planned.serialize_to_request(params, model)
    assert planned.serialize_to_request(params, model) == fast  # the plan, reused
    # orjson's body (when installed): the same JSON value, the rest of the dict equal
    assert json.loads(fast["body"]) == json.loads(botocore_made["body"])
    assert {**fast, "body": b""} == {**botocore_made, "body": b""}
    with mock.patch.object(wire_json, "orjson", None):  # json.dumps: the same bytes
        ours = planned.serialize_to_request(params, model)
    return botocore_made, ours


def test_the_settles_transaction() -> None:
    entry = LedgerEntry(
        request_id=f"req_{uuid.uuid4().hex}", tenant_id="t", key_id="k",
        started_at=datetime.now(UTC), requested_model="m", success=True, status=200,
        latency_ms=1.5, model="m", provider="p", prompt_tokens=3, completion_tokens=2,
        cost_usd=Decimal("0.000001"), usage_source="reported", cache_status="bypass")
    ledger = DynamoLedger(DYNAMO, "ledger", "counters")
    params = {"TransactItems": ledger.transaction(entry), "ClientRequestToken": "tok"}
    botocore_made, ours = both(DYNAMO, "TransactWriteItems", params)
    assert len(ours["body"]) > 1000
    assert ours == botocore_made


def test_the_settles_items_are_their_own_wire_form() -> None:
    """The ledger item and rollup updates are ``WireForm``s, passed on unread: botocore
    writes the same bytes for them as for their plain copies (every field of an entry
    set, a failed attempt and guards included)."""
    entry = LedgerEntry(
        request_id=f"req_{uuid.uuid4().hex}", tenant_id="t\u00e9", key_id="k",
        started_at=datetime.now(UTC), requested_model="auto", success=False, status=502,
        latency_ms=12.34, model="m", provider="p", tier="simple", reason="why",
        prompt_tokens=3, completion_tokens=2, cached_tokens=1, reasoning_tokens=1,
        cost_usd=Decimal("0.0000009"), usage_source="estimated", cache_status="miss",
        cache_miss="gone", cost_saved_usd=Decimal("0.5"), stream=True, max_tokens=16,
        error_code="upstream_502", error_message="bad gateway",
        attempts=(AttemptRecord("p", "m", 1.5, "upstream_502", "bad gateway"),
                  AttemptRecord("q", "n", 2.25, "ok")),
        guards=("pii=redacted(email)",))
    transaction = DynamoLedger(DYNAMO, "ledger", "counters").transaction(entry)
    assert [type(item) for item in transaction] == [WireForm] * 6
    model = DYNAMO.meta.service_model.operation_model("TransactWriteItems")
    planned = PlannedJSONSerializer()
    item_plan = planned._plan(model.input_shape.members["TransactItems"].member)
    assert item_plan is not None
    assert all(item_plan(item) is item for item in transaction)
    plain = json.loads(json.dumps(transaction))
    assert all(type(item) is dict for item in plain)
    params = {"TransactItems": transaction, "ClientRequestToken": "tok"}
    botocore_made = create_serializer("json", include_validation=False).serialize_to_request(
        {**params, "TransactItems": plain}, model)
    with mock.patch.object(wire_json, "orjson", None):
        assert planned.serialize_to_request(params, model) == botocore_made


def test_every_attribute_type() -> None:
    value = {"S": "s", "N": "1.5", "B": b"\x00\xffbin", "SS": ["a", "b"], "NS": ["1"],
             "BS": [b"x", "str as bytes"], "NULL": True, "BOOL": False}
    item = {"all": {"M": {"nested": {"L": [value, {"M": {"deeper": value}}]}}},
            **{f"k{i}": {k: v} for i, (k, v) in enumerate(value.items())}}
    params = {"TableName": "t", "Item": item, "ReturnValues": "ALL_OLD",
              "ExpressionAttributeValues": {":b": {"B": b"\x01"}}}
    botocore_made, ours = both(DYNAMO, "PutItem", params)
    assert b'"B": "AP9iaW4="' in ours["body"]
    assert ours == botocore_made


def test_values_passed_on_or_copied() -> None:
    """A value that is its own wire form is passed on (not copied); a tuple, a read-only
    mapping or a dict subclass is converted, and written as botocore writes it."""
    names = {"#a": "count"}
    plain_value = {"S": "x"}
    params = {"TableName": "t", "Key": {"pk": plain_value},
              "UpdateExpression": "ADD #a :v", "ExpressionAttributeNames": names,
              "ExpressionAttributeValues": {":v": {"N": "1"}, ":s": {"SS": ("a", "b")},
                                            ":o": OrderedDict(S="y")}}
    botocore_made, ours = both(DYNAMO, "UpdateItem", params)
    assert ours == botocore_made
    planned = PlannedJSONSerializer()
    model = DYNAMO.meta.service_model.operation_model("UpdateItem")
    attribute = planned._plan(model.input_shape.members["Key"].value)
    names_plan = planned._plan(model.input_shape.members["ExpressionAttributeNames"])
    assert attribute is not None and names_plan is not None
    assert attribute(plain_value) is plain_value
    assert names_plan(names) is names
    assert names_plan(MappingProxyType(names)) == names
    assert attribute({"SS": ("a",)}) == {"SS": ["a"]}
    params["ExpressionAttributeNames"] = MappingProxyType(names)
    botocore_made, ours = both(DYNAMO, "UpdateItem", params)
    assert ours == botocore_made


def test_blobs_timestamps_floats_elsewhere() -> None:
    kinesis = aws.client("kinesis", region="us-east-1", **LOCAL_CREDENTIALS)
    assert kinesis.meta.service_model.protocol == "json"
    for operation, params in [
        ("PutRecords", {"StreamName": "s", "Records": [
            {"Data": b"\x00bytes", "PartitionKey": "p"}, {"Data": "text", "PartitionKey": "q"}]}),
        ("GetShardIterator", {"StreamName": "s", "ShardId": "0",
                              "ShardIteratorType": "AT_TIMESTAMP",
                              "Timestamp": datetime(2026, 12, 3, 22, 30, tzinfo=UTC)}),
    ]:
        botocore_made, ours = both(kinesis, operation, params)
        assert ours == botocore_made
    cloudwatch = aws.client("application-autoscaling", region="us-east-1", **LOCAL_CREDENTIALS)
    params = {"PolicyName": "p", "ServiceNamespace": "ecs", "ResourceId": "r",
              "ScalableDimension": "ecs:service:DesiredCount",
              "TargetTrackingScalingPolicyConfiguration": {
                  "TargetValue": 0.1 + 0.2, "ScaleInCooldown": 5}}
    botocore_made, ours = both(cloudwatch, "PutScalingPolicy", params)
    assert b"0.30000000000000004" in ours["body"]
    assert ours == botocore_made


def test_an_unknown_member_fails_as_botocore() -> None:
    model = DYNAMO.meta.service_model.operation_model("GetItem")
    with pytest.raises(KeyError):
        PlannedJSONSerializer().serialize_to_request({"TableName": "t", "Nope": 1}, model)


def test_the_body_is_orjsons_where_it_is_installed() -> None:
    orjson = pytest.importorskip("orjson")
    body = {"TransactItems": [{"Put": {"Item": {"q": {"S": "caf\u00e9 \U0001f600"}}}}]}
    assert dumps(body) == orjson.dumps(body) == (
        '{"TransactItems":[{"Put":{"Item":{"q":{"S":"caf\u00e9 \U0001f600"}}}}]}'.encode())


@pytest.mark.parametrize("body", [
    {"S": "a lone surrogate \ud800"},  # not UTF-8: orjson refuses, json.dumps escapes it
    {"N": 2**70},  # past 64 bits
    {1: "a key that is not a string"},
])
def test_what_orjson_refuses_is_written_as_botocore_writes_it(body: dict[Any, Any]) -> None:
    assert dumps(body) == json.dumps(body).encode("utf-8")


def test_what_neither_can_write_fails_as_in_botocore() -> None:
    with pytest.raises(TypeError):
        dumps({"N": Decimal(1)})
