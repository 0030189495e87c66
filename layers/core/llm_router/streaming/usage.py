"""The usage a stream is booked with: the provider's, or an estimate where it is missing.

A stream that ended normally carries the provider's usage (``reported``). One that broke
off, or a server that never reports usage in streams, is counted with tiktoken
(``estimated``): the prompt from the request (unless the provider already reported it,
as Anthropic does at message_start) and the output from the text actually streamed.
"""

from __future__ import annotations

from llm_router.catalog import ModelConfig
from llm_router.ledger import UsageSource
from llm_router.preflight import prompt_count
from llm_router.schema import ChatRequest, Usage
from llm_router.tokens import count_text_tokens


def settled_usage(
    reported: Usage | None,
    complete: bool,
    request: ChatRequest,
    model: ModelConfig,
    generated: str,
) -> tuple[Usage, UsageSource]:
    if reported is not None and complete:
        return reported, "reported"
    name = model.upstream_model
    if reported is not None and reported.prompt_tokens:
        prompt = reported.prompt_tokens
    else:
        prompt = prompt_count(request, model).prompt_tokens  # counted once per request
    output = count_text_tokens(generated, name).prompt_tokens if generated else 0
    if reported is not None:
        output = max(output, reported.completion_tokens)
    cached = reported.cached_tokens if reported else 0
    writes = reported.cache_write_tokens if reported else 0
    return Usage.of(prompt, output, cached=cached, cache_write=writes), "estimated"
