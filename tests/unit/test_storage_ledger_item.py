"""The settle's ledger item (storage.ledger.ledger_attributes) is serialize(to_item()), key
for key and in the same order (so the request's JSON is the same bytes)."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from llm_router.ledger import CACHE_MISSES, AttemptRecord, LedgerEntry
from llm_router.storage.items import serialize
from llm_router.storage.ledger import DynamoLedger, ledger_attributes

TEXT = st.text(max_size=12)
MAYBE = st.none() | TEXT
COUNT = st.integers(min_value=0, max_value=10**40)  # past 38 digits: serialize's other path
MS = st.floats(min_value=0, max_value=1e7, allow_nan=False) | st.sampled_from([0.04, 0.05, 1e-9])
MONEY = st.decimals(min_value=0, max_value=10**6, allow_nan=False, places=12)
ATTEMPT = st.builds(AttemptRecord, TEXT, TEXT, MS, TEXT, MAYBE)
MOMENT = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31),
                      timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))]))
ENTRY = st.builds(
    LedgerEntry, request_id=TEXT, tenant_id=TEXT, key_id=TEXT, started_at=MOMENT,
    requested_model=TEXT, success=st.booleans(), status=st.integers(100, 599),
    latency_ms=MS, model=TEXT, provider=TEXT, tier=MAYBE, reason=MAYBE,
    prompt_tokens=COUNT, completion_tokens=COUNT, cached_tokens=COUNT,
    reasoning_tokens=COUNT, cost_usd=MONEY,
    usage_source=st.sampled_from(["reported", "estimated", "none"]),
    cache_status=st.sampled_from(["miss", "exact", "semantic", "bypass"]),
    cache_miss=st.none() | st.sampled_from(CACHE_MISSES), cost_saved_usd=MONEY,
    stream=st.booleans(), max_tokens=st.none() | COUNT, error_code=MAYBE,
    error_message=MAYBE, attempts=st.lists(ATTEMPT, max_size=3).map(tuple),
    guards=st.lists(TEXT, max_size=2).map(tuple))


def by_to_item(entry: LedgerEntry) -> dict:
    return {k: serialize(v) for k, v in entry.to_item().items()}


@settings(max_examples=400, deadline=None)
@given(ENTRY)
def test_the_item_is_serialize_of_to_item(entry: LedgerEntry) -> None:
    built, expected = outcome(ledger_attributes, entry), outcome(by_to_item, entry)
    assert built == expected
    if isinstance(built, dict):  # the same order at every level: the same JSON
        assert json.dumps(built) == json.dumps(expected)


def outcome(build: Callable[[LedgerEntry], dict], entry: LedgerEntry) -> object:
    """The item, or the exception's type and text (a number DynamoDB cannot hold)."""
    try:
        return build(entry)
    except (TypeError, ArithmeticError) as exc:
        return type(exc), str(exc)


def test_a_settle_s_item_and_its_expiry() -> None:
    entry = LedgerEntry(request_id="req_1", tenant_id="t", key_id="k", requested_model="m",
                        started_at=datetime(2026, 12, 4, 6, 30, 1, 5, tzinfo=UTC),
                        success=True, status=200, latency_ms=1.26, model="m", provider="p",
                        cost_usd=Decimal("0.0000009"),
                        attempts=(AttemptRecord("p", "m", 0.44, "ok"),))
    ledger = DynamoLedger(client=None, ledger_table="L", counters_table="C",
                          retention_days=1)
    item = ledger.transaction(entry)[0]["Put"]["Item"]
    assert item == {**by_to_item(entry), "expires_at": {"N": "1796452201"}}
    assert item["sk"] == {"S": "2026-12-04T06:30:01.000005Z#req_1"}
    assert item["cost_usd"] == {"N": "0.0000009"}
    assert item["attempts"] == {"L": [{"M": {
        "provider": {"S": "p"}, "model": {"S": "m"}, "latency_ms": {"N": "0.4"},
        "outcome": {"S": "ok"}}}]}
