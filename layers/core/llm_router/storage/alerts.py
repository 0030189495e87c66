"""Alert de-duplication state and the tenant list, in the counters and keys tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.alerts import Alert
from llm_router.storage.dynamo import storage_error
from llm_router.storage.ledger import DynamoLedger

CLAIM_TTL = timedelta(days=3)


class DynamoAlertState:
    def __init__(self, client: Any, counters_table: str):
        self._client = client
        self._table = counters_table

    def claim(self, alert: Alert) -> bool:
        """True the first time this (day, rule, tenant) alert is claimed; False after."""
        expires = int((datetime.now(UTC) + CLAIM_TTL).timestamp())
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"ALERT#{alert.day}"},
                    "sk": {"S": f"{alert.rule.name}#{alert.tenant_id}"},
                    "value": {"N": str(alert.value)},
                    "expires_at": {"N": str(expires)},
                },
                ConditionExpression="attribute_not_exists(sk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise storage_error("claiming an alert", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("claiming an alert", exc) from exc
        return True


class DynamoRollupSource:
    """Tenants from the keys table; their day's rollups from the ledger's counters."""

    def __init__(self, client: Any, keys_table: str, ledger: DynamoLedger):
        self._client = client
        self._keys_table = keys_table
        self._ledger = ledger

    def tenants(self) -> list[str]:
        tenants: set[str] = set()
        kwargs: dict[str, Any] = {"TableName": self._keys_table,
                                  "ProjectionExpression": "tenant_id"}
        try:
            while True:
                page = self._client.scan(**kwargs)
                tenants.update(i["tenant_id"]["S"] for i in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("listing tenants", exc) from exc
        return sorted(tenants)

    def rollup(self, day: str, tenant_id: str) -> dict[str, dict]:
        return self._ledger.rollup(day, tenant_id)
