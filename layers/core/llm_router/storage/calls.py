"""Every DynamoDB call a request makes, timed, for its Server-Timing header.

botocore announces each API call (``before-call``) and its end (``after-call``, or
``after-call-error`` when no response came back). ``watch_calls`` hooks both on a
client; the request being served is found through a context variable, which anyio's
worker threads inherit, so a call made from ``anyio.to_thread`` is still attributed to
the request that made it. Calls made outside a request (start-up, the batch jobs) are
not recorded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

_STARTED = "llm_router_started"


class CallLog(Protocol):
    def call(self, operation: str, ms: float) -> None: ...


_current: ContextVar[CallLog | None] = ContextVar("llm_router_storage_calls", default=None)


@contextmanager
def recording_calls(log: CallLog) -> Iterator[None]:
    """Storage calls made inside this block (and the threads it starts) go to ``log``."""
    token = _current.set(log)
    try:
        yield
    finally:
        _current.reset(token)


def watch_calls(client: Any) -> Any:
    """Hook ``client`` so each DynamoDB call reports to the current request's log."""
    events = client.meta.events
    events.register("before-call.dynamodb", _before)
    events.register("after-call.dynamodb", _after)
    events.register("after-call-error.dynamodb", _after)
    return client


def _before(context: dict[str, Any] | None = None, **_: Any) -> None:
    if context is not None and _current.get() is not None:
        context[_STARTED] = time.perf_counter()


def _after(model: Any = None, context: dict[str, Any] | None = None, **_: Any) -> None:
    log = _current.get()
    if log is None or context is None or _STARTED not in context:
        return
    log.call(getattr(model, "name", "call"), (time.perf_counter() - context.pop(_STARTED)) * 1000)
