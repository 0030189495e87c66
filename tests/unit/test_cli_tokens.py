"""`llm-router tokens --model M`, per the command-line contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(model: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "tokens", "--model", model],
        input=stdin, capture_output=True, text=True, timeout=60)


def line(*contents: str, **extra: object) -> str:
    messages = [{"role": "user", "content": c} for c in contents]
    return json.dumps({"messages": messages, **extra}) + "\n"


def test_one_result_per_line_in_order() -> None:
    lines = [line("hi"), line("a much longer question about my invoice " * 5), line("hi", "x")]
    done = run("gpt-4o-mini", "".join(lines))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(r) for r in done.stdout.splitlines()]
    assert [r["prompt_tokens"] for r in rows] == [8, 43, 13]
    assert all(r == {"prompt_tokens": r["prompt_tokens"], "encoding": "o200k_base",
                     "exact": True} for r in rows)


def test_tools_are_counted() -> None:
    tool = {"type": "function", "function": {
        "name": "lookup_order", "description": "Find an order",
        "parameters": {"type": "object", "properties": {
            "order_id": {"type": "string", "description": "The order number"}}}}}
    done = run("gpt-4o", line("hi") + line("hi", tools=[tool]))
    plain, with_tools = (json.loads(r)["prompt_tokens"] for r in done.stdout.splitlines())
    assert with_tools > plain


def test_unknown_model_is_an_estimate_not_an_error() -> None:
    done = run("my-local-model", line("hola"))
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"prompt_tokens": 8, "encoding": "o200k_base",
                                       "exact": False}


@pytest.mark.parametrize("bad", ["{not json}\n", '["messages"]\n', '{"messages": [{"role": 1}]}\n',
                                 '{"prompt": "hi"}\n'])
def test_bad_input_fails_with_one_line(bad: str) -> None:
    done = run("gpt-4o", line("fine") + bad)
    assert done.returncode != 0
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("llm-router tokens: error: line 2:")
    assert len(done.stdout.splitlines()) == 1  # the good line before it was answered


def test_blank_lines_are_skipped() -> None:
    done = run("gpt-4", "\n" + line("hi") + "\n")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1
