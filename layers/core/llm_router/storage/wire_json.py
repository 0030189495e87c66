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
document) goes to botocore's own method for it. A value whose wire form is itself (an
attribute value ``{"S": "x"}``, a map of names, a list of strings) is passed on, not
copied: json.dumps writes the same text of it. An unknown member raises ``KeyError``,
as botocore's walk does. A structure its maker built in wire form (``WireForm``: the
settle's ledger item and rollup updates, about 80 attribute values) is passed on
without a look inside.

The body is written by orjson where it is installed (``serve``'s requirements, not the
Lambda layer: this serializer is only ``serve``'s, ``storage.loop_client``): a settle's
~4.6 KB body took json.dumps 45 us and orjson 4 (docs/performance.md). The text differs
(no spaces, UTF-8 rather than ``\\u`` escapes), the JSON value does not; whatever orjson
refuses (a lone surrogate, an integer past 64 bits, a key that is not a string) is
written by json.dumps, as botocore writes it. One value is written differently: a float
NaN or infinity, a bare ``NaN`` token from json.dumps that no JSON parser accepts, is
``null`` from orjson; none of the calls the router makes holds a float.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.serialize import JSONSerializer

from llm_router.storage.items import WireForm

try:
    import orjson
except ImportError:  # not installed: json.dumps, as botocore
    orjson = None  # type: ignore[assignment]

Convert = Callable[[Any], Any]
# Types botocore's JSON serializer writes as they are (``_default_serialize``).
_AS_IS = frozenset({"string", "integer", "long", "boolean"})


class PlannedJSONSerializer(JSONSerializer):
    """``create_serializer("json", include_validation=False)``, planned per shape."""

    def __init__(self) -> None:
        super().__init__()
        self._plans: dict[str, Convert | None] = {}

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> dict[str, Any]:
        """botocore's ``JSONSerializer.serialize_to_request``, the body written by
        ``dumps``."""
        serialized: dict[str, Any] = self._create_default_request()
        serialized["method"] = operation_model.http.get("method", self.DEFAULT_METHOD)
        serialized["headers"] = {
            "X-Amz-Target": f"{operation_model.metadata['targetPrefix']}.{operation_model.name}",
            "Content-Type": f"application/x-amz-json-{operation_model.metadata['jsonVersion']}",
        }
        self._handle_query_compatible_trait(operation_model, serialized)
        body = self.MAP_TYPE()
        if operation_model.input_shape is not None:
            self._serialize(body, parameters, operation_model.input_shape)
        serialized["body"] = dumps(body)
        host_prefix = self._expand_host_prefix(parameters, operation_model)
        if host_prefix is not None:
            serialized["host_prefix"] = host_prefix
        return serialized

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
            item = self._plan(shape.member)
            if item is None:  # a list of strings: written as it is
                return self._as_is(shape, list)

            def convert(value: Any) -> list[Any]:
                return [item(v) for v in value]
        elif kind == "map":
            entry = self._plan(shape.value)
            if entry is None:
                return self._as_is(shape, dict)

            def convert(value: Any) -> dict[str, Any]:
                return {k: entry(v) for k, v in value.items()}
        else:
            members: dict[str, tuple[str, Convert | None]] = {}
            # Members written as they are, under their own names: a value holding only
            # those (``{"S": "x"}``, most of a settle's few hundred) is its own wire form.
            plain: set[str] = set()

            def convert(value: Any) -> dict[str, Any]:
                if type(value) is WireForm or (type(value) is dict and value.keys() <= plain):
                    return value
                out: dict[str, Any] = {}
                for name, member in value.items():
                    wire, each = members[name]
                    out[wire] = member if each is None else each(member)
                return out

            self._plans[shape.name] = convert  # before the members: shapes recurse
            for name, member_shape in shape.members.items():
                members[name] = (member_shape.serialization.get("name", name),
                                 self._plan(member_shape))
                if members[name] == (name, None):
                    plain.add(name)
        self._plans[shape.name] = convert
        return convert

    def _as_is(self, shape: Any, kind: type) -> Convert:
        """A list or map whose items are written as they are: the value itself when it is
        a plain list or dict (what json.dumps writes of it is botocore's copy's text)."""

        def convert(value: Any) -> Any:
            return value if type(value) is kind else kind(value)

        self._plans[shape.name] = convert
        return convert

    def _botocore(self, shape: Any) -> Convert:
        method: Any = getattr(super(), f"_serialize_type_{shape.type_name}",
                              super()._default_serialize)

        def convert(value: Any) -> Any:
            out: dict[str, Any] = {}
            method(out, value, shape, "value")
            return out["value"]

        return convert


def dumps(body: Any) -> bytes:
    """``body`` as JSON bytes: orjson's, or botocore's ``json.dumps(body)`` in UTF-8."""
    if orjson is not None:
        try:
            return orjson.dumps(body)
        except TypeError:  # orjson.JSONEncodeError: what it cannot write as json.dumps does
            pass
    return json.dumps(body).encode("utf-8")
