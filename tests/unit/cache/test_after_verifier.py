"""The hard checks that run after the verifier has passed a pair (``extra_ask``,
``extra_ask_first``, ``own_case``): each refuses only when it is on and only what the
verifier passed, counts as judged for the rank margin, and follows its setting
(``MatchPolicy._verify``, ``policy_for``)."""

from __future__ import annotations

from typing import Any

import pytest

from llm_router.cache.policy import MatchPolicy, policy_for
from llm_router.catalog import CacheConfig
from tests.unit.cache.fakes import PassingVerifier
from tests.unit.cache.test_extra_ask import BOILERS, CARPETS
from tests.unit.cache.test_own_case import COAT

# (setting, a pair the check refuses, the pair's cosine)
CHECKS = [("extra_ask", CARPETS, 0.8), ("extra_ask_first", BOILERS, 0.6),
          ("own_case", COAT, 0.6)]


@pytest.fixture(scope="module")
def verifier() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier()


@pytest.mark.parametrize(("check", "pair", "cosine"), CHECKS)
def test_the_policy_refuses_after_the_verifier_only_with_the_check(
        verifier: Any, check: str, pair: tuple[str, str], cosine: float) -> None:
    passes: Any = PassingVerifier(verifier, 0.99)
    cached, query = pair
    assert MatchPolicy(0.5, True, passes, 0.95).judge(cosine, None, None, cached, query).hit
    on = MatchPolicy(0.5, True, passes, 0.95, **{check: True})
    verdict = on.judge(cosine, None, None, cached, query)
    assert not verdict.hit and verdict.refused_by == check
    assert verdict.probability == pytest.approx(0.99)  # counts as judged (rank margin)
    assert on.judge(cosine, None, None, query, cached).hit  # the other direction
    low: Any = PassingVerifier(verifier, 0.5)  # under the cut: the verifier's refusal
    assert MatchPolicy(0.5, True, low, 0.95, **{check: True}).judge(
        cosine, None, None, cached, query).refused_by == "verifier"


@pytest.mark.parametrize("check", [check for check, _, _ in CHECKS])
def test_the_setting(check: str) -> None:
    assert getattr(policy_for(CacheConfig(), "t"), check) is getattr(CacheConfig(), check)
    for value in (True, False):
        assert getattr(policy_for(CacheConfig(**{check: value}), "t"), check) is value


def test_asks_first_is_off_by_default() -> None:
    assert CacheConfig().extra_ask_first is False  # a candidate for a rule (session 31)
