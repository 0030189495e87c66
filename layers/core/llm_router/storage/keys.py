"""The keys table: one item per API key, addressed by the key's SHA-256.

Requests read one item by hash. Admin operations (``keys list|revoke|rotate``, the admin
API) find keys by tenant or by ``key_id`` with a consistent scan: rare operations on a
small table, so no secondary index to keep (and none the embedded store would need).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.keys import ApiKey
from llm_router.storage.dynamo import storage_error
from llm_router.storage.items import deserialize, serialize


class DynamoKeyStore:
    def __init__(self, client: Any, table: str):
        self._client = client
        self._table = table

    def get(self, key_hash: str) -> ApiKey | None:
        try:
            resp = self._client.get_item(
                TableName=self._table, Key={"key_hash": {"S": key_hash}}, ConsistentRead=False
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("reading the API key", exc) from exc
        item = resp.get("Item")
        return _from_item(item) if item else None

    def put(self, key: ApiKey) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={k: serialize(v) for k, v in _to_item(key).items()},
                ConditionExpression="attribute_not_exists(key_hash)",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("storing the API key", exc) from exc

    def by_key_id(self, key_id: str) -> ApiKey | None:
        found = list(self._scan("key_id = :k", {":k": {"S": key_id}}))
        return found[0] if found else None

    def list(self, tenant_id: str | None = None) -> Iterator[ApiKey]:
        if tenant_id is None:
            return self._scan(None, {})
        return self._scan("tenant_id = :t", {":t": {"S": tenant_id}})

    def update(self, key_hash: str, **changes: Any) -> None:
        """Set some attributes of an existing key (``revoked_at``, ``expires_at``,
        ``rotated_to``)."""
        names = {f"#a{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": serialize(v) for i, v in enumerate(changes.values())}
        sets = ", ".join(f"#a{i} = :v{i}" for i in range(len(changes)))
        try:
            self._client.update_item(
                TableName=self._table, Key={"key_hash": {"S": key_hash}},
                UpdateExpression=f"SET {sets}", ConditionExpression="attribute_exists(key_hash)",
                ExpressionAttributeNames=names, ExpressionAttributeValues=values,
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("updating the API key", exc) from exc

    def _scan(self, where: str | None, values: dict[str, Any]) -> Iterator[ApiKey]:
        kwargs: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True}
        if where is not None:
            kwargs.update(FilterExpression=where, ExpressionAttributeValues=values)
        try:
            for page in self._client.get_paginator("scan").paginate(**kwargs):
                for item in page.get("Items") or []:
                    yield _from_item(item)
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("reading API keys", exc) from exc


def _to_item(key: ApiKey) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key_hash": key.key_hash,
        "key_id": key.key_id,
        "tenant_id": key.tenant_id,
        "created_at": key.created_at,
        "disabled": key.disabled,
        "admin": key.admin,
        "rpm": key.rpm,
        "daily_budget_usd": key.daily_budget_usd,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "models": list(key.models) if key.models is not None else None,
        "rotated_to": key.rotated_to,
    }
    return {k: v for k, v in data.items() if v is not None}


def _from_item(item: dict[str, Any]) -> ApiKey:
    data = {k: deserialize(v) for k, v in item.items()}
    return ApiKey(
        key_hash=data["key_hash"],
        key_id=data["key_id"],
        tenant_id=data["tenant_id"],
        created_at=data["created_at"],
        rpm=int(data["rpm"]) if data.get("rpm") is not None else None,
        daily_budget_usd=Decimal(data["daily_budget_usd"])
        if data.get("daily_budget_usd") is not None else None,
        disabled=bool(data.get("disabled", False)),
        expires_at=data.get("expires_at"),
        revoked_at=data.get("revoked_at"),
        models=tuple(data["models"]) if data.get("models") is not None else None,
        admin=bool(data.get("admin", False)),
        rotated_to=data.get("rotated_to"),
    )
