"""Learnt entries' texts prepared for the verifier off the request path.

An entry this instance stored is already prepared: its text was the query, and the
query's embedding pass gave the nets its token states (``ResponseCache.embed_query``).
An entry learnt from the tenant's snapshot or from another instance's journal is not:
the first lookup that finds it as a lone candidate paid the nets' MiniLM pass over it
(~9 ms of CPU, on that request). ``Preparer`` takes the newest learnt texts (up to
``ahead``) and prepares them on a background thread, in small batches, starting a batch
only while no lookup is running and resting as long as each batch took (at most half a
core), so such a lookup costs what a kept candidate does. A lookup that starts while a
batch runs shares the CPU with it (docs/cache-history.md, "Session 13").
Nothing here changes a verdict: the states are the ones a lookup's own batched pass
computes (``PairVerifier.prepare_many``), kept in the same bounded LRU.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from llm_router.errors import RouterError

if TYPE_CHECKING:
    from llm_router.cache.verifier import PairVerifier

log = logging.getLogger("llm_router.cache")
# Texts a batch prepares: one pass over 4 questions costs ~6.2 ms of CPU a text against
# ~11 alone (8: ~5.4), and a lookup that starts while a batch runs shares the CPU with
# what is left of it (~25 ms at most).
BATCH = 4


class Preparer:
    """Prepares offered texts in the background, newest first, between lookups.

    ``nets``: called once, on the background thread, for the verifier whose nets keep
    the texts (None: no nets to prepare for; every offer is then dropped)."""

    def __init__(self, nets: Callable[[], PairVerifier | None], ahead: int,
                 batch: int = BATCH):
        self._nets_of = nets
        self._pending: deque[str] = deque(maxlen=max(ahead, 1))
        self._ahead = ahead
        self._batch = batch
        self._cond = threading.Condition()
        self._lookups = 0
        self._working = False
        self._thread: threading.Thread | None = None
        self.prepared = 0  # texts prepared here (stats, benchmarks)
        self.cpu_seconds = 0.0  # this thread's CPU time preparing them

    def offer(self, texts: Sequence[str]) -> None:
        """Queue ``texts`` (oldest first: the newest ``ahead`` are kept); returns at once."""
        if self._ahead <= 0 or not texts:
            return
        with self._cond:
            self._pending.extend(texts[-self._ahead:])
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cache-preparer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @contextmanager
    def lookup(self) -> Iterator[None]:
        """Around a lookup's CPU work: no batch starts while one runs."""
        with self._cond:
            self._lookups += 1
        try:
            yield
        finally:
            with self._cond:
                self._lookups -= 1
                self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until every offered text is prepared (tests, benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._working:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _next_batch(self) -> list[str]:
        with self._cond:
            while not self._pending or self._lookups:
                self._cond.wait()
            batch = [self._pending.pop() for _ in range(min(self._batch, len(self._pending)))]
            self._working = True
            return batch

    def _run(self) -> None:
        nets: PairVerifier | None = None
        loaded = False
        while True:
            batch = self._next_batch()
            started, wall = time.thread_time(), time.monotonic()
            try:
                if not loaded:
                    loaded = True
                    nets = self._nets_of()
                if nets is not None:
                    self.prepared += nets.prepare_many(batch, lone=True)
            except (RouterError, OSError, ValueError) as exc:
                log.warning("preparing cached texts for the verifier failed: %s", exc)
            finally:
                self.cpu_seconds += time.thread_time() - started
                with self._cond:
                    self._working = False
                    if nets is None and loaded:
                        self._pending.clear()
                    self._cond.notify_all()
            if self._pending:  # a rest as long as the batch: lookups get the CPU
                time.sleep(min(time.monotonic() - wall, 1.0))


def shared_nets(model: str | None, order_band: float | None = None) -> PairVerifier | None:
    """The nets the process's shared verifier of ``model`` (and ``order_band``: the one the
    lookups read) reads texts with (None: the cross-encoder alone, which keeps nothing per
    text). Loads it: called on the thread."""
    from llm_router.cache.verifier import nets_of, shared_verifier

    return nets_of(shared_verifier(model, order_band))
