"""PII and secret detection in model output: where each item is and what kind it is.

Kinds: ``email``, ``phone``, ``card`` (13-19 digits, a known issuer prefix and a valid
Luhn check digit), ``iban`` (country format and ISO 7064 mod-97 checksum), ``ssn`` (US,
dashed or spaced, valid area/group/serial), ``secret`` (API keys and tokens by their
published prefixes, JWTs, PEM private keys). Checksums come from python-stdnum.
Regexes find candidates; validators decide. Pure: no I/O, no state.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.us import ssn as _ssn


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_PHONE = re.compile(
    # The leading look-ahead lets the engine skip every other character cheaply (16x).
    r"(?=[+(0-9])(?:"
    # international: +CC then 7-13 more digits in groups
    r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,5}(?![\d-])"
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567, 1-800-555-0199
    r"|(?<![\w+(-])(?:1[ .-])?(?:\([2-9]\d{2}\)[ ]?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?![\d-])"
    # national trunk prefix: 020 7946 0958, 07700 900123, 030-1234-5678
    r"|(?<![\w+-])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\d-])"
    r")"
)
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\d_]|[A-Za-z])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_SSN = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")
_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-[A-Za-z0-9_-]{20,}"  # OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), llm-router (sk-lr-)
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[A-Za-z0-9_-]{35}"  # Google API key
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|hf_[A-Za-z0-9]{30,}|gsk_[A-Za-z0-9]{40,}|xai-[A-Za-z0-9]{40,}"  # Hugging Face, Groq, xAI
    r"|npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}"  # npm, PyPI
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWT
    r")(?![A-Za-z0-9_-])"
    # PEM private key; unterminated, it runs to the end of the text
    r"|-----BEGIN[A-Z ]{0,20} PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z ]{0,20} PRIVATE KEY-----|\Z)"
)

# Issuer prefixes (IIN ranges) of Visa, Mastercard, Amex, Discover, JCB, Diners,
# UnionPay and Maestro: a Luhn-valid order number without one is not a card.
_CARD_IIN = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8])"
    r"|3(?:0[0-5]|[689])|5[06-9]|6(?:[0237]|4[4-9]|5)"
)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _is_card(text: str) -> bool:
    digits = _digits(text)
    if not 13 <= len(digits) <= 19 or not _CARD_IIN.match(digits):
        return False
    return bool(_luhn.is_valid(digits))


def _is_phone(text: str) -> bool:
    return 8 <= len(_digits(text)) <= 15


def _is_ssn(text: str) -> bool:
    return bool(_ssn.is_valid(text.replace(" ", "-")))


def _is_iban(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    # The mod-97 checksum first (cheap); the registry's country formats only then.
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1 and bool(_iban.is_valid(compact))


def _always(text: str) -> bool:
    return True


Validator = Callable[[str], bool]
# Order matters where kinds overlap: a secret or IBAN wins over the digits inside it.
_DETECTORS: tuple[tuple[str, re.Pattern[str], Validator, str], ...] = (
    ("secret", _SECRET, _always, ""),
    ("email", _EMAIL, _always, "@"),
    ("iban", _IBAN, _is_iban, ""),
    ("card", _CARD, _is_card, ""),
    ("ssn", _SSN, _is_ssn, ""),
    ("phone", _PHONE, _is_phone, ""),
)


def find_pii(text: str, pos: int = 0) -> list[PiiMatch]:
    """Every PII item in ``text[pos:]`` (characters before ``pos`` are context only),
    in order, without overlaps."""
    found: list[PiiMatch] = []
    for kind, pattern, valid, needle in _DETECTORS:
        if needle and needle not in text:
            continue
        start = pos
        while (m := pattern.search(text, start)) is not None:
            end = _longest_valid(m.group(), valid)
            if end:
                found.append(PiiMatch(kind, m.start(), m.start() + end))
                start = m.start() + end
            else:  # a longer invalid run may hide a valid item inside it
                start = m.start() + 1
    return _without_overlaps(found)


def _longest_valid(candidate: str, valid: Validator) -> int:
    """The length of the longest prefix of ``candidate`` that ends where a space- or
    dash-separated group ends and validates (0: none), so a card or IBAN followed by
    another number or a capitalised word ("GB29 NWBK 6016 1331 9268 19 TODAY") is
    still found."""
    while candidate:
        if valid(candidate):
            return len(candidate)
        cut = max(candidate.rfind(" "), candidate.rfind("-"))
        if cut <= 0:
            return 0
        candidate = candidate[:cut]
    return 0


def _without_overlaps(found: list[PiiMatch]) -> list[PiiMatch]:
    """Earlier detectors win: an item overlapping one already kept is dropped."""
    starts: list[int] = []
    kept: list[PiiMatch] = []  # sorted by start, never overlapping
    for match in found:
        i = bisect.bisect_left(starts, match.start)
        if i > 0 and kept[i - 1].end > match.start:
            continue
        if i < len(kept) and kept[i].start < match.end:
            continue
        starts.insert(i, match.start)
        kept.insert(i, match)
    return kept


def redact(text: str, matches: list[PiiMatch], offset: int = 0) -> str:
    """``text`` with each match (positions relative to ``offset``) replaced by a label."""
    out: list[str] = []
    at = 0
    for m in matches:
        out.append(text[at:m.start - offset])
        out.append(f"[REDACTED:{m.kind}]")
        at = m.end - offset
    out.append(text[at:])
    return "".join(out)
