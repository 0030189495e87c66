"""``llm-router analytics``: usage per model, provider, key, tier, day or hour, and
``--recommendations``, from the rollups at LLM_ROUTER_AWS_ENDPOINT_URL (or AWS).

A table on a terminal, JSON Lines (one row per line, then the total) when piped or
with ``--format jsonl``. The operator's CLI sees every tenant unless ``--tenant``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from llm_router.analytics.usage import GROUP_BY

COLUMNS = ("requests", "prompt_tokens", "completion_tokens", "cost_usd", "cost_saved_usd",
           "cache_hit_rate", "errors", "failovers", "p50_ms", "p95_ms")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analytics", help="usage breakdowns and savings recommendations from the rollups",
        description="Usage from the ledger's rollups (totals equal the ledger's), or "
                    "recommendations with estimated monthly savings.")
    p.add_argument("--from", dest="first", metavar="DATE",
                   help="first UTC day, YYYY-MM-DD (default: 6 days before --to)")
    p.add_argument("--to", dest="last", metavar="DATE", help="last UTC day (default: today)")
    p.add_argument("--group-by", choices=GROUP_BY, default="model",
                   help="one row per value of this (default: model)")
    p.add_argument("--tenant", help="only this tenant (default: every tenant with a key)")
    p.add_argument("--recommendations", action="store_true",
                   help="recommendations instead of usage")
    p.add_argument("--config", help="catalog YAML: prices for recommendations (default: "
                   "LLM_ROUTER_CONFIG_PATH, else the shipped catalog)")
    p.add_argument("--format", choices=("table", "jsonl"),
                   help="default: table on a terminal, jsonl when piped")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from llm_router.analytics.service import Analytics
    from llm_router.catalog import load_catalog
    from llm_router.settings import RouterSettings
    from llm_router.storage.alerts import DynamoTenants
    from llm_router.storage.dynamo import make_dynamodb_client
    from llm_router.storage.rollups import DynamoRollups

    settings = RouterSettings()
    catalog = load_catalog(args.config or settings.config_path)
    dynamodb = make_dynamodb_client(settings)
    analytics = Analytics(catalog, DynamoRollups(dynamodb, settings.counters_table,
                                                 catalog.rollups.shards),
                          DynamoTenants(dynamodb, settings.keys_table).tenants)
    table = (args.format or ("table" if sys.stdout.isatty() else "jsonl")) == "table"
    if args.recommendations:
        report = analytics.recommendations(None, first=args.first, last=args.last,
                                           tenant=args.tenant)
        rows = [{"tenant_id": r["tenant_id"], **item} for r in report["data"]
                for item in r["data"]]
        _print(rows, ("tenant_id", "kind", "estimated_monthly_saving_usd", "summary"), table)
        return 0
    usage = analytics.usage(None, first=args.first, last=args.last, group_by=args.group_by,
                            tenant=args.tenant)
    rows = [*usage["data"], {"tenant_id": "TOTAL", args.group_by: "", **usage["total"]}]
    _print(rows, ("tenant_id", args.group_by, *COLUMNS), table)
    return 0


def _print(rows: list[dict[str, Any]], columns: tuple[str, ...], table: bool) -> None:
    if not table:
        for row in rows:
            print(json.dumps(row))
        return
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
