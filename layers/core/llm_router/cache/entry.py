"""The records that cross the cache's boundaries."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from llm_router.ledger import CacheMiss
from llm_router.schema import ChatCompletion

HitKind = Literal["exact", "semantic"]
# What an entry holds in a ``TenantIndex`` besides its text, measured with tracemalloc
# (bench/entry_bytes.py; docs/cache-history.md "Session 16"): a semantic row ~2,100 B
# (its float32 vector 1,536 and the row arrays' 25, its key, journal key, size and maps),
# an exact-only entry ~520 (its key, expiry, journal key and size). Rounded up: never
# under what it holds. With ``cache.retrieval_map`` the row's vector is the mapped one,
# instead of the raw (sessions 28-29 held both: docs/cache-history.md "Session 29: one
# vector row an entry").
ROW_BYTES = 2_200
EXACT_BYTES = 600


@dataclass(frozen=True)
class IndexRecord:
    """What the in-memory index holds for one entry (journal items and snapshots too)."""

    key: str  # the exact key; also the entry's id
    context: str  # context key: conversation, model and sampling minus the last user turn
    text: str  # the last user turn, for the guards
    embedding: npt.NDArray[np.float32] | None  # None: exact-only entry (tools, temperature)
    expires_at: int  # epoch seconds
    journal_sk: str  # "J#<created ISO>#<key>": orders entries for incremental loading

    @property
    def nbytes(self) -> int:
        """What the entry holds in a ``TenantIndex`` (``cache.max_index_bytes``), with a
        retrieval map or without: an exact-only entry keeps no text."""
        if self.embedding is None:
            return EXACT_BYTES
        return ROW_BYTES + sys.getsizeof(self.text)


def newest_within(records: Iterable[IndexRecord], entries: int | None,
                  nbytes: int | None) -> Iterator[IndexRecord]:
    """``records``, newest first, up to the first that would take them past ``entries``
    or ``nbytes`` (``IndexRecord.nbytes``; the newest always): what an index under those
    caps keeps of them (``TenantIndex._evict``). Stops reading there."""
    held = 0
    for count, record in enumerate(records):
        held += record.nbytes
        if (entries is not None and count >= entries) or (
                nbytes is not None and count and held > nbytes):
            return
        yield record


@dataclass(frozen=True)
class CachedAnswer:
    """The stored answer of an entry, and what it cost when it was first produced."""

    key: str
    completion: ChatCompletion
    model: str
    provider: str
    cost_usd: Decimal
    request_id: str
    created_at: datetime
    expires_at: int


@dataclass(frozen=True)
class CacheHit:
    kind: HitKind
    answer: CachedAnswer
    similarity: float  # 1.0 for an exact hit
    respelling: tuple[str, ...] | None = None  # a semantic hit's form changes, if any


@dataclass(frozen=True)
class Found:
    """A lookup's outcome: the hit, or for a miss that was not for want of a match, why
    (``failed``: storage or the verifier failed; ``gone``: the index holds the entry but
    its answer could not be read or had expired)."""

    hit: CacheHit | None
    miss: CacheMiss | None = None
