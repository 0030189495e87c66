"""``llm-router keys create``: issue an API key. The key is printed once, never stored."""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from llm_router.cli import CommandError
from llm_router.keys import ApiKey, generate_key, key_id_of
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore

_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keys", help="manage API keys", description="Manage API keys.")
    keys_sub = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = keys_sub.add_parser(
        "create",
        help="create a key for a tenant and print it once",
        description=(
            "Create an API key in the keys table (LLM_ROUTER_KEYS_TABLE, in the AWS account "
            "and region of the environment, or at LLM_ROUTER_AWS_ENDPOINT_URL). Prints one "
            "JSON line with the key; only its SHA-256 is stored, so save it now."
        ),
    )
    create.add_argument("--tenant", required=True, help="tenant id (letters, digits, _ . -)")
    create.add_argument("--rpm", type=int, help="requests per minute allowed for this key")
    create.add_argument("--daily-budget-usd", help="USD this key may spend per UTC day")
    create.set_defaults(run=run_create)


def run_create(args: argparse.Namespace) -> int:
    if not _TENANT.fullmatch(args.tenant):
        raise CommandError(
            f"invalid tenant {args.tenant!r}: use 1-64 letters, digits, '_', '.' or '-'"
        )
    if args.rpm is not None and args.rpm <= 0:
        raise CommandError("--rpm must be a positive whole number")
    budget = _budget(args.daily_budget_usd)
    plaintext, key_hash = generate_key()
    key = ApiKey(
        key_hash=key_hash,
        key_id=key_id_of(key_hash),
        tenant_id=args.tenant,
        created_at=datetime.now(UTC).isoformat(),
        rpm=args.rpm,
        daily_budget_usd=budget,
    )
    settings = RouterSettings()
    DynamoKeyStore(make_dynamodb_client(settings), settings.keys_table).put(key)
    print(json.dumps({
        "api_key": plaintext,
        "key_id": key.key_id,
        "tenant": key.tenant_id,
        "rpm": key.rpm,
        "daily_budget_usd": str(budget) if budget is not None else None,
    }))
    return 0


def _budget(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError(f"--daily-budget-usd must be a number, not {text!r}") from exc
    if not value.is_finite() or value <= 0:
        raise CommandError("--daily-budget-usd must be a positive amount")
    return value
