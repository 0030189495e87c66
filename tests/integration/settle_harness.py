"""The router's app in-process (ASGI) with faults injectable at each stage of a request,
over real storage (moto) and the real simulator:

- upstream: an aiohttp client middleware in front of the real exchange (the
  ``UpstreamHttp(middlewares=...)`` seam) that raises, hangs or breaks a stream on demand;
- settle: a botocore ``before-send`` hook that fails the ledger's transaction (with an
  error a retry may mend, or with one it cannot: ``THROTTLED``, ``VALIDATION``);
- after admission: ``Resilience.chain`` replaced for one request.

``Harness.check_books`` is the invariant the tests assert: one ledger item per request,
and each key's daily budget counter equal to the ledger's booked cost for it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import anyio
import boto3
import httpx
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

from .aws_faults import aws_error
from .conftest import Storage
from .resilience_setup import pair_catalog

TENANT = "settle"
BUDGET = Decimal("0.5")
# Two refusals botocore does not retry itself. A ValidationException no retry mends
# (nor credentials, nor a missing table): the settle gives up at its first try. A
# transaction cancelled because an item was throttled may pass on the next try: the
# settle tries it SETTLE_ATTEMPTS times before parking it.
VALIDATION = (b'{"__type":"com.amazon.coral.validate#ValidationException",'
              b'"message":"injected: the ledger write failed"}')
THROTTLED = (b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",'
             b'"message":"Transaction cancelled, please refer cancellation reasons for '
             b'specific reasons [ThrottlingError]","CancellationReasons":'
             b'[{"Code":"ThrottlingError","Message":"Throughput exceeds the current '
             b'capacity of your table or index."}]}')


class TableFault:
    """Fails the next ``times`` calls whose body names ``table`` (registered for one
    operation, e.g. the settle's TransactWriteItems that Puts into the ledger table) with
    the error ``body``; counts the calls it failed."""

    def __init__(self, table: str, body: bytes):
        self.table = table.encode()
        self.body = body
        self.times = 0
        self.failed = 0
        # Calls whose body holds this pass (a dead letter's release names the ledger
        # table too, in its check that the booking is absent: b"RELEASED#").
        self.spare: bytes | None = None

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        body = request.body if isinstance(request.body, bytes) else b""
        if self.times == 0 or self.table not in body or (
                self.spare is not None and self.spare in body):
            return None
        self.times -= 1
        self.failed += 1
        return aws_error(request, self.body)


class _BrokenBody:
    """The upstream's body as ``providers.transport`` reads it, then a bug after the
    first piece."""

    def __init__(self, inner: aiohttp.StreamReader):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:  # what aiohttp itself asks of the reader
        return getattr(self._inner, name)

    async def iter_any(self) -> AsyncIterator[bytes]:
        async for piece in self._inner.iter_any():
            yield piece
            raise RuntimeError("injected: a bug while reading the stream")


class UpstreamFaults:
    """``mode``: None (pass through), "bug" (a non-aiohttp exception), "timeout",
    "hang" (until cancelled; ``entered`` is set when a request arrives), "broken-stream"."""

    def __init__(self) -> None:
        self.mode: str | None = None
        self.entered = anyio.Event()

    async def __call__(self, request: aiohttp.ClientRequest,
                       handler: aiohttp.ClientHandlerType) -> aiohttp.ClientResponse:
        if self.mode == "bug":
            raise RuntimeError("injected: a bug in the provider call")
        if self.mode == "timeout":
            raise aiohttp.SocketTimeoutError("injected: no answer")
        if self.mode == "hang":
            self.entered.set()
            await anyio.sleep_forever()
        response = await handler(request)
        if self.mode == "broken-stream":
            response.content = _BrokenBody(response.content)  # type: ignore[assignment]
        return response


@dataclass
class Harness:
    storage: Storage
    sim_url: str
    model: str
    client: Any = None
    settle_fault: TableFault | None = None
    keys: dict[str, str] = field(default_factory=dict)  # plaintext -> key_id
    request_ids: list[str] = field(default_factory=list)
    # Book as ``serve`` does against its embedded store: the settle's transaction from
    # the event loop (``storage.loop_client``), through the same client and its hooks.
    books_on_loop: bool = False

    def __post_init__(self) -> None:
        s = self.storage.settings
        self.client = boto3.client("dynamodb", endpoint_url=s.aws_endpoint_url,
                                   region_name=s.region, config=RETRY_CONFIG,
                                   **LOCAL_CREDENTIALS)
        # Storage down at settle, as far as the tests go: every try may be the last one.
        self.settle_fault = TableFault(s.ledger_table, THROTTLED)
        self.client.meta.events.register("before-send.dynamodb.TransactWriteItems",
                                         self.settle_fault)
        data = yaml.safe_load(pair_catalog(self.sim_url, [self.model]))
        # Faults here are about booking, not health: no breaker may open between requests.
        data["resilience"]["breaker"]["failure_threshold"] = 1_000_000
        self.catalog = parse_catalog(data)

    def new_key(self, budget: Decimal = BUDGET, rpm: int | None = None) -> str:
        plaintext = "sk-test-" + uuid.uuid4().hex[:12]
        key_hash = hash_key(plaintext)
        DynamoKeyStore(self.client, self.storage.settings.keys_table).put(
            ApiKey(key_hash, key_id_of(key_hash), TENANT, "2026-01-01T00:00:00+00:00",
                   daily_budget_usd=budget, rpm=rpm))
        self.keys[plaintext] = key_id_of(key_hash)
        return plaintext

    def body(self, **extra: Any) -> dict[str, Any]:
        return {"model": self.model, "max_tokens": 20, "cache": False,
                "messages": [{"role": "user", "content": "Where is my order?"}], **extra}

    @asynccontextmanager
    async def app(self, upstream: UpstreamFaults, tiers: Any = None,
                  **settings: Any) -> AsyncIterator[Any]:
        """The app, over its own provider session, closed on the way out as the app's
        lifespan closes it on shutdown (an ASGI transport runs no lifespan). aiohttp's
        session belongs to the event loop it was opened in, so it is entered and left
        inside one ``anyio.run``; left open, it warns "Unclosed client session"."""
        if self.books_on_loop:
            settings = {"storage_unsigned": True, **settings}
        services = build_services(self.storage.settings.model_copy(update=settings),
                                  http=UpstreamHttp(middlewares=[upstream]),
                                  catalog=self.catalog, dynamodb=self.client, tiers=tiers,
                                  load_tiers=False)
        try:
            yield create_app(services)
        finally:
            await services.chat.aclose()

    def ledger_items(self, key_id: str) -> list[dict[str, Any]]:
        return [e for e in self.storage.ledger.entries(TENANT, limit=1000)
                if e["key_id"] == key_id]

    def budget_used(self, key_id: str) -> Decimal:
        day = datetime.now(UTC).strftime("%Y%m%d")
        item = self.storage.client.get_item(  # type: ignore[attr-defined]
            TableName=self.storage.settings.counters_table, ConsistentRead=True,
            Key={"pk": {"S": f"BUDGET#key#{key_id}"}, "sk": {"S": f"d#{day}"}}).get("Item")
        return Decimal(item["n"]["N"]) if item else Decimal(0)

    def check_books(self, key: str, requests: int) -> list[dict[str, Any]]:
        """One ledger item per request of ``key``; remaining budget == limit - booked."""
        key_id = self.keys[key]
        items = self.ledger_items(key_id)
        assert len(items) == requests, [(i["status"], i.get("error_code")) for i in items]
        assert len({i["request_id"] for i in items}) == requests
        booked = sum((Decimal(str(i["cost_usd"])) for i in items), Decimal(0))
        assert BUDGET - self.budget_used(key_id) == BUDGET - booked
        return items


async def post(app: Any, key: str, body: dict[str, Any]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as c:
        return await c.post("/v1/chat/completions", json=body, timeout=60,
                            headers={"authorization": f"Bearer {key}"})
