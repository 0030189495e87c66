"""Circuit-breaker state shared by every instance, in the counters table.

One item per target under one partition (pk ``BREAKER``, sk ``<provider>#<model>``), so
an instance refreshes all of them with a single Query. Transitions that must happen
once (opening, taking the half-open probe lease) are conditional writes; counting a
failure is an atomic ADD. Items expire (TTL) an hour after their last change: a
breaker nobody has touched for that long is closed.
"""

from __future__ import annotations

import contextlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from llm_router.policies import BreakerConfig
from llm_router.resilience.breaker import BreakerState, State
from llm_router.storage.dynamo import paged_items, storage_error

PK = "BREAKER"


class DynamoBreakerStore:
    def __init__(self, client: Any, table: str, cfg: BreakerConfig):
        self._client = client
        self._table = table
        self._cfg = cfg

    def load(self) -> dict[str, BreakerState]:
        items = paged_items(self._client, "query", "reading circuit breakers",
                            TableName=self._table, KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": PK}})
        return {item["sk"]["S"]: _state_of(item) for item in items}

    def record_failure(self, target: str, now: float) -> BreakerState:
        """Count a failure; open the breaker when it reaches the threshold or when it was
        the half-open probe that failed. Returns the state after."""
        resp = self._update(target, now, "ADD failures :one", {":one": {"N": "1"}},
                            returned=True)
        state = _state_of(resp["Attributes"])
        trips = (state.state == "half_open"
                 or (state.state == "closed" and state.failures >= self._cfg.failure_threshold))
        if not trips:
            return state
        with contextlib.suppress(_ConditionFailed):  # another instance opened it first
            self._update(target, now, "SET #s = :open, opened_at = :now, probe_until = :zero",
                         {":open": {"S": "open"}, ":now": _n(now), ":zero": _n(0)},
                         condition="attribute_not_exists(#s) OR #s <> :open")
        return BreakerState("open", state.failures, now, 0.0, state.cooldown_until)

    def record_success(self, target: str, now: float) -> None:
        self._update(target, now, "SET #s = :closed, failures = :zero, probe_until = :zero",
                     {":closed": {"S": "closed"}, ":zero": _n(0)})

    def take_probe(self, target: str, now: float) -> bool:
        """True for the one instance that may send the half-open probe now."""
        try:
            self._update(
                target, now, "SET #s = :half, probe_until = :lease",
                {":half": {"S": "half_open"}, ":lease": _n(now + self._cfg.probe_lease_s),
                 ":open": {"S": "open"}, ":since": _n(now - self._cfg.open_s), ":now": _n(now)},
                condition="(#s = :open AND opened_at <= :since) "
                          "OR (#s = :half AND probe_until <= :now)",
            )
        except _ConditionFailed:
            return False
        return True

    def cool_down(self, target: str, now: float, until: float) -> None:
        self._update(target, now, "SET cooldown_until = :until", {":until": _n(until)})

    def _update(self, target: str, now: float, expression: str, values: dict[str, Any], *,
                condition: str | None = None, returned: bool = False) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"pk": {"S": PK}, "sk": {"S": target}},
            "UpdateExpression": expression + ", updated_at = :t, expires_at = :exp"
            if expression.startswith("SET") else
            expression + " SET updated_at = :t, expires_at = :exp",
            "ExpressionAttributeValues": {
                **values, ":t": _n(now), ":exp": {"N": str(int(now) + self._cfg.item_ttl_s)},
            },
        }
        if "#s" in expression + (condition or ""):
            kwargs["ExpressionAttributeNames"] = {"#s": "state"}  # a reserved word
        if condition:
            kwargs["ConditionExpression"] = condition
        if returned:
            kwargs["ReturnValues"] = "ALL_NEW"
        try:
            return dict(self._client.update_item(**kwargs))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise _ConditionFailed from exc
            raise storage_error("updating a circuit breaker", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("updating a circuit breaker", exc) from exc


class _ConditionFailed(Exception):
    pass


def _n(value: float) -> dict[str, str]:
    return {"N": f"{value:.3f}"}


def _state_of(item: dict[str, Any]) -> BreakerState:
    def num(name: str) -> float:
        return float(item[name]["N"]) if name in item else 0.0

    raw = item.get("state", {}).get("S", "closed")
    state: State = "open" if raw == "open" else "half_open" if raw == "half_open" else "closed"
    return BreakerState(state, int(num("failures")), num("opened_at"), num("probe_until"),
                        num("cooldown_until"))
