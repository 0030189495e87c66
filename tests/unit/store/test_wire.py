"""The embedded store refuses attribute values DynamoDB refuses (the router's client
does not validate its own parameters: llm_router/storage/dynamo.py)."""

from __future__ import annotations

import pytest

from llm_router.storage.dynamo import DYNAMODB_CONFIG, RETRY_CONFIG
from llm_router_local.store.errors import ValidationError
from llm_router_local.store.wire import SerializationError, check_request

GOOD = {"S": "x", "N": "-1.5E+125", "B": "AAE=", "SS": ["a"], "NS": ["1", "2"],
        "BS": ["AA=="], "BOOL": False, "NULL": True,
        "M": {"inner": {"L": [{"N": "0"}, {"S": ""}]}}}


def put(**values: object) -> dict[str, object]:
    return {"TableName": "t", "Item": {"pk": {"S": "a"}, **values}}


def test_every_datatype_passes() -> None:
    check_request(put(**{f"a_{k}": {k: v} for k, v in GOOD.items()}))
    check_request(put(big={"N": "9" * 38 + "." + "9" * 38}, neg={"N": "-0.0001"},
                      long={"N": "1" + "0" * 125}))
    check_request({"TransactItems": [
        {"Update": {"Key": {"pk": {"S": "a"}}, "ExpressionAttributeValues": {":n": {"N": "1"}}}},
        {"Put": put(n={"N": "1E-130"})}],
        "RequestItems": {"t": {"Keys": [{"pk": {"S": "b"}}]}}})


@pytest.mark.parametrize(("request_", "error"), [
    (put(n={"N": 5}), SerializationError),
    (put(s={"S": 5}), SerializationError),
    (put(ss={"SS": ["a", 1]}), SerializationError),
    (put(b={"BOOL": "true"}), SerializationError),
    (put(x={"NULL": False}), SerializationError),
    (put(m={"M": {"inner": {"N": 1.5}}}), SerializationError),
    (put(x={"S": "a", "N": "1"}), ValidationError),
    (put(x={"BOGUS": "1"}), ValidationError),
    (put(n={"N": "1E+126"}), ValidationError),
    (put(n={"N": "1E-131"}), ValidationError),
    (put(n={"N": "NaN"}), ValidationError),
    (put(n={"N": "1" + "0" * 126}), ValidationError),  # plain notation, out of range
    (put(n={"N": "0." + "0" * 130 + "1"}), ValidationError),
    (put(n={"N": "1.5.2"}), ValidationError),
    (put(n={"N": ""}), ValidationError),
    (put(n={"NS": ["1", "x"]}), ValidationError),
    ({"TransactItems": [{"Update": {"Key": {"pk": {"S": "a"}},
                                    "ExpressionAttributeValues": {":v": {"N": 7}}}}]},
     SerializationError),
    ({"RequestItems": {"t": {"Keys": [{"pk": {"S": 3}}]}}}, SerializationError),
])
def test_what_dynamodb_refuses_is_refused(request_: dict[str, object],
                                          error: type[Exception]) -> None:
    with pytest.raises(error):
        check_request(request_)


def test_only_the_dynamodb_client_skips_botocore_validation() -> None:
    assert DYNAMODB_CONFIG.parameter_validation is False
    assert RETRY_CONFIG.parameter_validation is not False  # S3 and others keep it
    assert DYNAMODB_CONFIG.retries == RETRY_CONFIG.retries
