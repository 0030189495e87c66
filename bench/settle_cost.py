"""What one settle transaction costs in CPU: the router's boto3 side and the store's side.

    .venv/bin/python bench/settle_cost.py [--side client|store|http|loop] [--settles 300]
        [--signed]

``client``: ``DynamoLedger.record`` (entry, rollup updates, boto3's serialise, sign and
parse) on the router's own DynamoDB client, the wire answered by a canned empty reply, so
only the client's work is timed. ``http``: the same client against the embedded store
over loopback HTTP, as ``serve`` runs it (its child process, a keep-alive connection):
the client thread's CPU per settle, which now includes urllib3 and http.client, the
wall time of ``record`` and of the TransactWriteItems call (Server-Timing's figure), and
the store process's CPU per settle, HTTP included (from /proc, in clock ticks).
``loop``: as ``http``, but booked the way ``serve`` books now, from an event loop
(``DynamoLedger.record_on_loop``: botocore serialises and parses, aiohttp sends); the
CPU is the loop thread's.
``store``: settle transactions made the same way, captured, then applied one by one to
a fresh in-memory embedded store through its JSON protocol (what its HTTP front calls),
so only the store's work is timed. Each prints the median thread CPU per settle over
``--reps`` passes (min and median). The client sends its calls unsigned, as ``serve``
does to its embedded store (``storage_unsigned``); ``--signed`` signs them, as on AWS.

Timings on a shared machine move with its load; instruction counts do not. For those,
run each side under callgrind at two sizes and divide the difference (``--apply``: the
store applies only the first N of the settles captured, so capturing costs the same):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/settle_cost.py --side store --settles 400 --apply 100 --reps 0
    (the same with --apply 400: (I400 - I100) / 300 instructions per settle; for the
    client side, --side client --settles 100 and 400; for the client over HTTP,
    --side http (or loop) --settles 100 and 400: callgrind follows only the client's
    process)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.awsrequest import AWSResponse

from llm_router.ledger import AttemptRecord, LedgerEntry
from llm_router.settings import RouterSettings
from llm_router.storage.calls import recording_calls
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.loop_client import LoopDynamoClient
from llm_router.storage.tables import physical_table_names
from llm_router_local.aws import create_resources, find_template, start_embedded_aws
from llm_router_local.store.inprocess import InProcessStore
from llm_router_local.store.protocol import respond


def entry(i: int) -> LedgerEntry:
    """A successful explicit-model request as peer_bench sends it (cache bypassed)."""
    return LedgerEntry(
        request_id=f"req_{uuid.UUID(int=i).hex}", tenant_id="dev", key_id="key_bench",
        started_at=datetime.now(UTC), requested_model="bench-model", success=True,
        status=200, latency_ms=3.2, model="bench-model", provider="testup",
        prompt_tokens=12, completion_tokens=5, cost_usd=Decimal("0.0000048"),
        usage_source="reported", cache_status="bypass", max_tokens=16,
        attempts=(AttemptRecord("testup", "bench-model", 1.5, "ok"),))


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


SIGNED = False  # --signed: SigV4 on every call, as against DynamoDB itself


def _settings(endpoint_url: str) -> RouterSettings:
    """The router's settings as ``serve`` has them for its embedded store."""
    return RouterSettings(environment="dev").model_copy(
        update={"aws_endpoint_url": endpoint_url, "storage_unsigned": not SIGNED})


def _client(answer: Any) -> tuple[DynamoLedger, RouterSettings]:
    """The router's DynamoDB client (its config and hooks), every call answered by
    ``answer(target, body) -> bytes`` instead of the network."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    settings = _settings("http://127.0.0.1:9")  # never dialled
    client = make_dynamodb_client(settings)

    def before_send(request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        body = answer(target.decode() if isinstance(target, bytes) else target, request.body)
        return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.0",
                                              "x-amzn-requestid": "bench"}, _Body(body))

    client.meta.events.register("before-send.dynamodb", before_send)
    return DynamoLedger(client, settings.ledger_table, settings.counters_table), settings


def client_side(settles: int, reps: int) -> list[float]:
    ledger, _ = _client(lambda target, body: b"{}")
    for i in range(min(settles, 50)):  # warm-up: botocore loads its models on first use
        ledger.record(entry(10**6 + i))
    per_rep = []
    for rep in range(max(reps, 1)):
        batch = [entry(rep * settles + i) for i in range(settles)]
        started = time.thread_time()
        for one in batch:
            ledger.record(one)
        per_rep.append((time.thread_time() - started) / settles * 1000)
    return per_rep if reps else []


def store_side(settles: int, reps: int, apply: int | None = None) -> list[float]:
    captured: list[tuple[str, bytes]] = []

    def capture(target: str, body: bytes) -> bytes:
        captured.append((target, body))
        return b"{}"

    ledger, settings = _client(capture)
    for i in range(settles):
        ledger.record(entry(i))
    names = physical_table_names(settings)
    per_rep = []
    for _ in range(max(reps, 1)):
        store = InProcessStore()
        store.create_tables(names)
        cpu = []
        for target, body in captured[:apply]:
            started = time.thread_time()
            status, reply = respond(store.operations, target, body)
            cpu.append(time.thread_time() - started)
            if status != 200:
                raise SystemExit(f"the store refused a settle: {reply}")
        per_rep.append(statistics.median(cpu) * 1000)
    return per_rep if reps else []


class _Calls:
    def __init__(self) -> None:
        self.ms: list[float] = []

    def call(self, operation: str, ms: float) -> None:
        self.ms.append(ms)


def _process_cpu_ms(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def http_side(settles: int, reps: int, *, on_loop: bool = False) -> list[float]:
    """Client CPU per settle against the embedded store over loopback HTTP; prints the
    wall medians of ``record`` and of the call itself. ``on_loop``: booked from an event
    loop (``record_on_loop``), as ``serve`` does."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    store = start_embedded_aws()
    try:
        settings = _settings(store.endpoint_url)
        create_resources(settings, find_template())
        client = make_dynamodb_client(settings)
        ledger = DynamoLedger(client, settings.ledger_table, settings.counters_table,
                              on_loop=LoopDynamoClient(client) if on_loop else None)
        per_rep, walls, calls = [], [], _Calls()

        async def book(one: LedgerEntry) -> None:
            if on_loop:
                await ledger.record_on_loop(one)
            else:
                ledger.record(one)

        async def run() -> float:
            for i in range(min(settles, 50)):  # warm-up: models, the connection
                await book(entry(10**6 + i))
            store_0 = _process_cpu_ms(store.pid)
            for rep in range(max(reps, 1)):
                batch = [entry(rep * settles + i) for i in range(settles)]
                started = time.thread_time()
                with recording_calls(calls):
                    for one in batch:
                        began = time.perf_counter()
                        await book(one)
                        walls.append((time.perf_counter() - began) * 1000)
                per_rep.append((time.thread_time() - started) / settles * 1000)
            await ledger.aclose()
            return (_process_cpu_ms(store.pid) - store_0) / (settles * max(reps, 1))

        store_ms = asyncio.run(run())
    finally:
        store.stop()
    if reps:
        print(f"{'loop' if on_loop else 'http'} side, wall p50: record "
              f"{statistics.median(walls):.2f} ms, TransactWriteItems call "
              f"{statistics.median(calls.ms):.2f} ms; the store process's CPU per settle "
              f"{store_ms:.3f} ms")
    return per_rep if reps else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=("client", "store", "http", "loop"), default="store")
    parser.add_argument("--settles", type=int, default=300)
    parser.add_argument("--apply", type=int, help="store side: apply only the first N")
    parser.add_argument("--reps", type=int, default=5,
                        help="timed passes (0: run once, print nothing: for callgrind)")
    parser.add_argument("--signed", action="store_true",
                        help="sign every call (SigV4), as against DynamoDB itself")
    args = parser.parse_args()
    global SIGNED
    SIGNED = args.signed
    if args.side == "client":
        per_rep = client_side(args.settles, args.reps)
    elif args.side in ("http", "loop"):
        per_rep = http_side(args.settles, args.reps, on_loop=args.side == "loop")
    else:
        per_rep = store_side(args.settles, args.reps, args.apply)
    if per_rep:
        print(f"{args.side} side, CPU per settle transaction: min {min(per_rep):.3f} ms, "
              f"median {statistics.median(per_rep):.3f} ms over {args.reps} passes of "
              f"{args.settles} (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
