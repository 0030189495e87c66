"""The shared breaker and counter stores against moto: two instances, one table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llm_router.policies import BreakerConfig
from llm_router.resilience.counters import CounterOp, LimitReached
from llm_router.storage.breakers import DynamoBreakerStore
from llm_router.storage.counters import DynamoCounters

from .conftest import Storage
from .resilience_setup import unique

pytestmark = pytest.mark.integration
CFG = BreakerConfig(failure_threshold=3, open_s=30, probe_lease_s=10)


def test_failures_from_two_instances_open_one_shared_breaker(storage: Storage) -> None:
    one, two = (DynamoBreakerStore(storage.client, storage.settings.counters_table, CFG)
                for _ in range(2))
    target = unique("p") + "#m"
    one.record_failure(target, 100.0)
    two.record_failure(target, 101.0)
    assert one.load()[target].state == "closed"
    assert two.record_failure(target, 102.0).state == "open"
    assert one.load()[target].state == "open"
    # Before open_s nobody probes; after it exactly one instance wins the lease.
    assert not one.take_probe(target, 120.0)
    assert [one.take_probe(target, 133.0), two.take_probe(target, 133.0)] == [True, False]
    assert two.take_probe(target, 143.5)  # the first prober's lease lapsed
    two.record_success(target, 144.0)
    assert one.load()[target].state == "closed" and one.load()[target].failures == 0


def test_a_failed_probe_reopens(storage: Storage) -> None:
    store = DynamoBreakerStore(storage.client, storage.settings.counters_table, CFG)
    target = unique("p") + "#m"
    for t in (1.0, 2.0, 3.0):
        store.record_failure(target, t)
    assert store.take_probe(target, 40.0)
    state = store.record_failure(target, 41.0)
    assert (state.state, state.opened_at) == ("open", 41.0)
    assert not store.take_probe(target, 60.0)


def test_reservations_are_all_or_nothing_and_report_the_full_counter(storage: Storage) -> None:
    counters = DynamoCounters(storage.client, storage.settings.counters_table)
    pk = unique("T#")
    small = CounterOp(pk, "a", Decimal(1), 2_000_000_000, Decimal(10), "requests", "a")
    tight = CounterOp(pk, "b", Decimal(4), 2_000_000_000, Decimal(10), "usd", "b")
    counters.reserve([small, tight])
    counters.reserve([small, tight])
    with pytest.raises(LimitReached) as info:
        counters.reserve([small, tight])  # b would reach 12
    assert info.value.op is tight and info.value.used == 8
    # Nothing of the refused transaction was applied.
    assert counters.read([(pk, "a"), (pk, "b")]) == {(pk, "a"): 2, (pk, "b"): 8}
    with pytest.raises(LimitReached):
        counters.reserve([CounterOp(pk, "c", Decimal(11), 2_000_000_000, Decimal(10))])
