"""bench/floor_rule.py (session 22): the lead's floor rule read from the rows and the
benches' outputs; how it reads them, on made-up figures."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

COST = """CPU ms per candidate, median / mean / p99 over the lookups
cross               request  1 candidate : 7.00 / 7.50 / 9.00 (load average 3.0)
cross               request  5 candidates: 5.00 / 5.20 / 6.00 (load average 3.0)
cross               warm     5 candidates: 4.00 / 4.10 / 5.00 (load average 3.0)
nets                request  5 candidates: 9.00 / 9.00 / 9.00 (load average 3.0)
cross               request  1 candidate : 8.00 / 8.50 / 9.00 (load average 3.1)
cross               request  5 candidates: 6.00 / 6.20 / 7.00 (load average 3.1)
"""


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("floor_rule")


def row(label: int, similarity: float, p: float, kind: str = "reworded",
        where: str = "heldout30") -> dict[str, Any]:
    return {"set": where, "id": f"{where}-{label}-{similarity}-{p}", "kind": kind,
            "label": label, "a": "a", "b": "b", "similarity": similarity, "numbers": False,
            "respelling": None, "p": p, "narrowed": False, "more": False, "own": False}


def shared(another: dict[str, int], scored: dict[str, float]) -> dict[str, Any]:
    def view(k: str) -> dict[str, Any]:
        return {"negatives": {"another": another[k], "another_right": 0,
                              "another_wrong": another[k], "another_unknown": 0,
                              "answered": another[k], "known_wrong": another[k]},
                "positives": {"own": 1, "another": 0}}

    return {"by_variant": {k: {"all": view(k), "scored_per_lookup": scored[k],
                               "verified_per_lookup": scored[k], "cpu_ms_per_lookup": 10.0}
                           for k in another}}


KEYS = ("0.5:5", "0.45:5", "0.4:5", "0.35:5")


def test_stack_cost_medians_are_read_per_lookup_size(rule: ModuleType) -> None:
    assert rule.candidate_ms(COST) == {1: 7.5, 5: 5.5}
    assert rule.candidate_ms(COST, state="warm") == {5: 4.0}
    with pytest.raises(SystemExit):
        rule.candidate_ms("nothing timed")


def test_the_variant_names_are_cache_shareds(rule: ModuleType) -> None:
    assert [rule.variant_key(f) for f in (0.5, *rule.FLOORS)] == list(KEYS)


def test_the_lowest_floor_passing_every_part_is_adopted(rule: ModuleType) -> None:
    """Two paraphrases at cosine 0.47 and 0.42 and one at 0.37 (all p 0.9) out of 100, a
    negative at 0.37 (p 0.95), one under the cut: 0.45 adds 1 point (b passes), 0.40 2,
    0.35 passes a negative (a fails). Adopted: 0.40."""
    rows = ([row(1, 0.9, 0.99) for _ in range(97)]
            + [row(1, 0.47, 0.9), row(1, 0.42, 0.9), row(1, 0.37, 0.9)]
            + [row(0, 0.37, 0.95, "near_topic"), row(0, 0.6, 0.5)]
            + [row(1, 0.3, 0.99, where="heldout29")])  # not in DF
    quora = [row(0, 0.6, 0.5, where="pairs:qqp"), row(1, 0.2, 0.99, where="pairs:qqp")]
    out = rule.decide(rows, quora, shared(dict.fromkeys(KEYS, 3),
                                          dict(zip(KEYS, (2.0, 2.5, 3.0, 3.1), strict=True))),
                      {1: 7.5, 5: 5.5})
    floors = out["floors"]
    assert floors["0.50"]["df"]["hits"] == 97 and floors["0.40"]["df"]["hits"] == 99
    assert floors["0.45"]["checks"]["b"]["pass"] and floors["0.45"]["passes"]
    assert floors["0.40"]["passes"]
    assert not floors["0.35"]["checks"]["a"]["pass"]  # a negative more
    assert out["adopted"] == 0.40
    assert floors["0.40"]["added"]["paraphrases_by_kind"] == {"reworded": 2}
    assert floors["0.35"]["added"]["negatives_by_kind"] == {"near_topic": 1}
    assert floors["0.40"]["shared"]["cpu_ms_per_lookup_implied"] == {
        "at_1_candidates_ms": 22.5, "at_5_candidates_ms": 16.5}


def test_no_floor_passing_keeps_the_shipped_one(rule: ModuleType) -> None:
    """(d) and (e) fail everywhere: more negatives answered by another entry than + 2, and
    more than 1.5 times the pairs scored."""
    rows = [row(1, 0.9, 0.99) for _ in range(90)] + [row(1, 0.46, 0.9) for _ in range(10)]
    out = rule.decide(rows, [row(0, 0.6, 0.5, where="pairs:qqp")],
                      shared(dict(zip(KEYS, (3, 6, 7, 8), strict=True)),
                             dict(zip(KEYS, (2.0, 3.1, 3.5, 4.0), strict=True))),
                      {5: 5.0})
    low = out["floors"]["0.45"]["checks"]
    assert low["a"]["pass"] and low["b"]["pass"] and low["c"]["pass"]
    assert not low["d"]["pass"] and not low["e"]["pass"]
    assert out["adopted"] == 0.50


def test_a_rerun_agrees_or_the_pair_is_counted(rule: ModuleType) -> None:
    """same_stages: a rerun's tiny float differences leave every stage alone; a pair whose
    probability crossed the cut in the rerun is counted."""
    rows = [row(1, 0.42, 0.9), row(0, 0.7, 0.3)]
    close = [{**r, "p": r["p"] + 1e-6, "similarity": r["similarity"] + 1e-7} for r in rows]
    same = rule.same_stages(rows, close)
    assert same["stage_differs"] == 0 and same["pairs"] == 2 and same["sets"] == ["heldout30"]
    assert same["max_abs_p"] == pytest.approx(1e-6)
    crossed = [rows[0], {**rows[1], "p": 0.9}]
    assert rule.same_stages(rows, crossed)["stage_differs"] == 1
