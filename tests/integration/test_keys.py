"""Key lifecycle end to end: ``llm-router keys`` and the admin API against the keys table
in the embedded store, and a router that must refuse revoked, rotated-out and expired
keys (at once where revoked, within the auth cache TTL elsewhere)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import RouterProcess, Storage, sim_catalog, start_router
from .test_cli import cli

pytestmark = pytest.mark.integration
TTL_S = 1.0  # the router's auth cache TTL here: revocations elsewhere land within it


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory, simulator: SimulatorProcess,
           storage: Storage) -> Iterator[RouterProcess]:
    config = tmp_path_factory.mktemp("keys") / "catalog.yaml"
    config.write_text(sim_catalog(simulator.url))
    proc = start_router(config, {**storage.env(), "LLM_ROUTER_KEY_CACHE_TTL_S": str(TTL_S)})
    yield proc
    stop_process(proc.process)


def keys(storage: Storage, *args: str) -> list[dict[str, object]]:
    done = cli("keys", *args, env=storage.env())
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def chat(router: RouterProcess, key: str, model: str = "small-model") -> httpx.Response:
    return httpx.post(f"{router.url}/v1/chat/completions", timeout=20,
                      headers={"authorization": f"Bearer {key}"},
                      json={"model": model, "cache": False,
                            "messages": [{"role": "user", "content": "Where is my order?"}]})


def test_cli_lifecycle_create_list_rotate_revoke(router: RouterProcess,
                                                 storage: Storage) -> None:
    [made] = keys(storage, "create", "--tenant", "life", "--rpm", "30", "--models",
                  "small-model,gemini-test", "--expires-in-days", "30")
    key = str(made["api_key"])
    assert made["models"] == ["small-model", "gemini-test"] and made["expires"]
    listed = keys(storage, "list", "--tenant", "life")
    assert [k["key_id"] for k in listed] == [made["key_id"]]
    assert key not in json.dumps(listed) and "api_key" not in listed[0]
    assert chat(router, key).status_code == 200
    refused = chat(router, key, "claude-test")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "model_not_allowed"

    [rotated] = keys(storage, "rotate", str(made["key_id"]))  # no grace: old key ends now
    assert rotated["replaces"]["rotated_to"] == rotated["key_id"]  # type: ignore[index]
    assert rotated["models"] == made["models"] and rotated["rpm"] == 30
    new_key = str(rotated["api_key"])
    assert chat(router, new_key).status_code == 200
    time.sleep(TTL_S + 0.2)  # the router cached the old key as valid a moment ago
    old = chat(router, key)
    assert old.status_code == 401 and "expired" in old.json()["error"]["message"]

    [revoked] = keys(storage, "revoke", str(rotated["key_id"]))
    assert revoked["revoked"]
    time.sleep(TTL_S + 0.2)
    assert chat(router, new_key).status_code == 401
    lines = keys(storage, "list", "--tenant", "life")
    assert {(k["key_id"], bool(k["revoked"])) for k in lines} == {
        (made["key_id"], False), (rotated["key_id"], True)}


def test_cli_errors_are_one_line(storage: Storage) -> None:
    for args in (["revoke", "key_000000000000"], ["rotate", "nonsense"]):
        done = cli("keys", *args, env=storage.env())
        assert done.returncode != 0 and "No API key has the id" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def admin(router: RouterProcess, key: str, method: str, path: str,
          body: dict[str, object] | None = None) -> httpx.Response:
    return httpx.request(method, f"{router.url}/v1/admin/keys{path}", json=body, timeout=10,
                         headers={"authorization": f"Bearer {key}"})


def test_admin_api_needs_an_admin_key(router: RouterProcess, storage: Storage) -> None:
    [plain] = keys(storage, "create", "--tenant", "nonadmin")
    refused = admin(router, str(plain["api_key"]), "GET", "")
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "permission_error"


def test_admin_api_revoke_is_immediate_on_this_instance(router: RouterProcess,
                                                        storage: Storage) -> None:
    [boss] = keys(storage, "create", "--tenant", "ops", "--admin")
    boss_key = str(boss["api_key"])
    made = admin(router, boss_key, "POST", "", {"tenant": "shop", "models": ["small-model"],
                                                 "rpm": 10, "expires_in_days": 1})
    assert made.status_code == 200, made.text
    key, key_id = made.json()["api_key"], made.json()["key_id"]
    assert chat(router, key).status_code == 200  # now cached as valid for TTL_S
    listed = admin(router, boss_key, "GET", "?tenant=shop").json()["data"]
    assert [k["key_id"] for k in listed] == [key_id] and key not in json.dumps(listed)

    revoked = admin(router, boss_key, "POST", f"/{key_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"]
    after = chat(router, key)  # no wait: the revoking instance forgot its cached entry
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]


def test_admin_api_rotate_and_input_errors(router: RouterProcess, storage: Storage) -> None:
    [boss] = keys(storage, "create", "--tenant", "ops2", "--admin")
    boss_key = str(boss["api_key"])
    [user] = keys(storage, "create", "--tenant", "shop2")
    rotated = admin(router, boss_key, "POST", f"/{user['key_id']}/rotate",
                    {"grace_seconds": 3600})
    assert rotated.status_code == 200, rotated.text
    assert chat(router, str(user["api_key"])).status_code == 200  # within its grace
    assert chat(router, rotated.json()["api_key"]).status_code == 200
    for body, param in (({"tenant": "bad tenant"}, "tenant"),
                        ({"tenant": "t", "models": ["no-such-model"]}, "models"),
                        ({"tenant": "t", "expires_in_days": "soon"}, "expires_in_days")):
        bad = admin(router, boss_key, "POST", "", body)
        assert bad.status_code == 400 and bad.json()["error"]["param"] == param
    assert admin(router, boss_key, "POST", "/key_000000000000/revoke").status_code == 404


def test_one_admin_notion_admin_keys_read_every_tenants_analytics(router: RouterProcess,
                                                                  storage: Storage) -> None:
    [boss] = keys(storage, "create", "--tenant", "ops3", "--admin")
    [plain] = keys(storage, "create", "--tenant", "ops4")

    def usage(key: object) -> httpx.Response:
        return httpx.get(f"{router.url}/v1/analytics/usage", params={"tenant": "life"},
                         headers={"authorization": f"Bearer {key}"}, timeout=10)

    assert usage(boss["api_key"]).status_code == 200
    assert usage(plain["api_key"]).status_code == 403
