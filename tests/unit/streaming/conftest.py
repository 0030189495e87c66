"""Recorded-shape provider streams (payloads/*.sse) decoded into events."""

from __future__ import annotations

from pathlib import Path

from llm_router.streaming.base import StreamTransform
from llm_router.streaming.chunks import Chunk
from llm_router.streaming.sse import SseDecoder, SseEvent

PAYLOADS = Path(__file__).parent / "payloads"


def events_of(text: str) -> list[SseEvent]:
    decoder = SseDecoder()
    events = [decoder.feed(line) for line in text.splitlines()]
    last = decoder.flush()
    return [e for e in [*events, last] if e is not None]


def payload_events(name: str) -> list[SseEvent]:
    return events_of((PAYLOADS / name).read_text())


def run(transform: StreamTransform, events: list[SseEvent]) -> list[Chunk]:
    return [chunk for event in events for chunk in transform.feed(event)]


def content(chunks: list[Chunk]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
