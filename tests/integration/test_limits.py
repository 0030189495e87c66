"""Per-key rate limits and budgets under real concurrency: N parallel HTTP requests
against the real router, the counters in moto. Exact because DynamoDB conditional
writes decide, not the router's memory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, start_router
from .resilience_setup import pair_catalog, unique

pytestmark = pytest.mark.integration
MODEL = unique("lim")
TENANT_BUDGET = Decimal("0.0004")


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("limits") / "catalog.yaml"
    extra = f"""limits:
  tenants:
    capped: {{daily_budget_usd: {TENANT_BUDGET}}}
"""
    config.write_text(pair_catalog(simulator.url, [MODEL], extra=extra))
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)


def new_key(storage: Storage, tenant: str, *, rpm: int | None = None,
            budget: Decimal | None = None) -> tuple[str, str]:
    plaintext = "sk-test-" + unique("k")
    key_hash = hash_key(plaintext)
    DynamoKeyStore(storage.client, storage.settings.keys_table).put(
        ApiKey(key_hash, key_id_of(key_hash), tenant, "2026-01-01T00:00:00+00:00",
               rpm=rpm, daily_budget_usd=budget))
    return plaintext, key_id_of(key_hash)


def burst(router: RouterProcess, key: str, n: int, max_tokens: int = 50,
          cache: bool = True) -> list[httpx.Response]:
    # The same question n times: with the cache on, answers after the first landed are
    # cache hits, which count against the rate limit but cost (and reserve) nothing.
    body = {"model": MODEL, "max_tokens": max_tokens, "cache": cache,
            "messages": [{"role": "user", "content": "Do you ship to Canada?"}]}

    def one(_: int) -> httpx.Response:
        return httpx.post(f"{router.url}/v1/chat/completions", json=body, timeout=60,
                          headers={"authorization": f"Bearer {key}"})

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def away_from_minute_boundary() -> None:
    """Rate windows are calendar minutes; start a burst well inside one."""
    second = datetime.now(UTC).second
    if second > 45:
        time.sleep(61 - second)


def counter(storage: Storage, pk: str, sk: str) -> Decimal:
    item = storage.client.get_item(TableName=storage.settings.counters_table,
                                   Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                   ConsistentRead=True).get("Item")
    return Decimal(item["n"]["N"]) if item else Decimal(0)


def spent(storage: Storage, tenant: str, key_id: str | None = None) -> Decimal:
    items = storage.ledger.entries(tenant, limit=1000)
    return sum((Decimal(str(e["cost_usd"])) for e in items
                if key_id is None or e["key_id"] == key_id), Decimal(0))


def test_parallel_requests_on_a_key_limited_to_l_per_minute_accept_exactly_l(
    router, storage
) -> None:
    limit, n = 7, 24
    key, _ = new_key(storage, "rate", rpm=limit)
    away_from_minute_boundary()
    responses = burst(router, key, n)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * limit + [429] * (n - limit)
    refused = next(r for r in responses if r.status_code == 429)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    error = refused.json()["error"]
    assert error["code"] == "rate_limit_exceeded" and f"{limit} requests per minute" in \
        error["message"]


def test_a_key_budget_is_never_exceeded_under_concurrency(router, storage) -> None:
    # One request may cost up to ~$0.00003 (50 output tokens at $0.60/M, plus the prompt);
    # the budget admits a handful at that worst case, never more than it can pay.
    budget = Decimal("0.0001")
    key, key_id = new_key(storage, "budget", budget=budget)
    responses = burst(router, key, 30, cache=False)  # every request a paid call
    ok = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 402]
    assert ok and refused and len(ok) + len(refused) == 30
    assert refused[0].json()["error"]["code"] == "budget_exceeded"
    assert "daily budget of $0.0001" in refused[0].json()["error"]["message"]
    total = spent(storage, "budget", key_id)
    assert 0 < total <= budget
    # Every reservation was settled to the actual cost in the ledger's transaction.
    day = datetime.now(UTC).strftime("%Y%m%d")
    assert counter(storage, f"BUDGET#key#{key_id}", f"d#{day}") == total


def test_a_tenant_budget_holds_across_its_keys(router, storage) -> None:
    keys = [new_key(storage, "capped")[0] for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = [r for batch in pool.map(lambda k: burst(router, k, 10, cache=False), keys)
                   for r in batch]
    assert {r.status_code for r in results} == {200, 402}
    total = spent(storage, "capped")
    assert 0 < total <= TENANT_BUDGET
    day = datetime.now(UTC).strftime("%Y%m%d")
    assert counter(storage, "BUDGET#tenant#capped", f"d#{day}") == total


def test_cache_hits_count_against_the_rate_limit_but_not_the_budget(router, storage) -> None:
    # The budget fits one paid request (reserved at its worst case, ~$0.00004), not two.
    key, _ = new_key(storage, "hits", rpm=3, budget=Decimal("0.00005"))
    away_from_minute_boundary()

    def ask(question: str) -> httpx.Response:
        body = {"model": MODEL, "max_tokens": 60,
                "messages": [{"role": "user", "content": question}]}
        return httpx.post(f"{router.url}/v1/chat/completions", json=body, timeout=30,
                          headers={"authorization": f"Bearer {key}"})

    first = ask("What is your phone number?")
    assert first.status_code == 200 and first.headers["x-router-cache"] == "miss"
    storage.ledger_item(first.headers["x-request-id"], tenant="hits")
    # A new question would have to be paid for: the budget refuses it (and a refused
    # admission counts against nothing).
    assert ask("Where is your head office?").status_code == 402
    # Repeats are free cache hits, served despite the spent budget, until the minute's
    # three requests are used up.
    repeats = [ask("What is your phone number?") for _ in range(3)]
    assert [r.status_code for r in repeats] == [200, 200, 429]
    assert [r.headers.get("x-router-cache") for r in repeats[:2]] == ["exact", "exact"]
    assert repeats[2].json()["error"]["code"] == "rate_limit_exceeded"
