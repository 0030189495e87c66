"""DynamoDB calls from the event loop, for the embedded store: botocore builds and
parses, ``storage.store_http`` sends.

botocore is synchronous, so a call from the request path ran in a worker thread, and
its HTTP went through urllib3 and http.client (headers and body in two sends, the reply's
headers through the email parser): about half of the client's CPU per settle over
loopback (bench/settle_cost.py, docs/performance.md). aiobotocore would do the same job,
but its only release here pins botocore 1.43.x against our 1.44.5.

``LoopDynamoClient.call`` makes one call the way botocore's client and endpoint make
it, with the same client's model, config, event hooks and exceptions: the parameters
filled in (``before-parameter-build``: the ``ClientRequestToken`` that makes a retried
transaction idempotent), the request serialised and prepared by botocore,
``before-call`` (the Server-Timing hooks, ``llm_router.storage.calls``),
``request-created`` (signing, retry headers), ``before-send`` (a handler may answer
instead of the network, as tests' fault hooks do), the reply parsed by botocore's
parser, modeled error fields included (a cancelled transaction's
``CancellationReasons``), ``needs-retry`` (the client's retry policy: standard mode,
its backoff and quota) and ``after-call``; a failure below HTTP is raised as the
botocore exception urllib3's would have been. What it leaves out: the endpoint
ruleset (the client's fixed ``endpoint_url`` is used as is), so it serves a store
named by URL (``storage_unsigned``), never DynamoDB itself, where the router keeps
botocore's own client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore import parsers
from botocore.awsrequest import AWSResponse, create_request_object, prepare_request_dict
from botocore.endpoint import convert_to_response_dict
from botocore.hooks import first_non_none_response
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from llm_router.ids import uuid4_text
from llm_router.storage.dynamo import DYNAMODB_CONFIG
from llm_router.storage.store_http import StoreHttp
from llm_router.storage.wire_json import PlannedJSONSerializer

# A store's connections: as many as calls in flight from one loop (botocore's pool had
# POOL_CONNECTIONS for the worker threads); idle ones kept while requests keep coming.
MAX_CONNECTIONS = 40


class _Body:
    """A reply's bytes as ``AWSResponse.raw``."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


@dataclass(frozen=True)
class _Operation:
    """What is the same in every call of one operation (a fresh context is copied from
    ``context`` per call; botocore's client builds it anew each time)."""

    model: Any
    event: str  # dynamodb.<Operation>, the suffix of each event's name
    context: dict[str, Any]
    idempotent: tuple[str, ...]  # members botocore fills with a token when absent
    plain_output: bool  # its output a plain structure (``_plain_structure``)


class LoopDynamoClient:
    """``client``'s calls, made on the running event loop (``await call(name, params)``)."""

    def __init__(self, client: Any):
        meta = client.meta
        self._client = client
        self._events = meta.events
        self._model = meta.service_model
        self._service_id = self._model.service_id.hyphenize()
        protocol = self._model.resolved_protocol
        # As the client's own serializer: the client's config has it off, but botocore
        # does not keep that setting in ``meta.config``.
        self._serializer = (
            PlannedJSONSerializer()
            if protocol == "json" and not DYNAMODB_CONFIG.parameter_validation
            else create_serializer(
                protocol, include_validation=bool(DYNAMODB_CONFIG.parameter_validation)))
        self._parser = create_parser(protocol)
        self._url = meta.endpoint_url
        self._config = meta.config
        self._user_agent = meta.config.user_agent
        self._operations: dict[str, _Operation] = {}
        self._http = StoreHttp(self._url, connect_timeout=meta.config.connect_timeout,
                               read_timeout=meta.config.read_timeout, limit=MAX_CONNECTIONS)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
        """The parsed reply; a ClientError (its modeled subclass) for an error reply, a
        botocore exception for a failure below HTTP, after the client's retries."""
        operation = self._operations.get(operation_name) or self._operation(operation_name)
        model, event = operation.model, operation.event
        context = dict(operation.context)  # handlers write to it: one per call
        for name in operation.idempotent:
            # What botocore's ``generate_idempotent_uuid`` (before-parameter-build) puts
            # there when it is absent, str(uuid4())'s text, without the UUID object.
            if name not in params:
                params[name] = uuid4_text()
        self._events.emit(f"before-parameter-build.{event}", params=params, model=model,
                          context=context)
        request_dict = self._serializer.serialize_to_request(params, model)
        prepare_request_dict(request_dict, endpoint_url=self._url, context=context,
                             user_agent=self._user_agent)
        _, answered = self._events.emit_until_response(
            f"before-call.{event}", model=model, params=request_dict,
            request_signer=None, context=context)
        try:
            http, parsed = answered or await self._send(model, event, request_dict, context)
        except Exception as exc:
            self._events.emit(f"after-call-error.{event}", exception=exc, context=context)
            raise
        self._events.emit(f"after-call.{event}", http_response=http, parsed=parsed,
                          model=model, context=context)
        if http.status_code >= 300:
            code = context.get("error_code_override") or parsed.get("Error", {}).get("Code")
            raise self._client.exceptions.from_code(code)(parsed, operation_name)
        return parsed  # type: ignore[no-any-return]

    def _operation(self, name: str) -> _Operation:
        """A call's model, event name, context, idempotency tokens and output's shape,
        made once."""
        model = self._model.operation_model(name)
        operation = self._operations[name] = _Operation(
            model, f"{self._service_id}.{name}", {
                "client_region": self._client.meta.region_name,
                "client_config": self._config,
                "has_streaming_input": model.has_streaming_input,
                "auth_type": model.resolved_auth_type,
                "unsigned_payload": model.unsigned_payload,
                "auth_options": self._model.metadata.get("auth"),
            }, tuple(model.idempotent_members), _plain_structure(model))
        return operation

    async def _send(self, model: Any, event: str, request_dict: dict[str, Any],
                    context: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
        """botocore's ``Endpoint._send_request``: tries until ``needs-retry`` says stop."""
        attempts = 1
        retries = context.setdefault("retries", {})
        retries.update(attempt=1, **{"invocation-id": uuid4_text()})  # str(uuid4())'s text
        while True:
            response, exc = await self._try(model, event, request_dict)
            delay = first_non_none_response(self._events.emit(
                f"needs-retry.{event}", response=response, endpoint=None, operation=model,
                attempts=attempts, caught_exception=exc, request_dict=request_dict))
            if delay is None or delay is False:
                break
            await asyncio.sleep(delay)
            attempts += 1
            retries["attempt"] = attempts
        if exc is not None:
            raise exc
        assert response is not None
        if "ResponseMetadata" in response[1]:
            response[1]["ResponseMetadata"]["RetryAttempts"] = attempts - 1
        return response

    async def _try(self, model: Any, event: str, request_dict: dict[str, Any]
                   ) -> tuple[tuple[AWSResponse, dict[str, Any]] | None, Exception | None]:
        """One attempt: (the reply and its parse, None) or (None, what went wrong)."""
        request = create_request_object(request_dict)
        self._events.emit(f"request-created.{event}", request=request,
                          operation_name=model.name)
        prepared = request.prepare()
        store_headers = None  # the store's reply headers as read (not a hook's answer)
        try:
            http = first_non_none_response(
                self._events.emit(f"before-send.{event}", request=prepared))
            if http is None:
                http, store_headers = await self._post(prepared)
        except Exception as exc:  # botocore hands every failure to needs-retry
            return None, exc
        response_dict = convert_to_response_dict(http, model)
        if store_headers is not None and self._empty_parses_plainly(model, response_dict):
            parsed = empty_reply(http.status_code, store_headers)
        else:
            parsed = self._parser.parse(response_dict, model.output_shape)
        if http.status_code >= 300:
            self._add_modeled_error_fields(response_dict, parsed)
        return (http, parsed), None

    def _empty_parses_plainly(self, model: Any, response_dict: dict[str, Any]) -> bool:
        """Whether botocore's parse of this reply is ``empty_reply``'s: a success whose
        body is ``{}`` (every settle and admission write), for an operation whose output
        is a plain structure, with botocore's parser logging off (it logs the reply)."""
        if response_dict["status_code"] >= 300 or response_dict["body"] != b"{}":
            return False
        return (self._operations[model.name].plain_output  # made by ``call``
                and not parsers.LOG.isEnabledFor(logging.DEBUG))

    async def _post(self, prepared: Any) -> tuple[AWSResponse, dict[str, str]]:
        """The prepared request over the store's connections; failures as urllib3's.
        Also the reply's headers as read (names lower-cased), for ``empty_reply``."""
        headers = {k: v.decode() if isinstance(v, bytes) else v
                   for k, v in prepared.headers.items()}
        body = prepared.body or b""
        status, reply_headers, reply = await self._http.post(
            prepared.url, headers, body.encode() if isinstance(body, str) else body)
        return AWSResponse(prepared.url, status, reply_headers, _Body(reply)), reply_headers

    def _add_modeled_error_fields(self, response_dict: dict[str, Any],
                                  parsed: dict[str, Any]) -> None:
        """botocore's second pass over an error reply: the error shape's own fields."""
        code = parsed.get("Error", {}).get("Code")
        shape = self._model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(self._parser.parse(response_dict, shape))



def empty_reply(status: int, headers: dict[str, str]) -> dict[str, Any]:
    """What botocore's JSON parser makes of a success whose body is ``{}``, for a plain
    output structure: only its ``ResponseMetadata`` (the request id, the status, the
    headers with lower-case names). Its parse walks the output shape over the empty
    object, reads the headers through ``HeadersDict`` twice and copies them: 3.4 % of
    the app's instructions per request (bench/results/own-work-session32.json).
    ``headers``: the store's, names already lower-cased (``store_http``); tests/unit/
    test_storage_loop_client.py compares this with botocore's parse for every
    DynamoDB operation."""
    metadata: dict[str, Any] = {}
    if "x-amzn-requestid" in headers:
        metadata["RequestId"] = headers["x-amzn-requestid"]
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = dict(headers)
    return {"ResponseMetadata": metadata}


def _plain_structure(model: Any) -> bool:
    """An output botocore's JSON parser turns ``{}`` into ``{}`` (then adds the
    metadata): none, or a structure that is not a document, a tagged union or an event
    stream."""
    shape = model.output_shape
    if shape is None:
        return True
    return (shape.type_name == "structure" and not shape.is_document_type
            and not shape.is_tagged_union and not model.has_event_stream_output
            and not shape.serialization.get("eventstream"))
