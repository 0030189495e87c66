"""Reconciling the ledger: per provider, what was booked from provider-reported usage and
what from tiktoken estimates (streams that broke off, servers that report no usage in
streams). Pure: takes ledger items (as ``LedgerEntry.to_item`` writes them), returns rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SOURCES = ("reported", "estimated", "none")


@dataclass
class Totals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    def add(self, item: dict[str, Any]) -> None:
        self.requests += 1
        self.prompt_tokens += int(item.get("prompt_tokens", 0))
        self.completion_tokens += int(item.get("completion_tokens", 0))
        self.cost_usd += Decimal(str(item.get("cost_usd", 0)))

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "cost_usd": f"{self.cost_usd:f}"}


@dataclass
class ProviderReconciliation:
    provider: str
    by_source: dict[str, Totals] = field(
        default_factory=lambda: {source: Totals() for source in SOURCES})
    streams: int = 0

    def to_json(self) -> dict[str, Any]:
        reported, estimated = self.by_source["reported"], self.by_source["estimated"]
        booked = reported.cost_usd + estimated.cost_usd
        share = (estimated.cost_usd / booked) if booked else Decimal(0)
        return {
            "provider": self.provider,
            "requests": sum(t.requests for t in self.by_source.values()),
            "streams": self.streams,
            **{source: totals.to_json() for source, totals in self.by_source.items()},
            "estimated_cost_share": f"{share:.4f}",
        }


def reconcile(items: Iterable[dict[str, Any]]) -> list[ProviderReconciliation]:
    """One row per provider (sorted by name); items without a provider are skipped
    (refused before routing: nothing was called)."""
    rows: dict[str, ProviderReconciliation] = {}
    for item in items:
        provider = item.get("provider")
        if not provider:
            continue
        row = rows.setdefault(provider, ProviderReconciliation(provider))
        source = item.get("usage_source", "none")
        row.by_source[source if source in SOURCES else "none"].add(item)
        row.streams += bool(item.get("stream"))
    return [rows[name] for name in sorted(rows)]
