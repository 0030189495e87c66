"""The four tiers, weakest first. Their order is what "one tier up" and
"under-routing" (a query sent to a weaker tier than its label) mean."""

from __future__ import annotations

from typing import Literal, cast

Tier = Literal["simple", "moderate", "complex", "reasoning"]
TIERS: tuple[Tier, ...] = ("simple", "moderate", "complex", "reasoning")


def tier_index(label: str) -> int:
    try:
        return TIERS.index(cast(Tier, label))
    except ValueError:
        raise ValueError(f"unknown tier {label!r}; expected one of {', '.join(TIERS)}") from None
