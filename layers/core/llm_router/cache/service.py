"""The response cache on the request path: exact lookup, semantic lookup, store, count.

One ``ResponseCache`` per container. It keeps a ``TenantIndex`` per tenant, filled at
first use from the tenant's S3 snapshot plus the DynamoDB journal since it, and topped
up from the journal at most every ``refresh_seconds`` -- so an answer cached by one
instance is served by another within seconds. Cache failures never fail a request:
they are logged and the request goes on as a miss.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from llm_router.cache.answers import AnswerMemo
from llm_router.cache.entry import CachedAnswer, CacheHit, Found, IndexRecord
from llm_router.cache.index import TenantIndex, prescore
from llm_router.cache.keys import context_key, exact_key
from llm_router.cache.policy import CachePlan, plan_for, policy_for
from llm_router.cache.preparer import Preparer
from llm_router.cache.retrieval_map import shared_retrieval_map
from llm_router.cache.store import journal_sk, overlap_start
from llm_router.catalog import CacheConfig
from llm_router.embedding.base import Embedder
from llm_router.errors import ConfigError, RouterError
from llm_router.ledger import now_utc
from llm_router.schema import ChatCompletion, ChatRequest

log = logging.getLogger("llm_router.cache")
Vector = npt.NDArray[np.float32]
# How often an instance drops a tenant's expired entries from memory (at a journal sync):
# a pass over the tenant's entries, ~5 ms per 100,000.
PRUNE_SECONDS = 60.0


class EntryStore(Protocol):
    def put(self, tenant_id: str, record: IndexRecord, answer: CachedAnswer) -> bool: ...

    def entry_items(self, tenant_id: str, record: IndexRecord,
                    answer: CachedAnswer) -> list[dict[str, Any]] | None: ...

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None: ...

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]: ...

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]: ...


class SnapshotSource(Protocol):
    def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]: ...


@dataclass
class _Tenant:
    index: TenantIndex
    synced_at: float = float("-inf")
    pruned_at: float = float("-inf")  # expired entries last dropped (monotonic)
    loaded: bool = False  # the snapshot is in
    # Journal sort keys this index has been given (read, or its own entries), within the
    # journal read's overlap: those a sync need not read again (``_unseen``).
    seen: set[str] = field(default_factory=set)
    # Requests run cache calls on worker threads: one tenant's index is read and
    # changed under its lock only (the dict of tenants under the cache's own).
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: IndexRecord) -> bool:
        """``TenantIndex.add``, the record's journal key seen."""
        self.seen.add(record.journal_sk)
        return self.index.add(record)


@dataclass(frozen=True)
class Stored:
    model: str
    provider: str
    cost_usd: Decimal


@dataclass(frozen=True)
class PendingEntry:
    """A fresh answer's cache entry: the writes the request's settle transaction carries,
    and the index record to add once that transaction has applied."""

    record: IndexRecord
    items: list[dict[str, Any]]
    answer: CachedAnswer  # kept for this instance's hits once the transaction applied


class ResponseCache:
    def __init__(
        self,
        config: CacheConfig,
        store: EntryStore,
        *,
        snapshots: SnapshotSource | None = None,
        clock: Callable[[], datetime] = now_utc,
        monotonic: Callable[[], float] = time.monotonic,
        dim: int = 384,
        preparer: Preparer | None = None,
    ):
        self.config = config
        # Prepares the texts of entries learnt from the snapshot or the journal for the
        # verifier, in the background (``preparer.py``); None: each at its first lookup.
        self._preparer = preparer
        self._store = store
        self._snapshots = snapshots
        self._clock = clock
        self._monotonic = monotonic
        self._dim = dim
        self._tenants: dict[str, _Tenant] = {}
        self._lock = threading.Lock()
        self._answers = AnswerMemo()
        # cache.retrieval_map (the layer's map by default; None: off): read here, at init,
        # not in a request, and refused here if it cannot map this cache's vectors.
        self._retrieval_map = (None if config.retrieval_map is None
                               else shared_retrieval_map(config.retrieval_map))
        if self._retrieval_map is not None and self._retrieval_map.dim != dim:
            raise ConfigError(f"cache.retrieval_map {config.retrieval_map}: a map of "
                              f"{self._retrieval_map.dim} dimensions for vectors of {dim}")

    def plan(self, request: ChatRequest) -> CachePlan:
        return plan_for(request, self.config)

    def lookup_exact(self, tenant_id: str, request: ChatRequest) -> CacheHit | None:
        return self.find_exact(tenant_id, request).hit

    def find_exact(self, tenant_id: str, request: ChatRequest) -> Found:
        """``lookup_exact``, saying why when it missed for another reason than no entry."""
        key = exact_key(tenant_id, request)
        try:
            with self._synced(tenant_id) as tenant:
                live = tenant.index.has_live(key, self._now())
            if not live:
                return Found(None)
            answer = self._answer(tenant_id, key)
        except (RouterError, OSError) as exc:
            log.warning("exact cache lookup failed, treated as a miss: %s", exc)
            return Found(None, "failed")
        if answer is None or answer.expires_at <= self._now():
            return Found(None, "gone")
        return Found(CacheHit("exact", answer, 1.0))

    def lookup_exact_held(self, tenant_id: str,
                          request: ChatRequest) -> tuple[bool, CacheHit | None]:
        """``lookup_exact`` when it needs no storage call and no wait, for the event
        loop: (True, the hit) when the tenant's index is synced (no journal read due)
        and holds the key live with its answer kept here (``AnswerMemo``); (False, None)
        when only ``lookup_exact`` can tell (a worker thread: it may read storage, or wait
        for a lock a sync holds). The kept answer is the one ``lookup_exact`` serves."""
        with self._lock:
            tenant = self._tenants.get(tenant_id)
        if tenant is None or not tenant.loaded or not tenant.lock.acquire(blocking=False):
            return False, None
        try:
            if self._monotonic() - tenant.synced_at >= self.config.refresh_seconds:
                return False, None
            key = exact_key(tenant_id, request)
            now = self._now()
            if not tenant.index.has_live(key, now):
                return False, None
        finally:
            tenant.lock.release()
        answer = self._answers.get(tenant_id, key, now)
        if answer is None:
            return False, None
        return True, CacheHit("exact", answer, 1.0)

    def embed_query(self, embedder: Embedder, query: str) -> Vector:
        """The query's embedding for ``lookup_semantic``. With the nets verifier on and
        embedding by the verifier's own MiniLM, the same pass gives the token states the
        verifier reads: kept with the query (``PairVerifier.prepare``) for each of its
        candidates, and for the entry its answer may become. One MiniLM pass a request.
        The cross-encoder reads no per-text states: the embedding alone, unless it is
        stacked on the nets, whose states the same pass then gives."""
        with self._lookup():
            return self._embed_query(embedder, query)

    def _embed_query(self, embedder: Embedder, query: str) -> Vector:
        if self.config.verifier:
            from llm_router.cache.context import MAX_TOKENS
            from llm_router.cache.verifier import nets_of, shared_verifier

            try:
                verifier = shared_verifier(self.config.verifier_model,
                                           self.config.verifier_order_band)
            except RouterError as exc:
                log.warning("cache verifier unavailable: %s", exc)
            else:
                nets = nets_of(verifier)
                if nets is not None and embedder is nets.embedder:
                    vectors, states = nets.embedder.embed_with_states(
                        [query], MAX_TOKENS, nets.state_layers)
                    if states[0] is not None:
                        nets.prepare(query, states[0])
                    return vectors[0]
        return embedder.embed_one(query)

    def embed_ask(self, embedder: Embedder, query: str) -> Vector | None:
        """The second vector of ``find_semantic`` (``cache.ask_clause``, with the
        verifier): the embedding of the query's asking clause alone
        (``narrowing.asking_clause``), one more MiniLM pass; None when the setting is off
        or the query has no asking clause of its own (one clause)."""
        if self.config.ask_clause is None or not self.config.verifier:
            return None
        from llm_router.cache.narrowing import asking_clause

        ask = asking_clause(query)
        if ask is None:
            return None
        with self._lookup():
            return embedder.embed_one(ask)

    def lookup_semantic(self, tenant_id: str, request: ChatRequest, embedding: Vector,
                        query: str, ask: Vector | None = None) -> CacheHit | None:
        return self.find_semantic(tenant_id, request, embedding, query, ask).hit

    def find_semantic(self, tenant_id: str, request: ChatRequest, embedding: Vector,
                      query: str, ask: Vector | None = None) -> Found:
        """``lookup_semantic``, saying why when it missed for another reason than no match
        (no entry near enough, or the checks and the verifier said no). ``ask``: the
        query's asking clause's vector (``embed_ask``; ``TenantIndex.search``)."""
        try:
            context = context_key(tenant_id, request)
            policy = policy_for(self.config, tenant_id)
            # The verifier's pass, most of a lookup's CPU, runs outside the tenant's lock
            # (``prescore``): the exact lookups, the entries added after settles and the
            # other lookups of the tenant do not wait for it. The verdict is still made
            # under the lock, by ``search`` on the index as it is then, which finds the
            # scores kept (docs/semantic-cache.md "Locking").
            first = None
            if policy.verifier is not None:
                with self._synced(tenant_id) as tenant:
                    first = tenant.index.first_round(embedding, context, self._now(),
                                                     policy, query, ask=ask)
            if first is not None:
                with self._lookup():
                    prescore(first, policy, query)
            with self._synced(tenant_id) as tenant, self._lookup():
                lookup = tenant.index.search(embedding, context, self._now(), policy, query,
                                             prescored=first, ask=ask)
            if lookup.match is None:
                return Found(None)
            answer = self._answer(tenant_id, lookup.match.key)
        except (RouterError, OSError) as exc:
            log.warning("semantic cache lookup failed, treated as a miss: %s", exc)
            return Found(None, "failed")
        if answer is None or answer.expires_at <= self._now():
            return Found(None, "gone")
        return Found(CacheHit("semantic", answer, lookup.match.similarity, lookup.respelling))

    def store(self, tenant_id: str, request: ChatRequest, embedding: Vector | None, query: str,
              completion: ChatCompletion, stored: Stored, request_id: str) -> None:
        """Cache a fresh answer with its own write (the request path folds it into the
        settle instead: ``entry_for``)."""
        entry = self._entry(tenant_id, request, embedding, query, completion, stored, request_id)
        if entry is None:
            return
        try:
            if self._store.put(tenant_id, *entry):
                with self._synced(tenant_id) as tenant:
                    tenant.add(entry[0])
        except (RouterError, OSError) as exc:
            log.warning("cache store failed; the answer was not cached: %s", exc)

    def entry_for(self, tenant_id: str, request: ChatRequest, embedding: Vector | None,
                  query: str, completion: ChatCompletion, stored: Stored,
                  request_id: str) -> PendingEntry | None:
        """The writes that cache a fresh answer, for the settle transaction."""
        entry = self._entry(tenant_id, request, embedding, query, completion, stored, request_id)
        items = self._store.entry_items(tenant_id, *entry) if entry else None
        return PendingEntry(entry[0], items, entry[1]) if entry and items else None

    def remember(self, tenant_id: str, pending: PendingEntry) -> None:
        """The settle transaction applied: this instance serves the entry at once. No
        storage call: a tenant this instance has not loaded gets it from the journal."""
        self._answers.put(tenant_id, pending.answer)
        with self._lock:
            tenant = self._tenants.get(tenant_id)
        if tenant is not None:
            with tenant.lock:
                tenant.add(pending.record)

    def _lookup(self) -> AbstractContextManager[None]:
        """Around a lookup's CPU work: the preparer starts no batch meanwhile."""
        return self._preparer.lookup() if self._preparer is not None else nullcontext()

    def _answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        """The entry's answer: kept here if this instance stored or read it before
        (``AnswerMemo``), else read from storage (and kept)."""
        kept = self._answers.get(tenant_id, key, self._now())
        if kept is not None:
            return kept
        answer = self._store.answer(tenant_id, key)
        if answer is not None:
            self._answers.put(tenant_id, answer)
        return answer

    def _entry(self, tenant_id: str, request: ChatRequest, embedding: Vector | None,
               query: str, completion: ChatCompletion, stored: Stored,
               request_id: str) -> tuple[IndexRecord, CachedAnswer] | None:
        """Only a complete answer is cached: a cut-off or tool-calling answer is not worth
        repeating."""
        choice = completion.choices[0] if completion.choices else None
        if choice is None or choice.finish_reason != "stop" or not choice.message.content:
            return None
        created = self._clock()
        expires = int((created + timedelta(seconds=self.config.ttl_seconds)).timestamp())
        key = exact_key(tenant_id, request)
        record = IndexRecord(key, context_key(tenant_id, request), query, embedding, expires,
                             journal_sk(created, key))
        answer = CachedAnswer(key, completion, stored.model, stored.provider, stored.cost_usd,
                              request_id, created, expires)
        return record, answer

    def entries(self, tenant_id: str) -> int:
        """Entries this instance knows for the tenant (stats)."""
        with self._lock:
            tenant = self._tenants.get(tenant_id)
        if tenant is None:
            return 0
        with tenant.lock:
            return len(tenant.index)

    @contextmanager
    def _synced(self, tenant_id: str) -> Iterator[_Tenant]:
        """The tenant, its index loaded and synced, held under its lock."""
        tenant = self._tenant(tenant_id)
        with tenant.lock:
            self._sync(tenant_id, tenant)
            yield tenant

    def _tenant(self, tenant_id: str) -> _Tenant:
        with self._lock:
            found = self._tenants.get(tenant_id)
            if found is None:  # built once per tenant, not as setdefault's default on each call
                found = self._tenants[tenant_id] = _Tenant(TenantIndex(
                    self._dim, max_entries=self.config.max_entries,
                    max_bytes=self.config.max_index_bytes, retrieval_map=self._retrieval_map))
            return found

    def _sync(self, tenant_id: str, tenant: _Tenant) -> None:
        """The snapshot once, then the journal at most every ``refresh_seconds``: the
        entries this index has not seen (``_unseen``). The texts of the entries added go
        to the preparer, which prepares them off this request."""
        index = tenant.index
        learnt: list[str] = []  # texts of semantic entries added, oldest first
        if not tenant.loaded:
            if self._snapshots is not None:
                records, watermark = self._snapshots.load(tenant_id)
                tenant.seen.update(record.journal_sk for record in records)
                live = self._now()
                kept = [record for record in records if record.expires_at > live]
                # One product maps them all with a retrieval map (``add_many``).
                learnt.extend(record.text for record, added
                              in zip(kept, index.add_many(kept), strict=True) if added)
                index.watermark = max(index.watermark, watermark)
            tenant.loaded = True
        now = self._monotonic()
        if now - tenant.synced_at >= self.config.refresh_seconds:
            live = self._now()
            for record in self._unseen(tenant_id, tenant):
                tenant.seen.add(record.journal_sk)
                if record.expires_at > live:
                    if index.add(record):
                        learnt.append(record.text)
                else:  # the overlap re-reads it; moves the watermark all the same
                    index.watermark = max(index.watermark, record.journal_sk)
            tenant.synced_at = now
            if now - tenant.pruned_at >= PRUNE_SECONDS:
                index.drop_expired(live)
                tenant.pruned_at = now
        if learnt and self._preparer is not None and self.config.verifier:
            self._preparer.offer(learnt)  # returns at once: a background thread prepares

    def _unseen(self, tenant_id: str, tenant: _Tenant) -> list[IndexRecord]:
        """The journal items the index has not been given, oldest first. An entry that
        committed late, or from a clock behind ours, sorts before the newest entry seen
        (the watermark), so the ``JOURNAL_OVERLAP_S`` before it are read again, by key
        only: items are read whole from the first key there not seen on, or from the
        watermark on when every key there was seen (the sync's usual read: only what is
        new). Items seen before, read again, would change nothing in the index."""
        watermark = tenant.index.watermark
        start = overlap_start(watermark)
        tenant.seen = {key for key in tenant.seen if key > start}
        after = start
        if tenant.seen:
            keys = self._store.journal_keys(tenant_id, start, watermark)
            after = next((before for before, key in zip([start, *keys], keys, strict=False)
                          if key not in tenant.seen), watermark)
        return self._store.journal_since(tenant_id, after, newest=self.config.max_entries,
                                         newest_bytes=self.config.max_index_bytes)

    def _now(self) -> int:
        return int(self._clock().timestamp())
