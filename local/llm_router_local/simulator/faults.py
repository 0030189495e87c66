"""Scripted faults, per-provider latency and request statistics: the simulator's state.

Pure bookkeeping (no I/O), shared by every route. A fault applies to the next ``count``
requests for one provider name (``count == -1``: until cleared).

Modes and what the client sees:
  500        HTTP 500 in the provider's error shape
  429        HTTP 429 with ``Retry-After`` (and ``retry-after-ms`` for OpenAI)
  timeout    no answer for ``hang_s`` seconds (the client's timeout fires first)
  malformed  HTTP 200 whose body is not JSON
  reset      response headers, part of the body, then the connection is closed
  down       the provider's outage status: 503 (OpenAI, Gemini) or 529 (Anthropic)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FaultMode = Literal["500", "429", "timeout", "malformed", "reset", "down"]


class FaultSpec(BaseModel):
    """Body of ``POST /_sim/faults``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    provider: str = Field(min_length=1)
    mode: FaultMode
    count: int = Field(default=1, ge=-1)
    retry_after: float | None = Field(default=None, ge=0)
    model: str | None = None  # only requests for this model, when set


@dataclass
class _Armed:
    spec: FaultSpec
    remaining: int  # -1: forever


def default_latency_ms(provider: str) -> int:
    """Distinct, stable, small latency per provider name: 20..60 ms."""
    return 20 + hashlib.sha256(provider.encode()).digest()[0] % 41


@dataclass
class SimState:
    latency_ms: dict[str, int] = field(default_factory=dict)
    global_latency_ms: int | None = None
    chunk_delay_ms: int = 15
    hang_s: float = 30.0
    _faults: dict[str, list[_Armed]] = field(default_factory=dict)
    _stats: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def latency_for(self, provider: str) -> int:
        if provider in self.latency_ms:
            return self.latency_ms[provider]
        if self.global_latency_ms is not None:
            return self.global_latency_ms
        return default_latency_ms(provider)

    def arm(self, spec: FaultSpec) -> None:
        if spec.count != 0:
            self._faults.setdefault(spec.provider, []).append(_Armed(spec, spec.count))

    def clear(self, provider: str | None = None) -> None:
        if provider is None:
            self._faults.clear()
        else:
            self._faults.pop(provider, None)

    def take(self, provider: str, model: str) -> FaultSpec | None:
        """The fault that applies to this request, if any, consuming one use of it."""
        armed = self._faults.get(provider, [])
        for entry in armed:
            if entry.spec.model not in (None, model):
                continue
            if entry.remaining > 0:
                entry.remaining -= 1
                if entry.remaining == 0:
                    armed.remove(entry)
            return entry.spec
        return None

    def record(self, provider: str, model: str, status: int | str) -> None:
        self._stats[(provider, model, str(status))] += 1

    def stats(self) -> dict[str, Any]:
        rows = [
            {"provider": p, "model": m, "status": s, "count": n}
            for (p, m, s), n in sorted(self._stats.items())
        ]
        providers: Counter[str] = Counter()
        for (p, _, _), n in self._stats.items():
            providers[p] += n
        return {"total": sum(providers.values()), "providers": dict(providers), "requests": rows}

    def faults(self) -> list[dict[str, Any]]:
        return [
            {**entry.spec.model_dump(), "remaining": entry.remaining}
            for armed in self._faults.values()
            for entry in armed
        ]

    def reset(self) -> None:
        self._faults.clear()
        self._stats.clear()
