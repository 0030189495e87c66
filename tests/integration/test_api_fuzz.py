"""Schema-driven fuzzing of every route of the real router (uvicorn, moto, simulator):
schemathesis generates requests from the router's own OpenAPI description (read with
the admin key), valid and invalid; no answer may be a 500, and every error must be in
OpenAI's shape. ``bench/fuzz_api.py`` runs the same idea for thousands of requests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from llm_router.local.processes import stop_process
from llm_router.local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, sim_catalog, start_router

pytestmark = pytest.mark.integration
ADMIN_KEY = "sk-dev-fuzz"  # serve's --dev-key: tenant dev, the local admin tenant
AUTH = {"authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def fuzz_router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
                storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("fuzz") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url, timeout_s=2.0))
    proc = start_router(config, storage.env(), dev_key=ADMIN_KEY)
    yield proc
    stop_process(proc.process)


@pytest.fixture(scope="module")
def api_schema(fuzz_router: RouterProcess) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz_router.url}/openapi.json", headers=AUTH)


def openai_error_shape(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and {"message", "type", "param", "code"} <= set(error)


def test_no_route_answers_500_or_an_error_outside_openai_shape(api_schema, fuzz_router) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    cases = st.one_of(api_schema.as_strategy(GenerationMode.POSITIVE),
                      api_schema.as_strategy(GenerationMode.NEGATIVE))

    # (schemathesis' own pytest integration does not run on pytest 9; its strategies do)
    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases)
    def check(case: Any) -> None:
        seen[(case.method, case.path)] += 1
        case.headers = {**(case.headers or {}), **AUTH}  # past authentication, always
        resp = case.call(base_url=fuzz_router.url, headers=AUTH, timeout=60)
        assert resp.status_code != 500, f"{case.method} {case.path}: {resp.text}"
        if resp.status_code >= 400:
            assert openai_error_shape(resp.json()), f"{case.method} {case.path}: {resp.text}"

    check()
    operations = {(m.upper(), p) for p, ops in api_schema.raw_schema["paths"].items()
                  for m in ops}
    assert operations <= set(seen), operations - set(seen)


def test_every_route_is_in_the_schema(api_schema) -> None:
    paths = set(api_schema.raw_schema["paths"])
    assert {"/health", "/v1/models", "/v1/chat/completions", "/v1/cache/stats"} <= paths
    body = api_schema.raw_schema["paths"]["/v1/chat/completions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/ChatRequest")
