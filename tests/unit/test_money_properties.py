"""Properties of token counting and cost: for any usage and any prices, cost is exact,
never negative, monotone in tokens, additive, within the pre-flight maximum that
admission reserves, and stored by DynamoDB in plain decimal form."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from llm_router.catalog import ModelConfig
from llm_router.preflight import preflight_estimate
from llm_router.pricing import cost_of
from llm_router.schema import ChatRequest, Usage
from llm_router.storage.numbers import number
from llm_router.tokens import count_chat_tokens, count_text_tokens

PRICE = st.decimals(min_value=0, max_value=200, places=4, allow_nan=False,
                    allow_infinity=False)
TOKENS = st.integers(min_value=0, max_value=2_000_000)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


def model(inp: Decimal, out: Decimal, cached: Decimal | None = None) -> ModelConfig:
    return ModelConfig(name="m", provider="p", upstream_model="gpt-4o-mini",
                       input_per_mtok=inp, output_per_mtok=out, cached_input_per_mtok=cached)


@given(PRICE, PRICE, st.none() | PRICE, TOKENS, TOKENS, TOKENS)
def test_cost_is_exact_nonnegative_and_monotone(inp, out, cached, prompt, completion, hit):
    m = model(inp, out, cached)
    usage = Usage.of(prompt, completion, cached=min(hit, prompt))
    cost = cost_of(usage, m)
    assert isinstance(cost, Decimal) and cost >= 0
    more = cost_of(Usage.of(prompt + 1, completion + 1, cached=min(hit, prompt)), m)
    assert more >= cost
    # Exact: the same sum done by hand, in integers of micro-units.
    cached_n = min(hit, prompt)
    expect = ((prompt - cached_n) * inp + cached_n * (cached if cached is not None else inp)
              + completion * out) / Decimal(1_000_000)
    assert cost == expect


@given(PRICE, PRICE, TOKENS, TOKENS, TOKENS, TOKENS)
def test_cost_is_additive_over_requests(inp, out, p1, c1, p2, c2):
    m = model(inp, out)
    both = cost_of(Usage.of(p1 + p2, c1 + c2), m)
    assert both == cost_of(Usage.of(p1, c1), m) + cost_of(Usage.of(p2, c2), m)


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4), st.integers(1, 4096), PRICE, PRICE,
       st.integers(0, 4096))
def test_actual_cost_never_exceeds_what_admission_reserved(texts, max_tokens, inp, out,
                                                           generated):
    m = model(inp, out)
    request = ChatRequest.model_validate({
        "model": "m", "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": t} for t in texts]})
    estimate = preflight_estimate(request, m)
    prompt = count_chat_tokens(request.messages, m.upstream_model).prompt_tokens
    # Any answer the provider may give within max_tokens costs at most the reservation.
    actual = cost_of(Usage.of(prompt, min(generated, estimate.max_output_tokens)), m)
    assert actual <= estimate.max_cost_usd


@settings(max_examples=150, deadline=None)
@given(TEXT, TEXT)
def test_token_counts_are_deterministic_and_grow_with_text(a, b):
    one = count_text_tokens(a, "gpt-4o-mini").prompt_tokens
    assert one == count_text_tokens(a, "gpt-4o-mini").prompt_tokens
    assert count_text_tokens(a + " " + b, "gpt-4o-mini").prompt_tokens >= one
    assert (one == 0) == (a == "")


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**20,
                   max_value=10**20))
def test_amounts_are_written_in_plain_decimal_form(value):
    text = number(value)
    assert "E" not in text.upper() and Decimal(text) == value
