"""The DynamoDB tables, mirrored from template.yaml (the source of truth).

``tests/unit/test_template.py`` checks that every table here matches its resource in
template.yaml (keys, attribute types, TTL attribute), so code and infrastructure cannot
drift. Locally, ``llm_router_local.aws`` creates the tables from template.yaml itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TableSpec:
    logical_id: str  # resource name in template.yaml
    env_var: str  # environment variable the functions read the physical name from
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None


KEYS = TableSpec("KeysTable", "LLM_ROUTER_KEYS_TABLE", "key_hash")
# One item per request: pk tenant_id, sk "<ISO time>#<request id>" (time-ordered per
# tenant, and idempotent: a settle that runs twice writes the same key).
LEDGER = TableSpec("LedgerTable", "LLM_ROUTER_LEDGER_TABLE", "tenant_id", "sk", "expires_at")
# Counters: daily rollups now; rate limits, quotas, budgets and breakers share the table.
COUNTERS = TableSpec("CountersTable", "LLM_ROUTER_COUNTERS_TABLE", "pk", "sk", "expires_at")

# Response cache: pk tenant_id; sk "A#<exact key>" (answer, hits, saved) or
# "J#<created ISO>#<key>" (journal: context, text, embedding), see llm_router.cache.store.
CACHE = TableSpec("CacheTable", "LLM_ROUTER_CACHE_TABLE", "tenant_id", "sk", "expires_at")

ALL_TABLES: tuple[TableSpec, ...] = (KEYS, LEDGER, COUNTERS, CACHE)

BUCKET_LOGICAL_ID = "DataBucket"
BUCKET_ENV_VAR = "LLM_ROUTER_BUCKET"


def create_table_args(spec: TableSpec) -> dict[str, Any]:
    """DynamoDB CreateTable's arguments for ``spec``, minus TableName: string keys,
    on-demand billing, as template.yaml declares every table (test_template checks)."""
    keys = [(spec.partition_key, "HASH")]
    if spec.sort_key:
        keys.append((spec.sort_key, "RANGE"))
    return {"KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in keys],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                     for n, _ in keys],
            "BillingMode": "PAY_PER_REQUEST"}


def physical_table_names(settings: Any) -> dict[str, str]:
    """Logical id -> the table name ``settings`` (a RouterSettings) holds: each table's
    environment variable ``LLM_ROUTER_<FIELD>`` is the settings field ``<field>``."""
    return {spec.logical_id: getattr(settings, spec.env_var.removeprefix("LLM_ROUTER_").lower())
            for spec in ALL_TABLES}
