"""DynamoDB's TTL for the embedded store: expired items deleted in the background.

As in DynamoDB, an expired item stays readable until it is deleted (readers that care
compare the TTL attribute with the time, as the router does), and the deletes cost the
requests nothing: a thread deletes them in batches of ``BATCH`` (each one short
transaction under the store's lock, which requests take in between), every
``interval`` seconds. Without it the store's file grew with every item ever written
(docs/embedded-store.md, "Time to live"). SQLite keeps the freed pages and reuses them
for new items, so the file stops growing once as many items expire as are written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from llm_router_local.store.database import Database

log = logging.getLogger("llm_router_local.store")
BATCH = 200  # items a transaction deletes: ~1.3 ms of CPU under the lock (docs)
DEFAULT_INTERVAL_S = 60.0


class TtlSweeper:
    def __init__(self, db: Database, interval: float = DEFAULT_INTERVAL_S,
                 clock: Callable[[], float] = time.time, batch: int = BATCH):
        self._db = db
        self._interval = interval
        self._clock = clock
        self._batch = batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.deleted = 0  # items deleted since the start

    def sweep(self) -> int:
        """Delete every item expired by now, a batch a transaction; how many went."""
        now, total = self._clock(), 0
        while not self._stop.is_set():
            deleted = self._db.delete_expired(now, self._batch)
            total += deleted
            if deleted < self._batch:
                break
            time.sleep(0)  # hand the lock to a waiting request before the next batch
        self.deleted += total
        return total

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="store-ttl", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sweep()
            except Exception:  # a failed sweep must not end the thread: the next one tries
                log.exception("TTL sweep failed")
