"""Token counts: exact for OpenAI chat models, marked estimates elsewhere, offline always.

References are computed here with tiktoken directly (the cookbook method written out
independently), and two examples are pinned to the prompt_tokens the OpenAI API
reported in OpenAI's cookbook "How to count tokens with tiktoken".
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public
from pydantic import TypeAdapter

from llm_router.errors import ConfigError
from llm_router.schema import Message, Tool
from llm_router.tokens import (
    count_chat_tokens,
    count_text_tokens,
    encoding_name_for,
    ranks,
    use_vendored_encodings,
    vendored_dir,
    vendored_files,
)
from llm_router.tokens.encodings import get_encoding, load_encoding
from llm_router.tokens.ranks import RankFileError, parse_ranks, prebuilt_name, read_prebuilt


def msgs(raw: list[dict[str, Any]]) -> list[Message]:
    return TypeAdapter(list[Message]).validate_python(raw)


def tools_of(raw: list[dict[str, Any]]) -> list[Tool]:
    return TypeAdapter(list[Tool]).validate_python(raw)


def reference(raw: list[dict[str, Any]], encoding: str) -> int:
    """The cookbook's num_tokens_from_messages, for string-content messages."""
    enc = tiktoken.get_encoding(encoding)
    total = 3
    for message in raw:
        total += 3
        for key, value in message.items():
            total += len(enc.encode(value))
            if key == "name":
                total += 1
    return total


JARGON = [  # the cookbook's example; API counts recorded there: 129 (cl100k), 124 (o200k)
    {"role": "system", "content": "You are a helpful, pattern-following assistant that "
     "translates corporate jargon into plain English."},
    {"role": "system", "name": "example_user",
     "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant",
     "content": "Things working well together will increase revenue."},
    {"role": "system", "name": "example_user", "content": "Let's circle back when we have "
     "more bandwidth to touch base on opportunities for increased leverage."},
    {"role": "system", "name": "example_assistant",
     "content": "Let's talk later when we're less busy about how to do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the "
     "ocean for the client deliverable."},
]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string",
                             "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return",
                         "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
WEATHER_MESSAGES = [
    {"role": "system",
     "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]

FAMILIES = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3", "o4-mini", "gpt-4",
            "gpt-3.5-turbo"]


@pytest.mark.parametrize(("model", "api_count"), [
    ("gpt-3.5-turbo", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)])
def test_matches_prompt_tokens_the_api_reported(model: str, api_count: int) -> None:
    count = count_chat_tokens(msgs(JARGON), model)
    assert (count.prompt_tokens, count.exact) == (api_count, True)


@pytest.mark.parametrize(("model", "api_count"), [
    ("gpt-3.5-turbo", 105), ("gpt-4", 105), ("gpt-4o", 101), ("gpt-4o-mini", 101)])
def test_tool_definitions_match_what_the_api_reported(model: str, api_count: int) -> None:
    count = count_chat_tokens(msgs(WEATHER_MESSAGES), model, tools_of([WEATHER_TOOL]))
    assert (count.prompt_tokens, count.exact) == (api_count, True)


@pytest.mark.parametrize("model", FAMILIES)
def test_each_family_uses_its_own_encoding_and_the_cookbook_framing(model: str) -> None:
    expected_encoding = tiktoken.encoding_name_for_model(model)
    raw = [*JARGON, {"role": "assistant", "content": "Sure — ¿qué tal? 東京は晴れです。"}]
    count = count_chat_tokens(msgs(raw), model)
    assert count.encoding == expected_encoding
    assert count.exact is True
    assert count.prompt_tokens == reference(raw, expected_encoding)


@pytest.mark.parametrize("model", ["gpt-4o-2024-08-06", "openai/gpt-4o", "ft:gpt-4o-mini:acme::x1",
                                   "gpt-4-turbo", "gpt-4-0613", "o1-mini", "gpt-5-mini"])
def test_dated_prefixed_and_fine_tuned_names_resolve(model: str) -> None:
    assert encoding_name_for(model) == (tiktoken.encoding_name_for_model(
        model.rsplit("/", 1)[-1]), True)


def test_names_cost_their_tokens_plus_one() -> None:
    plain = count_chat_tokens(msgs([{"role": "user", "content": "hi"}]), "gpt-4o")
    named = count_chat_tokens(msgs([{"role": "user", "content": "hi", "name": "alice"}]),
                              "gpt-4o")
    alice = len(tiktoken.get_encoding("o200k_base").encode("alice"))
    assert named.prompt_tokens - plain.prompt_tokens == alice + 1


def test_one_text_part_counts_like_a_string() -> None:
    as_str = count_chat_tokens(msgs([{"role": "user", "content": "Where is my order?"}]), "gpt-4o")
    as_part = count_chat_tokens(
        msgs([{"role": "user", "content": [{"type": "text", "text": "Where is my order?"}]}]),
        "gpt-4o")
    assert as_part == as_str


def test_several_parts_and_images_are_estimates() -> None:
    parts = [{"type": "text", "text": "Compare "}, {"type": "text", "text": "these two:"}]
    two = count_chat_tokens(msgs([{"role": "user", "content": parts}]), "gpt-4o")
    enc = tiktoken.get_encoding("o200k_base")
    assert two.prompt_tokens == 3 + 1 + len(enc.encode("Compare ")) + len(
        enc.encode("these two:")) + 3
    assert two.exact is False
    image = [{"type": "text", "text": "What is this?"},
             {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}]
    with_image = count_chat_tokens(msgs([{"role": "user", "content": image}]), "gpt-4o")
    assert with_image.exact is False
    assert with_image.prompt_tokens == 3 + 1 + len(enc.encode("What is this?")) + 85 + 3


def test_assistant_tool_calls_and_tool_results_are_estimates() -> None:
    raw = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": "get_current_weather", "arguments": '{"location": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 18}'},
    ]
    enc = tiktoken.get_encoding("o200k_base")

    def n(text: str) -> int:
        return len(enc.encode(text))

    expected = (3 + n("user") + n("Weather in Paris?")
                + 3 + n("assistant") + 3 + n("get_current_weather") + n('{"location": "Paris"}')
                + 3 + n("tool") + n('{"temp_c": 18}') + n("call_1") + 3)
    count = count_chat_tokens(msgs(raw), "gpt-4o")
    assert (count.prompt_tokens, count.exact) == (expected, False)


def test_nested_tool_schemas_are_estimates() -> None:
    nested = json.loads(json.dumps(WEATHER_TOOL))
    nested["function"]["parameters"]["properties"]["when"] = {
        "type": "object", "description": "time window",
        "properties": {"from": {"type": "string"}}}
    count = count_chat_tokens(msgs(WEATHER_MESSAGES), "gpt-4o", tools_of([nested]))
    assert count.exact is False
    assert count.prompt_tokens > 101


def test_tools_on_unverified_families_are_estimates() -> None:
    for model in ("gpt-4.1", "o3"):
        count = count_chat_tokens(msgs(WEATHER_MESSAGES), model, tools_of([WEATHER_TOOL]))
        assert (count.prompt_tokens, count.exact) == (101, False)


@pytest.mark.parametrize(("model", "encoding"), [
    ("claude-sonnet-4-20250514", "o200k_base"), ("gemini-2.5-pro", "o200k_base"),
    ("mistral-small-latest", "o200k_base"), ("llama-3.3-70b-versatile", "cl100k_base"),
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "cl100k_base"), ("no-such-model", "o200k_base")])
def test_other_providers_get_a_marked_estimate(model: str, encoding: str) -> None:
    count = count_chat_tokens(msgs(WEATHER_MESSAGES), model)
    assert (count.encoding, count.exact) == (encoding, False)
    assert count.prompt_tokens == reference(WEATHER_MESSAGES, encoding)


def test_count_text_tokens_has_no_framing_and_treats_special_tokens_as_text() -> None:
    count = count_text_tokens("hello <|endoftext|> world", "gpt-4o")
    enc = tiktoken.get_encoding("o200k_base")
    assert count.prompt_tokens == len(enc.encode_ordinary("hello <|endoftext|> world"))
    assert count.prompt_tokens > 3


# --- vendored files and offline use ----------------------------------------------------


def _expected_from_tiktoken() -> dict[str, tuple[str, str]]:
    """name -> (url, sha256) as the installed tiktoken package declares them."""
    out = {}
    for name in ("cl100k_base", "o200k_base"):
        source = inspect.getsource(getattr(openai_public, name))
        url = re.search(r'"(https://[^"]+\.tiktoken)"', source)
        digest = re.search(r'expected_hash="([0-9a-f]{64})"', source)
        assert url and digest, f"tiktoken's {name} constructor changed shape"
        out[name] = (url.group(1), digest.group(1))
    return out


def test_vendored_files_match_tiktokens_expected_hashes() -> None:
    manifest = vendored_files()
    for name, (url, sha256) in _expected_from_tiktoken().items():
        cache_name = hashlib.sha1(url.encode()).hexdigest()
        blob = (vendored_dir() / cache_name).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == sha256
        assert (manifest[name].url, manifest[name].cache_name, manifest[name].sha256) == (
            url, cache_name, sha256)


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_vendored_encoding_is_tiktokens_own(name: str) -> None:
    """The router's reader of the vendored files builds the encoding tiktoken would."""
    spec = getattr(openai_public, name)()  # tiktoken's constructor, tiktoken's reader
    ours = load_encoding(name)
    assert ours.name == name
    assert ours._pat_str == spec["pat_str"]
    assert ours._special_tokens == spec["special_tokens"]
    assert ours._mergeable_ranks == spec["mergeable_ranks"]
    assert get_encoding(name) is get_encoding(name)  # loaded once per process


def test_tampered_vendored_file_is_refused(tmp_path: Path) -> None:
    for path in vendored_dir().iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    target = tmp_path / vendored_files()["cl100k_base"].cache_name
    target.write_bytes(target.read_bytes().replace(b" 0\n", b" 1\n", 1))
    with pytest.raises(ConfigError, match="does not match the sha256"):
        load_encoding("cl100k_base", tmp_path)


def test_rank_files_out_of_order_or_malformed(tmp_path: Path) -> None:
    """The positional fast path only for files in rank order; others keep their ranks."""
    assert parse_ranks(b"YQ== 0\nYg== 1\nYWI= 2\n", "x") == {b"a": 0, b"b": 1, b"ab": 2}
    assert parse_ranks(b"YQ== 1\nYg== 0\n", "x") == {b"a": 1, b"b": 0}
    assert parse_ranks(b"YQ== 0\nYg== 5\n", "x") == {b"a": 0, b"b": 5}
    with pytest.raises(RankFileError, match="not '<token> <rank>' lines"):
        parse_ranks(b"YQ== 0\nYg==\n", "x")


def _vendored_copy(tmp_path: Path) -> Path:
    for path in vendored_dir().iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_prebuilt_rank_table_builds_tiktokens_own_encoding(tmp_path: Path, name: str) -> None:
    """What the layer build writes (ranks.py run as a script) loads as the same encoding,
    and is what load_encoding reads when it is there."""
    directory = _vendored_copy(tmp_path)
    done = subprocess.run([sys.executable, str(Path(ranks.__file__)), str(directory)],
                          capture_output=True, text=True, check=True)
    entry = vendored_files(directory)[name]
    prebuilt = directory / prebuilt_name(entry.cache_name, entry.sha256)
    assert prebuilt.name in done.stdout
    spec = getattr(openai_public, name)()
    table = read_prebuilt(prebuilt)
    assert table is not None and table.to_dict() == spec["mergeable_ranks"]
    (directory / entry.cache_name).write_bytes(b"")  # so only the table can serve
    assert load_encoding(name, directory)._mergeable_ranks == spec["mergeable_ranks"]


def test_unreadable_prebuilt_table_falls_back_to_the_checked_text(tmp_path: Path) -> None:
    directory = _vendored_copy(tmp_path)
    entry = vendored_files(directory)["cl100k_base"]
    (directory / prebuilt_name(entry.cache_name, entry.sha256)).write_bytes(b"\x00garbage")
    assert load_encoding("cl100k_base", directory).n_vocab == 100277
    # A table under another file's name is never looked at: the text is parsed, and a
    # tampered text file is still refused.
    target = directory / entry.cache_name
    target.write_bytes(target.read_bytes().replace(b" 0\n", b" 1\n", 1))
    with pytest.raises(ConfigError, match="does not match the sha256"):
        load_encoding("cl100k_base", directory)


def test_layer_build_refuses_to_prebuild_from_a_tampered_file(tmp_path: Path) -> None:
    directory = _vendored_copy(tmp_path)
    target = directory / vendored_files(directory)["o200k_base"].cache_name
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(RankFileError, match="does not match the sha256"):
        ranks.write_prebuilt(directory)
    assert ranks.main([str(directory)]) == 1


def test_use_vendored_encodings_keeps_a_dir_the_caller_chose() -> None:
    env = {"TIKTOKEN_CACHE_DIR": "/opt/mine"}
    assert use_vendored_encodings(env) == "/opt/mine"
    env = {}
    assert use_vendored_encodings(env) == str(vendored_dir()) == env["TIKTOKEN_CACHE_DIR"]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_offline(tmp_path: Path, argv: list[str],
                **extra_env: str) -> subprocess.CompletedProcess[str]:
    proxy = f"http://127.0.0.1:{_dead_port()}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    # An empty TMPDIR hides any tiktoken cache a previous download left in /tmp.
    env.update(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy,
               NO_PROXY="", no_proxy="", TMPDIR=str(tmp_path), **extra_env)
    line = json.dumps({"messages": JARGON}) + "\n"
    return subprocess.run([sys.executable, *argv], input=line * 2, capture_output=True,
                          text=True, env=env, timeout=60)


TOKENS = ["-m", "llm_router_local.cli", "tokens", "--model", "gpt-4o"]


@pytest.mark.parametrize("cache_dir", [None, "empty-cache"])
def test_tokens_command_works_with_the_network_dead(tmp_path: Path,
                                                    cache_dir: str | None) -> None:
    """The vendored encodings are read from the package, whatever tiktoken's cache
    directory holds (an empty one included)."""
    extra = {}
    if cache_dir:
        (tmp_path / cache_dir).mkdir()
        extra["TIKTOKEN_CACHE_DIR"] = str(tmp_path / cache_dir)
    done = _run_offline(tmp_path, TOKENS, **extra)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    assert rows == [{"prompt_tokens": 124, "encoding": "o200k_base", "exact": True}] * 2


def test_the_dead_network_really_is_dead(tmp_path: Path) -> None:
    """Control: tiktoken itself, with an empty cache dir, must download, and that fails."""
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    done = _run_offline(tmp_path, ["-c", "import tiktoken; tiktoken.get_encoding('o200k_base')"],
                        TIKTOKEN_CACHE_DIR=str(empty))
    assert done.returncode != 0
    assert not done.stdout
    assert re.search(r"ProxyError|ConnectionError|Connection refused|Max retries", done.stderr)
