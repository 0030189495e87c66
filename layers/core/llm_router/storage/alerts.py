"""Alert state and the tenant list, in the counters and keys tables.

One item per (rule, subject) under pk ``ALERTS``: its status (firing or resolved), the
window it fired for, and the channels that accepted the notice. It is written only after
a channel accepted, and conditionally on the version read, so two overlapping runs never
both record one notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.storage.dynamo import paged_items, storage_error

PK = "ALERTS"
RESOLVED_TTL = timedelta(days=35)


@dataclass(frozen=True)
class AlertRecord:
    key: str  # "<rule>#<subject>"
    status: str  # "firing" | "resolved"
    window: str
    sent: frozenset[str]  # channels that accepted this status and window
    version: int
    summary: str = ""
    value: str = ""
    threshold: str = ""


class DynamoAlertState:
    def __init__(self, client: Any, table: str):
        self._client = client
        self._table = table

    def load(self) -> dict[str, AlertRecord]:
        items = paged_items(self._client, "query", "reading alert state", TableName=self._table,
                            KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": PK}}, ConsistentRead=True)
        records = (_record_of(item) for item in items)
        return {record.key: record for record in records}

    def save(self, record: AlertRecord, previous: AlertRecord | None) -> bool:
        """Write ``record`` if nobody changed the item since ``previous`` was read."""
        item: dict[str, dict[str, Any]] = {
            "pk": {"S": PK}, "sk": {"S": record.key}, "status": {"S": record.status},
            "window": {"S": record.window}, "version": {"N": str(record.version)},
            "summary": {"S": record.summary[:1000]}, "value": {"S": record.value},
            "threshold": {"S": record.threshold},
            "updated_at": {"S": datetime.now(UTC).isoformat()},
        }
        if record.sent:
            item["sent"] = {"SS": sorted(record.sent)}
        if record.status == "resolved":
            item["expires_at"] = {"N": str(int((datetime.now(UTC) + RESOLVED_TTL).timestamp()))}
        if previous is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(sk)"}
        else:
            condition = {"ConditionExpression": "version = :v",
                         "ExpressionAttributeValues": {":v": {"N": str(previous.version)}}}
        try:
            self._client.put_item(TableName=self._table, Item=item, **condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise storage_error("recording an alert", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("recording an alert", exc) from exc
        return True


def _record_of(item: dict[str, Any]) -> AlertRecord:
    return AlertRecord(
        key=item["sk"]["S"], status=item["status"]["S"], window=item["window"]["S"],
        sent=frozenset(item.get("sent", {}).get("SS", [])), version=int(item["version"]["N"]),
        summary=item.get("summary", {}).get("S", ""), value=item.get("value", {}).get("S", ""),
        threshold=item.get("threshold", {}).get("S", ""))


class DynamoTenants:
    """Every tenant that has (or had) an API key, from the keys table."""

    def __init__(self, client: Any, keys_table: str):
        self._client = client
        self._table = keys_table

    def tenants(self) -> list[str]:
        items = paged_items(self._client, "scan", "listing tenants", TableName=self._table,
                            ProjectionExpression="tenant_id")
        return sorted({item["tenant_id"]["S"] for item in items})
