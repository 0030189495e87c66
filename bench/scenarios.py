"""The proof of concept's five scenarios, reproduced through the real pipeline.

    .venv/bin/python bench/scenarios.py        # table on stdout, JSON to bench/results/

Everything runs locally: the FastAPI app in process (httpx ASGI transport), the
embedded store with fresh tables per scenario, and the provider simulator with the proof
of concept's six providers (free tiers, relative speeds scaled down 20x so the run takes
about a minute). Requests go through auth, admission, routing, the resilience executor,
quota counters and the ledger exactly as in production; the numbers come from the
response headers and the ledger.

  1 normal mixed usage, model auto            30 requests
  2 free quota exhausted at request 101       250 requests to the 200-a-day free model: one
                                              tenant may use half of it (tenant_share)
  3 speed-critical traffic                    20 requests, optimize_for=latency
  4 development mode prefers a local model    15 requests, environment=dev
  5 cost vs single paid providers             100 requests, tokens priced at list prices
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import httpx
import yaml

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import parse_catalog
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.providers.session import UpstreamHttp
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router.tokens import use_vendored_encodings
from llm_router_local.aws import create_resources, find_template, start_embedded_aws
from llm_router_local.simulated import simulated_catalog, start_simulator

RESULTS = Path(__file__).parent / "results" / "scenarios.json"
SPEEDUP = 20  # simulated latency = the proof of concept's latency / SPEEDUP
KEY = "sk-bench-scenarios"

# The proof of concept's providers: (provider, model, free tier, latency ms, tiers, local)
POC = [
    ("openrouter", "deepseek-r1-free", {"requests_per_day": 200}, 2000,
     ["complex", "reasoning"], False),
    ("groq", "llama-3.3-70b", {"requests_per_day": 14400, "requests_per_minute": 30}, 500,
     ["simple", "moderate", "complex"], False),
    ("cloudflare", "llama-3.1-8b-cf", {"requests_per_day": 300}, 1000,
     ["simple", "moderate"], False),
    ("nvidia-nim", "llama-3.1-70b-nim", {"requests_per_minute": 40}, 1500,
     ["moderate", "complex"], False),
    ("mistral", "mixtral-8x7b", {"tokens_per_month": 1_000_000_000}, 1800,
     ["simple", "moderate", "complex"], False),
    ("local", "llama-local", None, 5000, ["simple", "moderate", "complex", "reasoning"], True),
]
# List prices (USD per million input / output tokens) for scenario 5's comparison.
PAID = {"GPT-4 (gpt-4-0613)": (Decimal(30), Decimal(60)),
        "Claude 3.5 Sonnet": (Decimal(3), Decimal(15)),
        "DeepSeek (deepseek-chat)": (Decimal("0.27"), Decimal("1.10"))}

QUERIES = [
    "What time do you open on Saturdays?",
    "Do you ship to Canada?",
    "Compare your two premium plans and tell me which suits a team of five.",
    "A train leaves at 3pm at 80 km/h and another at 4pm at 100 km/h on the same track. "
    "When does the second catch up? Show each step.",
    "My last three orders arrived damaged and support never answered; I want a refund "
    "for all of them and an explanation.",
    "Plan a three-day trip to Lisbon for two on a 900 euro budget, trading off "
    "museums against day trips.",
]


def catalog_yaml() -> str:
    providers: dict[str, Any] = {}
    models: dict[str, Any] = {}
    for provider, model, free, latency, tiers, local in POC:
        providers[provider] = {"kind": "openai", "base_url": f"http://unused/{provider}/v1",
                               "timeout_s": 10, "local": local,
                               **({"api_key": "sim"} if not local else {}),
                               **({"free_tier": free} if free else {})}
        models[model] = {"provider": provider, "upstream_model": model, "input_per_mtok": 0,
                         "output_per_mtok": 0, "tiers": tiers,
                         "typical_latency_ms": latency}
    # Failover for the named free reasoning model: the next free provider.
    models["deepseek-r1-free"]["fallbacks"] = ["llama-3.3-70b", "mixtral-8x7b"]
    return yaml.safe_dump({"providers": providers, "models": models,
                           "resilience": {"retry": {"base_delay_s": 0.05}}})


@dataclass
class Env:
    aws_url: str
    sim_url: str


async def run_scenario(env: Env, requests: list[dict[str, Any]], *,
                       environment: Literal["dev", "prod"] = "prod"
                       ) -> list[dict[str, Any]]:
    suffix = uuid.uuid4().hex[:8]
    settings = RouterSettings(aws_endpoint_url=env.aws_url, environment=environment,
                              keys_table=f"keys-{suffix}", ledger_table=f"ledger-{suffix}",
                              counters_table=f"counters-{suffix}")
    create_resources(settings, find_template())
    dynamodb = make_dynamodb_client(settings)
    key_hash = hash_key(KEY)
    DynamoKeyStore(dynamodb, settings.keys_table).put(
        ApiKey(key_hash, key_id_of(key_hash), "bench", "2026-01-01T00:00:00+00:00"))
    catalog = simulated_catalog(parse_catalog(yaml.safe_load(catalog_yaml())), env.sim_url)
    rows = []
    upstream = UpstreamHttp()
    services = build_services(settings, http=upstream, catalog=catalog, dynamodb=dynamodb)
    transport = httpx.ASGITransport(app=create_app(services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
            for body in requests:
                started = time.perf_counter()
                resp = await client.post("/v1/chat/completions", json=body, timeout=60,
                                          headers={"authorization": f"Bearer {KEY}"})
                elapsed = (time.perf_counter() - started) * 1000
                usage = resp.json().get("usage") or {} if resp.status_code == 200 else {}
                rows.append({"status": resp.status_code,
                             "provider": resp.headers.get("x-router-provider"),
                             "model": resp.headers.get("x-router-model"),
                             "reason": resp.headers.get("x-router-reason"),
                             "cost_usd": resp.headers.get("x-router-cost-usd", "0"),
                             "latency_ms": round(elapsed, 1),
                             "prompt_tokens": usage.get("prompt_tokens", 0),
                             "completion_tokens": usage.get("completion_tokens", 0)})
    finally:
        await upstream.aclose()
    return rows


def ask(query: str, model: str = "auto", **extra: Any) -> dict[str, Any]:
    # cache: false - every request reaches a provider (repeats would be cache hits).
    return {"model": model, "max_tokens": 400, "cache": False,
            "messages": [{"role": "user", "content": query}], **extra}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "requests": len(rows),
        "failed": sum(r["status"] != 200 for r in rows),
        "by_provider": dict(Counter(r["provider"] for r in rows).most_common()),
        "cost_usd": str(sum((Decimal(r["cost_usd"]) for r in rows), Decimal(0))),
        "latency_ms_mean": round(statistics.fmean(r["latency_ms"] for r in rows), 1),
    }


async def main() -> dict[str, Any]:
    use_vendored_encodings(os.environ)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    aws, sim = start_embedded_aws(), start_simulator()
    try:
        for provider, _, _, latency, _, _ in POC:
            httpx.post(f"{sim.url}/_sim/latency", json={"provider": provider,
                                                        "ms": latency // SPEEDUP}, timeout=5)
        env = Env(aws.endpoint_url, sim.url)
        out: dict[str, Any] = {"speedup": SPEEDUP}

        rows = await run_scenario(env, [ask(QUERIES[i % len(QUERIES)]) for i in range(30)])
        out["1_normal_mixed_usage"] = summary(rows)

        rows = await run_scenario(env, [ask("Recommend a plan for my team, step by step.",
                                            "deepseek-r1-free") for _ in range(250)])
        switched = next((i + 1 for i, r in enumerate(rows)
                         if r["provider"] != "openrouter"), None)
        out["2_free_quota_exhausted"] = {**summary(rows), "first_request_failed_over": switched}

        rows = await run_scenario(env, [ask(QUERIES[i % 3], optimize_for="latency")
                                        for i in range(20)])
        out["3_speed_critical"] = summary(rows)

        rows = await run_scenario(env, [ask(QUERIES[i % len(QUERIES)]) for i in range(15)],
                                  environment="dev")
        out["4_development_mode"] = summary(rows)

        rows = await run_scenario(env, [ask(QUERIES[i % len(QUERIES)]) for i in range(100)])
        prompt = sum(r["prompt_tokens"] for r in rows)
        completion = sum(r["completion_tokens"] for r in rows)
        paid = {name: str(((prompt * i + completion * o) / Decimal(1_000_000))
                          .quantize(Decimal("0.0001")))
                for name, (i, o) in PAID.items()}
        out["5_cost_comparison"] = {**summary(rows), "prompt_tokens": prompt,
                                    "completion_tokens": completion, "same_tokens_paid": paid}
        return out
    finally:
        sim.stop()
        aws.stop()


def print_table(results: dict[str, Any]) -> None:
    print(f"{'scenario':28} {'req':>4} {'fail':>4} {'cost $':>8} {'ms':>7}  providers")
    for name, r in results.items():
        if not isinstance(r, dict):
            continue
        providers = ", ".join(f"{p} {n}" for p, n in r["by_provider"].items())
        print(f"{name:28} {r['requests']:>4} {r['failed']:>4} {r['cost_usd']:>8} "
              f"{r['latency_ms_mean']:>7}  {providers}")
    print("scenario 2 first failover at request",
          results["2_free_quota_exhausted"]["first_request_failed_over"])
    print("scenario 5 same tokens at list prices:",
          results["5_cost_comparison"]["same_tokens_paid"])


if __name__ == "__main__":
    results = asyncio.run(main())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
