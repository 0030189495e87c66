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
