"""Answers kept per instance: a hit on an answer this instance stored or read needs no
storage read; an expired entry is never served from memory; the memory is bounded."""

from __future__ import annotations

import gc
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from llm_router.cache.answers import AnswerMemo, answer_bytes
from llm_router.cache.entry import CachedAnswer, IndexRecord
from llm_router.cache.service import ResponseCache, Stored
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatCompletion, ChatRequest

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def completion(text: str) -> ChatCompletion:
    return ChatCompletion.model_validate({
        "id": "c1", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


def answer(key: str, text: str = "hello", expires_at: int | None = None) -> CachedAnswer:
    expires = expires_at if expires_at is not None else int((T0 + timedelta(days=1)).timestamp())
    return CachedAnswer(key, completion(text), "m", "p", Decimal("0.001"), "req", T0, expires)


class Store:
    """Entries as DynamoDB holds them, counting the answer reads."""

    def __init__(self) -> None:
        self.journal: list[IndexRecord] = []
        self.answers: dict[str, CachedAnswer] = {}
        self.reads = 0

    def entry_items(self, tenant_id: str, record: IndexRecord, answer: CachedAnswer) -> list:
        return [{"Put": {"record": record, "answer": answer}}]

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        return [r for r in self.journal if r.journal_sk > after][-newest if newest else 0:]

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        return [r.journal_sk for r in self.journal if after < r.journal_sk <= through]

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        self.reads += 1
        return self.answers.get(key)

    def apply(self, items: list) -> None:  # the settle transaction
        for item in items:
            self.journal.append(item["Put"]["record"])
            self.answers[item["Put"]["record"].key] = item["Put"]["answer"]


def request(text: str) -> ChatRequest:
    return ChatRequest.model_validate({"model": "m", "messages": [
        {"role": "user", "content": text}]})


def test_a_hit_on_an_answer_this_instance_stored_reads_nothing() -> None:
    store, clock = Store(), [T0]
    cache = ResponseCache(CacheConfig(refresh_seconds=3600, retrieval_map=None), store,  # type: ignore[arg-type]
                          clock=lambda: clock[0], dim=8)
    asked = request("what is the refund window?")
    assert cache.lookup_exact("t", asked) is None  # loads the tenant: a miss
    pending = cache.entry_for("t", asked, None, "what is the refund window?",
                              completion("30 days"), Stored("m", "p", Decimal("0.002")), "r1")
    assert pending is not None
    store.apply(pending.items)
    cache.remember("t", pending)
    hit = cache.lookup_exact("t", request("what is the refund window?"))
    assert hit is not None and hit.answer.completion.choices[0].message.content == "30 days"
    assert store.reads == 0
    clock[0] = T0 + timedelta(days=2)  # the entry's TTL has passed: not served from memory
    assert cache.lookup_exact("t", request("what is the refund window?")) is None


def test_an_answer_read_once_is_not_read_again() -> None:
    store = Store()
    cache = ResponseCache(CacheConfig(refresh_seconds=0, retrieval_map=None), store,  # type: ignore[arg-type]
                          clock=lambda: T0, dim=8)
    asked = request("opening hours?")
    other = ResponseCache(CacheConfig(retrieval_map=None), store, clock=lambda: T0, dim=8)  # type: ignore[arg-type]
    pending = other.entry_for("t", asked, None, "opening hours?", completion("9 to 5"),
                              Stored("m", "p", Decimal("0.002")), "r1")
    assert pending is not None
    store.apply(pending.items)  # another instance cached it
    for _ in range(3):
        assert cache.lookup_exact("t", request("opening hours?")) is not None
    assert store.reads == 1


def test_the_memo_is_bounded_and_keeps_the_recently_used() -> None:
    memo = AnswerMemo(max_bytes=10 * answer_bytes(answer("k")))
    now = int(T0.timestamp())
    for i in range(10):
        memo.put("t", answer(f"k{i}"))
    assert memo.get("t", "k0", now) is not None  # k0 is now the most recently used
    memo.put("t", answer("k10"))
    assert memo.get("t", "k1", now) is None and memo.get("t", "k0", now) is not None
    assert len(memo) == 10 and memo.held_bytes <= memo.max_bytes
    memo.put("t", answer("big", "x" * memo.max_bytes))  # never kept: too large
    assert memo.get("t", "big", now) is None


def test_an_answer_over_an_eighth_is_refused_and_a_newer_one_replaces_the_kept() -> None:
    """Refused up front: an answer over an eighth of the budget (``KeptInBytes`` would
    keep it, its newest, and push out the rest); one at the share is kept. A second
    answer under a key takes the first's place as the most recently used, counted once."""
    now = int(T0.timestamp())
    share = answer_bytes(answer("k"))
    memo = AnswerMemo(max_bytes=8 * share)
    memo.put("t", answer("k"))
    assert memo.get("t", "k", now) is not None and memo.held_bytes == share
    memo.put("t", answer("over", "hello!"))  # one byte over the share
    assert memo.get("t", "over", now) is None and len(memo) == 1
    for i in range(6):
        memo.put("t", answer(f"j{i}"))
    newer = answer("k", expires_at=now + 100)
    memo.put("t", newer)  # replaces the first, now the most recently used
    assert len(memo) == 7 and memo.held_bytes == 7 * share
    memo.put("t", answer("j6"))
    memo.put("t", answer("j7"))  # over the budget: j0 goes, the least recently used
    assert memo.get("t", "j0", now) is None and memo.get("t", "k", now) is newer
    assert memo.held_bytes == 8 * share
    assert memo.get("t", "k", now + 100) is None and memo.held_bytes == 7 * share


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize(("text", "choices"), [
    ("Sure, here is the answer.", 1), ("x" * 3000, 1), ("é" * 500, 1), ("Yes.", 3)])
def test_the_memo_counts_what_its_answers_hold(text: str, choices: int, stored: bool) -> None:
    """The bytes the memo counts are never under what its answers hold in memory
    (tracemalloc), and at most 1.6 times it: answers read from storage (parsed from
    ``model_dump_json``, every field) and answers a settle kept (parsed from an upstream's
    JSON, the usage details left out). Session 14 counted a sixth of a short answer."""
    body = completion(text).model_dump(exclude_unset=not stored)
    body["choices"] = [{**body["choices"][0], "index": i} for i in range(choices)]
    raw = json.dumps(body)
    expires = int((T0 + timedelta(days=1)).timestamp())
    memo = AnswerMemo(max_bytes=2**40)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(200):
            memo.put("t", CachedAnswer(f"{i:064x}", ChatCompletion.model_validate_json(raw),
                                       "model", "provider", Decimal("0.0000123"),
                                       f"req-{i:08d}", T0, expires))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= memo.held_bytes <= 1.6 * held


def test_answers_are_kept_per_tenant_and_dropped_once_expired() -> None:
    memo = AnswerMemo()
    now = int(T0.timestamp())
    memo.put("a", answer("k", expires_at=now + 10))
    assert memo.get("b", "k", now) is None
    assert memo.get("a", "k", now) is not None
    assert memo.get("a", "k", now + 10) is None and len(memo) == 0



def stored_here(store: Store, cache: ResponseCache, text: str, answer_text: str) -> None:
    """``text`` answered and booked by this instance (its answer kept)."""
    pending = cache.entry_for("t", request(text), None, text, completion(answer_text),
                              Stored("m", "p", Decimal("0.002")), "r1")
    assert pending is not None
    store.apply(pending.items)
    cache.remember("t", pending)


def test_a_held_answer_is_found_without_storage_or_waiting() -> None:
    """``lookup_exact_held`` (the event loop's): the same hit as ``lookup_exact`` when the
    tenant is synced and the answer kept; otherwise it does not know, and says so."""
    store, clock, ticks = Store(), [T0], [0.0]
    cache = ResponseCache(CacheConfig(refresh_seconds=60, retrieval_map=None), store,  # type: ignore[arg-type]
                          clock=lambda: clock[0], monotonic=lambda: ticks[0], dim=8)
    assert cache.lookup_exact_held("t", request("refunds?")) == (False, None)  # not loaded
    assert cache.lookup_exact("t", request("refunds?")) is None  # loads and syncs
    assert cache.lookup_exact_held("t", request("refunds?")) == (False, None)  # a miss
    stored_here(store, cache, "refunds?", "30 days")
    journal_reads = len(store.journal)
    held, hit = cache.lookup_exact_held("t", request("refunds?"))
    assert held and hit is not None and hit.kind == "exact"
    assert hit == cache.lookup_exact("t", request("refunds?"))
    assert store.reads == 0 and len(store.journal) == journal_reads

    tenant = cache._tenants["t"]
    with tenant.lock:  # a worker thread is syncing the tenant: no waiting for it
        assert cache.lookup_exact_held("t", request("refunds?")) == (False, None)
    ticks[0] = 60.0  # a journal read is due: only lookup_exact may do it
    assert cache.lookup_exact_held("t", request("refunds?")) == (False, None)
    assert cache.lookup_exact("t", request("refunds?")) is not None
    assert cache.lookup_exact_held("t", request("refunds?"))[0]
    clock[0] = T0 + timedelta(days=2)  # expired: never served from memory
    assert cache.lookup_exact_held("t", request("refunds?")) == (False, None)
    assert cache.lookup_exact("t", request("refunds?")) is None


def test_an_entry_another_instance_stored_is_held_once_read() -> None:
    store = Store()
    cache = ResponseCache(CacheConfig(refresh_seconds=3600, retrieval_map=None), store,  # type: ignore[arg-type]
                          clock=lambda: T0, dim=8)
    other = ResponseCache(CacheConfig(retrieval_map=None), store, clock=lambda: T0, dim=8)  # type: ignore[arg-type]
    stored_here(store, other, "opening hours?", "9 to 5")  # in the journal, not kept here
    assert cache.lookup_exact_held("t", request("opening hours?")) == (False, None)
    assert cache.lookup_exact("t", request("opening hours?")) is not None  # reads it
    assert cache.lookup_exact_held("t", request("opening hours?"))[0]
    assert store.reads == 1


def test_a_miss_says_why_when_it_was_not_for_want_of_an_entry() -> None:
    """``find_exact``: no entry is a plain miss; an entry whose answer is gone from storage,
    or storage failing, is a miss that says so (booked, counted in the stats)."""
    store = Store()
    cache = ResponseCache(CacheConfig(refresh_seconds=0, retrieval_map=None), store,  # type: ignore[arg-type]
                          clock=lambda: T0, dim=8)
    assert cache.find_exact("t", request("opening hours?")).miss is None  # no entry
    other = ResponseCache(CacheConfig(retrieval_map=None), store, clock=lambda: T0, dim=8)  # type: ignore[arg-type]
    pending = other.entry_for("t", request("opening hours?"), None, "opening hours?",
                              completion("9 to 5"), Stored("m", "p", Decimal("0.002")), "r1")
    assert pending is not None
    store.apply(pending.items)
    del store.answers[pending.record.key]  # the journal has it, the answer item is gone
    found = cache.find_exact("t", request("opening hours?"))
    assert found.hit is None and found.miss == "gone"

    def failing(tenant_id: str, after: str, newest: int | None = None,
                newest_bytes: int | None = None) -> list[IndexRecord]:
        raise OSError("connection reset")

    store.journal_since = failing  # type: ignore[method-assign]
    found = cache.find_exact("t", request("opening hours?"))
    assert found.hit is None and found.miss == "failed"
    assert cache.lookup_exact("t", request("opening hours?")) is None
