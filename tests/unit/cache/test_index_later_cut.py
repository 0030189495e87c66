"""``MatchPolicy.later_probability`` (``cache.verifier_later_cut``, off): the lookup's nearest
candidate (the first of ``search``'s first round) is held to the verifier's cut, every
candidate behind it to the later cut; over 1, the nearest alone answers by the verifier, a
respelled candidate still at any rank (docs/cache-history.md "Session 36: rule NO, the nearest
candidate alone at a lower cut"). Synthetic vectors rank the entries exactly; a table stands
for the verifier's probabilities, over the shipped verifier's word views and vocabulary (the
hard check and the respelling check read them)."""

from typing import Any

import numpy as np
import pydantic
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import CANDIDATES, TenantIndex, search_prescored
from llm_router.cache.policy import MatchPolicy, policy_for, verified_policy
from llm_router.cache.probe import probe
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

from .test_index_rank import CUT, DIM, at_cosine, over_cut, unit

# The table verifier over the shipped verifier's word views of test_index_rank_refused.
from .test_index_rank_refused import TableVerifier

QUERY = "How do I reset my password?"
NEVER = 1.01  # no probability reaches it: the nearest alone answers by the verifier


@pytest.fixture(scope="module")
def views() -> Any:
    return shared_verifier(None)


def lookup(entries: dict[str, float], views: Any, later: float | None,
           rank_margin: float = 0.0, widen_to: int = CANDIDATES, spelling: bool = False
           ) -> str | None:
    """The key that answers a search of an index holding ``entries``' texts nearest first in
    their order, with ``later_probability`` ``later`` (None: off)."""
    query = unit(1)
    index = TenantIndex(dim=DIM)
    for i, text in enumerate(entries):
        index.add(IndexRecord(text, "c", text, at_cosine(query, 0.95 - i / 100, i),
                              2**40, f"J#{text}"))
    verifier = TableVerifier(entries, views)
    policy = MatchPolicy(0.5, True, verifier, CUT, spelling,  # type: ignore[arg-type]
                         rank_margin=rank_margin, later_probability=later)
    found = search_prescored(index, query, "c", 0, policy, QUERY, widen_to=widen_to)
    return None if found.match is None else found.match.key


LOW, HIGH = over_cut(-1.0), over_cut(1.0)  # under and over the cut (0.9)


def test_over_one_the_nearest_alone_answers_by_the_verifier(views: Any) -> None:
    behind = {"Where is my parcel?": LOW, "Can I change the password of my account?": HIGH}
    assert lookup(behind, views, None) == "Can I change the password of my account?"
    assert lookup(behind, views, NEVER) is None
    nearest = {"Can I change the password of my account?": HIGH, "Where is my parcel?": LOW}
    assert lookup(nearest, views, NEVER) == "Can I change the password of my account?"


def test_the_later_cut_holds_every_candidate_behind_the_nearest(views: Any) -> None:
    """At a later cut of 0.97 a candidate behind the nearest at p 0.96 is refused and one at
    0.98 answers; the nearest at 0.95 answers at the verifier's 0.9."""
    entries = {"Where is my parcel?": LOW, "Is the shop open?": 0.96,
               "Can I change my password?": 0.98}
    assert lookup(entries, views, 0.97) == "Can I change my password?"
    assert lookup(entries, views, None) == "Is the shop open?"
    assert lookup({"When do you open?": 0.95, **entries}, views, 0.97) == "When do you open?"


def test_the_later_cut_holds_the_second_round_too(views: Any) -> None:
    refused = {f"Question number {i}?": LOW for i in range(CANDIDATES)}
    entries = {**refused, "Can I change my password?": HIGH}
    assert lookup(entries, views, None, widen_to=2 * CANDIDATES) == "Can I change my password?"
    assert lookup(entries, views, NEVER, widen_to=2 * CANDIDATES) is None


def test_the_rank_margin_sits_on_the_later_cut(views: Any) -> None:
    """Behind one refused candidate the bar is the later cut's logit + 3 ln 2: p 0.99 clears
    0.9's (0.986) but not 0.95's (0.993)."""
    entries = {"Where is my parcel?": LOW, "Can I change my password?": 0.99}
    assert lookup(entries, views, None, rank_margin=3.0) == "Can I change my password?"
    assert lookup(entries, views, 0.95, rank_margin=3.0) is None


def test_a_respelled_candidate_behind_the_nearest_still_answers(views: Any) -> None:
    entries = {"Where is my parcel?": LOW, "how do i reset my password": LOW}
    assert lookup(entries, views, NEVER, spelling=True) == "how do i reset my password"
    assert lookup(entries, views, NEVER) is None  # without the respelling check


def test_at_the_verifiers_own_cut_every_answer_is_as_off(views: Any) -> None:
    """A later cut equal to the verifier's changes nothing, with the rank margin or without."""
    rng = np.random.default_rng(36)
    for _ in range(40):
        entries = {f"Question number {i}?": float(p)
                   for i, p in enumerate(rng.uniform(0.8, 1.0, size=2 * CANDIDATES))}
        for margin in (0.0, 3.0):
            assert lookup(entries, views, CUT, margin, 2 * CANDIDATES) == lookup(
                entries, views, None, margin, 2 * CANDIDATES)


def test_a_pair_alone_is_its_own_nearest(views: Any) -> None:
    """``probe`` (cache-probe, the benches' per-pair verdicts) judges at the verifier's cut."""
    verifier = TableVerifier({"Can I change my password?": HIGH}, views)
    policy = MatchPolicy(0.5, True, verifier, CUT, later_probability=NEVER)  # type: ignore[arg-type]
    query, cached = unit(1), at_cosine(unit(1), 0.9, 0)
    assert probe("Can I change my password?", cached, QUERY, query, policy).hit
    assert policy.cut_for(True) == CUT and policy.cut_for(False) == NEVER
    assert MatchPolicy(0.5, min_probability=CUT).cut_for(False) == CUT


def test_the_catalog_sets_the_later_cut(views: Any) -> None:
    assert CacheConfig().verifier_later_cut is None
    assert policy_for(CacheConfig(), "t").later_probability is None
    on = CacheConfig(verifier_later_cut=NEVER, verifier_threshold=0.91)
    policy = policy_for(on, "t")
    assert (policy.later_probability, policy.min_probability) == (NEVER, 0.91)
    assert verified_policy(on, 0.5, views, 0.91).later_probability == NEVER
    with pytest.raises(pydantic.ValidationError):
        CacheConfig(verifier_later_cut=-0.1)
