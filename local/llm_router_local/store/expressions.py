"""DynamoDB's expression language: condition, key-condition, update and projection.

One tokenizer and one recursive-descent parser turn an expression into a small tree of
tuples; ``holds`` evaluates a condition against an item and ``apply_update`` returns the
updated copy of one item. The parse of each expression text is kept (a bounded LRU:
the router sends the same few dozen texts over and over, a settle transaction a dozen
per call) with its ``#names`` and ``:values`` left as placeholders; each request then
binds its own names and values into a copy of the tree, recording which were used, so a
request that defines one it never uses is refused as DynamoDB refuses it.

Grammar (DynamoDB's, as documented in "Condition and filter expressions" and "Update
expressions"):

    condition := disjunct (OR disjunct)*        disjunct := conjunct (AND conjunct)*
    conjunct  := NOT conjunct | '(' condition ')' | function | operand comparator operand
               | operand BETWEEN operand AND operand | operand IN '(' operand, ... ')'
    operand   := path | :value | size(path)
    update    := (SET action, ... | REMOVE path, ... | ADD path :v, ... | DELETE path :v, ...)+
    action    := path '=' value        value := term (('+' | '-') term)?
    term      := operand | if_not_exists(path, term) | list_append(term, term)
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from llm_router_local.store import values as dv
from llm_router_local.store.errors import ValidationError
from llm_router_local.store.values import Item, Value

Path = tuple[str | int, ...]
Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<alias>#[A-Za-z0-9_]+)"
    r"|(?P<value>:[A-Za-z0-9_]+)|(?P<index>\[\s*\d+\s*\])"
    r"|(?P<op><>|<=|>=|[=<>()\[\],.+-]))"
)
_COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
_CONDITION_FUNCTIONS = ("attribute_exists", "attribute_not_exists", "attribute_type",
                        "begins_with", "contains")
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
PARSED_EXPRESSIONS_KEPT = 1024


_LEAVES = (str, int)


@dataclass(frozen=True, slots=True)
class _Placeholder:
    """A ``#name`` or ``:value`` in a parsed tree, bound per request."""

    text: str


class Expressions:
    """The ``ExpressionAttributeNames``/``Values`` of one request, and which were used."""

    def __init__(self, names: dict[str, str] | None, values: dict[str, Value] | None):
        self.names = names or {}
        self.values = values or {}
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def condition(self, text: str | None) -> Node | None:
        if text is None:
            return None
        node: Node = self._bind(_parsed("condition", text))
        return node

    def update(self, text: str) -> list[Node]:
        actions: list[Node] = self._bind(_parsed("update", text))
        _check_overlaps([a[1] for a in actions])  # two aliases may name one attribute
        return actions

    def projection(self, text: str | None) -> list[Path] | None:
        if text is None:
            return None
        paths: list[Path] = self._bind(_parsed("projection", text))
        return paths

    def _bind(self, node: Any) -> Any:
        """A copy of a parsed tree with this request's names and values in it (source
        order, so the first undefined one is the one reported)."""
        kind = type(node)
        if kind is tuple or kind is list:
            # Names, operators and indexes (str, int) are most of a tree: kept as they are
            # without a call each (a settle's rollup updates bind ~60 nodes apiece).
            parts = [part if type(part) in _LEAVES else self._bind(part) for part in node]
            return tuple(parts) if kind is tuple else parts
        if kind is _Placeholder:
            return self._value(node.text) if node.text[0] == ":" else self._name(node.text)
        return node

    def _value(self, placeholder: str) -> Value:
        found: Value = self._resolve(self.values, self.used_values, placeholder,
                                     "An expression attribute value used in expression is "
                                     "not defined; attribute value")
        return found

    def _name(self, alias: str) -> str:
        name: str = self._resolve(self.names, self.used_names, alias,
                                  "An expression attribute name used in the document path "
                                  "is not defined; attribute name")
        return name

    @staticmethod
    def _resolve(defined: dict[str, Any], used: set[str], placeholder: str,
                 missing: str) -> Any:
        if placeholder not in defined:
            raise ValidationError(f"{missing}: {placeholder}")
        used.add(placeholder)
        return defined[placeholder]

    def check_all_used(self) -> None:
        unused_values = sorted(set(self.values) - self.used_values)
        if unused_values:
            raise ValidationError("Value provided in ExpressionAttributeValues unused in "
                                  f"expressions: keys: {{{', '.join(unused_values)}}}")
        unused_names = sorted(set(self.names) - self.used_names)
        if unused_names:
            raise ValidationError("Value provided in ExpressionAttributeNames unused in "
                                  f"expressions: keys: {{{', '.join(unused_names)}}}")


@functools.lru_cache(maxsize=PARSED_EXPRESSIONS_KEPT)
def _parsed(kind: str, text: str) -> Any:
    """The tree of one expression text, placeholders unbound; shared, so never changed
    (``Expressions._bind`` copies it). A syntax error raises and is not kept."""
    parser = _Parser(text)
    if kind == "condition":
        tree: Any = parser.condition()
    elif kind == "update":
        tree = parser.update()
    else:
        tree = [parser.path()]
        while parser.accept(","):
            tree.append(parser.path())
    parser.end()
    return tree


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = list(self._tokenize(text))
        self.pos = 0

    def _tokenize(self, text: str) -> Iterator[tuple[str, str]]:
        at = 0
        stripped = text.rstrip()
        while at < len(stripped):
            match = _TOKEN.match(stripped, at)
            if not match or match.end() == at:
                raise self.error(f'Syntax error; token: "{stripped[at:at + 10].strip()}"')
            kind = match.lastgroup or "op"
            yield kind, match.group(kind)
            at = match.end()

    def error(self, detail: str) -> ValidationError:
        return ValidationError(f"Invalid expression: {detail}, expression: {self.text}")

    # -- token helpers ---------------------------------------------------------------
    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token[0] == "name" and token[1].upper() == word

    def accept(self, op: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] == op:
            self.pos += 1
            return True
        return False

    def accept_keyword(self, word: str) -> bool:
        if self.keyword(word):
            self.pos += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            token = self.peek()
            raise self.error(f'Syntax error; token: "{token[1] if token else "<EOF>"}", '
                             f'expected "{op}"')

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.error(f'Syntax error; token: "{token[1]}"')

    # -- conditions ------------------------------------------------------------------
    def condition(self) -> Node:
        node = self.conjunction()
        while self.accept_keyword("OR"):
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.accept_keyword("AND"):
            node = ("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.accept_keyword("NOT"):
            return ("not", self.negation())
        if self.accept("("):
            node = self.condition()
            self.expect(")")
            return node
        token = self.peek()
        if (token and token[0] == "name" and token[1] in _CONDITION_FUNCTIONS
                and self.peek(1) == ("op", "(")):
            return self.function(token[1])
        left = self.operand()
        if self.accept_keyword("BETWEEN"):
            low = self.operand()
            if not self.accept_keyword("AND"):
                raise self.error("BETWEEN needs AND")
            return ("between", left, low, self.operand())
        if self.accept_keyword("IN"):
            self.expect("(")
            choices = [self.operand()]
            while self.accept(","):
                choices.append(self.operand())
            self.expect(")")
            return ("in", left, choices)
        token = self.peek()
        if token is None or token[1] not in _COMPARATORS:
            raise self.error(f'Syntax error; token: "{token[1] if token else "<EOF>"}"')
        self.pos += 1
        return ("cmp", token[1], left, self.operand())

    def function(self, name: str) -> Node:
        self.pos += 2  # name and "("
        args = [self.path()] if name.startswith("attribute_") else [self.operand()]
        if name in ("attribute_type", "begins_with", "contains"):
            self.expect(",")
            args.append(self.operand())
        self.expect(")")
        return ("func", name, args)

    def operand(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.error("Syntax error; token: <EOF>")
        if token[0] == "value":
            self.pos += 1
            return ("value", self.value(token[1]))
        if token[0] == "name" and token[1] == "size" and self.peek(1) == ("op", "("):
            self.pos += 2
            path = self.path()
            self.expect(")")
            return ("size", path)
        return ("path", self.path())

    def value(self, placeholder: str) -> _Placeholder:
        return _Placeholder(placeholder)

    def path(self) -> Path:
        parts: list[Any] = [self.attribute_name()]  # str | int | _Placeholder
        while True:
            token = self.peek()
            if token and token[0] == "index":
                self.pos += 1
                parts.append(int(token[1].strip("[] ")))
            elif token == ("op", "."):
                self.pos += 1
                parts.append(self.attribute_name())
            else:
                return tuple(parts)

    def attribute_name(self) -> str | _Placeholder:
        token = self.peek()
        if token is None or token[0] not in ("name", "alias"):
            raise self.error(f'Syntax error; token: "{token[1] if token else "<EOF>"}"')
        self.pos += 1
        return token[1] if token[0] == "name" else _Placeholder(token[1])

    # -- updates ---------------------------------------------------------------------
    def update(self) -> list[Node]:
        actions: list[Node] = []
        seen: set[str] = set()
        while self.peek() is not None:
            token = self.peek()
            clause = token[1].upper() if token and token[0] == "name" else ""
            if clause not in _CLAUSES:
                raise self.error(f'Syntax error; token: "{token[1] if token else ""}"')
            if clause in seen:
                raise self.error(f'The "{clause}" section can only be used once in an update '
                                 "expression")
            seen.add(clause)
            self.pos += 1
            while True:
                actions.append(self.action(clause))
                if not self.accept(","):
                    break
        if not actions:
            raise self.error("The expression can not be empty")
        return actions

    def action(self, clause: str) -> Node:
        path = self.path()
        if clause == "REMOVE":
            return ("REMOVE", path)
        if clause == "SET":
            self.expect("=")
            return ("SET", path, self.set_value())
        token = self.peek()
        if token is None or token[0] != "value":
            raise self.error(f"{clause} needs a :value operand")
        self.pos += 1
        return (clause, path, self.value(token[1]))

    def set_value(self) -> Node:
        left = self.term()
        for operator in ("+", "-"):
            if self.accept(operator):
                return ("arith", operator, left, self.term())
        return left

    def term(self) -> Node:
        token = self.peek()
        if token and token[0] == "name" and self.peek(1) == ("op", "("):
            if token[1] == "if_not_exists":
                self.pos += 2
                path = self.path()
                self.expect(",")
                fallback = self.term()
                self.expect(")")
                return ("if_not_exists", path, fallback)
            if token[1] == "list_append":
                self.pos += 2
                first = self.term()
                self.expect(",")
                second = self.term()
                self.expect(")")
                return ("list_append", first, second)
        return self.operand()


def _check_overlaps(paths: list[Path]) -> None:
    """Two paths overlap when one is a prefix of the other (or they are equal); linear in
    the paths' total length (a settle's rollup updates carry a dozen or more)."""
    whole: dict[Path, Path] = {}  # each path seen so far
    under: dict[Path, Path] = {}  # each proper prefix of a path seen so far -> that path
    for path in paths:
        for k in range(1, len(path) + 1):
            if path[:k] in whole:
                _overlap(whole[path[:k]], path)
        if path in under:
            _overlap(under[path], path)
        whole.setdefault(path, path)
        for k in range(1, len(path)):
            under.setdefault(path[:k], path)


def _overlap(first: Path, second: Path) -> None:
    raise ValidationError("Invalid UpdateExpression: Two document paths overlap with each "
                          f"other; path one: {_show(first)}, path two: {_show(second)}")


def _show(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


# -- evaluation --------------------------------------------------------------------------
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
