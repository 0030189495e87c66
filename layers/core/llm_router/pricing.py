"""Cost of a request from provider-reported usage and catalog prices. Decimal only.

Prices are USD per million tokens. Cached prompt tokens are billed at the cached-input
price when the catalog has one (else at the input price); Anthropic prompt-cache writes
at the cache-write price. Reasoning tokens are already inside ``completion_tokens``
(OpenAI's convention, which every adapter follows) and are billed as output.
"""

from __future__ import annotations

from decimal import Decimal

from llm_router.catalog import ModelConfig
from llm_router.schema import Usage

MILLION = Decimal(1_000_000)


def cost_of(usage: Usage, model: ModelConfig) -> Decimal:
    """Exact USD cost of ``usage`` on ``model``."""
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    writes = min(usage.cache_write_tokens, usage.prompt_tokens - cached)
    uncached = usage.prompt_tokens - cached - writes
    cached_price = model.cached_input_per_mtok
    write_price = model.cache_write_per_mtok
    total = (
        uncached * model.input_per_mtok
        + cached * (cached_price if cached_price is not None else model.input_per_mtok)
        + writes * (write_price if write_price is not None else model.input_per_mtok)
        + usage.completion_tokens * model.output_per_mtok
    )
    return total / MILLION
