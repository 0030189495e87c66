"""functions/router/app.py invoked the way Lambda does: Function URL events through Mangum.

The handler module is loaded from its file with the environment a deployed function
has (table names, catalog path), against moto and the simulator over real HTTP.
"""

from __future__ import annotations

import base64
import gc
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from llm_router_local.simulated import SimulatorProcess

from .conftest import TENANT, Storage, sim_catalog

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
EVENT_KEY = "sk-test-events"  # the bearer key the sample events carry


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def load_handler_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"handler_{path.parent.name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def router_handler(
    storage: Storage, simulator: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory
):
    config = tmp_path_factory.mktemp("handler") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    storage.add_key(EVENT_KEY)
    mp = pytest.MonkeyPatch()
    for name, value in {**storage.env(), "LLM_ROUTER_CONFIG_PATH": str(config)}.items():
        mp.setenv(name, value)
    module = load_handler_module(ROOT / "functions" / "router" / "app.py")
    yield module.handler
    mp.undo()


def body_of(response: dict[str, Any]) -> dict[str, Any]:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def test_health_event(router_handler) -> None:
    resp = router_handler(load_event("health.json"), None)
    assert resp["statusCode"] == 200
    assert body_of(resp) == {"status": "ok"}  # no key: nothing about the configuration


def test_no_api_docs_in_lambda_by_default(router_handler) -> None:
    for path in ("/openapi.json", "/docs"):
        event = load_event("models.json")  # carries a valid key
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        resp = router_handler(event, None)
        assert resp["statusCode"] == 404, path


def test_init_leaves_the_collector_on_with_its_objects_frozen(router_handler) -> None:
    # functions/router/app.py turns the collector off for init (llm_router.coldstart: a
    # cold-start cost) and must turn it back on, with what init built moved out of later
    # collections' way.
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000


def test_models_event(router_handler) -> None:
    resp = router_handler(load_event("models.json"), None)
    assert resp["statusCode"] == 200
    assert "small-model" in {m["id"] for m in body_of(resp)["data"]}


def test_chat_event_twice_on_one_container(router_handler, storage: Storage) -> None:
    # Two invocations on one container: the httpx client and event loop are reused.
    for _ in range(2):
        resp = router_handler(load_event("chat.json"), None)
        assert resp["statusCode"] == 200, resp
        body = body_of(resp)
        assert body["object"] == "chat.completion"
        assert body["choices"][0]["message"]["content"]
        request_id = resp["headers"]["x-request-id"]
        booked = [e for e in storage.ledger.entries(TENANT, limit=500)
                  if e["request_id"] == request_id]
        assert len(booked) == 1 and booked[0]["success"] is True


def test_bad_json_event(router_handler) -> None:
    resp = router_handler(load_event("chat_bad_json.json"), None)
    assert resp["statusCode"] == 400
    assert body_of(resp)["error"]["code"] == "invalid_json"


def test_no_auth_event(router_handler) -> None:
    resp = router_handler(load_event("chat_no_auth.json"), None)
    assert resp["statusCode"] == 401
    assert body_of(resp)["error"]["type"] == "authentication_error"


def test_batch_function_runs_both_scheduled_jobs(storage: Storage, moto_url: str) -> None:
    import boto3

    from llm_router_local.aws import LOCAL_CREDENTIALS

    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1", **LOCAL_CREDENTIALS)
    s3.create_bucket(Bucket="batch-handler")
    mp = pytest.MonkeyPatch()
    # The deployed function's environment, with a short default run for the test.
    env = {**storage.env(), "LLM_ROUTER_BUCKET": "batch-handler",
           "LLM_ROUTER_BENCHMARK_REQUESTS": "12", "LLM_ROUTER_METRICS_NAMESPACE": "LLMRouter/t"}
    for name, value in env.items():
        mp.setenv(name, value)
    try:
        module = load_handler_module(ROOT / "functions" / "benchmark_runner" / "app.py")
        schedule = load_event("schedule.json")
        snapshots = module.handler({**schedule, "job": "cache-snapshots"}, LambdaContext())
        assert "tenants" in json.dumps(snapshots)
        # The daily schedule's event: the EventBridge envelope plus the rule's input.
        bench = module.handler({**schedule, "job": "benchmark"}, LambdaContext())
        assert bench["requests"] == 12 and bench["upstream"] == "simulator"
        assert bench["s3_keys"]["results"].startswith(
            f"benchmarks/{bench['started_at'][:10].replace('-', '/')}/{bench['run_id']}/")
        stored = json.loads(s3.get_object(Bucket="batch-handler",
                                          Key=bench["s3_keys"]["results"])["Body"].read())
        assert {a["arm"].split(" (")[0] for a in stored["arms"]} == {
            "router", "router-no-cache", "always-strongest", "always-cheapest", "random-model"}
        # The bench replayed on its own tables: the stack's ledger got nothing from it.
        assert storage.ledger.entries("bench") == []
        with pytest.raises(ValueError, match="unknown job"):
            module.handler({"job": "nope"}, LambdaContext())
    finally:
        mp.undo()


class LambdaContext:
    """What Powertools' inject_lambda_context reads from a real context."""

    function_name = "benchmark-runner"
    memory_limit_in_mb = 1769
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:benchmark-runner"
    aws_request_id = "test-request"


def test_the_stream_relays_factory_builds_the_same_app_inside_lambda_init(
    storage: Storage, simulator: SimulatorProcess, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # functions/stream_relay/run.sh: uvicorn --factory llm_router.coldstart:relay_app.
    import dataclasses

    from starlette.testclient import TestClient

    from llm_router.coldstart import relay_app

    config = tmp_path / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    storage.add_key("sk-test-relay")
    for name, value in {**storage.env(), "LLM_ROUTER_CONFIG_PATH": str(config)}.items():
        monkeypatch.setenv(name, value)
    app = relay_app()
    assert gc.isenabled() and "exec" not in vars(dataclasses)  # init's patches are gone
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
        models = client.get("/v1/models", headers={"authorization": "Bearer sk-test-relay"})
        assert models.status_code == 200
        assert "small-model" in {m["id"] for m in models.json()["data"]}
