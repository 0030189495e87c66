"""The narrowing check (cache/narrowing.py): a longer text about a specific case of a
shorter, general question is refused after the verifier passed it; a longer text that only
adds who asks and why is kept; the setting turns it on (off by default: session 13's rule).
The shipped artefact's cut is 0 (on top of the shipped verifier no cut refused a false hit
within the rule's recall budget): the cases read its fitted weights at a cut of 0.5."""

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from llm_router.cache.narrowing import (
    FEATURES,
    NarrowingCheck,
    added_content,
    clauses,
    load_narrowing,
    narrowing_features,
    question_clause,
)
from llm_router.cache.policy import MatchPolicy, policy_for
from llm_router.catalog import CacheConfig
from llm_router.errors import ConfigError
from tests.unit.cache.fakes import PassingVerifier

PAYDAY = ("when is payday?", "payday falls on a Sunday this month; will the salary come on "
          "the Friday before or the Monday after?")
CLAIM = ("does travel insurance cover a cancelled flight?", "the airline already refunded my "
         "cancelled flight; can I still claim the hotel I couldn't use from travel insurance?")
PRESCRIPTION = ("how do I get a repeat prescription?", "Hi, I'm nearly out of my blood "
                "pressure tablets, how do I get a repeat prescription?")
ARRAY = ("how do I check if a variable is an array?", "hello, I am learning JavaScript from "
         "YouTube in my free time. how do I check if a variable is an array?")


@pytest.fixture(scope="module")
def verifier() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier()


@pytest.fixture(scope="module")
def check() -> NarrowingCheck:
    return replace(load_narrowing(), cut=0.5)


def row(verifier: Any, a: str, b: str, p: float, cosine: float) -> dict[str, float]:
    values = narrowing_features(verifier.view(a), verifier.view(b), a, b, p, cosine)
    return dict(zip(FEATURES, values.tolist(), strict=True))


def test_clauses_and_the_one_that_asks(verifier: Any) -> None:
    text = PAYDAY[1]
    words = verifier.view(text).words
    cut = clauses(text, words)
    assert cut[words.index("payday")] == 0 and cut[words.index("salary")] == 1
    assert question_clause(words, cut) == 1  # "will the salary come ..."
    hello = ARRAY[1]
    words = verifier.view(hello).words
    cut = clauses(hello, words)
    assert question_clause(words, cut) == max(cut) and cut[words.index("array")] == max(cut)


@pytest.mark.parametrize(("a", "b"), [PAYDAY, PAYDAY[::-1]])
def test_the_shorter_sides_words_outside_the_question_clause(verifier: Any, a: str,
                                                            b: str) -> None:
    """Either order reads the same: "payday" stands in the case, not in what is asked."""
    f = row(verifier, a, b, 0.96, 0.62)
    assert f["short_in_question"] == 0.0 and f["short_in_long"] == 1.0
    assert f["markers_question"] == 2.0  # before, after
    assert f["dates_added"] >= 3.0  # sunday, month, friday, monday
    assert f["question_added_idf"] > 0 and f["clauses"] == 2.0


def test_context_words_and_a_question_asked_again_add_nothing_to_the_question(
        verifier: Any) -> None:
    f = row(verifier, *PRESCRIPTION, 0.999, 0.8)
    assert f["short_in_question"] == 1.0 and f["question_covered"] == 1.0
    assert f["question_added_idf"] == 0.0 and f["markers_question"] == 0.0
    assert f["context_added_idf"] > 0  # blood pressure tablets: context, outside the question


@pytest.mark.parametrize(("pair", "p", "cosine"), [(PAYDAY, 0.964, 0.62),
                                                   (CLAIM, 0.933, 0.66)])
def test_refuses_a_specific_case_of_a_general_question(verifier: Any, check: NarrowingCheck,
                                                       pair: tuple[str, str], p: float,
                                                       cosine: float) -> None:
    a, b = pair
    assert check.refuses(verifier.view(a), verifier.view(b), a, b, p, cosine)


@pytest.mark.parametrize(("pair", "p", "cosine"), [(PRESCRIPTION, 0.999, 0.8),
                                                   (ARRAY, 0.99, 0.85)])
def test_keeps_the_same_question_with_context_added(verifier: Any, check: NarrowingCheck,
                                                    pair: tuple[str, str], p: float,
                                                    cosine: float) -> None:
    a, b = pair
    assert not check.refuses(verifier.view(a), verifier.view(b), a, b, p, cosine)


def test_pairs_of_like_length_are_never_read(verifier: Any, check: NarrowingCheck) -> None:
    a, b = "how do I reset my password", "how do I change my password"
    va, vb = verifier.view(a), verifier.view(b)
    assert added_content(va, vb) < check.gate
    always = NarrowingCheck(check.mean, check.scale, check.weights, check.bias, 1.0,
                            check.gate, check.meta)  # every read pair under the cut
    assert not always.refuses(va, vb, a, b, 0.5, 0.9)


def test_the_artefact_names_its_features(tmp_path: Any) -> None:
    check = load_narrowing()
    assert check.weights.shape == (len(FEATURES),) and 0 <= check.cut < 1
    bad = tmp_path / "narrowing.json"
    bad.write_text('{"features": ["cosine"]}')
    with pytest.raises(ConfigError, match="other features"):
        load_narrowing(bad)
    with pytest.raises(ConfigError, match="missing"):
        load_narrowing(tmp_path / "absent.json")


def test_the_policy_refuses_after_the_verifier_only_with_the_check(verifier: Any,
                                                                   check: NarrowingCheck
                                                                   ) -> None:
    passes: Any = PassingVerifier(verifier, 0.964)
    cached, query = PAYDAY
    without = MatchPolicy(0.5, True, passes, 0.874)
    assert without.judge(0.62, None, None, cached, query).hit
    with_check = MatchPolicy(0.5, True, passes, 0.874, narrowing=check)
    verdict = with_check.judge(0.62, None, None, cached, query)
    assert not verdict.hit and verdict.refused_by == "narrowing"
    assert verdict.probability == pytest.approx(0.964)  # counts as judged (rank margin)
    kept = with_check.judge(0.8, None, None, *PRESCRIPTION)
    assert kept.hit
    # under the cut: the verifier's refusal, not the check's
    low: Any = PassingVerifier(verifier, 0.5)
    assert MatchPolicy(0.5, True, low, 0.874, narrowing=check).judge(
        0.62, None, None, cached, query).refused_by == "verifier"


def test_the_setting_is_off_by_default_and_turns_it_on() -> None:
    assert CacheConfig().narrowing is False
    assert policy_for(CacheConfig(), "t").narrowing is None
    on = policy_for(CacheConfig(narrowing=True), "t")
    assert isinstance(on.narrowing, NarrowingCheck)
    assert policy_for(CacheConfig(narrowing=True, verifier=False), "t").narrowing is None
    assert np.isfinite(on.narrowing.weights).all()
