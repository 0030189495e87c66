"""OpenAI chat-completions request and response models.

These are the shapes that cross every boundary in the router: the API validates a
``ChatRequest``, provider adapters translate it to their wire format and translate the
answer back into a ``ChatCompletion``. Unknown request fields are kept (``extra="allow"``)
so OpenAI-compatible providers receive parameters this gateway does not know yet.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_FROZEN_OPEN = ConfigDict(frozen=True, extra="allow")


# --- content parts -----------------------------------------------------------------


class TextPart(BaseModel):
    model_config = _FROZEN
    type: Literal["text"]
    text: str


class ImageURL(BaseModel):
    model_config = _FROZEN_OPEN
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(BaseModel):
    model_config = _FROZEN
    type: Literal["image_url"]
    image_url: ImageURL


class InputAudio(BaseModel):
    model_config = _FROZEN
    data: str
    format: str


class AudioPart(BaseModel):
    model_config = _FROZEN
    type: Literal["input_audio"]
    input_audio: InputAudio


class FilePart(BaseModel):
    model_config = _FROZEN_OPEN
    type: Literal["file"]
    file: dict[str, Any]


class RefusalPart(BaseModel):
    model_config = _FROZEN
    type: Literal["refusal"]
    refusal: str


UserPart = Annotated[TextPart | ImagePart | AudioPart | FilePart, Field(discriminator="type")]
AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]


# --- tools ---------------------------------------------------------------------------


class FunctionCall(BaseModel):
    model_config = _FROZEN
    name: str
    arguments: str  # JSON text, exactly as the model produced it


class ToolCall(BaseModel):
    model_config = _FROZEN
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class FunctionDefinition(BaseModel):
    model_config = _FROZEN_OPEN
    name: str = Field(min_length=1, max_length=64)
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class Tool(BaseModel):
    model_config = _FROZEN
    type: Literal["function"] = "function"
    function: FunctionDefinition


# --- messages ------------------------------------------------------------------------


class SystemMessage(BaseModel):
    model_config = _FROZEN
    role: Literal["system", "developer"]
    content: str | list[TextPart]
    name: str | None = None


class UserMessage(BaseModel):
    model_config = _FROZEN
    role: Literal["user"]
    content: str | list[UserPart]
    name: str | None = None


class AssistantMessage(BaseModel):
    model_config = _FROZEN
    role: Literal["assistant"]
    content: str | list[AssistantPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None

    @model_validator(mode="after")
    def _has_something(self) -> AssistantMessage:
        if self.content is None and not self.tool_calls:
            raise ValueError("an assistant message needs content or tool_calls")
        return self


class ToolMessage(BaseModel):
    model_config = _FROZEN
    role: Literal["tool"]
    content: str | list[TextPart]
    tool_call_id: str = Field(min_length=1)


Message = Annotated[
    SystemMessage | UserMessage | AssistantMessage | ToolMessage,
    Field(discriminator="role"),
]


def text_of(content: str | list[Any] | None) -> str:
    """The plain text of a message's content (text parts joined; other parts skipped)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.text for p in content if isinstance(p, TextPart))


# --- request -------------------------------------------------------------------------

# Work on a request with more message text than this (the input guards, the cache key,
# token counts, JSON for the upstream) runs in a worker thread: well under a millisecond
# below it, where the hop to a thread (about 0.1 ms) would cost more than the work.
INLINE_TEXT_CHARS = 64 * 1024


class StreamOptions(BaseModel):
    model_config = _FROZEN_OPEN
    include_usage: bool | None = None


OptimizeFor = Literal["cost", "latency", "quality"]

# The most output tokens a request may ask for (max_tokens / max_completion_tokens),
# whatever the model: above every model's documented output limit (the catalog's largest
# is 100,000), so only absurd values are refused here. A model's own
# ``max_output_tokens`` is checked once the model is known (``routing.check_output_limit``).
MAX_OUTPUT_TOKENS = 1_000_000
# OpenAI's documented bounds (Chat Completions API reference): a seed is an int64; a
# logit bias maps token ids to -100..100; top_logprobs is 0..20; metadata has at most 16
# pairs, keys up to 64 characters, values up to 512.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
TokenId = Annotated[str, Field(pattern=r"^[0-9]{1,10}$")]
Bias = Annotated[int, Field(ge=-100, le=100)]
MetadataKey = Annotated[str, Field(max_length=64)]
MetadataValue = Annotated[str, Field(max_length=512)]


class ChatRequest(BaseModel):
    """``POST /v1/chat/completions`` body. Extension fields are listed last."""

    model_config = _FROZEN_OPEN

    model: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: int | None = Field(default=None, ge=1, le=1)
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_OUTPUT_TOKENS)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_OUTPUT_TOKENS)
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    tools: list[Tool] | None = Field(default=None, max_length=128)  # OpenAI's maximum
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    seed: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[TokenId, Bias] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=16)
    user: str | None = None

    # llm-router extensions (ignored by other gateways)
    optimize_for: OptimizeFor | None = None
    max_cost_usd: float | None = Field(default=None, gt=0)
    max_latency_ms: int | None = Field(default=None, gt=0)
    allowed_models: list[str] | None = None
    cache: bool = True

    # Not a field: what is computed from the messages once per request (token counts by
    # model, ``llm_router.preflight``), however many steps ask for it.
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def memo(self) -> dict[str, Any]:
        return self._memo

    def is_large(self) -> bool:
        """Whether work proportional to this request's text (scans, counts, encoding)
        runs in a worker thread rather than on the event loop."""
        return self.text_chars() > INLINE_TEXT_CHARS

    def text_chars(self) -> int:
        """How many characters of text the messages carry, without reading any of it."""
        total = 0
        for message in self.messages:
            content = getattr(message, "content", None)
            if isinstance(content, str):
                total += len(content)
            elif isinstance(content, list):
                total += sum(len(p.text) for p in content if isinstance(p, TextPart))
        return total

    @field_validator("stop")
    @classmethod
    def _stop_limit(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and len(v) > 4:
            raise ValueError("at most 4 stop sequences")
        return v

    @field_validator("top_logprobs")
    @classmethod
    def _top_logprobs_needs_logprobs(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v is not None and info.data.get("logprobs") is not True:
            raise ValueError("top_logprobs needs logprobs set to true")
        return v

    @property
    def output_limit(self) -> int | None:
        """The caller's cap on generated tokens, whichever field carried it."""
        return self.max_completion_tokens or self.max_tokens

    @property
    def stop_list(self) -> list[str]:
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)

    def passthrough(self) -> dict[str, Any]:
        """Fields this gateway does not model, for OpenAI-compatible upstreams."""
        return dict(self.model_extra or {})


EXTENSION_FIELDS = frozenset(
    {"optimize_for", "max_cost_usd", "max_latency_ms", "allowed_models", "cache"}
)


# --- response ------------------------------------------------------------------------


class PromptTokensDetails(BaseModel):
    model_config = _FROZEN_OPEN
    cached_tokens: int = 0


class CompletionTokensDetails(BaseModel):
    model_config = _FROZEN_OPEN
    reasoning_tokens: int = 0


class Usage(BaseModel):
    """Token usage as the provider reported it, in OpenAI's shape.

    ``prompt_tokens`` includes cached tokens (OpenAI's convention); adapters for
    providers that report them separately (Anthropic) add them in.
    """

    model_config = _FROZEN
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails = PromptTokensDetails()
    completion_tokens_details: CompletionTokensDetails = CompletionTokensDetails()
    # Anthropic bills prompt-cache writes at a premium; zero elsewhere.
    cache_write_tokens: int = Field(default=0, exclude=True)

    @property
    def cached_tokens(self) -> int:
        return self.prompt_tokens_details.cached_tokens

    @property
    def reasoning_tokens(self) -> int:
        return self.completion_tokens_details.reasoning_tokens

    @classmethod
    def of(
        cls,
        prompt: int,
        completion: int,
        *,
        cached: int = 0,
        reasoning: int = 0,
        cache_write: int = 0,
    ) -> Usage:
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=prompt + completion,
            prompt_tokens_details=PromptTokensDetails(cached_tokens=cached),
            completion_tokens_details=CompletionTokensDetails(reasoning_tokens=reasoning),
            cache_write_tokens=cache_write,
        )


FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
FINISH_REASONS: frozenset[str] = frozenset(get_args(FinishReason))


class ResponseMessage(BaseModel):
    model_config = _FROZEN
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None


class Choice(BaseModel):
    model_config = _FROZEN
    index: int = 0
    message: ResponseMessage
    finish_reason: FinishReason | None = "stop"
    logprobs: dict[str, Any] | None = None


class ChatCompletion(BaseModel):
    model_config = _FROZEN
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
