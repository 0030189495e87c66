import json

import pytest

from llm_router.catalog import LimitsConfig
from llm_router.errors import InvalidRequestError, RequestTooLargeError
from llm_router.request_body import parse_chat_request, requested_model

LIMITS = LimitsConfig(max_messages=3)


def parse(body: object, limit: int = 10_000):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_chat_request(raw, LIMITS, limit)


def test_full_openai_request_parses() -> None:
    req = parse({
        "model": "m",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "what is in"},
                                         {"type": "image_url", "image_url": {"url": "data:x"}}]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function",
                 "function": {"name": "lookup", "arguments": "{\"id\": 1}"}}]},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {}}}],
        "max_completion_tokens": 50,
        "store": True,  # unknown to us: kept for OpenAI-compatible upstreams
    })
    assert req.output_limit == 50
    assert req.passthrough() == {"store": True}


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        (b"{", None, "invalid_json"),
        (b"   ", None, "invalid_json"),
        (b"\xff\xfe", None, "invalid_json"),
        (b"[]", None, "invalid_json"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model", "missing_required_parameter"),
        ({"model": "m", "messages": []}, "messages", "invalid_value"),
        ({"model": "m", "messages": [{"role": "user"}]}, "messages.0.content",
         "missing_required_parameter"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3},
         "temperature", "invalid_value"),
        ({"model": "m", "messages": [{"role": "assistant"}]}, "messages.0", "invalid_value"),
        ({"model": "m", "messages": [{"role": "tool", "content": "x"}]},
         "messages.0.tool_call_id", "missing_required_parameter"),
    ],
)
def test_errors_name_the_parameter(body: object, param: str | None, code: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse(body)
    assert info.value.status == 400
    assert info.value.code == code
    assert info.value.param == param


def test_unknown_role_message() -> None:
    with pytest.raises(InvalidRequestError, match="role"):
        parse({"model": "m", "messages": [{"role": "wizard", "content": "x"}]})


def test_too_many_messages_and_too_large() -> None:
    msgs = [{"role": "user", "content": "x"}] * 4
    with pytest.raises(InvalidRequestError, match="limit is 3"):
        parse({"model": "m", "messages": msgs})
    with pytest.raises(RequestTooLargeError) as info:
        parse({"model": "m", "messages": [{"role": "user", "content": "x" * 100}]}, limit=50)
    assert info.value.status == 413


def test_requested_model_survives_a_bad_body() -> None:
    assert requested_model(b'{"model": "gpt-4o", "messages": 3}') == "gpt-4o"
    assert requested_model(b"{oops") == ""
    assert requested_model(b"[1]") == ""


USER = [{"role": "user", "content": "x"}]


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("max_tokens", 10**30, "max_tokens"),  # session 11: was accepted and sent upstream
        ("max_tokens", 1_000_001, "max_tokens"),
        ("max_tokens", 0, "max_tokens"),
        ("max_tokens", -5, "max_tokens"),
        ("max_completion_tokens", 10**39, "max_completion_tokens"),
        ("max_completion_tokens", 0, "max_completion_tokens"),
        ("n", 2, "n"),
        ("n", 0, "n"),
        ("temperature", -0.1, "temperature"),
        ("temperature", 2.5, "temperature"),
        ("top_p", 1.01, "top_p"),
        ("presence_penalty", -2.01, "presence_penalty"),
        ("frequency_penalty", 7, "frequency_penalty"),
        ("seed", 2**63, "seed"),
        ("seed", -(2**63) - 1, "seed"),
        ("logit_bias", {"50256": 101}, "logit_bias.50256"),
        ("logit_bias", {"50256": -1000}, "logit_bias.50256"),
        ("logit_bias", {"not-a-token": 1}, "logit_bias.not-a-token"),
        ("logit_bias", {"1": 1.5}, "logit_bias.1"),
        ("top_logprobs", 21, "top_logprobs"),
        ("top_logprobs", -1, "top_logprobs"),
        ("metadata", {f"k{i}": "v" for i in range(17)}, "metadata"),
        ("metadata", {"k" * 65: "v"}, "metadata." + "k" * 65),
        ("metadata", {"k": "v" * 513}, "metadata.k"),
        ("stop", ["a", "b", "c", "d", "e"], "stop"),
        ("tools", [{"type": "function", "function": {"name": f"f{i}"}} for i in range(129)],
         "tools"),
    ],
)
def test_out_of_range_values_are_400_naming_the_parameter(field: str, value: object,
                                                          param: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse({"model": "m", "messages": USER, field: value})
    assert (info.value.status, info.value.type) == (400, "invalid_request_error")
    assert info.value.param == param
    assert info.value.code == "invalid_value"
    assert set(info.value.to_body()["error"]) == {"message", "type", "param", "code"}


def test_top_logprobs_needs_logprobs() -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse({"model": "m", "messages": USER, "top_logprobs": 3})
    assert info.value.param == "top_logprobs" and "logprobs" in info.value.message
    assert parse({"model": "m", "messages": USER, "logprobs": True,
                  "top_logprobs": 3}).top_logprobs == 3


def test_values_at_the_documented_bounds_parse() -> None:
    req = parse({"model": "m", "messages": USER, "max_tokens": 1_000_000,
                 "max_completion_tokens": 1, "temperature": 2, "top_p": 0,
                 "presence_penalty": -2, "frequency_penalty": 2, "seed": 2**63 - 1,
                 "logit_bias": {"0": -100, "4294967295": 100}, "logprobs": True,
                 "top_logprobs": 20, "metadata": {f"k{i}": "v" * 512 for i in range(16)},
                 "stop": ["a", "b", "c", "d"]})
    assert req.max_tokens == 1_000_000 and req.seed == 2**63 - 1
    assert req.logit_bias == {"0": -100, "4294967295": 100}
    assert parse({"model": "m", "messages": USER, "seed": -(2**63)}).seed == -(2**63)
