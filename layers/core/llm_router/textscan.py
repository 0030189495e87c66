"""Patterns that scan request text without holding the interpreter lock.

Stdlib ``re`` holds the lock for a whole scan, so a 1 MB prompt scanned in a worker thread
still stalls the event loop (and every request on it) for as long as one scan takes:
0.05-0.3 s per pattern per MB. The ``regex`` module lets go of the lock while it matches
when a call says ``concurrent=True``; every scan of request text (the input guards, the
classifier's structural features, the cache key) passes it.

``compile_like_re`` turns a pattern written for ``re`` into a ``regex`` pattern that matches the
same text: ``regex``'s ``\\s`` lacks the four separators \\x1c-\\x1f that ``re`` counts as
whitespace, and its ``\\w`` counts combining marks but not "²" or "½"; both are rewritten
to ``re``'s meaning (``\\S`` and ``\\W`` too). ``\\b`` is left as ``regex``'s (spelled out
with look-arounds it scanned 5-10x slower): it differs from ``re``'s only next to a
combining mark, a zero-width joiner, a superscript or fraction digit and the like, never
between ASCII characters.
"""

from __future__ import annotations

from typing import Any

import regex


def compile_like_re(pattern: str, flags: int = 0) -> Any:
    """``pattern`` (written for ``re``) as a ``regex`` pattern; scan with
    ``concurrent=True``."""
    return regex.compile(re_compatible(pattern), flags)


# What re means by these, as regex classes ("\\w": str.isalnum() or "_", i.e. letters and
# numbers of every kind; regex's own \\w adds combining marks and drops "²" and "½").
_RE_CLASSES = {r"\s": r"\s\x1c-\x1f", r"\w": r"\p{L}\p{N}_"}
_RE_NEGATED = {r"\S": r"\s", r"\W": r"\w"}


def re_compatible(pattern: str) -> str:
    """``\\s``, ``\\S``, ``\\w`` and ``\\W`` rewritten to mean what they mean to ``re``."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            if pair in _RE_CLASSES:
                members = _RE_CLASSES[pair]
                out.append(members if in_class else f"[{members}]")
            elif pair in _RE_NEGATED:
                if in_class:
                    raise ValueError(f"{pair} inside a character class is not supported: "
                                     f"{pattern!r}")
                out.append(f"[^{_RE_CLASSES[_RE_NEGATED[pair]]}]")
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            # A "]" right after "[" or "[^" is a literal member, not the end.
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                out.append("^")
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)
