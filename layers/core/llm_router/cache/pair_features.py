"""What the pair verifier reads: a ``TextView`` per text, a feature vector per pair (pure).

A view splits a text into words (lowercased, contractions expanded, the lexicon's phrase
synonyms folded to one token), gives each word a static MiniLM vector (the mean of its
word pieces' input-embedding rows, unit norm) and an IDF weight, and pulls out what a
paraphrase must keep: quantities (numbers with their unit, normalised: "$20,000",
"20k" and "20 thousand dollars" are one amount; "5 kg" and "5kg" one weight; "one" is
no number), ids ("A-48213", "SAVE20"), names (case-insensitive, "US"/"USA"/"United
States" one country), negation and intent poles.

``pair_features`` compares two views: IDF-weighted soft coverage both ways over the
word-similarity matrix, the weight of words the other side lacks, order inversions of
aligned words ("from savings to checking" / "from checking to savings"), and agreement
of quantities, ids, names, negation, intent and question word, next to the sentence
embeddings' cosine (MiniLM's: a verifier trained on it expects that embedder). A view
depends on one text only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from llm_router.cache.codes import code_places, other_codes
from llm_router.cache.guards import _canonicalize, _stem
from llm_router.cache.lexicon import FUNCTION_WORDS, NEGATIONS, NOT_NAMES, OPPOSITES
from llm_router.cache.number_words import has_number_words, reconciled
from llm_router.cache.quantities import (
    APPROXIMATE,
    Amount,
    amount_forms,
    amounts,
    currencies,
    measures,
    other_readings,
    periods,
    ranks,
    same_amounts,
    same_currencies,
    same_measures,
    same_ranks,
    same_units,
)
from llm_router.cache.quantities import ids as identifiers
from llm_router.cache.stances import Place, opposite_stance, stance_places

if TYPE_CHECKING:
    from llm_router.cache.synonyms import Synonyms

F32 = npt.NDArray[np.float32]

FEATURES: tuple[str, ...] = (
    "cosine",
    "cover_min", "cover_max", "exact_cover_min", "exact_cover_max",
    "unmatched_idf_max", "unmatched_idf_sum", "unmatched_count_max", "unmatched_count_min",
    "weakest_match",
    "inversions", "inversion_rate",
    "bigram_overlap", "word_jaccard",
    "content_len_min", "content_len_max", "length_ratio",
    "quantity_mismatch", "quantity_any", "id_mismatch",
    "name_mismatch_max", "name_mismatch_sum",
    "negation_mismatch", "opposite_intent", "wh_mismatch",
    "typo_links", "prefix_flips",
)

# A word that is another with one of these in front means its opposite or another act:
# "accurate" / "inaccurate", "refundable" / "non-refundable", "schedule" / "reschedule".
FLIP_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis", "mis", "re", "de", "anti",
                 "over", "under", "pre", "post")

# A word matches another at or above this similarity (static vectors, exact match = 1).
MATCH = 0.62
ALIGN = 0.8  # aligned for the order check
PIECES_KEPT = 50_000  # words whose pieces ``Vocabulary.pieces`` keeps
# Texts of up to ``FORMS_TEXT_CHARS`` whose ``amount_forms`` reading ``with_forms`` keeps
# (``cache.amount_forms`` only): ~5 MB at most.
FORMS_KEPT = 2048
FORMS_TEXT_CHARS = 2000
VIEW_OVERHEAD_BYTES, WORD_BYTES = 3_000, 170  # ``TextView.nbytes`` besides its arrays

_ALIASES = (
    (re.compile(r"\bunited states(?: of america)?\b|\bu\.s\.a?\.?(?=\W|$)|\bamerica\b", re.I),
     " usa "),
    (re.compile(r"\bUSA?\b"), " usa "),  # upper case only: "us" is a pronoun
    (re.compile(r"\bunited kingdom\b|\bgreat britain\b|\bbritain\b|\bu\.k\.(?=\W|$)", re.I),
     " uk "),
    (re.compile(r"\bUK\b"), " uk "),
    (re.compile(r"\beuropean union\b", re.I), " eu "),
)
_CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b|\bcannot\b", re.I), "can not"),
    (re.compile(r"\bwon'?t\b", re.I), "will not"),
    (re.compile(r"\b(\w+)n't\b", re.I), r"\1 not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|should|could|would|has|have|had)nt\b",
                re.I), r"\1 not"),
    (re.compile(r"\bu\b"), "you"),
    (re.compile(r"\bur\b"), "your"),
    (re.compile(r"[’`]"), "'"),
)
_HYPHENATED_PREFIX = re.compile(r"\b(non|un|re|pre|post|anti|over|under|mis|de)-(?=[a-z])")
_NAME = re.compile(r"[A-Za-z][A-Za-z'.]*")
_SENTENCE_END = re.compile(r"[.!?:;]\s+|\n")
_WH = ("how", "what", "why", "where", "when", "who", "which", "whom", "whose")
_POLES = {w: (g, pole) for g, poles in enumerate(OPPOSITES) for pole, group in enumerate(poles)
          for w in group}


@dataclass(frozen=True)
class TextView:
    words: tuple[str, ...]
    stems: tuple[str, ...]
    content: npt.NDArray[np.bool_]
    idf: F32
    vectors: F32  # (len(words), dim), unit rows
    known: npt.NDArray[np.bool_]  # the word is one piece of MiniLM's vocabulary
    quantities: tuple[Amount, ...]  # sorted (value, family), see ``quantities.amounts``
    ids: frozenset[str]
    # The same read with the hard check's units too (``quantity_conflict``; no feature).
    hard_quantities: tuple[Amount, ...]
    hard_ids: frozenset[str]
    periods: frozenset[str]  # rate periods named ("per month"), ``quantities.periods``
    currencies: frozenset[str]  # named with or without an amount, ``quantities.currencies``
    names: frozenset[str]
    negated: bool
    intents: frozenset[tuple[int, int]]
    wh: str
    # ``hard_quantities`` read other ways: a bare "2m" / "5k" as metres / km, a glued "5L"
    # as lakh (``quantities.other_readings``): the hard check takes any reading.
    hard_other: tuple[tuple[Amount, ...], ...] = ()
    # Units asked for with no number ("how many kilojoules", "in miles"),
    # ``quantities.measures``: the hard check only.
    measures: frozenset[str] = frozenset()
    # Which ``words`` are file extensions ("xlsx"), ``codes.code_places``: the hard check.
    codes: frozenset[int] = frozenset()
    # Positions and counts picked from a list ("3rd", "top 3"), ``quantities.ranks``: the
    # hard check only.
    ranks: frozenset[str] = frozenset()
    # Where the words name a side ("for", "against", "pros"), ``stances.stance_places``:
    # the hard check only.
    stances: tuple[Place, ...] = ()

    @property
    def nbytes(self) -> int:
        """What the view holds in memory: its arrays, and ``WORD_BYTES`` a word (its
        string, its stem, their slots) and ``VIEW_OVERHEAD_BYTES`` (the arrays' headers, the sets
        and tuples of amounts, ids and names, the object) around them; within 5 % of
        tracemalloc's measure for questions of 5 to 120 words (tests/unit/cache)."""
        arrays = self.vectors.nbytes + self.idf.nbytes + self.content.nbytes + self.known.nbytes
        return int(arrays) + VIEW_OVERHEAD_BYTES + WORD_BYTES * len(self.words)


class Vocabulary:
    """The MiniLM word-piece tokenizer, its input-embedding table and an IDF per piece."""

    def __init__(self, tokenizer: Tokenizer, table: npt.NDArray[np.floating], idf: F32):
        self._tokenizer = tokenizer
        self._table = table
        self._idf = idf
        self._default_idf = float(idf.max()) if idf.size else 1.0
        self._pieces: dict[str, tuple[str, ...]] = {}

    def pieces(self, word: str) -> tuple[str, ...]:
        """The word's MiniLM word pieces ("kubernetes": "ku", "##ber", "##net", "##es");
        one piece: a word of the vocabulary. Kept per word (bounded)."""
        found = self._pieces.get(word)
        if found is None:
            if len(self._pieces) >= PIECES_KEPT:
                self._pieces.clear()
            encoding = self._tokenizer.encode(word, add_special_tokens=False)
            found = self._pieces[word] = tuple(encoding.tokens)
        return found

    def view(self, text: str) -> TextView:
        lowered = normalise(text)
        encoding = self._tokenizer.encode(lowered, add_special_tokens=False)
        pieces: dict[int, list[int]] = {}
        spans: dict[int, tuple[int, int]] = {}
        for token_id, word_id, (start, end) in zip(encoding.ids, encoding.word_ids,
                                                   encoding.offsets, strict=True):
            if word_id is None:
                continue
            pieces.setdefault(word_id, []).append(token_id)
            first = spans.get(word_id, (start, end))
            spans[word_id] = (first[0], end)
        words: list[str] = []
        kept: list[int] = []  # the kept words' pieces, one after another
        counts: list[int] = []
        idf: list[float] = []
        for word_id in sorted(pieces):
            start, end = spans[word_id]
            word = lowered[start:end]
            if not any(c.isalnum() for c in word):
                continue
            ids = pieces[word_id]
            words.append(word)
            kept += ids
            counts.append(len(ids))
            idf.append(max(float(self._idf[i]) for i in ids) if self._idf.size
                       else self._default_idf)
        vectors = word_vectors(self._table, kept, counts)
        known = [n == 1 for n in counts]
        stems = tuple(_stem(w) for w in words)
        content = np.asarray([w not in FUNCTION_WORDS and w not in NEGATIONS for w in words],
                             dtype=bool)
        hard_quantities = amounts(lowered, hard=True)
        return TextView(
            words=tuple(words), stems=stems, content=content,
            idf=np.asarray(idf, dtype=np.float32), vectors=vectors,
            known=np.asarray(known, dtype=bool),
            quantities=amounts(lowered), ids=identifiers(lowered),
            hard_quantities=hard_quantities, hard_ids=identifiers(lowered, hard=True),
            periods=periods(lowered), currencies=currencies(lowered),
            names=names(text), negated=any(w in NEGATIONS for w in words),
            intents=frozenset(_POLES[s] for s in set(words) | set(stems) if s in _POLES),
            wh=next((w for w in words if w in _WH), ""),
            hard_other=other_readings(lowered, hard_quantities), measures=measures(lowered),
            codes=code_places(words), ranks=ranks(lowered), stances=stance_places(words),
        )


def word_vectors(table: npt.NDArray[np.floating], pieces: list[int], counts: list[int]
                 ) -> F32:
    """Each word's static vector, (len(counts), dim) unit rows: the mean of its pieces'
    rows of ``table`` (``pieces`` holds the words' piece ids one word after another,
    ``counts`` how many each). One gather and one ``np.add.reduceat`` for the text instead
    of a gather and a ``mean`` a word: the same float32 sums (rows added in order, as
    ``mean`` along the first axis adds them; a -0.0 sum made +0.0 as ``mean``'s are)
    divided by the same counts: bit-identical views of the 47,354 texts of heldout54-85
    (session 33)."""
    dim = int(table.shape[1])
    if not counts:
        return np.zeros((0, dim), np.float32)
    rows = table[pieces].astype(np.float32)
    starts = np.zeros(len(counts), np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    vectors = np.add.reduceat(rows, starts, axis=0)
    vectors += np.float32(0.0)  # a -0.0 sum as +0.0: ``mean``'s sums start from +0.0
    vectors /= np.asarray(counts, np.float32)[:, None]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return vectors


def normalise(text: str) -> str:
    """Aliases folded (case-sensitive where case matters), lower case, contractions
    expanded, the lexicon's phrase synonyms folded to one token."""
    for pattern, repl in _ALIASES:
        text = pattern.sub(repl, text)
    lowered = _HYPHENATED_PREFIX.sub(r"\1", text.lower())  # "non-refundable": one word
    for pattern, repl in _CONTRACTIONS:
        lowered = pattern.sub(repl, lowered)
    return " ".join(_canonicalize(lowered).split())


def names(text: str) -> frozenset[str]:
    """Capitalised words not at a sentence start and ALL-CAPS words, lowercased."""
    found: set[str] = set()
    for pattern, repl in _ALIASES:
        text = pattern.sub(repl.upper(), text)
    for sentence in _SENTENCE_END.split(text):
        for i, word in enumerate(_NAME.findall(sentence)):
            bare = word.rstrip(".").removesuffix("'s")
            if len(bare) < 2 or bare.lower() in NOT_NAMES:
                continue
            if bare.isupper() or (i > 0 and bare[0].isupper()) or any(
                    c.isupper() for c in bare[1:]):
                found.add(bare.lower())
    return frozenset(found)




def pair_features(a: TextView, b: TextView, cosine: float) -> F32:
    """One row of ``FEATURES`` for the pair (symmetric up to the order check); ``cosine``
    is the sentence embeddings' similarity the index already computed."""
    sims, typos = _similarity(a, b)
    ca, cb = _mask(a), _mask(b)
    best_a = sims.max(axis=1) if sims.size else np.zeros(len(a.words), np.float32)
    best_b = sims.max(axis=0) if sims.size else np.zeros(len(b.words), np.float32)
    cover_a, exact_a, un_idf_a, un_n_a = _coverage(best_a[ca], a.idf[ca])
    cover_b, exact_b, un_idf_b, un_n_b = _coverage(best_b[cb], b.idf[cb])
    weakest = min(float(best_a[ca].min()) if ca.any() else 1.0,
                  float(best_b[cb].min()) if cb.any() else 1.0)
    inversions, aligned = _inversions(sims, ca, cb)
    la, lb = int(ca.sum()), int(cb.sum())
    qa, qb = a.quantities, b.quantities
    name_a = len(a.names - set(b.words) - set(b.stems))
    name_b = len(b.names - set(a.words) - set(a.stems))
    opposite = any((g, 1 - p) in b.intents for g, p in a.intents - b.intents)
    return np.asarray([
        cosine,
        min(cover_a, cover_b), max(cover_a, cover_b),
        min(exact_a, exact_b), max(exact_a, exact_b),
        max(un_idf_a, un_idf_b), un_idf_a + un_idf_b, max(un_n_a, un_n_b),
        min(un_n_a, un_n_b),
        weakest,
        inversions, inversions / max(aligned * (aligned - 1) / 2, 1.0),
        _bigram_overlap(a.stems, b.stems), _jaccard(set(a.stems), set(b.stems)),
        min(la, lb), max(la, lb), min(la, lb) / max(la, lb, 1),
        float(not same_amounts(qa, qb)), float(bool(qa or qb)), float(a.ids != b.ids),
        max(name_a, name_b), name_a + name_b,
        float(a.negated != b.negated), float(opposite), float(a.wh != b.wh),
        float(typos), float(prefix_flips(a.words, b.words)),
    ], dtype=np.float32)


def prefix_flips(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Words of one text that are a word of the other behind a ``FLIP_PREFIXES`` prefix,
    the bare word missing from their own text."""
    flips = 0
    for mine, other in ((a, b), (b, a)):
        own, theirs = set(mine), set(other)
        flips += sum(1 for w in theirs - own for p in FLIP_PREFIXES
                     if w.startswith(p) and len(w) - len(p) >= 4 and w[len(p):] in own
                     and w[len(p):] not in theirs)
    return flips


def quantity_conflict(a: TextView, b: TextView, synonyms: Synonyms | None = None,
                      texts: tuple[str, str] | None = None,
                      words: tuple[str, str] | None = None) -> bool:
    """The hard check: two texts that both name amounts, or both name ids, and name
    different ones never share an answer; nor equal amounts in different units ("5 kg" /
    "5 lb"), amounts of different rate periods ("$90 a month" / "$90 a year"), or
    different currencies ("1 BTC in USD" / "in EUR"), or answers asked in different units
    of one measure ("how many calories" / "how many kilojoules", "in miles" / "in km").
    An amount, id, unit, period or currency on one side only is left to the verifier
    ("Tracking hasn't moved in 6 days" may ask what "Why hasn't my order shipped?" asks).
    Nor different file formats at the same place ("xls" / "xlsx": ``codes.other_codes``),
    a position against a count of one number or two different positions ("top 3" / "3rd
    highest", "third" / "fifth": ``quantities.same_ranks``), or opposite sides of one
    thing at the same place ("arguments for" / "against", "pros" / "cons"; with
    ``synonyms``, texts that differ in nothing but WordNet antonyms: "runs fast" / "runs
    slow": ``stances.opposite_stance``). ``texts``: the texts of ``a`` and ``b``, given
    only with ``cache.amount_forms`` (session 31's candidate): each side's amounts and ids
    are then read from its text as ``quantities.amount_forms`` rewrites it. ``words``: the
    texts of ``a`` and ``b``, given only with ``cache.number_words`` (rule NW, session 36):
    a pair refused as written passes where the check lets it through with each text's
    numbers in words written in digits where the other text writes them so
    (``number_words.reconciled``); a number word never makes a refusal."""
    if texts is not None:
        a, b = with_forms(a, texts[0]), with_forms(b, texts[1])
    conflict = (value_conflict(a, b) or _unit_conflict(a, b)
                or other_codes(a.words, a.codes, b.words, b.codes)
                or opposite_stance(a.words, a.stances, b.words, b.stances,
                                   a.negated != b.negated, synonyms))
    if not conflict or words is None:
        return conflict
    return _words_conflict(a, b, words, synonyms, texts is not None)


def _words_conflict(a: TextView, b: TextView, words: tuple[str, str],
                    synonyms: Synonyms | None, forms: bool) -> bool:
    """Rule NW's reading of a pair the check refuses as written (``a`` and ``b``, read
    with the forms where ``forms``): whether it refuses the texts ``words`` with their
    numbers in words reconciled (``number_words.reconciled``; True where none is); each
    rewritten text's amounts, ids, periods, currencies, units asked for and ranks read
    again from it (with the forms where ``forms``), as ``Vocabulary.view`` reads them."""
    lowered = normalise(words[0]), normalise(words[1])
    pair = reconciled(*lowered)
    if pair is None:
        return True
    a, b = (view if after == before else _read_again(view, amount_forms(after) if forms
                                                     else after)
            for view, before, after in zip((a, b), lowered, pair, strict=True))
    return quantity_conflict(a, b, synonyms)


def _read_again(view: TextView, lowered: str) -> TextView:
    """``view`` with what the hard check reads of numbers read from ``lowered`` instead."""
    hard_quantities = amounts(lowered, hard=True)
    return replace(view, hard_quantities=hard_quantities,
                   hard_ids=identifiers(lowered, hard=True),
                   hard_other=other_readings(lowered, hard_quantities),
                   periods=periods(lowered), currencies=currencies(lowered),
                   measures=measures(lowered), ranks=ranks(lowered))


def with_forms(view: TextView, text: str) -> TextView:
    """``view`` (of ``text``) with the hard check's amounts, ids and other readings of the
    text as ``quantities.amount_forms`` rewrites it; itself where that rewrites nothing
    (the usual case: one search of the normalised text, ~10 us, once a text while
    ``_rewritten`` keeps it)."""
    rewritten = _rewritten(text) if len(text) <= FORMS_TEXT_CHARS else _rewritten.__wrapped__(text)
    if rewritten is None:
        return view
    hard_quantities = amounts(rewritten, hard=True)
    return replace(view, hard_quantities=hard_quantities,
                   hard_ids=identifiers(rewritten, hard=True),
                   hard_other=other_readings(rewritten, hard_quantities))


@lru_cache(maxsize=FORMS_KEPT)
def _rewritten(text: str) -> str | None:
    """``text`` normalised and rewritten by ``quantities.amount_forms``; None where that
    rewrites nothing. Kept for the last ``FORMS_KEPT`` short texts: a lookup checks the query
    against each candidate, and a cached entry against many queries, and normalising a
    text costs ~40 us (a populated cache's lookup read it ~10 times: +0.6-0.75 ms of
    ~19.5 ms; session 31, docs/cache-history.md). Filled only with ``cache.amount_forms``."""
    lowered = normalise(text)
    rewritten = amount_forms(lowered)
    return None if rewritten == lowered else rewritten


def value_conflict(a: TextView, b: TextView) -> bool:
    """``quantity_conflict``'s part that ``number_codes`` can read in bulk: different
    amounts (by value, units not compared; in every reading of a bare "2m" / "5k") or
    different ids."""
    return (not any(not qa or not qb or same_amounts(qa, qb)
                    for qa in _readings(a) for qb in _readings(b))
            or (bool(a.hard_ids) and bool(b.hard_ids) and a.hard_ids != b.hard_ids))


def _unit_conflict(a: TextView, b: TextView) -> bool:
    """``quantity_conflict``'s other part, read only once ``value_conflict`` found none
    (so some reading of each side's amounts is equal to the other's in value and number,
    as ``same_units`` needs): no such readings in units that can be the same ("5 kg" /
    "5 lb") and of the same rate period ("$90 a month" / "$90 a year"), or different
    currencies named ("1 BTC in USD" / "in EUR"), or different units asked for
    (``quantities.same_measures``), or positions and counts that disagree
    (``quantities.same_ranks``)."""
    if not any(not qa or not qb or (same_amounts(qa, qb) and same_units(qa, qb) and not (
            a.periods and b.periods and a.periods != b.periods))
               for qa in _readings(a) for qb in _readings(b)):
        return True
    return (not same_currencies(a.currencies, b.currencies)
            or not same_measures(a.measures, b.measures) or not same_ranks(a.ranks, b.ranks))


def _readings(view: TextView) -> tuple[tuple[Amount, ...], ...]:
    return view.hard_quantities, *view.hard_other


# ``number_codes``: the text names no amount (or is not read), and amounts that are
# only equal within a tolerance. Neither ever rules a candidate out.
NO_CODE = 0
TOLERANT = 1


def number_codes(text: str, forms: bool = False, words: bool = False) -> tuple[int, int]:
    """The hard check's amounts and ids of a text (as ``Vocabulary.view`` reads them) as
    two integers, so that an index can leave out in bulk the entries the hard check
    refuses (``TenantIndex.nearest``). A stable 64-bit hash of the sorted amount values
    (units are not compared, as in ``same_amounts``) and of the sorted ids; ``NO_CODE``
    for none, and for a text without a digit, which is not read at all (~30 us a text
    with one): an amount in words ("twenty dollars") is then left to the full check,
    as is an amount only equal within a tolerance (``TOLERANT``: data sizes, rates).
    Equal codes say nothing; different ones say the full check refuses the pair.
    ``forms``: with ``cache.amount_forms`` (session 31's candidate), read from the text as
    ``quantities.amount_forms`` rewrites it, as ``with_forms`` reads it for the check.
    ``words``: with ``cache.number_words`` (rule NW), a text that writes a number in words
    (``number_words.has_number_words``) is not read either: the check may read it with
    those words in digits, as the other text of a pair writes them (so codes differ only
    between texts NW reads as written)."""
    if not any(c.isdigit() for c in text):
        return NO_CODE, NO_CODE
    lowered = normalise(text)
    if words and has_number_words(lowered):
        return NO_CODE, NO_CODE
    lowered = amount_forms(lowered) if forms else lowered
    found = amounts(lowered, hard=True)
    if not found:
        amount_code = NO_CODE
    elif any(family in APPROXIMATE for _, family in found) or other_readings(lowered, found):
        amount_code = TOLERANT  # within a tolerance, or read two ways ("2m", "5L": ``_readings``)
    else:
        amount_code = _code(repr(sorted(value for value, _ in found)))
    found_ids = identifiers(lowered, hard=True)
    return amount_code, _code(repr(sorted(found_ids))) if found_ids else NO_CODE


def _code(text: str) -> int:
    """Stable across processes (``hash`` of a str is not); never a reserved code."""
    code = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little",
                          signed=True)
    return code if code not in (NO_CODE, TOLERANT) else code + 2


def similarity_matrix(a: TextView, b: TextView) -> F32:
    """``a``'s words (rows) against ``b``'s, as ``pair_features`` aligns them: 1 for the
    same stem or a one-slip misspelling, else the static vectors' cosine (under 1)."""
    return _similarity(a, b)[0]


def _similarity(a: TextView, b: TextView) -> tuple[F32, int]:
    """Word similarity: 1 for the same stem or a one-slip misspelling of it ("acount" /
    "account": one side must be a word MiniLM's vocabulary lacks, so "card" / "cart"
    stay two words), else the static vectors' cosine (capped below 1); and how many
    misspelling links were made."""
    if not a.words or not b.words:
        return np.zeros((len(a.words), len(b.words)), np.float32), 0
    sims = a.vectors @ b.vectors.T
    same = np.asarray(a.stems)[:, None] == np.asarray(b.stems)[None, :]
    sims = np.where(same, np.float32(1.0), np.minimum(sims, np.float32(0.99)))
    links = 0
    loose_a = [i for i in range(len(a.words)) if a.content[i] and not same[i].any()]
    loose_b = [j for j in range(len(b.words)) if b.content[j] and not same[:, j].any()]
    for i in loose_a:
        for j in loose_b:
            if not (a.known[i] and b.known[j]) and misspelt(a.words[i], b.words[j]):
                sims[i, j] = 1.0
                links += 1
    return sims.astype(np.float32, copy=False), links


def misspelt(x: str, y: str) -> bool:
    """One word a slip of the other: edit distance 1 (adjacent swaps count as one) for
    words of 4-7 letters, 2 from 8; never two words of the lexicon's opposite poles
    ("import" / "export"), never digits."""
    shortest = min(len(x), len(y))
    limit = 1 if shortest < 8 else 2
    if (shortest < 4 or abs(len(x) - len(y)) > limit or not x.isalpha() or not y.isalpha()
            or (x in _POLES and y in _POLES)):
        return False
    return _osa_distance(x, y, limit) <= limit


def _osa_distance(x: str, y: str, limit: int) -> int:
    """Optimal string alignment distance, stopping once every row exceeds ``limit``."""
    prev2: list[int] = []
    prev = list(range(len(y) + 1))
    for i in range(1, len(x) + 1):
        row = [i] + [0] * len(y)
        for j in range(1, len(y) + 1):
            cost = x[i - 1] != y[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and x[i - 1] == y[j - 2] and x[i - 2] == y[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _mask(v: TextView) -> npt.NDArray[np.bool_]:
    """Content words, or every word of a text made only of function words."""
    return v.content if v.content.any() else np.ones(len(v.words), dtype=bool)


def _coverage(best: F32, idf: F32) -> tuple[float, float, float, int]:
    if best.size == 0:
        return 0.0, 0.0, 0.0, 0
    total = float(idf.sum()) or 1.0
    unmatched = best < MATCH
    return (float((best * idf).sum()) / total, float(idf[best >= 1.0].sum()) / total,
            float(idf[unmatched].sum()), int(unmatched.sum()))


def _inversions(sims: F32, ca: npt.NDArray[np.bool_], cb: npt.NDArray[np.bool_]
                ) -> tuple[float, int]:
    """Pairs of aligned content words whose order differs between the texts."""
    if not ca.any() or not cb.any():
        return 0.0, 0
    sub = sims[np.ix_(ca, cb)]
    j_best = sub.argmax(axis=1)
    i_best = sub.argmax(axis=0)
    order = [int(j) for i, j in enumerate(j_best)
             if sub[i, j] >= ALIGN and i_best[j] == i]  # mutual best matches, in a's order
    inv = sum(1 for x in range(len(order)) for y in range(x + 1, len(order))
              if order[x] > order[y])
    return float(inv), len(order)


def _bigram_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    ba, bb = set(zip(a, a[1:], strict=False)), set(zip(b, b[1:], strict=False))
    return len(ba & bb) / max(min(len(ba), len(bb)), 1)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)
