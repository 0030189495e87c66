"""A lookup with several candidates over the floor: nearest first, and each candidate the
verifier refused raises the next one's bar (``MatchPolicy.rank_margin``). Synthetic
vectors rank the entries exactly; a table stands for the verifier's probabilities."""

import math
from collections.abc import Sequence

import numpy as np
import pydantic
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import CANDIDATES, TenantIndex
from llm_router.cache.policy import MatchPolicy, logit, policy_for
from llm_router.catalog import CacheConfig

DIM = 16
CUT = 0.9
QUERY = "the query"


class TableVerifier:
    """The probability of each cached text, whatever the query; ``read`` counts calls."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.read: list[str] = []

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.read.append(cached)
        return self.table[cached]


def over_cut(margin: float) -> float:
    """The probability whose logit is the cut's plus ``margin``."""
    return 1 / (1 + math.exp(-(logit(CUT) + margin)))


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM)
    return (v / np.linalg.norm(v)).astype(np.float32)


def at_cosine(query: np.ndarray, cosine: float, seed: int) -> np.ndarray:
    other = np.random.default_rng(1000 + seed).normal(size=DIM)
    other -= (other @ query) * query
    other /= np.linalg.norm(other)
    return (cosine * query + np.sqrt(1 - cosine**2) * other).astype(np.float32)


def lookup(table: dict[str, float], rank_margin: float, widen_to: int = CANDIDATES
           ) -> tuple[str | None, TableVerifier, float | None]:
    """Search an index holding ``table``'s texts, nearest first in the table's order."""
    query = unit(1)
    index = TenantIndex(dim=DIM)
    for i, text in enumerate(table):
        index.add(IndexRecord(text, "c", text, at_cosine(query, 0.95 - i / 100, i),
                              2**40, f"J#{text}"))
    verifier = TableVerifier(table)
    policy = MatchPolicy(0.5, False, verifier, CUT, spelling=False,  # type: ignore[arg-type]
                         rank_margin=rank_margin)
    found = index.search(query, "c", 0, policy, QUERY, widen_to=widen_to)
    return (None if found.match is None else found.match.key), verifier, found.probability


def test_of_two_passing_candidates_the_nearest_answers() -> None:
    key, verifier, p = lookup({"near": over_cut(0.1), "far": over_cut(9.0)}, 3.0)
    assert key == "near" and p == pytest.approx(over_cut(0.1))
    assert verifier.read == ["near"]  # the farther one is not judged


def test_a_candidate_behind_a_refused_one_needs_the_margin() -> None:
    table = {"near": over_cut(-1.0), "far": over_cut(3.0 * math.log(2) - 0.01)}
    key, _, p = lookup(table, 3.0)
    assert key is None
    assert p == pytest.approx(table["near"])  # the lookup names the first refusal
    assert lookup(table, 0.0)[0] == "far"  # without the margin: the plain cut
    table["far"] = over_cut(3.0 * math.log(2) + 0.01)
    assert lookup(table, 3.0)[0] == "far"


def test_the_bar_grows_with_each_refused_candidate_across_rounds() -> None:
    refused = {f"r{i}": over_cut(-0.5) for i in range(CANDIDATES)}
    sixth = 3.0 * math.log(1 + CANDIDATES)  # after five refused: 3 ln 6 over the cut
    assert lookup({**refused, "last": over_cut(sixth + 0.01)}, 3.0, 2 * CANDIDATES)[0] == "last"
    assert lookup({**refused, "last": over_cut(sixth - 0.01)}, 3.0, 2 * CANDIDATES)[0] is None


def test_one_candidate_is_held_to_the_cut_alone() -> None:
    assert lookup({"only": over_cut(0.01)}, 3.0)[0] == "only"
    assert lookup({"only": over_cut(-0.01)}, 3.0)[0] is None


def test_the_catalog_sets_the_margin() -> None:
    assert CacheConfig().verifier_rank_margin == 3.0
    assert policy_for(CacheConfig(verifier=False), "t").rank_margin == 0.0
    with pytest.raises(pydantic.ValidationError):
        CacheConfig(verifier_rank_margin=-1)
