"""DynamoDB throttling on the request path: a real boto3 client against moto whose
TransactWriteItems calls are answered 400 ThrottlingException at the HTTP boundary (a
botocore ``before-send`` hook), so botocore's own retry logic and our error mapping run
unchanged. Throttling that passes is absorbed; throttling that persists fails closed.
So does a refusal no retry can cure (AccessDeniedException), at once, saying so."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import anyio
import boto3
import httpx
import pytest
import yaml
from botocore.awsrequest import AWSResponse

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import parse_catalog
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.providers.session import UpstreamHttp
from llm_router.storage.dynamo import RETRY_CONFIG
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.aws import LOCAL_CREDENTIALS
from llm_router_local.simulated import SimulatorProcess

from .aws_faults import aws_error
from .conftest import Storage
from .resilience_setup import calls_to, pair_catalog, unique

pytestmark = pytest.mark.integration
THROTTLED = (b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
             b'"message":"Rate of requests exceeds the allowed throughput."}')
DENIED = (b'{"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException",'
          b'"message":"User: arn:aws:sts::123456789012:assumed-role/router is not authorized '
          b'to perform: dynamodb:TransactWriteItems on resource: table/llm-router-counters"}')


class Throttle:
    """Answers the next ``times`` calls of one operation with ThrottlingException (or the
    error ``body`` given)."""

    def __init__(self, times: int, body: bytes = THROTTLED):
        self.left = times
        self.calls = 0
        self.body = body

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.calls += 1
        if self.left == 0:
            return None
        self.left -= 1
        return aws_error(request, self.body)


def ask(storage: Storage, simulator: SimulatorProcess, throttle: Throttle,
        model: str) -> tuple[httpx.Response, str]:
    client = boto3.client("dynamodb", endpoint_url=storage.settings.aws_endpoint_url,
                          region_name=storage.settings.region, config=RETRY_CONFIG,
                          **LOCAL_CREDENTIALS)
    client.meta.events.register("before-send.dynamodb.TransactWriteItems", throttle)
    key = "sk-test-" + unique("t")
    key_hash = hash_key(key)
    DynamoKeyStore(client, storage.settings.keys_table).put(
        ApiKey(key_hash, key_id_of(key_hash), "throttled", "2026-01-01T00:00:00+00:00",
               rpm=100, daily_budget_usd=Decimal(5)))
    catalog = parse_catalog(yaml.safe_load(pair_catalog(simulator.url, [model])))

    async def go() -> httpx.Response:
        upstream = UpstreamHttp()
        services = build_services(storage.settings, http=upstream, catalog=catalog,
                                  dynamodb=client, load_tiers=False)
        transport = httpx.ASGITransport(app=create_app(services))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://router") as c:
                return await c.post("/v1/chat/completions", timeout=60,
                                    headers={"authorization": f"Bearer {key}"},
                                    json={"model": model, "max_tokens": 20,
                                          "messages": [{"role": "user", "content": "hi"}]})
        finally:
            await upstream.aclose()

    return anyio.run(go), key_id_of(key_hash)


def test_passing_throttling_is_retried_and_books_exactly_once(storage, simulator) -> None:
    model = unique("thr")
    throttle = Throttle(times=2)
    resp, key_id = ask(storage, simulator, throttle, model)
    assert resp.status_code == 200, resp.text
    assert throttle.calls == 4  # admission: 2 throttled + 1; settle: 1
    items = [e for e in storage.ledger.entries("throttled", limit=500)
             if e["request_id"] == resp.headers["x-request-id"]]
    assert len(items) == 1
    day = datetime.now(UTC).strftime("%Y%m%d")
    budget = storage.client.get_item(
        TableName=storage.settings.counters_table,
        Key={"pk": {"S": f"BUDGET#key#{key_id}"}, "sk": {"S": f"d#{day}"}})["Item"]
    assert Decimal(budget["n"]["N"]) == Decimal(str(items[0]["cost_usd"]))


def test_persistent_throttling_fails_closed_before_any_provider_call(
    storage, simulator
) -> None:
    model = unique("thr")
    resp, _ = ask(storage, simulator, Throttle(times=10**6), model)
    assert resp.status_code == 503, resp.text
    error = resp.json()["error"]
    assert error["code"] == "storage_unavailable"
    # Admission failed after botocore's retries; so did booking that failure.
    assert "storage is unavailable" in error["message"]
    assert "ThrottlingException" in error["message"]
    assert calls_to(simulator.url, f"{model}-a") == 0


def test_access_denied_fails_closed_without_retries_and_says_who_must_fix_it(
    storage, simulator
) -> None:
    model = unique("deny")
    denied = Throttle(times=10**6, body=DENIED)
    resp, _ = ask(storage, simulator, denied, model)
    assert resp.status_code == 503, resp.text
    error = resp.json()["error"]
    assert (error["type"], error["code"]) == ("server_error", "storage_unavailable")
    assert "AccessDeniedException" in error["message"]
    assert "IAM role" in error["message"] and "retrying will not help" in error["message"]
    assert "Retry later" not in error["message"] and "arn:aws" not in error["message"]
    # Neither botocore nor the settle retries it: one admission call, then one try of
    # the settle that books the failure (three before the settle told refusals apart).
    assert denied.calls == 2
    assert calls_to(simulator.url, f"{model}-a") == 0
