"""llm_router.storage.items against boto3's TypeSerializer / TypeDeserializer (the
classes it replaced on the router's import path): the same attribute values both ways,
the same errors, except numbers written in plain form and B read back as bytes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from llm_router.storage.items import deserialize, serialize
from llm_router.storage.numbers import number

_ser, _de = TypeSerializer(), TypeDeserializer()

VALUES: list[Any] = [
    None, True, False, 0, 1, -7, 10**37, Decimal("0.0000009"), Decimal("1.50"),
    Decimal("-12.345"), Decimal("1E+20"), "", "text", "ünïcode ✓", b"\x00\x01", bytearray(b"ab"),
    {1, 2, Decimal("3.5")}, {"a", "b"}, {b"x", b"y"}, [], (), [1, "a", None, [True]],
    {"tenant": "t1", "cost": Decimal("0.000123"), "tags": ["x"], "nested": {"n": 5}},
]


def _plain(attribute: dict[str, Any]) -> dict[str, Any]:
    """An attribute value with its numbers in plain form, B values as bytes and sets
    sorted, so boto3's and ours compare."""
    [(kind, raw)] = attribute.items()
    if kind == "N":
        return {kind: number(Decimal(raw))}
    if kind == "NS":
        return {kind: sorted(number(Decimal(v)) for v in raw)}
    if kind in ("SS", "BS"):
        return {kind: sorted(bytes(v) if kind == "BS" else v for v in raw)}
    if kind == "B":
        return {kind: bytes(raw)}
    if kind == "M":
        return {kind: {k: _plain(v) for k, v in raw.items()}}
    if kind == "L":
        return {kind: [_plain(v) for v in raw]}
    return {kind: raw}


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_serialize_matches_boto3_with_plain_numbers(value: Any) -> None:
    assert _plain(serialize(value)) == _plain(_ser.serialize(value))


def test_numbers_are_written_in_plain_form() -> None:
    assert serialize(Decimal("9E-7")) == {"N": "0.0000009"}
    assert serialize(Decimal("1E+3")) == {"N": "1000"}
    assert serialize({Decimal("2.50")}) == {"NS": ["2.5"]}


def test_whole_numbers_at_dynamodbs_limit() -> None:
    for value in (10**38 - 1, -(10**38 - 1), 0, -1):
        assert serialize(value) == {"N": str(value)} == _ser.serialize(value)
    for value in (10**38, -(10**38), 10**40):
        with pytest.raises(Exception) as theirs:
            _ser.serialize(value)
        with pytest.raises(type(theirs.value)):
            serialize(value)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_deserialize_matches_boto3(value: Any) -> None:
    attribute = _ser.serialize(value)
    theirs = _de.deserialize(attribute)
    ours = deserialize(attribute)
    if isinstance(theirs, Binary):
        assert ours == theirs.value and isinstance(ours, bytes)
    elif isinstance(theirs, set) and theirs and isinstance(next(iter(theirs)), Binary):
        assert ours == {b.value for b in theirs}
    else:
        assert ours == theirs and type(ours) is type(theirs)
    assert deserialize(serialize(value)) == theirs


@pytest.mark.parametrize("value", [
    1.5, Decimal("NaN"), Decimal("Infinity"), Decimal("1" * 39),
    Decimal("1E+126") * 10, object(), {1, "a"}, [1.0],
], ids=repr)
def test_refuses_what_boto3_refuses(value: Any) -> None:
    with pytest.raises(Exception) as theirs:
        _ser.serialize(value)
    with pytest.raises(type(theirs.value)):
        serialize(value)


@pytest.mark.parametrize("attribute", [{}, {"X": "1"}, {"N": "1" * 39}])
def test_deserialize_refuses_what_boto3_refuses(attribute: dict[str, Any]) -> None:
    with pytest.raises(Exception) as theirs:
        _de.deserialize(attribute)
    with pytest.raises(type(theirs.value)):
        deserialize(attribute)


_leaf = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.text(max_size=8)
         | st.decimals(allow_nan=False, allow_infinity=False, places=6,
                       min_value=Decimal("-1e12"), max_value=Decimal("1e12")))
_nested = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=10)


@given(_nested)
def test_round_trips_like_boto3(value: Any) -> None:
    assert _plain(serialize(value)) == _plain(_ser.serialize(value))
    assert deserialize(serialize(value)) == _de.deserialize(_ser.serialize(value))
