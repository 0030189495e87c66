"""Counter operations on the counters table, described as data. Pure.

A ``CounterOp`` is "ADD ``amount`` to the counter ``n`` of item (pk, sk)" (each item holds
one counter); with a
``limit`` it only applies when the result stays within the limit. Rate limits, free-tier
quotas and budget reservations are lists of limited ops applied all-or-nothing (one
DynamoDB transaction, ``llm_router.storage.counters``); settling them is a list of
unlimited ops (the difference between what was reserved and what was used) that rides
in the ledger's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

Unit = Literal["requests", "tokens", "usd"]


@dataclass(frozen=True)
class CounterOp:
    pk: str
    sk: str
    amount: Decimal
    expires_at: int
    limit: Decimal | None = None
    unit: Unit = "requests"
    # What the op stands for, for error messages ("requests per minute of key key_abc").
    label: str = ""
    # When the op's window ends (epoch seconds): a refused op may succeed after it.
    resets_at: float = 0.0

    @property
    def fits_alone(self) -> bool:
        """False when the amount alone is over the limit: no write can ever admit it."""
        return self.limit is None or self.amount <= self.limit

    def settle(self, used: Decimal) -> CounterOp:
        """The unlimited op that turns this reservation into ``used``."""
        return replace(self, amount=used - self.amount, limit=None)


def merge(ops: Iterable[CounterOp]) -> list[CounterOp]:
    """Unlimited ops on the same item folded into one (a transaction may touch an item
    only once); zero amounts dropped."""
    folded: dict[tuple[str, str], CounterOp] = {}
    for op in ops:
        key = (op.pk, op.sk)
        prior = folded.get(key)
        folded[key] = op if prior is None else replace(
            prior, amount=prior.amount + op.amount,
            expires_at=max(prior.expires_at, op.expires_at))
    return [op for op in folded.values() if op.amount != 0]


class LimitReached(Exception):
    """A limited op did not fit. ``used`` is the counter's value when the store said so."""

    def __init__(self, op: CounterOp, used: Decimal | None = None):
        super().__init__(op.label)
        self.op = op
        self.used = used
