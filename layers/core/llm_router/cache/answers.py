"""Answers this instance has stored or read, kept for its next hits on them.

Without it, every hit read its entry's answer back with a ``GetItem`` and parsed the
completion's JSON: a storage round trip (a worker-thread hop and the call) that was a
third of an exact hit's time on the embedded store (docs/performance.md). An entry's
answer does not change while the entry lives: its key is the hash of the request it
answers, and a second answer under one key is written only by an instance that had not
yet seen the first, to the same request. So a kept answer is served until its entry
expires. Bounded: least recently used answers go first once the bytes they hold pass
``max_bytes``; a large answer is never kept (it would push out many small ones).
"""

from __future__ import annotations

import sys

from llm_router.cache.entry import CachedAnswer
from llm_router.cache.kept import KeptInBytes

MAX_BYTES = 4_000_000  # what the kept answers hold in memory, all counted
# What an answer holds besides its texts, measured with tracemalloc: one read from
# storage (its completion parsed from ``model_dump_json``: seven pydantic models with
# their dicts and field sets) with its key, request id, time, cost and the memo's slot:
# ~4,940 bytes, and ~1,450 more a choice past the first; one the settle kept (parsed
# from the upstream's JSON, the usage details left at their shared defaults) ~3,440. The
# count is the first: never under what an answer holds, at most ~1.6 times it
# (tests/unit/cache/test_answers.py). Session 14 counted 512 and the text's length: its
# "2 MB" memo held ~13 MB (docs/cache-history.md "Session 15").
OVERHEAD_BYTES = 5_000
CHOICE_BYTES = 1_450


def answer_bytes(answer: CachedAnswer) -> int:
    """What an answer holds in memory: its texts and the objects around them."""
    choices = answer.completion.choices
    return (OVERHEAD_BYTES + CHOICE_BYTES * max(len(choices) - 1, 0)
            + sum(sys.getsizeof(choice.message.content or "") for choice in choices))


class AnswerMemo:
    """Live answers by (tenant, exact key): a ``KeptInBytes`` of ``max_bytes``, each
    answer counted by ``answer_bytes``. An answer over an eighth of the budget is refused
    up front (kept, it would push out many small ones; ``KeptInBytes`` keeps its newest
    item however large)."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._kept: KeptInBytes[tuple[str, str], CachedAnswer] = KeptInBytes(
            max_bytes, lambda _, answer: answer_bytes(answer))

    def get(self, tenant_id: str, key: str, now: int) -> CachedAnswer | None:
        """The kept answer, unless none is kept or its entry has expired by ``now``."""
        slot = (tenant_id, key)
        found = self._kept.get(slot)
        if found is not None and found.expires_at <= now:
            self._kept.drop(slot, found)
            return None
        return found

    def put(self, tenant_id: str, answer: CachedAnswer) -> None:
        """Keep ``answer``, in place of one kept under its key (the newer entry's)."""
        if answer_bytes(answer) <= self.max_bytes // 8:
            self._kept.put((tenant_id, answer.key), answer, replace=True)

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def held_bytes(self) -> int:
        return self._kept.held
