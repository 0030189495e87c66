"""Fixed time windows (minute, day, month, UTC) for counters. Pure.

A counter item's sort key names its window (``m#202601021504``, ``d#20260102``,
``mo#202601``), so a window "resets" by being a new item; the old one expires through
DynamoDB's TTL a little after its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

WindowKind = Literal["minute", "day", "month"]
# Items outlive their window by this much, so a late settle still finds them.
EXPIRY_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class Window:
    kind: WindowKind
    id: str  # sort-key fragment, e.g. "m#202601021504"
    start: datetime
    end: datetime

    def seconds_left(self, now: datetime) -> float:
        return max(0.0, (self.end - now).total_seconds())

    @property
    def expires_at(self) -> int:
        return int((self.end + EXPIRY_GRACE).timestamp())


def window_of(kind: WindowKind, now: datetime) -> Window:
    now = now.astimezone(UTC)
    if kind == "minute":
        start = now.replace(second=0, microsecond=0)
        return Window(kind, "m#" + start.strftime("%Y%m%d%H%M"), start,
                      start + timedelta(minutes=1))
    if kind == "day":
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return Window(kind, "d#" + start.strftime("%Y%m%d"), start, start + timedelta(days=1))
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return Window(kind, "mo#" + start.strftime("%Y%m"), start, following)
