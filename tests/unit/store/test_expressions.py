"""DynamoDB's expression language as the embedded store parses and evaluates it."""

from __future__ import annotations

import copy
import re

import pytest

from llm_router_local.store.errors import ValidationError
from llm_router_local.store.evaluation import apply_update, holds, project
from llm_router_local.store.expressions import Expressions, _parsed

ITEM = {
    "pk": {"S": "a"}, "n": {"N": "3"}, "state": {"S": "open"},
    "tags": {"SS": ["x", "y"]}, "m": {"M": {"inner": {"N": "1"}, "l": {"L": [{"S": "z"}]}}},
}


def condition(text, values=None, names=None):
    exprs = Expressions(names, values)
    node = exprs.condition(text)
    exprs.check_all_used()
    return node


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("attribute_exists(n)", {}, True),
    ("attribute_not_exists(n)", {}, False),
    ("attribute_not_exists(n) OR n <= :room", {":room": {"N": "3"}}, True),
    ("attribute_not_exists(n) OR n <= :room", {":room": {"N": "2.5"}}, False),
    ("n BETWEEN :lo AND :hi", {":lo": {"N": "1"}, ":hi": {"N": "3"}}, True),
    ("n IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "3.0"}}, True),
    ("NOT n = :a", {":a": {"N": "3"}}, False),
    ("n <> :a", {":a": {"S": "3"}}, True),
    ("n < :a", {":a": {"S": "9"}}, False),  # different types never compare
    ("begins_with(pk, :p)", {":p": {"S": "a"}}, True),
    ("contains(tags, :t)", {":t": {"S": "y"}}, True),
    ("size(tags) = :two", {":two": {"N": "2"}}, True),
    ("m.inner = :one AND m.l[0] = :z", {":one": {"N": "1"}, ":z": {"S": "z"}}, True),
    ("attribute_exists(m.missing.deeper)", {}, False),
    ("attribute_type(n, :t)", {":t": {"S": "N"}}, True),
    # AND binds tighter than OR: false OR (true AND true)
    ("n = :x OR n = :three AND pk = :a",
     {":x": {"N": "9"}, ":three": {"N": "3"}, ":a": {"S": "a"}}, True),
    ("(n = :x OR n = :three) AND pk = :b",
     {":x": {"N": "9"}, ":three": {"N": "3"}, ":b": {"S": "b"}}, False),
])
def test_conditions(text, values, expected):
    assert holds(condition(text, values), ITEM) is expected


def test_a_missing_item_passes_only_conditions_that_allow_absence():
    assert holds(condition("attribute_not_exists(pk)"), None)
    assert not holds(condition("attribute_exists(pk)"), None)
    assert not holds(condition("n <= :r", {":r": {"N": "1"}}), None)


def test_names_resolve_and_every_placeholder_must_be_used():
    assert holds(condition("#s = :o", {":o": {"S": "open"}}, {"#s": "state"}), ITEM)
    with pytest.raises(ValidationError, match="unused in expressions: keys: {:extra}"):
        condition("n = :a", {":a": {"N": "3"}, ":extra": {"N": "1"}})
    with pytest.raises(ValidationError, match="not defined; attribute value: :b"):
        condition("n = :b", {})
    with pytest.raises(ValidationError, match="attribute name: #x"):
        condition("#x = :a", {":a": {"N": "1"}})


@pytest.mark.parametrize("text", ["n = ", "n == :a", "(n = :a", "n = :a)", "foo(n)",
                                  "n BETWEEN :a", "AND n = :a"])
def test_syntax_errors_are_validation_errors(text):
    with pytest.raises(ValidationError):
        Expressions(None, {":a": {"N": "1"}}).condition(text)


def update(item, text, values=None, names=None, key=None):
    exprs = Expressions(names, values)
    actions = exprs.update(text)
    exprs.check_all_used()
    return apply_update(item, key or {"pk": {"S": "a"}}, actions)


def test_add_and_if_not_exists_create_the_item_from_its_key():
    after, touched = update(None, "ADD n :amount SET expires_at = if_not_exists(expires_at, :e)",
                            {":amount": {"N": "1.50"}, ":e": {"N": "100"}})
    assert after == {"pk": {"S": "a"}, "n": {"N": "1.5"}, "expires_at": {"N": "100"}}
    assert touched == {"n", "expires_at"}
    again, _ = update(after, "ADD n :amount SET expires_at = if_not_exists(expires_at, :e)",
                      {":amount": {"N": "0.25"}, ":e": {"N": "999"}})
    assert again["n"] == {"N": "1.75"} and again["expires_at"] == {"N": "100"}


def test_right_hand_sides_see_the_item_before_the_update():
    after, _ = update({"pk": {"S": "a"}, "a": {"N": "1"}, "b": {"N": "10"}},
                      "SET a = b, b = a + :one", {":one": {"N": "1"}})
    assert after["a"] == {"N": "10"} and after["b"] == {"N": "2"}


def test_remove_delete_list_append_and_nested_set():
    after, _ = update(ITEM, "REMOVE #s SET m.inner = :two, m.l = list_append(m.l, :more) "
                      "DELETE tags :x", {":two": {"N": "2"}, ":more": {"L": [{"S": "w"}]},
                                         ":x": {"SS": ["x"]}}, {"#s": "state"})
    assert "state" not in after and after["tags"] == {"SS": ["y"]}
    assert after["m"]["M"]["inner"] == {"N": "2"}
    assert after["m"]["M"]["l"]["L"] == [{"S": "z"}, {"S": "w"}]
    assert ITEM["state"] == {"S": "open"}  # the original is untouched


def test_an_update_leaves_the_item_it_read_untouched():
    # The updated copy shares the values it does not change (top-level actions replace
    # whole values); an attribute changed inside (m.inner, m.l) must be copied first.
    before = copy.deepcopy(ITEM)
    after, touched = update(ITEM, "SET m.inner = :two, m.l[0] = :w, n = n + :two "
                            "REMOVE m.gone ADD tags :more, fresh :two",
                            {":two": {"N": "2"}, ":w": {"S": "w"}, ":more": {"SS": ["q"]}})
    assert before == ITEM
    assert after["m"]["M"] == {"inner": {"N": "2"}, "l": {"L": [{"S": "w"}]}}
    assert after["n"] == {"N": "5"} and after["fresh"] == {"N": "2"}
    assert sorted(after["tags"]["SS"]) == ["q", "x", "y"]
    assert after["state"] is ITEM["state"]  # unchanged values are shared, not copied
    assert touched == {"m", "n", "tags", "fresh"}


def test_updates_dynamodb_refuses():
    with pytest.raises(ValidationError, match="part of the key"):
        update(ITEM, "SET pk = :v", {":v": {"S": "b"}})
    with pytest.raises(ValidationError, match="overlap"):
        update(ITEM, "SET m.inner = :v, m = :v", {":v": {"N": "1"}})
    with pytest.raises(ValidationError, match="invalid for update"):
        update(ITEM, "SET nope.deeper = :v", {":v": {"N": "1"}})
    with pytest.raises(ValidationError, match="incorrect data type"):
        update(ITEM, "ADD state :v", {":v": {"N": "1"}})


def test_projection_keeps_only_named_parts():
    exprs = Expressions({"#s": "state"}, None)
    paths = exprs.projection("pk, #s, m.inner, missing")
    assert project(ITEM, paths) == {"pk": {"S": "a"}, "state": {"S": "open"},
                                    "m": {"M": {"inner": {"N": "1"}}}}


@pytest.mark.parametrize(("text", "names", "pair"), [
    ("SET m.inner = :v, m = :v", None, "path one: m.inner, path two: m"),
    ("SET m = :v, m.inner = :v", None, "path one: m, path two: m.inner"),
    ("SET #a = :v, #b = :v", {"#a": "x", "#b": "x"}, "path one: x, path two: x"),
    ("SET l[1] = :v, l[1].y = :v", None, "path one: l[1], path two: l[1].y"),
])
def test_overlapping_paths_are_named(text, names, pair):
    with pytest.raises(ValidationError, match=re.escape(pair)):
        Expressions(names, {":v": {"N": "1"}}).update(text)


def test_disjoint_paths_do_not_overlap():
    actions = Expressions({"#a": "x"}, {":v": {"N": "1"}}).update(
        "SET #a = :v, xy = :v, l[0] = :v, l[1] = :v, m.a = :v, m.b = :v")
    assert len(actions) == 6


def test_a_parse_is_kept_and_each_request_binds_its_own_values():
    text = "SET #c = if_not_exists(#c, :zero) + :one"
    before = _parsed.cache_info()
    first = Expressions({"#c": "count"}, {":zero": {"N": "0"}, ":one": {"N": "1"}})
    second = Expressions({"#c": "total"}, {":zero": {"N": "0"}, ":one": {"N": "5"}})
    a, b = first.update(text), second.update(text)
    after = _parsed.cache_info()
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 1
    assert a == [("SET", ("count",), ("arith", "+", ("if_not_exists", ("count",),
                                                      ("value", {"N": "0"})),
                                      ("value", {"N": "1"})))]
    assert b[0][1] == ("total",) and b[0][2][3] == ("value", {"N": "5"})
    first.check_all_used()
    second.check_all_used()
    # A request that lacks a name or value the kept parse needs is refused, as before.
    with pytest.raises(ValidationError, match="attribute name: #c"):
        Expressions(None, {":zero": {"N": "0"}, ":one": {"N": "1"}}).update(text)
    with pytest.raises(ValidationError, match="attribute value: :one"):
        Expressions({"#c": "count"}, {":zero": {"N": "0"}}).update(text)


def test_a_text_bound_again_takes_each_requests_own_names_and_values():
    """Names are bound once per distinct text and names, values per request: the same
    rollup update with another request's numbers, or other names, binds those."""
    text = "ADD #a :v0, #b :v1 SET expires_at = :exp"
    for names, values in [
        ({"#a": "requests", "#b": "cost"}, {":v0": {"N": "1"}, ":v1": {"N": "0.5"},
                                            ":exp": {"N": "9"}}),
        ({"#a": "requests", "#b": "cost"}, {":v0": {"N": "2"}, ":v1": {"N": "0.25"},
                                            ":exp": {"N": "10"}}),
        ({"#a": "hits", "#b": "saved"}, {":v0": {"N": "3"}, ":v1": {"N": "7"},
                                         ":exp": {"N": "11"}}),
    ]:
        exprs = Expressions(names, values)
        actions = exprs.update(text)
        exprs.check_all_used()
        assert actions == [("ADD", (names["#a"],), values[":v0"]),
                           ("ADD", (names["#b"],), values[":v1"]),
                           ("SET", ("expires_at",), ("value", values[":exp"]))]


def test_what_is_undefined_or_unused_is_refused_however_often_a_text_was_bound():
    text = "SET #x = :a, y = :b"
    good = Expressions({"#x": "x"}, {":a": {"N": "1"}, ":b": {"N": "2"}})
    good.update(text)
    good.check_all_used()  # the text is bound and kept now
    with pytest.raises(ValidationError, match="attribute value: :b"):
        Expressions({"#x": "x"}, {":a": {"N": "1"}}).update(text)
    with pytest.raises(ValidationError, match="attribute name: #x"):
        Expressions({}, {":a": {"N": "1"}, ":b": {"N": "2"}}).update(text)
    extra = Expressions({"#x": "x", "#z": "z"}, {":a": {"N": "1"}, ":b": {"N": "2"}})
    extra.update(text)
    with pytest.raises(ValidationError, match="unused in expressions: keys: {#z}"):
        extra.check_all_used()
    for _ in range(2):  # an overlap is refused every time, not only when first bound
        with pytest.raises(ValidationError, match="overlap"):
            Expressions({"#x": "m", "#y": "m"}, {":a": {"N": "1"}}).update(
                "SET #x = :a, #y = :a")


def test_a_bound_tree_is_the_requests_own_copy():
    """A tree with no values in it is shared between requests: what a caller gets is a
    copy, so nothing it does reaches the next request."""
    first = Expressions(None, None).projection("pk, n")
    assert first is not None
    first.append(("changed",))
    assert Expressions(None, None).projection("pk, n") == [("pk",), ("n",)]
