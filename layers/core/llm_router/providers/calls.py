"""One attempt against one provider, over whichever wire its kind speaks.

The HTTP kinds (OpenAI-compatible, Anthropic, Gemini) go through aiohttp
(``providers.transport``, ``streaming.upstream``); ``bedrock`` goes through boto3
(``providers.bedrock_client``). The request path calls this and never asks which.
"""

from __future__ import annotations

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.providers.bedrock.client import BedrockRuntime
from llm_router.providers.registry import adapter_for
from llm_router.providers.session import UpstreamHttp
from llm_router.providers.transport import call_provider
from llm_router.schema import ChatCompletion, ChatRequest
from llm_router.streaming.upstream import OpenedStream, open_attempt


class ProviderCalls:
    def __init__(self, http: UpstreamHttp, bedrock: BedrockRuntime | None = None):
        self._http = http
        self._bedrock = bedrock or BedrockRuntime()

    async def aclose(self) -> None:
        """The pooled provider connections (bedrock's client is botocore's, left open)."""
        await self._http.aclose()

    async def complete(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig,
        request_id: str, *, timeout_s: float | None = None,
    ) -> ChatCompletion:
        request = for_model(request, model)
        if provider.kind == "bedrock":
            return await self._bedrock.complete(request, model, provider, request_id,
                                                 timeout_s=timeout_s)
        return await call_provider(self._http, adapter_for(provider.kind), request, model,
                                   provider, request_id, timeout_s=timeout_s)

    async def open_stream(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig,
        request_id: str, *, timeout_s: float | None = None,
    ) -> OpenedStream:
        request = for_model(request, model)
        if provider.kind == "bedrock":
            return await self._bedrock.open_stream(request, model, provider, request_id,
                                                   timeout_s=timeout_s)
        return await open_attempt(self._http, request, model, provider, request_id,
                                  timeout_s=timeout_s)


def for_model(request: ChatRequest, model: ModelConfig) -> ChatRequest:
    """``request`` as it goes to ``model``: its output cap no higher than the model's
    ``max_output_tokens`` (a provider refuses a larger one with a 400). The same object
    when nothing is clipped, which is nearly always."""
    cap = model.max_output_tokens
    if cap is None:
        return request
    update = {name: cap for name in ("max_tokens", "max_completion_tokens")
              if (getattr(request, name) or 0) > cap}
    return request.model_copy(update=update) if update else request
