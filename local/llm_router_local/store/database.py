"""Tables and items in one SQLite file: one row per item, keyed by (table, hash, range).

Each item is its DynamoDB JSON; hash and range keys are also columns, so a read, a write
or a query touches only the rows it names (SQLite's B-tree), never a copy of a table.
String keys compare as SQLite's BINARY collation compares them, byte by byte in UTF-8,
which is DynamoDB's order.

Time to live: an item of a table with TTL enabled keeps its expiry (the TTL attribute,
a number of epoch seconds) in a column of its own, indexed, so ``delete_expired`` finds
the expired items without reading any item; ``expiry.py`` calls it in the background.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from llm_router_local.store.errors import ResourceInUse, ResourceNotFound, ValidationError
from llm_router_local.store.values import (
    Item,
    Value,
    item_size,
    number,
    number_text,
    type_of,
)

MAX_ITEM_BYTES = 400 * 1024
# Pages of a new file. A row of a WITHOUT ROWID table keeps about a quarter of a page in
# itself and the rest in overflow pages of its own: at SQLite's default 4 KB, a cache
# journal item (2.4 KB) and a ledger item (~1 KB with its key) each left a 4 KB overflow
# page mostly empty, 2.4 times the items' bytes on disk; at 16 KB both fit in their row.
PAGE_BYTES = 16384
# WAL between checkpoints, as SQLite's default (1,000 pages of 4 KB) keeps it.
WAL_CHECKPOINT_BYTES = 4_096_000
# DynamoDB's TTL leaves an item whose expiry is more than five years past (a number that
# was never meant as one, most likely); so does ``delete_expired``.
TTL_IGNORED_AFTER_S = 5 * 365 * 86400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, hk TEXT NOT NULL, rk TEXT NOT NULL, item TEXT NOT NULL,
    expires REAL, PRIMARY KEY (tbl, hk, rk)) WITHOUT ROWID;
"""
_EXPIRY_INDEX = ("CREATE INDEX IF NOT EXISTS items_expiry ON items (expires) "
                 "WHERE expires IS NOT NULL")


@dataclass
class Table:
    name: str
    hash_key: str
    range_key: str | None
    types: dict[str, str]
    definition: dict[str, Any] = field(repr=False)

    def key_names(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def key_of(self, item: Item, *, exact: bool = False) -> tuple[str, str]:
        """The (hash, range) columns of an item or a Key; ``exact``: nothing else allowed."""
        if exact and set(item) != set(self.key_names()):
            raise ValidationError("The provided key element does not match the schema")
        return (self.key_text(item, self.hash_key),
                self.key_text(item, self.range_key) if self.range_key else "")

    @property
    def ttl_attribute(self) -> str | None:
        """The attribute DynamoDB's TTL reads in this table, None while TTL is off."""
        spec = self.definition.get("TimeToLive") or {}
        return spec.get("AttributeName") if spec.get("Enabled") else None

    def expiry(self, item: Item | None) -> float | None:
        """When TTL lets the item go (epoch seconds), None when never: TTL off, or the
        attribute missing or not a number, as DynamoDB's TTL skips those items."""
        name = self.ttl_attribute
        value = item.get(name) if item is not None and name else None
        if not isinstance(value, dict) or "N" not in value:
            return None
        return float(value["N"])

    def key_from_columns(self, hash_text: str, range_text: str) -> Item:
        """The key of the item stored under these columns, as DynamoDB JSON."""
        key = {self.hash_key: key_value(self, self.hash_key, hash_text)}
        if self.range_key is not None:
            key[self.range_key] = key_value(self, self.range_key, range_text)
        return key

    def key_item(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_names()}

    def key_text(self, item: Item, name: str) -> str:
        value = item.get(name)
        if value is None:
            raise ValidationError("One or more parameter values were invalid: Missing the key "
                                  f"{name} in the item")
        kind = type_of(value)
        if kind != self.types[name]:
            raise ValidationError("One or more parameter values were invalid: Type mismatch "
                                  f"for key {name} expected: {self.types[name]} actual: {kind}")
        text = value[kind]
        if text == "":
            raise ValidationError("One or more parameter values are not valid. The "
                                  f"AttributeValue for a key attribute cannot contain an empty "
                                  f"string value. Key: {name}")
        return number_text(number(text)) if kind == "N" else str(text)


class Database:
    """The store's SQLite file. Every public method holds one lock: each DynamoDB call
    is applied whole, as DynamoDB applies one item write or one transaction atomically,
    and each holds it for well under a millisecond."""

    def __init__(self, path: str):
        self.lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute(f"PRAGMA page_size={PAGE_BYTES}")  # a file that exists keeps its own
        self._db.execute("PRAGMA journal_mode=WAL")
        page = self._db.execute("PRAGMA page_size").fetchone()[0]
        self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_BYTES // page}")
        self._db.execute("PRAGMA synchronous=OFF")  # a local dev store; speed over fsync
        self._db.executescript(_SCHEMA)
        self._tables: dict[str, Table] = {}
        for name, definition in self._db.execute("SELECT name, definition FROM tables"):
            self._tables[name] = _table(json.loads(definition))
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(items)")}
        if "expires" not in columns:  # a file kept (--db) from before the column
            self._db.execute("ALTER TABLE items ADD COLUMN expires REAL")
            for name in self._tables:
                self._set_expiries(self._tables[name])
        self._db.execute(_EXPIRY_INDEX)

    # -- tables ----------------------------------------------------------------------
    def table(self, name: str | None) -> Table:
        table = self._tables.get(name or "")
        if table is None:
            raise ResourceNotFound("Requested resource not found: Table: "
                                   f"{name} not found")
        return table

    def table_names(self) -> list[str]:
        return sorted(self._tables)

    def create_table(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("TableName")
        if not name:
            raise ValidationError("TableName is required")
        with self.lock:
            if name in self._tables:
                raise ResourceInUse(f"Table already exists: {name}")
            definition = {
                "TableName": name,
                "KeySchema": request.get("KeySchema", []),
                "AttributeDefinitions": request.get("AttributeDefinitions", []),
                "BillingModeSummary": {"BillingMode": request.get("BillingMode", "PROVISIONED")},
                "TableArn": f"arn:aws:dynamodb:local:000000000000:table/{name}",
                "CreationDateTime": time.time(),
                "TableStatus": "ACTIVE",
            }
            table = _table(definition)
            self._db.execute("INSERT INTO tables VALUES (?, ?)", (name, json.dumps(definition)))
            self._tables[name] = table
            return definition

    def update_definition(self, name: str, **changes: Any) -> dict[str, Any]:
        with self.lock:
            table = self.table(name)
            ttl = table.ttl_attribute
            table.definition.update(changes)
            with self.transaction():
                self._db.execute("UPDATE tables SET definition = ? WHERE name = ?",
                                 (json.dumps(table.definition), name))
                if table.ttl_attribute != ttl:  # TTL applies to the items already there
                    self._set_expiries(table)
            return table.definition

    def _set_expiries(self, table: Table) -> None:
        """Each item's ``expires`` column from the table's TTL attribute, read anew."""
        rows = self._db.execute("SELECT hk, rk, item FROM items WHERE tbl = ?",
                                (table.name,)).fetchall()
        self._db.executemany(
            "UPDATE items SET expires = ? WHERE tbl = ? AND hk = ? AND rk = ?",
            [(table.expiry(json.loads(item)), table.name, hk, rk) for hk, rk, item in rows])

    def delete_table(self, name: str) -> dict[str, Any]:
        with self.lock:
            table = self.table(name)
            with self.transaction():
                self._db.execute("DELETE FROM items WHERE tbl = ?", (name,))
                self._db.execute("DELETE FROM tables WHERE name = ?", (name,))
            del self._tables[name]
            return table.definition

    def item_count(self, name: str) -> int:
        with self.lock:
            row = self._db.execute("SELECT count(*) FROM items WHERE tbl = ?", (name,)).fetchone()
            return int(row[0])

    # -- items -----------------------------------------------------------------------
    def get(self, table: str, key: tuple[str, str]) -> Item | None:
        with self.lock:
            row = self._db.execute("SELECT item FROM items WHERE tbl = ? AND hk = ? AND rk = ?",
                                   (table, *key)).fetchone()
        return json.loads(row[0]) if row else None

    def write(self, changes: list[tuple[str, tuple[str, str], Item | None, str | None]],
              ) -> None:
        """Put (item) or delete (None) each (table, key), all in one SQLite transaction;
        ValidationError, and nothing written, when an item is over DynamoDB's size. The
        fourth member is the item's ``encoded`` text when the caller has it already."""
        texts = [text if text is not None or item is None else encoded(item)
                 for _, _, item, text in changes]
        with self.lock, self.transaction():
            for (table, key, item, _), text in zip(changes, texts, strict=True):
                if text is None:
                    self._db.execute("DELETE FROM items WHERE tbl = ? AND hk = ? AND rk = ?",
                                     (table, *key))
                else:
                    held = self._tables.get(table)  # None: dropped meanwhile
                    self._db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)",
                                     (table, *key, text, held and held.expiry(item)))

    def delete_expired(self, now: float, limit: int) -> int:
        """Delete up to ``limit`` items whose TTL has passed (the oldest expiries first),
        in one transaction; how many went. Reads only the expiry index."""
        with self.lock, self.transaction():
            return self._db.execute(
                "DELETE FROM items WHERE (tbl, hk, rk) IN (SELECT tbl, hk, rk FROM items "
                "WHERE expires < ? AND expires >= ? ORDER BY expires LIMIT ?)",
                (now, now - TTL_IGNORED_AFTER_S, limit)).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of a read on the items table (the caller bounds it with LIMIT)."""
        with self.lock:
            return self._db.execute(sql, params).fetchall()


def encoded(item: Item) -> str:
    """An item as stored (compact ASCII JSON); ValidationError over DynamoDB's 400 KB.

    The JSON is never shorter than the item's DynamoDB size (names and strings as UTF-8
    bytes, binaries decoded), so its length settles most items and the exact count runs
    only above 400 KB; one encoding serves both the check and the row."""
    text = json.dumps(item, separators=(",", ":"))
    if len(text) > MAX_ITEM_BYTES and item_size(item) > MAX_ITEM_BYTES:
        raise ValidationError("Item size has exceeded the maximum allowed size")
    return text


def _table(definition: dict[str, Any]) -> Table:
    keys = {k["KeyType"]: k["AttributeName"] for k in definition.get("KeySchema", [])}
    types = {a["AttributeName"]: a["AttributeType"]
             for a in definition.get("AttributeDefinitions", [])}
    if "HASH" not in keys:
        raise ValidationError("One or more parameter values were invalid: the KeySchema has "
                              "no HASH key")
    for name in keys.values():
        if name not in types:
            raise ValidationError("One or more parameter values were invalid: Some index key "
                                  f"attributes are not defined in AttributeDefinitions: {name}")
    if "RANGE" in keys and types[keys["RANGE"]] != "S":
        raise ValidationError("The embedded store supports string (S) sort keys only; "
                              f"{keys['RANGE']} is {types[keys['RANGE']]}")
    return Table(definition["TableName"], keys["HASH"], keys.get("RANGE"), types, definition)


def key_value(table: Table, name: str, text: str) -> Value:
    return {table.types[name]: text}
