"""RA (``MatchPolicy.rank_margin_counts_refused``, ``cache.rank_margin_counts_refused``,
off): with it on, a nearer candidate refused before the model (the hard check's units,
amounts and ids; the one-word rule) raises the next one's bar as one the verifier refused
does; off, only the verifier's refusals count (docs/cache-history.md "Session 29: RA
built, off, for the next session"). Synthetic vectors rank the entries exactly; a table
stands for the verifier's probabilities, over the shipped verifier's word views (the hard
check reads them)."""

import math
from collections.abc import Sequence
from typing import Any

import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.pair_features import TextView
from llm_router.cache.policy import MatchPolicy, Verdict, policy_for
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

# The synthetic vectors and the bar's probability of test_index_rank (the same DIM and CUT).
from .test_index_rank import at_cosine, over_cut, unit

DIM = 16
CUT = 0.9
MARGIN = 3.0
# The query's own pair's entry in session 29's exploration, refused by the hard check
# (a unit), and the entry that answered it from rank 2 at p 0.942-0.985.
QUERY = "What is the distance charge per mile?"
UNIT = "What is the distance charge per kilometre?"
OTHER = "How is mileage paid per mile?"


class TableVerifier:
    """The probability of each cached text, whatever the query, over the shipped verifier's word
    views and vocabulary; ``read`` lists the texts it was asked about (test_index_later_cut's
    too)."""

    threshold = CUT

    def __init__(self, table: dict[str, float], views: Any):
        self.table, self._views = table, views
        self.vocabulary = views.vocabulary
        self.read: list[str] = []

    def view(self, text: str) -> TextView:
        return self._views.view(text)  # type: ignore[no-any-return]

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.read.append(cached)
        return self.table[cached]


@pytest.fixture(scope="module")
def views() -> Any:
    return shared_verifier(None)


# Between the two bars of a candidate read after one refused: over the cut, under the
# cut's logit + 3 ln 2 (p 0.9 -> 0.986).
BETWEEN = over_cut(MARGIN * math.log(2) / 2)


def lookup(entries: dict[str, float | None], query_text: str, counts_refused: bool,
           views: Any, rank_margin: float = MARGIN) -> tuple[str | None, TableVerifier]:
    """Search an index holding ``entries``' texts nearest first in their order (None: a
    text the verifier must never read), with RA ``counts_refused``."""
    query = unit(1)
    index = TenantIndex(dim=DIM)
    for i, text in enumerate(entries):
        index.add(IndexRecord(text, "c", text, at_cosine(query, 0.95 - i / 100, i),
                              2**40, f"J#{text}"))
    table = {text: p for text, p in entries.items() if p is not None}
    verifier = TableVerifier(table, views)
    policy = MatchPolicy(0.5, True, verifier, CUT, spelling=False,  # type: ignore[arg-type]
                         rank_margin=rank_margin, rank_margin_counts_refused=counts_refused)
    found = index.search(query, "c", 0, policy, query_text)
    return (None if found.match is None else found.match.key), verifier


def test_the_pair_is_refused_by_the_hard_check(views: Any) -> None:
    policy = MatchPolicy(0.5, True, TableVerifier({}, views), CUT,  # type: ignore[arg-type]
                         spelling=False)
    assert policy.judge(0.95, None, None, UNIT, QUERY).refused_by == "numbers"


def test_a_nearer_candidate_the_hard_check_refused_raises_the_bar(views: Any) -> None:
    entries = {UNIT: None, OTHER: BETWEEN}
    key, verifier = lookup(entries, QUERY, True, views)
    assert key is None
    assert verifier.read == [OTHER]  # read, and held to the cut + 3 ln 2
    # Off (the shipped lookup): the hard check's refusal raises no bar.
    assert lookup(entries, QUERY, False, views)[0] == OTHER
    # On, a probability over the higher bar still answers.
    assert lookup({UNIT: None, OTHER: over_cut(MARGIN * math.log(2) + 0.01)},
                  QUERY, True, views)[0] == OTHER


def test_a_nearer_one_word_refusal_raises_the_bar(views: Any) -> None:
    entries = {"returns": None, "how do refunds work": BETWEEN}
    assert lookup(entries, "refunds", True, views)[0] is None
    assert lookup(entries, "refunds", False, views)[0] == "how do refunds work"


def test_each_refusal_counts_once_across_kinds(views: Any) -> None:
    """A hard-check refusal and a verifier's: the third candidate needs 3 ln 3 on."""
    third = MARGIN * math.log(3)
    for p, on, off in ((over_cut(third - 0.01), None, "far"),
                       (over_cut(third + 0.01), "far", "far"),
                       (over_cut(MARGIN * math.log(2) - 0.01), None, None)):
        entries = {UNIT: None, "refused by the model": over_cut(-1.0), "far": p}
        assert lookup(entries, QUERY, True, views)[0] == on
        assert lookup(entries, QUERY, False, views)[0] == off


def test_the_nearest_is_held_to_the_cut_alone_either_way(views: Any) -> None:
    for counts_refused in (True, False):
        assert lookup({OTHER: over_cut(0.01)}, QUERY, counts_refused, views)[0] == OTHER
        assert lookup({OTHER: over_cut(-0.01)}, QUERY, counts_refused, views)[0] is None


def test_without_a_margin_the_setting_changes_nothing(views: Any) -> None:
    assert lookup({UNIT: None, OTHER: over_cut(0.01)}, QUERY, True, views, 0.0)[0] == OTHER


def test_what_counts_toward_the_bar() -> None:
    on = MatchPolicy(0.5, rank_margin=MARGIN, rank_margin_counts_refused=True)
    off = MatchPolicy(0.5, rank_margin=MARGIN)
    for verdict, counts_on, counts_off in (
            (Verdict(False, 0.9, "verifier", 0.5), True, True),
            (Verdict(False, 0.9, "narrowing", 0.95), True, True),
            (Verdict(False, 0.9, "numbers"), True, False),
            (Verdict(False, 0.9, "one_word"), True, False),
            (Verdict(False, 0.4, "threshold"), False, False)):
        assert on.counts_toward_rank(verdict) is counts_on
        assert off.counts_toward_rank(verdict) is counts_off


def test_the_catalog_sets_it_off() -> None:
    assert CacheConfig().rank_margin_counts_refused is False
    assert policy_for(CacheConfig(), "t").rank_margin_counts_refused is False
    assert policy_for(CacheConfig(rank_margin_counts_refused=True),
                      "t").rank_margin_counts_refused is True
