"""``llm-router ledger reconcile``: estimated vs reported usage totals per provider.
``llm-router ledger replay``: book the settle transactions parked in the outbox.
``llm-router ledger dead-letters`` / ``requeue``: the bookings replay gave up on.

``reconcile`` reads the ledger table (LLM_ROUTER_LEDGER_TABLE, in the account and region of the
environment or at LLM_ROUTER_AWS_ENDPOINT_URL), or ledger items as JSON Lines from
``--input FILE`` (``-`` for stdin). Prints one JSON line per provider.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from llm_router.reconcile import reconcile
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client, storage_error
from llm_router.storage.ledger import DynamoLedger
from llm_router.storage.outbox import S3SettleOutbox, outbox_for, replay_from
from llm_router_local.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ledger", help="read the usage ledger", description="Read the ledger.")
    actions = p.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    r = actions.add_parser(
        "reconcile",
        help="estimated vs reported usage totals per provider",
        description=(
            "Sum the ledger per provider and usage_source: 'reported' (the provider's own "
            "usage), 'estimated' (counted with tiktoken: a stream that broke off, or a "
            "server that sends no usage in streams) and 'none'. One JSON line per provider."
        ),
    )
    r.add_argument("--since", help="first UTC day to include, YYYY-MM-DD (default: the first)")
    r.add_argument("--until", help="last UTC day to include, YYYY-MM-DD (default: the last)")
    r.add_argument("--tenant", help="only this tenant")
    r.add_argument("--input", help="ledger items as JSON Lines ('-': stdin) instead of the table")
    r.set_defaults(run=run_reconcile)
    rp = actions.add_parser(
        "replay",
        help="book the settle transactions parked in the outbox",
        description=(
            "Write every settle transaction parked in s3://$LLM_ROUTER_BUCKET/outbox/settle/ "
            "(a settle DynamoDB refused) to the tables, and remove each once booked; one "
            "already booked is only removed. The alert checker does this every 5 minutes. "
            "A counter settlement whose window expired meanwhile is left out (the "
            "booking is not). Prints one JSON line: booked, already_booked, still_parked, "
            "errors, expired_counters_skipped. A booking whose replay fails waits 5, 10, "
            "20 ... minutes before the next; after 8 failed replays (3 when DynamoDB "
            "calls it invalid) it becomes a dead letter (dead_lettered, dead_letters; "
            "'ledger dead-letters'). Exits 1 when any is still parked or dead."
        ),
    )
    rp.set_defaults(run=run_replay)
    dl = actions.add_parser(
        "dead-letters",
        help="list the settle transactions replay gave up on",
        description=(
            "One JSON line per dead letter under s3://$LLM_ROUTER_BUCKET/outbox/dead/: a "
            "parked booking whose replay failed too often (docs/operations.md#settle-dead-"
            "letters): request_id, tenant_id, key_id, model, status, cost_usd, started_at, "
            "error, replays, dead_at, and reservation (released, booked, expired, none or "
            "held: its budget reservation). --transaction adds the TransactItems (and the "
            "counter_settlements held apart). Exits 1 when there is any."
        ),
    )
    dl.add_argument("--transaction", action="store_true", help="print each transaction too")
    dl.set_defaults(run=run_dead_letters)
    rq = actions.add_parser(
        "requeue",
        help="park a dead letter's booking again (after fixing its cause)",
        description=(
            "Move the dead letter of REQUEST_ID back to the outbox with its replay count "
            "reset; the next replay (the alert checker's, or 'ledger replay') books it. "
            "A budget reservation the letter still holds is released first (exits 1, the "
            "letter kept, when DynamoDB refuses that for now). "
            "Idempotent like every replay: a booking that did commit is not applied twice."
        ),
    )
    rq.add_argument("request_id", nargs="+", metavar="REQUEST_ID",
                    help="the request id of a dead letter (ledger dead-letters)")
    rq.set_defaults(run=run_requeue)


def run_reconcile(args: argparse.Namespace) -> int:
    for flag in ("since", "until"):
        value = getattr(args, flag)
        if value is not None and not _is_day(value):
            raise CommandError(f"--{flag} must be a day as YYYY-MM-DD, not {value!r}")
    items = _read_lines(args.input) if args.input else _scan(RouterSettings(), args.tenant)
    selected = (i for i in items if _in_range(i, args.since, args.until)
                and (args.tenant is None or i.get("tenant_id") == args.tenant))
    for row in reconcile(selected):
        print(json.dumps(row.to_json()))
    return 0


def run_replay(args: argparse.Namespace) -> int:
    report = replay_from(RouterSettings())
    if report is None:
        raise CommandError("LLM_ROUTER_BUCKET is not set: there is no outbox to replay")
    print(json.dumps(report.as_dict()))
    return 1 if report.failed or report.waiting or report.dead_letters else 0


def run_dead_letters(args: argparse.Namespace) -> int:
    found = 0
    for letter in _outbox().dead_letters():
        found += 1
        if not args.transaction:
            letter = {k: v for k, v in letter.items()
                      if k not in ("transaction", "counter_settlements")}
        print(json.dumps(letter, default=_bytes_text))
    return 1 if found else 0


def run_requeue(args: argparse.Namespace) -> int:
    settings = RouterSettings()
    box = _outbox()
    # A letter whose budget reservation is still held has it released first.
    ledger = DynamoLedger(make_dynamodb_client(settings), settings.ledger_table,
                          settings.counters_table)
    for request_id in args.request_id:
        try:
            key = box.requeue(request_id, ledger)
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
        print(json.dumps({"request_id": request_id, "parked": key}))
    return 0


def _outbox() -> S3SettleOutbox:
    box = outbox_for(RouterSettings())
    if box is None:
        raise CommandError("LLM_ROUTER_BUCKET is not set: there is no outbox")
    return box


def _bytes_text(value: Any) -> str:
    # A cache entry's embedding, when --transaction prints one.
    return base64.b64encode(value).decode() if isinstance(value, bytes) else str(value)


def _is_day(text: str) -> bool:
    parts = text.split("-")
    return len(text) == 10 and len(parts) == 3 and all(p.isdigit() for p in parts)


def _in_range(item: dict[str, Any], since: str | None, until: str | None) -> bool:
    day = str(item.get("started_at", ""))[:10]
    return (since is None or day >= since) and (until is None or day <= until)


def _read_lines(path: str) -> Iterator[dict[str, Any]]:
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise CommandError(f"line {number} is not JSON") from exc
            if not isinstance(item, dict):
                raise CommandError(f"line {number} is not a JSON object")
            yield item


def _scan(settings: RouterSettings, tenant: str | None) -> Iterator[dict[str, Any]]:
    client = make_dynamodb_client(settings)
    read = TypeDeserializer().deserialize
    fields = "tenant_id, provider, usage_source, prompt_tokens, completion_tokens, " \
             "cost_usd, started_at, #s"
    request: dict[str, Any] = {"TableName": settings.ledger_table,
                               "ProjectionExpression": fields,
                               "ExpressionAttributeNames": {"#s": "stream"}}
    if tenant is not None:
        operation = "query"
        request["KeyConditionExpression"] = "tenant_id = :t"
        request["ExpressionAttributeValues"] = {":t": {"S": tenant}}
    else:
        operation = "scan"
    try:
        for page in client.get_paginator(operation).paginate(**request):
            for raw in page.get("Items", []):
                yield {k: read(v) for k, v in raw.items()}
    except (ClientError, BotoCoreError) as exc:
        raise storage_error("reading the ledger", exc) from exc
