"""llm_router.precompiled: what the layer build compiles is what the interpreter would have
compiled, the patches leave with the block, and a file for another interpreter is
ignored."""

from __future__ import annotations

import collections
import dataclasses
import json
import marshal
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from llm_router import precompiled
from llm_router.precompiled import Compilations, installed, patched, recording

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>[^/?#]*)", 0),
    ("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0),
    (r"""
        (\d+)   # amount
        \s*(usd|eur)
     """, re.IGNORECASE | re.VERBOSE),
    (rb"=([a-fA-F0-9]{2})", 0),
    (r"^\s*$", re.MULTILINE),
]


def _define(cls_name: str) -> type:
    """A frozen dataclass with a default and a factory, defined afresh each call."""
    namespace = {"__annotations__": {"name": "str", "count": "int", "tags": "list"},
                 "count": 0, "tags": dataclasses.field(default_factory=list),
                 "__module__": __name__}
    return dataclasses.dataclass(frozen=True)(type(cls_name, (), namespace))


def _code_parts(fn: typing.Any) -> tuple:
    code = fn.__code__
    return code.co_code, code.co_consts, code.co_names, code.co_varnames


def _roundtrip(compilations: Compilations, tmp_path: Path) -> Compilations:
    path = tmp_path / "cache.marshal"
    path.write_bytes(compilations.dumps())
    return Compilations.load(path)


def test_dataclass_methods_come_from_the_file_and_match_a_fresh_compile(
        tmp_path: Path) -> None:
    with recording() as recorded:
        _define("Point")
    assert recorded.misses >= 5 and recorded.hits == 0  # init, repr, eq, setattr, ...
    fresh = _define("Point")
    cached = _roundtrip(recorded, tmp_path)
    with patched(cached):
        served = _define("Point")
    assert cached.misses == 0 and cached.hits == recorded.misses
    for method in ("__init__", "__repr__", "__eq__", "__setattr__", "__hash__"):
        assert _code_parts(getattr(served, method)) == _code_parts(getattr(fresh, method))
    point = served("a", 2)
    assert point == served("a", 2) and point != served("b")
    assert repr(point) == "Point(name='a', count=2, tags=[])"
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.count = 3  # type: ignore[attr-defined]


def test_patterns_from_the_file_equal_what_re_compiles(tmp_path: Path) -> None:
    re.purge()
    with recording() as recorded:
        for pattern, flags in PATTERNS:
            re.compile(pattern, flags)
    assert len(recorded.patterns) == len(PATTERNS)
    cached = _roundtrip(recorded, tmp_path)
    re.purge()
    with patched(cached):
        served = [re.compile(pattern, flags) for pattern, flags in PATTERNS]
    assert cached.hits == len(PATTERNS) and cached.misses == 0
    re.purge()
    fresh = [re.compile(pattern, flags) for pattern, flags in PATTERNS]
    # Pattern equality compares the pattern, its flags and the engine code.
    assert served == fresh
    assert [p.groupindex for p in served] == [p.groupindex for p in fresh]
    match = served[0].match("https://example.com/x")
    assert match is not None and match["host"] == "example.com"
    assert served[2].findall("10 USD and 3eur") == [("10", "USD"), ("3", "eur")]


def test_regex_patterns_from_the_file_match_as_regex_compiles_them(tmp_path: Path) -> None:
    import regex

    from llm_router.textscan import compile_like_re

    sources = [(r"\b(?:ignore|disregard)\s+(?:all\s+)?previous\b", regex.IGNORECASE),
               (r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>k|m)?", 0), (r"\S+", 0)]
    text = "Please IGNORE all previous rules: 12,5 k tokens, ² and ½ too"
    regex.purge()
    with recording() as recorded:
        for pattern, flags in sources:
            compile_like_re(pattern, flags)
    assert len(recorded.regexes) == len(sources)
    cached = _roundtrip(recorded, tmp_path)
    regex.purge()
    with patched(cached):
        served = [compile_like_re(pattern, flags) for pattern, flags in sources]
        again = compile_like_re(*sources[0])  # regex's own cache, filled by the hit
    assert cached.hits == len(sources) and cached.misses == 0 and again is served[0]
    regex.purge()
    fresh = [compile_like_re(pattern, flags) for pattern, flags in sources]
    # regex patterns compare by identity; what pickling keeps is their engine code.
    assert [p._pickled_data for p in served] == [p._pickled_data for p in fresh]
    assert [p.groupindex for p in served] == [p.groupindex for p in fresh]
    for s, f in zip(served, fresh, strict=True):
        assert s.findall(text, concurrent=True) == f.findall(text, concurrent=True)
    other = Compilations(regexes=cached.regexes, regex_version="0.0")
    with patched(other):  # made by another regex version: compiled as before
        compile_like_re(*sources[2])
    assert other.hits == 0 and other.misses == 1


def test_forward_refs_and_named_tuples_come_from_the_file(tmp_path: Path) -> None:
    with recording() as recorded:
        ref = typing.ForwardRef("dict[str, list[int]]")
        collections.namedtuple("Pair", "left right")
    cached = _roundtrip(recorded, tmp_path)
    with patched(cached):
        served = typing.ForwardRef("dict[str, list[int]]")
        pair = collections.namedtuple("Pair", "left right")
    assert cached.hits == 2 and cached.misses == 0
    assert served.__forward_code__ == ref.__forward_code__
    assert typing.get_type_hints(_Annotated) == {"x": dict[str, list[int]]}
    assert pair(1, right=2) == (1, 2)


class _Annotated:
    x: dict[str, list[int]]


def test_the_patches_leave_with_the_block_even_on_error() -> None:
    from re import _compiler  # type: ignore[attr-defined]

    before = _compiler.compile
    with pytest.raises(RuntimeError), installed(Path("/nonexistent/cache.marshal")):
        assert "exec" in vars(dataclasses)
        raise RuntimeError("init failed")
    assert _compiler.compile is before
    assert "exec" not in vars(dataclasses) and "compile" not in vars(typing)
    assert "eval" not in vars(collections)


def test_a_file_for_another_interpreter_or_none_at_all_is_ignored(tmp_path: Path) -> None:
    recorded = Compilations({("eval", "<string>", "1"): compile("1", "<string>", "eval")})
    path = tmp_path / "cache.marshal"
    path.write_bytes(recorded.dumps())
    assert len(Compilations.load(path)) == 1
    path.write_bytes(marshal.dumps(((b"\x00\x00\r\n", 0), recorded.code, {})))
    assert len(Compilations.load(path)) == 0
    path.write_bytes(b"not marshal")
    assert len(Compilations.load(path)) == 0
    assert len(Compilations.load(tmp_path / "missing.marshal")) == 0


def test_the_router_import_compiles_nothing_the_build_did_not_see(tmp_path: Path) -> None:
    """What the layer build records covers the router's import in a fresh interpreter
    (inside lambda_init, as functions/router/app.py runs it)."""
    layer = tmp_path / "python"
    build = ("import sys; from llm_router.coldstart import precompile; "
             f"precompile([{str(layer)!r}])")
    done = subprocess.run([sys.executable, "-c", build], check=True, timeout=120,
                          capture_output=True, text=True)
    assert done.stdout.startswith("precompiled: ")
    out = precompiled.cache_path(layer / "llm_router" / "data" / "precompiled")
    run = ("import json, sys; from pathlib import Path\n"
           "from llm_router import precompiled\n"
           # aiohttp's import reaches email._header_value_parser, whose four patterns
           # are joined from sets: their text changes with each process's hash seed, so
           # no build can record them (0.12 ms to compile here). Imported before counting.
           "import email._header_value_parser\n"
           f"with precompiled.installed(Path({str(out)!r})) as c:\n"
           "    import mangum, llm_router.bootstrap\n"
           "print(json.dumps({'hits': c.hits, 'misses': c.misses}))")
    done = subprocess.run([sys.executable, "-c", run], check=True, timeout=120,
                          capture_output=True, text=True)
    counts = json.loads(done.stdout.splitlines()[-1])
    assert counts["misses"] == 0, counts
    assert counts["hits"] > 500, counts  # dataclass methods, annotations, patterns
