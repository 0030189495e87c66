"""A query that asks what the cached question asks, and more (pure; no I/O).

"how do I cancel my subscription" cached, "how do I cancel my subscription but keep the
box that's already been packed for this week" asked: the cached answer says how to cancel
and nothing about the box. Every model here reads such a pair as one question (p 0.99+:
the longer text holds all of the shorter one). This check refuses a pair the verifier
passed where

- the cached text is a whole question (its first word asks: ``narrowing.ASKS``; a bare
  topic such as "late checkout" asks nothing a longer text could go beyond),
- the query holds its ask: its content words, in order (difflib's alignment of the two
  texts' content stems, ``codes.aligned``, read from the end of both, so that each word
  is found at its last mention: a question asked again after its own context is that
  question once), cover ``COVERED`` of the cached text's content by IDF weight,
- and after the last of those words the query adds a further request: a joining word
  that adds one (``lexicon.FURTHER_ASKS``: "also", "plus", "as well", "but keep", "but
  still", "without losing"...) or a second question (a clause, or the words after "and",
  "but", "plus", that open with a question word; an auxiliary opens one only before its
  subject: "but could I" asks, "but could not find" states), naming at least
  ``NEW_WORDS`` content words the cached text lacks ("..., and which should I use?" names
  none; hello, who asks and why do not count: ``lexicon.CONTEXT_WORDS``).

One direction only: a cached answer to the longer question covers the shorter one. On by
default (``cache.extra_ask``): it met session 16's rule (docs/cache-history.md "Session
16: the same question and more", with what it wrongly refuses); this v2 (the last
mention, the auxiliary's subject) met session 17's ("Session 17: extra_ask v2").

``asks_first`` reads the same shape with the further request first: "do you teach method
ringing?" cached, "could someone from your band come to our tower and teach method ringing
to our learners?" asked (S5 p 0.930, a false hit on session 30's unseen writers, where
``asks_more`` sees nothing after the shared words). It refuses where the cached text is a
whole question, the query has ``NEW_WORDS`` more content words and holds ``COVERED`` of its
ask in order (as ``asks_more``), the word just before the first held word joins an act to
it ("and", "to": ``JOINED``), and before that word the query asks the business to do
something (an auxiliary and whom it addresses: "could someone", "can you", "will your
band": ``ADDRESSED``) that names at least ``ACT_WORDS`` content words the cached text
lacks, with no question word between (``EMBEDDED``: "could you tell me whether it is safe
to eat morels raw" asks the cached question). Off by default (``cache.extra_ask_first``):
built in session 31 from a seen-set exploration (docs/cache-history.md "Session 31: the
false hits S5 passes, by family"); the lead's rule W did not adopt it: on the decision
sets heldout78-79 it fired on no pair ("Session 31: rule W, the further act first on D78").
"""

from __future__ import annotations

from llm_router.cache.codes import aligned
from llm_router.cache.lexicon import CONTEXT_WORDS
from llm_router.cache.narrowing import ASKS, clauses, further_request
from llm_router.cache.pair_features import TextView

COVERED = 0.8  # IDF share of the cached question's content words the query holds in order
NEW_WORDS = 3  # content words after the shared part that the cached question lacks
# ``asks_first``: the words that join a further act to the held ask, the auxiliaries and
# whom they address in a request to the business, the new content words of that act, and
# the question words that make the held ask part of an embedded question instead.
JOINED = frozenset({"and", "to"})
ADDRESSED = (frozenset({"can", "could", "would", "will"}),
             frozenset({"you", "someone", "somebody", "anyone", "anybody", "your"}))
ACT_WORDS = 2
EMBEDDED = frozenset({"how", "what", "when", "where", "why", "who", "which", "whether", "if"})


def asks_more(cached: TextView, query: TextView, query_text: str) -> bool:
    """Whether ``query`` (its view and text) asks what the whole question ``cached`` asks
    and adds a further request after it."""
    held = _held(cached, query)
    if not held:
        return False
    last = max(held)
    own = set(cached.stems)
    if sum(1 for j in range(last + 1, len(query.words))
           if query.content[j] and query.stems[j] not in own
           and query.words[j] not in CONTEXT_WORDS) < NEW_WORDS:
        return False
    return further_request(query.words, clauses(query_text, query.words), last + 1)


def asks_first(cached: TextView, query: TextView) -> bool:
    """Whether ``query`` asks the business to do a further act and joins what the whole
    question ``cached`` asks after it ("could someone come to our tower and teach method
    ringing" for "do you teach method ringing")."""
    held = _held(cached, query)
    if not held:
        return False
    words, join = query.words, min(held) - 1
    if join < 2 or words[join] not in JOINED:
        return False
    auxiliaries, addressees = ADDRESSED
    opens = next((k for k in range(join - 1)
                  if words[k] in auxiliaries and words[k + 1] in addressees), None)
    if opens is None:
        return False
    act = range(opens + 2, join)
    if any(words[k] in EMBEDDED for k in act):
        return False
    own = set(cached.stems)
    return sum(1 for k in act if query.content[k] and query.stems[k] not in own
               and words[k] not in CONTEXT_WORDS) >= ACT_WORDS


def _held(cached: TextView, query: TextView) -> list[int]:
    """Where ``query`` holds the ask of the whole question ``cached``: the positions of
    the cached text's content words it holds in order (aligned from the end of both, so
    that each word is found at its last mention), where they make up ``COVERED`` of its
    content's IDF weight and the query has ``NEW_WORDS`` more content words; else none."""
    if (int(query.content.sum()) - int(cached.content.sum()) < NEW_WORDS
            or not cached.words or not ASKS.match(cached.words[0])):
        return []
    mine = [i for i, content in enumerate(cached.content) if content]
    theirs = [j for j, content in enumerate(query.content) if content]
    # aligned from the end (both sequences reversed): each word at its last mention
    found: list[int] = []
    held: list[int] = []
    for tag, i1, i2, j1, j2 in aligned([cached.stems[i] for i in reversed(mine)],
                                       [query.stems[j] for j in reversed(theirs)]):
        if tag == "equal":
            found += mine[len(mine) - i2:len(mine) - i1]
            held += theirs[len(theirs) - j2:len(theirs) - j1]
    total = float(cached.idf[mine].sum())
    if not held or float(cached.idf[found].sum()) < COVERED * total:
        return []
    return held
