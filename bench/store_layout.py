"""Bytes on disk and CPU of the embedded store's SQLite file for the items a cached
request writes, at a page size.

    .venv/bin/python bench/store_layout.py [--page-size 16384] [--requests 3000]

Each request is one transaction of what the soak's new prompt settles (``bench/soak.py
--cache``): a ledger item (~950 bytes), a cache answer ``A#`` (~860) and journal item
``J#`` (~2,450, the 384-float embedding) and a counter update, in the router's tables
(TTL on, as ``serve`` creates them). Prints the CPU a transaction (process time), the
file's bytes a request, and SQLite's page counts by kind (``dbstat``): overflow pages
are what a row too long for its page spills into, one chain per row.
"""

from __future__ import annotations

import argparse
import base64
import os
import sqlite3
import tempfile
import time
from contextlib import closing
from typing import Any

from llm_router.settings import RouterSettings
from llm_router.storage.tables import ALL_TABLES, create_table_args, physical_table_names
from llm_router_local.store.database import Database
from llm_router_local.store.operations import Operations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page-size", type=int, help="pages of the new file (default: the "
                                                      "store's own)")
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "store.sqlite3")
        if args.page_size:  # the file made first, at that size: the store keeps a file's own
            with closing(sqlite3.connect(path)) as db:
                db.execute(f"PRAGMA page_size={args.page_size}")
                db.execute("VACUUM")
        ops = Operations(Database(path))
        names = physical_table_names(RouterSettings(aws_endpoint_url=None))
        for spec in ALL_TABLES:
            ops.handle("CreateTable", {"TableName": names[spec.logical_id],
                                       **create_table_args(spec)})
            ops.handle("UpdateTimeToLive", {"TableName": names[spec.logical_id],
                                            "TimeToLiveSpecification": {
                                                "Enabled": True, "AttributeName": "expires_at"}})
        cpu_ms = _write(ops, names, args.requests)
        with closing(sqlite3.connect(path)) as db:
            page, pages = (db.execute(f"PRAGMA {name}").fetchone()[0]
                           for name in ("page_size", "page_count"))
            kinds = db.execute("SELECT pagetype, count(*), sum(unused) FROM dbstat "
                               "GROUP BY 1 ORDER BY 1").fetchall()
    size = page * pages
    print(f"page size {page:,}: {cpu_ms:.3f} ms CPU a request's transaction; file "
          f"{size / 1e6:.1f} MB, {size / args.requests:,.0f} bytes a request")
    for kind, pages, unused in kinds:
        print(f"  {kind:>8} pages {pages:7,}  ({pages * page / args.requests:,.0f} bytes a "
              f"request, {unused / max(pages * page, 1):.0%} unused)")
    return 0


def _write(ops: Operations, names: dict[str, str], requests: int) -> float:
    """The requests' transactions; CPU ms a transaction."""
    embedding = base64.b64encode(os.urandom(1536)).decode()
    expires: dict[str, Any] = {"N": str(int(time.time()) + 86_400)}
    started = time.process_time()
    for i in range(requests):
        stamp = f"2026-12-05T00:00:00.{i:06d}Z"
        key = f"{i:064x}"
        ops.handle("TransactWriteItems", {"TransactItems": [
            _put(names["LedgerTable"], {"sk": {"S": f"{stamp}#req_{i:016x}"},
                                        "fields": {"S": "x" * 820}, "expires_at": expires}),
            _put(names["CacheTable"], {"sk": {"S": f"A#{key}"}, "completion": {"S": "x" * 700},
                                       "expires_at": expires}),
            _put(names["CacheTable"], {"sk": {"S": f"J#{stamp}#{key}"},
                                       "embedding": {"B": embedding},
                                       "text": {"S": "x" * 200}, "expires_at": expires}),
            {"Update": {"TableName": names["CountersTable"],
                        "Key": {"pk": {"S": "rollup"}, "sk": {"S": "day"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ]})
    return (time.process_time() - started) * 1000 / requests


def _put(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {"tenant_id": {"S": "bench"}, **item}}}


if __name__ == "__main__":
    raise SystemExit(main())
