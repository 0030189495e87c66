"""Cache scope: every key of a tenant shares answers (default), or each key has its own
(``cache.scope: key``, or per tenant in ``cache.tenant_scopes``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, sim_catalog, start_router

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("scope") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url) + "cache:\n  tenant_scopes: {solo: key}\n")
    for key, tenant in (("sk-scope-shared-1", "shared"), ("sk-scope-shared-2", "shared"),
                        ("sk-scope-solo-1", "solo"), ("sk-scope-solo-2", "solo")):
        storage.add_key(key, tenant=tenant)
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)


def cache_status(router: RouterProcess, key: str, question: str) -> str:
    resp = httpx.post(f"{router.url}/v1/chat/completions", timeout=20,
                      headers={"authorization": f"Bearer {key}"},
                      json={"model": "small-model",
                            "messages": [{"role": "user", "content": question}]})
    assert resp.status_code == 200, resp.text
    return resp.headers["x-router-cache"]


def test_tenant_scope_shares_answers_between_keys(router: RouterProcess) -> None:
    question = "What are your opening hours on public holidays?"
    assert cache_status(router, "sk-scope-shared-1", question) == "miss"
    assert cache_status(router, "sk-scope-shared-2", question) == "exact"


def test_key_scope_keeps_each_keys_answers_to_itself(router: RouterProcess) -> None:
    question = "Do you ship to Norway and how long does it take?"
    assert cache_status(router, "sk-scope-solo-1", question) == "miss"
    assert cache_status(router, "sk-scope-solo-2", question) == "miss"
    assert cache_status(router, "sk-scope-solo-1", question) == "exact"
    assert cache_status(router, "sk-scope-solo-2", question) == "exact"
