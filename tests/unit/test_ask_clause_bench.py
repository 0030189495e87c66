"""bench/ask_clause.py: a pair's verdict with its query's asking clause's second cosine,
read from toy rows as cache_losses.py --pairs-out writes them (a stand-in for the mapped
vectors), and cache_shared.py's variant field ``a``."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.unit.toy_rows import row

CUT = 0.916959
TOLD = "We moved house last week. Do you deliver to the new address?"
ASK = "Do you deliver to the new address?"
CACHED_TOLD = "I am new here; do you deliver?"


@pytest.fixture(scope="module")
def bench(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("ask_clause")


def mapped_of(cosines: dict[tuple[str, str], float]) -> Callable[[str], np.ndarray]:
    """Unit vectors in 3 dimensions whose dot products with ``"cached"`` are as given:
    each text at its angle in the plane of the first two axes."""
    def mapped(text: str) -> np.ndarray:
        if text in ("cached", CACHED_TOLD):
            return np.asarray([1.0, 0.0, 0.0], np.float32)
        c = next((v for (a, _), v in cosines.items() if a == text), 0.0)
        return np.asarray([c, np.sqrt(1 - c * c), 0.0], np.float32)
    return mapped


def told(n: int, label: int, p: float, similarity: float, kind: str = "short_long",
         ) -> dict[str, Any]:
    return {**row("heldout54", n, label, p, kind, similarity=similarity), "a": "cached",
            "b": TOLD}


def test_the_asking_clause_lifts_a_pair_over_the_floor(bench: ModuleType) -> None:
    r = told(0, 1, 0.99, 0.45)
    r["cos"] = bench.cosines(r, mapped_of({(ASK, "cached"): 0.7}))
    assert r["cos"]["ask"] == pytest.approx(0.7, abs=1e-6) and "cached_ask" not in r["cos"]
    got = bench.verdicts(r, 0.5, CUT)
    assert got["shipped"] == ("floor", False)
    assert got["query"] == ("verifier", True) and got["both"] == ("verifier", True)


def test_the_verifier_still_reads_the_whole_pair(bench: ModuleType) -> None:
    r = told(1, 0, 0.3, 0.45, "near_topic")
    r["cos"] = bench.cosines(r, mapped_of({(ASK, "cached"): 0.7}))
    assert bench.verdicts(r, 0.5, CUT)["query"] == ("verifier", False)


def test_a_one_clause_query_has_no_second_cosine(bench: ModuleType) -> None:
    r = {**row("heldout54", 2, 1, 0.99, similarity=0.45), "a": "cached",
         "b": "do you deliver to a new address?"}
    r["cos"] = bench.cosines(r, mapped_of({}))
    assert r["cos"] == {} and bench.similarity(r, "both") == 0.45


def test_the_tally_counts_found_passed_and_still_lost(bench: ModuleType) -> None:
    rows = [told(0, 1, 0.99, 0.45), told(1, 0, 0.3, 0.45, "near_topic"),
            told(2, 1, 0.99, 0.3, "reworded")]
    for r in rows[:2]:
        r["cos"] = {"ask": 0.7, "ask_clause": 0.7}
    rows[2]["cos"] = {"ask": 0.4, "ask_clause": 0.4}
    cells = bench.tally(rows, 0.5, CUT)
    pos = cells["writers:+all"]
    assert (pos["n"], pos["query_ask"], pos["found:query"], pos["floor:shipped"],
            pos["floor:query"]) == (2, 2, 1, 2, 1)
    assert cells["writers:-all"].get("passed:query", 0) == 0
    lost = bench.still_lost(rows, 0.5, CUT, "query")
    assert lost == {"reworded": {"n": 1, "query_ask": 1, "p_over_cut": 1,
                                 "similarity_quartiles": [0.4, 0.4, 0.4]}}
    changed = bench.changed(rows, 0.5, CUT)
    assert [(c["id"], c["variants"], c["ask"]) for c in changed] == [
        ("p0000", ["query", "query_clause", "both"], ASK)]


def test_the_cached_sides_asking_clause_in_both(bench: ModuleType) -> None:
    r = {**row("heldout54", 3, 1, 0.99, similarity=0.45), "a": CACHED_TOLD,
         "b": "deliveries?"}
    r["cos"] = bench.cosines(r, mapped_of({("deliveries?", "cached"): 0.45}))
    assert set(r["cos"]) == {"cached_ask"}
    r["cos"]["cached_ask"] = 0.8
    got = bench.verdicts(r, 0.5, CUT)
    assert got["query"] == ("floor", False) and got["both"] == ("verifier", True)


def test_the_asking_clause_is_a_variant_field(bench_module: Callable[[str], ModuleType]
                                              ) -> None:
    shared = bench_module("cache_shared")
    assert shared.asked_variant("0.5:5:m:a") and not shared.asked_variant("0.5:5:m")
    policy, k = shared.variant("0.5:5:m:a", None, 0.9)
    assert (policy.threshold, k, policy.rank_margin) == (
        0.5, 5, shared.CacheConfig().verifier_rank_margin)
    assert shared.variant("0.5:5:a:0", None, 0.9)[0].rank_margin == 0.0
