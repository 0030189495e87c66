"""Synthetic PII and ordinary support answers, for the guard's tests and benchmark.

Every generator takes a ``random.Random``, so a seed reproduces a corpus (hypothesis
drives the same functions through ``st.randoms()``). Cards, IBANs and SSNs come out
with valid checksums unless ``valid=False`` asks for a near miss (one digit off).
Nothing here is real data; the simulator is the precedent for shipping such a
generator in the library (``llm-router simulate``).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from stdnum import iban as _iban
from stdnum import luhn as _luhn

_LOWER = string.ascii_lowercase
_ALNUM = string.ascii_letters + string.digits

# (issuer prefix, length) pairs of the common card schemes.
_CARD_SCHEMES = (("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
                 ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3528", 16), ("36", 14),
                 ("62", 19))
# Country -> BBAN structure, as in ISO 13616's registry (n digits, a capitals, c alnum).
_IBAN_BBAN = {"DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11c2n", "NL": "4a10n",
              "IT": "1a5n5n12c", "BE": "3n7n2n", "CH": "5n12c", "PL": "8n16n",
              "AT": "5n11n", "IE": "4a6n8n", "DK": "4n9n1n", "SE": "3n16n1n"}
_SECRET_SHAPES = (("sk-proj-", _ALNUM + "_-", 48), ("sk-ant-api03-", _ALNUM + "_-", 93),
                  ("sk-lr-", _ALNUM + "_-", 43), ("sk_live_", _ALNUM, 24),
                  ("AKIA", string.ascii_uppercase + string.digits, 16),
                  ("ghp_", _ALNUM, 36), ("github_pat_", _ALNUM + "_", 82),
                  ("xoxb-", string.digits + "-", 40), ("AIza", _ALNUM + "_-", 35),
                  ("glpat-", _ALNUM + "_-", 20), ("hf_", _ALNUM, 34), ("gsk_", _ALNUM, 52),
                  ("npm_", _ALNUM, 36))


def _pick(rng: random.Random, chars: str, n: int) -> str:
    return "".join(rng.choice(chars) for _ in range(n))


def _group(rng: random.Random, digits: str, sizes: tuple[int, ...]) -> str:
    sep = rng.choice([" ", "-", ""])
    out, at = [], 0
    for size in sizes:
        out.append(digits[at:at + size])
        at += size
    if at < len(digits):
        out.append(digits[at:])
    return sep.join(p for p in out if p)


def _off_by_one(rng: random.Random, digits: str) -> str:
    i = rng.randrange(len(digits))
    return digits[:i] + str((int(digits[i]) + rng.randint(1, 9)) % 10) + digits[i + 1:]


def email(rng: random.Random) -> str:
    first = _pick(rng, _LOWER, rng.randint(1, 10))
    local = rng.choice([first, f"{first}.{_pick(rng, _LOWER, rng.randint(2, 10))}",
                        f"{first}{rng.randint(1, 999)}", f"{first}+{_pick(rng, _LOWER, 4)}",
                        f"{first}_{_pick(rng, _LOWER, 3)}"])
    domain = ".".join(_pick(rng, _LOWER + string.digits, rng.randint(2, 12))
                      for _ in range(rng.randint(1, 2)))
    return f"{local}@{domain}.{rng.choice(['com', 'org', 'net', 'de', 'co.uk', 'io', 'info'])}"


def phone(rng: random.Random) -> str:
    d = lambda n: _pick(rng, string.digits, n)  # noqa: E731
    area = str(rng.randint(2, 9)) + d(2)
    return rng.choice([
        f"+1 ({area}) {d(3)}-{d(4)}", f"({area}) {d(3)}-{d(4)}", f"{area}-{d(3)}-{d(4)}",
        f"{area}.{d(3)}.{d(4)}", f"1-{area}-{d(3)}-{d(4)}", f"+1 {area} {d(3)} {d(4)}",
        f"+44 20 {d(4)} {d(4)}", f"+44 7{d(3)} {d(6)}", f"+49 30 {d(8)}",
        f"+49 {rng.randint(150, 179)} {d(7)}", f"+33 {rng.randint(1, 9)} {d(2)} {d(2)} "
        f"{d(2)} {d(2)}", f"+91 {rng.randint(70, 99)}{d(3)} {d(5)}", f"020 {d(4)} {d(4)}",
        f"07{d(3)} {d(6)}", f"+61 4{d(2)} {d(3)} {d(3)}", f"+{rng.randint(30, 89)}{d(9)}",
    ])


def card(rng: random.Random, valid: bool = True) -> str:
    prefix, length = rng.choice(_CARD_SCHEMES)
    body = prefix + _pick(rng, string.digits, length - len(prefix) - 1)
    digits = body + _luhn.calc_check_digit(body)
    if not valid:
        digits = digits[:-1] + str((int(digits[-1]) + rng.randint(1, 9)) % 10)
    sizes = (4, 6, 5) if length == 15 else (4, 6, 4) if length == 14 else (4, 4, 4, 4)
    return _group(rng, digits, sizes)


def iban(rng: random.Random, valid: bool = True) -> str:
    while True:
        country = rng.choice(sorted(_IBAN_BBAN))
        bban = ""
        for count, kind in _bban_fields(_IBAN_BBAN[country]):
            chars = {"n": string.digits, "a": string.ascii_uppercase,
                     "c": string.ascii_uppercase + string.digits}[kind]
            bban += _pick(rng, chars, count)
        number = country + _iban.calc_check_digits(country + "00" + bban) + bban
        if _iban.is_valid(number):
            break
    if not valid:
        number = number[:2] + _off_by_one(rng, number[2:4]) + number[4:]
    return _iban.format(number) if rng.random() < 0.7 else number


def _bban_fields(structure: str) -> list[tuple[int, str]]:
    fields, count = [], ""
    for ch in structure:
        if ch.isdigit():
            count += ch
        else:
            fields.append((int(count), ch))
            count = ""
    return fields


def ssn(rng: random.Random, valid: bool = True) -> str:
    if valid:
        area = rng.choice([a for a in range(1, 900) if a != 666])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    else:
        area = rng.choice([0, 666, rng.randint(900, 999)])
        group, serial = rng.randint(0, 99), rng.randint(0, 9999)
    sep = rng.choice(["-", " "])
    number = f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"
    if valid and number.replace(sep, "-") in ("078-05-1120", "219-09-9999"):
        return ssn(rng)
    return number


def secret(rng: random.Random) -> str:
    prefix, chars, n = rng.choice(_SECRET_SHAPES)
    if prefix == "AIza" or prefix == "AKIA":
        return prefix + _pick(rng, chars, n)
    return prefix + _pick(rng, _ALNUM, 1) + _pick(rng, chars, n - 1)


KINDS: dict[str, Callable[[random.Random], str]] = {
    "email": email, "phone": phone, "card": card, "iban": iban, "ssn": ssn, "secret": secret,
}

# Sentences of a support answer; {pii} is where an item goes, the rest is ordinary text
# with the numbers support answers are full of (orders, prices, dates, tracking numbers).
_WITH_PII = (
    "I've updated the contact on your account to {pii}, so receipts will go there from now on.",
    "Thanks! We have {pii} on file for order #{order}; is that still correct?",
    "You can reach the courier directly on {pii}. They are open 8:00-18:00.",
    "The refund of ${price} was sent to {pii} and should arrive in 3-5 business days.",
    "For the wire transfer please use {pii} and put invoice INV-{year}-{n5} as reference.",
    "Your key is {pii} - keep it secret and rotate it if it was ever shared.",
    "Summary: name Jane Doe, ID {pii}, plan Pro ({price} USD/month).",
    "We found {pii}. in the ticket #{n6} notes and removed it from the shared view.",
    "{pii} is the value we have. Let me know if anything else needs changing!",
)
_ORDINARY = (
    "Your order #{order} shipped on {date} and should arrive within 3-5 business days.",
    "The tracking number is 1Z{trk}; it can take up to 24 hours to show updates.",
    "I've issued a refund of ${price} to the original payment method (Visa ending {n4}).",
    "Your subscription renews on {date}; you can cancel any time before {time} UTC.",
    "Please update the app to version {ver} or later, then restart your device.",
    "The Pro plan costs ${price} per month, or ${price} per year with the 20% discount.",
    "Invoice INV-{year}-{n5} for ${price} is attached; our VAT number is DE{n9}.",
    "Ticket #{n6} has been escalated to our billing team, who reply within 48 hours.",
    "Item SKU-{n4}-BL is back in stock: {n3} units in the warehouse at ZIP {n5}.",
    "You used {n3} of 1,000 API calls this month ({pct}%); the counter resets on {date}.",
    "Error code E{n4} means the sync timed out; try again after {n2} minutes.",
    "Your return label RMA-{n6} is valid for 30 days from {date}.",
    "Call volume is high today; average wait is {n2} minutes. Thanks for your patience!",
    "Step 1: open Settings. Step 2: tap Billing. Step 3: choose Export as CSV.",
    "The package weighs {n2}.{n1} kg and measures 40 x 30 x {n2} cm.",
    "We credited {n3} loyalty points; you now have {n4} points (about ${price}).",
)


def _fill(template: str, rng: random.Random, **extra: str) -> str:
    n = lambda k: "".join(rng.choice(string.digits) for _ in range(k))  # noqa: E731
    values = {
        "order": str(rng.randint(10_000, 9_999_999)), "price": f"{rng.randint(1, 2999)}."
        f"{rng.randint(0, 99):02d}", "date": f"2026-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}", "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "trk": n(16), "ver": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "year": str(rng.randint(2019, 2026)), "pct": str(rng.randint(1, 99)),
        **{f"n{k}": n(k) for k in range(1, 10)}, **extra,
    }
    return template.format(**values)


def pii_answer(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(answer, the item in it, the answer as the guard should redact it)."""
    item = KINDS[kind](rng)
    before = " ".join(_fill(t, rng) for t in rng.sample(_ORDINARY, rng.randint(0, 2)))
    after = " ".join(_fill(t, rng) for t in rng.sample(_ORDINARY, rng.randint(0, 2)))
    template = rng.choice(_WITH_PII)
    sentence = _fill(template, rng, pii="\0")
    join = lambda s: " ".join(p for p in (before, s, after) if p)  # noqa: E731
    text = join(sentence.replace("\0", item))
    return text, item, join(sentence.replace("\0", f"[REDACTED:{kind}]"))


def ordinary_answer(rng: random.Random) -> str:
    """A support answer with no PII in it (but plenty of numbers)."""
    return " ".join(_fill(t, rng) for t in rng.sample(_ORDINARY, rng.randint(1, 4)))


def split_at_random(rng: random.Random, text: str, max_piece: int = 12) -> list[str]:
    """``text`` cut into pieces of 1..max_piece characters, like a stream's chunks."""
    pieces, at = [], 0
    while at < len(text):
        size = rng.randint(1, max_piece)
        pieces.append(text[at:at + size])
        at += size
    return pieces
