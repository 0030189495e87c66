"""Parsed expressions evaluated on items: ``holds`` says whether a condition holds for
an item, ``apply_update`` returns the updated copy of one item, ``project`` the parts a
projection names. The trees come from ``expressions`` with the request's names and
values bound in.
"""

from __future__ import annotations

import copy
from typing import Any

from llm_router_local.store import values as dv
from llm_router_local.store.errors import ValidationError
from llm_router_local.store.expressions import Node, Path
from llm_router_local.store.values import Item, Value


def resolve(item: Item | None, path: Path) -> Value | None:
    """The value at ``path`` in ``item``, or None when any step is missing."""
    if not item:
        return None
    current: Value | None = item.get(str(path[0]))
    for part in path[1:]:
        if current is None:
            return None
        if isinstance(part, int):
            items = current.get("L")
            current = items[part] if items is not None and part < len(items) else None
        else:
            members = current.get("M")
            current = members.get(part) if members is not None else None
    return current


def operand_value(item: Item | None, node: Node) -> Value | None:
    kind = node[0]
    if kind == "value":
        return node[1]  # type: ignore[no-any-return]
    if kind == "path":
        return resolve(item, node[1])
    if kind == "size":
        found = resolve(item, node[1])
        return None if found is None else {"N": str(dv.size(found))}
    if kind == "if_not_exists":
        found = resolve(item, node[1])
        return found if found is not None else operand_value(item, node[2])
    if kind == "list_append":
        first, second = operand_value(item, node[1]), operand_value(item, node[2])
        if first is None or second is None or "L" not in first or "L" not in second:
            raise ValidationError("Incorrect operand type for operator or function; "
                                  "operator or function: list_append")
        return {"L": [*first["L"], *second["L"]]}
    if kind == "arith":
        left, right = operand_value(item, node[2]), operand_value(item, node[3])
        if left is None or right is None:
            raise ValidationError("The provided expression refers to an attribute that does "
                                  "not exist in the item")
        return dv.arithmetic(left, node[1], right)
    raise ValidationError(f"Unsupported operand {kind}")


def holds(node: Node | None, item: Item | None) -> bool:
    """Whether the condition holds for ``item`` (None: the item does not exist)."""
    if node is None:
        return True
    kind = node[0]
    if kind == "and":
        return holds(node[1], item) and holds(node[2], item)
    if kind == "or":
        return holds(node[1], item) or holds(node[2], item)
    if kind == "not":
        return not holds(node[1], item)
    if kind == "cmp":
        return _compare(node[1], operand_value(item, node[2]), operand_value(item, node[3]))
    if kind == "between":
        value = operand_value(item, node[1])
        return (_compare(">=", value, operand_value(item, node[2]))
                and _compare("<=", value, operand_value(item, node[3])))
    if kind == "in":
        value = operand_value(item, node[1])
        return any(dv.equal(value, operand_value(item, choice)) for choice in node[2])
    if kind == "func":
        return _function(node[1], node[2], item)
    raise ValidationError(f"Unsupported condition {kind}")


def _compare(operator: str, a: Value | None, b: Value | None) -> bool:
    if operator == "=":
        return dv.equal(a, b)
    if operator == "<>":
        return a is not None and b is not None and not dv.equal(a, b)
    pair = dv.ordered(a, b)
    if pair is None:
        return False
    x, y = pair
    return bool({"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[operator])


def _function(name: str, args: list[Any], item: Item | None) -> bool:
    if name == "attribute_exists":
        return resolve(item, args[0]) is not None
    if name == "attribute_not_exists":
        return resolve(item, args[0]) is None
    if name == "attribute_type":
        found = resolve(item, args[0])
        wanted = operand_value(item, args[1])
        return found is not None and wanted is not None and dv.type_of(found) == wanted.get("S")
    subject = operand_value(item, args[0])
    other = operand_value(item, args[1])
    if subject is None or other is None:
        return False
    if name == "begins_with":
        pair = dv.ordered(subject, other)
        return pair is not None and dv.type_of(subject) in ("S", "B") and \
            pair[0].startswith(pair[1])
    # contains: a substring of a string, or an element of a set or list
    kind = dv.type_of(subject)
    if kind == "S" and dv.type_of(other) == "S":
        return bool(other["S"] in subject["S"])
    if kind in dv.SET_TYPES:
        return any(dv.equal({kind[0]: member}, other) for member in subject[kind])
    if kind == "L":
        return any(dv.equal(member, other) for member in subject["L"])
    return False


def apply_update(item: Item | None, key: Item, actions: list[Node]) -> tuple[Item, set[str]]:
    """The updated copy of ``item`` (created from ``key`` when missing), and the top-level
    attributes the update touched. Every right-hand side sees the item before the update,
    as in DynamoDB."""
    before = item or {}
    results = [operand_value(before, a[2]) if a[0] == "SET" else None for a in actions]
    # A top-level action replaces its attribute's value with a new one, so the copy
    # shares every other value with ``before``; an attribute changed inside (a nested
    # path) is copied whole first. Copying every item deeply was a fifth of a settle.
    after: Item = dict(before) if before else dict(key)
    for name in {str(a[1][0]) for a in actions if len(a[1]) > 1}:
        if name in after:
            after[name] = copy.deepcopy(after[name])
    for action, result in zip(actions, results, strict=True):
        clause, path = action[0], action[1]
        if str(path[0]) in key:
            raise ValidationError("One or more parameter values were invalid: Cannot update "
                                  f"attribute {path[0]}. This attribute is part of the key")
        if clause == "ADD" and len(path) == 1 and _add_number(after, path[0], action[2]):
            continue
        if clause == "SET":
            assert result is not None
            _put(after, path, dv.canonical(result))
        elif clause == "REMOVE":
            _remove(after, path)
        elif clause == "ADD":
            _put(after, path, dv.add(resolve(after, path), action[2]))
        else:  # DELETE
            remaining = dv.remove_from_set(resolve(after, path), action[2])
            if remaining is None:
                _remove(after, path)
            else:
                _put(after, path, remaining)
    return after, {str(a[1][0]) for a in actions}


def _add_number(item: Item, name: str, operand: Value) -> bool:
    """ADD of a number to a top-level number (or to nothing), as ``dv.add`` makes it;
    False for anything else (``dv.add`` then decides). Most of a settle's actions."""
    if type(operand) is not dict or len(operand) != 1 or "N" not in operand:
        return False
    current = item.get(name)
    if current is None:
        item[name] = dv.canonical(operand)
    elif len(current) == 1 and "N" in current:
        item[name] = {"N": dv.sum_text(current["N"], operand["N"])}
    else:
        return False
    return True


def _parent(item: Item, path: Path) -> Any:
    """The dict (map members or the item) or list that holds the path's last step."""
    if len(path) == 1:
        return item
    holder = resolve(item, path[:-1])
    wanted = "L" if isinstance(path[-1], int) else "M"
    if holder is None or wanted not in holder:
        raise ValidationError("The document path provided in the update expression is "
                              "invalid for update")
    return holder[wanted]


def _put(item: Item, path: Path, value: Value) -> None:
    parent = _parent(item, path)
    last = path[-1]
    if isinstance(last, int):
        if last < len(parent):
            parent[last] = value
        else:
            parent.append(value)
    else:
        parent[last] = value


def _remove(item: Item, path: Path) -> None:
    try:
        parent = _parent(item, path)
    except ValidationError:
        return
    last = path[-1]
    if isinstance(last, int):
        if last < len(parent):
            del parent[last]
    else:
        parent.pop(last, None)


def project(item: Item, paths: list[Path] | None) -> Item:
    """Only the attributes (or nested parts) that ``paths`` name."""
    if paths is None:
        return item
    out: Item = {}
    for path in paths:
        found = resolve(item, path)
        if found is None:
            continue
        if len(path) == 1:
            out[str(path[0])] = found
            continue
        target: Any = out.setdefault(str(path[0]), {"M": {}} if isinstance(path[1], str)
                                     else {"L": []})
        for part, following in zip(path[1:-1], path[2:], strict=True):
            holder = target.get("M")
            fresh: Value = {"M": {}} if isinstance(following, str) else {"L": []}
            if holder is not None:
                target = holder.setdefault(part, fresh)
            else:
                target["L"].append(fresh)
                target = fresh
        if "M" in target:
            target["M"][path[-1]] = found
        else:
            target["L"].append(found)
    return out
