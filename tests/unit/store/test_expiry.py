"""DynamoDB's TTL in the embedded store: expired items deleted in bounded batches, in the
background; nothing else deleted (the ledger's items live their retention, or for ever).
And the file's pages, which decide what the items that stay cost on disk."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from contextlib import closing
from typing import Any

import pytest

from llm_router.settings import RouterSettings
from llm_router.storage.tables import physical_table_names
from llm_router_local.store.database import TTL_IGNORED_AFTER_S, Database
from llm_router_local.store.expiry import TtlSweeper
from llm_router_local.store.inprocess import InProcessStore
from llm_router_local.store.operations import Operations

NOW = 1_800_000_000.0
KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}]}


def _ops(path: str, ttl: bool = True) -> Operations:
    ops = Operations(Database(path))
    ops.handle("CreateTable", {"TableName": "t", **KEYS})
    if ttl:
        _ttl(ops, "t", True)
    return ops


def _ttl(ops: Operations, table: str, enabled: bool) -> None:
    ops.handle("UpdateTimeToLive", {"TableName": table, "TimeToLiveSpecification": {
        "Enabled": enabled, "AttributeName": "expires_at"}})


def _put(ops: Operations, sk: str, expires: Any = None, table: str = "t") -> None:
    item = {"pk": {"S": "p"}, "sk": {"S": sk}}
    if expires is not None:
        item["expires_at"] = expires if isinstance(expires, dict) else {"N": str(expires)}
    ops.handle("PutItem", {"TableName": table, "Item": item})


def _sks(ops: Operations, table: str = "t") -> list[str]:
    items = ops.handle("Scan", {"TableName": table})["Items"]
    return sorted(i["sk"]["S"] for i in items)


def test_only_items_whose_ttl_has_passed_go(tmp_path):
    ops = _ops(str(tmp_path / "s.sqlite3"))
    _put(ops, "expired", int(NOW) - 1)
    _put(ops, "expired-fraction", NOW - 0.5)
    _put(ops, "live", int(NOW) + 60)
    _put(ops, "no-ttl")
    _put(ops, "ttl-a-string", {"S": str(int(NOW) - 1)})  # DynamoDB's TTL skips it too
    _put(ops, "five-years-past", int(NOW - TTL_IGNORED_AFTER_S) - 10)
    # Expired but not yet deleted: still read, as DynamoDB documents
    assert "expired" in _sks(ops)
    assert TtlSweeper(ops.db, clock=lambda: NOW).sweep() == 2
    assert _sks(ops) == ["five-years-past", "live", "no-ttl", "ttl-a-string"]


def test_an_update_that_moves_the_ttl_moves_the_expiry(tmp_path):
    ops = _ops(str(tmp_path / "s.sqlite3"))
    _put(ops, "renewed", int(NOW) - 1)
    _put(ops, "expired-by-update", int(NOW) + 60)
    for sk, at in (("renewed", NOW + 60), ("expired-by-update", NOW - 1)):
        ops.handle("UpdateItem", {"TableName": "t", "Key": {"pk": {"S": "p"}, "sk": {"S": sk}},
                                  "UpdateExpression": "SET expires_at = :e",
                                  "ExpressionAttributeValues": {":e": {"N": str(int(at))}}})
    TtlSweeper(ops.db, clock=lambda: NOW).sweep()
    assert _sks(ops) == ["renewed"]


def test_no_item_goes_from_a_table_without_ttl_and_ttl_applies_to_items_already_there(tmp_path):
    ops = _ops(str(tmp_path / "s.sqlite3"), ttl=False)
    _put(ops, "a", int(NOW) - 1)
    sweeper = TtlSweeper(ops.db, clock=lambda: NOW)
    assert sweeper.sweep() == 0
    _ttl(ops, "t", True)
    assert sweeper.sweep() == 1
    _put(ops, "b", int(NOW) - 1)
    _ttl(ops, "t", False)
    assert sweeper.sweep() == 0
    assert _sks(ops) == ["b"]


def test_the_sweep_deletes_in_bounded_batches_and_frees_the_lock_between(tmp_path):
    ops = _ops(str(tmp_path / "s.sqlite3"))
    for i in range(10):
        _put(ops, f"old{i}", int(NOW) - 100 + i)
    _put(ops, "live", int(NOW) + 1)
    batches: list[int] = []
    delete_expired = ops.db.delete_expired

    def spy(now: float, limit: int) -> int:
        assert not ops.db.lock._is_owned()  # type: ignore[attr-defined]  # taken per batch
        batches.append(delete_expired(now, limit))
        return batches[-1]

    ops.db.delete_expired = spy  # type: ignore[method-assign]
    assert TtlSweeper(ops.db, clock=lambda: NOW, batch=3).sweep() == 10
    assert batches == [3, 3, 3, 1]
    assert _sks(ops) == ["live"]


def test_the_background_sweep_runs_until_stopped(tmp_path):
    ops = _ops(str(tmp_path / "s.sqlite3"))
    _put(ops, "old", int(NOW) - 1)
    sweeper = TtlSweeper(ops.db, interval=0.01, clock=lambda: NOW)
    sweeper.start()
    deadline = time.monotonic() + 5
    while sweeper.deleted < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    sweeper.stop()
    assert sweeper.deleted == 1 and _sks(ops) == []
    assert not any(t.name == "store-ttl" for t in threading.enumerate())


def test_a_file_from_before_the_expiry_column_gets_it(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    _ops(path)
    db = sqlite3.connect(path)  # the items table as it was: no expires column
    db.executescript("""
        CREATE TABLE old (tbl TEXT NOT NULL, hk TEXT NOT NULL, rk TEXT NOT NULL,
                          item TEXT NOT NULL, PRIMARY KEY (tbl, hk, rk)) WITHOUT ROWID;
        DROP TABLE items; ALTER TABLE old RENAME TO items;""")
    for sk, extra in (("gone", {"expires_at": {"N": str(int(NOW) - 1)}}), ("kept", {})):
        item = {"pk": {"S": "p"}, "sk": {"S": sk}, **extra}
        db.execute("INSERT INTO items VALUES ('t', 'p', ?, ?)", (sk, json.dumps(item)))
    db.commit()
    db.close()
    ops = Operations(Database(path))
    assert TtlSweeper(ops.db, clock=lambda: NOW).sweep() == 1
    assert _sks(ops) == ["kept"]


@pytest.mark.parametrize("retention_days", [400, 0])
def test_no_ledger_item_is_lost_while_the_cache_expires(retention_days):
    """The router's own tables, TTL as template.yaml enables it: the cache's expired
    entries go; ledger items (``expires_at`` at their retention, none when it is 0)
    and live counters stay."""
    settings = RouterSettings(aws_endpoint_url=None)
    names = physical_table_names(settings)
    store = InProcessStore()
    store.create_tables(names)
    ops = store.operations
    started = int(NOW) - 3600
    for i in range(50):
        item = {"tenant_id": {"S": "acme"}, "sk": {"S": f"2027-01-15T08:00:{i:02d}#r{i}"}}
        if retention_days:
            item["expires_at"] = {"N": str(started + retention_days * 86400)}
        ops.handle("PutItem", {"TableName": settings.ledger_table, "Item": item})
        for prefix, expires in (("A#", started), ("J#", started)):
            ops.handle("PutItem", {"TableName": settings.cache_table, "Item": {
                "tenant_id": {"S": "acme"}, "sk": {"S": f"{prefix}{i}"},
                "expires_at": {"N": str(expires)}}})
    ops.handle("PutItem", {"TableName": settings.counters_table, "Item": {
        "pk": {"S": "rollup"}, "sk": {"S": "day"}, "expires_at": {"N": str(int(NOW) + 86400)}}})
    assert TtlSweeper(ops.db, clock=lambda: NOW, batch=7).sweep() == 100
    assert ops.db.item_count(settings.ledger_table) == 50
    assert ops.db.item_count(settings.counters_table) == 1
    assert ops.db.item_count(settings.cache_table) == 0


def test_a_new_file_keeps_a_journal_item_in_its_row_and_an_old_file_its_pages(tmp_path):
    """16 KB pages for a new file: a cache journal item (2.4 KB) needs no overflow page
    (at 4 KB it took one of its own, mostly empty); a file that exists keeps its page
    size, and the WAL checkpoints at ~4 MB either way."""
    ops = _ops(str(tmp_path / "new.sqlite3"))
    ops.handle("PutItem", {"TableName": "t", "Item": {
        "pk": {"S": "p"}, "sk": {"S": "J#1"}, "text": {"S": "What is my order's status?"},
        "embedding": {"B": base64.b64encode(bytes(1536)).decode()},
        "expires_at": {"N": str(int(NOW))}}})
    db = ops.db._db
    assert db.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 250
    try:
        overflow = db.execute("SELECT count(*) FROM dbstat WHERE pagetype = 'overflow'")
    except sqlite3.OperationalError:  # a SQLite built without dbstat
        pass
    else:
        assert overflow.fetchone()[0] == 0
    old = str(tmp_path / "old.sqlite3")
    with closing(sqlite3.connect(old)) as made:
        made.execute("PRAGMA page_size=4096")
        made.execute("CREATE TABLE x (a)")
    ops = _ops(old)
    _put(ops, "kept")
    assert _sks(ops) == ["kept"]
    assert ops.db._db.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert ops.db._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
