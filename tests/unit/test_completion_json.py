"""The chat completion's response body: written by pydantic (api/app.py), it must be the
JSON that ``JSONResponse(completion.model_dump(mode="json"))`` wrote before."""

from __future__ import annotations

import json

import pytest
from starlette.responses import JSONResponse

from llm_router.schema import ChatCompletion

USAGE = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
CASES = [
    {"choices": [{"index": 0, "finish_reason": "stop",
                  "message": {"role": "assistant", "content": "Sure, here is the answer."}}]},
    {"choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "Grüße, 你好 \u2028 \"quoted\" \\ back \n new 🎉"}}]},
    {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "function": {
            "name": "lookup", "arguments": "{\"city\": \"Zürich\"}"}}]}}],
     "system_fingerprint": "fp_1"},
    {"choices": [{"index": 1, "finish_reason": "length", "logprobs": {"content": [
        {"token": "a", "logprob": -0.25, "top": [1, 2**70, None, True]}]},
        "message": {"role": "assistant", "content": ""}}], "usage": None},
]


@pytest.mark.parametrize("extra", CASES)
def test_pydantic_json_is_the_json_response_body(extra):
    completion = ChatCompletion.model_validate(
        {"id": "chatcmpl-1", "created": 1, "model": "m", "usage": USAGE, **extra})
    before = JSONResponse(completion.model_dump(mode="json")).body
    after = completion.model_dump_json().encode()
    assert after == before
    assert json.loads(after) == json.loads(before)
