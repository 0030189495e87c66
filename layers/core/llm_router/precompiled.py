"""Source the interpreter would compile on every cold start, compiled once at layer build.

Besides the modules themselves (whose ``.pyc`` files the layer ships), an import of the
router compiles source text at run time, the same text on every cold start:

- ``dataclasses`` writes each dataclass's ``__init__``, ``__repr__``, ``__eq__`` (and for
  frozen ones ``__setattr__``, ``__delattr__``, ``__hash__``) as text and ``exec``s it:
  about 570 functions for 120 dataclasses (the library's own, pydantic's, annotated_types');
- ``typing.ForwardRef`` compiles each string annotation it is given (pydantic resolves
  the library's ``from __future__ import annotations`` annotations through it), and
  ``collections.namedtuple`` each named tuple's ``__new__``;
- ``re.compile`` parses each pattern and compiles it to the regular-expression engine's
  code (about 230 patterns: urllib3's URL grammar, PyYAML's reader, botocore, the
  email and http packages, the library's own), and ``regex.compile`` the library's
  scanners of request text (about 30: the classifier's features, the input guards).

Together that was about 30 % of the instructions the router's imports executed
(docs/performance.md#cold-start).
The layer build runs the router's imports once under ``recording()`` and writes what
was compiled to ``data/precompiled/<cache tag>.marshal``: code objects keyed by their
source text, and for each pattern the engine code ``re`` would hand to ``_sre.compile``.
``installed()`` (used by ``llm_router.coldstart.lambda_init``) serves those compilations
from the file while init runs: ``dataclasses``, ``typing`` and ``collections`` get the
code object their ``exec``/``compile``/``eval`` would have produced, ``re`` the same
pattern object (patterns compare equal when their engine code is equal). Text not in
the file (another version's dataclass template, a pattern the build did not see) is
compiled as before, so a stale or missing file costs only the time it would have saved.

The file says which bytecode (``importlib.util.MAGIC_NUMBER``, as ``.pyc`` files do) and
which regular-expression engine (``_sre.MAGIC``) it was made for; any other interpreter
ignores it. The ``regex`` patterns are used only under the ``regex`` version that made
them (its compiler's internals are that version's). ``dataclasses``, ``typing`` and
``collections`` compile without ``from __future__`` flags, and so does the cache
(``dont_inherit``).

The layer build writes the file with ``llm_router.coldstart.precompile``.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CACHE_DIR = Path(__file__).resolve().parent / "data" / "precompiled"


def cache_path(folder: Path = CACHE_DIR) -> Path:
    return folder / f"{sys.implementation.cache_tag}.marshal"


def _stamp() -> tuple[bytes, int]:
    import _sre
    from importlib.util import MAGIC_NUMBER

    return MAGIC_NUMBER, _sre.MAGIC


class Compilations:
    """Code objects by (mode, source) and regular-expression engine code by pattern."""

    def __init__(self, code: dict[Any, Any] | None = None,
                 patterns: dict[Any, Any] | None = None,
                 regexes: dict[Any, Any] | None = None,
                 regex_version: str | None = None) -> None:
        self.code: dict[Any, Any] = code if code is not None else {}
        self.patterns: dict[Any, Any] = patterns if patterns is not None else {}
        # The regex module's patterns, used only with the regex version that made them.
        self.regexes: dict[Any, Any] = regexes if regexes is not None else {}
        self.regex_version = regex_version
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self.code) + len(self.patterns) + len(self.regexes)

    def dumps(self) -> bytes:
        return marshal.dumps((_stamp(), self.code, self.patterns, self.regex_version,
                              self.regexes))

    @classmethod
    def load(cls, path: Path) -> Compilations:
        """The file's compilations, or none when it is missing or made for another
        interpreter."""
        try:
            stamp, code, patterns, regex_version, regexes = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return cls()
        if stamp != _stamp():
            return cls()
        return cls(code, patterns, regexes, regex_version)

    # The compilers, each with the signature of what it replaces.

    def compile_source(self, source: Any, filename: str, mode: str, *args: Any,
                       **kwargs: Any) -> Any:
        """``compile`` as ``typing`` calls it (for ForwardRef: text, '<string>', 'eval')."""
        if args or kwargs or not isinstance(source, str):
            return compile(source, filename, mode, *args, **kwargs)
        key = (mode, filename, source)
        code = self.code.get(key)
        if code is None:
            self.misses += 1
            code = compile(source, filename, mode, dont_inherit=True)
            self.code[key] = code
        else:
            self.hits += 1
        return code

    def exec_source(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        """``exec`` as ``dataclasses`` calls it (generated function text)."""
        if isinstance(source, str):
            source = self.compile_source(source, "<string>", "exec")
        exec(source, globals, locals)

    def eval_source(self, source: Any, globals: Any = None, locals: Any = None) -> Any:
        """``eval`` as ``collections.namedtuple`` calls it (its ``__new__``)."""
        if isinstance(source, str):
            source = self.compile_source(source, "<string>", "eval")
        return eval(source, globals, locals)

    def compile_pattern(self, pattern: Any, flags: int = 0) -> Any:
        """``re._compiler.compile``: the parse and code generation skipped when the
        pattern's engine code is known."""
        import _sre
        import re
        from re import _compiler, _parser  # type: ignore[attr-defined]

        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:
            return self._compile_pattern(pattern, flags)
        key = (type(pattern) is bytes, pattern, flags)
        args = self.patterns.get(key)
        if args is None:
            self.misses += 1
            parsed = _parser.parse(pattern, flags)
            groupindex = dict(parsed.state.groupdict)
            indexgroup = [None] * parsed.state.groups
            for name, index in groupindex.items():
                indexgroup[index] = name
            # Opcodes are int subclasses that marshal refuses; the engine takes ints.
            code = [int(op) for op in _compiler._code(parsed, flags)]
            args = (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex,
                    tuple(indexgroup))
            self.patterns[key] = args
        else:
            self.hits += 1
        return _sre.compile(pattern, *args)

    def compile_regex(self, pattern: Any, flags: int, ignore_unused: bool, kwargs: Any,
                      cache_it: bool) -> Any:
        """``regex._main._compile`` (the ``regex`` module's, which the library's scanners
        of request text use: llm_router.textscan). Patterns without named lists or locale
        only; a hit also fills regex's own cache as its compiler would."""
        import regex
        from regex import _main

        if (kwargs or not isinstance(pattern, (str, bytes))
                or flags & (regex.DEBUG | regex.LOCALE)):
            return self._compile_regex(pattern, flags, ignore_unused, kwargs, cache_it)
        if self.regex_version != regex.__version__:
            self.regexes, self.regex_version = {}, regex.__version__
        key = (type(pattern) is bytes, pattern, int(flags), int(regex.DEFAULT_VERSION))
        entry = self.regexes.get(key)
        if entry is None:
            self.misses += 1
            engine = _RegexEngine(_main._regex)
            _main._regex = engine
            try:
                compiled = self._compile_regex(pattern, flags, ignore_unused, kwargs,
                                               cache_it)
            finally:
                _main._regex = engine.module
            if engine.args is not None and not engine.args[0] & regex.LOCALE:
                self.regexes[key] = (engine.args, _main._locale_sensitive.get(
                    (type(pattern), pattern), True))
            return compiled
        cache_key: tuple[Any, ...] = (pattern, type(pattern), flags, frozenset(),
                                      regex.DEFAULT_VERSION, None)
        compiled = _main._cache.get(cache_key) if cache_it else None
        if compiled is not None:  # compiled before in this process
            return compiled
        self.hits += 1
        args, locale_sensitive = entry
        compiled = _main._regex.compile(pattern, *args)
        if cache_it:
            _main._locale_sensitive[(type(pattern), pattern)] = locale_sensitive
            _main._named_args[(pattern, type(pattern), flags)] = frozenset()
            _main._cache[cache_key] = compiled
        return compiled

    _compile_pattern: Any = None  # re's own compiler, while patched
    _compile_regex: Any = None  # regex's, while patched


class _RegexEngine:
    """The ``_regex`` extension, keeping the arguments of the pattern it compiles."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.args: tuple[Any, ...] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)

    def compile(self, pattern: Any, *args: Any) -> Any:
        # Flags come as RegexFlag members, which marshal refuses; the engine takes ints.
        stored = tuple(int(a) if isinstance(a, int) and type(a) is not int else a
                       for a in args)
        try:
            marshal.dumps(stored)
            self.args = stored
        except ValueError:  # not storable: compiled as before on every start
            self.args = None
        return self.module.compile(pattern, *args)


@contextmanager
def patched(compilations: Compilations) -> Iterator[Compilations]:
    """dataclasses', typing's and re's compilations go through ``compilations``."""
    import collections
    import dataclasses
    import typing
    from re import _compiler  # type: ignore[attr-defined]

    compilations._compile_pattern = _compiler.compile
    # A module global shadows the builtin for that module's code only.
    dataclasses.exec = compilations.exec_source  # type: ignore[attr-defined]
    typing.compile = compilations.compile_source  # type: ignore[attr-defined]
    collections.eval = compilations.eval_source  # type: ignore[attr-defined]
    _compiler.compile = compilations.compile_pattern
    from regex import _main as regex_main  # after re's patch: its import compiles too

    compilations._compile_regex = regex_main._compile
    regex_main._compile = compilations.compile_regex
    try:
        yield compilations
    finally:
        regex_main._compile = compilations._compile_regex
        _compiler.compile = compilations._compile_pattern
        del dataclasses.exec  # type: ignore[attr-defined]
        del typing.compile  # type: ignore[attr-defined]
        del collections.eval  # type: ignore[attr-defined]


@contextmanager
def installed(path: Path | None = None) -> Iterator[Compilations]:
    """Serve compilations from the layer's file (if it has one) while the block runs."""
    compilations = Compilations.load(path or cache_path())
    with patched(compilations):
        yield compilations


@contextmanager
def recording() -> Iterator[Compilations]:
    """Compile as usual, keeping every compilation for ``dumps``."""
    with patched(Compilations()) as compilations:
        yield compilations


def record_imports(modules: Iterable[str], out: Path) -> Compilations:
    """Import ``modules``, recording what they compile; write it to ``out``."""
    with recording() as compilations:
        for name in modules:
            __import__(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(compilations.dumps())
    return compilations
