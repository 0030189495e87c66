"""The stream hold-back: release streamed text only once no PII item can run through it.

Text is held from the earliest point where a PII item could have begun and still be
growing: the trailing run of characters an email, key or unspaced number is made of;
the trailing run of digits, spaces and ``+().-`` a card, phone or SSN is made of,
from its first digit, ``+`` or ``(``; the trailing run of capitals, digits, spaces and
dashes from an IBAN's country code and check digits or a PEM ``-----BEGIN``; and any
item the detector found that touches the end or straddles the cut. So a client sees no
fragment of an item before the detector has seen the item whole. In ordinary prose this
holds back the last word, so text reaches the client one chunk later than it arrives.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from llm_router.guards.pii import PiiMatch, find_pii, redact

_WORD = frozenset(string.ascii_letters + string.digits + "._%+-@")
_NUMERIC = frozenset(string.digits + " ().-+")
_NUMERIC_START = frozenset(string.digits + "+(")
_UPPER = frozenset(string.ascii_uppercase + string.digits + " -")
_UPPER_START = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{2}|-----BEGIN)")
# Released text kept as left context for the detectors' look-behinds.
_CONTEXT = 16


def _run_start(text: str, chars: frozenset[str], floor: int) -> int:
    """Where the trailing run of ``chars`` begins (``len(text)`` if there is none)."""
    i = len(text)
    while i > floor and text[i - 1] in chars:
        i -= 1
    return i


def hold_from(text: str, matches: list[PiiMatch], floor: int = 0) -> int:
    """The first index of ``text`` that must stay held back (``len(text)``: none)."""
    end = len(text)
    hold = _run_start(text, _WORD, floor)
    numeric = _run_start(text, _NUMERIC, floor)
    while numeric < end and text[numeric] not in _NUMERIC_START:
        numeric += 1
    hold = min(hold, numeric)
    upper = _run_start(text, _UPPER, floor)
    if upper < end and (begun := _UPPER_START.search(text, upper)) is not None:
        hold = min(hold, begun.start())
    moved = True
    while moved:  # an item that reaches past the cut is held whole
        moved = False
        for m in matches:
            if m.start < hold < m.end or (m.end == end and m.start < hold):
                hold, moved = m.start, True
    return hold


@dataclass
class HeldText:
    """One choice's streamed text. ``feed`` returns what may go to the client now,
    redacted; ``finish`` the rest. With ``block``, the text stops before the first item
    and ``blocked`` is set."""

    block: bool = False
    kinds: list[str] = field(default_factory=list)
    blocked: bool = False
    _held: str = ""
    _context: str = ""

    def feed(self, text: str) -> str:
        if self.blocked:
            return ""
        self._held += text
        return self._release(final=False)

    def finish(self) -> str:
        return "" if self.blocked else self._release(final=True)

    def _release(self, *, final: bool) -> str:
        text = self._context + self._held
        base = len(self._context)
        matches = find_pii(text, base)
        cut = len(text) if final else hold_from(text, matches, base)
        done = [m for m in matches if m.end <= cut]
        self.kinds.extend(m.kind for m in done)
        if done and self.block:
            self.blocked = True
            self._held = ""
            return text[base:done[0].start]
        out = redact(text[base:cut], done, base)
        self._context = text[:cut][-_CONTEXT:]
        self._held = text[cut:]
        return out
