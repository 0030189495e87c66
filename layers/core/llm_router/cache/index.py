"""One Lambda instance's in-memory index of a tenant's entries.

A ``TenantIndex`` holds one tenant only: tenants never share a matrix, so a bug in a
mask cannot leak one tenant's answer to another. Rows are unit-norm float32; a search is
one matrix-vector product over the tenant's rows, masked to the request's context and to
live entries, then the policy judges the best few candidates: the same question respelled
first, then similarity floor, amount check and the pair verifier (or threshold and guards
without a verifier). With the verifier's hard check on, entries whose amounts or ids
differ from the query's are left out before the candidates are chosen: they could never
answer, and among many entries that differ only in a number ("order 1234", "order 1235")
they would take every candidate's place (issue 13/12).

``max_entries`` caps what one index holds, and ``max_bytes`` what its entries hold in
memory (``IndexRecord.nbytes``: a long question's text is most of it): past either, the
entry learnt first goes (from the exact layer and the matrix together), and a record
older than an entry the caps let go is never added back (the journal's overlap re-reads
the last minute). Creation order, not use: hits write nothing to storage, so only the
journal's order is the same on every instance and in the snapshot
(``S3SnapshotStore.rebuild`` keeps the same newest).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.entry import IndexRecord
from llm_router.cache.guards import Signature, signature
from llm_router.cache.pair_features import NO_CODE, TOLERANT, number_codes
from llm_router.cache.policy import MatchPolicy, Refusal, Verdict
from llm_router.cache.retrieval_map import RetrievalMap
from llm_router.cache.similarity import cosine_scores, top_k

CANDIDATES = 5  # judged per round; a refused best match may leave a good second one
# Candidates a lookup may judge in all: a second round only when the first is refused
# over the floor (``TenantIndex.search``). CANDIDATES: one round.
WIDEN_TO = CANDIDATES
# A search scores only the context's live rows when they are under 1/SUBSET_SHARE of the
# tenant's: gathering those rows costs less than reading all of them.
SUBSET_SHARE = 4


@dataclass(frozen=True)
class Match:
    key: str
    similarity: float


@dataclass(frozen=True)
class Lookup:
    match: Match | None
    best_similarity: float  # of the nearest entry in the context, hit or not
    refused_by: Refusal | None
    probability: float | None = None  # the verifier's, for the hit or the first refusal
    respelling: tuple[str, ...] | None = None  # a hit's form changes (``spelling.py``)


@dataclass(frozen=True)
class FirstRound:
    """``TenantIndex.search``'s first round as the index stood when it was read: copies of
    the candidates' texts and cosines (never row numbers: a removal moves rows), and the
    first one's lowered floor (``MatchPolicy.floor_for_nearest``). What ``prescore``
    reads outside the tenant's lock."""

    candidates: list[tuple[str, float]]  # (cached text, cosine), nearest first
    lowered: float | None
    # What ``search`` reuses instead of a second ``nearest`` call where the index has not
    # changed since (``TenantIndex.generation``) and the lookup is the same (its ``now``
    # too: a second later an entry may have expired): the rows are valid only then.
    reuse: tuple[int, int, str, int, str] = (-1, 0, "", 0, "")  # generation, now, ...
    query: npt.NDArray[np.float32] | None = None
    ask: npt.NDArray[np.float32] | None = None  # the second vector it was read with
    nearest: tuple[list[tuple[int, float]], float | None] = ([], None)
    # ``MatchPolicy.respelled`` of each candidate's text that ``prescore`` checked (a
    # function of the two texts but for the cosine it repeats): ``search`` reads it there
    # instead of checking again.
    respelled: dict[str, Verdict | None] = field(default_factory=dict)


def respelled_hit(candidates: list[tuple[str, float]], policy: MatchPolicy, query_text: str,
                  known: dict[str, Verdict | None] | None = None
                  ) -> tuple[int, Verdict] | None:
    """The first of a round's candidates that answers as the same question respelled
    (``MatchPolicy.respelled``; no model, no floor), and its verdict; None: none does.
    ``known``: verdicts checked before, by text (read instead of checking again; the
    texts checked now are added)."""
    for n, (text, similarity) in enumerate(candidates):
        if known is not None and text in known:
            kept = known[text]
            respelled = None if kept is None else replace(kept, similarity=similarity)
        else:
            respelled = policy.respelled(similarity, text, query_text)
            if known is not None:
                known[text] = respelled
        if respelled is not None and respelled.hit:
            return n, respelled
    return None


def over_floor(candidates: list[tuple[str, float]], policy: MatchPolicy,
               lowered: float | None) -> list[str]:
    """The texts of a round's candidates at or over the floor (the first one's:
    ``lowered`` where given): those the verifier may read, scored in one pass."""
    return [text for n, (text, similarity) in enumerate(candidates)
            if similarity >= (policy.threshold if n or lowered is None else lowered)]


def search_prescored(index: TenantIndex, query: npt.NDArray[np.float32], context: str,
                     now: int, policy: MatchPolicy, query_text: str,
                     widen_to: int = WIDEN_TO,
                     ask: npt.NDArray[np.float32] | None = None) -> Lookup:
    """The router's lookup (``ResponseCache.find_semantic``) in one thread, no lock
    between its steps: ``first_round``, ``prescore``, ``search``. ``probe`` and the
    benches run it, so their answers are the lookup's, pass for pass. ``ask``: the
    query's second vector (``TenantIndex.search``)."""
    first = index.first_round(query, context, now, policy, query_text, widen_to, ask)
    prescore(first, policy, query_text)
    return index.search(query, context, now, policy, query_text, widen_to, first, ask)


def prescore(round_: FirstRound, policy: MatchPolicy, query_text: str) -> None:
    """Have the verifier score, outside the tenant's lock, the pairs ``search``'s first
    round will hand it (``MatchPolicy.before_judging``), unless a candidate answers as
    respelled first (then ``search`` scores nothing). A warm-up only: ``search`` still
    makes every verdict under the lock, on the index as it is then, and scores there any
    pair not kept (a candidate added meanwhile, a score evicted)."""
    if respelled_hit(round_.candidates, policy, query_text, round_.respelled) is None:
        policy.before_judging([(query_text, cached) for cached in
                               over_floor(round_.candidates, policy, round_.lowered)])


# Rows a new index makes room for: it doubles as entries come (``_grow``). A tenant's
# first entry cost 393 KB of matrix with 256 (docs/cache-history.md "Session 15"), which
# many tenants (or ``scope: key``'s one index a key) each paid.
FIRST_ROWS = 8


class TenantIndex:
    """``retrieval_map`` (``cache.retrieval_map``; None: off): the index ranks its entries
    and holds them to the floor by the cosine of their mapped vectors, while the verifier's
    checks read the raw cosine (``MatchPolicy.judge``'s ``cosine``). One float32 row an
    entry: the mapped vector (mapped as entries come) with a map, else the raw one. The
    raw vector of a candidate the checks read is the mapped row read back through the
    map's inverse (``RetrievalMap.unmap``); the snapshot and the journal keep the raw
    vectors (docs/cache-history.md "Session 29: one vector row an entry")."""

    def __init__(self, dim: int = 384, capacity: int = FIRST_ROWS,
                 max_entries: int | None = None, max_bytes: int | None = None,
                 retrieval_map: RetrievalMap | None = None):
        self.dim = dim
        self.retrieval_map = retrieval_map
        self.max_entries = max_entries  # None: no cap (cache-probe, benchmarks)
        self.max_bytes = max_bytes  # None: no cap; else the newest entry is always kept
        self.nbytes = 0  # what the entries hold (``IndexRecord.nbytes``, summed)
        # The rows a search scores: the raw vectors, or with a map the mapped ones alone.
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._contexts = np.zeros(capacity, dtype=np.int64)
        self._expires = np.zeros(capacity, dtype=np.int64)
        # ``number_codes`` of each row's text (its amounts, its ids), read the first time
        # the row would be a candidate (``_read``): ~30 us a text with a digit, which a
        # snapshot of 100,000 entries would otherwise pay at load. Unread: NO_CODE.
        # ``_forms``: whether they were read with ``cache.amount_forms`` (``number_codes``'
        # ``forms``), ``_words`` with ``cache.number_words`` (its ``words``); a search with
        # the other reading reads every row afresh.
        self._amounts = np.zeros(capacity, dtype=np.int64)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._read = np.zeros(capacity, dtype=bool)
        self._forms = False
        self._words = False
        self._keys: list[str] = []
        self._texts: list[str] = []
        self._signatures: list[Signature | None] = []
        self._row: dict[str, int] = {}  # semantic rows
        # Every entry: key -> (expires_at, journal sort key, its ``nbytes``), the one
        # learnt first first.
        self._exact: OrderedDict[str, tuple[int, str, int]] = OrderedDict()
        self._context_codes: dict[str, int] = {}  # contexts of semantic rows (and former)
        self._next_code = 0
        self.watermark = ""  # newest journal sort key seen
        self.evicted_through = ""  # newest journal sort key the cap let go
        self.evicted = 0  # entries the cap let go (stats, benchmarks)
        # Bumped by every change to the rows (``add``, ``remove``, the contexts' codes):
        # a ``FirstRound`` read at the same generation holds rows still valid.
        self.generation = 0

    def __len__(self) -> int:
        return len(self._exact)

    @property
    def semantic_rows(self) -> int:
        return len(self._keys)

    def add_many(self, records: Sequence[IndexRecord]) -> list[bool]:
        """``add`` of each record in turn (a snapshot's load), with a retrieval map the
        semantic rows mapped in one product first (``RetrievalMap.apply`` on them all: the
        same rows as one by one)."""
        if self.retrieval_map is None:
            return [self.add(record) for record in records]
        semantic = [r.embedding.reshape(-1) for r in records if r.embedding is not None]
        mapped = iter(self.retrieval_map.apply(np.stack(semantic)) if semantic else ())
        return [self.add(r, None if r.embedding is None else next(mapped)) for r in records]

    def add(self, record: IndexRecord,
            mapped: npt.NDArray[np.float32] | None = None) -> bool:
        """Add or update an entry; adding the same record again, or one older than an
        entry the cap let go, is a no-op. True when a semantic row was added or changed
        (its text may be new to this instance). Past ``max_entries`` or ``max_bytes``, the
        entry learnt first goes. ``mapped``: the row's mapped vector when the caller
        mapped it already (``add_many``); else the map is applied here."""
        self.watermark = max(self.watermark, record.journal_sk)
        held = self._exact.get(record.key)
        if held is None and self.evicted_through and record.journal_sk <= self.evicted_through:
            return False
        if held is not None and held[0] == record.expires_at and (
                record.embedding is None or record.key in self._row):
            return False
        self.generation += 1
        # An exact-only record of a key with a row leaves the row (and its text) as it is.
        size = held[2] if held is not None and record.embedding is None \
            and record.key in self._row else record.nbytes
        self.nbytes += size - (held[2] if held is not None else 0)
        self._exact[record.key] = (record.expires_at, record.journal_sk, size)
        self._exact.move_to_end(record.key)
        self._evict()
        if record.embedding is None:
            return False
        row = self._row.get(record.key)
        if row is None:
            row = len(self._keys)
            self._grow(row + 1)
            self._keys.append(record.key)
            self._texts.append(record.text)
            self._signatures.append(None)
            self._row[record.key] = row
        else:
            self._texts[row], self._signatures[row] = record.text, None
        if self.retrieval_map is None:
            self._vectors[row] = record.embedding.reshape(-1)
        else:
            self._vectors[row] = (self.retrieval_map.apply(record.embedding.reshape(-1))
                                  if mapped is None else mapped)
        self._contexts[row] = self._code(record.context)
        self._expires[row] = record.expires_at
        self._amounts[row] = self._ids[row] = NO_CODE
        self._read[row] = False
        return True

    def remove(self, key: str) -> None:
        self.generation += 1
        held = self._exact.pop(key, None)
        if held is not None:
            self.nbytes -= held[2]
        row = self._row.pop(key, None)
        if row is None:
            return
        last = len(self._keys) - 1
        if row != last:  # move the last row into the hole
            moved = self._keys[last]
            self._vectors[row] = self._vectors[last]
            self._contexts[row] = self._contexts[last]
            self._expires[row] = self._expires[last]
            self._amounts[row], self._ids[row] = self._amounts[last], self._ids[last]
            self._read[row] = self._read[last]
            self._keys[row], self._texts[row] = moved, self._texts[last]
            self._signatures[row] = self._signatures[last]
            self._row[moved] = row
        self._keys.pop()
        self._texts.pop()
        self._signatures.pop()

    def drop_expired(self, now: int) -> int:
        """Forget every entry whose ``expires_at`` has passed: a search masks it out
        anyway, so results do not change; the index then holds about a TTL's worth of
        entries (``ttl_seconds``), not everything this instance has seen. How many went."""
        expired = [key for key, (expires, *_) in self._exact.items() if expires <= now]
        for key in expired:
            self.remove(key)
        self._forget_contexts()
        return len(expired)

    def _forget_contexts(self) -> None:
        """Drop the codes of contexts no row holds any more: each conversation is a
        context of its own, and their codes would otherwise outlive their entries."""
        held = set(np.unique(self._contexts[:len(self._keys)]).tolist())
        if len(self._context_codes) > len(held):
            self.generation += 1
            self._context_codes = {context: code for context, code in self._context_codes.items()
                                   if code in held}

    def has_live(self, key: str, now: int) -> bool:
        held = self._exact.get(key)
        return held is not None and held[0] > now

    def _evict(self) -> None:
        """The entries learnt first out, down to ``max_entries`` and ``max_bytes`` (the
        newest stays, however large)."""
        while (self.max_entries is not None and len(self._exact) > self.max_entries) or (
                self.max_bytes is not None and self.nbytes > self.max_bytes
                and len(self._exact) > 1):
            key, (_, journal, _) = next(iter(self._exact.items()))
            self.evicted_through = max(self.evicted_through, journal)
            self.remove(key)
            self.evicted += 1

    def search(self, query: npt.NDArray[np.float32], context: str, now: int,
               policy: MatchPolicy, query_text: str, widen_to: int = WIDEN_TO,
               prescored: FirstRound | None = None,
               ask: npt.NDArray[np.float32] | None = None) -> Lookup:
        """The first candidate that may answer, judged ``CANDIDATES`` at a time, nearest
        first (a round: the respelling check on each, then floor, hard check and verifier
        in order); the next ``CANDIDATES``, up to ``widen_to`` in all, only when no
        candidate of a round answered and none fell under the floor. Each candidate the
        verifier refused raises the bar of the next (``MatchPolicy.rank_margin``; with
        ``rank_margin_counts_refused``, each refused at the floor or over). Where
        no candidate reaches the floor, the nearest may still be judged at the policy's
        ``nearest_floor`` (``MatchPolicy.floor_for_nearest``), and then only it.
        ``prescored``: this lookup's ``prescore``d first round, whose respelling checks it
        reads (its scores are the verifier's, kept), and whose candidates it reads where
        the index has not changed since (``FirstRound.reuse``).

        ``ask`` (``cache.ask_clause``; None: off): the raw vector of the query's asking
        clause alone (``narrowing.asking_clause``: "My son lives in Rotterdam; would you
        be able to post our tea to him there?" -> "would you be able to post our tea to
        him there?"). Each entry's similarity is then the larger of its cosine to the
        query and to ``ask`` (both mapped as the rows are): the nearest candidates, the
        floor and F1 read that (with ``policy.ask_ranks`` False, the candidates are the
        whole query's and only their floor reads it); the verifier and every check after
        the floor still read the whole query and its raw cosine (docs/cache-history.md
        "Session 31: retrieval by the asking clause")."""
        k = max(CANDIDATES, widen_to)
        if prescored is not None and prescored.query is query and prescored.ask is ask \
                and prescored.reuse == (self.generation, now, context, k, query_text):
            nearest, best_similarity = prescored.nearest  # the index is as it was read
        else:
            nearest, best_similarity = self._candidates(query, context, now, policy,
                                                        query_text, k, ask)
        if best_similarity is None:
            return Lookup(None, 0.0, "context")
        if not nearest:  # every live entry of the context names other amounts or ids
            return Lookup(None, best_similarity, "numbers")
        # The nearest entry was left out: the hard check refused it.
        first_refusal: Refusal | None = "numbers" if best_similarity > nearest[0][1] else None
        probability: float | None = None
        judged = 0  # candidates refused so far that raise the bar (``counts_toward_rank``)
        # F1: the nearest under the floor, verified at a lower one (``floor_for_nearest``).
        lowered = policy.floor_for_nearest(nearest[0][1], best_similarity)
        for start in range(0, len(nearest), CANDIDATES):
            found, refusal, p, floor_reached, judged = self._judge(
                nearest[start:start + CANDIDATES], policy, query_text, judged,
                lowered if start == 0 else None, query,
                prescored.respelled if prescored is not None and start == 0 else None,
                start == 0)
            if found is not None:
                return Lookup(found, best_similarity, None, *p)
            if first_refusal is None:
                first_refusal, probability = refusal, p[0]
            if floor_reached:
                break  # candidates are sorted: the next round is below the floor too
        return Lookup(None, best_similarity, first_refusal, probability)

    def _judge(self, candidates: list[tuple[int, float]], policy: MatchPolicy,
               query_text: str, judged: int, lowered: float | None = None,
               raw: npt.NDArray[np.float32] | None = None,
               respelled_known: dict[str, Verdict | None] | None = None,
               first_round: bool = True
               ) -> tuple[Match | None, Refusal | None,
                          tuple[float | None, tuple[str, ...] | None], bool, int]:
        """One round of ``search``: (the match or None, the first refusal, (the verifier's
        probability, the respelling), whether a candidate fell under the floor, the
        refused candidates that raise the bar (``MatchPolicy.counts_toward_rank``: those
        the verifier refused), ``judged`` before this round included).
        ``lowered``: the floor of the round's first candidate, under the policy's.
        ``raw``: the query's raw vector, whose cosine the checks read with a map.
        ``first_round``: the round's first candidate is the lookup's nearest
        (``MatchPolicy.later_probability``)."""
        texts = [(self._texts[row], similarity) for row, similarity in candidates]
        # The same question respelled.
        respelled = respelled_hit(texts, policy, query_text, respelled_known)
        if respelled is not None:
            n, verdict = respelled
            return (Match(self._keys[candidates[n][0]], verdict.similarity), None,
                    (None, verdict.respelling), False, judged)
        # Each may be judged: one pass.
        policy.before_judging([(query_text, cached)
                               for cached in over_floor(texts, policy, lowered)])
        # The lexical signatures are read only by the guards without a verifier.
        lexical = policy.reads_signatures
        query_sig = signature(query_text) if lexical else None
        first: tuple[Refusal | None, float | None] | None = None
        cosines = self._raw_cosines([row for row, _ in candidates], raw)
        for n, (row, similarity) in enumerate(candidates):
            verdict = policy.judge(similarity, self._signature(row) if lexical else None,
                                   query_sig, self._texts[row], query_text, judged,
                                   None if n else lowered, cosines[n],
                                   nearest=first_round and n == 0)
            if verdict.hit:
                return (Match(self._keys[row], verdict.similarity), None,
                        (verdict.probability, verdict.respelling), False, judged)
            if policy.counts_toward_rank(verdict):
                judged += 1
            if first is None:
                first = verdict.refused_by, verdict.probability
            if verdict.refused_by == "threshold":
                return None, first[0], (first[1], None), True, judged
        assert first is not None
        return None, first[0], (first[1], None), False, judged

    def first_round(self, query: npt.NDArray[np.float32], context: str, now: int,
                    policy: MatchPolicy, query_text: str, widen_to: int = WIDEN_TO,
                    ask: npt.NDArray[np.float32] | None = None) -> FirstRound:
        """The candidates of ``search``'s first round (the same ``nearest`` call, the same
        lowered floor), copied for ``prescore`` (none: nothing to score)."""
        k = max(CANDIDATES, widen_to)
        nearest, best_similarity = self._candidates(query, context, now, policy, query_text,
                                                    k, ask)
        return FirstRound([(self._texts[row], similarity)
                           for row, similarity in nearest[:CANDIDATES]],
                          None if best_similarity is None or not nearest
                          else policy.floor_for_nearest(nearest[0][1], best_similarity),
                          reuse=(self.generation, now, context, k, query_text), query=query,
                          ask=ask, nearest=(nearest, best_similarity))

    def nearest(self, query: npt.NDArray[np.float32], context: str, now: int,
                k: int = CANDIDATES, numbers: tuple[int, int] | None = None,
                ask: npt.NDArray[np.float32] | None = None, ask_ranks: bool = True,
                forms: bool = False, words: bool = False) -> list[tuple[int, float]]:
        """(row, similarity) of the ``k`` live entries of ``context`` nearest ``query``,
        best first; with ``numbers`` (the query's ``number_codes``, read with ``forms`` and
        ``words``
        as the rows then are), of those whose amounts and ids the hard check does not
        refuse. When the context holds few of the
        tenant's rows (a conversation's follow-up turns, a rarely used model) only those
        rows are scored; otherwise one matrix-vector product over all rows, masked. Both
        are exact. With a ``retrieval_map`` the similarity is the mapped vectors'; with
        ``ask`` the larger of the row's to ``query`` and to ``ask`` (``search``; of the
        rows ``query`` alone picks without ``ask_ranks``)."""
        return self._nearest(self._retrieval(query), context, now, k, numbers,
                             None if ask is None else self._retrieval(ask), ask_ranks,
                             forms, words)[0]

    def _candidates(self, query: npt.NDArray[np.float32], context: str, now: int,
                    policy: MatchPolicy, query_text: str, k: int,
                    ask: npt.NDArray[np.float32] | None = None
                    ) -> tuple[list[tuple[int, float]], float | None]:
        """``search``'s ``nearest`` read (``first_round`` reads the same): the query (and
        ``ask``) mapped as the rows are, and the amounts and ids the hard check refuses
        left out when the policy filters numbers (read as its check reads them: with
        ``amount_forms`` the forms rewritten on both sides, with ``number_words`` a text that
        writes a number in words left to the check)."""
        forms, words = policy.amount_forms, policy.number_words
        numbers = number_codes(query_text, forms, words) if policy.filters_numbers else None
        return self._nearest(self._retrieval(query), context, now, k, numbers,
                             None if ask is None else self._retrieval(ask), policy.ask_ranks,
                             forms, words)

    def _retrieval(self, query: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The query as the rows a search scores hold it: mapped with a map, else as is."""
        return query if self.retrieval_map is None else self.retrieval_map.apply(query)

    def _raw_cosines(self, rows: list[int], raw: npt.NDArray[np.float32] | None
                     ) -> list[float | None]:
        """The raw cosine of each row and the query, with a map (the checks read it): the
        mapped rows read back through the map's inverse (``RetrievalMap.unmap``: a round's
        candidates in one product); None each without one (the similarity is the raw
        cosine)."""
        if self.retrieval_map is None or raw is None:
            return [None] * len(rows)
        vectors = self.retrieval_map.unmap(self._vectors[rows])
        return [float(v) for v in vectors @ raw.reshape(-1).astype(np.float64)]

    def _nearest(self, query: npt.NDArray[np.float32], context: str, now: int, k: int,
                 numbers: tuple[int, int] | None,
                 ask: npt.NDArray[np.float32] | None = None, ask_ranks: bool = True,
                 forms: bool = False, words: bool = False
                 ) -> tuple[list[tuple[int, float]], float | None]:
        """``nearest``, and the similarity of the nearest live entry of the context, left
        out or not (None: the context has none). Over every row (a tenant of one context,
        the usual case) the product's own output is masked in place, rows stand for
        themselves (no index array), and a query that names no amount nor id skips the
        hard check's filter (it refuses no row then): the product is most of the CPU.
        ``ask``: a second query vector, each row scored by the larger of its two cosines
        (a second product); with ``ask_ranks`` False only the ``k`` rows the query alone
        picks are (their order then by that score: ``MatchPolicy.ask_ranks``). ``forms``:
        the rows' numbers read with ``cache.amount_forms``, as ``numbers`` were; ``words``
        likewise with ``cache.number_words``."""
        code = self._context_codes.get(context)
        n = len(self._keys)
        if code is None or n == 0:
            return [], None
        live = (self._contexts[:n] == code) & (self._expires[:n] > now)
        count = int(np.count_nonzero(live))
        if count == 0:
            return [], None
        rows: npt.NDArray[np.intp] | None = None  # None: score i is row i's
        if count * SUBSET_SHARE < n:
            rows = np.flatnonzero(live)
            gathered = self._vectors[rows]
            scores = cosine_scores(gathered, query)
            if ask is not None and ask_ranks:
                np.maximum(scores, cosine_scores(gathered, ask), out=scores)
        else:  # every row scored, the others masked
            scores = cosine_scores(self._vectors[:n], query)
            if ask is not None and ask_ranks:
                np.maximum(scores, cosine_scores(self._vectors[:n], ask), out=scores)
            if count < n:
                np.copyto(scores, np.float32(-2.0), where=~live)
        best = float(scores.max())
        if numbers is None or not _may_refuse(numbers):
            kept = scores
        else:
            if (forms, words) != (self._forms, self._words):  # another reading: afresh
                self._read[:] = False
                self._amounts[:] = self._ids[:] = NO_CODE
                self._forms, self._words = forms, words
            kept = self._without_refused(rows, scores, numbers, k)
        picked = [(i if rows is None else int(rows[i]), float(scores[i]))
                  for i in top_k(kept, k, -1.0)]
        if ask is not None and not ask_ranks and picked:  # the query's candidates, lifted
            lifted = cosine_scores(self._vectors[[row for row, _ in picked]], ask)
            picked = sorted(((row, max(s, float(a)))
                             for (row, s), a in zip(picked, lifted, strict=True)),
                            key=lambda candidate: -candidate[1])
            best = max(best, picked[0][1])
        return picked, best

    def _without_refused(self, rows: npt.NDArray[np.intp] | None,
                         scores: npt.NDArray[np.float32], numbers: tuple[int, int],
                         k: int) -> npt.NDArray[np.float32]:
        """``scores`` (of ``rows``; None: of every row) with the rows the hard check
        refuses masked out, as if every row's numbers had been read: rows read before are
        masked at once; then the best left are walked in order, each unread row read and
        masked if refused, until ``k`` rows the check lets through are found. The walk
        reads a pool of the best (``4 * k``, four times more each time it runs out): one
        partial sort per pool, not two per round over every row (session 29: 100,000
        entries that mostly name other amounts took ~50 ms CPU a lookup)."""
        kept = scores.copy()
        kept[self._refused(numbers, slice(0, len(scores)) if rows is None else rows)] = \
            np.float32(-2.0)
        pool = 4 * k
        while True:
            order = top_k(kept, pool, -1.0)
            through = 0  # rows walked that the check lets through
            for i in order:
                row = i if rows is None else int(rows[i])
                if not self._read[row]:
                    self._amounts[row], self._ids[row] = number_codes(self._texts[row],
                                                                      self._forms, self._words)
                    self._read[row] = True
                    if self._refused(numbers, slice(row, row + 1))[0]:
                        kept[i] = np.float32(-2.0)
                        continue
                through += 1
                if through == k:
                    return kept
            if len(order) < pool:  # every row left walked
                return kept
            pool *= 4

    def _refused(self, numbers: tuple[int, int], rows: npt.NDArray[np.intp] | slice
                 ) -> npt.NDArray[np.bool_]:
        """Which of ``rows`` (row numbers, or a slice) the hard check refuses for a query
        of these ``number_codes``, which name an amount compared exactly or an id
        (``_may_refuse``): both name amounts (compared exactly) and they differ, or both
        name ids and they differ. A row not read yet holds NO_CODE: never refused."""
        amount, ids = numbers
        refused: list[npt.NDArray[np.bool_]] = []
        if amount not in (NO_CODE, TOLERANT):
            theirs = self._amounts[rows]
            refused.append((theirs != NO_CODE) & (theirs != TOLERANT) & (theirs != amount))
        if ids != NO_CODE:
            theirs = self._ids[rows]
            refused.append((theirs != NO_CODE) & (theirs != ids))
        return refused[0] if len(refused) == 1 else refused[0] | refused[1]

    def nearest_by_scan(self, query: npt.NDArray[np.float32], live: npt.NDArray[np.bool_],
                        k: int = CANDIDATES) -> list[tuple[int, float]]:
        """``nearest`` over every row, the rows outside ``live`` masked out: the exact
        reference (tests hold the subset path to it)."""
        n = len(self._keys)
        scores = np.where(live, cosine_scores(self._vectors[:n], self._retrieval(query)),
                          np.float32(-2.0))
        return [(row, float(scores[row])) for row in top_k(scores, k, -1.0)]

    def text(self, row: int) -> str:
        """The text of a row ``nearest`` returned."""
        return self._texts[row]

    def keys(self) -> list[str]:
        """The keys of the semantic rows, in row order (the snapshots are written from the
        journal, not from an index: ``S3SnapshotStore.rebuild``)."""
        return list(self._keys)

    def _signature(self, row: int) -> Signature:
        sig = self._signatures[row]
        if sig is None:
            sig = self._signatures[row] = signature(self._texts[row])
        return sig

    def _code(self, context: str) -> int:
        """The context's code; a code is never given twice (``_forget_contexts``)."""
        code = self._context_codes.get(context)
        if code is None:
            code = self._context_codes[context] = self._next_code
            self._next_code += 1
        return code

    def _grow(self, needed: int) -> None:
        capacity = self._vectors.shape[0]
        if needed <= capacity:
            return
        new = max(needed, capacity * 2)
        if self.max_entries is not None:  # never rows the cap would leave empty
            new = max(needed, min(new, self.max_entries))
        self._vectors = _larger(self._vectors, new)
        self._contexts = _larger(self._contexts, new)
        self._expires = _larger(self._expires, new)
        self._amounts = _larger(self._amounts, new)
        self._ids = _larger(self._ids, new)
        self._read = _larger(self._read, new)


def _may_refuse(numbers: tuple[int, int]) -> bool:
    """Whether the hard check may refuse a row for a query of these ``number_codes``
    (``TenantIndex._refused``): it names an amount compared exactly, or an id."""
    amount, ids = numbers
    return amount not in (NO_CODE, TOLERANT) or ids != NO_CODE


def _larger(array: npt.NDArray[Any], rows: int) -> npt.NDArray[Any]:
    """``array`` with ``rows`` rows, the new ones zero, in a buffer of just that size
    (``np.resize`` returns a view of one that repeats the old array whole: 25 MB held for
    the 15 MB of a 10,000-row matrix grown from 8,192)."""
    out = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
    out[:len(array)] = array
    return out
