"""The router end to end: official openai client -> uvicorn -> simulator, ledger in moto."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
import openai
import pytest

from llm_router.catalog import load_catalog
from llm_router.pricing import cost_of
from llm_router.schema import Usage

from .conftest import TENANT, RouterProcess, Storage
from .openai_clients import openai_client

pytestmark = pytest.mark.integration
KEY = "sk-test-acme"


def client(router: RouterProcess, key: str = KEY) -> openai.OpenAI:
    return openai_client(f"{router.url}/v1", key, timeout=20)



def post(router: RouterProcess, body: bytes | str, key: str | None = KEY) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return httpx.post(f"{router.url}/v1/chat/completions", content=body, headers=headers,
                      timeout=20)


def assert_openai_error(resp: httpx.Response, status: int, *, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert {"message", "type", "param", "code"} <= set(err)
    assert err["message"] and "Traceback" not in err["message"]
    if code is not None:
        assert err["code"] == code
    return err


@pytest.mark.parametrize("model", ["small-model", "claude-test", "gemini-test", "bedrock-test"])
def test_each_wire_format_answers_and_is_booked_at_catalog_price(
    router: RouterProcess, storage: Storage, tmp_path_factory: pytest.TempPathFactory, model: str
) -> None:
    raw = client(router).chat.completions.with_raw_response.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are a support agent for a bike shop."},
            {"role": "user", "content": "Do you repair carbon frames?"},
        ],
        max_tokens=100,
    )
    completion = raw.parse()
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert raw.headers["x-router-model"] == model
    assert raw.headers["x-request-id"].startswith("req_")
    assert "upstream;dur=" in raw.headers["server-timing"]

    item = storage.ledger_item(raw.headers["x-request-id"])
    assert item["success"] is True and item["status"] == 200
    assert item["model"] == model and item["provider"] == raw.headers["x-router-provider"]
    assert item["prompt_tokens"] == completion.usage.prompt_tokens
    assert item["completion_tokens"] == completion.usage.completion_tokens
    assert item["usage_source"] == "reported"
    # Cost is price x reported usage, exact in Decimal, and the header says the same.
    catalog_model = _catalog_model(router, model)
    expected = cost_of(
        Usage.of(completion.usage.prompt_tokens, completion.usage.completion_tokens,
                 cached=int(item["cached_tokens"])),
        catalog_model,
    )
    assert Decimal(item["cost_usd"]) == expected
    assert Decimal(raw.headers["x-router-cost-usd"]) == expected
    assert expected > 0


def _catalog_model(router: RouterProcess, name: str):
    config = router.process.args[router.process.args.index("--config") + 1]
    return load_catalog(config).models[name]


def test_provider_slash_model_addressing(router: RouterProcess) -> None:
    raw = client(router).chat.completions.with_raw_response.create(
        model="simanthropic/claude-up", messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.headers["x-router-model"] == "claude-test"
    assert raw.headers["x-router-provider"] == "simanthropic"


def test_models_lists_the_catalog(router: RouterProcess) -> None:
    ids = {m.id for m in client(router).models.list()}
    assert {"small-model", "claude-test", "gemini-test"} <= ids


def test_health_says_only_ok_without_a_key(router: RouterProcess) -> None:
    resp = httpx.get(f"{router.url}/health", timeout=5)
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}
    wrong = httpx.get(f"{router.url}/health", timeout=5,
                      headers={"authorization": "Bearer sk-wrong"})
    assert wrong.json() == {"status": "ok"}
    keyed = httpx.get(f"{router.url}/health", timeout=5,
                      headers={"authorization": f"Bearer {KEY}"})
    assert keyed.json()["providers"]["nokey"] == "no key"


def test_api_docs_are_hidden_from_keys_that_are_not_admin(router: RouterProcess) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        for headers in ({}, {"authorization": f"Bearer {KEY}"}):
            resp = httpx.get(f"{router.url}{path}", timeout=5, headers=headers)
            assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


def test_rollup_counts_requests_and_cost(router: RouterProcess, storage: Storage) -> None:
    from llm_router.ledger import now_utc

    c = client(router)
    for _ in range(2):
        c.chat.completions.create(model="gemini-test",
                                  messages=[{"role": "user", "content": "ping"}])
    entries = [e for e in storage.ledger.entries(TENANT, limit=500) if e["model"] == "gemini-test"]
    rollup = storage.ledger.rollup(now_utc().strftime("%Y-%m-%d"), TENANT)["gemini-test"]
    assert int(rollup["requests"]) == len(entries)
    assert Decimal(rollup["cost_usd"]) == sum((Decimal(e["cost_usd"]) for e in entries),
                                              Decimal(0))


# --- bad input: right status, OpenAI error shape, and still booked -------------------


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        (b"{not json", 400, None),
        (b"", 400, None),
        (b"[1, 2]", 400, None),
        (json.dumps({"model": "small-model"}), 400, "messages"),
        (json.dumps({"model": "small-model", "messages": []}), 400, "messages"),
        (json.dumps({"model": "small-model", "messages": "hello"}), 400, "messages"),
        (json.dumps({"model": 42, "messages": [{"role": "user", "content": "x"}]}), 400, "model"),
        (json.dumps({"model": "small-model", "messages": [{"role": "user", "content": "x"}],
                     "temperature": "hot"}), 400, "temperature"),
        (json.dumps({"model": "small-model", "messages": [{"role": "wizard", "content": "x"}]}),
         400, None),
        (json.dumps({"model": "no-such-model", "messages": [{"role": "user", "content": "x"}]}),
         404, "model"),
        # each of these was a 500 (or a 503 from storage) before the input limits
        (b'{"model":"small-model","messages":' + b"[" * 1000 + b"]" * 1000 + b"}", 400, None),
        (b'{"model":"small-model","messages":[],"seed":' + b"7" * 5000 + b"}", 400, "seed"),
        (b'{"model":"small-model","messages":[{"role":"user","content":"x"}],"user":"\\ud800"}',
         400, "user"),
        (json.dumps({"model": "m" * 60_000, "messages": [{"role": "user", "content": "x"}]}),
         400, "model"),
        (json.dumps({"model": "small-model", "messages": [{"role": "user", "content": "x"}],
                     "stream": "yes"}), 400, "stream"),
    ],
)
def test_bad_input_is_a_clear_error_and_is_booked(
    router: RouterProcess, storage: Storage, body: bytes | str, status: int, param: str | None
) -> None:
    resp = post(router, body)
    err = assert_openai_error(resp, status)
    if param is not None:
        assert err["param"] is not None and err["param"].startswith(param), err
    item = storage.ledger_item(resp.headers["x-request-id"])
    assert item["success"] is False and item["status"] == status
    assert item["error_code"] == err["code"]


def test_oversized_body_is_413_and_booked(router: RouterProcess, storage: Storage) -> None:
    big = json.dumps({"model": "small-model",
                      "messages": [{"role": "user", "content": "x" * 70_000}]})
    resp = post(router, big)
    assert_openai_error(resp, 413, code="request_too_large")
    assert storage.ledger_item(resp.headers["x-request-id"])["status"] == 413


def test_a_chunked_body_is_limited_while_it_is_read(router: RouterProcess,
                                                    storage: Storage) -> None:
    def chunks():  # no Content-Length: the router must count as it reads
        yield b'{"model": "small-model", "messages": [{"role": "user", "content": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}]}'

    resp = httpx.post(f"{router.url}/v1/chat/completions", content=chunks(), timeout=20,
                      headers={"authorization": f"Bearer {KEY}",
                               "content-type": "application/json"})
    assert_openai_error(resp, 413, code="request_too_large")
    assert storage.ledger_item(resp.headers["x-request-id"])["status"] == 413


def test_sub_micro_dollar_costs_are_booked(router: RouterProcess, storage: Storage) -> None:
    # A 5-token prompt and 1 token out on gemini-test cost about $0.0000009: Decimal
    # prints that as 9E-7, which the embedded storage used to refuse (503).
    for _ in range(3):
        resp = post(router, json.dumps({"model": "gemini-test", "max_tokens": 1, "messages": [
            {"role": "user", "content": "hi"}]}))
        assert resp.status_code == 200, resp.text
        cost = Decimal(resp.headers["x-router-cost-usd"])
        assert 0 < cost < Decimal("0.000001")
        assert Decimal(str(storage.ledger_item(resp.headers["x-request-id"])["cost_usd"])) \
            == cost


@pytest.mark.parametrize("key", [None, "sk-wrong", "Basic abc"])
def test_missing_or_wrong_key_is_401(router: RouterProcess, key: str | None) -> None:
    headers = {"content-type": "application/json"}
    if key == "Basic abc":
        headers["authorization"] = key
    elif key:
        headers["authorization"] = f"Bearer {key}"
    resp = httpx.post(f"{router.url}/v1/chat/completions", headers=headers, timeout=10,
                      content=json.dumps({"model": "small-model",
                                          "messages": [{"role": "user", "content": "x"}]}))
    assert_openai_error(resp, 401, code="invalid_api_key")


def test_official_client_raises_its_own_error_types(router: RouterProcess) -> None:
    with pytest.raises(openai.AuthenticationError):
        client(router, "sk-nope").models.list()
    with pytest.raises(openai.NotFoundError):
        client(router).chat.completions.create(
            model="gpt-99", messages=[{"role": "user", "content": "x"}])


def test_provider_without_key_is_503_with_attempts(router: RouterProcess) -> None:
    resp = post(router, json.dumps({"model": "orphan-model",
                                    "messages": [{"role": "user", "content": "x"}]}))
    err = assert_openai_error(resp, 503, code="all_providers_failed")
    assert err["attempts"][0]["code"] == "provider_not_configured"


# --- upstream faults ---------------------------------------------------------------


@pytest.fixture
def fault(simulator, storage: Storage):
    # count -1: the fault lasts the whole test, so the router's retry meets it too.
    def inject(provider: str, mode: str, count: int = -1) -> None:
        resp = httpx.post(f"{simulator.url}/_sim/faults", timeout=5,
                          json={"provider": provider, "mode": mode, "count": count})
        resp.raise_for_status()

    yield inject
    httpx.delete(f"{simulator.url}/_sim/faults", timeout=5)
    # The failures may have opened the target's circuit breaker; close it for the next
    # test (docs/resilience.md), and let the router's breaker cache expire.
    table = storage.settings.counters_table
    found = storage.client.query(TableName=table, KeyConditionExpression="pk = :pk",
                                 ExpressionAttributeValues={":pk": {"S": "BREAKER"}})
    for item in found["Items"]:
        storage.client.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
    time.sleep(2.1)


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("500", 502, "all_providers_failed"),
        ("malformed", 502, "all_providers_failed"),
        ("timeout", 504, "upstream_timeout"),
    ],
)
def test_upstream_fault_maps_to_gateway_status_and_is_booked(
    router: RouterProcess, storage: Storage, fault, mode: str, status: int, code: str
) -> None:
    fault("simopenai", mode)
    resp = post(router, json.dumps({"model": "small-model",
                                    "messages": [{"role": "user", "content": "hello"}]}))
    err = assert_openai_error(resp, status, code=code)
    assert "simopenai" in err["message"]
    item = storage.ledger_item(resp.headers["x-request-id"])
    assert item["success"] is False and item["status"] == status
    assert item["attempts"][0]["provider"] == "simopenai"
    assert item["attempts"][0]["outcome"] != "ok"
    assert item["cost_usd"] == 0


# --- model: auto ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "strong"),
    [
        ("What time do you open on Saturdays?", False),
        ("A train leaves at 3pm at 80 km/h and a second one follows at 4pm at 100 km/h on "
         "the same track. When and where does the second catch up? Show each step.", True),
    ],
)
def test_auto_routes_by_tier_and_books_the_decision(
    router: RouterProcess, storage: Storage, question: str, strong: bool
) -> None:
    raw = client(router).chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": question}], max_tokens=50)
    tier = raw.headers["x-router-tier"]
    reason = raw.headers["x-router-reason"]
    assert reason.startswith("auto: tier ") and "classifier:" in reason
    assert "classify;dur=" in raw.headers["server-timing"]
    assert (tier in ("complex", "reasoning")) is strong, (tier, reason)
    item = storage.ledger_item(raw.headers["x-request-id"])
    assert item["tier"] == tier and item["reason"] == reason
    assert item["requested_model"] == "auto" and item["model"] == raw.headers["x-router-model"]


def test_auto_respects_allowed_models_and_cost_cap(router: RouterProcess) -> None:
    raw = client(router).chat.completions.with_raw_response.create(
        model="auto", messages=[{"role": "user", "content": "hours on sunday?"}],
        extra_body={"allowed_models": ["gemini-test"]})
    assert raw.headers["x-router-model"] == "gemini-test"
    resp = post(router, json.dumps({
        "model": "auto", "messages": [{"role": "user", "content": "hours on sunday?"}],
        "max_tokens": 1000, "max_cost_usd": 1e-9}))
    err = assert_openai_error(resp, 400, code="no_route")
    assert "max_cost_usd" in err["message"]


def test_explicit_model_over_max_cost_is_refused_before_the_call(router: RouterProcess) -> None:
    resp = post(router, json.dumps({
        "model": "claude-test", "messages": [{"role": "user", "content": "hello"}],
        "max_tokens": 4000, "max_cost_usd": 0.001}))
    assert_openai_error(resp, 400, code="max_cost_exceeded")
