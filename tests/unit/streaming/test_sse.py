from __future__ import annotations

import json

from llm_router.streaming.sse import SseDecoder, SseEvent, encode_comment, encode_data

from .conftest import events_of


def test_events_end_at_blank_lines_with_event_names_and_joined_data() -> None:
    text = "event: a\ndata: one\ndata: two\n\n: a comment\ndata:x\n\nid: 7\nretry: 10\n\n"
    assert events_of(text) == [SseEvent("one\ntwo", "a"), SseEvent("x")]


def test_crlf_lines_and_a_missing_final_blank_line() -> None:
    decoder = SseDecoder()
    assert decoder.feed("data: {}\r\n") is None
    assert decoder.flush() == SseEvent("{}")
    assert decoder.flush() is None


def test_event_name_does_not_leak_into_the_next_event() -> None:
    decoder = SseDecoder()
    decoder.feed("event: lonely")
    assert decoder.feed("") is None
    decoder.feed("data: 1")
    assert decoder.feed("") == SseEvent("1", None)


def test_encoding_round_trips_through_the_decoder() -> None:
    payload = {"text": "line\nbreak", "n": 1}
    frame = encode_data(payload)
    assert frame.endswith(b"\n\n")
    (event,) = events_of(frame.decode())
    assert json.loads(event.data) == payload
    assert events_of(encode_comment("cost=1\nx").decode()) == []
