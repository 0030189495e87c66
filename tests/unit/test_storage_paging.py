"""storage.dynamo.paged_items, the one Query/Scan page loop, and the stores that read through
it, against a client that answers a few items a page."""

from __future__ import annotations

import copy
from decimal import Decimal
from itertools import islice
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from llm_router.cache.store import DynamoCacheStore
from llm_router.errors import StorageError
from llm_router.policies import BreakerConfig
from llm_router.storage.alerts import DynamoAlertState, DynamoTenants
from llm_router.storage.breakers import DynamoBreakerStore
from llm_router.storage.dynamo import paged_items
from llm_router.storage.rollups import DynamoRollups, partition

PAGES = range(1, 12)
KEY = ("pk", "sk", "tenant_id", "key_hash")
BOUNDS = {":pk": "pk", ":t": "tenant_id"}


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in KEY if name in item}


class PagingClient:
    """Answers Query and Scan from ``items`` in their order (reversed for ScanIndexForward
    false), at most ``page`` items (and Limit) a page, after ExclusiveStartKey. As DynamoDB
    does, a full page names its last key even when nothing follows it. Every call's
    parameters are recorded; ``fail_at`` makes that call (0 the first) raise ``error``."""

    def __init__(self, items: list[dict[str, Any]], page: int, *, fail_at: int = -1,
                 error: Exception | None = None):
        assert len({repr(_key(item)) for item in items}) == len(items), "keys must be unique"
        self.items, self.page, self.fail_at, self.error = items, page, fail_at, error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, **request: Any) -> dict[str, Any]:
        return self._read("query", request)

    def scan(self, **request: Any) -> dict[str, Any]:
        return self._read("scan", request)

    def _read(self, method: str, request: dict[str, Any]) -> dict[str, Any]:
        if len(self.calls) == self.fail_at and self.error is not None:
            raise self.error
        self.calls.append((method, copy.deepcopy(request)))
        values = request.get("ExpressionAttributeValues", {})
        rows = [item for item in self.items
                if all(item[name] == values[bound] for bound, name in BOUNDS.items()
                       if bound in values)
                and (":lo" not in values
                     or values[":lo"]["S"] <= item["sk"]["S"] <= values[":hi"]["S"])]
        if request.get("ScanIndexForward") is False:
            rows.reverse()
        start = 0
        if "ExclusiveStartKey" in request:
            start = 1 + [_key(row) for row in rows].index(request["ExclusiveStartKey"])
        size = min(self.page, request.get("Limit", self.page))
        items = rows[start:start + size]
        page: dict[str, Any] = {"Items": items, "Count": len(items)}
        if items and start + size <= len(rows):
            page["LastEvaluatedKey"] = _key(items[-1])
        return page


def _item(n: int, pk: str = "P") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": f"{n:03d}"}, "n": {"N": str(n)}}


REQUEST = {"TableName": "t", "KeyConditionExpression": "pk = :pk",
           "ExpressionAttributeValues": {":pk": {"S": "P"}}}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_read_in_order_each_from_the_last_ones_key(page: int) -> None:
    for count in sorted({0, 1, page - 1, page, page + 1, 3 * page, 23}):
        for limit in (None, 1, 4):
            items = [_item(n) for n in range(count)]
            client = PagingClient(items + [_item(99, pk="other")], page)
            request = {**REQUEST, **({"Limit": limit} if limit else {})}
            assert list(paged_items(client, "query", "reading", **request)) == items
            size = min(page, limit or page)
            starts = [{}] + [{"ExclusiveStartKey": _key(items[n - 1])}
                             for n in range(size, count + 1, size)]
            assert client.calls == [("query", {**request, **start}) for start in starts]


@pytest.mark.parametrize("page", PAGES)
def test_a_callers_start_key_is_passed_through_and_a_scan_pages_alike(page: int) -> None:
    items = [_item(n) for n in range(17)]
    client = PagingClient(items, page)
    start = {"ExclusiveStartKey": _key(items[4])}
    assert list(paged_items(client, "query", "reading", **REQUEST, **start)) == items[5:]
    assert client.calls[0] == ("query", {**REQUEST, **start})
    client = PagingClient(items, page)
    assert list(paged_items(client, "scan", "reading", TableName="t")) == items
    assert {method for method, _ in client.calls} == {"scan"}
    assert len(client.calls) == 17 // page + 1


@pytest.mark.parametrize("page", PAGES)
def test_a_caller_that_stops_early_reads_no_further_page(page: int) -> None:
    items = [_item(n) for n in range(30)]
    for wanted in range(0, 31, 3):
        client = PagingClient(items, page)
        assert list(islice(paged_items(client, "query", "reading", **REQUEST), wanted)) == \
            items[:wanted]
        assert len(client.calls) == -(-wanted // page)  # nothing is read before the first


@pytest.mark.parametrize("error", [
    ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Query"),
    EndpointConnectionError(endpoint_url="http://x")])
def test_a_failed_page_is_a_storage_error_naming_the_action(error: Exception) -> None:
    client = PagingClient([_item(n) for n in range(5)], 2, fail_at=1, error=error)
    items = paged_items(client, "query", "reading the things", **REQUEST)
    assert [next(items), next(items)] == [_item(0), _item(1)]
    with pytest.raises(StorageError, match=r"reading the things: \w+") as raised:
        next(items)
    assert raised.value.__cause__ is error


def _each_page_size(read: Any, items: list[dict[str, Any]]) -> Any:
    """What ``read(client)`` gives, the same for every page size; its calls' other
    parameters the same on every page."""
    whole = read(PagingClient(items, 1000))
    for page in PAGES:
        client = PagingClient(items, page)
        assert read(client) == whole, page
        assert page > 1 or len(client.calls) > 2  # paged indeed
        fixed = [{k: v for k, v in request.items() if k != "ExclusiveStartKey"}
                 for _, request in client.calls]
        assert len({repr(sorted(request.items())) for request in fixed}) <= 3  # rollups' shards
    return whole


def test_the_breaker_store_loads_every_target() -> None:
    items = [{"pk": {"S": "BREAKER"}, "sk": {"S": f"p#m{n}"}, "state": {"S": "open"},
              "failures": {"N": str(n)}, "opened_at": {"N": "5"}} for n in range(13)]
    states = _each_page_size(
        lambda client: DynamoBreakerStore(client, "t", BreakerConfig()).load(),
        items + [_item(1)])
    assert sorted(states) == sorted(f"p#m{n}" for n in range(13))
    assert states["p#m7"].failures == 7 and states["p#m7"].state == "open"


def test_the_alert_state_loads_every_record_consistently_and_tenants_are_listed_once() -> None:
    items = [{"pk": {"S": "ALERTS"}, "sk": {"S": f"rule#s{n}"}, "status": {"S": "firing"},
              "window": {"S": "w"}, "version": {"N": str(n)}} for n in range(12)]
    client = PagingClient(items, 5)
    records = _each_page_size(lambda client: DynamoAlertState(client, "t").load(), items)
    assert sorted(records) == sorted(f"rule#s{n}" for n in range(12))
    assert records["rule#s3"].version == 3
    DynamoAlertState(client, "t").load()
    assert all(request["ConsistentRead"] is True for _, request in client.calls)

    keys = [{"key_hash": {"S": f"h{n:02d}"}, "tenant_id": {"S": f"t{n % 4}"}}
            for n in range(14)]
    client = PagingClient(keys, 3)
    tenants = _each_page_size(lambda client: DynamoTenants(client, "k").tenants(), keys)
    assert tenants == ["t0", "t1", "t2", "t3"]
    DynamoTenants(client, "k").tenants()
    assert all(method == "scan" and request["ProjectionExpression"] == "tenant_id"
               for method, request in client.calls)


def test_rollups_sum_every_page_of_every_shard() -> None:
    items = [{"pk": {"S": partition("acme", "day", "provider", shard)},
              "sk": {"S": f"2026-12-0{day}#p{n}"}, "requests": {"N": "1"},
              "cost_usd": {"N": "0.25"}}
             for shard in (0, 1) for day in (1, 2, 3) for n in range(4)]
    items.sort(key=lambda item: (item["pk"]["S"], item["sk"]["S"]))

    def read(client: PagingClient) -> Any:
        return {key: counters.values for key, counters in DynamoRollups(client, "t", 2).read(
            "acme", "day", "provider", "2026-12-01", "2026-12-02").items()}

    out = _each_page_size(read, items)
    assert out[("2026-12-01", "p0")] == {"requests": Decimal(2), "cost_usd": Decimal("0.50")}
    assert sorted(out) == [(f"2026-12-0{day}", f"p{m}") for day in (1, 2) for m in range(4)]


def test_the_cache_journal_reads_every_page_and_its_newest_only_as_far_as_it_needs() -> None:
    items = [{"tenant_id": {"S": "acme"}, "sk": {"S": f"J#{n:03d}"}, "key": {"S": f"k{n}"},
              "context": {"S": "c"}, "text": {"S": f"q{n}"}, "expires_at": {"N": "9"}}
             for n in range(25)]
    keys = _each_page_size(
        lambda client: DynamoCacheStore(client, "t").journal_keys("acme", "J#004", "J#020"),
        items)
    assert keys == [f"J#{n:03d}" for n in range(5, 21)]
    newest = _each_page_size(
        lambda client: [r.key for r in DynamoCacheStore(client, "t").journal_since(
            "acme", "", newest=6)], items)
    assert newest == [f"k{n}" for n in range(19, 25)]
    client = PagingClient(items, 4)
    DynamoCacheStore(client, "t").journal_since("acme", "", newest=6)
    assert len(client.calls) == 2
