"""Fault injection through the real router: the simulator scripts 5xx bursts, 429s,
timeouts, resets, malformed bodies and outages; the ledger is read back from moto.

Target: no failed client request while one candidate is healthy, one ledger item per
request with its attempts inside, and a dead provider that only sees breaker probes.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import TENANT, RouterProcess, Storage, start_router
from .resilience_setup import calls_to, fault, pair_catalog, unique

pytestmark = pytest.mark.integration
KEY = "sk-test-resilience"
NAMES = {n: unique(n) for n in ("burst", "limited", "slow", "reset", "broken", "down",
                                 "blip")}
FREE = unique("free")


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("resilience") / "catalog.yaml"
    config.write_text(pair_catalog(simulator.url, list(NAMES.values()), free=FREE))
    storage.add_key(KEY)
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)


def ask(router: RouterProcess, model: str) -> httpx.Response:
    return httpx.post(f"{router.url}/v1/chat/completions", timeout=30,
                      headers={"authorization": f"Bearer {KEY}"},
                      json={"model": model, "max_tokens": 20,
                            "messages": [{"role": "user", "content": "Where is my order?"}]})


def booked(storage: Storage, resp: httpx.Response) -> dict:
    rid = resp.headers["x-request-id"]
    items = [e for e in storage.ledger.entries(TENANT, limit=1000) if e["request_id"] == rid]
    assert len(items) == 1, f"{len(items)} ledger items for {rid}"
    return items[0]


def outcomes(item: dict) -> list[tuple[str, str]]:
    return [(a["provider"], a["outcome"]) for a in item["attempts"]]


@pytest.mark.parametrize(
    ("key", "mode", "outcome"),
    # A refused or reset connection is retried the way a 5xx is, before any failover.
    [("burst", "500", "upstream_500"), ("blip", "reset", "upstream_connection_error")],
)
def test_a_passing_failure_is_retried_on_the_same_provider(
    router, storage, simulator, key: str, mode: str, outcome: str
) -> None:
    name = NAMES[key]
    fault(simulator.url, f"{name}-a", mode, count=1)
    resp = ask(router, name)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-router-provider"] == f"{name}-a"
    item = booked(storage, resp)
    assert outcomes(item) == [(f"{name}-a", outcome), (f"{name}-a", "ok")]
    assert item["success"] is True and item["cost_usd"] > 0


def test_429_retry_after_is_honoured(router, storage, simulator) -> None:
    name = NAMES["limited"]
    fault(simulator.url, f"{name}-a", "429", count=1, retry_after=1)
    resp = ask(router, name)
    assert resp.status_code == 200, resp.text
    item = booked(storage, resp)
    assert outcomes(item) == [(f"{name}-a", "upstream_429"), (f"{name}-a", "ok")]


@pytest.mark.parametrize(
    ("key", "mode", "calls_to_a"),
    [("slow", "timeout", 2), ("reset", "reset", 2), ("broken", "malformed", 2)],
)
def test_a_failing_provider_fails_over_to_the_same_model_elsewhere(
    router, storage, simulator, key: str, mode: str, calls_to_a: int
) -> None:
    name = NAMES[key]
    fault(simulator.url, f"{name}-a", mode)
    resp = ask(router, name)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-router-provider"] == f"{name}-b"
    assert resp.headers["x-router-model"] == f"{name}-backup"
    assert "failed over to" in resp.headers["x-router-reason"]
    item = booked(storage, resp)
    assert [p for p, _ in outcomes(item)] == [f"{name}-a"] * calls_to_a + [f"{name}-b"]
    assert outcomes(item)[-1][1] == "ok" and item["model"] == f"{name}-backup"
    assert calls_to(simulator.url, f"{name}-a") == calls_to_a


def test_a_provider_down_for_the_whole_test_only_sees_breaker_probes(
    router, storage, simulator
) -> None:
    name = NAMES["down"]
    fault(simulator.url, f"{name}-a", "down")
    statuses = [ask(router, name).status_code for _ in range(25)]
    assert statuses == [200] * 25
    # Two tries on the first request, one on the second: the third failure opens the
    # breaker (threshold 3) and the next 23 requests go straight to the backup.
    assert calls_to(simulator.url, f"{name}-a") == 3
    assert calls_to(simulator.url, f"{name}-b") == 25


def test_free_quota_exhausted_mid_run_fails_over_without_a_failed_request(
    router, storage, simulator
) -> None:
    served = []
    for _ in range(8):
        resp = ask(router, FREE)
        assert resp.status_code == 200, resp.text
        served.append(resp.headers["x-router-provider"])
    assert served == [FREE] * 5 + [f"{FREE}-paid"] * 3
    # The router stopped before the free provider could answer 429.
    assert calls_to(simulator.url, FREE) == 5
    item = booked(storage, resp)
    assert outcomes(item)[0] == (FREE, "free_tier_exhausted")
