"""The DynamoDB stores against a real moto server over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from llm_router.errors import StorageError
from llm_router.keys import ApiKey
from llm_router.ledger import AttemptRecord, LedgerEntry
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger

from .conftest import Storage

pytestmark = pytest.mark.integration


def entry(request_id: str, cost: str = "0.000123", success: bool = True) -> LedgerEntry:
    return LedgerEntry(
        request_id=request_id,
        tenant_id="t-ledger",
        key_id="key_abc",
        started_at=datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC),
        requested_model="small-model",
        success=success,
        status=200 if success else 502,
        latency_ms=12.34,
        model="small-model",
        provider="p",
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=Decimal(cost),
        usage_source="reported" if success else "none",
        attempts=(AttemptRecord("p", "small-model", 11.0, "ok"),),
    )


def test_ledger_is_idempotent_on_request_id(storage: Storage) -> None:
    ledger = storage.ledger
    assert ledger.record(entry("req_1")) is True
    assert ledger.record(entry("req_1")) is False  # a settle that ran twice
    assert ledger.record(entry("req_2", cost="0.5", success=False)) is True
    items = [e for e in ledger.entries("t-ledger") if e["request_id"] in ("req_1", "req_2")]
    assert len(items) == 2
    rollup = ledger.rollup("2026-11-22", "t-ledger")["small-model"]
    assert rollup["requests"] == 2 and rollup["errors"] == 1
    assert rollup["cost_usd"] == Decimal("0.500123")  # exact Decimal sum
    assert rollup["prompt_tokens"] == 20


def test_ledger_item_keeps_attempts_and_ttl(storage: Storage) -> None:
    storage.ledger.record(entry("req_ttl"))
    item = next(e for e in storage.ledger.entries("t-ledger") if e["request_id"] == "req_ttl")
    assert item["attempts"][0]["outcome"] == "ok"
    assert item["expires_at"] > datetime(2027, 11, 1, tzinfo=UTC).timestamp()
    assert item["latency_ms"] == Decimal("12.3")


def test_missing_table_fails_closed_with_storage_error(storage: Storage) -> None:
    broken = DynamoLedger(storage.client, "no-such-table", storage.settings.counters_table)
    with pytest.raises(StorageError) as info:
        broken.record(entry("req_x"))
    assert info.value.status == 503
    assert "ResourceNotFoundException" in info.value.message


def test_key_store_round_trip_and_no_overwrite(storage: Storage) -> None:
    store = DynamoKeyStore(storage.client, storage.settings.keys_table)
    key = ApiKey("h" * 64, "key_hhh", "acme", "2026-01-01", rpm=60,
                 daily_budget_usd=Decimal("12.50"))
    store.put(key)
    assert store.get("h" * 64) == key
    assert store.get("x" * 64) is None
    with pytest.raises(StorageError):
        store.put(key)  # the same hash never silently replaces a key
