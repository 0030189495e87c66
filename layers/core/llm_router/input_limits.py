"""Every limit on what a client may send, checked before any work is done. Pure.

  body size        counted while the body is read (chunked bodies too)    413
  body time        all of it within ``limits.body_timeout_s``             408
  JSON             well-formed, standard (no NaN / Infinity)              400
  nesting depth    at most MAX_JSON_DEPTH levels of objects and arrays    400
  numbers          at most MAX_NUMBER_CHARS characters, finite            400
  Unicode          no lone surrogates (they cannot be encoded as UTF-8)   400
  model names      MAX_MODEL_CHARS, letters, digits and ``._:/@+-``       400
  messages         at most ``limits.max_messages``                        400
  field types      strict, as OpenAI's: ``"stream": "yes"`` is an error   400 (schema)

Each refusal is an OpenAI-shaped error naming the ``param`` it is about (``None`` only
where a body is not JSON at all). Field types are enforced by validating the request
model strictly (``llm_router.request_body``).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import AsyncIterator
from typing import Any

import regex

from llm_router.errors import InvalidRequestError, RequestTimeoutError, RequestTooLargeError

MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 40
MAX_MODEL_CHARS = 256
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+\-]*")
# The regex module: it lets go of the interpreter lock while it scans a 1 MB prompt
# (llm_router.textscan); ASCII text, nearly all of it, is passed by str.isascii first.
_SURROGATE = regex.compile("[\ud800-\udfff]")


async def read_body(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes:
    """The whole body, or a 413 as soon as more than ``max_bytes`` have arrived (a
    declared Content-Length is not trusted, and a chunked body has none)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise too_large(f"more than {max_bytes}", max_bytes)
        parts.append(chunk)
    return b"".join(parts)


async def read_body_within(chunks: AsyncIterator[bytes], max_bytes: int,
                           timeout_s: float) -> bytes:
    """``read_body``, refused (408) when the body is not all there ``timeout_s`` after
    this call. One loop timer, cancelled when the body is in: about 2 us, where a cancel
    scope (``anyio.fail_after``, ``asyncio.timeout``) cost 10-30 us on every chat request
    (timeit, under load)."""
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(timeout_s, expire)
    try:
        return await read_body(chunks, max_bytes)
    except asyncio.CancelledError:
        if expired and task.uncancel() == 0:  # ours alone: not a hang-up or a shutdown
            raise RequestTimeoutError(
                f"The request body did not arrive within {timeout_s:g} s.") from None
        raise
    finally:
        timer.cancel()


def too_large(size: str, max_bytes: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"The request body is {size} bytes; this router accepts at most {max_bytes} bytes.")


def load_json(raw: bytes) -> Any:
    """Standard JSON within the limits on depth, numbers and Unicode."""
    if not raw.strip():
        raise InvalidRequestError("The request body is empty; send a JSON object.",
                                  code="invalid_json")
    try:
        data = _loads(raw)
    except RecursionError as exc:
        raise _too_deep(None) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequestError(
            f"We could not parse the JSON body of your request ({exc}). "
            "Send a JSON object with 'model' and 'messages'.",
            code="invalid_json",
        ) from exc
    check_tree(data)
    return data


def check_tree(data: Any) -> None:
    """Depth, numbers and Unicode of every value. A tree within the limits (nearly every
    request) is passed by ``_within`` without the paths an error names; anything else
    is walked again by ``_walk``, which raises the first problem with its path."""
    if not _within(data, 0):
        _walk(data)


def _within(value: Any, depth: int) -> bool:
    """Whether ``_walk`` passes ``value`` at ``depth`` (2.5 -> 0.8 us for a short chat
    request, timeit). Recursive: a container at MAX_JSON_DEPTH is refused before its
    items are entered, so it never goes deeper than that."""
    if type(value) is str:  # not _Rejected, a subclass of str
        return value.isascii() or not _SURROGATE.search(value, concurrent=True)
    if isinstance(value, dict):
        if depth >= MAX_JSON_DEPTH:
            return False
        for key, item in value.items():
            if not key.isascii() and _SURROGATE.search(key, concurrent=True):
                return False
            if not _within(item, depth + 1):
                return False
        return True
    if isinstance(value, list):
        if depth >= MAX_JSON_DEPTH:
            return False
        for item in value:  # noqa: SIM110 (a loop: all() would add a generator per list)
            if not _within(item, depth + 1):
                return False
        return True
    return not isinstance(value, _Rejected)


def _walk(data: Any) -> None:
    """Depth and Unicode of every value, without recursion (so any depth is safe)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Rejected):
            raise _number_error(value, path)
        if isinstance(value, str):
            _check_text(value, path)
            continue
        if not isinstance(value, dict | list):
            continue
        if len(path) >= MAX_JSON_DEPTH:
            raise _too_deep(path)
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path)
                stack.append((item, (*path, key)))
        else:
            stack.extend((item, (*path, i)) for i, item in enumerate(value))


def check_model_name(value: str, param: str) -> None:
    if len(value) > MAX_MODEL_CHARS:
        raise InvalidRequestError(
            f"'{param}' is {len(value)} characters long; model names have at most "
            f"{MAX_MODEL_CHARS}.", param=param, code="invalid_value")
    if not MODEL_NAME.fullmatch(value):
        raise InvalidRequestError(
            f"'{param}' is not a model name: use letters, digits and . _ : / @ + - "
            "(GET /v1/models lists them).", param=param, code="invalid_value")


def check_message_count(count: int, max_messages: int) -> None:
    if count > max_messages:
        raise InvalidRequestError(
            f"messages has {count} entries; the limit is {max_messages}.",
            param="messages", code="invalid_value")


def param_path(path: tuple[str | int, ...]) -> str | None:
    return ".".join(str(p) for p in path) or None


def _check_text(text: str, path: tuple[str | int, ...]) -> None:
    if not text.isascii() and _SURROGATE.search(text, concurrent=True):
        raise InvalidRequestError(
            "The request contains a lone UTF-16 surrogate (such as \\ud800), which is not "
            "valid Unicode. Send well-formed text.",
            param=param_path(path), code="invalid_unicode")


def _too_deep(path: tuple[str | int, ...] | None) -> InvalidRequestError:
    return InvalidRequestError(
        f"The request's JSON is nested more than {MAX_JSON_DEPTH} levels deep.",
        param=param_path(path) if path else None, code="invalid_json")


class _Rejected(str):
    """A number outside the limits, kept as text until the walk knows its path."""


def _number_error(text: str, path: tuple[str | int, ...]) -> InvalidRequestError:
    shown = text if len(text) <= MAX_NUMBER_CHARS else text[:20] + "..."
    return InvalidRequestError(
        f"The number {shown} is not accepted: numbers have at most {MAX_NUMBER_CHARS} "
        "characters and must be finite.", param=param_path(path), code="invalid_number")


def _parse_int(text: str) -> int | _Rejected:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else _Rejected(text)


def _parse_float(text: str) -> float | _Rejected:
    if len(text) > MAX_NUMBER_CHARS:
        return _Rejected(text)
    value = float(text)
    return value if math.isfinite(value) else _Rejected(text)


def _parse_constant(text: str) -> _Rejected:
    return _Rejected(text)  # NaN, Infinity, -Infinity: not JSON


# json.loads with hooks builds a decoder (and its C scanner) on every call: a few us of
# every request's parse. One decoder serves all (json's own default one is shared too).
_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float,
                            parse_constant=_parse_constant)


def _loads(raw: bytes) -> Any:
    """``json.loads(raw, parse_int=..., parse_float=..., parse_constant=...)``: bytes
    decoded as json.loads decodes them (UTF-8, -16 or -32 by their first bytes)."""
    return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
