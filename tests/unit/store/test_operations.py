"""The embedded store's operations on a real SQLite file, called as boto3 would call them."""

from __future__ import annotations

import pytest

from llm_router_local.store.database import Database
from llm_router_local.store.errors import (
    ConditionalCheckFailed,
    ResourceNotFound,
    TransactionCanceled,
    ValidationError,
)
from llm_router_local.store.operations import Operations


@pytest.fixture
def ops(tmp_path):
    store = Operations(Database(str(tmp_path / "store.sqlite3")))
    store.handle("CreateTable", {
        "TableName": "t",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}]})
    return store


def key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def counter_update(pk, amount, limit):
    return {"TableName": "t", "Key": key(pk, "n"),
            "UpdateExpression": "ADD n :amount",
            "ConditionExpression": "attribute_not_exists(n) OR n <= :room",
            "ExpressionAttributeValues": {":amount": {"N": str(amount)},
                                          ":room": {"N": str(limit - amount)}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}


def get(ops, pk, sk):
    return ops.handle("GetItem", {"TableName": "t", "Key": key(pk, sk)}).get("Item")


def test_conditional_update_fails_with_the_old_item(ops):
    ops.handle("UpdateItem", counter_update("a", 2, 3))
    with pytest.raises(ConditionalCheckFailed) as failed:
        ops.handle("UpdateItem", counter_update("a", 2, 3))
    assert failed.value.body()["Item"]["n"] == {"N": "2"}
    assert failed.value.body()["__type"].endswith("#ConditionalCheckFailedException")
    assert get(ops, "a", "n")["n"] == {"N": "2"}


def test_put_if_absent_and_return_values(ops):
    put = {"TableName": "t", "Item": {**key("a", "1"), "v": {"N": "1.0"}},
           "ConditionExpression": "attribute_not_exists(sk)"}
    assert ops.handle("PutItem", put) == {}
    with pytest.raises(ConditionalCheckFailed):
        ops.handle("PutItem", put)
    assert get(ops, "a", "1")["v"] == {"N": "1"}  # numbers are stored canonically
    old = ops.handle("DeleteItem", {"TableName": "t", "Key": key("a", "1"),
                                    "ReturnValues": "ALL_OLD"})
    assert old["Attributes"]["v"] == {"N": "1"} and get(ops, "a", "1") is None


def test_a_transaction_is_all_or_nothing(ops):
    ops.handle("UpdateItem", counter_update("full", 3, 3))
    request = {"TransactItems": [
        {"Update": counter_update("free", 1, 3)},
        {"Put": {"TableName": "t", "Item": {**key("ledger", "r1")}}},
        {"Update": counter_update("full", 1, 3)},
    ]}
    with pytest.raises(TransactionCanceled) as cancelled:
        ops.handle("TransactWriteItems", request)
    reasons = cancelled.value.body()["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"]["n"] == {"N": "3"}
    assert get(ops, "free", "n") is None and get(ops, "ledger", "r1") is None

    request["TransactItems"].pop()
    ops.handle("TransactWriteItems", request)
    assert get(ops, "free", "n")["n"] == {"N": "1"} and get(ops, "ledger", "r1")


def test_a_transaction_may_touch_an_item_once(ops):
    with pytest.raises(ValidationError, match="multiple operations on one item"):
        ops.handle("TransactWriteItems", {"TransactItems": [
            {"Update": counter_update("a", 1, 5)}, {"Update": counter_update("a", 1, 5)}]})


def test_condition_check_and_transact_get(ops):
    ops.handle("PutItem", {"TableName": "t", "Item": {**key("a", "1"), "v": {"S": "x"}}})
    with pytest.raises(TransactionCanceled):
        ops.handle("TransactWriteItems", {"TransactItems": [
            {"ConditionCheck": {"TableName": "t", "Key": key("a", "1"),
                                "ConditionExpression": "v = :y",
                                "ExpressionAttributeValues": {":y": {"S": "y"}}}},
            {"Put": {"TableName": "t", "Item": key("b", "1")}}]})
    got = ops.handle("TransactGetItems", {"TransactItems": [
        {"Get": {"TableName": "t", "Key": key("a", "1")}},
        {"Get": {"TableName": "t", "Key": key("b", "1")}}]})
    assert got["Responses"] == [{"Item": {**key("a", "1"), "v": {"S": "x"}}}, {}]


def test_query_orders_bounds_and_pages(ops):
    for sk in ["2026-01-01#a", "2026-01-02#b", "2026-01-03#c", "2026-02-01#d", "other"]:
        ops.handle("PutItem", {"TableName": "t", "Item": key("p", sk)})
    ops.handle("PutItem", {"TableName": "t", "Item": key("q", "2026-01-02#x")})

    def query(condition, values, **extra):
        return ops.handle("Query", {"TableName": "t", "KeyConditionExpression": condition,
                                    "ExpressionAttributeValues": values, **extra})

    january = query("pk = :p AND begins_with(sk, :m)", {":p": {"S": "p"}, ":m": {"S": "2026-01"}},
                    ScanIndexForward=False)
    assert [i["sk"]["S"][:10] for i in january["Items"]] == ["2026-01-03", "2026-01-02",
                                                             "2026-01-01"]
    between = query("pk = :p AND sk BETWEEN :lo AND :hi",
                    {":p": {"S": "p"}, ":lo": {"S": "2026-01-02"}, ":hi": {"S": "2026-02-01~"}})
    assert between["Count"] == 3
    pages, start = [], None
    while True:
        extra = {"Limit": 2, **({"ExclusiveStartKey": start} if start else {})}
        page = query("pk = :p", {":p": {"S": "p"}}, **extra)
        pages.append([i["sk"]["S"] for i in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert [len(p) for p in pages] == [2, 2, 1] and pages[2] == ["other"]
    with pytest.raises(ValidationError, match="missed key schema element"):
        query("sk = :s", {":s": {"S": "x"}})


def test_a_keys_only_read_answers_as_one_that_reads_the_items(ops, monkeypatch):
    """Keys projected, no filter: the keys come from the index's columns, no item is
    parsed; with a number hash key too, canonical as DynamoDB returns it."""
    ops.handle("CreateTable", {
        "TableName": "n", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]})
    for sk in ("a", "b", "c"):
        ops.handle("PutItem", {"TableName": "t", "Item": {**key("p", sk), "x": {"S": sk * 5}}})
    ops.handle("PutItem", {"TableName": "n", "Item": {"id": {"N": "1.50"}, "x": {"S": "y"}}})
    query = {"TableName": "t", "KeyConditionExpression": "pk = :p",
             "ExpressionAttributeValues": {":p": {"S": "p"}}, "Limit": 2}
    parsed = [ops.handle("Query", {**query, "ProjectionExpression": "sk, x"}),
              ops.handle("Scan", {"TableName": "n", "ProjectionExpression": "id, x"})]
    import llm_router_local.store.operations as operations

    def no_parse(text):
        raise AssertionError("an item was parsed")

    monkeypatch.setattr(operations.json, "loads", no_parse)
    keys = ops.handle("Query", {**query, "ProjectionExpression": "sk, pk"})
    assert keys["Items"] == [key("p", "a"), key("p", "b")]
    assert keys["LastEvaluatedKey"] == parsed[0]["LastEvaluatedKey"] == key("p", "b")
    assert ops.handle("Scan", {"TableName": "n", "ProjectionExpression": "id"})["Items"] == [
        {"id": {"N": "1.5"}}] == [{"id": i["id"]} for i in parsed[1]["Items"]]


def test_scan_filter_and_batches(ops):
    ops.handle("BatchWriteItem", {"RequestItems": {"t": [
        {"PutRequest": {"Item": {**key(f"p{i}", "s"), "i": {"N": str(i)}}}} for i in range(7)]}})
    ops.handle("BatchWriteItem", {"RequestItems": {"t": [
        {"DeleteRequest": {"Key": key("p0", "s")}}]}})
    scanned = ops.handle("Scan", {"TableName": "t", "FilterExpression": "i >= :three",
                                  "ExpressionAttributeValues": {":three": {"N": "3"}},
                                  "ProjectionExpression": "i"})
    assert sorted(int(i["i"]["N"]) for i in scanned["Items"]) == [3, 4, 5, 6]
    assert scanned["ScannedCount"] == 6
    got = ops.handle("BatchGetItem", {"RequestItems": {"t": {"Keys": [
        key("p1", "s"), key("p0", "s"), key("p6", "s")]}}})
    assert sorted(i["pk"]["S"] for i in got["Responses"]["t"]) == ["p1", "p6"]


def test_unknown_tables_and_bad_keys(ops):
    with pytest.raises(ResourceNotFound):
        ops.handle("GetItem", {"TableName": "nope", "Key": key("a", "b")})
    with pytest.raises(ValidationError, match="does not match the schema"):
        ops.handle("GetItem", {"TableName": "t", "Key": {"pk": {"S": "a"}}})
    with pytest.raises(ValidationError, match="legacy"):
        ops.handle("PutItem", {"TableName": "t", "Item": key("a", "b"), "Expected": {}})


def test_item_size_is_counted_in_utf8_bytes_not_json_characters(ops):
    # 150,000 "é" are 300 KB of UTF-8 but 900 KB of ASCII JSON ("\\u00e9"): the quick
    # JSON-length bound must fall back to the exact size, not refuse the item.
    ops.handle("PutItem", {"TableName": "t", "Item": {**key("a", "1"), "s": {"S": "é" * 150_000}}})
    with pytest.raises(ValidationError, match="maximum allowed size"):
        ops.handle("PutItem", {"TableName": "t",
                               "Item": {**key("a", "2"), "s": {"S": "é" * 210_000}}})
    with pytest.raises(ValidationError, match="maximum allowed size"):
        ops.handle("UpdateItem", {"TableName": "t", "Key": key("a", "1"),
                                  "UpdateExpression": "SET t = :s",
                                  "ExpressionAttributeValues": {":s": {"S": "x" * 120_000}}})


def test_a_transaction_that_grows_an_item_too_large_writes_nothing(ops):
    ops.handle("PutItem", {"TableName": "t", "Item": {**key("a", "1"), "s": {"S": "x" * 300_000}}})
    with pytest.raises(ValidationError, match="maximum allowed size"):
        ops.handle("TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": "t", "Item": key("a", "2")}},
            {"Update": {"TableName": "t", "Key": key("a", "1"), "UpdateExpression": "SET t = :s",
                        "ExpressionAttributeValues": {":s": {"S": "y" * 120_000}}}}]})
    assert "Item" not in ops.handle("GetItem", {"TableName": "t", "Key": key("a", "2")})
    kept = ops.handle("GetItem", {"TableName": "t", "Key": key("a", "1")})["Item"]
    assert "t" not in kept
