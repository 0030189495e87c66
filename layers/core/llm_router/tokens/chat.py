"""Prompt tokens of a chat request, counted the way OpenAI's API bills them.

Messages follow the method in OpenAI's cookbook "How to count tokens with tiktoken",
which OpenAI checked against the API for gpt-3.5-turbo, gpt-4, gpt-4o and
gpt-4o-mini: every message costs 3 framing tokens plus its role and content, a
``name`` costs its tokens plus 1, and every reply is primed with 3 more.

Tool definitions follow the cookbook's function-calling section (also checked against
the API for those four models). That formula only describes flat parameter schemas
(each property a scalar ``type`` with a ``description`` and optional ``enum``), so a
count is called exact only for those schemas on those model families.

What is NOT exact (``exact`` is False, and the count is an estimate):
 * any model whose tokenizer is not OpenAI's (Anthropic, Gemini, Llama, Mistral...);
 * assistant ``tool_calls`` and ``tool`` result messages: OpenAI does not document how
   they are rendered; we count name + arguments + 3 per call, and the tool_call_id;
 * images, audio and files (their cost depends on data we do not decode);
 * content split into several text parts (we sum the parts; the API may merge them);
 * nested tool schemas, and tool definitions for gpt-4.1, o-series and gpt-5.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from llm_router.schema import (
    AssistantMessage,
    ImagePart,
    Message,
    TextPart,
    Tool,
    ToolCall,
    ToolMessage,
)
from llm_router.tokens.counter import TokenCounter
from llm_router.tokens.encodings import (
    encoding_for,
    encoding_name_for,
    get_encoding,
    normalize_model,
)

TOKENS_PER_MESSAGE = 3  # <|start|>{role}<|message|> ... <|end|>, around every message
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3  # <|start|>assistant<|message|>
TOKENS_PER_TOOL_CALL = 3  # estimate: the call's framing is undocumented
IMAGE_TOKENS_LOW = 85  # OpenAI's documented cost of a detail=low image (gpt-4o)
IMAGE_TOKENS_DEFAULT = 765  # a 1024x1024 image at high detail: 85 + 4 tiles x 170


_Counter = Callable[[str], int]


@dataclass(frozen=True)
class ToolFraming:
    """The cookbook's constants for tool definitions (tokens per structural element)."""

    func_init: int
    prop_init: int = 3
    prop_key: int = 3
    enum_init: int = -3
    enum_item: int = 3
    func_end: int = 12


_TOOLS_O200K = ToolFraming(func_init=7)  # gpt-4o, gpt-4o-mini
_TOOLS_CL100K = ToolFraming(func_init=10)  # gpt-4, gpt-3.5-turbo
# Families for which the cookbook verified the tool formula against the API.
_TOOLS_VERIFIED = ("gpt-4o", "chatgpt-4o", "gpt-4", "gpt-3.5-turbo", "gpt-35-turbo")
_TOOLS_UNVERIFIED = ("gpt-4.1", "gpt-4.5", "gpt-5")


@dataclass(frozen=True)
class TokenCount:
    prompt_tokens: int
    encoding: str
    exact: bool


@dataclass
class _Tally:
    tokens: int = 0
    exact: bool = True

    def add(self, tokens: int, *, exact: bool = True) -> None:
        self.tokens += tokens
        self.exact = self.exact and exact


def count_text_tokens(text: str, model: str) -> TokenCount:
    """Tokens of bare text (no chat framing), e.g. a completion or a prompt template."""
    encoding, exact = encoding_for(model)
    return TokenCount(encoding.count(text), encoding.name, exact)


def count_chat_tokens(
    messages: Sequence[Message], model: str, tools: Sequence[Tool] | None = None
) -> TokenCount:
    """Prompt tokens the provider will bill for ``messages`` (and ``tools``) on ``model``."""
    name, _ = encoding_name_for(model)
    return count_prompt(messages, name, tools).for_model(model)


@dataclass(frozen=True)
class PromptTally:
    """A prompt counted with one encoding: the count is the same for every model that
    uses it (the tool framing is chosen by encoding too); only ``exact`` depends on the
    model, so one tally serves them all (``for_model``)."""

    tokens: int
    encoding: str
    messages_exact: bool  # one text part per message, no images, tool calls or results
    tools_exact: bool  # no tools, or flat schemas with descriptions (the cookbook's shape)
    has_tools: bool

    def for_model(self, model: str) -> TokenCount:
        _, own = encoding_name_for(model)
        exact = own and self.messages_exact
        if self.has_tools:
            name = normalize_model(model)
            exact = (exact and self.tools_exact and _family_in(name, _TOOLS_VERIFIED)
                     and not _family_in(name, _TOOLS_UNVERIFIED))
        return TokenCount(self.tokens, self.encoding, exact)


def count_prompt(
    messages: Sequence[Message], encoding_name: str, tools: Sequence[Tool] | None = None
) -> PromptTally:
    """The prompt's tokens with one encoding, whichever model uses it."""
    encoding = get_encoding(encoding_name)
    tally = _Tally()
    for message in messages:
        _count_message(tally, message, encoding)
    tally.add(REPLY_PRIMING)
    tools_exact = True
    if tools:
        tokens, tools_exact = _count_tools(tools, encoding)
        tally.add(tokens)
    return PromptTally(tally.tokens, encoding.name, tally.exact, tools_exact, bool(tools))


def _count_message(tally: _Tally, message: Message, encoding: TokenCounter) -> None:
    n = encoding.count

    tally.add(TOKENS_PER_MESSAGE + n(message.role))
    _count_content(tally, message.content, n)
    name = getattr(message, "name", None)
    if name:
        tally.add(n(name) + TOKENS_PER_NAME)
    if isinstance(message, AssistantMessage):
        if message.refusal:
            tally.add(n(message.refusal))
        for call in message.tool_calls or ():
            tally.add(_tool_call_tokens(call, n), exact=False)
    if isinstance(message, ToolMessage):
        tally.add(n(message.tool_call_id), exact=False)


def _count_content(tally: _Tally, content: str | list[Any] | None, n: _Counter) -> None:
    if content is None:
        return
    if isinstance(content, str):
        tally.add(n(content))
        return
    texts = [part.text for part in content if isinstance(part, TextPart)]
    tally.add(sum(n(text) for text in texts), exact=len(texts) <= 1)
    for part in content:
        if isinstance(part, ImagePart):
            low = part.image_url.detail == "low"
            tally.add(IMAGE_TOKENS_LOW if low else IMAGE_TOKENS_DEFAULT, exact=False)
        elif not isinstance(part, TextPart):
            text = getattr(part, "refusal", "")
            tally.add(n(text) if text else 0, exact=False)


def _tool_call_tokens(call: ToolCall, n: _Counter) -> int:
    return TOKENS_PER_TOOL_CALL + n(call.function.name) + n(call.function.arguments)


def _count_tools(tools: Sequence[Tool], encoding: TokenCounter) -> tuple[int, bool]:
    """The cookbook's tool-definition formula; ``exact`` says the schemas are of the
    shape it was verified on (whether the model's family was is ``for_model``'s call)."""
    framing = _TOOLS_O200K if encoding.name == "o200k_base" else _TOOLS_CL100K
    exact = True
    n = encoding.count
    total = 0
    for tool in tools:
        fn = tool.function
        total += framing.func_init + n(f"{fn.name}:{_strip_period(fn.description or '')}")
        properties = (fn.parameters or {}).get("properties") or {}
        exact = exact and fn.description is not None and _is_flat(properties)
        if properties:
            total += framing.prop_init
        for key, spec in properties.items():
            total += framing.prop_key + _property_tokens(key, spec, framing, n)
    total += framing.func_end
    return total, exact


def _property_tokens(key: str, spec: Any, framing: ToolFraming, n: _Counter) -> int:
    spec = spec if isinstance(spec, dict) else {}
    tokens = 0
    if "enum" in spec:
        tokens += framing.enum_init
        for item in spec["enum"]:
            tokens += framing.enum_item + n(str(item))
    kind = spec.get("type", "")
    kind = "|".join(map(str, kind)) if isinstance(kind, list) else str(kind)
    description = _strip_period(str(spec.get("description", "")))
    return tokens + n(f"{key}:{kind}:{description}")


def _is_flat(properties: Any) -> bool:
    """True when every property is the shape the cookbook's formula was verified on."""
    if not isinstance(properties, dict):
        return False
    return all(
        isinstance(spec, dict)
        and isinstance(spec.get("type"), str)
        and spec["type"] not in ("object", "array")
        and "description" in spec
        and set(spec) <= {"type", "description", "enum"}
        for spec in properties.values()
    )


def _strip_period(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


def _family_in(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or (name.startswith(p) and name[len(p)] in "-.:") for p in prefixes)
