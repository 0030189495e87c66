"""Cache keys: what makes two requests the same question (pure; no I/O).

The exact key hashes the tenant and every request field that can change the answer
(messages, model or routing constraints, temperature, tools, response format, unknown
passthrough fields), with message text normalised (Unicode NFKC, whitespace collapsed).
The context hashes the same things *minus the last user turn*: two requests may share
a semantic answer only when their contexts are equal (same tenant, same system prompt,
same earlier turns, same model and sampling), and their last user turns are similar.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

import regex

from llm_router.schema import ChatRequest, UserMessage

# Fields that never change the answer: transport, attribution, and the cache switch.
_NOT_ANSWER_CHANGING = frozenset({"stream", "stream_options", "user", "cache"})
_SPACE = regex.compile(r"[\s\x1c-\x1f]+")  # exactly what re's \s matches
_LAST_TURN = "<last-user-turn>"


def normalize_text(text: str) -> str:
    """NFKC, whitespace collapsed and trimmed. Case is kept: it can change an answer."""
    # concurrent: the scan releases the GIL (a 1 MB message is keyed in a worker thread)
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text), concurrent=True).strip()


def last_user_index(request: ChatRequest) -> int | None:
    for i in range(len(request.messages) - 1, -1, -1):
        if isinstance(request.messages[i], UserMessage):
            return i
    return None


def exact_key(tenant_id: str, request: ChatRequest) -> str:
    """Made once per request (the lookup and the store both ask; it reads every byte)."""
    memo = f"exact_key:{tenant_id}:{id(request.messages)}"
    if memo not in request.memo:
        request.memo[memo] = _digest(tenant_id, _answer_fields(request, mask_last_user=False))
    return str(request.memo[memo])


def context_key(tenant_id: str, request: ChatRequest) -> str:
    """Everything but the last user turn; equal contexts make a semantic match possible."""
    return _digest(tenant_id, _answer_fields(request, mask_last_user=True))


def _answer_fields(request: ChatRequest, *, mask_last_user: bool) -> dict[str, Any]:
    data = request.model_dump(mode="json", exclude_none=True, exclude=set(_NOT_ANSWER_CHANGING))
    masked = last_user_index(request) if mask_last_user else None
    data["messages"] = [
        _LAST_TURN if i == masked else _normalize_message(m)
        for i, m in enumerate(data["messages"])
    ]
    return data


def _normalize_message(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": normalize_text(content)}
    if isinstance(content, list):
        parts = [
            {**p, "text": normalize_text(p["text"])} if p.get("type") == "text" else p
            for p in content
        ]
        return {**message, "content": parts}
    return message


def _digest(tenant_id: str, fields: dict[str, Any]) -> str:
    blob = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = hashlib.sha256()
    h.update(tenant_id.encode())
    h.update(b"\x00")
    h.update(blob.encode())
    return h.hexdigest()
