"""LedgerEntry's sort key and item: the text strftime wrote before (llm_router.ledger)."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from llm_router.ledger import LedgerEntry


def entry(started_at: datetime, request_id: str = "req_1") -> LedgerEntry:
    return LedgerEntry(request_id=request_id, tenant_id="t", key_id="k1",
                       started_at=started_at, requested_model="auto", success=True,
                       status=200, latency_ms=420.0)


def strftime_key(e: LedgerEntry) -> str:
    return e.started_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "#" + e.request_id


# Offsets of whole minutes within a day either way; dates far enough from the ends of
# datetime's range that the conversion to UTC stays in it.
ZONES = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31),
                       timezones=ZONES)


@given(MOMENTS, st.text(max_size=40))
def test_the_sort_key_is_strftime_s_text(at: datetime, request_id: str) -> None:
    e = entry(at, request_id)
    assert e.sort_key == strftime_key(e)
    item = e.to_item()
    assert item["sk"] == strftime_key(e)
    assert item["started_at"] == at.astimezone(UTC).isoformat()


def test_edges() -> None:
    for at in (datetime(2026, 12, 4, 6, 30, tzinfo=UTC),  # no microseconds
               datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
               datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))),  # day before
               datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=UTC),  # %Y unpadded
               datetime(1000, 1, 1, tzinfo=UTC)):
        e = entry(at)
        assert e.sort_key == strftime_key(e) == e.to_item()["sk"]
    assert entry(datetime(2026, 12, 4, 6, 30, tzinfo=UTC)).sort_key == \
        "2026-12-04T06:30:00.000000Z#req_1"
