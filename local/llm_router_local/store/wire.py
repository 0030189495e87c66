"""Attribute values checked as DynamoDB checks them on the wire, before anything else.

The router's DynamoDB client runs without botocore's client-side parameter validation
(about a fifth of its CPU per settle transaction: llm_router/storage/dynamo.py), as
DynamoDB checks every request itself; so must the embedded store, or a value of the
wrong JSON type (``{"N": 5}``, ``{"S": 5}``) or a number out of DynamoDB's range would
be stored here and refused on AWS.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from llm_router_local.store.errors import ValidationError
from llm_router_local.store.values import number

# Request members holding an item or key (name -> value), a list of them, or values by
# placeholder; everything else is searched for these, at any depth.
_ITEMS = frozenset({"Item", "Key", "ExclusiveStartKey"})
_ITEM_LISTS = frozenset({"Keys"})
_VALUE_MAPS = frozenset({"ExpressionAttributeValues"})
_NO_VALUES = frozenset({"ExpressionAttributeNames"})  # names to names: no value below
_STRING_TYPES = ("S", "B")
_LIST_OF_STRINGS = ("SS", "BS")
_LARGEST = Decimal("1E126")  # exclusive: 9.99...E+125 is the largest magnitude
_SMALLEST = Decimal("1E-130")
# At most 38 digits either side of the point and no exponent: finite and well inside
# DynamoDB's range, so nothing more to check (what a settle sends, a hundred a call).
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,38}(?:\.[0-9]{1,38})?")


class SerializationError(ValidationError):
    code = "SerializationException"


def check_request(request: Any) -> None:
    """Raise for the first attribute value DynamoDB would refuse."""
    if isinstance(request, dict):
        for name, member in request.items():
            if name in _ITEMS or name in _VALUE_MAPS:
                _check_item(member, name)
            elif name in _ITEM_LISTS and isinstance(member, list):
                for item in member:
                    _check_item(item, name)
            elif isinstance(member, dict | list) and name not in _NO_VALUES:
                check_request(member)  # strings and numbers hold nothing to check
    elif isinstance(request, list):
        for member in request:
            check_request(member)


def _check_item(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise SerializationError(f"{where} must be a map of attribute values")
    plain_number = _PLAIN_NUMBER.fullmatch
    for name, value in item.items():
        # A string, or a number in plain notation: most values, passed without a call
        # or the path an error would name.
        if type(value) is dict and len(value) == 1:
            if type(value.get("S")) is str:
                continue
            text = value.get("N")
            if type(text) is str and plain_number(text) is not None:
                continue
        check_value(value, f"{where}.{name}")


def check_value(value: Any, where: str) -> None:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValidationError(f"Supplied AttributeValue at {where} must have exactly one "
                              f"datatype: {value!r}")
    [(kind, body)] = value.items()
    if kind in _STRING_TYPES or kind == "N":
        _expect(isinstance(body, str), kind, body, where)
        if kind == "N":
            _check_number(body, where)
    elif kind in _LIST_OF_STRINGS or kind == "NS":
        _expect(isinstance(body, list) and all(isinstance(x, str) for x in body), kind, body,
                where)
        if kind == "NS":
            for text in body:
                _check_number(text, where)
    elif kind == "BOOL":
        _expect(isinstance(body, bool), kind, body, where)
    elif kind == "NULL":
        _expect(body is True, kind, body, where)
    elif kind == "M":
        _expect(isinstance(body, dict), kind, body, where)
        for name, member in body.items():
            check_value(member, f"{where}.{name}")
    elif kind == "L":
        _expect(isinstance(body, list), kind, body, where)
        for i, member in enumerate(body):
            check_value(member, f"{where}[{i}]")
    else:
        raise ValidationError(f"Supplied AttributeValue at {where} has an unknown datatype "
                              f"{kind!r}")


def _expect(ok: bool, kind: str, body: Any, where: str) -> None:
    if not ok:
        raise SerializationError(f"{kind} at {where} cannot hold {type(body).__name__} "
                                 f"{body!r}")


def _check_number(text: str, where: str) -> None:
    value = number(text)
    if not value.is_finite():
        raise ValidationError(f"A value provided cannot be converted into a number: {text!r} "
                              f"({where})")
    if abs(value) >= _LARGEST:
        raise ValidationError("Number overflow. Attempting to store a number with magnitude "
                              f"larger than supported range: {text} ({where})")
    if value and abs(value) < _SMALLEST:
        raise ValidationError("Number underflow. Attempting to store a number with magnitude "
                              f"smaller than supported range: {text} ({where})")
