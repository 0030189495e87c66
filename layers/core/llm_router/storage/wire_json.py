"""botocore's JSON-protocol serializer with its walk planned once per shape.

``JSONSerializer._serialize`` looks its method up by name (an f-string and a ``getattr``)
at every node of the parameters, and wraps every list item in a dict of its own; a
settle's ``TransactWriteItems`` (the ledger item and five rollup updates, a few hundred
attribute values) spent more of the router's CPU in that walk than in anything else it
does per request at c32 (py-spy, docs/performance.md). ``PlannedJSONSerializer`` makes
the same request dict, byte for byte: a structure, list or map is converted by a
function built once per shape name (its members' wire names and converters looked up
in advance), strings, integers and booleans are taken as they are (as botocore's
``_default_serialize`` takes them), and every other type (blob, timestamp, float, a
document) goes to botocore's own method for it. An unknown member raises ``KeyError``,
as botocore's walk does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.serialize import JSONSerializer

Convert = Callable[[Any], Any]
# Types botocore's JSON serializer writes as they are (``_default_serialize``).
_AS_IS = frozenset({"string", "integer", "long", "boolean"})


class PlannedJSONSerializer(JSONSerializer):
    """``create_serializer("json", include_validation=False)``, planned per shape."""

    def __init__(self) -> None:
        super().__init__()
        self._plans: dict[str, Convert | None] = {}

    def _serialize(self, serialized: Any, value: Any, shape: Any, key: Any = None) -> None:
        convert = self._plan(shape)
        wire = value if convert is None else convert(value)
        if key is None:  # the input structure: its members go into ``serialized``
            serialized.update(wire)
        else:
            serialized[key] = wire

    def _plan(self, shape: Any) -> Convert | None:
        """``None`` when botocore writes the value as it is."""
        kind = shape.type_name
        if kind in _AS_IS:
            return None
        if kind not in ("structure", "list", "map") or (
                kind == "structure" and shape.is_document_type):
            return self._botocore(shape)
        cached = self._plans.get(shape.name, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        convert: Convert
        if kind == "list":
            item = self._plan_later(shape.member)

            def convert(value: Any) -> list[Any]:
                return [item(v) for v in value]
        elif kind == "map":
            entry = self._plan_later(shape.value)

            def convert(value: Any) -> dict[str, Any]:
                return {k: entry(v) for k, v in value.items()}
        else:
            members: dict[str, tuple[str, Convert | None]] = {}

            def convert(value: Any) -> dict[str, Any]:
                out: dict[str, Any] = {}
                for name, member in value.items():
                    wire, each = members[name]
                    out[wire] = member if each is None else each(member)
                return out

            self._plans[shape.name] = convert  # before the members: shapes recurse
            for name, member_shape in shape.members.items():
                members[name] = (member_shape.serialization.get("name", name),
                                 self._plan(member_shape))
        self._plans[shape.name] = convert
        return convert

    def _plan_later(self, shape: Any) -> Convert:
        """A list's item or a map's value (identity as a function: a list is copied)."""
        convert = self._plan(shape)
        return convert if convert is not None else _same

    def _botocore(self, shape: Any) -> Convert:
        method: Any = getattr(super(), f"_serialize_type_{shape.type_name}",
                              super()._default_serialize)

        def convert(value: Any) -> Any:
            out: dict[str, Any] = {}
            method(out, value, shape, "value")
            return out["value"]

        return convert


def _same(value: Any) -> Any:
    return value
