"""Free tiers used up: the router fails over to paid candidates of the same tier, then to
a stronger tier, and answers 503 (OpenAI's shape, Retry-After) only when no candidate at
all can serve. Through the app in process, over the embedded store and the simulator
on 127.0.0.1; each served request's ledger item books the model and provider that served.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import Catalog, parse_catalog
from llm_router.classifier.runtime import Classification
from llm_router.classifier.tiers import TIERS, Tier
from llm_router.complexity import TierPicker
from llm_router.embedding.minilm import shared_embedder
from llm_router.ledger import now_utc
from llm_router.resilience.quota import quota_ops
from llm_router.storage.counters import DynamoCounters
from llm_router_local.benchmark.upstream import simulated_providers

from .conftest import TENANT, Storage

pytestmark = pytest.mark.integration
KEY = "sk-test-failover-tiers"


class CertainClassifier:
    """A classifier sure of one tier, whatever the text."""

    under_cost = 1.0

    def __init__(self, tier: Tier):
        self.tier = tier

    def classify(self, text: str, embedding: Any) -> Classification:
        return Classification(self.tier, 1.0, tuple(float(t == self.tier) for t in TIERS))


class FixedTier(TierPicker):
    """The router's tier picker with the classifier's answer fixed, so the test decides
    which tier a request needs. Its embedder is the one the loaded picker has (MiniLM):
    the semantic cache embeds with it, and routing reuses that embedding."""

    def __init__(self, tier: Tier):
        super().__init__(shared_embedder(), CertainClassifier(tier))


def catalog(free: list[str], simple_paid: list[str], moderate: list[str],
            failover_tiers: int = 1) -> Catalog:
    """One provider per model on the simulator. ``free`` models: price 0, a free tier of
    one request a day each. Free-tier usage is read once for scoring (a long cache TTL),
    as an instance under load sees it: stale, so free tiers another instance used up
    still rank first (those this instance found full rank last)."""
    providers: dict[str, Any] = {}
    models: dict[str, Any] = {}
    for name in free + simple_paid + moderate:
        providers[name] = {"kind": "openai", "base_url": f"http://simulator/{name}/v1",
                           "api_key": "sim-key"}
        paid = name not in free
        models[name] = {"provider": name, "upstream_model": "up-small",
                        "input_per_mtok": 0.15 if paid else 0,
                        "output_per_mtok": 0.60 if paid else 0,
                        "tiers": ["moderate"] if name in moderate else ["simple"]}
        if not paid:
            providers[name]["free_tier"] = {"requests_per_day": 1, "tenant_share": 1.0}
    return parse_catalog({
        "providers": providers, "models": models,
        "routing": {"tiers": {"simple": free + simple_paid, "moderate": moderate},
                    "failover_tiers": failover_tiers},
        "resilience": {"quota_cache_ttl_s": 3600, "retry": {"max_targets": 4}},
    })


def ask_all(storage: Storage, cat: Catalog, count: int,
            after_first: Callable[[], None] | None = None) -> list[httpx.Response]:
    """``count`` requests through one app, in turn; ``after_first`` runs between the
    first and the second (say, another instance using free tiers up)."""
    async def go() -> list[httpx.Response]:
        async with simulated_providers(cat) as sim:
            services = build_services(storage.settings, http=sim.http, catalog=sim.catalog,
                                      dynamodb=storage.client, mode="simulated",
                                      tiers=FixedTier("simple"), load_tiers=False)
            return await ask(create_app(services), count, after_first)

    return anyio.run(go)


async def ask(app: Any, count: int,
              after_first: Callable[[], None] | None = None) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://r") as c:
        for i in range(count):
            if i == 1 and after_first is not None:
                after_first()
            out.append(await c.post(
                "/v1/chat/completions", timeout=30,
                headers={"authorization": f"Bearer {KEY}"},
                json={"model": "auto", "max_tokens": 20, "cache": False,
                      "messages": [{"role": "user", "content": "Where is my order?"}]}))
    return out


@pytest.fixture(scope="module", autouse=True)
def _key(storage: Storage) -> None:
    storage.add_key(KEY)


def names(*parts: str) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    return [f"{p}-{tag}" for p in parts]


def check_booked(storage: Storage, resp: httpx.Response) -> dict[str, Any]:
    """The ledger item books what served: model, provider and the header's cost."""
    item = storage.ledger_item(resp.headers["x-request-id"], TENANT)
    assert item["model"] == resp.headers["x-router-model"]
    assert item["provider"] == resp.headers["x-router-provider"]
    assert Decimal(str(item["cost_usd"])) == Decimal(resp.headers["x-router-cost-usd"]) > 0
    assert item["attempts"][-1]["outcome"] == "ok"
    assert item["attempts"][-1]["model"] == item["model"]
    return item


def test_used_up_free_tiers_beyond_max_targets_fail_over_to_a_paid_model(
        storage: Storage) -> None:
    # Five free candidates rank ahead of the paid one, one more than max_targets: the
    # skips must not use up the request's four calls. The first request reads the free
    # tiers (all room) and f0 serves it; another instance then uses f1-f4 up, so the
    # second request, scoring on that stale read, skips all five and the paid one serves.
    # The third scores the five full (each refusal marked its counter) and goes straight
    # to the paid one.
    free = names("f0", "f1", "f2", "f3", "f4")
    paid, strong = names("paid", "strong")
    cat = catalog(free, [paid], [strong])

    def another_instance_uses_them_up() -> None:
        counters = DynamoCounters(storage.client, storage.settings.counters_table)
        for name in free[1:]:
            counters.reserve(quota_ops(cat.providers[name], cat.models[name], 0, now_utc(),
                                       TENANT))

    responses = ask_all(storage, cat, 3, another_instance_uses_them_up)
    assert [r.status_code for r in responses] == [200] * 3, responses[-1].text
    assert responses[0].headers["x-router-model"] == free[0]
    skipped = []
    for resp in responses[1:]:
        assert resp.headers["x-router-model"] == paid  # same tier before a stronger one
        assert resp.headers["x-router-tier"] == "simple"
        item = check_booked(storage, resp)
        skipped.append([a["outcome"] for a in item["attempts"][:-1]])
    assert skipped == [["free_tier_exhausted"] * 5, []]


def test_a_used_up_tier_fails_over_to_the_next_stronger_tier(storage: Storage) -> None:
    free = names("g0", "g1")
    (strong,) = names("strong")
    responses = ask_all(storage, catalog(free, [], [strong]), 3)
    assert [r.status_code for r in responses] == [200] * 3, responses[-1].text
    assert responses[2].headers["x-router-model"] == strong
    # The tier actually served, in the header and the ledger; the reason says it climbed.
    assert responses[2].headers["x-router-tier"] == "moderate"
    reason = responses[2].headers["x-router-reason"]
    assert reason.startswith("auto: tier simple") and "(tier moderate)" in reason
    assert f"failed over to {strong}" in reason
    assert check_booked(storage, responses[2])["tier"] == "moderate"


def test_no_candidate_left_is_503_in_openai_shape_with_retry_after(storage: Storage) -> None:
    free = names("h0", "h1")
    (strong,) = names("strong")
    responses = ask_all(storage, catalog(free, [], [strong], failover_tiers=0), 3)
    assert [r.status_code for r in responses] == [200, 200, 503]
    last = responses[2]
    err = last.json()["error"]
    assert err["code"] == "all_providers_failed" and err["type"] == "upstream_error"
    assert "No provider can serve this request now" in err["message"]
    assert [a["code"] for a in err["attempts"]] == ["free_tier_exhausted"] * 2
    # Both free tiers are per day: back at the next UTC midnight.
    assert 1 <= int(last.headers["retry-after"]) <= 86400
    item = storage.ledger_item(last.headers["x-request-id"], TENANT)
    assert item["status"] == 503 and Decimal(str(item["cost_usd"])) == 0
