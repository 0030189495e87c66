"""Which stream transform reads a provider kind's events."""

from __future__ import annotations

from llm_router.errors import ConfigError
from llm_router.providers.anthropic.stream import AnthropicStreamTransform
from llm_router.providers.gemini.stream import GeminiStreamTransform
from llm_router.providers.openai.stream import OpenAIStreamTransform
from llm_router.streaming.base import StreamTransform

_TRANSFORMS = {
    "openai": OpenAIStreamTransform,
    "anthropic": AnthropicStreamTransform,
    "gemini": GeminiStreamTransform,
}


def transform_for(kind: str, model: str, request_id: str) -> StreamTransform:
    """A fresh transform for one stream; ``model`` is the catalog name chunks carry."""
    try:
        transform: type[StreamTransform] = _TRANSFORMS[kind]  # type: ignore[assignment]
    except KeyError:
        raise ConfigError(f"no stream transform for provider kind {kind!r}") from None
    return transform(model, request_id)  # type: ignore[call-arg]
