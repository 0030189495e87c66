"""The most a request can cost, known before the provider is called.

Budgets reserve this amount at admission and ``max_cost_usd`` compares against it, so
it must be an upper bound for the output side: every prompt token at the input price
(no cache discount is assumed) plus the largest number of tokens the model may
generate at the output price. The output cap is the request's own limit, clipped to
the model's ``max_output_tokens`` and to what is left of the context window; without
any of these, ``DEFAULT_OUTPUT_TOKENS``.

The prompt side is exact for OpenAI models (see ``llm_router.tokens``) and an estimate
elsewhere; ``PreflightEstimate.exact`` says which, so callers can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from llm_router.catalog import ModelConfig
from llm_router.pricing import MILLION
from llm_router.schema import ChatRequest
from llm_router.tokens import TokenCount, encoding_name_for
from llm_router.tokens.chat import PromptTally, count_prompt

# Used only when neither the request nor the catalog bounds the output.
DEFAULT_OUTPUT_TOKENS = 4096

OutputLimitSource = Literal["request", "model", "context", "default"]


@dataclass(frozen=True)
class PreflightEstimate:
    prompt_tokens: int
    max_output_tokens: int
    output_limit_source: OutputLimitSource
    max_cost_usd: Decimal
    encoding: str
    exact: bool  # True when prompt_tokens is the provider's own count


def output_cap(
    request: ChatRequest, model: ModelConfig, prompt_tokens: int
) -> tuple[int, OutputLimitSource]:
    """The most tokens ``model`` may generate for ``request``, and where that cap came from."""
    room = None
    if model.context_window is not None:
        room = max(model.context_window - prompt_tokens, 0)
    candidates: list[tuple[int, OutputLimitSource]] = []
    if request.output_limit is not None:
        candidates.append((request.output_limit, "request"))
    if model.max_output_tokens is not None:
        candidates.append((model.max_output_tokens, "model"))
    if room is not None:
        candidates.append((room, "context"))
    if not candidates:
        return DEFAULT_OUTPUT_TOKENS, "default"
    return min(candidates, key=lambda c: c[0])


def preflight_estimate(request: ChatRequest, model: ModelConfig) -> PreflightEstimate:
    """Prompt tokens, output cap and maximum USD cost of ``request`` on ``model``."""
    count = prompt_count(request, model)
    output_tokens, source = output_cap(request, model, count.prompt_tokens)
    cost = (
        count.prompt_tokens * model.input_per_mtok + output_tokens * model.output_per_mtok
    ) / MILLION
    return PreflightEstimate(
        prompt_tokens=count.prompt_tokens,
        max_output_tokens=output_tokens,
        output_limit_source=source,
        max_cost_usd=cost,
        encoding=count.encoding,
        exact=count.exact,
    )


def prompt_count(request: ChatRequest, model: ModelConfig) -> TokenCount:
    """The prompt's token count for ``model``, counted once per request and encoding
    (routing, the cost cap and admission all ask, for every candidate model; models
    that share an encoding share the count, and a 1 MB prompt is worth not re-reading)."""
    encoding, _ = encoding_name_for(model.upstream_model)
    # The ids: a copy of the request with other messages (model_copy shares the memo)
    # must not reuse these counts.
    key = f"tokens:{encoding}:{id(request.messages)}:{id(request.tools)}"
    if key not in request.memo:
        request.memo[key] = count_prompt(request.messages, encoding, request.tools)
    tally: PromptTally = request.memo[key]
    return tally.for_model(model.upstream_model)


def estimate_max_cost(request: ChatRequest, model: ModelConfig) -> Decimal:
    """Maximum USD cost of ``request`` on ``model`` (see ``preflight_estimate``)."""
    return preflight_estimate(request, model).max_cost_usd
