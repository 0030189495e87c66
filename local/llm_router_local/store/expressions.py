"""DynamoDB's expression language: condition, key-condition, update and projection.

One tokenizer and one recursive-descent parser turn an expression into a small tree of
tuples (``evaluation`` applies them to items). The parse of each expression text is
kept (a bounded LRU: the router sends the same few dozen texts over and over, a settle
transaction a dozen per call) with its ``#names`` and ``:values`` left as placeholders;
so is the tree with a given set of names bound (the same texts come with the same
names), and each request then puts only its own values into a copy of that, recording
which placeholders were used, so a request that defines one it never uses is refused as
DynamoDB refuses it.

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

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from llm_router_local.store.errors import ValidationError
from llm_router_local.store.values import Value

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
        node: Node = self._bound("condition", text)
        return node

    def update(self, text: str) -> list[Node]:
        actions: list[Node] = self._bound("update", text)
        return actions

    def projection(self, text: str | None) -> list[Path] | None:
        if text is None:
            return None
        paths: list[Path] = self._bound("projection", text)
        return paths

    def _bound(self, kind: str, text: str) -> Any:
        """The tree of ``text`` with this request's names and values in it. The names
        are bound once per distinct text and names (``_named``), the values per request
        (``_Plan.fill``); anything undefined takes the slow walk, which names the first
        one in source order."""
        try:
            plan = _named(kind, text, tuple(self.names.items()))
            tree = plan.tree if plan.fill is None else plan.fill(self.values)
        except (_Unbound, KeyError, TypeError):  # TypeError: a name that is no string
            tree = self._bind(_parsed(kind, text))
            if kind == "update":
                _check_overlaps([a[1] for a in tree])  # two aliases may name one attribute
            return tree
        self.used_names |= plan.names
        self.used_values |= plan.values
        if plan.overlap is not None:
            raise ValidationError(plan.overlap)
        return list(tree) if plan.fill is None and type(tree) is list else tree

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


class _Unbound(Exception):
    """A ``#name`` the request does not define (the slow walk reports it)."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """An expression with one request's names bound: ``fill(values)`` makes the bound
    tree (None: no values in it, ``tree`` is it), ``names`` and ``values`` are the
    placeholders it uses, ``overlap`` the overlap error of an update's paths."""

    tree: Any
    fill: Callable[[dict[str, Value]], Any] | None
    names: frozenset[str]
    values: frozenset[str]
    overlap: str | None


@functools.lru_cache(maxsize=PARSED_EXPRESSIONS_KEPT)
def _named(kind: str, text: str, names: tuple[tuple[str, str], ...]) -> _Plan:
    """``text``'s tree with ``names`` bound and its values left as placeholders, kept
    per distinct text and names: the router sends the same few dozen pairs (a settle's
    rollup updates, a dozen ``ADD`` actions each, share one)."""
    defined = dict(names)
    used_names: set[str] = set()
    used_values: set[str] = set()

    def bind(node: Any) -> Any:
        kind_ = type(node)
        if kind_ is tuple or kind_ is list:
            parts = [part if type(part) in _LEAVES else bind(part) for part in node]
            return tuple(parts) if kind_ is tuple else parts
        if kind_ is _Placeholder:
            if node.text[0] == ":":
                used_values.add(node.text)
                return node
            if node.text not in defined:
                raise _Unbound(node.text)
            used_names.add(node.text)
            return defined[node.text]
        return node

    tree = bind(_parsed(kind, text))
    overlap = None
    if kind == "update":
        try:
            _check_overlaps([a[1] for a in tree])
        except ValidationError as exc:
            overlap = str(exc)
    return _Plan(tree, _filler(tree), frozenset(used_names), frozenset(used_values), overlap)


def _filler(node: Any) -> Callable[[dict[str, Value]], Any] | None:
    """What puts a request's values into ``node`` (a copy of each tuple or list that
    holds one); None when nothing in it is a value. A value not defined: KeyError."""
    kind = type(node)
    if kind is _Placeholder:
        placeholder = node.text

        def value(values: dict[str, Value]) -> Any:
            return values[placeholder]

        return value
    if kind is not tuple and kind is not list:
        return None
    fills = [(i, f) for i, part in enumerate(node)
             if type(part) not in _LEAVES and (f := _filler(part)) is not None]
    if not fills:
        return None
    template = list(node)

    def fill(values: dict[str, Value]) -> Any:
        out = template.copy()
        for i, f in fills:
            out[i] = f(values)
        return out

    if kind is list:
        return fill
    return lambda values: tuple(fill(values))


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
