"""The settle's calls made on the event loop (``storage.loop_client``) behave as the
same client's own calls in a worker thread: what they write, what they raise, how often
they try, and what the Server-Timing hooks see. Each case runs both ways against the
embedded store (or a socket that fails) and compares."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from llm_router import aws
from llm_router.errors import StorageError
from llm_router.ledger import LedgerEntry
from llm_router.storage.calls import recording_calls
from llm_router.storage.dynamo import DYNAMODB_CONFIG, dynamodb_client
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.loop_client import LoopDynamoClient
from llm_router_local.aws import LOCAL_CREDENTIALS

from .aws_faults import aws_error
from .conftest import Storage

pytestmark = pytest.mark.integration

THROTTLED = (b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
             b'"message":"injected: slow down"}')


def entry(tenant: str = "loop") -> LedgerEntry:
    return LedgerEntry(
        request_id=f"req_{uuid.uuid4().hex}", tenant_id=tenant, key_id="key_loop",
        started_at=datetime.now(UTC), requested_model="m", success=True, status=200,
        latency_ms=1.0, model="m", provider="p", prompt_tokens=3, completion_tokens=2,
        cost_usd=Decimal("0.000001"), usage_source="reported", cache_status="bypass")


def client_for(endpoint_url: str, **config: Any) -> Any:
    """The router's DynamoDB client for ``endpoint_url``; ``config`` overrides (fewer
    retries, shorter timeouts) so failing cases end quickly."""
    if not config:
        return dynamodb_client("us-east-1", endpoint_url, signed=False)
    from llm_router.storage.calls import watch_calls

    return watch_calls(aws.client("dynamodb", region="us-east-1", endpoint_url=endpoint_url,
                                  config=DYNAMODB_CONFIG.merge(Config(**config)),
                                  **LOCAL_CREDENTIALS))


class Attempts:
    """Counts the requests a client sends (botocore's ``request-created``, once per try)."""

    def __init__(self, client: Any):
        self.count = 0
        client.meta.events.register("request-created.dynamodb", self)

    def __call__(self, **_: Any) -> None:
        self.count += 1


class Calls:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def call(self, operation: str, ms: float) -> None:
        self.seen.append(operation)


def book_both_ways(storage: Storage, client: Any, one: LedgerEntry
                   ) -> tuple[Any, Any, list[int]]:
    """``one`` booked in a thread (``record``), then on the loop (``record_on_loop``):
    each way's result or exception, and the requests each sent."""
    s = storage.settings
    attempts = Attempts(client)
    ledger = DynamoLedger(client, s.ledger_table, s.counters_table,
                          on_loop=LoopDynamoClient(client))

    def outcome(book: Any) -> Any:
        try:
            return book()
        except Exception as exc:  # compared below
            return exc

    async def on_loop() -> Any:
        try:
            return await ledger.record_on_loop(one)
        except Exception as exc:
            return exc
        finally:
            await ledger.aclose()

    threaded = outcome(lambda: ledger.record(one))
    sent = [attempts.count]
    looped = asyncio.run(on_loop())
    return threaded, looped, [sent[0], attempts.count - sent[0]]


def test_a_booking_on_the_loop_is_written_once_and_timed(storage: Storage) -> None:
    s = storage.settings
    client = client_for(s.aws_endpoint_url or "")
    ledger = DynamoLedger(client, s.ledger_table, s.counters_table,
                          on_loop=LoopDynamoClient(client))
    one, calls = entry(), Calls()

    async def book_twice() -> tuple[bool, bool]:
        with recording_calls(calls):
            first = await ledger.record_on_loop(one)
            again = await ledger.record_on_loop(one)  # its ledger item exists: a no-op
        await ledger.aclose()
        return first, again

    assert asyncio.run(book_twice()) == (True, False)
    assert ledger.record(one) is False  # the thread's way agrees it is booked
    items = [e for e in storage.ledger.entries("loop", limit=1000)
             if e["request_id"] == one.request_id]
    assert len(items) == 1 and items[0]["cost_usd"] == Decimal("0.000001")
    assert calls.seen == ["TransactWriteItems", "TransactWriteItems"]


def test_an_error_reply_is_the_same_storage_error_both_ways(storage: Storage) -> None:
    client = client_for(storage.settings.aws_endpoint_url or "")
    broken = Storage(storage.settings.model_copy(update={"ledger_table": "no-such"}),
                     client)
    threaded, looped, sent = book_both_ways(broken, client, entry())
    assert sent == [1, 1]
    assert isinstance(threaded, StorageError) and isinstance(looped, StorageError)
    assert threaded.message == looped.message and "ResourceNotFoundException" in looped.message
    assert isinstance(looped.__cause__, ClientError)


def test_throttling_is_retried_as_botocore_retries_it(storage: Storage) -> None:
    """Two throttled replies, then the store's answer: booked both ways, each after the
    same number of tries (the client's standard retry mode)."""
    client = client_for(storage.settings.aws_endpoint_url or "")
    attempts, left = Attempts(client), [0]

    def throttle(request: Any, **_: Any) -> Any:
        if left[0] > 0:
            left[0] -= 1
            return aws_error(request, THROTTLED)
        return None

    client.meta.events.register("before-send.dynamodb.TransactWriteItems", throttle)
    left[0], counts = 2, []
    s = storage.settings
    ledger = DynamoLedger(client, s.ledger_table, s.counters_table,
                          on_loop=LoopDynamoClient(client))
    assert ledger.record(entry()) is True
    counts.append(attempts.count)
    left[0], attempts.count = 2, 0

    async def on_loop() -> bool:
        try:
            return await ledger.record_on_loop(entry())
        finally:
            await ledger.aclose()

    assert asyncio.run(on_loop()) is True
    counts.append(attempts.count)
    assert counts == [3, 3]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


@pytest.mark.parametrize("where", ["refused", "silent"])
def test_a_failure_below_http_is_retried_and_raised_as_botocore_raises_it(
        storage: Storage, where: str, request: pytest.FixtureRequest) -> None:
    port = _closed_port() if where == "refused" else request.getfixturevalue("silent_port")
    client = client_for(f"http://127.0.0.1:{port}", read_timeout=0.3, connect_timeout=0.3,
                        retries={"mode": "standard", "max_attempts": 2})
    threaded, looped, sent = book_both_ways(storage, client, entry())
    assert sent[0] > 1 and sent[0] == sent[1]  # retried, as often each way
    assert isinstance(threaded, StorageError) and isinstance(looped, StorageError)
    assert type(looped.__cause__) is type(threaded.__cause__), (threaded, looped)
    assert threaded.message == looped.message


def test_admission_reserves_and_refuses_the_same_both_ways(storage: Storage) -> None:
    """Admission's write (``DynamoCounters.reserve`` / ``reserve_on_loop``): one op is an
    UpdateItem, several a transaction; each way fills to the limit, then refuses with
    the op that did not fit and what its counter held, and writes nothing for it."""
    from llm_router.resilience.counters import CounterOp, LimitReached
    from llm_router.storage.counters import DynamoCounters

    client = client_for(storage.settings.aws_endpoint_url or "")
    on_loop = LoopDynamoClient(client)
    counters = DynamoCounters(client, storage.settings.counters_table, on_loop=on_loop)
    assert counters.reserves_on_loop

    def ops(way: str, many: bool) -> list[CounterOp]:
        pk, expires = f"RATE#loop-{way}-{many}-{uuid.uuid4().hex[:6]}", 2_000_000_000
        rpm = CounterOp(pk, "m#1#req", Decimal(1), expires, Decimal(2), "requests", "rpm",
                        expires)
        usd = CounterOp(pk, "d#1", Decimal("0.5"), expires, Decimal(1), "usd", "budget",
                        expires)
        return [rpm, usd] if many else [rpm]

    def threaded(many: bool) -> tuple[int, str, Decimal | None]:
        batch = ops("thread", many)
        for admitted in range(4):
            try:
                counters.reserve(batch)
            except LimitReached as exc:
                return admitted, exc.op.unit, exc.used
        raise AssertionError("never refused")

    async def looped(many: bool) -> tuple[int, str, Decimal | None]:
        batch = ops("loop", many)
        for admitted in range(4):
            try:
                await counters.reserve_on_loop(batch)
            except LimitReached as exc:
                return admitted, exc.op.unit, exc.used
        raise AssertionError("never refused")

    async def both_on_loop() -> list[tuple[int, str, Decimal | None]]:
        try:
            return [await looped(False), await looped(True)]
        finally:
            await on_loop.aclose()

    in_threads = [threaded(False), threaded(True)]
    # Two admitted, the third refused by the rpm (listed first), its counter at 2.
    assert in_threads == [(2, "requests", Decimal(2)), (2, "requests", Decimal(2))]
    assert asyncio.run(both_on_loop()) == in_threads


def test_admission_conflicts_are_retried_then_storage_unavailable_both_ways(
        storage: Storage) -> None:
    """A reserving transaction cancelled by conflicts is tried CONFLICT_RETRIES times,
    then fails closed with the same StorageError each way."""
    from llm_router.resilience.counters import CounterOp
    from llm_router.storage.counters import CONFLICT_RETRIES, DynamoCounters

    conflict = (b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",'
                b'"message":"Transaction cancelled",'
                b'"CancellationReasons":[{"Code":"TransactionConflict"},{"Code":"None"}]}')
    client = client_for(storage.settings.aws_endpoint_url or "")
    attempts = Attempts(client)
    client.meta.events.register("before-send.dynamodb.TransactWriteItems",
                                lambda request, **_: aws_error(request, conflict))
    on_loop = LoopDynamoClient(client)
    counters = DynamoCounters(client, storage.settings.counters_table, on_loop=on_loop,
                              sleep=lambda _: None, rand=lambda: 0.0)
    pk, expires = f"RATE#conflict-{uuid.uuid4().hex[:6]}", 2_000_000_000
    batch = [CounterOp(pk, "m#1#req", Decimal(1), expires, Decimal(5), "requests", "rpm",
                       expires),
             CounterOp(pk, "d#1", Decimal(1), expires, Decimal(5), "usd", "budget", expires)]
    with pytest.raises(StorageError) as threaded:
        counters.reserve(batch)
    sent = [attempts.count]
    attempts.count = 0

    async def looped() -> None:
        try:
            await counters.reserve_on_loop(batch)
        finally:
            await on_loop.aclose()

    with pytest.raises(StorageError) as on_the_loop:
        asyncio.run(looped())
    sent.append(attempts.count)
    assert sent == [CONFLICT_RETRIES, CONFLICT_RETRIES]
    assert threaded.value.message == on_the_loop.value.message
