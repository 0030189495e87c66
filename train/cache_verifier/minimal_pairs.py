"""Synonym minimal pairs beside a bundle's one-span swap negatives (session 30's S8, recipe R-d).

Reads a ``cross_continue prepare`` bundle (``bundle.npz``, its ``bundle.json`` and
``bundle-probe.jsonl``: the pairs' texts in the bundle's order, cached = a, query = b) and, for
every negative (label 0) whose two texts differ, on lower-cased word tokens, by exactly one
difflib ``replace`` opcode of one or two words a side (a one-span swap: "buy" / "sell", "judo" /
"karate"), makes a positive on the same template: the cached text unchanged, the query the
cached text with its swapped-out span replaced by a true synonym ("buy" -> "purchase"); where the
cached side's span has none, the query side's swapped-in span is tried the same way, the
negative's query text then the positive's cached text (the template is still the negative's).
So the model sees "X -> synonym (1)" and "X -> other thing (0)" on one template
(docs/cache-history.md "Session 27: what S5 refuses (exploration)", recipe R-d).

A true synonym (``Chooser``; precision over count, anything unsure is skipped and counted):

- the span's word (or two-word WordNet compound) is a content word written in lower case (a
  capital only as the text's first letter), no digit, no negation, no function word, at least
  three letters, not part of a compound token ("min-heap", "a/b"), in its base form: a lemma of
  WordNet 3.0 as written, not an inflected form of the exception lists ("found", "left"), not
  a plural or "-ed" / "-ing" form of another lemma;
- its part of speech: the one the word before says (a determiner: a noun; "to", a pronoun or a
  modal: a verb) where WordNet gives the word that one, else its only one, else the one
  holding at least ``POS_SHARE`` of its tagged senses (``cntlist.rev``, at least ``MIN_TAGS``
  tags); no adverb; the other side's span must be a WordNet lemma of that part of speech too
  (the same slot);
- the synonym: a single lower-case word in its base form, a lemma of a synset that is the
  span's first or second sense (``SENSES``) in that part of speech and among the synonym's own
  first two senses there; no synset of noun.animal, noun.person or noun.plant (not a living
  thing); not the other side's word nor any word of either text; the layer's synonym table
  (``llm_router.cache.synonyms``, WordNet 3.1, the respelling check's ``synonym`` form) must
  call the span and the synonym the same, and the synonym and the other side's span neither
  the same nor antonyms; where the span follows "a" / "an", the synonym takes the same article;
- **and a writer vouches for it**: some positive of the bundle is a one-span swap of the span
  for that synonym, either way (``attested``: "buy" -> "purchase", "start" -> "begin").
  WordNet alone lumps senses a sentence does not ("mode" / "manner", "job" / "occupation",
  "second" / "sec" for an ordinal, "print" / "publish"): an eye read of samples made with
  WordNet alone, even first senses only, tagged, in synsets of at most three lemmas, found a
  third or more wrong, so that path (``--unvouched``) is off;
- negations are left out: a swap where either side holds a negation word or a contraction has
  no sound synonym positive ("do" / "don't" has no synonym that keeps the sense), so it makes
  none.

The new pairs are appended after the bundle's pairs, label 1, flagged ``train.minimal`` (a new
flag: ``cross_continue.flag`` reads it as all false in an older bundle), ``train.hand`` as
their negative's, every other flag false; they are tokenised as ``write_bundle`` did (numbers
shared, the query b) and the word table gains the shipped embedder's rows for any new word
piece. ``fit --minimal-weight`` weighs them (their target is their label, not distilled).
A new pair sharing a text (``cross_continue._text``) with a ``--guard`` set's pairs or
``bench/cache_pairs/heldout.jsonl`` is dropped, as is one whose two texts already make a
bundle pair; more than ``--cap`` left are drawn uniformly (``random.Random(--seed)``).
Every other pair, flag and array is the bundle's, in its order. Written: the bundle, its
``.json`` (``train_pairs`` and ``train_sources`` counting them: what ``fit --epochs`` reads) and
probe, a record (``--record``: counts, skips by reason, both sha256s, the rule's text), the new
pairs with their negatives (``--pairs``) and their texts one a line (``--texts``).

    python -m train.cache_verifier.minimal_pairs --bundle B.npz --out OUT.npz \\
        --sha256 ad3c1754... --wordnet .cache/s8/wn-deb/usr/share/wordnet \\
        --guard heldout54 ... heldout69 \\
        --record bench/results/s8-minimal-session30.json --pairs P.jsonl --texts T.txt

WordNet 3.0's database files (``index.*``, ``data.*``, ``*.exc``, ``cntlist.rev``) are read from
a folder: Debian's ``wordnet-base`` 1:3.0-37 in this machine's apt cache, unpacked
(``dpkg-deb -x``; nothing downloaded), as bench/sisters.py reads them.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_verifier.cross_continue import PUBLIC_HELDOUT, _key, _text
from train.cache_verifier.filter_bundle import read_probe, sha256, tokenise

REPO = Path(__file__).resolve().parents[2]
CAP, SEED = 4000, 30
SENSES = 2  # a span's (and its synonym's) first senses read
POS_SHARE = 0.8  # a word of several parts of speech: the share of its tagged senses in one
MIN_TAGS = 3  # ... and at least this many tags
SYNSET_MAX = 3  # ... in a synset of at most this many lemmas (no lump: "mode" / "manner")
FIRST_SHARE = 0.5  # an unvouched swap: each word's first sense holds this share of its tags
SPAN_MAX = 2  # words a side of the one replace opcode
JOINERS = frozenset("-_/@+&*=<>.")  # a span next to one is part of a token, not a word
KEEP_POS = ("n", "v", "a")  # adverbs ("up" / "down", "before" / "after") make no sound pair
# Words WordNet files as content words that the swaps use as prepositions or quantities.
NOT_CONTENT = frozenset({
    "after", "before", "during", "until", "since", "per", "via", "above", "below", "over",
    "under", "inside", "outside", "near", "off", "out", "through", "around", "across", "along",
    "behind", "beyond", "within", "without", "up", "down", "away", "back", "little", "much",
    "more", "less", "most", "least", "few", "many", "several", "too", "very", "also", "only",
    "just", "still", "even", "ever", "yet"
})
LIVING = {"05": "noun.animal", "18": "noun.person", "20": "noun.plant"}
POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
SS_TYPE = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
RULE = ("S8's minimal pairs (recipe R-d): for each negative of S5's bundle whose two texts "
        "differ, on lower-cased word tokens, by exactly one difflib 'replace' opcode of 1-2 "
        "words a side, a positive on its template: the cached text unchanged, the query the "
        "cached text with the swapped-out span replaced by a true WordNet synonym (else the "
        "query side's swapped-in span, the negative's query text then the positive's cached "
        "text); same part of speech, single word, a first or second sense, not a living "
        "thing, not the other side's word, not an antonym, the layer's synonym table "
        "agreeing, and a writer's one-span swap in a bundle positive vouching for it; "
        "negations left out; label 1, flagged train.minimal; pairs sharing a text "
        "with the screen's sets (heldout54-69, bench/cache_pairs/heldout.jsonl) dropped; at "
        "most 4,000, drawn with seed 30")

HAND_RULE = ("S8's minimal pairs, hand-written (rule S8's ADDENDUM): 2,400 + 1,200 one-span swap "
             "negatives of S5's bundle (one difflib replace opcode of 1-2 words a side, no "
             "negation word, no digit in either span, one per cached text and span, drawn with "
             "random.Random(30)) given to writer agents, who wrote the cached text with the "
             "span replaced by a true synonym in that sentence, or skip; each positive the pair "
             "cached -> positive, label 1, flagged train.minimal (train.hand as its "
             "negative's); dropped: the lead's ids, a positive equal to the cached text or the "
             "negative or differing from the cached text outside the span by more than an "
             "article or inflection, a bundle pair already, a text of the screen's sets "
             "(heldout54-69, bench/cache_pairs/heldout.jsonl), a duplicate")


def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    from llm_router.cache.lexicon import FUNCTION_WORDS, NEGATIONS

    return frozenset(FUNCTION_WORDS), frozenset(NEGATIONS)


# --------------------------------------------------------------------------- WordNet


@dataclass(frozen=True)
class WordNet:
    """What the chooser reads of WordNet 3.0: each (lemma, pos)'s synsets in sense order,
    each synset's lexicographer file and lemmas, each (lemma, pos)'s tagged count and each
    (lemma, pos, synset)'s, and the exception lists' inflected forms."""

    senses: dict[tuple[str, str], list[str]]  # (lemma, pos) -> synset offsets, sense order
    synsets: dict[tuple[str, str], tuple[str, list[str]]]  # (pos, offset) -> (lexfile, lemmas)
    tags: dict[tuple[str, str], int]  # (lemma, pos) -> tagged count, all its senses
    sense_tags: dict[tuple[str, str, int], int]  # (lemma, pos, sense number) -> tagged count
    inflected: frozenset[str]  # the exception lists' inflected forms

    @classmethod
    def read(cls, folder: Path) -> WordNet:
        senses: dict[tuple[str, str], list[str]] = {}
        synsets: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for name, pos in POS.items():
            for line in (folder / f"index.{name}").read_text("utf-8").splitlines():
                if line.startswith(" "):
                    continue
                fields = line.split()
                synset_cnt, ptr_cnt = int(fields[2]), int(fields[3])
                offsets = fields[4 + ptr_cnt + 2:]
                if len(offsets) != synset_cnt:
                    raise SystemExit(f"index.{name}: unreadable line {line[:60]!r}")
                senses[(fields[0].replace("_", " "), pos)] = offsets
            for line in (folder / f"data.{name}").read_text("utf-8").splitlines():
                if line.startswith(" "):
                    continue
                fields = line.split(" | ", 1)[0].split()
                count = int(fields[3], 16)
                lemmas = [fields[4 + 2 * k].split("(", 1)[0].replace("_", " ")
                          for k in range(count)]
                synsets[(pos, fields[0])] = (fields[1], lemmas)
        tags: Counter[tuple[str, str]] = Counter()
        sense_tags: dict[tuple[str, str, int], int] = {}
        counts = folder / "cntlist.rev"
        for line in counts.read_text("utf-8").splitlines():
            key, number, tagged = line.split()
            lemma, rest = key.split("%", 1)
            pos = SS_TYPE[rest[0]]
            lemma = lemma.replace("_", " ")
            tags[(lemma, pos)] += int(tagged)
            sense_tags[(lemma, pos, int(number))] = int(tagged)
        inflected = {line.split()[0].replace("_", " ")
                     for name in POS for line in
                     (folder / f"{name}.exc").read_text("utf-8").splitlines() if line.strip()}
        return cls(senses, synsets, dict(tags), sense_tags, frozenset(inflected))

    def poses(self, lemma: str) -> list[str]:
        return [p for p in POS.values() if (lemma, p) in self.senses]

    def pos_of(self, lemma: str) -> str | None:
        """The span's part of speech: its only one, or the one holding ``POS_SHARE`` of at
        least ``MIN_TAGS`` tagged senses; None where unsure."""
        poses = self.poses(lemma)
        if len(poses) == 1:
            return poses[0]
        total = sum(self.tags.get((lemma, p), 0) for p in poses)
        if not poses or total < MIN_TAGS:
            return None
        best = max(poses, key=lambda p: self.tags.get((lemma, p), 0))
        return best if self.tags.get((lemma, best), 0) >= POS_SHARE * total else None

    def dominant(self, lemma: str, pos: str) -> bool:
        """Its first sense in ``pos`` holds at least ``FIRST_SHARE`` of at least ``MIN_TAGS``
        tagged senses there."""
        total = self.tags.get((lemma, pos), 0)
        return total >= MIN_TAGS and self.sense_tags.get((lemma, pos, 1), 0) >= FIRST_SHARE * total

    def rank(self, lemma: str, pos: str, offset: str) -> int | None:
        """The synset's sense number (1 first) among ``lemma``'s senses in ``pos``."""
        offsets = self.senses.get((lemma, pos), [])
        return offsets.index(offset) + 1 if offset in offsets else None


# --------------------------------------------------------------------------- the chooser


def words(text: str) -> list[re.Match[str]]:
    """The text's word tokens (letters and digits, an apostrophe's ending kept)."""
    return list(WORD.finditer(text))


def one_span(a: str, b: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where ``a`` and ``b`` differ, on lower-cased word tokens, by exactly one difflib
    'replace' opcode of 1-``SPAN_MAX`` words a side: (i1, i2), (j1, j2); else None."""
    x = [m.group().lower() for m in words(a)]
    y = [m.group().lower() for m in words(b)]
    ops = [op for op in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    if len(ops) != 1 or ops[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = ops[0]
    if not (1 <= i2 - i1 <= SPAN_MAX and 1 <= j2 - j1 <= SPAN_MAX):
        return None
    return (i1, i2), (j1, j2)


# The word before a span that says what it is: a determiner, a noun (or an adjective before
# one); a subject pronoun, "to" or a modal, a verb ("at the start" / "to start").
NOUN_CUES = frozenset({
    "the", "a", "an", "my", "your", "our", "their", "his", "her", "its", "this", "that", "these",
    "those", "each", "every", "per", "any", "some", "which", "whose"
})
VERB_CUES = frozenset({
    "to", "i", "we", "you", "they", "can", "could", "will", "would", "should", "must", "may",
    "might", "do", "does", "did", "please", "cannot"
})


def context_pos(before: str) -> str | None:
    """The part of speech the word before a span says (None: it says nothing)."""
    return "n" if before in NOUN_CUES else "v" if before in VERB_CUES else None


def attested(probe: list[dict[str, str]], labels: np.ndarray
             ) -> dict[str, dict[str, set[str]]]:
    """Each span a writer swapped in a positive of the bundle (a one-span pair, label 1), what
    for, both ways, and the words either side of the swap there ("start" -> {"begin": {"to",
    "a", ...}})."""
    out: dict[str, dict[str, set[str]]] = {}
    for p, label in zip(probe, labels, strict=True):
        if label != 1 or (spans := one_span(p["cached"], p["query"])) is None:
            continue
        a = [m.group().lower() for m in words(p["cached"])]
        b = [m.group().lower() for m in words(p["query"])]
        (i1, i2), (j1, j2) = spans
        x, y = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        near = {w for w in (a[i1 - 1] if i1 else "", a[i2] if i2 < len(a) else "",
                            b[j1 - 1] if j1 else "", b[j2] if j2 < len(b) else "") if w}
        out.setdefault(x, {}).setdefault(y, set()).update(near)
        out.setdefault(y, {}).setdefault(x, set()).update(near)
    return out


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@dataclass
class Chooser:
    """Picks a true synonym for a span (see the module docstring); ``skips`` counts why not."""

    wordnet: WordNet
    same: Callable[[Sequence[str], Sequence[str]], bool]  # the layer's synonym table
    antonyms: frozenset[tuple[str, str]]
    function_words: frozenset[str]
    negations: frozenset[str]
    known: Callable[[str], bool] = lambda word: True  # a word of the embedder's vocabulary
    # span -> synonyms a writer swapped it for in a positive of the bundle, and the words
    # beside the swap there (``attested``; None: not read)
    attested: dict[str, dict[str, set[str]]] | None = None
    wordnet_path: bool = False  # an unvouched synonym may pass by WordNet's first senses
    same_neighbour: bool = False  # a writer's swap vouches only beside a word it had there
    skips: Counter[str] = field(default_factory=Counter)
    last_how: str = ""  # how the last synonym was vouched for: "writer" or "wordnet"

    def _skip(self, why: str) -> str | None:
        """Counts a skip's reason; None (no synonym)."""
        self.skips[why] += 1
        return None

    def base_form(self, lemma: str, pos: str) -> bool:
        """As written a lemma of ``pos``, not an inflected form of another lemma."""
        wn = self.wordnet
        if lemma in wn.inflected:
            return False
        last = lemma.split()[-1]
        stems = set()
        if last.endswith("s") and not last.endswith("ss"):
            stems |= {last[:-1], last[:-2] if last.endswith("es") else last[:-1]}
            if last.endswith("ies"):
                stems.add(last[:-3] + "y")
        for ending in ("ed", "ing"):
            if last.endswith(ending):
                stem = last[:-len(ending)]
                stems |= {stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2]
                          else stem}
        return not any((s, p) in wn.senses for s in stems if s and s != last
                       for p in ("n", "v"))

    def synonym(self, text: str, span: tuple[int, int], other: str,
                other_span: tuple[int, int]) -> str | None:
        """``text`` with its span replaced by a true synonym, or None (a skip counted)."""
        toks, otoks = words(text), words(other)
        mine = [m.group() for m in toks[span[0]:span[1]]]
        theirs = [m.group().lower() for m in otoks[other_span[0]:other_span[1]]]
        low = [w.lower() for w in mine]
        if any(any(c.isdigit() for c in w) for w in low + theirs):
            return self._skip("a digit in a span")
        if any(w in self.negations or "'" in w for w in low + theirs):
            return self._skip("a negation or contraction in a span")
        for k, w in enumerate(mine):
            first = span[0] + k == 0
            if w != w.lower() and not (first and w[0].isupper() and w[1:] == w[1:].lower()):
                return self._skip("a capital inside the text (a name)")
        if any(w in self.function_words or w in NOT_CONTENT for w in low) \
                or any(len(w) < 3 for w in low):
            return self._skip("a function word or a short word")
        start, end = toks[span[0]].start(), toks[span[1] - 1].end()
        if text[start - 1:start] in JOINERS or text[end:end + 1] in JOINERS:
            return self._skip("a span inside a compound (min-heap, a/b)")
        lemma, other_lemma = " ".join(low), " ".join(theirs)
        wn = self.wordnet
        pos = wn.pos_of(lemma)
        cue = context_pos(toks[span[0] - 1].group().lower() if span[0] > 0 else "")
        if cue is not None and cue in wn.poses(lemma) and (pos is None or pos == cue
                                                           or len(low) == 1):
            pos = cue
        elif cue is not None and cue != pos:
            return self._skip("the word before says another part of speech")
        if pos is None:
            return self._skip("not in WordNet or its part of speech unsure")
        if pos not in KEEP_POS:
            return self._skip("an adverb")
        if not self.base_form(lemma, pos):
            return self._skip("an inflected form")
        if pos not in wn.poses(other_lemma):
            return self._skip("the other side's span is not a lemma of that part of speech")
        used = {m.group().lower() for m in toks} | {m.group().lower() for m in otoks}
        choices: list[tuple[bool, int, int, str]] = []
        said = self.attested.get(lemma, {}) if self.attested is not None else {}
        near = {toks[k].group().lower() for k in (span[0] - 1, span[1]) if 0 <= k < len(toks)}
        for sense, offset in enumerate(wn.senses[(lemma, pos)][:SENSES], start=1):
            lexfile, lemmas = wn.synsets[(pos, offset)]
            if pos == "n" and lexfile in LIVING:
                continue
            for cand in lemmas:
                low_cand = cand.lower()
                if (cand != low_cand or " " in cand or "-" in cand or not cand.isalpha()
                        or low_cand in used or low_cand in (lemma, other_lemma)
                        or len(low_cand) < 3 or low_cand in self.function_words):
                    continue
                own = wn.rank(low_cand, pos, offset)
                if own is None or own > SENSES:
                    continue
                # A writer's swap (a bundle positive) vouches for the sense; otherwise
                # (``--unvouched``) both words must be read in their dominant, tagged first
                # sense in a small synset, the synonym one word piece of the vocabulary.
                vouched = low_cand in said and (not self.same_neighbour
                                                or bool(said[low_cand] & near))
                if not vouched and not (
                        self.wordnet_path and sense == 1 and own == 1
                        and len(lemmas) <= SYNSET_MAX and self.known(low_cand)
                        and wn.dominant(lemma, pos) and wn.dominant(low_cand, pos)
                        and wn.pos_of(low_cand) == pos):
                    continue
                if low_cand in wn.inflected or not self.base_form(low_cand, pos):
                    continue
                if not self.same(low, [low_cand]):
                    continue
                if self.same(theirs, [low_cand]) or tuple(sorted((other_lemma, low_cand))) \
                        in self.antonyms:
                    continue
                choices.append((not vouched, sense, -wn.sense_tags.get((low_cand, pos, own), 0),
                                low_cand))
        if not choices:
            return self._skip("no synonym passes")
        best = min(choices)
        word = best[3]
        self.last_how = "wordnet" if best[0] else "writer"
        before = toks[span[0] - 1].group().lower() if span[0] > 0 else ""
        if before in ("a", "an") and _article(word) != before:
            return self._skip("the article would change")
        if mine[0][0].isupper():
            word = word[0].upper() + word[1:]
        return text[:start] + word + text[end:]


# --------------------------------------------------------------------------- the bundle


def guard_texts(sets: Sequence[str], data: Path = REPO / "data",
                public: Path = PUBLIC_HELDOUT) -> set[str]:
    """The texts (``_text``) of the named sets' pairs and ``bench/cache_pairs/heldout.jsonl``."""
    out = set()
    for path in [data / s / "cache_pairs.jsonl" for s in sets] + [public]:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                p = json.loads(line)
                out |= {_text(p["a"]), _text(p["b"])}
    return out


def admit(pair: dict[str, Any], made: dict[frozenset[str], dict[str, Any]],
          existing: set[frozenset[str]], guard: set[str], counts: Counter[str]) -> bool:
    """Keep ``pair`` in ``made`` unless its two texts already make a bundle pair, it shares a
    text with ``guard`` or it is one already made (each counted in ``counts``)."""
    key = _key(pair["cached"], pair["query"])
    if key in existing:
        counts["already_a_bundle_pair"] += 1
        return False
    if _text(pair["cached"]) in guard or _text(pair["query"]) in guard:
        counts["dropped_by_text_guard"] += 1
        return False
    if key in made:
        counts["duplicate"] += 1
        return False
    made[key] = pair
    return True


def generate(probe: list[dict[str, str]], labels: np.ndarray, chooser: Chooser,
             guard: set[str], cap: int = CAP, seed: int = SEED
             ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The new pairs ({i: the negative's row, side, cached, query}) and the counts."""
    existing = {_key(p["cached"], p["query"]) for p in probe}
    counts: Counter[str] = Counter()
    made: dict[frozenset[str], dict[str, Any]] = {}
    for i, (p, label) in enumerate(zip(probe, labels, strict=True)):
        if label != 0:
            continue
        counts["negatives"] += 1
        spans = one_span(p["cached"], p["query"])
        if spans is None:
            continue
        counts["one_span"] += 1
        new, side = chooser.synonym(p["cached"], spans[0], p["query"], spans[1]), "cached"
        template = p["cached"]
        if new is None:
            new, side = chooser.synonym(p["query"], spans[1], p["cached"], spans[0]), "query"
            template = p["query"]
        if new is None:
            counts["no_synonym"] += 1
            continue
        counts[f"made_{side}_side"] += 1
        admit({"i": i, "side": side, "how": chooser.last_how, "cached": template, "query": new,
               "negative": {"cached": p["cached"], "query": p["query"]}},
              made, existing, guard, counts)
    pairs = sorted(made.values(), key=lambda m: m["i"])
    counts["candidates"] = len(pairs)
    if len(pairs) > cap:
        pairs = sorted(random.Random(seed).sample(pairs, cap), key=lambda m: m["i"])
    counts["kept"] = len(pairs)
    return pairs, {"counts": dict(counts), "skips": dict(chooser.skips.most_common())}


ARTICLES = frozenset({"a", "an", "the"})
# Inflections the suffix test misses (agreement with a plural or singular synonym).
IRREGULAR = (frozenset({"is", "are", "was", "were", "be"}), frozenset({"has", "have"}),
             frozenset({"does", "do"}))


def inflection(x: str, y: str) -> bool:
    """``x`` and ``y`` are one word inflected two ways ("is" / "are", "charge" / "charges")."""
    if x == y or any(x in g and y in g for g in IRREGULAR):
        return True
    short, long_ = sorted((x, y), key=len)
    stems = {short, short[:-1] if short.endswith("e") else short,
             short[:-1] + "i" if short.endswith("y") else short}
    return any(long_ == stem + end for stem in stems for end in ("s", "es", "d", "ed", "ing"))


def outside_span(cached: str, positive: str, span: tuple[int, int]) -> int:
    """How many word edits turn ``cached`` into ``positive`` outside ``span`` (its swapped-out
    words) other than an article or an inflection ("a" -> "an" before the synonym, "is" ->
    "are"): 0 where the positive differs from the cached text only in the span."""
    x = [m.group().lower() for m in words(cached)]
    y = [m.group().lower() for m in words(positive)]
    i1, i2 = span
    bad = 0
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if tag == "equal" or (i1 <= a1 and a2 <= i2):
            continue
        # the edit's words before and after the span, matched word for word from its ends
        lead, tail = max(0, min(a2, i1) - a1), max(0, a2 - max(a1, i2))
        left = list(zip(x[a1:a1 + lead], y[b1:b1 + lead], strict=False))
        right = list(zip(x[a2 - tail:a2], y[max(b1, b2 - tail):b2], strict=False))
        if len(left) < lead or len(right) < tail or lead + tail == 0:
            bad += 1  # an insertion or deletion outside the span
            continue
        bad += sum(1 for u, v in left + right
                   if not (inflection(u, v) or (u in ARTICLES and v in ARTICLES)))
    return bad


def read_jsonl_rows(paths: Sequence[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths
            for line in path.read_text("utf-8").splitlines() if line.strip()]


def hand_pairs(probe: list[dict[str, str]], inputs: list[dict[str, Any]],
               outputs: list[dict[str, Any]], guard: set[str],
               drop_ids: frozenset[str] = frozenset()
               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Writers' positives as minimal pairs (rule S8's ADDENDUM): each input (a one-span swap
    negative of the bundle: idx, cached, negative, span, swapped_in, id) answered by an output
    ``{"id", "positive"}`` becomes the pair cached -> positive, label 1, beside its negative
    (``{"id", "skip": true}`` makes none). Dropped and counted: an id in ``drop_ids``; a
    positive equal (``_text``) to the cached text or the negative; one that differs from the
    cached text outside the span by more than an article or inflection; then ``admit``'s
    (a bundle pair already, the text guard, a duplicate)."""
    by_id = {r["id"]: r for r in inputs}
    existing = {_key(p["cached"], p["query"]) for p in probe}
    counts: Counter[str] = Counter(inputs=len(inputs), outputs=len(outputs))
    made: dict[frozenset[str], dict[str, Any]] = {}
    seen: set[str] = set()
    for out in outputs:
        ident = out["id"]
        if ident in seen or ident not in by_id:
            raise SystemExit(f"output id {ident!r}: repeated or not an input's")
        seen.add(ident)
        if out.get("skip") or "positive" not in out:
            counts["skipped_by_writer"] += 1
            continue
        counts["positives"] += 1
        row, positive = by_id[ident], str(out["positive"]).strip()
        neg = probe[int(row["idx"])]
        if neg["cached"] != row["cached"] or neg["query"] != row["negative"]:
            raise SystemExit(f"{ident}: not the bundle's pair {row['idx']}")
        if ident in drop_ids:
            counts["dropped_by_lead"] += 1
            continue
        if _text(positive) in (_text(row["cached"]), _text(row["negative"])):
            counts["equal_to_cached_or_negative"] += 1
            continue
        spans = one_span(row["cached"], row["negative"])
        if spans is None or outside_span(row["cached"], positive, spans[0]):
            counts["differs_outside_the_span"] += 1
            continue
        admit({"i": int(row["idx"]), "side": "cached", "how": "hand", "id": ident,
               "cached": row["cached"], "query": positive,
               "negative": {"cached": neg["cached"], "query": neg["query"]}},
              made, existing, guard, counts)
    pairs = sorted(made.values(), key=lambda m: (m["i"], m["id"]))
    counts["kept"] = len(pairs)
    missing = set(by_id) - seen
    counts["inputs_unanswered"] = len(missing)
    return pairs, {"counts": dict(counts)}


Tokenise = Callable[[list[dict[str, str]]], dict[str, np.ndarray]]


def word_rows(ids: np.ndarray) -> np.ndarray:
    """The shipped embedder's word-piece rows at ``ids`` (``write_bundle``'s source)."""
    from llm_router.embedding.artefact import load_model_files

    return np.asarray(load_model_files(None).weights["embeddings.word_embeddings.weight"][ids])


def add_pairs(bundle_path: Path, out: Path, pairs: list[dict[str, Any]], *,
              probe: list[dict[str, str]], tokens: Tokenise = tokenise,
              rows_of: Callable[[np.ndarray], np.ndarray] = word_rows,
              check: bool = True, rule: str = RULE) -> dict[str, Any]:
    """Write ``out`` (+ ``.json``, ``-probe.jsonl``): the bundle with ``pairs`` appended."""
    meta = json.loads(bundle_path.with_suffix(".json").read_text())
    bundle = np.load(bundle_path)
    n, m = int(bundle["train.label"].size), len(pairs)
    if "train.minimal" in bundle.files:
        raise SystemExit("the bundle has minimal pairs already")
    if check and pairs:  # the negatives' texts tokenise to the bundle's rows there
        idx = np.asarray([p["i"] for p in pairs], np.int64)
        again = tokens([probe[int(i)] for i in idx])
        if any(not np.array_equal(again[k], bundle[k][idx]) for k in again):
            raise SystemExit("the probe's texts are not the bundle's pairs")
    new = tokens([{"cached": p["cached"], "query": p["query"]} for p in pairs])
    arrays: dict[str, np.ndarray] = {}
    hand = bundle["train.hand"][[p["i"] for p in pairs]] if pairs else np.zeros(0, np.bool_)
    for k in bundle.files:
        v = bundle[k]
        if not k.startswith("train."):
            arrays[k] = v
        elif k in new:
            arrays[k] = np.concatenate([v, new[k].astype(v.dtype)])
        elif k == "train.label":
            arrays[k] = np.concatenate([v, np.ones(m, v.dtype)])
        elif k == "train.hand":
            arrays[k] = np.concatenate([v, hand.astype(v.dtype)])
        else:  # every other flag: false for the new pairs
            arrays[k] = np.concatenate([v, np.zeros(m, v.dtype)])
    arrays["train.minimal"] = np.concatenate([np.zeros(n, np.bool_), np.ones(m, np.bool_)])
    used = np.unique(np.concatenate([new["train.a"].ravel(), new["train.b"].ravel()])
                     ).astype(np.int32)
    ids = bundle["word.ids"]
    missing = np.setdiff1d(used, ids)
    if missing.size:
        merged = np.union1d(ids, missing).astype(ids.dtype)
        rows = np.zeros((merged.size, bundle["word.rows"].shape[1]), bundle["word.rows"].dtype)
        rows[np.searchsorted(merged, ids)] = bundle["word.rows"]
        rows[np.searchsorted(merged, missing)] = rows_of(missing).astype(rows.dtype)
        arrays["word.ids"], arrays["word.rows"] = merged, rows
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    sources = dict(meta["train_sources"])
    sources["minimal"] = m
    new_meta = {**meta, "train_pairs": n + m, "train_sources": sources,
                "word_rows": int(arrays["word.ids"].size),
                "minimal": {"pairs": m, "bundle_sha256": sha256(bundle_path),
                            "rule": rule, "new_word_rows": int(missing.size)}}
    out.with_suffix(".json").write_text(json.dumps(new_meta, indent=2))
    with open(out.with_name(out.stem + "-probe.jsonl"), "w", encoding="utf-8") as fh:
        for row in probe:
            fh.write(json.dumps(row) + "\n")
        for p in pairs:
            fh.write(json.dumps({"cached": p["cached"], "query": p["query"]}) + "\n")
    return {"pairs": n, "minimal": m, "train_pairs": n + m,
            "new_word_rows": int(missing.size), "out": str(out), "out_sha256": sha256(out)}


def chooser_from(folder: Path) -> Chooser:
    """The chooser over WordNet 3.0 in ``folder`` and the layer's synonym table."""
    from llm_router.cache.synonyms import shared_synonyms
    from llm_router.embedding.minilm import shared_embedder

    table = shared_synonyms()
    function_words, negations = _lexicon()
    tokenizer = shared_embedder().tokenizer

    def known(word: str) -> bool:
        return len(tokenizer.encode(word, add_special_tokens=False).ids) == 1

    return Chooser(WordNet.read(folder), table.same, table.antonyms, function_words,
                   negations, known)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--sha256", help="the bundle's sha256 it must have")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--wordnet", type=Path,
                        help="a folder of WordNet 3.0's database files (the generator)")
    parser.add_argument("--hand", type=Path, nargs="+",
                        help="writers' outputs ({id, positive} or {id, skip}): their positives "
                             "are the minimal pairs, not the generator's")
    parser.add_argument("--hand-inputs", type=Path, nargs="+",
                        help="the negatives the writers were given (idx, cached, negative, "
                             "span, swapped_in, id)")
    parser.add_argument("--drop-ids", type=Path, help="ids to drop, one a line (the lead's)")
    parser.add_argument("--guard", nargs="+", default=[],
                        help="sets (data/<set>/cache_pairs.jsonl) whose texts no new pair shares")
    parser.add_argument("--cap", type=int, default=CAP)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--unvouched", action="store_true",
                        help="also a synonym no writer swapped, by WordNet's dominant first "
                             "senses in a synset of at most three lemmas (off: a third wrong)")
    parser.add_argument("--same-neighbour", action="store_true",
                        help="a writer's swap vouches only beside a word it had there")
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, help="the new pairs and their negatives (jsonl)")
    parser.add_argument("--texts", type=Path, help="the new pairs' texts, one a line")
    args = parser.parse_args(argv)
    started = time.process_time()
    digest = sha256(args.bundle)
    if args.sha256 and digest != args.sha256:
        raise SystemExit(f"{args.bundle}: sha256 {digest}, not {args.sha256}")
    probe = read_probe(args.bundle.with_name(args.bundle.stem + "-probe.jsonl"))
    labels = np.load(args.bundle)["train.label"]
    if len(probe) != labels.size:
        raise SystemExit(f"probe {len(probe)}, bundle {labels.size}")
    if args.hand:
        if not args.hand_inputs:
            raise SystemExit("--hand needs --hand-inputs")
        drop = frozenset(args.drop_ids.read_text().split()) if args.drop_ids else frozenset()
        pairs, counts = hand_pairs(probe, read_jsonl_rows(args.hand_inputs),
                                   read_jsonl_rows(args.hand), guard_texts(args.guard), drop)
        source: dict[str, Any] = {
            "rule": HAND_RULE,
            "files_sha256": {str(f): sha256(f) for f in
                             [*args.hand_inputs, *args.hand,
                              *([args.drop_ids] if args.drop_ids else [])]},
            "drop_ids": sorted(drop)}
    else:
        if args.wordnet is None:
            raise SystemExit("--wordnet (the generator) or --hand (writers' positives)")
        chooser = chooser_from(args.wordnet)
        chooser.attested = attested(probe, labels)
        chooser.wordnet_path, chooser.same_neighbour = args.unvouched, args.same_neighbour
        pairs, counts = generate(probe, labels, chooser, guard_texts(args.guard), args.cap,
                                 args.seed)
        source = {"rule": RULE, "wordnet": str(args.wordnet), "cap": args.cap,
                  "seed": args.seed, "senses": SENSES, "pos_share": POS_SHARE,
                  "min_tags": MIN_TAGS, "living": sorted(LIVING.values()),
                  "unvouched": args.unvouched, "same_neighbour": args.same_neighbour,
                  "attested_spans": len(chooser.attested)}
    written = add_pairs(args.bundle, args.out, pairs, probe=probe,
                        rule=HAND_RULE if args.hand else RULE)
    record = {**source, "bundle": str(args.bundle), "bundle_sha256": digest,
              "guard": [*args.guard, str(PUBLIC_HELDOUT)], **counts, **written,
              "by_side": dict(Counter(p["side"] for p in pairs)),
              "by_how": dict(Counter(p["how"] for p in pairs)),
              "cpu_s": round(time.process_time() - started, 1)}
    args.record.parent.mkdir(parents=True, exist_ok=True)
    args.record.write_text(json.dumps(record, indent=1) + "\n")
    if args.pairs is not None:
        args.pairs.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
    if args.texts is not None:
        texts = sorted({t for p in pairs for t in (p["cached"], p["query"])})
        args.texts.write_text("".join(t + "\n" for t in texts))
    made = counts["counts"].get("positives" if args.hand else "candidates", 0)
    print(f"{args.out} (sha256 {written['out_sha256'][:16]}): {written['train_pairs']:,} pairs, "
          f"{written['minimal']:,} minimal of {made:,} made; "
          f"{record['cpu_s']} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
