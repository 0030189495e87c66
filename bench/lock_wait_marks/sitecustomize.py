"""Timers around the tenant index lock inside ``llm-router serve``, for bench/lock_wait.py.

Loaded by ``serve`` only when bench/lock_wait.py puts this folder first on its
``PYTHONPATH`` (Python imports ``sitecustomize`` at start-up; bench/request_path_marks is
the same idea). Once ``serve`` runs, every ``_Tenant`` of ``cache/service.py`` gets a lock
that times its acquire (the wait) and its hold, and ``ResponseCache.find_semantic`` (the
semantic lookup: the sync and ``TenantIndex.search`` under the lock, the answer read after
it) is timed with the lock's wait and hold inside it, ``TenantIndex.search`` and the
verifier's batched pass (``MatchPolicy.before_judging``: the cross-encoder scores every
candidate over the floor) too. One JSON line per lookup, and one per other acquire (the
entry added after a miss's settle, ``remember``), appended to ``$LOCK_WAIT_MARKS``. Bench
only: nothing in the router imports it, and the request path runs unchanged but for the
timers.

The lookup's verifier pass (``MatchPolicy.before_judging``) is timed as ``verifier``
when the thread holds the tenant's lock and as ``prescore`` when not: since the pass
moved out of the lock (``index.prescore``, session 27), ``prescore`` is the pass and
``verifier`` what ``search`` still scores under the lock (a candidate added meanwhile, a
score evicted).
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from typing import Any

from when_serve_runs import when_serve_runs

_out = os.environ.get("LOCK_WAIT_MARKS", "")
_rows: list[dict[str, Any]] = []
_rows_lock = threading.Lock()
_local = threading.local()  # the lookup running on this thread: its timers


def _flush() -> None:
    with _rows_lock:
        rows = list(_rows)
        _rows.clear()
    with open(_out, "a") as f:
        f.writelines(json.dumps(row) + "\n" for row in rows)


def _row(row: dict[str, Any]) -> None:
    with _rows_lock:
        _rows.append(row)
        full = len(_rows) >= 100
    if full:
        _flush()


class TimedLock:
    """``threading.Lock`` with its acquire's wait and its hold timed (seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since = 0.0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        started = time.perf_counter()
        contended = not self._lock.acquire(blocking=False)
        got = True
        if contended:
            got = self._lock.acquire(blocking, timeout) if blocking else False
        now = time.perf_counter()
        if got:
            self._since = now
            _local.holding = True
        timers = getattr(_local, "timers", None)
        if timers is not None:
            timers["wait"] += now - started
            timers["acquires"] += 1
            timers["contended"] += contended
        elif blocking:
            _row({"kind": "other", "t": now, "wait": now - started, "contended": contended})
        return got

    def release(self) -> None:
        held = time.perf_counter() - self._since
        _local.holding = False
        timers = getattr(_local, "timers", None)
        if timers is not None:
            timers["hold"] += held
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _timed(owner: Any, name: str, key: str, outside: str | None = None) -> None:
    """``owner.name`` adds its wall time to the running lookup's ``key`` timer (to
    ``outside``'s, where given, when the thread holds no tenant lock)."""
    inner = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        held = getattr(_local, "holding", False)
        try:
            return inner(*args, **kwargs)
        finally:
            timers = getattr(_local, "timers", None)
            if timers is not None:
                timers[key if held or outside is None else outside] += (
                    time.perf_counter() - started)

    setattr(owner, name, wrapped)


def _install() -> None:
    import llm_router.cache.index as index
    import llm_router.cache.policy as policy
    import llm_router.cache.service as service

    init = service._Tenant.__init__

    def tenant_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.lock = TimedLock()

    service._Tenant.__init__ = tenant_init  # type: ignore[method-assign]
    find = service.ResponseCache.find_semantic

    def find_semantic(*args: Any, **kwargs: Any) -> Any:
        _local.timers = dict.fromkeys(("wait", "hold", "search", "verifier", "prescore",
                                       "acquires", "contended"), 0.0)
        started = time.perf_counter()
        try:
            found = find(*args, **kwargs)
        finally:
            timers, _local.timers = _local.timers, None
        end = time.perf_counter()
        _row({"kind": "lookup", "t": end, "wall": end - started, "hit": found.hit is not None,
              "respelled": found.hit is not None and found.hit.respelling is not None,
              **timers})
        return found

    service.ResponseCache.find_semantic = find_semantic  # type: ignore[method-assign]
    _timed(index.TenantIndex, "search", "search")
    _timed(policy.MatchPolicy, "before_judging", "verifier", "prescore")


if _out:
    atexit.register(_flush)
    when_serve_runs(_install)  # bench/marks_hook
