"""Which cache layers a request may use, and when a similar entry may answer it (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from llm_router.cache.co_members import swapped
from llm_router.cache.extra_ask import asks_first, asks_more
from llm_router.cache.fitted_stack import logit
from llm_router.cache.guards import GuardName, Signature, refusal
from llm_router.cache.narrowing import own_case
from llm_router.cache.pair_features import quantity_conflict
from llm_router.cache.spelling import same_spelling
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatRequest, TextPart, UserMessage, text_of

if TYPE_CHECKING:
    from llm_router.cache.co_members import CoMembers
    from llm_router.cache.narrowing import NarrowingCheck
    from llm_router.cache.synonyms import Synonyms
    from llm_router.cache.verifier import Verifier

Refusal = GuardName | Literal["threshold", "context", "verifier", "one_word", "narrowing",
                              "extra_ask", "extra_ask_first", "own_case", "co_members"]
_WORD = re.compile(r"\w+")


def one_word(text: str) -> bool:
    """At most one word ("yes", "continue", "a"): read without scanning a long text."""
    words = _WORD.finditer(text)
    return next(words, None) is None or next(words, None) is None


# A last user turn longer than this is looked up exactly only: an entry is not stored for
# it (it would not fit a DynamoDB item), and a paraphrase of a 20,000-character message
# is not a thing; the lexical guards would read all of it for nothing.
SEMANTIC_MAX_CHARS = 20_000


@dataclass(frozen=True)
class CachePlan:
    exact: bool
    semantic: bool
    reason: str  # why a layer is off ("" when both are on)

    @property
    def bypass(self) -> bool:
        return not self.exact


def plan_for(request: ChatRequest, config: CacheConfig) -> CachePlan:
    """Bypass everything for ``cache: false`` or a disabled cache; serve only exact repeats
    for tools, high temperature or a non-text last turn. Streams use the cache like any
    request: a hit is replayed as a stream, a completed stream is stored.

    An unset temperature counts as "no variety asked for": clients rarely send one, and
    treating the API default (1.0) as creative would switch the semantic layer off for
    almost every request.
    """
    if not config.enabled:
        return CachePlan(False, False, "cache disabled")
    if not request.cache:
        return CachePlan(False, False, "cache: false")
    if request.tools:
        return CachePlan(True, False, "tools")
    if request.temperature is not None and request.temperature > config.max_temperature:
        return CachePlan(True, False,
                         f"temperature {request.temperature} > {config.max_temperature}")
    last = next((m for m in reversed(request.messages) if isinstance(m, UserMessage)), None)
    if last is None:
        return CachePlan(True, False, "no user turn")
    if isinstance(last.content, list) and not all(isinstance(p, TextPart) for p in last.content):
        return CachePlan(True, False, "non-text user turn")
    if len(text_of(last.content)) > SEMANTIC_MAX_CHARS:
        return CachePlan(True, False, f"last user turn over {SEMANTIC_MAX_CHARS} characters")
    return CachePlan(True, True, "")


@dataclass(frozen=True)
class Verdict:
    hit: bool
    similarity: float
    refused_by: Refusal | None = None
    probability: float | None = None  # the verifier's, when it judged
    # The form changes that made the texts one (``spelling.same_spelling``), on such a hit.
    respelling: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MatchPolicy:
    """Cosine ``threshold`` first. With a ``verifier`` the threshold is only the loose floor
    for candidates: the amounts-and-ids check (``guards``) and then the verifier's
    probability (at least ``min_probability``) decide. Without one, the lexical guards do.
    With the verifier and ``spelling``, ``respelled`` is asked first, of every candidate
    the index found, over the floor or not.

    ``rank_margin``: a lookup judges its candidates nearest first, and each one the
    verifier reads is one more chance for an unrelated neighbour to pass by luck (the
    decision sets in a 10,000-entry cache: 172 of 225 other entries' answers to negative
    queries came after the verifier had refused a nearer candidate, 40 of 761 own
    entries' answers did). So the candidate read after ``judged`` refused ones answers
    only when its probability's logit clears the cut's (``min_probability``) by
    ``rank_margin * ln(1 + judged)``: the nearest is held to the cut alone, so a
    one-entry probe is unchanged (docs/cache-history.md "Session 11").

    ``narrowing``: a pair the verifier passed is still refused ("narrowing") where the
    longer text asks about a specific case of the shorter one (``narrowing.py``); such a
    refusal counts as the verifier's for ``rank_margin``. ``extra_ask``: likewise
    ("extra_ask") where the query asks what the cached question asks and more
    (``extra_ask.py``); ``extra_ask_first``: likewise ("extra_ask_first") where the query
    asks the business to do a further act and joins the cached question's ask after it
    (``extra_ask.asks_first``; off: session 31's rule W did not adopt it); ``own_case``:
    likewise ("own_case") where the cached text is a
    general question and the query tells the writer's own case and asks something else,
    or, under a cosine band, asks a question and a further request about it
    (``narrowing.own_case``). ``synonyms``: with ``spelling``, ``respelled`` also takes
    one span of one or two words swapped for its synonym (``spelling``'s "synonym" form);
    ``short_forms``: likewise a short form its lexicon knows ("PH" / "the Philippines",
    "pls" / "please": ``short_forms.py``).

    ``nearest_floor`` (F1, ``cache.verifier_floor_nearest``; None: off): where no candidate
    of a lookup reaches ``threshold``, the nearest entry (the highest cosine of the
    partition, not one the hard check left out) is still verified if its cosine reaches
    this lower floor: that one only, never the second (``floor_for_nearest``). A lookup
    with a candidate at the floor is as without it (docs/cache-history.md "Session 24: the
    nearest candidate under the floor (F1)"). ``nearest_cut`` (rule FC,
    ``cache.verifier_floor_nearest_cut``; None: off): the verifier's cut for that candidate
    only, the one F1 admits under ``threshold`` (``judge``'s ``floor``), instead of
    ``min_probability``; every candidate at ``threshold`` or over keeps its cut
    (docs/cache-history.md "Session 37: rule FC").

    ``rank_margin_counts_refused`` (RA, ``cache.rank_margin_counts_refused``; off): every
    candidate at its floor or over that the lookup refused counts toward ``judged``,
    whatever check refused it (the hard check's amounts, ids and units, the one-word rule
    as well as the verifier; ``counts_toward_rank``). Off, only those the verifier gave a
    probability count. Undecided: a candidate for the next session's rule
    (docs/cache-history.md "Session 29: what a populated cache answers wrong").

    ``amount_forms`` (``cache.amount_forms``; off): the hard check reads amounts written
    other ways as their other spelling ("3.5t" / "3.5 tonne", "7 in the morning" / "7am",
    "15 precent", "2h50", "point one", "3x+7=2x-5" / "3x + 7 = 2x - 5":
    ``quantities.amount_forms``), the index's bulk filter reading them too
    (``filters_numbers``). Not adopted by session 32's rule AF (docs/cache-history.md
    "Session 32: rule AF, amounts written another way on D82").

    ``number_words`` (``cache.number_words``, on since session 36's rule NW; the policy's
    own default off): in the hard check and the index's bulk filter a number in words
    reads as its digits where the other text writes that amount in digits and not in
    words ("in 1 day" / "in one day", "one hundred and forty four" / "144"); it only ever
    lets a pair through
    (``pair_features.quantity_conflict``'s ``words``, ``number_words.reconciled``), and
    the filter leaves a text that writes a number in words to the check (``number_codes``'
    ``words``).

    ``co_members`` (``cache.co_members``; None: off): a pair the verifier passed is still
    refused ("co_members") where the texts differ in one word a side and the table calls
    the two words co-members of one set ("tenor" / "treble", "secretary" / "treasurer":
    ``co_members.swapped``), after every other check there; it counts as the verifier's
    for ``rank_margin``. Session 33's rule CH decides it (docs/cache-history.md "Session
    33: co-members swapped (rule CH)").

    ``later_probability`` (``cache.verifier_later_cut``; None: off): the cut of every
    candidate behind the lookup's nearest one (``judge``'s ``nearest`` False: ``search``
    passes True for the first of its first round only, rank 1 by the floor's cosine after
    the hard check's filter), the rank margin on top of its logit; the nearest is held to
    ``min_probability``. Over 1, no candidate behind the nearest answers by the verifier
    (a respelled one still does: ``respelled`` comes first). A pair alone (a probe) is
    its own nearest. As session 35's bench ``RankCut`` judges (docs/cache-history.md
    "Session 36: rule NO, the nearest candidate alone at a lower cut").

    ``ask_ranks`` (``cache.ask_clause``; read only where a lookup has the query's asking
    clause's second vector, ``TenantIndex.search``'s ``ask``): True, the larger of an
    entry's cosines to the query and to that clause picks the nearest candidates and is
    their floor's (``"rank"``); False, the query alone picks them and the larger cosine is
    only their floor's (``"floor"``).
    """

    threshold: float
    guards: bool = True
    verifier: Verifier | None = None
    min_probability: float = 0.5
    spelling: bool = True
    rank_margin: float = 0.0
    narrowing: NarrowingCheck | None = None
    extra_ask: bool = False
    own_case: bool = False
    synonyms: Synonyms | None = None
    short_forms: bool = False
    nearest_floor: float | None = None
    rank_margin_counts_refused: bool = False
    ask_ranks: bool = True
    extra_ask_first: bool = False
    amount_forms: bool = False
    co_members: CoMembers | None = None
    later_probability: float | None = None
    number_words: bool = False
    nearest_cut: float | None = None

    @property
    def reads_signatures(self) -> bool:
        """Whether ``judge`` reads the texts' lexical ``Signature``s (computing one costs
        about a millisecond: the verifier's path passes None)."""
        return self.verifier is None and self.guards

    @property
    def filters_numbers(self) -> bool:
        """Whether the index leaves out, before it picks the nearest candidates, the
        entries whose amounts or ids the hard check refuses (``TenantIndex.nearest``): it
        is ``_verify``'s and ``respelled``'s first check, so such an entry never answers
        and would only take the place of one that may. With ``amount_forms`` (session 31's
        candidate) the index reads the codes with the forms too (``number_codes``'
        ``forms``), so the filter and the check agree; with ``number_words`` (rule NW) it
        leaves the texts that write a number in words to the check (``number_codes``'
        ``words``)."""
        return self.verifier is not None and self.guards

    def counts_toward_rank(self, verdict: Verdict) -> bool:
        """Whether a candidate refused with ``verdict`` raises the bar of the lookup's next
        ones (``rank_margin``): one the verifier gave a probability; with
        ``rank_margin_counts_refused``, any refused at its floor or over."""
        if self.rank_margin_counts_refused:
            return not verdict.hit and verdict.refused_by != "threshold"
        return verdict.probability is not None

    def floor_for_nearest(self, similarity: float, best: float) -> float | None:
        """The floor a lookup's nearest candidate (at cosine ``similarity``) is held to when
        it is under ``threshold``: ``nearest_floor`` where it reaches that and is the
        partition's nearest entry (``best``: the highest cosine, an entry the hard check
        left out included: then nothing), else None (the candidate is under the floor)."""
        if self.nearest_floor is None or similarity < best:
            return None
        return self.nearest_floor if self.nearest_floor <= similarity < self.threshold else None

    def before_judging(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Ready the verifier for (query, cached text) pairs over the floor, each of which
        may be judged (a lookup's candidates; cache-probe's lines), in batched passes
        before ``judge`` asks for any: the nets get every text's MiniLM token states
        (``prepare_many``); the cross-encoder scores every pair the amounts-and-ids check
        lets through (``CrossVerifier.score_pairs``; no per-text pass)."""
        verifier = self.verifier
        if verifier is None or not pairs:
            return
        from llm_router.cache.cross import CrossVerifier

        if not isinstance(verifier, CrossVerifier):
            verifier.prepare_many([text for pair in pairs for text in pair])
            return
        verifier.score_pairs([(query, cached) for query, cached in pairs
                              if self._refused_before_model(cached, query) is None])

    def judge(self, similarity: float, cached: Signature | None, query: Signature | None,
              cached_text: str = "", query_text: str = "", judged: int = 0,
              floor: float | None = None, cosine: float | None = None,
              nearest: bool = True) -> Verdict:
        """``judged``: the candidates of this lookup refused before this one that raise its
        bar (``rank_margin``, ``counts_toward_rank``). ``floor``: the similarity floor of
        this candidate instead of ``threshold`` (the nearest under it:
        ``floor_for_nearest``).
        ``cosine``: the texts' raw MiniLM cosine, which the verifier and its checks read,
        where ``similarity`` (the floor's) is another (``cache.retrieval_map``); None: the
        same. ``nearest``: whether this is the lookup's nearest candidate (the verifier's
        cut is then ``min_probability``, else ``later_probability`` where set); a
        candidate under ``threshold`` judged at its lowered ``floor`` (F1's) is held to
        ``nearest_cut`` where set."""
        if similarity < (self.threshold if floor is None else floor):
            return Verdict(False, similarity, "threshold")
        if self.verifier is not None:
            under = floor is not None and similarity < self.threshold  # F1's candidate
            cut = (self.nearest_cut if under and self.nearest_cut is not None
                   else self.cut_for(nearest))
            verdict = self._verify(similarity if cosine is None else cosine, cached_text,
                                   query_text, judged, cut)
            return verdict if cosine is None else replace(verdict, similarity=similarity)
        if self.guards:
            if cached is None or query is None:
                raise ValueError("the lexical guards need both texts' signatures")
            refused = refusal(cached, query)
            if refused is not None:
                return Verdict(False, similarity, refused)
        return Verdict(True, similarity)

    def cut_for(self, nearest: bool) -> float:
        """The verifier's cut for a candidate: ``min_probability`` for the lookup's nearest
        (and every candidate with ``later_probability`` off), else ``later_probability``."""
        if nearest or self.later_probability is None:
            return self.min_probability
        return self.later_probability

    def respelled(self, similarity: float, cached_text: str, query_text: str
                  ) -> Verdict | None:
        """The same question in another spelling (``spelling.same_spelling``): a hit,
        unless the amounts-and-ids check refuses it; None when it is not, or when this
        policy has no verifier or no ``spelling``. No similarity floor: a typo or an
        acronym is what pulls MiniLM's cosine of two such texts under it ("how do i
        report a cheater" / "how do i reprot a cheeter": 0.15; 50 paraphrases of the
        seen sets and no negative sit under 0.5). Costs no MiniLM pass."""
        if self.verifier is None or not self.spelling:
            return None
        vocabulary = self.verifier.vocabulary
        used = same_spelling(cached_text, query_text, vocabulary.pieces, self.synonyms,
                             self.short_forms)
        if used is None:
            return None
        if self.guards and quantity_conflict(vocabulary.view(cached_text),
                                             vocabulary.view(query_text), self.synonyms,
                                             self._forms(cached_text, query_text),
                                             self._words(cached_text, query_text)):
            return Verdict(False, similarity, "numbers")
        return Verdict(True, similarity, None, None, used)

    def _forms(self, cached_text: str, query_text: str) -> tuple[str, str] | None:
        """The texts the hard check reads ``amount_forms`` from (``quantity_conflict``'s
        ``texts``): only with the candidate on."""
        return (cached_text, query_text) if self.amount_forms else None

    def _words(self, cached_text: str, query_text: str) -> tuple[str, str] | None:
        """The texts rule NW reads numbers in words from (``quantity_conflict``'s
        ``words``): only with ``number_words`` on."""
        return (cached_text, query_text) if self.number_words else None

    def _refused_before_model(self, cached_text: str, query_text: str) -> Refusal | None:
        """What refuses a pair before the verifier reads it (None: nothing): amounts or
        ids that differ (with the guards on), or two one-word texts. ``before_judging``
        scores only the pairs this lets through; ``_verify`` returns its refusal."""
        assert self.verifier is not None
        if self.guards and quantity_conflict(self.verifier.view(cached_text),
                                             self.verifier.view(query_text), self.synonyms,
                                             self._forms(cached_text, query_text),
                                             self._words(cached_text, query_text)):
            return "numbers"
        if one_word(cached_text) and one_word(query_text):
            # Both models read two lone words as the same question ("continue" / "stop"
            # p 1.0, "yes" / "no" 0.999): in a conversation, where the earlier turns are
            # the context and the last turn is a one-word reply, that answers the wrong
            # reply. No committed pair has one word on both sides; exact repeats still hit.
            return "one_word"
        return None

    def _verify(self, similarity: float, cached_text: str, query_text: str,
                judged: int = 0, cut: float | None = None) -> Verdict:
        """``cut``: the verifier's for this candidate (``cut_for``; None:
        ``min_probability``)."""
        cut = self.min_probability if cut is None else cut
        refused = self._refused_before_model(cached_text, query_text)
        if refused is not None:
            return Verdict(False, similarity, refused)
        assert self.verifier is not None
        p = self.verifier.probability(cached_text, query_text, similarity)
        if p < cut or (
                judged and self.rank_margin
                and logit(p) < logit(cut) + self.rank_margin * math.log1p(judged)):
            return Verdict(False, similarity, "verifier", p)
        if self.narrowing is not None and self.narrowing.refuses(
                self.verifier.view(cached_text), self.verifier.view(query_text),
                cached_text, query_text, p, similarity):
            return Verdict(False, similarity, "narrowing", p)
        if self.extra_ask and asks_more(self.verifier.view(cached_text),
                                        self.verifier.view(query_text), query_text):
            return Verdict(False, similarity, "extra_ask", p)
        if self.extra_ask_first and asks_first(self.verifier.view(cached_text),
                                               self.verifier.view(query_text)):
            return Verdict(False, similarity, "extra_ask_first", p)
        if self.own_case and own_case(self.verifier.view(cached_text),
                                      self.verifier.view(query_text), cached_text, query_text,
                                      similarity):
            return Verdict(False, similarity, "own_case", p)
        if self.co_members is not None and swapped(cached_text, query_text, self.co_members,
                                                   self.synonyms):
            return Verdict(False, similarity, "co_members", p)
        return Verdict(True, similarity, None, p)


def policy_for(config: CacheConfig, partition: str) -> MatchPolicy:
    """The policy of a cache partition (a tenant, or a tenant's key: the tenant's own
    thresholds apply); the verifier is loaded (once per process) on first use."""
    tenant_id = partition.split("/", 1)[0]
    if config.verifier:
        from llm_router.cache.verifier import shared_verifier

        verifier = shared_verifier(config.verifier_model, config.verifier_order_band)
        floor = config.tenant_thresholds.get(tenant_id, config.verifier_floor)
        minimum = (verifier.threshold if config.verifier_threshold is None
                   else config.verifier_threshold)
        # A tenant's own floor cuts every candidate, the nearest too.
        return verified_policy(config, floor, verifier, minimum,
                               nearest=tenant_id not in config.tenant_thresholds)
    threshold = config.tenant_thresholds.get(tenant_id, config.similarity_threshold)
    return MatchPolicy(threshold, config.guards)


def verified_policy(config: CacheConfig, floor: float, verifier: Verifier, minimum: float, *,
                    guards: bool | None = None, spelling: bool | None = None,
                    nearest: bool = True) -> MatchPolicy:
    """The verified lookup's policy with every check the configuration turns on: the one
    place the router (``policy_for``) and ``llm-router cache-probe`` build it, so the
    probe runs the lookup's checks (it missed ``own_case`` while each caller listed
    them). ``guards`` and ``spelling`` override the configuration's (the probe's flags);
    ``nearest``: whether ``cache.verifier_floor_nearest`` applies (not under a tenant's
    own floor)."""
    return MatchPolicy(floor, config.guards if guards is None else guards, verifier, minimum,
                       config.spelling if spelling is None else spelling,
                       config.verifier_rank_margin, narrowing_of(config),
                       config.extra_ask, config.own_case, synonyms_of(config),
                       config.short_forms,
                       config.verifier_floor_nearest if nearest else None,
                       config.rank_margin_counts_refused, config.ask_clause != "floor",
                       extra_ask_first=config.extra_ask_first,
                       amount_forms=config.amount_forms, co_members=co_members_of(config),
                       later_probability=config.verifier_later_cut,
                       number_words=config.number_words,
                       nearest_cut=config.verifier_floor_nearest_cut if nearest else None)


def synonyms_of(config: CacheConfig) -> Synonyms | None:
    """The layer's synonym table where ``cache.synonyms`` (and ``cache.spelling``) turn
    the form on (read once per process), else None."""
    if not (config.synonyms and config.spelling):
        return None
    from llm_router.cache.synonyms import shared_synonyms

    return shared_synonyms()


def co_members_of(config: CacheConfig) -> CoMembers | None:
    """The layer's co-member table where ``cache.co_members`` turns the check on (read
    once per process), else None."""
    if not config.co_members:
        return None
    from llm_router.cache.co_members import shared_co_members

    return shared_co_members()


def narrowing_of(config: CacheConfig) -> NarrowingCheck | None:
    """The layer's narrowing check where ``cache.narrowing`` turns it on (read once per
    process), else None."""
    if not config.narrowing:
        return None
    from llm_router.cache.narrowing import shared_narrowing

    return shared_narrowing()
