"""The DynamoDB operations the router and its tools call, on the SQLite database.

Each takes the request body boto3 sent (DynamoDB JSON) and returns the response body.
Conditions are checked and the write applied under the database lock, so conditional
writes and transactions are atomic exactly as DynamoDB makes them, item by item.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from llm_router_local.store.database import Database, Table, encoded
from llm_router_local.store.errors import (
    ConditionalCheckFailed,
    TransactionCanceled,
    ValidationError,
)
from llm_router_local.store.evaluation import apply_update, holds, project
from llm_router_local.store.expressions import Expressions, Node
from llm_router_local.store.values import Item, canonical_item
from llm_router_local.store.wire import check_request

Request = dict[str, Any]
MAX_PAGE_BYTES = 1024 * 1024
_CHUNK = 256
_LEGACY = ("Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter",
           "AttributesToGet", "ConditionalOperator")


class Operations:
    def __init__(self, db: Database):
        self.db = db
        self.handlers: dict[str, Callable[[Request], dict[str, Any]]] = {
            name: getattr(self, name) for name in (
                "CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTimeToLive",
                "DescribeTimeToLive", "GetItem", "PutItem", "UpdateItem", "DeleteItem",
                "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems",
                "TransactGetItems")
        }

    def handle(self, operation: str, request: Request) -> dict[str, Any]:
        handler = self.handlers.get(operation)
        if handler is None:
            raise ValidationError(f"The embedded store does not implement {operation}")
        legacy = [name for name in _LEGACY if name in request]
        if legacy:
            raise ValidationError(f"The embedded store does not implement the legacy "
                                  f"parameter(s) {', '.join(legacy)}; use expressions")
        check_request(request)  # as DynamoDB does: clients may skip their own validation
        return handler(request)

    # -- tables ----------------------------------------------------------------------
    def CreateTable(self, request: Request) -> dict[str, Any]:
        return {"TableDescription": self.db.create_table(request)}

    def DescribeTable(self, request: Request) -> dict[str, Any]:
        table = self.db.table(request.get("TableName"))
        return {"Table": {**table.definition, "ItemCount": self.db.item_count(table.name)}}

    def ListTables(self, request: Request) -> dict[str, Any]:
        return {"TableNames": self.db.table_names()}

    def DeleteTable(self, request: Request) -> dict[str, Any]:
        return {"TableDescription": self.db.delete_table(request.get("TableName", ""))}

    def UpdateTimeToLive(self, request: Request) -> dict[str, Any]:
        spec = request.get("TimeToLiveSpecification", {})
        self.db.update_definition(request["TableName"], TimeToLive=spec)
        return {"TimeToLiveSpecification": spec}

    def DescribeTimeToLive(self, request: Request) -> dict[str, Any]:
        spec = self.db.table(request.get("TableName")).definition.get("TimeToLive")
        if not spec or not spec.get("Enabled"):
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED",
                                          "AttributeName": spec["AttributeName"]}}

    # -- single items ----------------------------------------------------------------
    def GetItem(self, request: Request) -> dict[str, Any]:
        table = self.db.table(request.get("TableName"))
        names = Expressions(request.get("ExpressionAttributeNames"), None)
        paths = names.projection(request.get("ProjectionExpression"))
        names.check_all_used()
        item = self.db.get(table.name, table.key_of(request.get("Key", {}), exact=True))
        return {} if item is None else {"Item": project(item, paths)}

    def PutItem(self, request: Request) -> dict[str, Any]:
        write = self._put(request)
        return self._single(write, request)

    def UpdateItem(self, request: Request) -> dict[str, Any]:
        write = self._update(request)
        return self._single(write, request)

    def DeleteItem(self, request: Request) -> dict[str, Any]:
        write = self._delete(request)
        return self._single(write, request)

    def _single(self, write: _Write, request: Request) -> dict[str, Any]:
        with self.db.lock:
            before = self.db.get(write.table.name, write.key)
            if not holds(write.condition, before):
                item = before if (before and request.get(
                    "ReturnValuesOnConditionCheckFailure") == "ALL_OLD") else None
                raise ConditionalCheckFailed("The conditional request failed",
                                             **({"Item": item} if item else {}))
            after, touched = write.image(before)
            self.db.write([(write.table.name, write.key, after,
                            write.text if after is write.item else None)])
        return _returned(request.get("ReturnValues", "NONE"), before, after, touched)

    # -- reads of many ---------------------------------------------------------------
    def Query(self, request: Request) -> dict[str, Any]:
        if request.get("IndexName"):
            raise ValidationError("The embedded store does not implement secondary indexes")
        table = self.db.table(request.get("TableName"))
        exprs = Expressions(request.get("ExpressionAttributeNames"),
                            request.get("ExpressionAttributeValues"))
        if "KeyConditionExpression" not in request:
            raise ValidationError("Either the KeyConditions or KeyConditionExpression "
                                  "parameter must be specified in the request.")
        key_condition = exprs.condition(request["KeyConditionExpression"])
        hash_text, range_condition = _split_key_condition(table, key_condition)
        filter_ = exprs.condition(request.get("FilterExpression"))
        paths = exprs.projection(request.get("ProjectionExpression"))
        exprs.check_all_used()
        forward = request.get("ScanIndexForward", True)
        start = request.get("ExclusiveStartKey")
        after = table.key_of(start, exact=True)[1] if start else None
        rows = self._partition(table, hash_text, forward, after, _bounds(range_condition))
        return _page(table, rows, range_condition, filter_, paths, request)

    def Scan(self, request: Request) -> dict[str, Any]:
        table = self.db.table(request.get("TableName"))
        exprs = Expressions(request.get("ExpressionAttributeNames"),
                            request.get("ExpressionAttributeValues"))
        filter_ = exprs.condition(request.get("FilterExpression"))
        paths = exprs.projection(request.get("ProjectionExpression"))
        exprs.check_all_used()
        start = request.get("ExclusiveStartKey")
        rows = self._all(table, table.key_of(start, exact=True) if start else None)
        segments = int(request.get("TotalSegments", 1))
        segment = int(request.get("Segment", 0))
        if segments > 1:
            rows = (r for r in rows if zlib.crc32(r[0].encode()) % segments == segment)
        return _page(table, rows, None, filter_, paths, request)

    def _partition(self, table: Table, hash_text: str, forward: bool, after: str | None,
                   bounds: list[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
        order, cmp = ("ASC", ">") if forward else ("DESC", "<")
        bound_sql = "".join(f" AND rk {op} ?" for op, _ in bounds)
        while True:
            where = "tbl = ? AND hk = ?" + bound_sql + (
                f" AND rk {cmp} ?" if after is not None else "")
            params = (table.name, hash_text, *(v for _, v in bounds),
                      *(() if after is None else (after,)))
            chunk = self.db.rows(f"SELECT hk, rk, item FROM items WHERE {where} "
                                 f"ORDER BY rk {order} LIMIT {_CHUNK}", params)
            yield from chunk
            if len(chunk) < _CHUNK:
                return
            after = chunk[-1][1]

    def _all(self, table: Table,
             after: tuple[str, str] | None) -> Iterator[tuple[str, str, str]]:
        while True:
            where = "tbl = ?" + (" AND (hk, rk) > (?, ?)" if after else "")
            chunk = self.db.rows(f"SELECT hk, rk, item FROM items WHERE {where} "
                                 f"ORDER BY hk, rk LIMIT {_CHUNK}", (table.name, *(after or ())))
            yield from chunk
            if len(chunk) < _CHUNK:
                return
            after = (chunk[-1][0], chunk[-1][1])

    def BatchGetItem(self, request: Request) -> dict[str, Any]:
        wanted = request.get("RequestItems", {})
        if sum(len(spec.get("Keys", [])) for spec in wanted.values()) > 100:
            raise ValidationError("Too many items requested for the BatchGetItem call")
        responses: dict[str, list[Item]] = {}
        for name, spec in wanted.items():
            table = self.db.table(name)
            names = Expressions(spec.get("ExpressionAttributeNames"), None)
            paths = names.projection(spec.get("ProjectionExpression"))
            names.check_all_used()
            found = responses.setdefault(name, [])
            for key in spec.get("Keys", []):
                item = self.db.get(name, table.key_of(key, exact=True))
                if item is not None:
                    found.append(project(item, paths))
        return {"Responses": responses, "UnprocessedKeys": {}}

    def BatchWriteItem(self, request: Request) -> dict[str, Any]:
        changes: list[tuple[str, tuple[str, str], Item | None, str | None]] = []
        for name, writes in request.get("RequestItems", {}).items():
            table = self.db.table(name)
            for write in writes:
                if "PutRequest" in write:
                    item, text = _checked_item(write["PutRequest"]["Item"])
                    changes.append((name, table.key_of(item), item, text))
                else:
                    changes.append((name, table.key_of(write["DeleteRequest"]["Key"],
                                                       exact=True), None, None))
        if len(changes) > 25:
            raise ValidationError("Too many items requested for the BatchWriteItem call")
        if len({(t, k) for t, k, _, _ in changes}) != len(changes):
            raise ValidationError("Provided list of item keys contains duplicates")
        self.db.write(changes)
        return {"UnprocessedItems": {}}

    # -- transactions ----------------------------------------------------------------
    def TransactWriteItems(self, request: Request) -> dict[str, Any]:
        ops = request.get("TransactItems", [])
        if not 1 <= len(ops) <= 100:
            raise ValidationError("TransactItems must have between 1 and 100 items")
        writes = [self._transact_write(op) for op in ops]
        if len({(w.table.name, w.key) for w in writes}) != len(writes):
            raise ValidationError("Transaction request cannot include multiple operations on "
                                  "one item")
        with self.db.lock:
            befores = [self.db.get(w.table.name, w.key) for w in writes]
            reasons = [_reason(w, before) for w, before in zip(writes, befores, strict=True)]
            if any(r["Code"] != "None" for r in reasons):
                codes = ", ".join(r["Code"] for r in reasons)
                raise TransactionCanceled("Transaction cancelled, please refer cancellation "
                                          f"reasons for specific reasons [{codes}]",
                                          CancellationReasons=reasons)
            changes = []
            for w, before in zip(writes, befores, strict=True):
                if w.kind != "ConditionCheck":
                    after = w.image(before)[0]
                    changes.append((w.table.name, w.key, after,
                                    w.text if after is w.item else None))
            self.db.write(changes)
        return {}

    def _transact_write(self, op: Request) -> _Write:
        if len(op) != 1:
            raise ValidationError("TransactItems can only contain one of Check, Put, Update "
                                  "or Delete")
        kind, body = next(iter(op.items()))
        build = {"Put": self._put, "Update": self._update, "Delete": self._delete,
                 "ConditionCheck": self._check}.get(kind)
        if build is None:
            raise ValidationError(f"Unknown transaction operation {kind}")
        write = build(body)
        write.kind = kind
        write.return_old = body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        return write

    def TransactGetItems(self, request: Request) -> dict[str, Any]:
        gets = [op["Get"] for op in request.get("TransactItems", [])]
        if not 1 <= len(gets) <= 100:
            raise ValidationError("TransactItems must have between 1 and 100 items")
        prepared = []
        for get in gets:
            table = self.db.table(get.get("TableName"))
            names = Expressions(get.get("ExpressionAttributeNames"), None)
            paths = names.projection(get.get("ProjectionExpression"))
            names.check_all_used()
            prepared.append((table, table.key_of(get.get("Key", {}), exact=True), paths))
        with self.db.lock:
            found = [self.db.get(t.name, key) for t, key, _ in prepared]
        return {"Responses": [{} if item is None else {"Item": project(item, paths)}
                              for item, (_, _, paths) in zip(found, prepared, strict=True)]}

    # -- writes, parsed and validated before any item is read ------------------------
    def _put(self, body: Request) -> _Write:
        table = self.db.table(body.get("TableName"))
        item, text = _checked_item(body.get("Item", {}))
        exprs = Expressions(body.get("ExpressionAttributeNames"),
                            body.get("ExpressionAttributeValues"))
        condition = exprs.condition(body.get("ConditionExpression"))
        exprs.check_all_used()
        write = _Write(table, table.key_of(item), condition, lambda _before: (item, set(item)))
        write.item, write.text = item, text  # encoded once: checked, then written
        return write

    def _update(self, body: Request) -> _Write:
        table = self.db.table(body.get("TableName"))
        key = canonical_item(body.get("Key", {}))
        exprs = Expressions(body.get("ExpressionAttributeNames"),
                            body.get("ExpressionAttributeValues"))
        actions = exprs.update(body["UpdateExpression"]) if "UpdateExpression" in body else []
        condition = exprs.condition(body.get("ConditionExpression"))
        exprs.check_all_used()

        def image(before: Item | None) -> tuple[Item | None, set[str]]:
            return apply_update(before, key, actions)  # its size: checked as it is written

        return _Write(table, table.key_of(key, exact=True), condition, image)

    def _delete(self, body: Request) -> _Write:
        table = self.db.table(body.get("TableName"))
        exprs = Expressions(body.get("ExpressionAttributeNames"),
                            body.get("ExpressionAttributeValues"))
        condition = exprs.condition(body.get("ConditionExpression"))
        exprs.check_all_used()
        return _Write(table, table.key_of(body.get("Key", {}), exact=True), condition,
                      lambda _before: (None, set()))

    def _check(self, body: Request) -> _Write:
        write = self._delete(body)
        if write.condition is None:
            raise ValidationError("ConditionCheck needs a ConditionExpression")
        return write


class _Write:
    """One write: its item's key, its condition, and how it turns the old image into the
    new one (None deletes)."""

    def __init__(self, table: Table, key: tuple[str, str], condition: Node | None,
                 image: Callable[[Item | None], tuple[Item | None, set[str]]]):
        self.table = table
        self.key = key
        self.condition = condition
        self.image = image
        self.kind = "Single"
        self.return_old = False
        self.item: Item | None = None  # a put's item and its encoded text
        self.text: str | None = None


def _reason(write: _Write, before: Item | None) -> dict[str, Any]:
    if holds(write.condition, before):
        return {"Code": "None"}
    reason: dict[str, Any] = {"Code": "ConditionalCheckFailed",
                              "Message": "The conditional request failed"}
    if write.return_old and before:
        reason["Item"] = before
    return reason


def _returned(mode: str, before: Item | None, after: Item | None,
              touched: set[str]) -> dict[str, Any]:
    if mode == "NONE":
        return {}
    if mode == "ALL_OLD":
        return {"Attributes": before} if before else {}
    if mode == "ALL_NEW":
        return {"Attributes": after} if after else {}
    source = before if mode == "UPDATED_OLD" else after
    if mode not in ("UPDATED_OLD", "UPDATED_NEW"):
        raise ValidationError(f"Unknown ReturnValues {mode}")
    picked = {k: v for k, v in (source or {}).items() if k in touched}
    return {"Attributes": picked} if picked else {}


def _checked_item(item: Item) -> tuple[Item, str]:
    """The item as stored, and its text. A put's item is refused before any condition
    is evaluated, as DynamoDB refuses it."""
    item = canonical_item(item)
    return item, encoded(item)


def _split_key_condition(table: Table, node: Node | None) -> tuple[str, Node | None]:
    """The hash key's value and the sort key's condition (None: the whole partition)."""
    parts: list[Node] = []
    stack = [node]
    while stack:
        part = stack.pop()
        if part is not None and part[0] == "and":
            stack += [part[2], part[1]]
        elif part is not None:
            parts.append(part)
    hash_text: str | None = None
    range_condition: Node | None = None
    for part in parts:
        path = _key_path(part)
        if path == table.hash_key and part[0] == "cmp" and part[1] == "=" \
                and part[3][0] == "value":
            hash_text = table.key_text({table.hash_key: part[3][1]}, table.hash_key)
        elif path is not None and path == table.range_key and range_condition is None:
            range_condition = part
        else:
            raise ValidationError("Query key condition not supported")
    if hash_text is None:
        raise ValidationError("Query condition missed key schema element: "
                              f"{table.hash_key}")
    return hash_text, range_condition


def _bounds(node: Node | None) -> list[tuple[str, str]]:
    """SQL bounds on the sort key that the condition implies (the condition itself is
    still checked on every row; the bounds only keep the read to the rows it can hold)."""
    if node is None:
        return []
    operands = node[3:4] if node[0] == "cmp" else node[2:4] if node[0] == "between" \
        else node[2][1:2]
    texts = [o[1].get("S") for o in operands if o[0] == "value"]
    if len(texts) != len(operands) or None in texts:
        return []
    if node[0] == "cmp":
        return [(node[1], texts[0])] if node[1] != "<>" else []
    if node[0] == "between":
        return [(">=", texts[0]), ("<=", texts[1])]
    prefix = texts[0]
    if not prefix:
        return []
    return [(">=", prefix), ("<", prefix[:-1] + chr(ord(prefix[-1]) + 1))]


def _key_path(node: Node) -> str | None:
    if node[0] in ("cmp", "between"):
        operand = node[2] if node[0] == "cmp" else node[1]
    elif node[0] == "func" and node[1] == "begins_with":
        operand = node[2][0]
    else:
        return None
    if operand[0] != "path" or len(operand[1]) != 1:
        return None
    return str(operand[1][0])


def _page(table: Table, rows: Iterator[tuple[str, str, str]], key_condition: Node | None,
          filter_: Node | None, paths: list[Any] | None, request: Request) -> dict[str, Any]:
    limit = request.get("Limit")
    count_only = request.get("Select") == "COUNT"
    items: list[Item] = []
    scanned = size = 0
    last: Item | None = None
    # Keys alone asked (and no filter): each item's key from its columns, none parsed.
    keys_only = filter_ is None and paths is not None and all(
        len(path) == 1 and path[0] in table.key_names() for path in paths)
    for hk, rk, text in rows:
        if last is not None:  # one more row exists: the page ends at ``last``
            return _result(items, scanned, count_only, last)
        item = table.key_from_columns(hk, rk) if keys_only else json.loads(text)
        if key_condition is not None and not holds(key_condition, item):
            continue
        scanned += 1
        size += len(text)
        if holds(filter_, item):
            items.append(project(item, paths))
        if (limit is not None and scanned >= int(limit)) or size >= MAX_PAGE_BYTES:
            last = table.key_item(item)
    return _result(items, scanned, count_only, None)


def _result(items: list[Item], scanned: int, count_only: bool,
            last: Item | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Count": len(items), "ScannedCount": scanned}
    if not count_only:
        out["Items"] = items
    if last is not None:
        out["LastEvaluatedKey"] = last
    return out
