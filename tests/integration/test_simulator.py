"""The provider simulator over real HTTP: wire formats, auth, faults, stats, streaming."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from llm_router_local.simulator.text import count_tokens

pytestmark = pytest.mark.integration

QUESTION = "How do I reset the password for my billing account?"
OPENAI_AUTH = {"Authorization": "Bearer sim-key"}


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"  # own provider name: own faults and stats


def _openai(url: str, provider: str, headers=None, **body):
    payload = {"model": "sim-small", "messages": [{"role": "user", "content": QUESTION}], **body}
    return httpx.post(f"{url}/{provider}/v1/chat/completions", json=payload,
                      headers=OPENAI_AUTH if headers is None else headers, timeout=10)


def _anthropic(url: str, provider: str, headers=None, **body):
    payload = {"model": "sim-claude", "max_tokens": 400,
               "messages": [{"role": "user", "content": QUESTION}], **body}
    return httpx.post(f"{url}/{provider}/v1/messages", json=payload,
                      headers={"x-api-key": "sim-key"} if headers is None else headers,
                      timeout=10)


def _gemini(url: str, provider: str, method: str = "generateContent", headers=None, **body):
    payload = {"contents": [{"role": "user", "parts": [{"text": QUESTION}]}], **body}
    return httpx.post(f"{url}/{provider}/v1beta/models/sim-gemini:{method}", json=payload,
                      headers={"x-goog-api-key": "sim-key"} if headers is None else headers,
                      timeout=10)


def test_openai_format_answer_and_honest_usage(simulator):
    body = _openai(simulator.url, "openai").json()
    text = body["choices"][0]["message"]["content"]
    assert "sim-small" in text and body["model"] == "sim-small"
    assert body["usage"]["completion_tokens"] == count_tokens(text)
    assert body["usage"]["prompt_tokens"] == count_tokens(QUESTION)
    assert body["choices"][0]["finish_reason"] == "stop"
    again = _openai(simulator.url, "openai").json()["choices"][0]["message"]["content"]
    assert again == text  # deterministic


def test_longer_prompts_get_longer_answers(simulator):
    short = _openai(simulator.url, "openai").json()["usage"]["completion_tokens"]
    long_question = " ".join(["Please explain the refund policy for annual plans in detail."] * 8)
    long = _openai(simulator.url, "openai",
                   messages=[{"role": "user", "content": long_question}]).json()
    assert long["usage"]["completion_tokens"] > short


def test_anthropic_format(simulator):
    body = _anthropic(simulator.url, "anthropic").json()
    assert body["type"] == "message" and body["stop_reason"] == "end_turn"
    text = body["content"][0]["text"]
    assert "sim-claude" in text
    assert body["usage"]["output_tokens"] == count_tokens(text)


def test_anthropic_requires_max_tokens(simulator):
    response = _anthropic(simulator.url, "anthropic", max_tokens=None)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_gemini_format_reports_thoughts_for_thinking_models(simulator):
    url = f"{simulator.url}/gemini/v1beta/models/sim-thinking:generateContent"
    body = httpx.post(url, headers={"x-goog-api-key": "k"}, timeout=10, json={
        "contents": [{"role": "user", "parts": [{"text": QUESTION}]}]}).json()
    candidate = body["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert "sim-thinking" in candidate["content"]["parts"][0]["text"]
    assert body["usageMetadata"]["thoughtsTokenCount"] > 0


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        (lambda url: _openai(url, "p", headers={}),
         lambda body: body["error"]["code"] == "invalid_api_key"),
        (lambda url: _anthropic(url, "p", headers={}),
         lambda body: body["type"] == "error" and body["error"]["type"] == "authentication_error"),
        (lambda url: _gemini(url, "p", headers={}),
         lambda body: body["error"]["status"] == "UNAUTHENTICATED"),
    ],
)
def test_missing_key_is_401_in_the_providers_shape(simulator, call, shape):
    response = call(simulator.url)
    assert response.status_code == 401
    assert shape(response.json())


def test_tool_call_when_asked(simulator):
    tools = [{"type": "function", "function": {"name": "get_order", "parameters": {
        "type": "object", "properties": {"order_id": {"type": "string"}},
        "required": ["order_id"]}}}]
    body = _openai(simulator.url, "openai", tools=tools, messages=[
        {"role": "user", "content": "Please use get_order for order A123"}]).json()
    call = body["choices"][0]["message"]["tool_calls"][0]
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    assert call["function"]["name"] == "get_order"
    assert json.loads(call["function"]["arguments"]) == {"order_id": "A123"}


def test_max_tokens_truncates_with_length(simulator):
    body = _openai(simulator.url, "openai", max_tokens=5).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 5


def test_faults_count_then_clear_and_stats(simulator):
    provider = _name("faulty")
    armed = httpx.post(f"{simulator.url}/_sim/faults", timeout=5,
                       json={"provider": provider, "mode": "500", "count": 2})
    assert armed.status_code == 200
    statuses = [_openai(simulator.url, provider).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]

    httpx.post(f"{simulator.url}/_sim/faults", timeout=5,
               json={"provider": provider, "mode": "down", "count": -1})
    assert [_anthropic(simulator.url, provider).status_code for _ in range(3)] == [529] * 3
    httpx.delete(f"{simulator.url}/_sim/faults", timeout=5)
    assert _anthropic(simulator.url, provider).status_code == 200

    stats = httpx.get(f"{simulator.url}/_sim/stats", timeout=5).json()
    rows = {(r["model"], r["status"]): r["count"] for r in stats["requests"]
            if r["provider"] == provider}
    assert rows == {("sim-small", "500"): 2, ("sim-small", "200"): 1,
                    ("sim-claude", "529"): 3, ("sim-claude", "200"): 1}
    assert stats["providers"][provider] == 7


def test_bad_fault_spec_is_rejected(simulator):
    response = httpx.post(f"{simulator.url}/_sim/faults", timeout=5,
                          json={"provider": "x", "mode": "explode"})
    assert response.status_code == 422


def test_latency_override(simulator):
    provider = _name("slow")
    httpx.post(f"{simulator.url}/_sim/latency", json={"provider": provider, "ms": 300}, timeout=5)
    started = time.monotonic()
    assert _openai(simulator.url, provider).status_code == 200
    assert time.monotonic() - started >= 0.3


def _sse_data(response: httpx.Response) -> list[str]:
    return [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]


def test_openai_stream_matches_buffered_answer(simulator):
    buffered = _openai(simulator.url, "openai").json()
    streamed = _openai(simulator.url, "openai", stream=True,
                       stream_options={"include_usage": True})
    assert streamed.headers["content-type"].startswith("text/event-stream")
    data = _sse_data(streamed)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == buffered["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == buffered["usage"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"


def test_anthropic_stream_event_sequence(simulator):
    buffered = _anthropic(simulator.url, "anthropic").json()
    streamed = _anthropic(simulator.url, "anthropic", stream=True)
    events = [line[7:] for line in streamed.text.splitlines() if line.startswith("event: ")]
    assert events[:2] == ["message_start", "content_block_start"]
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(events[2:-3]) == {"content_block_delta"}
    payloads = [json.loads(d) for d in _sse_data(streamed)]
    text = "".join(p["delta"]["text"] for p in payloads if p["type"] == "content_block_delta")
    assert text == buffered["content"][0]["text"]
    assert payloads[-2]["usage"]["output_tokens"] == buffered["usage"]["output_tokens"]


def test_gemini_stream_with_alt_sse(simulator):
    buffered = _gemini(simulator.url, "gemini").json()
    streamed = httpx.post(
        f"{simulator.url}/gemini/v1beta/models/sim-gemini:streamGenerateContent?alt=sse",
        json={"contents": [{"role": "user", "parts": [{"text": QUESTION}]}]},
        headers={"x-goog-api-key": "sim-key"}, timeout=10,
    )
    chunks = [json.loads(d) for d in _sse_data(streamed)]
    assert len(chunks) > 1
    text = "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks)
    assert text == buffered["candidates"][0]["content"]["parts"][0]["text"]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[-1]["usageMetadata"] == buffered["usageMetadata"]
