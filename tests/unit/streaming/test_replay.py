import json

import anyio

from llm_router.schema import ChatCompletion, ChatRequest
from llm_router.streaming.accumulator import Accumulator
from llm_router.streaming.replay import ReplayRelay, replay_chunks
from llm_router.streaming.sse import SseDecoder

COMPLETION = ChatCompletion.model_validate({
    "id": "chatcmpl-1", "created": 1700000000, "model": "small-model",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "Your order ships  today.\nTracking follows.",
        "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "track", "arguments": "{\"id\": 12}"}}]}}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21},
})


def test_replayed_chunks_fold_back_into_the_same_answer() -> None:
    acc = Accumulator()
    chunks = list(replay_chunks(COMPLETION))
    for chunk in chunks:
        acc.add(chunk)
    folded = acc.completion(COMPLETION.usage)
    assert folded.choices[0].message == COMPLETION.choices[0].message
    assert folded.choices[0].finish_reason == "tool_calls"
    assert len(chunks) > 5  # word-sized pieces, not one blob
    assert {c["model"] for c in chunks} == {"small-model"}


def test_body_ends_with_usage_when_asked_then_done() -> None:
    request = ChatRequest.model_validate({
        "model": "small-model", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "where is my order?"}]})

    async def collect() -> list[bytes]:
        return [part async for part in ReplayRelay(COMPLETION, request).body()]

    raw = b"".join(anyio.run(collect)).decode()
    assert raw.rstrip().endswith("data: [DONE]")
    decoder = SseDecoder()
    events = [e for line in raw.splitlines() if (e := decoder.feed(line)) is not None]
    payloads = [json.loads(e.data) for e in events if e.data != "[DONE]"]
    assert payloads[-1]["choices"] == [] and payloads[-1]["usage"]["prompt_tokens"] == 9
    assert all(p["usage"] is None for p in payloads[:-1])
