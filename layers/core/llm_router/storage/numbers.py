"""DynamoDB numbers written in plain decimal form, for every value.

``str(Decimal)`` (and boto3's serializer) print small or large values in exponent form
(``9E-7``); some DynamoDB implementations refuse that, and an amount of money that is
accepted or refused by its size is a bug. Every number the router writes goes through
``number`` (or ``storage.items.serialize`` for whole items).
"""

from __future__ import annotations

from decimal import Decimal


def number(value: Decimal | int | float) -> str:
    """``value`` as DynamoDB number text, never in exponent form (``0.0000009``)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return "0" if text in ("-0", "") else text


def n(value: Decimal | int | float) -> dict[str, str]:
    """A number attribute value."""
    return {"N": number(value)}

