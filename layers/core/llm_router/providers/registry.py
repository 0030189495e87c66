"""Which adapter speaks a provider's wire protocol. Adapters are stateless: one each."""

from __future__ import annotations

from llm_router.errors import ConfigError
from llm_router.providers.anthropic.adapter import AnthropicAdapter
from llm_router.providers.base import ProviderAdapter
from llm_router.providers.gemini.adapter import GeminiAdapter
from llm_router.providers.openai.adapter import OpenAIAdapter

_ADAPTERS: dict[str, ProviderAdapter] = {
    "openai": OpenAIAdapter(),
    "anthropic": AnthropicAdapter(),
    "gemini": GeminiAdapter(),
}


def adapter_for(kind: str) -> ProviderAdapter:
    """The adapter for a catalog ``kind`` (``openai``, ``anthropic`` or ``gemini``)."""
    try:
        return _ADAPTERS[kind]
    except KeyError:
        known = ", ".join(sorted(_ADAPTERS))
        raise ConfigError(f"no adapter for provider kind {kind!r} (known: {known})") from None
