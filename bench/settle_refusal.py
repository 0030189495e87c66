"""How long a request takes when its settle transaction is refused by storage.

    .venv/bin/python bench/settle_refusal.py [--error validation|throttled] [--requests 20]
        [--bucket]

The router's app in-process (ASGI) over the embedded store and the provider simulator,
with a botocore ``before-send`` hook that answers every settle transaction (the
TransactWriteItems that Puts into the ledger table) with ``--error``:

- ``validation``: a ValidationException, which no retry can mend (IAM, a missing table
  and an invalid item are the same kind: ``storage_error`` says "retrying will not help");
- ``throttled``: the transaction cancelled because an item was throttled
  (``TransactionCanceledException``, reason ``ThrottlingError``), which botocore does not
  retry itself and a later try may get through.

Without ``--bucket`` (no settle outbox) the client gets the 503; with it the booking is
parked in S3 and the client gets its answer. Prints per request the status, the wall
time of the whole request, and the settle transactions the hook refused (the tries),
then the median and p90. The provider's own time is the same in both and in every run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import time
import uuid
from typing import Any

import boto3
import httpx
import yaml
from botocore.awsrequest import AWSResponse

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import parse_catalog
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.providers.session import UpstreamHttp
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import RETRY_CONFIG
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.aws import (
    LOCAL_CREDENTIALS,
    create_resources,
    find_template,
    start_embedded_aws,
)
from llm_router_local.simulated import start_simulator

ERRORS = {
    "validation": b'{"__type":"com.amazon.coral.validate#ValidationException",'
                  b'"message":"injected: the ledger write failed"}',
    "throttled": b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",'
                 b'"message":"Transaction cancelled [ThrottlingError]","CancellationReasons":'
                 b'[{"Code":"ThrottlingError","Message":"Throughput exceeds the current '
                 b'capacity of your table or index."}]}',
}


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


class Refusal:
    """Answers every transaction naming ``table`` with ``body``; counts them."""

    def __init__(self, table: str, body: bytes):
        self.table, self.body, self.refused = table.encode(), body, 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        sent = request.body if isinstance(request.body, bytes) else b""
        if self.table not in sent:
            return None
        self.refused += 1
        return AWSResponse(request.url, 400, {"x-amzn-requestid": "injected",
                                              "content-type": "application/x-amz-json-1.0"},
                           _Body(self.body))


def catalog(sim_url: str) -> Any:
    return parse_catalog(yaml.safe_load(f"""
providers:
  bench-a: {{kind: openai, base_url: "{sim_url}/bench-a/v1", api_key: sim-key}}
models:
  bench-model:
    provider: bench-a
    upstream_model: up-small
    input_per_mtok: 0.15
    output_per_mtok: 0.60
    tiers: [simple]
"""))


async def measure(args: argparse.Namespace, settings: RouterSettings, sim_url: str,
                  client: Any, refusal: Refusal, key: str) -> list[tuple[int, float, int]]:
    services = build_services(settings, http=UpstreamHttp(), catalog=catalog(sim_url),
                              dynamodb=client, load_tiers=False)
    rows = []
    body = {"model": "bench-model", "max_tokens": 20, "cache": False,
            "messages": [{"role": "user", "content": "Where is my order?"}]}
    try:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://router") as http:
            for i in range(args.requests + 1):  # the first warms the path up, unreported
                before = refusal.refused
                started = time.perf_counter()
                resp = await http.post("/v1/chat/completions", json=body, timeout=60,
                                       headers={"authorization": f"Bearer {key}"})
                wall_ms = (time.perf_counter() - started) * 1000
                if i:
                    rows.append((resp.status_code, wall_ms, refusal.refused - before))
    finally:
        await services.chat.aclose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--error", choices=sorted(ERRORS), default="validation")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--bucket", action="store_true",
                        help="with a settle outbox (S3): the booking is parked")
    args = parser.parse_args()
    logging.getLogger("llm_router").setLevel(logging.CRITICAL)  # one "not booked" a request
    for name, value in LOCAL_CREDENTIALS.items():  # the outbox's S3 client reads them
        os.environ.setdefault(name.upper(), value)
    aws, sim = start_embedded_aws(), start_simulator()
    try:
        suffix = uuid.uuid4().hex[:8]
        settings = RouterSettings(
            aws_endpoint_url=aws.endpoint_url, keys_table=f"keys-{suffix}",
            ledger_table=f"ledger-{suffix}", counters_table=f"counters-{suffix}",
            cache_table=f"cache-{suffix}", bucket=f"bucket-{suffix}" if args.bucket else None)
        create_resources(settings, find_template())
        client = boto3.client("dynamodb", endpoint_url=aws.endpoint_url,
                              region_name=settings.region, config=RETRY_CONFIG,
                              **LOCAL_CREDENTIALS)
        refusal = Refusal(settings.ledger_table, ERRORS[args.error])
        client.meta.events.register("before-send.dynamodb.TransactWriteItems", refusal)
        key = "sk-bench-" + uuid.uuid4().hex[:12]
        key_hash = hash_key(key)
        DynamoKeyStore(client, settings.keys_table).put(
            ApiKey(key_hash, key_id_of(key_hash), "bench", "2026-01-01T00:00:00+00:00"))
        rows = asyncio.run(measure(args, settings, sim.url, client, refusal, key))
    finally:
        sim.stop()
        aws.stop()
    walls = sorted(w for _, w, _ in rows)
    print(json.dumps({
        "error": args.error, "bucket": args.bucket, "requests": len(rows),
        "statuses": sorted({s for s, _, _ in rows}),
        "settle_tries": sorted({t for _, _, t in rows}),
        "wall_ms_p50": round(statistics.median(walls), 1),
        "wall_ms_p90": round(walls[int(0.9 * (len(walls) - 1))], 1),
    }))


if __name__ == "__main__":
    main()
