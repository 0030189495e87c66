"""Python values <-> DynamoDB attribute values (``{"S": "x"}``, ``{"N": "1.5"}``, ...).

The rules of boto3's ``TypeSerializer`` and ``TypeDeserializer``
(``boto3.dynamodb.types``), which the router used until boto3 left its import graph
(``llm_router.aws``): ``None`` -> NULL, bool -> BOOL, int and Decimal -> N (float is
refused: money is never a binary fraction), str -> S, bytes -> B, sets -> NS / SS / BS,
mappings -> M, lists and tuples -> L; numbers read back as ``Decimal`` in DynamoDB's
range and precision (38 digits; anything that would round is an error). Two differences,
both deliberate: numbers are written in plain form, never ``9E-7`` (``numbers.number``),
and B reads back as ``bytes`` rather than boto3's ``Binary`` wrapper.
tests/unit/test_storage_items.py checks both directions against boto3's own classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

from llm_router.storage.numbers import number

# boto3.dynamodb.types.DYNAMODB_CONTEXT: DynamoDB's number range and precision.
DYNAMODB_CONTEXT = Context(Emin=-128, Emax=126, prec=38,
                           traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


class WireForm(dict[str, Any]):
    """A request structure already as botocore writes it (attribute values as text, no
    bytes or datetimes, every member under its wire name): ``serve``'s serializer
    (``storage.wire_json``) passes it on unread, its maker vouching for it (the settle's
    ledger item and rollup updates, about 80 attribute values). To every other reader,
    botocore's own serializer on Lambda included, it is the dict it is."""

    __slots__ = ()


def serialize(value: Any) -> dict[str, Any]:
    """``value`` as a DynamoDB attribute value; TypeError for what DynamoDB cannot hold."""
    kind = type(value)  # the two of nearly every value first (a settle writes ~30)
    if kind is str:
        return {"S": value}
    if kind is int and -_INT_LIMIT < value < _INT_LIMIT:
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        if all(_is_number(v) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, bytes | bytearray) for v in value):
            return {"BS": [bytes(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize(attribute: dict[str, Any]) -> Any:
    """The Python value of a DynamoDB attribute value."""
    if not attribute:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb "
                        "type.")
    kind, raw = next(iter(attribute.items()))
    if kind == "S":
        return raw
    if kind == "N":
        return DYNAMODB_CONTEXT.create_decimal(raw)
    if kind == "M":
        return {k: deserialize(v) for k, v in raw.items()}
    if kind == "L":
        return [deserialize(v) for v in raw]
    if kind == "BOOL":
        return raw
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(raw)
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {DYNAMODB_CONTEXT.create_decimal(v) for v in raw}
    if kind == "BS":
        return {bytes(v) for v in raw}
    raise TypeError(f"Dynamodb type {kind} is not supported")


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal)


# The whole numbers DynamoDB holds exactly (38 digits): written as Python prints them,
# without the Decimal round trip (a ledger item has a dozen: tokens, status, expiry).
_INT_LIMIT = 10**38


def _number(value: int | Decimal) -> str:
    if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
        return str(value)
    checked = DYNAMODB_CONTEXT.create_decimal(value)  # range and precision, as boto3 checks
    if checked.is_nan() or checked.is_infinite():
        raise TypeError("Infinity and NaN not supported")
    return number(checked)
