"""What a process keeps of texts it read, bounded in bytes (pure; no I/O): the nets'
prepared texts (``verifier.PairVerifier``), the cross-encoder's pair scores and word views
(``cross.CrossVerifier``), the hard check's readings of a text (``quantities``) and the
answers an instance stored or read (``answers.AnswerMemo``).

A count of items bounds nothing when an item may be a 20,000-character message: the key
alone, a text, is ~20 KB of it (up to 80 KB in scripts Python holds at 4 bytes a
character), so each item is counted with its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeptInBytes(Generic[K, V]):
    """The items used last, within ``budget`` bytes as ``size(key, value)`` counts each:
    past it the least recently used go, never the newest (however large). Thread-safe."""

    def __init__(self, budget: int, size: Callable[[K, V], int]) -> None:
        self.budget = budget
        self.held = 0  # bytes, as ``size`` counts them
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The item, now the most recently used; None where not kept."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def peek(self, key: K) -> V | None:
        """The item, its place left as it is; None where not kept."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: K, value: V, *, replace: bool = False) -> V:
        """Keep ``value`` (the one kept already where another thread put the key first:
        that one is returned; with ``replace``, ``value`` takes its place, now the most
        recently used), then drop the least recently used past the budget."""
        with self._lock:
            if replace and key in self._items:
                self.held -= self._size(key, self._items.pop(key))
            kept = self._items.setdefault(key, value)
            if kept is value:
                self.held += self._size(key, value)
            while self.held > self.budget and len(self._items) > 1:
                self.held -= self._size(*self._items.popitem(last=False))
            return kept

    def drop(self, key: K, value: V) -> None:
        """Drop ``key``'s item if it is still ``value`` (not one another thread put since)."""
        with self._lock:
            if self._items.get(key) is value:
                del self._items[key]
                self.held -= self._size(key, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        """The keys, least recently used first (a snapshot)."""
        with self._lock:
            return iter(list(self._items))
