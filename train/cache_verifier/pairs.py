"""Labelled pairs for the cache verifier: public pairs, our own support pairs, and hard
negatives (and format-only positives) generated from their texts.

Splits are by text, never by pair: Quora questions are grouped into connected components
(two questions sharing a pair are in one component) and whole components go to train,
tune or held-out, so no held-out question was seen in training. Our support pairs are
split by group (a cached question with its paraphrases and negatives). The held-out
support file is a separate source written apart from the tuning file.

Every pair: {"a", "b", "label", "source", "kind", "split"}; kind is "paraphrase",
"public_negative" or a generated kind in ``NEGATIVE_KINDS`` / ``POSITIVE_KINDS``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tarfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from llm_router.cache.lexicon import FUNCTION_WORDS, OPPOSITES

REPO = Path(__file__).resolve().parents[2]
QQP_ARCHIVE = REPO.parent / "shared" / "data" / "paraphrase-train" / "qqp_full.tar.gz"
DATA = REPO / "data" / "cache_verifier"
PROJECT_PAIRS = REPO / "bench" / "cache_pairs" / "pairs.jsonl"

NEGATIVE_KINDS = ("entity_swap", "number_swap", "negation", "direction", "intent_shift",
                  "near_topic")
POSITIVE_KINDS = ("format_variant", "reframe", "typo", "abbreviation", "reorder")
Pair = dict[str, Any]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_qqp(path: Path = QQP_ARCHIVE) -> list[tuple[str, str, int]]:
    with tarfile.open(path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(".json"))
        handle = archive.extractfile(member)
        assert handle is not None
        rows = json.load(handle)
    return [(r["text_a"].strip(), r["text_b"].strip(), int(r["label"])) for r in rows
            if r["text_a"].strip() and r["text_b"].strip()]


class Components:
    """Connected components of texts (union-find): a component is named by its smallest
    text, so the names do not depend on the order pairs are joined in."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, text: str) -> str:
        parent = self._parent
        parent.setdefault(text, text)
        while parent[text] != text:
            parent[text] = parent[parent[text]]
            text = parent[text]
        return text

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)


def split_qqp(rows: list[tuple[str, str, int]], tune: float = 0.08, heldout: float = 0.08,
              seed: int = 13) -> dict[str, list[tuple[str, str, int]]]:
    """Connected components of questions, assigned whole to a split by a hash of their
    smallest question (stable across runs and machines)."""
    components = Components()
    for a, b, _ in rows:
        components.join(a, b)
    out: dict[str, list[tuple[str, str, int]]] = {"train": [], "tune": [], "heldout": []}
    for row in rows:
        root = components.find(row[0])
        h = int(hashlib.sha256(f"{seed}:{root}".encode()).hexdigest()[:8], 16) / 2**32
        out["heldout" if h < heldout else "tune" if h < heldout + tune else "train"].append(row)
    return out


def load_support(path: Path) -> list[list[Pair]]:
    """Groups of the hand-written file: a cached line, "= " paraphrases, "! kind: " negatives."""
    groups: list[list[Pair]] = []
    cached = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("= "):
            groups[-1].append(_pair(cached, line[2:], 1, "paraphrase"))
        elif line.startswith("! "):
            kind, _, text = line[2:].partition(": ")
            if kind not in NEGATIVE_KINDS:
                raise ValueError(f"{path.name}: unknown negative kind {kind!r} in {raw!r}")
            groups[-1].append(_pair(cached, text, 0, kind))
        else:
            cached = line
            groups.append([])
    return groups


def load_project_pairs(path: Path = PROJECT_PAIRS) -> list[Pair]:
    kinds = {"intent_shift": "intent_shift", "near_topic": "near_topic",
             "entity_swap": "entity_swap", "number_swap": "number_swap",
             "negation": "negation"}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            label = int(p["kind"] == "paraphrase")
            out.append(_pair(p["cached"], p["query"], label, kinds.get(p["kind"], "paraphrase")))
    return out


def _pair(a: str, b: str, label: int, kind: str) -> Pair:
    return {"a": a, "b": b, "label": label, "kind": kind}


# --- generated pairs ------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


COUNTRIES = _words("Germany Austria France Spain Italy Canada Mexico Brazil Japan China India "
             "Australia Ireland Sweden Norway Poland Portugal Egypt Kenya Nigeria Chile "
             "Peru Turkey Greece Russia Ukraine Vietnam Thailand Singapore Israel")
CITIES = _words("Boston Denver Chicago Dallas Seattle Miami Atlanta London Paris Berlin Madrid "
          "Rome Tokyo Delhi Mumbai Sydney Toronto Dublin Oslo Lisbon Prague Vienna Austin "
          "Houston Phoenix Portland Gloucester Bangalore Chennai Hyderabad")
BRANDS = _words("Apple Samsung Google Microsoft Amazon Netflix Spotify PayPal Venmo Visa "
          "Mastercard Android iPhone Windows Linux Python Java Facebook Instagram "
          "WhatsApp Uber Tesla Toyota Honda Sony Nike Adidas Excel Slack Zoom")
DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April June July August September October November December")
GAZETTEER = {w.lower(): cat for cat, words in
             (("country", COUNTRIES), ("city", CITIES), ("brand", BRANDS), ("day", DAYS))
             for w in words}
BY_CATEGORY = {cat: [w for w in COUNTRIES + CITIES + BRANDS + DAYS if GAZETTEER[w.lower()] == cat]
               for cat in set(GAZETTEER.values())}

_AUX = {"is": "isn't", "are": "aren't", "was": "wasn't", "were": "weren't", "can": "can't",
        "do": "don't", "does": "doesn't", "did": "didn't", "will": "won't",
        "would": "wouldn't", "should": "shouldn't", "has": "hasn't", "have": "haven't",
        "could": "couldn't"}
_NEG_TO_AUX = {v: k for k, v in _AUX.items()} | {"cannot": "can"}
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
_NUMBER_WORDS = _words("two three four five six seven eight nine ten twelve twenty thirty fifty "
                 "hundred")
_WH_SWAP = {"how": "why", "why": "how", "where": "when", "when": "where", "what": "why",
            "who": "where"}
_POLE_SWAP = {w: sorted(poles[1 - p])[0] for poles in OPPOSITES for p in (0, 1)
              for w in poles[p]}


def _case_like(word: str, model: str) -> str:
    return word.capitalize() if model[:1].isupper() else word


def entity_swap(text: str, rng: random.Random, names: list[str]) -> str | None:
    words = list(_WORD.finditer(text))
    known = [m for m in words if m.group(0).lower() in GAZETTEER]
    proper = [m for i, m in enumerate(words) if i > 0 and m.group(0)[0].isupper()
              and m.group(0).lower() not in FUNCTION_WORDS]
    pick = rng.choice(known) if known else rng.choice(proper) if proper else None
    if pick is None:
        return None
    word = pick.group(0)
    cat = GAZETTEER.get(word.lower())
    pool = BY_CATEGORY[cat] if cat else names
    choices = [w for w in pool if w.lower() != word.lower()]
    new = rng.choice(choices)
    new = new if word[0].isupper() else new.lower()
    return text[: pick.start()] + new + text[pick.end():]


def number_swap(text: str, rng: random.Random) -> str | None:
    digits = list(_DIGITS.finditer(text))
    if digits:
        m = rng.choice(digits)
        old = m.group(0).replace(",", "")
        value = float(old)
        new_value = value + rng.choice([1, 2, 3, 5, 10]) if value < 20 else value * rng.choice(
            [2, 3, 5, 10]) if rng.random() < 0.5 else value + rng.randint(1, 9)
        new = f"{new_value:g}" if "." in old else str(int(new_value))
        return text[: m.start()] + new + text[m.end():]
    words = [m for m in _WORD.finditer(text) if m.group(0).lower() in _NUMBER_WORDS]
    if not words:
        return None
    m = rng.choice(words)
    new = rng.choice([w for w in _NUMBER_WORDS if w != m.group(0).lower()])
    return text[: m.start()] + _case_like(new, m.group(0)) + text[m.end():]


def negation(text: str, rng: random.Random) -> str | None:
    for m in _WORD.finditer(text):
        word = m.group(0).lower().replace("’", "'")
        if word in _NEG_TO_AUX:
            return text[: m.start()] + _case_like(_NEG_TO_AUX[word], m.group(0)) + text[m.end():]
    m2 = re.search(r"\b(not|never|no)\s+", text, re.I)
    if m2:
        return text[: m2.start()] + text[m2.end():]
    for m in _WORD.finditer(text):
        if m.group(0).lower() in _AUX:
            new = _AUX[m.group(0).lower()]
            return text[: m.start()] + _case_like(new, m.group(0)) + text[m.end():]
    return None


def direction(text: str, rng: random.Random) -> str | None:
    m = re.search(r"\bfrom ((?:[\w']+ ){0,1}[\w']+) (to|into) ((?:[\w']+ ){0,1}[\w']+)", text)
    if m and m.group(1).lower() != m.group(3).lower():
        return (text[: m.start()] + f"from {m.group(3)} {m.group(2)} {m.group(1)}"
                + text[m.end():])
    m = re.search(r"\b([\w']+) (better|worse|bigger|smaller|more \w+|less \w+) than ([\w']+)",
                  text)
    if m and m.group(1).lower() not in FUNCTION_WORDS and m.group(3).lower() != m.group(1).lower():
        return (text[: m.start()] + f"{m.group(3)} {m.group(2)} than {m.group(1)}"
                + text[m.end():])
    words = list(_WORD.finditer(text))
    content = [m for i, m in enumerate(words) if m.group(0).lower() not in FUNCTION_WORDS
               and len(m.group(0)) > 3 and not _between_list(text, m)]
    if len(content) < 2:
        return None
    x, y = rng.sample(content, 2)
    if x.group(0).lower() == y.group(0).lower():
        return None
    x, y = (x, y) if x.start() < y.start() else (y, x)
    return (text[: x.start()] + y.group(0) + text[x.end(): y.start()] + x.group(0)
            + text[y.end():])


def _between_list(text: str, m: re.Match[str]) -> bool:
    """Words joined by and/or/vs/between stay: swapping them keeps the meaning."""
    before = text[max(0, m.start() - 9): m.start()].lower()
    after = text[m.end(): m.end() + 9].lower()
    return bool(re.search(r"\b(and|or|vs|versus|between|&)\W*$", before)
                or re.search(r"^\W*(and|or|vs|versus|&)\b", after))


def intent_shift(text: str, rng: random.Random) -> str | None:
    words = list(_WORD.finditer(text))
    poles = [m for m in words if m.group(0).lower() in _POLE_SWAP]
    if poles:
        m = rng.choice(poles)
        new = _POLE_SWAP[m.group(0).lower()]
        return text[: m.start()] + _case_like(new, m.group(0)) + text[m.end():]
    whs = [m for m in words if m.group(0).lower() in _WH_SWAP]
    if not whs:
        return None
    m = whs[0]
    return text[: m.start()] + _case_like(_WH_SWAP[m.group(0).lower()], m.group(0)) + text[m.end():]


def near_topic(text: str, rng: random.Random, neighbours: Callable[[str], list[str]]
               ) -> str | None:
    words = [m for m in _WORD.finditer(text) if m.group(0).lower() not in FUNCTION_WORDS
             and len(m.group(0)) > 3 and m.group(0).lower() not in GAZETTEER]
    rng.shuffle(words)
    for m in words[:3]:
        options = neighbours(m.group(0).lower())
        if options:
            new = rng.choice(options[:6])
            return text[: m.start()] + _case_like(new, m.group(0)) + text[m.end():]
    return None


_PREFIXES = ("Hi, ", "Hello! ", "Quick question: ", "Hey, ", "Please help: ")
_SUFFIXES = (" Thanks!", " thanks", " please", " Thank you.")
_FORMATS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\$(\d{1,3}),000\b"), lambda m: f"{m.group(1)}k dollars"),
    (re.compile(r"\b(\d{1,3})k\b"), lambda m: f"{m.group(1)},000"),
    (re.compile(r"\b(\d+) (kg|km|gb|mb|lbs?)\b", re.I), lambda m: f"{m.group(1)}{m.group(2)}"),
    (re.compile(r"\b(\d+)(kg|km|gb|mb|lbs?)\b", re.I), lambda m: f"{m.group(1)} {m.group(2)}"),
    (re.compile(r"\bUS\b"), lambda m: "USA"),
    (re.compile(r"\bUSA\b"), lambda m: "United States"),
    (re.compile(r"\bUK\b"), lambda m: "United Kingdom"),
    (re.compile(r"\bdo not\b"), lambda m: "don't"),
    (re.compile(r"\bcan't\b"), lambda m: "cannot"),
    (re.compile(r"\bWhat is\b"), lambda m: "What's"),
    (re.compile(r"\b2\b"), lambda m: "two"),
    (re.compile(r"\b3\b"), lambda m: "three"),
)


def format_variant(text: str, rng: random.Random) -> str | None:
    """Same question, other surface: case, punctuation, greeting, number/unit format."""
    for pattern, repl in _FORMATS:
        if pattern.search(text) and rng.random() < 0.8:
            return pattern.sub(repl, text, count=1)
    roll = rng.random()
    if roll < 0.35:
        return text.lower().rstrip("?.! ")
    if roll < 0.7:
        return rng.choice(_PREFIXES) + text[:1].lower() + text[1:]
    return text.rstrip() + rng.choice(_SUFFIXES)


_FRAMES = (
    (re.compile(r"^(?:how do i|how can i|how to|how should i|what is the way to|what's the way "
                r"to|is there a way to|what are the steps to|can you help me) (.+?)[?.!]*$", re.I),
     ("How do I {}?", "How can I {}?", "How to {}?", "What's the way to {}?",
      "Is there a way to {}?", "I want to {}, how?", "Can you help me {}?",
      "What are the steps to {}?", "{} - how?")),
    (re.compile(r"^(?:can i|could i|is it possible to|am i able to|may i) (.+?)[?.!]*$", re.I),
     ("Can I {}?", "Is it possible to {}?", "Am I able to {}?", "Could I {}?",
      "Is it OK to {}?")),
    (re.compile(r"^(?:where can i find|where do i find|where is|where are) (.+?)[?.!]*$", re.I),
     ("Where can I find {}?", "Where do I find {}?", "How do I find {}?")),
    (re.compile(r"^(?:what is|what's|what are) (.+?)[?.!]*$", re.I),
     ("What is {}?", "What's {}?", "Can you tell me what {} is?", "Tell me what {} is.")),
)


def reframe(text: str, rng: random.Random) -> str | None:
    """Same request in another question frame ("How do I X" / "What's the way to X")."""
    for pattern, frames in _FRAMES:
        m = pattern.match(text.strip())
        if m:
            new = rng.choice(frames).format(m.group(1))
            return new[0].upper() + new[1:] if new.lower() != text.lower() else None
    return None


# A question ending in a prepositional phrase: "Is SSO available on the Team plan?".
_TRAILING_PHRASE = re.compile(
    r"^(?P<head>[^,;:]*?\w)\s+(?P<phrase>(?:on|in|at|for|with|using|during|after|before|via|"
    r"within|under|through) (?:[\w'$.-]+ ){0,4}[\w'$.-]+)\s*\?$", re.I)


def reorder(text: str, rng: random.Random) -> str | None:
    """The trailing phrase moved to the front, roles kept ("On the Team plan, is SSO
    available?"): a harmless reorder, where ``direction`` swaps two words' roles."""
    m = _TRAILING_PHRASE.match(text.strip())
    if not m or len(m.group("head").split()) < 4:
        return None
    head, phrase = m.group("head"), m.group("phrase")
    first = head.split()[0]
    if first != "I" and not first.isupper():
        head = head[0].lower() + head[1:]
    return f"{phrase[0].upper()}{phrase[1:]}, {head}?"


_KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def _slip(word: str, rng: random.Random) -> str:
    """One keyboard slip inside a word: swapped, dropped, doubled or neighbouring letter."""
    i = rng.randrange(1, len(word) - 1)
    roll = rng.random()
    if roll < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if roll < 0.55:
        return word[:i] + word[i + 1:]
    if roll < 0.75:
        return word[:i] + word[i] + word[i:]
    row = next((r for r in _KEYS.split() if word[i].lower() in r), "")
    at = row.find(word[i].lower())
    near = [row[k] for k in (at - 1, at + 1) if 0 <= k < len(row)]
    return word[:i] + rng.choice(near) + word[i + 1:] if near else word[:i] + word[i + 1:]


def typo(text: str, rng: random.Random) -> str | None:
    """The same text typed in a hurry: one or two content words misspelt, sometimes lower
    case without the question mark."""
    words = [m for m in _WORD.finditer(text) if len(m.group(0)) >= 4
             and m.group(0).lower() not in FUNCTION_WORDS and m.group(0).isalpha()]
    if not words:
        return None
    picks = sorted(rng.sample(words, min(len(words), rng.choice((1, 1, 2)))),
                   key=lambda m: m.start(), reverse=True)
    for m in picks:
        text = text[: m.start()] + _slip(m.group(0), rng) + text[m.end():]
    return text.lower().rstrip("?.! ") if rng.random() < 0.4 else text


_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{long}\b", re.I), short) for long, short in (
        ("please", "pls"), ("account", "acct"), ("information", "info"),
        ("message", "msg"), ("approximately", "approx"), ("maximum", "max"),
        ("minimum", "min"), ("application", "app"), ("documents", "docs"),
        ("minutes", "mins"), ("hours", "hrs"), ("seconds", "secs"), ("years", "yrs"),
        ("months", "mos"), ("weeks", "wks"), ("percent", "%"), ("number", "no."),
        ("and", "&"), ("with", "w/"), ("without", "w/o"), ("because", "bc"),
        ("kilograms", "kg"), ("kilometers", "km"), ("gigabytes", "GB"),
        ("terabytes", "TB"), ("megabytes", "MB"), ("pounds", "lbs"), ("inches", "in"),
        ("dollars", "USD"), ("euros", "EUR"), ("through", "thru"), ("tomorrow", "tmrw"),
        ("you", "u"), ("your", "ur"), ("are", "r"), ("thanks", "thx"),
        ("versus", "vs"), ("department", "dept"), ("international", "intl"),
        ("appointment", "appt"), ("reservation", "resv"), ("subscription", "sub"),
    ))
_SPACED_UNIT = re.compile(r"\b(\d+(?:\.\d+)?) ?(kg|km|gb|mb|tb|kwh|fps|mbps|gbps|lbs?|ml|"
                          r"min|mins|hrs?|cm|mm|mi|oz)\b", re.I)


def abbreviation(text: str, rng: random.Random) -> str | None:
    """Same question with words abbreviated ("pls", "acct", "mins") or a number and its
    unit written together or apart ("5 kg" / "5kg")."""
    unit = _SPACED_UNIT.search(text)
    if unit and rng.random() < 0.5:
        glued = " " not in unit.group(0)
        new = f"{unit.group(1)} {unit.group(2)}" if glued else unit.group(1) + unit.group(2)
        return text[: unit.start()] + new + text[unit.end():]
    present = [(p, short) for p, short in _ABBREVIATIONS if p.search(text)]
    if not present:
        return None
    rng.shuffle(present)
    for pattern, short in present[: rng.choice((1, 2, 3))]:
        text = pattern.sub(short, text, count=1)
    return text.lower() if rng.random() < 0.3 else text


def typo_variants(pairs: list[Pair], rng: random.Random, n: int, source: str
                  ) -> Iterator[Pair]:
    """Real pairs with the query misspelt, label kept: a typo neither makes a
    paraphrase nor excuses a negative."""
    pool = list(pairs)
    rng.shuffle(pool)
    made = 0
    for p in pool:
        if made >= n:
            break
        new = typo(p["b"], rng)
        if new and new != p["b"]:
            made += 1
            yield {"a": p["a"], "b": new, "label": p["label"], "kind": f"typo_{p['kind']}",
                   "source": f"{source}+generated"}


def generate(texts: Iterable[str], rng: random.Random, names: list[str],
             neighbours: Callable[[str], list[str]], per_kind: int, source: str
             ) -> Iterator[Pair]:
    makers: dict[str, Callable[[str], str | None]] = {
        "entity_swap": lambda t: entity_swap(t, rng, names),
        "number_swap": lambda t: number_swap(t, rng),
        "negation": lambda t: negation(t, rng),
        "direction": lambda t: direction(t, rng),
        "intent_shift": lambda t: intent_shift(t, rng),
        "near_topic": lambda t: near_topic(t, rng, neighbours),
        "format_variant": lambda t: format_variant(t, rng),
        "reframe": lambda t: reframe(t, rng),
        "typo": lambda t: typo(t, rng),
        "abbreviation": lambda t: abbreviation(t, rng),
        "reorder": lambda t: reorder(t, rng),  # last: the kinds above draw as before
    }
    pool = list(dict.fromkeys(texts))
    for kind, make in makers.items():
        rng.shuffle(pool)
        made = 0
        for text in pool:
            if made >= per_kind:
                break
            new = make(text)
            if new and new.strip() and new != text:
                made += 1
                yield {"a": text, "b": new, "label": int(kind in POSITIVE_KINDS),
                       "kind": kind, "source": f"{source}+generated"}


def write_jsonl(path: Path, pairs: Iterable[Pair]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for p in pairs:
            out.write(json.dumps(p, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> list[Pair]:
    """One object a line (UTF-8); blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
