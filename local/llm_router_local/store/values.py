"""DynamoDB attribute values as they travel on the wire: ``{"S": "x"}``, ``{"N": "1.5"}``.

The store keeps items in this shape end to end (parsed JSON in, JSON out), so nothing
is converted twice. Numbers are ``Decimal`` with DynamoDB's 38 digits of precision.
"""

from __future__ import annotations

import base64
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from llm_router_local.store.errors import ValidationError

Value = dict[str, Any]
Item = dict[str, Value]

NUMBER_CONTEXT = Context(prec=38)
# A number already in ``number_text``'s form: no sign but a minus, no leading zero, no
# trailing zero after the point, no exponent; at most 38 characters, so at most 38
# digits, which the context keeps exactly.
_CANONICAL_NUMBER = re.compile(r"0|-?[1-9][0-9]*|-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]")
SCALAR_TYPES = ("S", "N", "B")
SET_TYPES = ("SS", "NS", "BS")


def type_of(value: Value) -> str:
    if len(value) != 1:
        raise ValidationError(f"Supplied AttributeValue has {len(value)} datatypes: {value!r}")
    return next(iter(value))


def number(text: str) -> Decimal:
    try:
        return NUMBER_CONTEXT.create_decimal(text)
    except InvalidOperation:
        raise ValidationError("A value provided cannot be converted into a number: "
                              f"{text!r}") from None


def number_text(value: Decimal) -> str:
    """DynamoDB's canonical form: ``1.50`` is stored and returned as ``1.5``."""
    text = format(value.normalize(NUMBER_CONTEXT), "f")
    return "0" if text in ("-0", "0") else text


def canonical(value: Value) -> Value:
    """The value as DynamoDB stores it (numbers normalised, sets de-duplicated)."""
    kind = type_of(value)
    body = value[kind]
    if kind == "N":
        if len(body) <= 38 and _CANONICAL_NUMBER.fullmatch(body):
            return value  # already as stored (most numbers a settle sends): no Decimal
        return {"N": number_text(number(body))}
    if kind == "NS":
        return {"NS": list(dict.fromkeys(number_text(number(n)) for n in body))}
    if kind in ("SS", "BS"):
        if not body:
            raise ValidationError("One or more parameter values were invalid: a set may not "
                                  "be empty")
        return {kind: list(dict.fromkeys(body))}
    if kind == "M":
        return {"M": {k: canonical(v) for k, v in body.items()}}
    if kind == "L":
        return {"L": [canonical(v) for v in body]}
    return value


def canonical_item(item: Item) -> Item:
    return {name: canonical(value) for name, value in item.items()}


def comparable(value: Value) -> tuple[str, Any]:
    """A (type, python value) pair that orders like DynamoDB orders scalars."""
    kind = type_of(value)
    body = value[kind]
    if kind == "N":
        return kind, number(body)
    if kind == "B":
        return kind, base64.b64decode(body)
    if kind == "S":
        return kind, body.encode("utf-8")
    if kind in SET_TYPES:
        return kind, frozenset(body)
    return kind, body


def equal(a: Value | None, b: Value | None) -> bool:
    if a is None or b is None:
        return False
    ka, va = comparable(a)
    kb, vb = comparable(b)
    if ka != kb:
        return False
    if ka == "NS":
        return {number(n) for n in va} == {number(n) for n in vb}
    return bool(va == vb)


def ordered(a: Value | None, b: Value | None) -> tuple[Any, Any] | None:
    """Both values' comparable forms when they are the same scalar type, else None
    (DynamoDB evaluates such a comparison to false, it does not fail)."""
    if a is None or b is None:
        return None
    ka, va = comparable(a)
    kb, vb = comparable(b)
    if ka != kb or ka not in SCALAR_TYPES:
        return None
    return va, vb


def size(value: Value) -> int:
    kind = type_of(value)
    body = value[kind]
    if kind == "S":
        return len(body.encode("utf-8"))
    if kind == "B":
        return len(base64.b64decode(body))
    if kind in (*SET_TYPES, "L", "M"):
        return len(body)
    raise ValidationError(f"Invalid operand type for size(): {kind}")


def add(current: Value | None, operand: Value) -> Value:
    """ADD: numbers are summed (a missing attribute counts as 0), sets are united."""
    kind = type_of(operand)
    if kind == "N":
        if current is None:
            return canonical(operand)
        if type_of(current) != "N":
            raise ValidationError("An operand in the update expression has an incorrect data type")
        return {"N": sum_text(current["N"], operand["N"])}
    if kind in SET_TYPES:
        if current is None:
            return canonical(operand)
        if type_of(current) != kind:
            raise ValidationError("An operand in the update expression has an incorrect data type")
        return canonical({kind: [*current[kind], *operand[kind]]})
    raise ValidationError("Incorrect operand type for operator or function; operator: ADD, "
                          f"operand type: {kind}")


def sum_text(a: str, b: str) -> str:
    """``a + b`` in DynamoDB's canonical form. Counters are mostly whole numbers: two of
    at most 37 digits add up exactly in ``int`` (at most 38 digits), which is a third of
    the work of the ``Decimal`` sum (a settle adds about 55 numbers)."""
    if len(a) < 38 and len(b) < 38 and a.isascii() and b.isascii() and (
            a.isdigit() or (a[:1] == "-" and a[1:].isdigit())) and (
            b.isdigit() or (b[:1] == "-" and b[1:].isdigit())):  # inline: no call each
        return str(int(a) + int(b))
    return number_text(NUMBER_CONTEXT.add(number(a), number(b)))


def arithmetic(left: Value, operator: str, right: Value) -> Value:
    if type_of(left) != "N" or type_of(right) != "N":
        raise ValidationError("An operand in the update expression has an incorrect data type")
    a, b = number(left["N"]), number(right["N"])
    result = NUMBER_CONTEXT.add(a, b) if operator == "+" else NUMBER_CONTEXT.subtract(a, b)
    return {"N": number_text(result)}


def remove_from_set(current: Value | None, operand: Value) -> Value | None:
    """DELETE: the set without the operand's elements (None when nothing is left)."""
    kind = type_of(operand)
    if kind not in SET_TYPES:
        raise ValidationError("Incorrect operand type for operator or function; operator: "
                              f"DELETE, operand type: {kind}")
    if current is None:
        return None
    if type_of(current) != kind:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    drop = {comparable({kind[0]: v})[1] for v in operand[kind]}
    kept = [v for v in current[kind] if comparable({kind[0]: v})[1] not in drop]
    return {kind: kept} if kept else None


def item_size(item: Item) -> int:
    """Roughly DynamoDB's item size: attribute names plus value bytes."""
    return sum(len(name.encode("utf-8")) + _value_size(v) for name, v in item.items())


def _value_size(value: Value) -> int:
    kind = type_of(value)
    body = value[kind]
    if kind in ("S", "N"):
        return len(str(body).encode("utf-8"))
    if kind == "B":
        return len(body) * 3 // 4
    if kind in SET_TYPES:
        return sum(len(str(v).encode("utf-8")) for v in body)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + _value_size(v) for k, v in body.items())
    if kind == "L":
        return 3 + sum(_value_size(v) for v in body)
    return 1
