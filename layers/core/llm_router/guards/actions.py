"""What a guard did to one request: shown in ``x-router-guard`` and booked in the ledger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class GuardAction:
    guard: str  # input | injection | pii
    action: str  # sanitized | flagged | blocked | redacted
    detail: str = ""  # what was found: counts, signal names or PII kinds

    def __str__(self) -> str:
        return f"{self.guard}={self.action}" + (f"({self.detail})" if self.detail else "")


def header_value(actions: Iterable[GuardAction]) -> str:
    """``input=sanitized(2 control tokens); pii=redacted(email,card)``; "" for none."""
    return "; ".join(str(a) for a in actions)
