"""A longer question about a specific case of a shorter, general one (pure numpy).

"when is payday?" is answered by a cached answer to "payday falls on a Sunday this month;
will the salary come on the Friday before or the Monday after?" only in part: the longer
text adds a case (a condition, an event that already happened, a date) and asks what
follows from it. The verifier reads such pairs as one question (p 0.90-1.0: its training
pairs taught it that a longer text adds context); a greeting, who the asker is or why they
ask add context too, and there the answer is the same. This check reads the words the
longer side adds and where they stand, and may refuse a pair the verifier passed, never
pass one it refused.

What it reads, of the pair's two word views (``pair_features.TextView``, which the lookup
holds already) and texts: the longer side (more content words) is cut into clauses (at
. ; : ! ? and ", "); the clause that asks (the last one opening with a question word, else
the last) is the question. Features (``FEATURES``): how much of the shorter side's content
the question clause and the whole longer text cover (static word vectors,
``pair_features.MATCH``), how much of the question clause the shorter side covers, the IDF
weight of the longer side's content words that match nothing in the shorter one, in the
question clause and outside it (hello, who asks and why do not count:
``lexicon.CONTEXT_WORDS``), condition and exception words the shorter side lacks
(``lexicon.CASE_MARKERS``: if, already, instead, still, only...), days and dates it lacks,
unmatched words in -ed (an event), the length ratio, the number of clauses, the verifier's
logit and the sentences' cosine. A logistic regression (``narrowing.json``: weights fitted
on training pairs only, ``train/cache_verifier/narrowing.py``) gives the probability that
the pair still asks one question; under its ``cut`` the pair is refused. A pair whose
longer side adds fewer than ``gate`` content words is never read. Off by default
(``cache.narrowing``): it did not meet session 13's rule (docs/cache-history.md
"Session 13").

``own_case`` (``cache.own_case``, on: it met session 17's rule) reads one shape of it with
no fitted weights: a general
question cached ("how long do blood test results take") and a query that tells the
writer's own case and asks something else ("it's been five days since my bloods and
nobody can find my results, can you chase them"; "the school shoes I bought from you
split at the sole after a month, what are my options"), docs/cache-history.md "Session
17: the general question and the writer's own case"; since session 18 (v2, the same
setting) also a query that asks about the writer's own plan or situation a question and
a further request the general answer does not give ("can we have a dog at the ceremony" /
"our dog will be ring bearer, can she also stay for the reception and is there somewhere
for her to rest?"), under a cosine band.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.fitted_stack import logit
from llm_router.cache.lexicon import (
    CASE_MARKERS,
    CONTEXT_WORDS,
    FURTHER_ASKS,
    NOT_EVENT_BEFORE,
    PAST_EVENTS,
    TEMPORAL,
)
from llm_router.cache.pair_features import MATCH, TextView, normalise, similarity_matrix
from llm_router.errors import ConfigError

F32 = npt.NDArray[np.float32]

ARTEFACT = Path(__file__).resolve().parent.parent / "data" / "cache_verifier" / "narrowing.json"

FEATURES = ("short_in_question", "short_in_long", "question_covered", "question_added_idf",
            "context_added_idf",
            "added_words", "markers_question", "markers_context", "dates_added",
            "events_added", "log_length_ratio", "clauses", "logit_p", "cosine")

_CLAUSE_END = re.compile(r"[.;!?:]|,\s")
ASKS = re.compile(r"(how|what|when|where|why|who|which|can|could|do|does|did|is|are|will"
                  r"|would|should|may|am)$")


def clauses(text: str, words: tuple[str, ...]) -> list[int]:
    """The clause of each of ``words`` (a view of ``text``, in order), counted from 0."""
    lowered = normalise(text)
    out: list[int] = []
    at, clause = 0, 0
    for word in words:
        found = lowered.find(word, at)
        if found < 0:
            out.append(clause)
            continue
        if at:
            clause += len(_CLAUSE_END.findall(lowered, at, found))
        out.append(clause)
        at = found + len(word)
    return out


def question_clause(words: tuple[str, ...], clause_of: list[int]) -> int:
    """The last clause that opens with a question word, else the last clause."""
    last = max(clause_of, default=0)
    opening: dict[int, str] = {}
    for word, clause in zip(words, clause_of, strict=True):
        opening.setdefault(clause, word)
    for clause in range(last, -1, -1):
        if ASKS.match(opening.get(clause, "")):
            return clause
    return last


# The asking clause cut from a text itself (``asking_clause``): a clause ends at ", " or at
# . ; : ! ? before a space or the text's end (not inside "3.5" or "e.g." as ``clauses``
# would cut); a sentence at . ; : ! ? alone.
_CLAUSE_CUT = re.compile(r"[.;!?:]+(?=\s|$)|,\s")
_SENTENCE_CUT = re.compile(r"[.;!?:]+(?=\s|$)")
_OPENING = re.compile(r"\W*(\w+)")


def asking_clause(text: str, to_sentence_end: bool = True) -> str | None:
    """The part of ``text`` that asks: the clause ``question_clause`` picks (the last that
    opens with a question word, else the last), cut from the text itself, from its first
    word to the end of its sentence (``to_sentence_end``; else to the end of the clause),
    its closing mark kept. None when that is all of the text (one clause, or the asking
    clause opens the text and runs to its end): no second vector to read. "My son lives
    in Rotterdam; would you be able to post our tea to him there?" -> "would you be able
    to post our tea to him there?"; "I committed by mistake, how can I revert the last
    commit?" -> "how can I revert the last commit?"."""
    spans: list[tuple[int, int]] = []  # each clause's (start, end) in ``text``
    at = 0
    for cut in _CLAUSE_CUT.finditer(text):
        spans.append((at, cut.end()))
        at = cut.end()
    spans.append((at, len(text)))
    openings: list[tuple[int, str]] = []  # (start of the first word, the word lowered)
    for start, end in spans:
        first = _OPENING.match(text, start, end)
        if first is not None:
            openings.append((first.start(1), first.group(1).lower()))
    if len(openings) < 2:
        return None
    asked = question_clause(tuple(word for _, word in openings), list(range(len(openings))))
    start = openings[asked][0]
    end = len(text)
    if to_sentence_end:
        closing = _SENTENCE_CUT.search(text, start)
        if closing is not None:
            end = closing.end()
    else:
        end = next(e for s, e in spans if s <= start < e)
    ask = text[start:end].strip().rstrip(",").strip()
    return None if not ask or ask == text.strip() else ask


# A question opens at a text's first word, a clause's or after a joining word; an
# auxiliary opens one only before its subject, which / who / where / when only before an
# auxiliary (``opens_question``; ``extra_ask`` and ``own_case`` read further requests).
_JOINS = frozenset({"and", "but", "plus", "also"})
# Question words that also open a relative clause ("my brother, who lives abroad") or a
# time clause ("when I scroll down, ..."): a question only with an auxiliary after them
# ("who is", "where do").
_RELATIVE = frozenset({"which", "who", "where", "when"})
_AUXILIARIES = frozenset({"do", "does", "did", "can", "could", "will", "would", "should",
                          "is", "are", "am", "was", "were", "may", "might", "must", "has",
                          "have", "shall"})
# What follows an auxiliary that opens a question: its subject ("can I", "is there",
# "does your plan", "will the box", "is this"): a pronoun, a possessive, an article, a
# demonstrative.
_SUBJECTS = frozenset({"i", "you", "we", "they", "he", "she", "it", "there", "my", "your",
                       "our", "their", "his", "her", "its", "a", "an", "the", "this", "that",
                       "these", "those", "someone", "anyone", "one"})
_LONGEST = max(len(phrase) for phrase in FURTHER_ASKS)


def opens_question(words: tuple[str, ...], clause_of: list[int], j: int) -> bool:
    """Whether ``words[j]`` (a text's view, with each word's clause) opens a question."""
    if not ASKS.match(words[j]) or not (
            j == 0 or clause_of[j] != clause_of[j - 1] or words[j - 1] in _JOINS):
        return False
    after = words[j + 1] if j + 1 < len(words) else ""
    if words[j] in _AUXILIARIES:
        return after in _SUBJECTS  # "but could I", not "but could not find"
    return words[j] not in _RELATIVE or after in _AUXILIARIES


def further_request(words: tuple[str, ...], clause_of: list[int], start: int) -> bool:
    """Whether ``words`` from ``start`` on hold a joining word that adds a request
    (``lexicon.FURTHER_ASKS``) or a second question (not at the first word)."""
    for j in range(start, len(words)):
        if any(tuple(words[j:j + n]) in FURTHER_ASKS for n in range(1, _LONGEST + 1)):
            return True
        if j > 0 and opens_question(words, clause_of, j):
            return True
    return False


def asks_twice(words: tuple[str, ...], clause_of: list[int]) -> bool:
    """Whether a text asks a question and a further request after it ("can she stay in
    the car, and can I visit her"; "do you charge the holiday rate as well")."""
    first = next((j for j in range(len(words)) if opens_question(words, clause_of, j)), None)
    return first is not None and further_request(words, clause_of, first + 1)


# The writer's own case (``own_case``).
OWN_NEW_WORDS = 4  # content words the query names that the cached question lacks
ASK_COVERED = 0.5  # IDF share of the cached question's content the query's ask must hold
# A further request is read only under this cosine: most such false hits sat at 0.51-0.60,
# a paraphrase that asks twice mostly higher (docs/cache-history.md "Session 18").
PLAN_COSINE = 0.62
_PERSONS = frozenset({"i", "me", "my", "we", "us", "our", "you", "your"})
# Words that ask inside a clause ("in what year did ...", "I wanted to confirm whether").
_ASKING = frozenset({"how", "what", "when", "where", "why", "who", "which", "whether", "if"})
_LETTERS = re.compile(r"[a-z]+")
_FIRST_WORD = re.compile(r"\W*([a-z]+)")


def own_case(cached: TextView, query: TextView, cached_text: str, query_text: str,
             similarity: float) -> bool:
    """Whether ``query`` tells the writer's own case or asks further about it than the
    general question ``cached`` does: the cached text opens with a question word (not
    "why": a why-question asks the cause of what the query tells) and tells no case of its
    own; the query names ``OWN_NEW_WORDS`` content words it lacks and a person (I, my, we,
    you, your...); and either it tells an event (``told_case``) or, under the sentences'
    cosine ``PLAN_COSINE``, it asks a question and a further request after it
    (``asks_twice``) where the cached text asks one ("do you allow fireworks" / "we'd like
    to finish with fireworks, who do we need to notify and do you need the display
    company's insurance?")."""
    first = _FIRST_WORD.match(cached_text.lower())
    if (first is None or not ASKS.match(first.group(1)) or first.group(1) == "why"
            or not query.words or _PERSONS.isdisjoint(query.words)
            or (told(cached.words, range(len(cached.words)))
                and not _PERSONS.isdisjoint(cached.words))):
        return False
    own = set(cached.stems)
    if sum(1 for word, stem, content in zip(query.words, query.stems, query.content,
                                            strict=True)
           if content and stem not in own and word not in CONTEXT_WORDS) < OWN_NEW_WORDS:
        return False
    clause_of = clauses(query_text, query.words)
    if told_case(cached, query, query_text, clause_of):
        return True
    return (similarity < PLAN_COSINE and asks_twice(query.words, clause_of)
            and not asks_twice(cached.words, clauses(cached_text, cached.words)))


def told_case(cached: TextView, query: TextView, query_text: str,
              clause_of: list[int]) -> bool:
    """Session 17's shape: the query tells an event (``told``) before the clause that asks
    (anywhere, when it asks nothing: a complaint), and that clause holds under
    ``ASK_COVERED`` of the cached text's content (``_covered``: by stem or static word
    vector), none when it asks nothing."""
    asked = question_clause(query.words, clause_of)
    silent = "?" not in query_text and _ASKING.isdisjoint(_LETTERS.findall(
        query_text.lower())) and not any(
        ASKS.match(word) for j, word in enumerate(query.words)
        if j == 0 or clause_of[j] != clause_of[j - 1])
    before = [j for j, clause in enumerate(clause_of) if silent or clause < asked]
    if not told(query.words, before):
        return False
    if silent:
        return True
    in_ask = np.asarray([clause == asked for clause in clause_of], dtype=bool)
    return _covered(similarity_matrix(query, cached), cached, in_ask) < ASK_COVERED


def told(words: tuple[str, ...], places: Iterable[int]) -> bool:
    """Whether any of ``words`` at ``places`` tells an event: a past form
    (``lexicon.PAST_EVENTS``) or a word of five letters or more in "-ed" (not "-eed")
    that no be-form, article or possessive comes just before (``NOT_EVENT_BEFORE``: "is it
    allowed", "a rented flat")."""
    for j in places:
        word = words[j]
        if word in PAST_EVENTS or (
                len(word) >= 5 and word.endswith("ed") and not word.endswith("eed")
                and (j == 0 or words[j - 1] not in NOT_EVENT_BEFORE)):
            return True
    return False


def added_content(a: TextView, b: TextView) -> int:
    """How many more content words the longer side has (the gate)."""
    return abs(int(a.content.sum()) - int(b.content.sum()))


def narrowing_features(a: TextView, b: TextView, a_text: str, b_text: str, p: float,
                       cosine: float) -> F32:
    """One row of ``FEATURES`` for a pair (either order), the verifier's probability and
    the sentence embeddings' cosine."""
    if int(b.content.sum()) >= int(a.content.sum()):
        short, long, long_text = a, b, b_text
    else:
        short, long, long_text = b, a, a_text
    sims = similarity_matrix(long, short)
    best = sims.max(axis=1) if sims.size else np.zeros(len(long.words), np.float32)
    clause_of = clauses(long_text, long.words)
    asked = question_clause(long.words, clause_of)
    in_question = np.asarray([c == asked for c in clause_of], dtype=bool)
    added = np.asarray([long.content[i] and best[i] < MATCH and w not in CONTEXT_WORDS
                        for i, w in enumerate(long.words)], dtype=bool)
    own = set(short.words) | set(short.stems)
    markers = np.asarray([w in CASE_MARKERS and w not in own for w in long.words], dtype=bool)
    dates = {w for w in long.words if w in TEMPORAL and w not in own}
    events = sum(1 for i, w in enumerate(long.words) if added[i] and w.endswith("ed"))
    n_short, n_long = int(short.content.sum()), int(long.content.sum())
    return np.asarray([
        _covered(sims, short, in_question), _covered(sims, short, None),
        _question_covered(best, long, in_question),
        float(long.idf[added & in_question].sum()), float(long.idf[added & ~in_question].sum()),
        float(added.sum()), float((markers & in_question).sum()),
        float((markers & ~in_question).sum()), float(len(dates)), float(events),
        math.log((n_long + 1) / (n_short + 1)), float(max(clause_of, default=0) + 1),
        logit(p), cosine,
    ], dtype=np.float32)


def _covered(sims: F32, short: TextView, rows: npt.NDArray[np.bool_] | None) -> float:
    """IDF-weighted share of the shorter side's content words that some word of the
    longer side (of ``rows`` only, when given) matches."""
    mask = short.content if short.content.any() else np.ones(len(short.words), dtype=bool)
    if not mask.any() or sims.size == 0 or (rows is not None and not rows.any()):
        return 0.0
    best = (sims if rows is None else sims[rows]).max(axis=0)[mask]
    weights = short.idf[mask]
    return float((weights * (best >= MATCH)).sum() / max(float(weights.sum()), 1e-6))


def _question_covered(best: F32, long: TextView, in_question: npt.NDArray[np.bool_]) -> float:
    """IDF-weighted share of the question clause's content words that the shorter side
    matches (1 for a question clause with no content word)."""
    mask = long.content & in_question
    weights = long.idf[mask]
    if not mask.any() or float(weights.sum()) <= 0:
        return 1.0
    return float((weights * (best[mask] >= MATCH)).sum() / float(weights.sum()))


@dataclass(frozen=True)
class NarrowingCheck:
    """The fitted logistic regression and its operating point."""

    mean: F32
    scale: F32
    weights: F32
    bias: float
    cut: float  # refuse when the probability of one question is under it
    gate: int  # read only pairs whose longer side adds at least this many content words
    meta: dict[str, Any]

    def probability(self, row: F32) -> float:
        z = float(((row - self.mean) / self.scale) @ self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def refuses(self, a: TextView, b: TextView, a_text: str, b_text: str, p: float,
                cosine: float) -> bool:
        """Whether the pair the verifier passed at ``p`` asks a specific case of the other."""
        if added_content(a, b) < self.gate:
            return False
        return self.probability(narrowing_features(a, b, a_text, b_text, p, cosine)) < self.cut


def load_narrowing(path: Path | None = None) -> NarrowingCheck:
    """The check's weights and operating point (``narrowing.json``)."""
    path = path or ARTEFACT
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"narrowing check artefact missing or unreadable: {path}: {exc}") from exc
    if tuple(meta.get("features", ())) != FEATURES:
        raise ConfigError(f"{path.name} was fitted on other features; refit it")
    return NarrowingCheck(np.asarray(meta["mean"], np.float32),
                          np.asarray(meta["scale"], np.float32),
                          np.asarray(meta["weights"], np.float32), float(meta["bias"]),
                          float(meta["cut"]), int(meta["gate"]), meta)


@functools.cache
def shared_narrowing() -> NarrowingCheck:
    """The layer's check, read once per process (``cache.narrowing: true``)."""
    return load_narrowing()
