"""Generated pairs of the styles the verifier refused most on seen independent data
(data/heldout4/, before this module): a terse keyword ask against the full question, the
full question wrapped in a customer's context, one word swapped for a synonym, and an
acronym or short form spelled out (or the reverse).

Each style is used twice: as a positive (a text and its restyled self) and on a real
pair's query with the pair's label kept (``style_variants``), so a style neither makes a
paraphrase nor excuses a negative. The word tables are written by hand for this module
(generated augmentation, documented in data/cache_verifier/SOURCES.md); acronyms seen in
the validation set's pairs are left out of them on purpose.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator

from train.cache_verifier.pairs import _WORD, Pair


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Dropped from a terse ask: question frames, auxiliaries, pronouns, articles, politeness.
# Kept on purpose: negations, wh-words other than how/what, particles and prepositions
# that carry direction or polarity (on/off, from/to, with/without), numbers.
_TERSE_DROP = _words("""
a an the is are was were be been am do does did can could would should will shall may might
i i'm i've me my mine we our us you your yours it its this that these those there
how what what's how's please pls kindly hi hello hey thanks thank just really actually
possible able me some any
""")
_FRAME = re.compile(r"^(?:how (?:do|can|should|would) (?:i|we|you)|how to|what is the way to|"
                    r"is there a way to|is it possible to|what are the steps to|"
                    r"can (?:i|you|we)|could (?:i|you)|i want to|i need to|i'd like to)\b\s*",
                    re.I)

_OPENERS = (
    "Hi, ", "Hello, ", "Hey there. ", "Good morning. ", "Hi team, ", "Hello support, ",
    "Sorry to bother you, ", "Quick one: ", "I have a question. ", "Hoping you can help. ",
)
_CONTEXT = (
    "I've been trying to figure this out for a while and the help pages didn't answer it.",
    "I'm fairly new to this, so apologies if it's obvious.",
    "A friend told me to ask here.",
    "I looked around your website but couldn't find a clear answer.",
    "This came up today and I need to sort it out soon.",
    "I asked last week but never heard back.",
    "My manager asked me to check this.",
    "I'm on my phone so sorry for typos.",
    "It's kind of urgent for me.",
    "I've never done this before.",
)
_CLOSERS = (
    " Thanks!", " Thanks in advance.", " Any help appreciated.", " Thank you so much.",
    " Cheers.", " Appreciate it.", "", "",
)

# Words that may replace each other in a question without changing what is asked.
SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(g.split()) for g in """
delete remove erase
buy purchase
begin start
finish complete
big large
biggest largest
small little
fast quick
quickly rapidly
show display
find locate
choose select pick
need require
allow permit
use utilize
see view
fix repair
mistake error
answer reply
ask inquire
cheap inexpensive
wrong incorrect
stop halt
talk speak
shut close
happen occur
car vehicle
kid child
job position
phone cellphone
movie film
photo picture
shop store
trip journey
gift present
rules policy
money funds
bill invoice
sofa couch
enough sufficient
often frequently
maybe perhaps
annual yearly
broken damaged
doctor physician
medicine medication
lawyer attorney
vacation holiday
change modify
help assist
""".strip().splitlines())
SYNONYM_OF = {w: sorted(g - {w}) for g in SYNONYMS for w in g}

# Short forms and what they stand for (acronyms, clipped words). The validation set's
# acronyms are left out (so its abbreviation figures still test generalisation).
EXPANSIONS: tuple[tuple[str, str], ...] = (
    ("2FA", "two-factor authentication"), ("MFA", "multi-factor authentication"),
    ("SSO", "single sign-on"), ("PW", "password"), ("pwd", "password"),
    ("acct", "account"), ("info", "information"), ("config", "configuration"),
    ("repo", "repository"), ("dir", "directory"), ("OS", "operating system"),
    ("PTO", "paid time off"), ("HR", "human resources"), ("ETA", "estimated arrival time"),
    ("DOB", "date of birth"), ("ID", "identification"), ("approx", "approximately"),
    ("appt", "appointment"), ("Rx", "prescription"), ("dept", "department"),
    ("mgr", "manager"), ("FAQ", "frequently asked questions"), ("ASAP", "as soon as possible"),
    ("biz", "business"), ("intl", "international"), ("govt", "government"),
    ("req", "request"), ("msg", "message"), ("pic", "picture"), ("auth", "authentication"),
    ("sub", "subscription"), ("yr", "year"), ("mo", "month"), ("wk", "week"),
    ("max", "maximum"), ("qty", "quantity"), ("addr", "address"),
    ("cc", "credit card"), ("bal", "balance"), ("txn", "transaction"),
    ("CPU", "processor"), ("VPN", "virtual private network"), ("ISP", "internet provider"),
    ("IRA", "individual retirement account"), ("w/", "with"),
    ("w/o", "without"), ("b/c", "because"), ("NYC", "New York City"), ("LA", "Los Angeles"),
    ("AC", "air conditioning"), ("TV", "television"), ("ppl", "people"),
    ("govt ID", "government-issued ID"), ("doc", "document"), ("docs", "documentation"),
)
_EXPAND = [(re.compile(rf"(?<![\w/-]){re.escape(short)}(?![\w/-])", re.I if short.islower()
                       else 0), long) for short, long in EXPANSIONS]
_SHORTEN = [(re.compile(rf"\b{re.escape(long)}\b", re.I), short) for short, long in EXPANSIONS]


def terse(text: str, rng: random.Random) -> str | None:
    """The keyword ask a hurried user types: "How do I reset my password?" -> "reset
    password"."""
    body = _FRAME.sub("", text.strip().rstrip("?.!").strip())
    words = [w for w in re.findall(r"[\w'$%./-]+", body) if w.lower() not in _TERSE_DROP]
    if len(words) < 2 or len(words) > 9:
        return None
    out = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    if rng.random() < 0.3:
        out += "?"
    return out if out.lower() != text.lower() else None


def verbose(text: str, rng: random.Random) -> str | None:
    """The same question with the context a customer adds around it."""
    body = text.strip()
    if not body or len(body.split()) > 25:
        return None
    opener, context = rng.choice(_OPENERS), rng.choice(_CONTEXT)
    if rng.random() < 0.5:  # opener, context, question
        opener = opener.replace(", ", ". ")
        return f"{opener}{context} {_capital(body)}{rng.choice(_CLOSERS)}"
    first = body.split()[0]
    if opener.endswith(", ") and first != "I" and not first.isupper():
        body = body[0].lower() + body[1:]
    else:
        body = _capital(body)
    return f"{opener}{body} {context}{rng.choice(_CLOSERS)}"


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def synonym(text: str, rng: random.Random) -> str | None:
    """One or two words swapped for a synonym ("delete" / "remove")."""
    words = [m for m in _WORD.finditer(text) if m.group(0).lower() in SYNONYM_OF
             and (m.start() == 0 or m.group(0).islower())]  # "Bill Murray" is a name
    if not words:
        return None
    for m in sorted(rng.sample(words, min(len(words), rng.choice((1, 1, 2)))),
                    key=lambda m: m.start(), reverse=True):
        new = rng.choice(SYNONYM_OF[m.group(0).lower()])
        new = new.capitalize() if m.group(0)[0].isupper() else new
        text = text[: m.start()] + new + text[m.end():]
    return text


def acronym(text: str, rng: random.Random) -> str | None:
    """A short form spelled out, or a long form shortened ("2FA" / "two-factor
    authentication", "acct" / "account")."""
    options = [(p, r) for p, r in _EXPAND + _SHORTEN if p.search(text)]
    if not options:
        return None
    pattern, repl = rng.choice(options)
    return pattern.sub(repl, text, count=1)


STYLES: dict[str, Callable[[str, random.Random], str | None]] = {
    "terse": terse, "verbose": verbose, "synonym": synonym, "acronym": acronym}


def generate_styles(texts: list[str], rng: random.Random, per_kind: int, source: str
                    ) -> Iterator[Pair]:
    """Positives: a text against its restyled self, ``per_kind`` of each style."""
    pool = list(dict.fromkeys(texts))
    for kind, make in STYLES.items():
        rng.shuffle(pool)
        made = 0
        for text in pool:
            if made >= per_kind:
                break
            new = make(text, rng)
            if new and new.strip() and new != text:
                made += 1
                a, b = (new, text) if kind == "terse" and rng.random() < 0.5 else (text, new)
                yield {"a": a, "b": b, "label": 1, "kind": kind,
                       "source": f"{source}+generated"}


def style_variants(pairs: list[Pair], rng: random.Random, n: int, source: str
                   ) -> Iterator[Pair]:
    """Real pairs with the query restyled, label kept. A terse negative whose keywords
    lost what told it apart (the same keywords as the cached text's) is skipped."""
    pool = list(pairs)
    rng.shuffle(pool)
    made = 0
    kinds = list(STYLES)
    for p in pool:
        if made >= n:
            break
        kind = kinds[made % len(kinds)]
        new = STYLES[kind](p["b"], rng)
        if not new or new == p["b"]:
            continue
        if kind == "terse" and not p["label"]:
            base = terse(p["a"], random.Random(0))
            if base is None or base.rstrip("?") == new.rstrip("?"):
                continue
        made += 1
        yield {"a": p["a"], "b": new, "label": p["label"], "kind": f"{kind}_{p['kind']}",
               "source": f"{source}+generated"}
