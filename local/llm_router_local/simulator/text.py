"""What the simulated model "says": a deterministic answer and honest token counts.

Token counts are the simulator's own: one token per word (``\\w+``) and one per
punctuation mark. They are not any real tokenizer's counts, but they are computed from
the actual text, so longer prompts cost more and the router's accounting can be checked
end to end. Every wire format (OpenAI, Anthropic, Gemini) parses into a ``Prompt`` and
renders an ``Answer``; only the framing differs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]")
_TOOL_WORDS = re.compile(r"\b(use|call|run|invoke|tool|function|lookup|look up|check)\b", re.I)
_STOPWORD_TEXT = (
    "a an and are as at be but by can could do does for from has have how i in is it me my "
    "of on or please should so that the this to was what when where which who why will with "
    "would you your"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_OPENERS = (
    "Here is a short answer about {topic}.",
    "Good question about {topic}.",
    "Let me explain {topic} briefly.",
    "Thanks for asking about {topic}.",
)
_FILLERS = (
    "The key point is to start from what you already know and check each assumption.",
    "Most cases are handled by the standard procedure, with a few documented exceptions.",
    "If the first approach does not work, a second look at the details usually helps.",
    "It is worth comparing the options side by side before deciding.",
    "A small example often makes the idea clearer than a long definition.",
    "The details depend on your setup, so treat this as a general guide.",
    "In practice, the simplest solution that works is usually the right one.",
    "You can verify the result by repeating the steps with a different input.",
)
REASONING_MARKERS = ("reason", "think", "o1", "o3", "o4", "r1")


class BadRequest(ValueError):
    """A request body that is not valid in its wire format (answered with a 400)."""


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


@dataclass(frozen=True)
class ToolSpec:
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Prompt:
    """A request in any wire format, reduced to what shapes the answer."""

    model: str
    texts: tuple[str, ...]  # everything the model reads, for prompt token counts
    last_user: str
    tools: tuple[ToolSpec, ...] = ()
    tool_choice_forced: bool = False
    tools_disabled: bool = False
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    text: str
    tool_name: str | None
    tool_arguments: dict[str, Any] | None
    prompt_tokens: int
    completion_tokens: int  # includes reasoning tokens (OpenAI's convention)
    reasoning_tokens: int
    finish: str  # "stop" | "length" | "tool_calls"
    stop_sequence: str | None = None


def answer(prompt: Prompt) -> Answer:
    prompt_tokens = sum(count_tokens(t) for t in prompt.texts)
    tool = _tool_to_call(prompt)
    reasoning = _reasoning_tokens(prompt)
    if tool is not None:
        arguments = _arguments_for(tool, prompt.last_user)
        produced = count_tokens(tool.name) + count_tokens(json.dumps(arguments))
        return Answer("", tool.name, arguments, prompt_tokens, produced + reasoning, reasoning,
                      "tool_calls")
    text = compose(prompt.model, prompt.last_user)
    finish, stop_sequence = "stop", None
    for stop in prompt.stop:
        if stop and stop in text:
            text, stop_sequence = text[: text.index(stop)], stop
    if prompt.max_tokens is not None and count_tokens(text) > prompt.max_tokens:
        text, finish, stop_sequence = truncate(text, prompt.max_tokens), "length", None
    completion = count_tokens(text) + reasoning
    return Answer(text, None, None, prompt_tokens, completion, reasoning, finish, stop_sequence)


ECHO_MARKER = "Repeat after me:"


def compose(model: str, question: str) -> str:
    """A few sentences derived from the question; more sentences for longer questions.
    A question that contains ``Repeat after me:`` is answered with the text after it,
    verbatim (the guard tests need answers that carry given PII)."""
    if ECHO_MARKER in question:
        return question.split(ECHO_MARKER, 1)[1].strip()
    digest = hashlib.sha256(f"{model}\n{question}".encode()).digest()
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", question) if w.lower() not in _STOPWORDS]
    topic = " ".join(words[:4]).lower() or "your request"
    n_fillers = 1 + min(4, len(tokenize(question)) // 15) + digest[0] % 2
    sentences = [_OPENERS[digest[1] % len(_OPENERS)].format(topic=topic)]
    sentences += [_FILLERS[(digest[2] + 3 * i) % len(_FILLERS)] for i in range(n_fillers)]
    sentences.append(f"(Simulated by {model}.)")
    return " ".join(sentences)


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` that holds at most ``max_tokens`` tokens."""
    matches = list(_TOKEN.finditer(text))
    if len(matches) <= max_tokens:
        return text
    return text[: matches[max_tokens - 1].end()] if max_tokens > 0 else ""


def chunks(text: str, size: int = 3) -> list[str]:
    """Stream pieces of about ``size`` words; joined they give ``text`` back exactly."""
    pieces = re.findall(r"\S+\s*", text)
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)] or [""]


def _tool_to_call(prompt: Prompt) -> ToolSpec | None:
    if not prompt.tools or prompt.tools_disabled:
        return None
    lowered = prompt.last_user.lower()
    for tool in prompt.tools:
        if tool.name.lower() in lowered:
            return tool
    if prompt.tool_choice_forced or _TOOL_WORDS.search(prompt.last_user):
        return prompt.tools[0]
    return None


def _arguments_for(tool: ToolSpec, question: str) -> dict[str, Any]:
    """Arguments that satisfy the tool's required properties, taken from the question."""
    properties = tool.parameters.get("properties") or {}
    required = tool.parameters.get("required") or list(properties)[:1]
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", question) if w.lower() not in _STOPWORDS]
    numbers = re.findall(r"\d+(?:\.\d+)?", question)
    arguments: dict[str, Any] = {}
    for i, name in enumerate(required):
        spec = properties.get(name) if isinstance(properties, dict) else None
        kind = spec.get("type") if isinstance(spec, dict) else "string"
        if isinstance(spec, dict) and spec.get("enum"):
            arguments[name] = spec["enum"][0]
        elif kind in ("number", "integer"):
            value = float(numbers[0]) if numbers else 1.0
            arguments[name] = int(value) if kind == "integer" else value
        elif kind == "boolean":
            arguments[name] = True
        elif kind == "array":
            arguments[name] = words[:2]
        elif kind == "object":
            arguments[name] = {}
        else:
            arguments[name] = words[-1 - i] if len(words) > i else "example"
    return arguments


def _reasoning_tokens(prompt: Prompt) -> int:
    # "Thinking" models spend hidden tokens; simulate some so reasoning usage paths run.
    name = prompt.model.lower()
    if not any(marker in name for marker in REASONING_MARKERS):
        return 0
    return 8 + count_tokens(prompt.last_user) // 2


# Keys whose values a model does not "read" as text: identifiers, roles, media payloads.
_NOT_TEXT = frozenset(
    {"role", "type", "id", "tool_call_id", "tool_use_id", "mimeType", "media_type", "data",
     "url", "fileUri", "detail", "cache_control"}
)


def strings_in(value: Any) -> list[str]:
    """Every string a model would read in a JSON request fragment (for token counts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in _NOT_TEXT for s in strings_in(v)]
    return []
