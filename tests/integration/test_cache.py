"""The response cache end to end: official openai client -> router -> simulator, entries
and ledger in moto. Exact and semantic hits, near-misses, bypass, tenant isolation,
stats; and two router instances sharing entries through DynamoDB and an S3 snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import boto3
import httpx
import numpy as np
import pytest
import yaml

from llm_router.cache.service import ResponseCache, Stored
from llm_router.cache.snapshots import S3SnapshotStore
from llm_router.cache.store import DynamoCacheStore
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.schema import ChatCompletion, ChatRequest
from llm_router_local.aws import LOCAL_CREDENTIALS
from llm_router_local.processes import stop_process
from llm_router_local.simulated import SimulatorProcess

from .conftest import TENANT, RouterProcess, Storage, sim_catalog, start_router
from .openai_clients import openai_client

pytestmark = pytest.mark.integration
KEY, OTHER_KEY, OTHER_TENANT = "sk-test-acme", "sk-test-globex", "globex"
SYSTEM = {"role": "system", "content": "You are the support agent of an online shop."}


def ask(router: RouterProcess, text: str, key: str = KEY, max_tokens: int = 60,
        **extra: object):
    client = openai_client(f"{router.url}/v1", key, timeout=20)
    return client.chat.completions.with_raw_response.create(
        model="small-model", messages=[SYSTEM, {"role": "user", "content": text}],
        max_tokens=max_tokens, **extra)



@pytest.fixture(scope="module")
def other_tenant(storage: Storage) -> str:
    storage.add_key(OTHER_KEY, tenant=OTHER_TENANT)
    return OTHER_KEY


def test_a_repeat_is_an_exact_hit_that_costs_nothing_and_books_the_saving(
    router: RouterProcess, storage: Storage
) -> None:
    first = ask(router, "How do I track my package?")
    second = ask(router, "How do I  track my package?")  # whitespace is normalised
    assert first.headers["x-router-cache"] == "miss"
    assert second.headers["x-router-cache"] == "exact"
    assert second.headers["x-router-cost-usd"] == "0"
    assert second.parse().choices[0].message.content == first.parse().choices[0].message.content

    original = storage.ledger_item(first.headers["x-request-id"])
    hit = storage.ledger_item(second.headers["x-request-id"])
    assert original["cache_status"] == "miss" and original["cost_usd"] > 0
    assert hit["cache_status"] == "exact" and hit["cost_usd"] == 0
    assert hit["cost_saved_usd"] == original["cost_usd"]
    assert hit["prompt_tokens"] == 0 and hit["success"] is True
    assert "cache;dur=" in second.headers["server-timing"]


def test_a_paraphrase_is_a_semantic_hit_and_a_near_miss_is_not(router: RouterProcess) -> None:
    ask(router, "How do I enable two-factor authentication on my account?")
    paraphrase = ask(router, "How can I enable two-factor authentication on my account?")
    assert paraphrase.headers["x-router-cache"] == "semantic", paraphrase.headers["x-router-reason"]
    assert "similarity" in paraphrase.headers["x-router-reason"]
    opposite = ask(router, "How do I disable two-factor authentication on my account?")
    assert opposite.headers["x-router-cache"] == "miss"
    other_order = ask(router, "Where is my order 1234?")
    assert ask(router, "Where is my order 5678?").headers["x-router-cache"] == "miss"
    assert other_order.headers["x-router-cache"] == "miss"


def test_the_same_question_respelled_is_a_hit_that_says_so(router: RouterProcess) -> None:
    ask(router, "How do I change the PIN on my debit card?")
    respelled = ask(router, "how do I change the personal identification number on my debit card")
    assert respelled.headers["x-router-cache"] == "semantic", respelled.headers["x-router-reason"]
    assert "same question respelled (acronym)" in respelled.headers["x-router-reason"]
    other = ask(router, "how do I change the password on my debit card")
    assert other.headers["x-router-cache"] == "miss", other.headers["x-router-reason"]


def test_cache_false_and_high_temperature_are_honoured(router: RouterProcess,
                                                      storage: Storage) -> None:
    first = ask(router, "What are your opening hours?")
    off = ask(router, "What are your opening hours?", extra_body={"cache": False})
    assert off.headers["x-router-cache"] == "bypass"
    ask(router, "Write a haiku about returns.", temperature=1.5)
    # Above max_temperature only an exact repeat is served, never a paraphrase.
    hot = ask(router, "Write a haiku about returning items.", temperature=1.5)
    assert hot.headers["x-router-cache"] == "miss"
    # Booked with why: only the exact layer was asked. A plain miss names no reason.
    assert storage.ledger_item(hot.headers["x-request-id"])["cache_miss"] == "exact_only"
    assert "cache_miss" not in storage.ledger_item(first.headers["x-request-id"])
    assert "cache_miss" not in storage.ledger_item(off.headers["x-request-id"])


def test_one_tenant_never_sees_another_tenants_entries(
    router: RouterProcess, storage: Storage, other_tenant: str
) -> None:
    ask(router, "Can I pay with a gift card?")
    assert ask(router, "Can I pay with a gift card?").headers["x-router-cache"] == "exact"
    theirs = ask(router, "Can I pay with a gift card?", key=other_tenant)
    assert theirs.headers["x-router-cache"] == "miss"
    # Their own entry now, and ours is still ours.
    assert ask(router, "Can I pay with a gift card?", key=other_tenant
               ).headers["x-router-cache"] == "exact"
    store = DynamoCacheStore(storage.client, storage.settings.cache_table)
    mine = {r.key for r in store.journal_since(TENANT, "")}
    others = {r.key for r in store.journal_since(OTHER_TENANT, "")}
    assert mine and others and not mine & others


def test_stats_endpoint_reports_the_callers_tenant(
    router: RouterProcess, other_tenant: str
) -> None:
    ask(router, "Do you sell gift cards?")
    ask(router, "Do you sell gift cards?")
    ask(router, "Write a limerick about gift cards.", temperature=1.5)
    stats = httpx.get(f"{router.url}/v1/cache/stats?days=2",
                      headers={"authorization": f"Bearer {KEY}"}, timeout=10).json()
    assert stats["tenant_id"] == TENANT and stats["exact_hits"] >= 2
    assert stats["misses"]["exact_only"] >= 1 and stats["misses"]["failed"] == 0
    assert set(stats["misses"]) == {"failed", "gone", "exact_only", "model_removed"}
    assert stats["semantic_hits"] >= 1
    assert 0 < stats["hit_rate"] < 1 and Decimal(stats["cost_saved_usd"]) > 0
    theirs = httpx.get(f"{router.url}/v1/cache/stats",
                       headers={"authorization": f"Bearer {other_tenant}"}, timeout=10).json()
    assert theirs["tenant_id"] == OTHER_TENANT and theirs["requests"] < stats["requests"]
    bad = httpx.get(f"{router.url}/v1/cache/stats?days=0",
                    headers={"authorization": f"Bearer {KEY}"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "days"
    assert httpx.get(f"{router.url}/v1/cache/stats", timeout=10).status_code == 401


# ------------------------------------------------------------- across instances


def completion(text: str) -> ChatCompletion:
    return ChatCompletion.model_validate({
        "id": "chatcmpl-1", "created": 0, "model": "up-small",
        "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})


def request(text: str) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "small-model", "messages": [SYSTEM, {"role": "user", "content": text}]})


def test_an_answer_cached_by_one_instance_is_served_by_another_and_by_a_cold_one(
    storage: Storage, moto_url: str
) -> None:
    embedder = MiniLMEmbedder.load()
    entries = DynamoCacheStore(storage.client, storage.settings.cache_table)
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=storage.settings.region,
                      **LOCAL_CREDENTIALS)
    s3.create_bucket(Bucket="cache-snapshots-test")
    snapshots = S3SnapshotStore(s3, "cache-snapshots-test")
    config = CacheConfig(refresh_seconds=0)
    tenant = "initech"

    def instance() -> ResponseCache:
        return ResponseCache(config, entries, snapshots=snapshots)

    a, b = instance(), instance()
    assert b.lookup_exact(tenant, request("How do I reset my password?")) is None  # b is warm
    text = "How do I reset my password?"
    a.store(tenant, request(text), embedder.embed_one(text), text,
            completion("Use the reset link."), Stored("small-model", "simopenai",
                                                         Decimal("0.000123")), "req_a")
    hit = b.lookup_exact(tenant, request(text))
    assert hit is not None and hit.answer.cost_usd == Decimal("0.000123")
    query = "How can I reset my password?"
    semantic = b.lookup_semantic(tenant, request(query), embedder.embed_one(query), query)
    assert semantic is not None and semantic.kind == "semantic"
    assert b.lookup_exact("someone-else", request(text)) is None

    now = int(datetime.now(UTC).timestamp())
    assert snapshots.rebuild(tenant, entries, now) == 1
    records, watermark = snapshots.load(tenant)
    assert [r.text for r in records] == [text] and watermark.startswith("J#")
    assert entries.journal_since(tenant, watermark) == []  # a cold start reads no journal
    cold = instance()
    assert cold.lookup_exact(tenant, request(text)) is not None
    assert cold.entries(tenant) == 1


def test_the_entry_cap_holds_in_the_journal_read_the_snapshot_and_a_cold_instance(
    storage: Storage, moto_url: str
) -> None:
    """``cache.max_entries`` 2 over 3 entries: a journal read, the snapshot rebuild and a
    cold instance all keep the newest 2 (the journal's order); the oldest misses."""
    entries = DynamoCacheStore(storage.client, storage.settings.cache_table)
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=storage.settings.region,
                      **LOCAL_CREDENTIALS)
    s3.create_bucket(Bucket="cache-snapshots-cap")
    snapshots = S3SnapshotStore(s3, "cache-snapshots-cap")
    config = CacheConfig(refresh_seconds=0, max_entries=2)
    tenant, vector = "capped", np.ones(384, dtype=np.float32) / np.sqrt(384)
    writer = ResponseCache(CacheConfig(refresh_seconds=0), entries)
    texts = ["Where is my parcel?", "Can I return shoes?", "Do you ship to Norway?"]
    for i, text in enumerate(texts):
        writer.store(tenant, request(text), vector, text, completion(f"answer {i}"),
                     Stored("small-model", "simopenai", Decimal("0.0001")), f"req_{i}")
    newest = entries.journal_since(tenant, "", newest=2)
    assert [r.text for r in newest] == texts[1:]  # oldest first, as without ``newest``
    assert [r.text for r in entries.journal_since(tenant, "")] == texts
    journal = [r.journal_sk for r in entries.journal_since(tenant, "")]
    # keys only (the sync's overlap), after one key (exclusive) through another
    assert entries.journal_keys(tenant, "", journal[-1]) == journal
    assert entries.journal_keys(tenant, journal[0], journal[1]) == journal[1:2]

    now = int(datetime.now(UTC).timestamp())
    assert snapshots.rebuild(tenant, entries, now, max_entries=2) == 2
    assert [r.text for r in snapshots.load(tenant)[0]] == texts[1:]
    cold = ResponseCache(config, entries, snapshots=snapshots)
    assert cold.lookup_exact(tenant, request(texts[0])) is None
    assert all(cold.lookup_exact(tenant, request(t)) is not None for t in texts[1:])
    assert cold.entries(tenant) == 2


def test_the_byte_bound_holds_in_the_journal_read_the_snapshot_and_a_cold_instance(
    storage: Storage, moto_url: str
) -> None:
    """``cache.max_index_bytes`` for the newest 2 of 3 long questions: a journal read, the
    snapshot rebuild and a cold instance all keep those 2; the oldest misses."""
    entries = DynamoCacheStore(storage.client, storage.settings.cache_table)
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=storage.settings.region,
                      **LOCAL_CREDENTIALS)
    s3.create_bucket(Bucket="cache-snapshots-bytes")
    snapshots = S3SnapshotStore(s3, "cache-snapshots-bytes")
    tenant, vector = "long-questions", np.ones(384, dtype=np.float32) / np.sqrt(384)
    writer = ResponseCache(CacheConfig(refresh_seconds=0), entries)
    texts = [f"{ask} Here is the whole story of my order: " + "it was late again. " * 500
             for ask in ("Where is my parcel?", "Can I return shoes?", "Do you ship to Norway?")]
    for i, text in enumerate(texts):
        writer.store(tenant, request(text), vector, text, completion(f"answer {i}"),
                     Stored("small-model", "simopenai", Decimal("0.0001")), f"req_{i}")
    budget = sum(r.nbytes for r in entries.journal_since(tenant, "")[1:])
    newest = entries.journal_since(tenant, "", newest_bytes=budget)
    assert [r.text for r in newest] == texts[1:]  # oldest first, as without a bound

    now = int(datetime.now(UTC).timestamp())
    assert snapshots.rebuild(tenant, entries, now, max_bytes=budget) == 2
    assert [r.text for r in snapshots.load(tenant)[0]] == texts[1:]
    # with the catalog's retrieval map: the index holds the mapped row instead of the raw
    # one, the same bytes (``IndexRecord.nbytes``; session 28's held both)
    cold = ResponseCache(CacheConfig(refresh_seconds=0, max_index_bytes=budget),
                         entries, snapshots=snapshots)
    assert cold.lookup_exact(tenant, request(texts[0])) is None
    assert all(cold.lookup_exact(tenant, request(t)) is not None for t in texts[1:])
    assert cold.entries(tenant) == 2


def test_a_streamed_answer_is_stored_and_a_hit_is_replayed_as_a_stream(
    router: RouterProcess, storage: Storage
) -> None:
    client = openai_client(f"{router.url}/v1", KEY, timeout=20)
    messages = [SYSTEM, {"role": "user", "content": "Can I change the delivery address?"}]

    def stream() -> tuple[str, str, str, list]:
        with client.chat.completions.with_streaming_response.create(
            model="small-model", messages=messages, max_tokens=60, stream=True,
            stream_options={"include_usage": True},
        ) as resp:
            chunks = list(resp.parse())
            headers = resp.headers
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        return headers["x-router-cache"], headers["x-request-id"], text, chunks

    status, first_id, live_text, _ = stream()
    assert status == "miss" and live_text
    # A stream is settled (ledger, then cache) after its last byte, so a client that asks
    # again at once can race the store; wait for the entry as a second client would.
    wait_for_cached_answer(storage, first_id)
    status, replay_id, replayed_text, chunks = stream()
    assert status == "exact"
    assert replayed_text == live_text
    assert len([c for c in chunks if c.choices]) > 3  # replayed in pieces, not one blob
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0

    original = storage.ledger_item(first_id)
    hit = storage.ledger_item(replay_id)
    assert original["stream"] is True and original["cache_status"] == "miss"
    assert hit["cache_status"] == "exact" and hit["cost_usd"] == 0
    assert Decimal(hit["cost_saved_usd"]) == Decimal(original["cost_usd"]) > 0
    # The same answer serves a buffered request too: stream is not part of the key.
    buffered = client.chat.completions.with_raw_response.create(
        model="small-model", messages=messages, max_tokens=60)
    assert buffered.headers["x-router-cache"] == "exact"
    assert buffered.parse().choices[0].message.content == live_text


def wait_for_cached_answer(storage: Storage, request_id: str, timeout_s: float = 10) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        items = storage.client.query(
            TableName=storage.settings.cache_table,
            KeyConditionExpression="tenant_id = :t",
            ExpressionAttributeValues={":t": {"S": TENANT}},
        )["Items"]
        if any(i.get("request_id", {}).get("S") == request_id for i in items):
            return
        time.sleep(0.05)
    raise AssertionError(f"no cached answer for {request_id} after {timeout_s}s")


def storage_calls(response) -> list[str]:
    """The DynamoDB operations Server-Timing lists (ddb-1, ddb-2, ...), in order."""
    parts = [p.strip() for p in response.headers["server-timing"].split(",")]
    return [p.split('desc="', 1)[1].split('"', 1)[0] for p in parts if p.startswith("ddb-")]


def test_every_storage_call_is_in_server_timing_and_a_request_writes_twice(
    router: RouterProcess, storage: Storage
) -> None:
    """One admission write and one settle transaction per request; the cache's entry
    (on a miss) rides in the settle transaction, and a hit writes nothing to the cache
    table (the ledger and rollups count it)."""
    miss = ask(router, "Which payment methods do you accept for gift cards?")
    hit = ask(router, "Which payment methods do you accept for gift cards?")
    assert hit.headers["x-router-cache"] == "exact"
    for response in (miss, hit):
        calls = storage_calls(response)
        writes = [c for c in calls if c in ("UpdateItem", "PutItem", "TransactWriteItems")]
        # admission writes only when the key has limits or budgets; settle always
        assert writes[-1:] == ["TransactWriteItems"] and len(writes) <= 2, calls
        assert calls[-1] == "TransactWriteItems", calls
        assert 'ddb-1;desc="' in response.headers["server-timing"]
    entry = storage.client.query(  # the miss's entry was written by its settle
        TableName=storage.settings.cache_table, KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": TENANT}})
    answers = [i for i in entry["Items"] if i["sk"]["S"].startswith("A#")
               and i["request_id"]["S"] == miss.headers["x-request-id"]]
    assert len(answers) == 1
    assert "hits" not in answers[0] and "saved_usd" not in answers[0]  # nothing reads them
    hit_entry = storage.client.query(
        TableName=storage.settings.ledger_table, KeyConditionExpression="tenant_id = :t",
        FilterExpression="request_id = :r", ExpressionAttributeValues={
            ":t": {"S": TENANT}, ":r": {"S": hit.headers["x-request-id"]}})["Items"]
    assert [i["cache_status"]["S"] for i in hit_entry] == ["exact"]  # booked all the same


# ------------------------------------------------------------- refused before the cache


@pytest.fixture
def capped_router(tmp_path: Path, simulator: SimulatorProcess,
                  storage: Storage) -> Iterator[RouterProcess]:
    """A second instance on the same tables whose catalog has since capped small-model's
    output at 100 tokens (a catalog update, say)."""
    catalog = yaml.safe_load(sim_catalog(simulator.url, timeout_s=1.5))
    catalog["models"]["small-model"]["max_output_tokens"] = 100
    config = tmp_path / "capped.yaml"
    config.write_text(yaml.safe_dump(catalog))
    proc = start_router(config, storage.env())
    yield proc
    stop_process(proc.process)


def test_more_output_than_the_named_model_generates_is_the_same_400_cached_or_not(
    router: RouterProcess, capped_router: RouterProcess, storage: Storage
) -> None:
    """The named model's output limit is checked before the cache is asked: a request the
    route refuses is refused whether or not an answer to it is cached (here, one cached
    before the catalog lowered the limit), and nothing is reserved, served or saved."""
    warm, cold = "Can I return an item bought in a sale?", "Can I return a gift I was given?"
    assert ask(router, warm, max_tokens=500).headers["x-router-cache"] == "miss"
    assert ask(router, warm, max_tokens=500).headers["x-router-cache"] == "exact"
    errors = []
    for text in (warm, cold):
        resp = httpx.post(f"{capped_router.url}/v1/chat/completions", timeout=20,
                          headers={"authorization": f"Bearer {KEY}"},
                          json={"model": "small-model", "max_tokens": 500, "messages": [
                              SYSTEM, {"role": "user", "content": text}]})
        assert resp.status_code == 400, (text, resp.status_code, resp.headers, resp.text)
        assert "x-router-cache" not in resp.headers
        errors.append(resp.json()["error"])
        item = storage.ledger_item(resp.headers["x-request-id"])
        assert (item["status"], Decimal(str(item["cost_usd"]))) == (400, 0)
        assert (item["cache_status"], Decimal(str(item["cost_saved_usd"]))) == ("miss", 0)
    assert errors[0] == errors[1]
    assert (errors[0]["param"], errors[0]["code"]) == ("max_tokens", "invalid_value")
    assert "at most 100" in errors[0]["message"]
    # Within the new limit the instance serves (and caches) as before.
    assert ask(capped_router, warm, max_tokens=100).headers["x-router-cache"] == "miss"
