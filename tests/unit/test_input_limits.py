"""Every input limit is a 400 (413 for size) in OpenAI's shape naming its param; no
input, however odd, gets anything else out of the parser."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_router import input_limits
from llm_router.catalog import LimitsConfig
from llm_router.errors import InvalidRequestError, RequestTimeoutError, RequestTooLargeError
from llm_router.input_limits import MAX_JSON_DEPTH, read_body, read_body_within
from llm_router.request_body import parse_chat_request, requested_model

LIMITS = LimitsConfig(max_messages=5)
USER = [{"role": "user", "content": "hi"}]


def parse(raw: bytes | dict, limit: int = 100_000):
    data = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    return parse_chat_request(data, LIMITS, limit)


def refusal(raw: bytes | dict) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as info:
        parse(raw)
    body = info.value.to_body()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    assert info.value.status == 400 and body["type"] == "invalid_request_error"
    return info.value


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("raw", "param", "code"),
    [
        # nesting: inside a field, and deeper than the parser's own recursion limit
        (('{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":'
          + nested(MAX_JSON_DEPTH) + "}").encode(), "response_format" + ".a" * 63,
         "invalid_json"),
        (b"[" * 40_000 + b"]" * 40_000, None, "invalid_json"),
        # numbers: too many digits, not finite, not JSON
        (b'{"model":"m","messages":[],"seed":' + b"9" * 5000 + b"}", "seed", "invalid_number"),
        (b'{"model":"m","messages":[],"temperature":1e999}', "temperature", "invalid_number"),
        (b'{"model":"m","messages":[],"temperature":NaN}', "temperature", "invalid_number"),
        # Unicode: a lone surrogate anywhere, values and keys
        (b'{"model":"m","messages":[{"role":"user","content":"x"}],"user":"\\ud800"}',
         "user", "invalid_unicode"),
        (b'{"model":"m","messages":[{"role":"user","content":"a\\udfffb"}]}',
         "messages.0.content", "invalid_unicode"),
        # strict types, as OpenAI's
        ({"model": "m", "messages": USER, "stream": "yes"}, "stream", "invalid_value"),
        ({"model": "m", "messages": USER, "max_tokens": 10.0}, "max_tokens", "invalid_value"),
        ({"model": "m", "messages": USER, "max_tokens": "10"}, "max_tokens", "invalid_value"),
        ({"model": 7, "messages": USER}, "model", "invalid_value"),
        # model names
        ({"model": "m" * 600_00, "messages": USER}, "model", "invalid_value"),
        ({"model": "gpt 4o", "messages": USER}, "model", "invalid_value"),
        ({"model": "m", "messages": USER, "allowed_models": ["ok", "no\nway"]},
         "allowed_models.1", "invalid_value"),
        # message count
        ({"model": "m", "messages": USER * 6}, "messages", "invalid_value"),
    ],
)
def test_each_limit_is_a_400_naming_its_param(raw, param, code) -> None:
    error = refusal(raw)
    assert (error.param, error.code) == (param, code), error.message


def test_model_names_of_real_providers_pass() -> None:
    for name in ("gpt-4o-2024-08-06", "anthropic/claude-3.5-sonnet", "models/gemini-1.5-pro",
                 "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "llama3.1:8b", "auto"):
        assert parse({"model": name, "messages": USER}).model == name


def test_a_body_over_the_limit_is_refused_while_it_is_read() -> None:
    received: list[int] = []

    async def chunks():
        for i in range(1000):
            received.append(i)
            yield b"x" * 1000

    async def go() -> None:
        await read_body(chunks(), 10_000)

    with pytest.raises(RequestTooLargeError):
        anyio.run(go)
    assert len(received) == 11  # stopped at the first chunk past the limit


def test_requested_model_of_any_body_is_storable() -> None:
    assert requested_model(b"[" * 100_000) == ""
    assert requested_model(b'{"model":"\\ud800x"}') == "?x"
    assert len(requested_model(json.dumps({"model": "m" * 5000}).encode())) == 256


# --- properties -------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["model", "messages", "stream", "max_tokens", "temperature", "user",
                          "tools", "stop", "n", "seed", "response_format", "cache",
                          "allowed_models", "optimize_for", "max_cost_usd"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(FIELDS, JSON, max_size=6))
def test_any_json_object_parses_or_is_a_400(data: dict) -> None:
    raw = json.dumps(data).encode()
    try:
        parse(raw)
    except InvalidRequestError as exc:
        assert exc.status in (400, 413) and exc.to_body()["error"]["message"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_a_400(raw: bytes) -> None:
    try:
        parse(raw)
    except InvalidRequestError as exc:
        assert exc.status in (400, 413)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=50), st.integers(min_value=1, max_value=4096))
def test_well_formed_requests_parse_and_keep_their_text(text: str, max_tokens: int) -> None:
    clean = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    req = parse({"model": "m", "messages": [{"role": "user", "content": clean}],
                 "max_tokens": max_tokens})
    assert req.messages[0].content == clean and req.max_tokens == max_tokens


def _json_loads_with_hooks(raw: bytes) -> object:
    return json.loads(raw, parse_int=input_limits._parse_int,
                      parse_float=input_limits._parse_float,
                      parse_constant=input_limits._parse_constant)


def _outcome(load, raw: bytes) -> object:
    try:
        return ("value", repr(load(raw)))
    except Exception as exc:  # the same error, type and text
        return ("error", type(exc), str(exc))


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                 lambda kids: st.lists(kids) | st.dictionaries(st.text(), kids),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"\xef\xbb\xbf{}", '{"a": "\u00e9"}'.encode("utf-16"),
                     '[1]'.encode("utf-32-le"), b'["\\ud800"]', b"[1e400, NaN, -Infinity]",
                     b"1" * 50, b"{", b"\xff"])))
def test_the_shared_decoder_reads_bytes_as_json_loads_with_the_hooks(raw: bytes) -> None:
    """``input_limits._loads`` (one decoder for every body) gives what json.loads with
    the same hooks gave, value or error."""
    assert _outcome(input_limits._loads, raw) == _outcome(_json_loads_with_hooks, raw)


# Trees as the request parse leaves them: lone surrogates (from \ud800 escapes, in values
# and keys), numbers refused by the parse (input_limits._Rejected), and nesting around
# MAX_JSON_DEPTH.
TEXTS = st.text(max_size=6) | st.sampled_from(["\ud800", "a\udfffb", "é", "\U0001f600"])
TREE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXTS
    | st.sampled_from(["1" * 41, "NaN", "1e999"]).map(input_limits._Rejected),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=12,
)


def nested(tree: object, depth: int) -> object:
    for i in range(depth):
        tree = [tree] if i % 2 else {"k": tree}
    return tree


@settings(max_examples=500, deadline=None)
@given(TREE, st.integers(min_value=0, max_value=MAX_JSON_DEPTH + 2))
def test_the_quick_pass_agrees_with_the_walk(tree: object, depth: int) -> None:
    data = nested(tree, depth)
    try:
        input_limits._walk(data)
    except InvalidRequestError:
        walked = False
    else:
        walked = True
    assert input_limits._within(data, 0) is walked


def test_the_walk_s_errors_still_name_their_path() -> None:
    for raw, code, param in ((b'{"messages": [{"content": "a\\ud800"}]}', "invalid_unicode",
                              "messages.0.content"),
                             (b'{"n": 1e999}', "invalid_number", "n"),
                             (b'{"a": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
                              "invalid_json", None)):
        with pytest.raises(InvalidRequestError) as info:
            input_limits.load_json(raw)
        assert info.value.to_body()["error"]["code"] == code
        if param is not None:
            assert info.value.to_body()["error"]["param"] == param


async def _stalling(first: bytes) -> AsyncIterator[bytes]:
    yield first
    await asyncio.sleep(3600)  # a client that declared more than it sends
    yield b"never"


def test_a_body_that_arrives_in_time_is_read_and_its_timer_cancelled() -> None:
    async def go() -> tuple[bytes, int]:
        async def whole() -> AsyncIterator[bytes]:
            yield b'{"a":'
            yield b"1}"

        body = await read_body_within(whole(), 100, 0.05)
        await asyncio.sleep(0.1)  # the timer, had it been left, would cancel this
        return body, asyncio.current_task().cancelling()  # type: ignore[union-attr]

    assert asyncio.run(go()) == (b'{"a":1}', 0)


def test_a_body_that_stops_arriving_is_a_408_and_leaves_the_task_uncancelled() -> None:
    async def go() -> int:
        started = asyncio.get_running_loop().time()
        with pytest.raises(RequestTimeoutError, match="within 0.05 s"):
            await read_body_within(_stalling(b"{"), 100, 0.05)
        assert asyncio.get_running_loop().time() - started < 5
        await asyncio.sleep(0)  # still runs: the cancellation was taken back
        return asyncio.current_task().cancelling()  # type: ignore[union-attr]

    assert asyncio.run(go()) == 0


def test_a_cancellation_not_its_own_goes_on_up() -> None:
    async def go() -> None:
        reader = asyncio.ensure_future(read_body_within(_stalling(b"{"), 100, 60))
        await asyncio.sleep(0.01)
        reader.cancel()  # a hang-up or a shutdown: not a 408
        with pytest.raises(asyncio.CancelledError):
            await reader

    asyncio.run(go())
