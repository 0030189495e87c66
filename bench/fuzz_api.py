"""Fuzz the running router over HTTP and count what must never happen.

Starts ``llm-router serve --simulate on`` (embedded storage, provider simulator) with a
dev key, loads its OpenAPI description with that key, and sends N requests:
schemathesis-generated cases for every route (valid and invalid by the schema), plus
hostile raw bodies for the chat route (deep nesting, huge numbers, lone surrogates,
wrong types, values out of their documented range, broken JSON, oversized model
names), valid chat requests to every catalog model and ``auto`` (buffered and
streamed), and streams the client hangs up on after the first line. Counts:

  status_500   responses with status 500 (target: 0)
  other_5xx    502/503/504 (legitimate only as upstream failures)
  bad_shape    error responses (>= 400) not in OpenAI's {"error": {message, type,
               param, code}} shape (target: 0)
  transport    requests that got no HTTP response at all (a reset connection)
  unbooked     chat requests sent with the budgeted key minus its ledger items
               (every authenticated request is booked once; target: 0)
  leaked_usd   that key's daily budget counter minus the cost its ledger items book:
               a reservation not settled or released (target: 0)
  admin_refused  admin-route cases sent with the admin key and answered 403: cases that
               never reached the admin code (target: 0)
  user_admitted  admin-route cases sent with the plain key and not answered 403 (or 401):
               a key without the admin flag let in (target: 0)

The chat route is fuzzed with a key of its own (tenant ``fuzz``, a daily budget), so its
books can be read back from the embedded store this script starts and checked at the end.
Every other route's cases go, drawn at random, with an admin key (``admin`` flag, tenant
``fuzz-admin``: the admin API's code is fuzzed) or with the dev key (tenant ``dev``, no
admin flag: what a non-admin key may reach); ``by_route`` counts statuses per route and
key.

Usage (dev dependencies; about 10 requests/s per core on a quiet machine):
    .venv/bin/python bench/fuzz_api.py --requests 1000 --out bench/results/fuzz.json
Exits non-zero when any 500, bad shape, transport error, unbooked request, leaked
reservation, refused admin case or admitted non-admin case was seen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger
from llm_router_local.aws import create_resources, find_template, start_embedded_aws
from llm_router_local.processes import spawn, stop_process, wait_for_line

KEY = "sk-lr-fuzz-dev"  # serve's --dev-key: reads /openapi.json, no admin flag
ADMIN_KEY = "sk-lr-fuzz-admin"
ADMIN_TENANT = "fuzz-admin"
CHAT_KEY = "sk-lr-fuzz-chat"
CHAT_TENANT = "fuzz"
CHAT_BUDGET = Decimal(1000)  # never refuses: what is checked is the booking, not the limit
LOCAL_ENV = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
CHAT = "/v1/chat/completions"
ADMIN_PREFIX = "/v1/admin/"
UNROUTED = ("not_found", "method_not_allowed")  # Starlette's own: no handler was reached
USER = [{"role": "user", "content": "hi"}]


def _error_code(resp: Any) -> Any:
    try:
        return resp.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def openai_shaped(resp: Any) -> bool:
    """An httpx or requests response whose body is OpenAI's error shape."""
    try:
        error = resp.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return (isinstance(error, dict) and {"message", "type", "param", "code"} <= set(error)
            and isinstance(error["message"], str) and isinstance(error["type"], str))


def hostile_bodies() -> st.SearchStrategy[bytes]:
    """Bodies a schema-driven generator does not write: broken, deep, huge, odd."""
    deep = st.integers(50, 5000).map(lambda d: b'{"model":"m","messages":' + b"[" * d
                                     + b"]" * d + b"}")
    big_number = st.integers(30, 6000).map(
        lambda n: b'{"model":"m","messages":[],"max_tokens":' + b"9" * n + b"}")
    surrogate = st.sampled_from(["user", "model", "content"]).map(lambda f: (
        b'{"model":"m","messages":[{"role":"user","content":"x"}],"%s":"\\ud800"}'
        % f.encode()) if f != "content" else
        b'{"model":"m","messages":[{"role":"user","content":"\\udfff"}]}')
    wrong_type = st.sampled_from([
        {"model": "m", "messages": USER, "stream": "yes"},
        {"model": "m", "messages": USER, "max_tokens": "10"},
        {"model": "m", "messages": USER, "max_tokens": 1.5},
        {"model": ["m"], "messages": USER},
        {"model": "m", "messages": "hi"},
        {"model": "m", "messages": USER, "temperature": None, "n": 2},
        {"model": "m" * 600_000, "messages": USER},
        {"model": "auto", "messages": USER * 2000},
    ]).map(lambda b: json.dumps(b).encode())
    # Well-formed requests with a value outside its documented range (docs/wire-formats.md,
    # "Request values"): a 400 naming the field, before admission.
    out_of_range = st.sampled_from([
        ("max_tokens", 10**30), ("max_tokens", 0), ("max_completion_tokens", 10**39 - 1),
        ("seed", 2**64), ("logit_bias", {"50256": 101}), ("logit_bias", {"x": 1}),
        ("top_logprobs", 21), ("metadata", {str(i): "v" for i in range(17)}),
        ("temperature", 2.01), ("top_p", -0.5), ("presence_penalty", 3), ("n", 5),
    ]).map(lambda fv: json.dumps({"model": "auto", "messages": USER, fv[0]: fv[1]}).encode())
    junk = st.binary(max_size=2000)
    any_json = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                     max_size=5),
        max_leaves=30).map(lambda v: json.dumps(v).encode())
    return st.one_of(deep, big_number, surrogate, wrong_type, out_of_range, junk, any_json)


def valid_bodies(models: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Requests that reach a provider (so reserve and settle a budget): a catalog model or
    ``auto``, random text, random options, streamed or not."""
    message = st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant"]),
                                     "content": st.text(min_size=1, max_size=300)})
    return st.fixed_dictionaries(
        {"model": st.sampled_from([*models, "auto"]),
         "messages": st.lists(message, min_size=1, max_size=4).map(
             lambda ms: [*ms, {"role": "user", "content": "and?"}])},
        optional={"max_tokens": st.integers(1, 300), "stream": st.booleans(),
                  "temperature": st.floats(0, 2), "cache": st.booleans(),
                  "optimize_for": st.sampled_from(["cost", "latency", "quality"]),
                  "stream_options": st.just({"include_usage": True})})


def start_router(endpoint: str) -> tuple[Any, str]:
    env = {**os.environ, "LLM_ROUTER_AWS_ENDPOINT_URL": endpoint, **LOCAL_ENV}
    proc = spawn([sys.executable, "-m", "llm_router_local.cli", "serve", "--port", "0",
                  "--simulate", "on", "--dev-key", KEY], {**env, "PYTHONUNBUFFERED": "1"})
    line = wait_for_line(proc, "llm-router listening on ", 180)
    return proc, line.split("listening on ", 1)[1].strip()


class Books:
    """The chat route's key (tenant ``fuzz``, a daily budget) in the embedded store, and
    what its ledger and budget counter hold."""

    def __init__(self, endpoint: str):
        self.settings = RouterSettings(aws_endpoint_url=endpoint)
        create_resources(self.settings, find_template())
        self.client = make_dynamodb_client(self.settings)
        key_hash = hash_key(CHAT_KEY)
        self.key_id = key_id_of(key_hash)
        keys = DynamoKeyStore(self.client, self.settings.keys_table)
        created = datetime.now(UTC).isoformat()
        keys.put(ApiKey(key_hash, self.key_id, CHAT_TENANT, created,
                        daily_budget_usd=CHAT_BUDGET))
        admin_hash = hash_key(ADMIN_KEY)
        keys.put(ApiKey(admin_hash, key_id_of(admin_hash), ADMIN_TENANT, created, admin=True))
        self.sent = 0

    def check(self) -> dict[str, Any]:
        ledger = DynamoLedger(self.client, self.settings.ledger_table,
                              self.settings.counters_table)
        items = [i for i in ledger.all_entries(CHAT_TENANT) if i["key_id"] == self.key_id]
        booked = sum((Decimal(str(i["cost_usd"])) for i in items), Decimal(0))
        used = Decimal(0)
        for day in {str(i["started_at"])[:10].replace("-", "") for i in items}:
            item = self.client.get_item(
                TableName=self.settings.counters_table, ConsistentRead=True,
                Key={"pk": {"S": f"BUDGET#key#{self.key_id}"}, "sk": {"S": f"d#{day}"}})
            used += Decimal(item["Item"]["n"]["N"]) if "Item" in item else Decimal(0)
        return {"chat_sent": self.sent, "ledger_items": len(items),
                "unbooked": self.sent - len(items), "booked_usd": f"{booked:f}",
                "budget_used_usd": f"{used:f}", "leaked_usd": f"{used - booked:f}"}


def run(count: int, seed: int | None) -> dict[str, Any]:
    for name, value in LOCAL_ENV.items():  # the embedded store takes any credentials
        os.environ.setdefault(name, value)
    aws = start_embedded_aws()
    books = Books(aws.endpoint_url)
    proc, url = start_router(aws.endpoint_url)
    auth = {"authorization": f"Bearer {KEY}"}
    chat_auth = {"authorization": f"Bearer {CHAT_KEY}"}
    role_auth = {"admin": {"authorization": f"Bearer {ADMIN_KEY}"}, "dev": auth,
                 "chat": chat_auth}
    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    by_route: dict[str, Counter[int]] = {}
    examples: dict[str, str] = {}
    started = time.monotonic()
    try:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json", headers=auth)
        cases = st.one_of(schema.as_strategy(GenerationMode.POSITIVE),
                          schema.as_strategy(GenerationMode.NEGATIVE))
        http = httpx.Client(base_url=url, timeout=60)

        def note(kind: str, what: str) -> None:
            counts[kind] += 1
            examples.setdefault(kind, what[:300])

        def send(method: str, path: str, call: Any, body_read: bool = True) -> Any:
            try:
                resp = call()
            except (httpx.HTTPError, requests.RequestException) as exc:
                note("transport", f"{method} {path}: {exc!r}")
                return None
            statuses[resp.status_code] += 1
            body_read = body_read or resp.status_code != 200
            text = resp.text[:150] if body_read else "(hung up)"
            what = f"{method} {path} -> {resp.status_code} {text}"
            if resp.status_code == 500:
                note("status_500", what)
            elif resp.status_code >= 500:
                note("other_5xx", what)
            if body_read and resp.status_code >= 400 and not openai_shaped(resp):
                note("bad_shape", what)
            total = sum(statuses.values()) + counts["transport"]
            if total % 100 == 0:
                rate = total / (time.monotonic() - started)
                print(f"  {total}/{count} requests, {rate:.0f}/s, 500s: "
                      f"{counts['status_500']}, bad shape: {counts['bad_shape']}",
                      file=sys.stderr, flush=True)
            return resp

        def check_admin_gate(role: str, what: str, resp: Any) -> None:
            """An admin route: the admin key must get past the gate, the dev key must not
            (only the gate's 401/403, or no such route/method, may answer it)."""
            if role == "admin" and resp.status_code == 403:
                note("admin_refused", f"{what} -> 403 {resp.text[:150]}")
            if role == "dev" and resp.status_code not in (401, 403) and not (
                    resp.status_code in (404, 405) and _error_code(resp) in UNROUTED):
                note("user_admitted", f"{what} -> {resp.status_code} {resp.text[:150]}")

        models = [m["id"] for m in http.get("/v1/models", headers=auth).json()["data"]]

        def hang_up(body: dict[str, Any]) -> httpx.Response:
            """A stream read to its first line, then the connection closed."""
            with http.stream("POST", CHAT, json=body, headers=chat_auth) as resp:
                if resp.status_code != 200:
                    resp.read()  # an error before the stream began: plain JSON
                for _ in resp.iter_lines():
                    break
            return resp

        @settings(max_examples=count, deadline=None, database=None, derandomize=False,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(st.one_of(st.tuples(cases, st.sampled_from(["admin", "dev"])).map(
                             lambda c: ("case", c)),
                         hostile_bodies().map(lambda b: ("raw", b)),
                         valid_bodies(models).map(lambda b: ("valid", b)),
                         valid_bodies(models).map(lambda b: ("hangup", {**b, "stream": True}))))
        def fuzz(item: tuple[str, Any]) -> None:
            kind, value = item
            if kind in ("valid", "hangup"):
                books.sent += 1
                if kind == "hangup":
                    send("POST", CHAT, lambda: hang_up(value), body_read=False)
                else:
                    send("POST", CHAT, lambda: http.post(CHAT, json=value, headers=chat_auth))
                return
            if kind == "raw":
                books.sent += 1
                send("POST", CHAT, lambda: http.post(
                    CHAT, content=value,
                    headers={**chat_auth, "content-type": "application/json"}))
                return
            # A valid key, so generated cases get past authentication (401s are covered
            # by the unit tests): the chat route's own, whose books are checked; the admin
            # or the dev key (drawn) elsewhere.
            case, role = value
            role = "chat" if case.path == CHAT else role
            key = role_auth[role]
            books.sent += case.path == CHAT and case.method.upper() == "POST"
            case.headers = {**(case.headers or {}), **key}
            resp = send(case.method, case.path, lambda: case.call(base_url=url, headers=key,
                                                                  timeout=60))
            if resp is None:
                return
            route = f"{case.method.upper()} {case.path} ({role} key)"
            by_route.setdefault(route, Counter())[resp.status_code] += 1
            if case.path.startswith(ADMIN_PREFIX):
                check_admin_gate(role, f"{case.method.upper()} {case.path}", resp)

        if seed is not None:  # the same cases every run (a second @settings is refused)
            fuzz = hypothesis_seed(seed)(fuzz)
        fuzz()
        http.close()
        time.sleep(1.0)  # a stream settles just after its last byte
        ledger = books.check()
    finally:
        stop_process(proc, timeout_s=15)
        aws.stop()
    sent = sum(statuses.values()) + counts["transport"]
    return {
        **ledger,
        "requests": sent,
        "seconds": round(time.monotonic() - started, 1),
        "status_500": counts["status_500"],
        "other_5xx": counts["other_5xx"],
        "bad_shape": counts["bad_shape"],
        "transport": counts["transport"],
        "admin_refused": counts["admin_refused"],
        "user_admitted": counts["user_admitted"],
        "statuses": dict(sorted(statuses.items())),
        "by_route": {r: dict(sorted(c.items())) for r, c in sorted(by_route.items())},
        "examples": examples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests to send")
    parser.add_argument("--seed", type=int, help="derandomize (same cases every run)")
    parser.add_argument("--out", type=Path, help="write the summary JSON here too")
    args = parser.parse_args()
    summary = run(args.requests, args.seed)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    bad = (summary["status_500"] + summary["bad_shape"] + summary["transport"]
           + abs(summary["unbooked"]) + (Decimal(summary["leaked_usd"]) != 0)
           + summary["admin_refused"] + summary["user_admitted"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
