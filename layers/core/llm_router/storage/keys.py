"""The keys table: one item per API key, addressed by the key's SHA-256."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from llm_router.keys import ApiKey
from llm_router.storage.dynamo import storage_error

_ser = TypeSerializer()
_de = TypeDeserializer()


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
        if not item:
            return None
        data = {k: _de.deserialize(v) for k, v in item.items()}
        return ApiKey(
            key_hash=data["key_hash"],
            key_id=data["key_id"],
            tenant_id=data["tenant_id"],
            created_at=data["created_at"],
            rpm=int(data["rpm"]) if data.get("rpm") is not None else None,
            daily_budget_usd=Decimal(data["daily_budget_usd"])
            if data.get("daily_budget_usd") is not None
            else None,
            disabled=bool(data.get("disabled", False)),
        )

    def put(self, key: ApiKey) -> None:
        data: dict[str, Any] = {
            "key_hash": key.key_hash,
            "key_id": key.key_id,
            "tenant_id": key.tenant_id,
            "created_at": key.created_at,
            "disabled": key.disabled,
        }
        if key.rpm is not None:
            data["rpm"] = key.rpm
        if key.daily_budget_usd is not None:
            data["daily_budget_usd"] = key.daily_budget_usd
        try:
            self._client.put_item(
                TableName=self._table,
                Item={k: _ser.serialize(v) for k, v in data.items()},
                ConditionExpression="attribute_not_exists(key_hash)",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("storing the API key", exc) from exc
