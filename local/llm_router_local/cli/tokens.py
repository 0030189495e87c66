"""``llm-router tokens --model M``: prompt tokens of chat requests, offline.

In, one JSON object per line: ``{"messages": [...], "tools": [...]}`` (tools optional).
Out, per line and in the same order: ``{"prompt_tokens": int, "encoding": str,
"exact": bool}``. An unknown model is not an error: it gets an estimate with
``exact: false`` and the encoding that produced it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO, TypeVar

from pydantic import TypeAdapter, ValidationError

from llm_router.schema import Message, Tool
from llm_router.tokens import TokenCount, count_chat_tokens, use_vendored_encodings
from llm_router_local.cli import CommandError

T = TypeVar("T")

_MESSAGES: TypeAdapter[list[Message]] = TypeAdapter(list[Message])
_TOOLS: TypeAdapter[list[Tool]] = TypeAdapter(list[Tool])


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "tokens",
        help="count prompt tokens of chat requests (JSON Lines in, JSON Lines out)",
        description=__doc__,
    )
    parser.add_argument("--model", required=True, help="model id, e.g. gpt-4o-mini")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_vendored_encodings(os.environ)
    return count_lines(args.model, sys.stdin, sys.stdout)


def count_lines(model: str, lines: TextIO, out: TextIO) -> int:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count = count_line(model, line, number)
        out.write(json.dumps({
            "prompt_tokens": count.prompt_tokens,
            "encoding": count.encoding,
            "exact": count.exact,
        }) + "\n")
        out.flush()
    return 0


def count_line(model: str, line: str, number: int) -> TokenCount:
    try:
        body = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"line {number}: not JSON: {exc.msg}") from exc
    if not isinstance(body, dict) or "messages" not in body:
        raise CommandError(f'line {number}: expected an object with "messages"')
    messages = _validate(_MESSAGES, body["messages"], "messages", number)
    tools = _validate(_TOOLS, body["tools"], "tools", number) if body.get("tools") else None
    return count_chat_tokens(messages, model, tools)


def _validate(adapter: TypeAdapter[list[T]], value: Any, field: str, number: int) -> list[T]:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join([field, *(str(p) for p in first["loc"])])
        raise CommandError(f"line {number}: {where}: {first['msg']}") from exc
