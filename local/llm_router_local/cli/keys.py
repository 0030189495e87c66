"""``llm-router keys create|list|revoke|rotate``: the key lifecycle from the command line.

Secrets are printed once (create, rotate) and never stored; ``list`` never shows them.
Every action goes through ``llm_router.keyring.KeyRing``, as the admin API does.
"""

from __future__ import annotations

import argparse
import json

from llm_router.errors import InvalidRequestError
from llm_router.keyring import KeyRing
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.cli import CommandError

_WHERE = ("the keys table (LLM_ROUTER_KEYS_TABLE, in the AWS account and region of the "
          "environment, or at LLM_ROUTER_AWS_ENDPOINT_URL)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keys", help="manage API keys", description="Manage API keys in "
                       + _WHERE + ". Output: one JSON line per key.")
    keys_sub = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = keys_sub.add_parser(
        "create", help="create a key for a tenant and print it once",
        description="Create an API key in " + _WHERE + ". Prints one JSON line with the "
                    "key; only its SHA-256 is stored, so save it now.")
    create.add_argument("--tenant", required=True, help="tenant id (letters, digits, _ . -)")
    create.add_argument("--rpm", type=int, help="requests per minute allowed for this key "
                        "(default: the catalog's limits.keys.rpm)")
    create.add_argument("--daily-budget-usd",
                        help="USD this key may spend per UTC day (default: the catalog's "
                        "limits.keys.daily_budget_usd)")
    create.add_argument("--expires-in-days", type=float,
                        help="the key stops working this many days from now (default: never)")
    create.add_argument("--models", help="comma-separated catalog models the key may use "
                                         "(default: all)")
    create.add_argument("--admin", action="store_true",
                        help="an admin key: may manage every tenant's keys through the admin "
                             "API and read every tenant's analytics")
    create.set_defaults(run=run_create)

    listing = keys_sub.add_parser("list", help="list keys (never their secrets)",
                                  description="One JSON line per key: key_id, tenant, "
                                  "created, expires, revoked, admin and scopes.")
    listing.add_argument("--tenant", help="only this tenant's keys")
    listing.set_defaults(run=run_list)

    revoke = keys_sub.add_parser(
        "revoke", help="refuse a key from now on",
        description="Revoke a key: refused at once by new router instances and by running "
                    "ones within LLM_ROUTER_KEY_CACHE_TTL_S (at most 60 s); at once by the "
                    "instance that revokes it through the admin API.")
    revoke.add_argument("key_id", help="the key's id (key_…), from `keys list`")
    revoke.set_defaults(run=run_revoke)

    rotate = keys_sub.add_parser(
        "rotate", help="replace a key, printing the new one once",
        description="Create a new key with the same tenant, scopes and lifetime, and let "
                    "the old one expire after --grace-seconds.")
    rotate.add_argument("key_id", help="the key's id (key_…), from `keys list`")
    rotate.add_argument("--grace-seconds", type=float, default=0.0,
                        help="seconds the old key keeps working (default 0: stops now)")
    rotate.set_defaults(run=run_rotate)


def _keyring() -> KeyRing:
    settings = RouterSettings()
    return KeyRing(DynamoKeyStore(make_dynamodb_client(settings), settings.keys_table))


def _print(data: dict[str, object]) -> None:
    print(json.dumps(data))


def run_create(args: argparse.Namespace) -> int:
    models = args.models.split(",") if args.models is not None else None
    try:
        plaintext, key = _keyring().create(
            args.tenant, rpm=args.rpm, daily_budget_usd=args.daily_budget_usd,
            expires_in_days=args.expires_in_days, models=models, admin=args.admin)
    except InvalidRequestError as exc:
        raise CommandError(f"--{(exc.param or '').replace('_', '-')}: {exc.message}") from exc
    _print({"api_key": plaintext, **key.listing()})
    return 0


def run_list(args: argparse.Namespace) -> int:
    for key in _keyring().list(args.tenant):
        _print(key.listing())
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    _print(_keyring().revoke(args.key_id).listing())
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    plaintext, new, old = _keyring().rotate(args.key_id, args.grace_seconds)
    _print({"api_key": plaintext, **new.listing(), "replaces": old.listing()})
    return 0
