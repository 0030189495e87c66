"""Cost from reported usage, and the pre-flight maximum cost. Decimal, exact to 1e-9."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_router.catalog import ModelConfig, load_catalog
from llm_router.preflight import DEFAULT_OUTPUT_TOKENS, estimate_max_cost, preflight_estimate
from llm_router.pricing import cost_of
from llm_router.schema import ChatRequest, Usage
from llm_router.tokens import count_chat_tokens

NANO = Decimal("1e-9")



def model(**overrides: Any) -> ModelConfig:
    base: dict[str, Any] = {
        "name": "m", "provider": "p", "input_per_mtok": "3", "output_per_mtok": "15",
        "cached_input_per_mtok": "0.30", "cache_write_per_mtok": "3.75"}
    return ModelConfig(**{**base, **overrides})


def close(a: Decimal, b: str) -> bool:
    return isinstance(a, Decimal) and abs(a - Decimal(b)) < NANO


def test_plain_usage() -> None:
    m = model(name="gpt-4o-mini", input_per_mtok=0.15, output_per_mtok=0.60)
    # 1234 x 0.15 + 567 x 0.60 = 185.1 + 340.2 = 525.3 micro-dollars
    assert cost_of(Usage.of(1234, 567), m) == Decimal("0.0005253")


def test_cached_tokens_bill_at_the_cached_price() -> None:
    # 600 uncached x 3 + 400 cached x 0.30 + 100 out x 15 = 1800 + 120 + 1500
    assert close(cost_of(Usage.of(1000, 100, cached=400), model()), "0.00342")


def test_cached_without_a_cached_price_bills_at_input() -> None:
    m = model(cached_input_per_mtok=None)
    assert close(cost_of(Usage.of(1000, 0, cached=400), m), "0.003")


def test_cache_writes_bill_at_the_write_price() -> None:
    # 500 uncached x 3 + 200 cached x 0.3 + 300 written x 3.75 + 10 out x 15
    usage = Usage.of(1000, 10, cached=200, cache_write=300)
    assert close(cost_of(usage, model()), "0.0028350")


def test_reasoning_tokens_are_output_already_counted_once() -> None:
    with_reasoning = cost_of(Usage.of(100, 1000, reasoning=800), model())
    assert close(with_reasoning, "0.0153")  # 100 x 3 + 1000 x 15, reasoning not added again


def test_cost_never_drifts_like_float() -> None:
    m = model(input_per_mtok=0.1, output_per_mtok=0.2, cached_input_per_mtok=None)
    total = sum((cost_of(Usage.of(1, 1), m) for _ in range(1_000_000)), Decimal(0))
    assert total == Decimal("0.3")


def request(**fields: Any) -> ChatRequest:
    return ChatRequest.model_validate({
        "model": "auto", "messages": [{"role": "user", "content": "Where is my parcel?"}],
        **fields})


def test_max_cost_uses_the_request_limit() -> None:
    m = model(name="gpt-4o-mini", input_per_mtok=0.15, output_per_mtok=0.60,
              max_output_tokens=16384, context_window=128000)
    req = request(max_tokens=100)
    prompt = count_chat_tokens(req.messages, "gpt-4o-mini").prompt_tokens
    estimate = preflight_estimate(req, m)
    assert (estimate.prompt_tokens, estimate.max_output_tokens) == (prompt, 100)
    assert estimate.output_limit_source == "request" and estimate.exact
    expected = (prompt * Decimal("0.15") + 100 * Decimal("0.60")) / 1_000_000
    assert estimate_max_cost(req, m) == expected


def test_max_cost_clips_to_the_model_and_the_context() -> None:
    m = model(name="gpt-4o-mini", max_output_tokens=500, context_window=128000)
    assert preflight_estimate(request(max_completion_tokens=9000), m).max_output_tokens == 500
    small = model(name="gpt-4o-mini", context_window=1000)
    estimate = preflight_estimate(request(), small)
    assert estimate.output_limit_source == "context"
    assert estimate.max_output_tokens == 1000 - estimate.prompt_tokens


def test_max_cost_without_any_bound_uses_the_documented_default() -> None:
    estimate = preflight_estimate(request(), model())
    assert (estimate.max_output_tokens, estimate.output_limit_source) == (
        DEFAULT_OUTPUT_TOKENS, "default")


def test_max_cost_on_other_providers_is_marked_estimate() -> None:
    haiku = load_catalog(env={}).models["claude-3-5-haiku"]
    estimate = preflight_estimate(request(max_tokens=50), haiku)
    assert estimate.exact is False and estimate.encoding == "o200k_base"
    assert estimate.max_cost_usd == (
        estimate.prompt_tokens * Decimal("0.80") + 50 * Decimal("4.00")) / 1_000_000


def test_the_prompt_is_counted_once_per_encoding_not_per_model(monkeypatch) -> None:
    import llm_router.preflight as preflight

    calls: list[str] = []
    real = preflight.count_prompt

    def counting(messages: Any, encoding: str, tools: Any = None) -> Any:
        calls.append(encoding)
        return real(messages, encoding, tools)

    monkeypatch.setattr(preflight, "count_prompt", counting)
    req = request(tools=[{"type": "function", "function": {
        "name": "track", "description": "Track a parcel.", "parameters": {
            "type": "object", "properties": {"id": {"type": "string",
                                                    "description": "The parcel id"}}}}}])
    o200k = [model(name=n) for n in ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-3-5-haiku")]
    counts = [preflight.prompt_count(req, m) for m in o200k]
    cl100k = preflight.prompt_count(req, model(name="gpt-4"))
    assert calls == ["o200k_base", "cl100k_base"]  # four o200k models, one count
    assert len({c.prompt_tokens for c in counts}) == 1
    # Exactness is still the model's own: tools verified only on gpt-4o's family and gpt-4;
    # claude is an estimate with o200k.
    assert [c.exact for c in counts] == [True, True, False, False]
    assert cl100k.exact and cl100k.encoding == "cl100k_base"
    for m in [*o200k, model(name="gpt-4")]:
        assert preflight.prompt_count(req, m) == count_chat_tokens(req.messages, m.name,
                                                                   req.tools)
