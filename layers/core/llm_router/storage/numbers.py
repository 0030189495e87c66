"""DynamoDB numbers written in plain decimal form, for every value.

``str(Decimal)`` (and boto3's serializer) print small or large values in exponent form
(``9E-7``); some DynamoDB implementations refuse that, and an amount of money that is
accepted or refused by its size is a bug. Every number the router writes goes through
``number`` (or ``PlainNumberSerializer`` for whole items).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeSerializer


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


class PlainNumberSerializer(TypeSerializer):
    """boto3's serializer, with numbers in plain form (also inside maps and lists)."""

    def _serialize_n(self, value: Any) -> str:
        checked = DYNAMODB_CONTEXT.create_decimal(value)  # boto3's range and precision checks
        if checked.is_nan() or checked.is_infinite():
            raise TypeError("Infinity and NaN not supported")
        return number(checked)
