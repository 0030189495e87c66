"""Per-key rate limits and budgets under real concurrency: N parallel HTTP requests
against the real router, the counters in moto. Exact because DynamoDB conditional
writes decide, not the router's memory.

Rate limits count calendar minutes, so their tests run the router's app in-process with
the limiter's clock stopped mid-minute (``router_at``): every request of a burst falls in
one window however long a loaded machine takes to send it. Budgets (calendar days) are
tested against the ``serve`` process.

Each test runs both ways admission may write: through botocore's client in a worker
thread (AWS's way) and on the event loop (``storage.loop_client``, as ``serve`` does
against its embedded store, ``storage_unsigned``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal

import anyio
import httpx
import pytest
import yaml

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import parse_catalog
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.providers.session import UpstreamHttp
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, start_router
from .resilience_setup import pair_catalog, unique

pytestmark = pytest.mark.integration
MODEL = unique("lim")
TENANT_BUDGET = Decimal("0.0004")


@pytest.fixture(scope="module", params=["thread", "loop"])
def way(request: pytest.FixtureRequest) -> str:
    """How admission writes: ``thread`` (botocore's client) or ``loop``."""
    return str(request.param)


@pytest.fixture(scope="module")
def capped(way: str) -> str:
    """The tenant with a daily budget: one per way, so each way starts unspent."""
    return f"capped-{way}"


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage, way: str, capped: str) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("limits") / "catalog.yaml"
    extra = f"""limits:
  tenants:
    {capped}: {{daily_budget_usd: {TENANT_BUDGET}}}
"""
    config.write_text(pair_catalog(simulator.url, [MODEL], extra=extra))
    env = storage.env()
    if way == "loop":
        env["LLM_ROUTER_STORAGE_UNSIGNED"] = "1"
    proc = start_router(config, env)
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


def mid_minute() -> datetime:
    return datetime.now(UTC).replace(second=30, microsecond=0)


@asynccontextmanager
async def router_at(storage: Storage, sim_url: str, wall: datetime,
                    way: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the router's app (in-process, over this module's tables and the
    simulator) whose rate windows, budget days and quotas are read at ``wall``."""
    catalog = parse_catalog(yaml.safe_load(pair_catalog(sim_url, [MODEL])))
    settings = storage.settings.model_copy(update={"storage_unsigned": way == "loop"})
    services = build_services(settings, http=UpstreamHttp(), catalog=catalog,
                              dynamodb=storage.client, load_tiers=False, wall=lambda: wall)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services)),
                                     base_url="http://router", timeout=60) as client:
            yield client
    finally:
        await services.chat.aclose()  # as the app's lifespan does on shutdown


async def post(client: httpx.AsyncClient, key: str, body: dict[str, object]) -> httpx.Response:
    return await client.post("/v1/chat/completions", json=body,
                             headers={"authorization": f"Bearer {key}"})


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
    simulator, storage, way
) -> None:
    limit, n = 7, 24
    key, _ = new_key(storage, "rate", rpm=limit)
    body = {"model": MODEL, "max_tokens": 50,
            "messages": [{"role": "user", "content": "Do you ship to Canada?"}]}

    async def burst_at_second_30() -> list[httpx.Response]:
        responses: list[httpx.Response] = []

        async def one() -> None:
            responses.append(await post(client, key, body))

        async with router_at(storage, simulator.url, mid_minute(), way) as client, \
                anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(one)
        return responses

    responses = anyio.run(burst_at_second_30)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * limit + [429] * (n - limit), [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] == "30"  # the window ends at the next minute
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


def test_a_tenant_budget_holds_across_its_keys(router, storage, capped) -> None:
    keys = [new_key(storage, capped)[0] for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = [r for batch in pool.map(lambda k: burst(router, k, 10, cache=False), keys)
                   for r in batch]
    assert {r.status_code for r in results} == {200, 402}
    total = spent(storage, capped)
    assert 0 < total <= TENANT_BUDGET
    day = datetime.now(UTC).strftime("%Y%m%d")
    assert counter(storage, f"BUDGET#tenant#{capped}", f"d#{day}") == total


def test_cache_hits_count_against_the_rate_limit_but_not_the_budget(
    simulator, storage, way
) -> None:
    # The budget fits one paid request (reserved at its worst case, ~$0.00004), not two.
    tenant = f"hits-{way}"  # its own cache partition: each way starts with a miss
    key, _ = new_key(storage, tenant, rpm=3, budget=Decimal("0.00005"))

    def ask(question: str) -> dict[str, object]:
        return {"model": MODEL, "max_tokens": 60,
                "messages": [{"role": "user", "content": question}]}

    async def ask_in_turn() -> list[httpx.Response]:
        async with router_at(storage, simulator.url, mid_minute(), way) as client:
            first = await post(client, key, ask("What is your phone number?"))
            if first.status_code == 200:  # booked (and cached) before the next question
                await anyio.to_thread.run_sync(
                    lambda: storage.ledger_item(first.headers["x-request-id"], tenant=tenant))
            return [first] + [await post(client, key, ask(question)) for question in
                              ["Where is your head office?"] + ["What is your phone number?"] * 3]

    first, second, *repeats = anyio.run(ask_in_turn)
    assert first.status_code == 200 and first.headers["x-router-cache"] == "miss"
    # A new question would have to be paid for: the budget refuses it (and a refused
    # admission counts against nothing).
    assert second.status_code == 402
    # Repeats are free cache hits, served despite the spent budget, until the minute's
    # three requests are used up.
    assert [r.status_code for r in repeats] == [200, 200, 429]
    assert [r.headers.get("x-router-cache") for r in repeats[:2]] == ["exact", "exact"]
    assert repeats[2].json()["error"]["code"] == "rate_limit_exceeded"
