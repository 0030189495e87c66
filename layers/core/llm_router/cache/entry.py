"""The records that cross the cache's boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

from llm_router.ledger import CacheMiss
from llm_router.schema import ChatCompletion

HitKind = Literal["exact", "semantic"]


@dataclass(frozen=True)
class IndexRecord:
    """What the in-memory index holds for one entry (journal items and snapshots too)."""

    key: str  # the exact key; also the entry's id
    context: str  # context key: conversation, model and sampling minus the last user turn
    text: str  # the last user turn, for the guards
    embedding: npt.NDArray[np.float32] | None  # None: exact-only entry (tools, temperature)
    expires_at: int  # epoch seconds
    journal_sk: str  # "J#<created ISO>#<key>": orders entries for incremental loading


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
