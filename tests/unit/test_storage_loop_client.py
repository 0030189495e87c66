"""``loop_client.empty_reply`` is botocore's parse of a ``{}`` success, for every
DynamoDB operation the fast path takes; the others keep botocore's parser."""

from __future__ import annotations

import logging
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.parsers import create_parser

from llm_router.storage import loop_client
from llm_router.storage.loop_client import _Body, _plain_structure, empty_reply

MODEL = botocore.session.get_session().get_service_model("dynamodb")
OPERATIONS = list(MODEL.operation_names)
HEADERS = [
    {"server": "BaseHTTP/0.6 Python/3.11.7", "date": "Sun, 06 Dec 2026 23:00:00 GMT",
     "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "LOCAL0000000000000001",
     "content-length": "2"},
    {"content-type": "application/x-amz-json-1.0", "content-length": "2"},  # no request id
    {"x-amzn-requestid": "", "x-amz-crc32": "2745614147", "connection": "keep-alive"},
]


def botocore_parse(operation: str, status: int, headers: dict[str, str]) -> Any:
    model = MODEL.operation_model(operation)
    http = AWSResponse("http://127.0.0.1:9/", status, headers, _Body(b"{}"))
    return create_parser("json").parse(convert_to_response_dict(http, model),
                                       model.output_shape)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("headers", HEADERS)
@pytest.mark.parametrize("status", [200, 202])
def test_empty_reply_is_botocores_parse(operation: str, headers: dict[str, str],
                                        status: int) -> None:
    model = MODEL.operation_model(operation)
    if not _plain_structure(model):
        pytest.skip("botocore's parser answers this one")
    expected = botocore_parse(operation, status, headers)
    got = empty_reply(status, dict(headers))
    assert got == expected
    assert list(got["ResponseMetadata"]) == list(expected["ResponseMetadata"])  # same order
    assert type(got["ResponseMetadata"]["HTTPHeaders"]) is dict


def test_the_settle_and_admission_operations_take_the_fast_path() -> None:
    for operation in ("TransactWriteItems", "UpdateItem", "PutItem", "GetItem", "Query"):
        assert _plain_structure(MODEL.operation_model(operation))


class _Client:
    """Just what ``_empty_parses_plainly`` reads of a LoopDynamoClient: the operation
    ``call`` made for TransactWriteItems."""

    def __init__(self) -> None:
        model = MODEL.operation_model("TransactWriteItems")
        self._operations = {model.name: loop_client._Operation(
            model, "dynamodb.TransactWriteItems", {}, (), _plain_structure(model))}


@pytest.mark.parametrize(("status", "body", "plain"), [
    (200, b"{}", True), (200, b'{"ConsumedCapacity":[]}', False), (200, b"", False),
    (400, b"{}", False), (300, b"{}", False)])
def test_only_an_empty_success_is_parsed_plainly(status: int, body: bytes,
                                                 plain: bool) -> None:
    model = MODEL.operation_model("TransactWriteItems")
    response = {"status_code": status, "body": body, "headers": {}}
    client: Any = _Client()
    assert loop_client.LoopDynamoClient._empty_parses_plainly(client, model, response) is plain


def test_botocores_parser_runs_while_it_logs(caplog: pytest.LogCaptureFixture) -> None:
    model = MODEL.operation_model("TransactWriteItems")
    response = {"status_code": 200, "body": b"{}", "headers": {}}
    client: Any = _Client()
    with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
        assert not loop_client.LoopDynamoClient._empty_parses_plainly(client, model, response)


def _client_answering(sent: list[dict[str, Any]]) -> Any:
    """The router's unsigned DynamoDB client whose calls a before-send hook answers
    with ``{}``, keeping each request's JSON body."""
    import json

    from llm_router.storage.dynamo import dynamodb_client

    client = dynamodb_client("us-east-1", "http://127.0.0.1:9", signed=False)

    def before_send(request: Any, **_: Any) -> AWSResponse:
        sent.append(json.loads(request.body))
        return AWSResponse(request.url, 200, {"x-amzn-requestid": "r1"}, _Body(b"{}"))

    client.meta.events.register("before-send.dynamodb", before_send)
    return client


def test_a_transaction_gets_botocores_idempotency_token_once_per_call() -> None:
    import asyncio
    import uuid

    sent: list[dict[str, Any]] = []
    client = loop_client.LoopDynamoClient(_client_answering(sent))
    items = [{"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "a"}},
                                 "ConditionExpression": "attribute_exists(pk)"}}]

    async def calls() -> list[Any]:
        return [await client.call("TransactWriteItems", {"TransactItems": items}),
                await client.call("TransactWriteItems", {"TransactItems": items,
                                                         "ClientRequestToken": "mine"})]

    first, second = asyncio.run(calls())
    token = sent[0]["ClientRequestToken"]
    assert str(uuid.UUID(token)) == token and uuid.UUID(token).version == 4
    assert sent[1]["ClientRequestToken"] == "mine"
    assert first["ResponseMetadata"]["RequestId"] == "r1" == second["ResponseMetadata"]["RequestId"]
