"""bench/map_rule.py (session 27): the lead's rule M read from the benches' outputs; how it
reads them, on made-up figures."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("map_rule")


def view(own: int, another: int, answered: int, n: int = 400) -> dict[str, Any]:
    return {"positives": {"n": n, "own": own, "another": another},
            "negatives": {"n": 400, "answered": answered, "another": answered,
                          "known_wrong": 0}}


def shared(rule: ModuleType, variants: dict[str, tuple[int, int, int, float]] | None = None
           ) -> dict[str, Any]:
    """P: per variant (own, another, negatives answered, scored per lookup)."""
    figures = {"0.5:5": (200, 20, 10, 2.8), "0.5:5:m": (204, 20, 10, 2.2),
               "0.46:5:m": (206, 20, 10, 2.9)}
    figures.update(variants or {})
    return {"sets": ["heldout64", "heldout65"], "entries": 10_000,
            "verifier": {"model": "cross", "sha256": rule.S5_SHA256,
                         "min_probability": rule.CUT},
            "retrieval_map": {"weight_sha256": rule.MAP_SHA256},
            "by_variant": {k: {"all": view(*v[:3]), "scored_per_lookup": v[3],
                               "verified_per_lookup": v[3], "cpu_ms_per_lookup": 20.0,
                               "by_set": {"heldout64": view(*v[:3], n=200)}}
                           for k, v in figures.items()}}


def counts(hits: int, false_hits: int, positives: int = 800) -> dict[str, Any]:
    return {"hits": hits, "positives": positives, "recall": hits / positives,
            "false_hits": false_hits, "negatives": 800}


def measured(rule: ModuleType, raw: tuple[int, int], m50: tuple[int, int],
             m46: tuple[int, int], quora: bool = False) -> dict[str, Any]:
    """Q (or R with ``quora``): (hits, false hits) raw at 0.50, the map at 0.50 and 0.46."""
    def per_pair(at: dict[str, tuple[int, int]]) -> dict[str, Any]:
        if quora:
            return {"by_set": {f: {"pairs:qqp": counts(*v)} for f, v in at.items()}}
        return {"at": {f: counts(*v) for f, v in at.items()}}

    return {"cut": rule.CUT, "maps": {
        "raw": {"per_pair": per_pair({"0.50": raw})},
        "full-mnr": {"weight_sha256": rule.MAP_SHA256,
                     "per_pair": per_pair({"0.50": m50, "0.46": m46})}},
        "check": {"pairs": 300, "agree": 300}}


def good(rule: ModuleType) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return (shared(rule), measured(rule, (600, 8), (597, 7), (610, 8)),
            measured(rule, (200, 29), (200, 29), (200, 29), quora=True))


def test_the_rule_is_quoted_whole(rule: ModuleType) -> None:
    text = rule.RULE
    assert text.startswith("M: the learnt retrieval map (i11's full-mnr")
    assert text.endswith("and the populated cache is what users see.")
    assert "  " not in text and rule.MAP_SHA256 in text


def test_both_pass_and_more_own_answers_ship(rule: ModuleType) -> None:
    result = rule.decide(*good(rule))
    assert result["passed"] == ["M2", "M1"] and result["winner"] == "M1"
    assert all(c["pass"] for c in result["candidates"]["M1"]["checks"].values())


def test_a_tie_in_own_answers_ships_m2(rule: ModuleType) -> None:
    p, q, r = good(rule)
    p = shared(rule, {"0.46:5:m": (204, 20, 10, 2.9)})
    assert rule.decide(p, q, r)["winner"] == "M2"


def test_a_is_one_point_of_the_paraphrase_queries_in_whole_counts(rule: ModuleType) -> None:
    # 400 paraphrase queries: 1.0 point is 4 answers; 203 is 0.75 point over 200.
    p = shared(rule, {"0.5:5:m": (203, 20, 10, 2.2), "0.46:5:m": (204, 20, 10, 2.9)})
    result = rule.decide(p, *good(rule)[1:])
    assert not result["candidates"]["M2"]["checks"]["a"]["pass"]
    assert result["candidates"]["M1"]["checks"]["a"]["pass"]
    assert result["winner"] == "M1"


def test_b_and_c_allow_two_more(rule: ModuleType) -> None:
    p = shared(rule, {"0.5:5:m": (204, 22, 12, 2.2), "0.46:5:m": (206, 23, 10, 2.9)})
    result = rule.decide(p, *good(rule)[1:])
    assert result["candidates"]["M2"]["passes"]
    assert not result["candidates"]["M1"]["checks"]["c"]["pass"]
    p = shared(rule, {"0.5:5:m": (204, 20, 13, 2.2)})
    assert not rule.decide(p, *good(rule)[1:])["candidates"]["M2"]["checks"]["b"]["pass"]


def test_d_holds_m2_to_shipped_and_m1_to_five_percent_more(rule: ModuleType) -> None:
    p = shared(rule, {"0.5:5:m": (204, 20, 10, 2.81), "0.46:5:m": (206, 20, 10, 2.94)})
    result = rule.decide(p, *good(rule)[1:])
    assert not result["candidates"]["M2"]["checks"]["d"]["pass"]
    assert result["candidates"]["M1"]["checks"]["d"]["pass"]  # 2.94 <= 1.05 x 2.8
    p = shared(rule, {"0.46:5:m": (206, 20, 10, 2.95)})
    assert not rule.decide(p, *good(rule)[1:])["candidates"]["M1"]["checks"]["d"]["pass"]


def test_e_reads_the_candidates_floor_and_allows_one_point_of_recall(rule: ModuleType) -> None:
    p, _, r = good(rule)
    # 800 paraphrases: one point is 8 hits; M2 at 0.50 592 (-8) passes, M1 at 0.46 591 fails.
    result = rule.decide(p, measured(rule, (600, 8), (592, 8), (591, 8)), r)
    assert result["candidates"]["M2"]["checks"]["e_recall"]["pass"]
    assert not result["candidates"]["M1"]["checks"]["e_recall"]["pass"]
    result = rule.decide(p, measured(rule, (600, 8), (600, 9), (600, 8)), r)
    assert not result["candidates"]["M2"]["checks"]["e_false_hits"]["pass"]
    assert result["winner"] == "M1"


def test_f_and_neither_passing(rule: ModuleType) -> None:
    p, q, _ = good(rule)
    result = rule.decide(p, q, measured(rule, (200, 29), (200, 30), (200, 31), quora=True))
    assert result["passed"] == [] and result["winner"] is None
    assert "nothing ships" in result["verdict"]


@pytest.mark.parametrize("spoil", ["sets", "entries", "verifier", "map", "variant", "q_map",
                                   "q_cut"])
def test_inputs_not_the_rules_are_refused(rule: ModuleType, spoil: str) -> None:
    p, q, r = (copy.deepcopy(x) for x in good(rule))
    if spoil == "sets":
        p["sets"] = ["heldout62", "heldout63"]
    elif spoil == "entries":
        p["entries"] = 0
    elif spoil == "verifier":
        p["verifier"]["min_probability"] = 0.9
    elif spoil == "map":
        p["retrieval_map"]["weight_sha256"] = "0" * 64
    elif spoil == "variant":
        del p["by_variant"]["0.46:5:m"]
    elif spoil == "q_map":
        q["maps"]["full-mnr"]["weight_sha256"] = "0" * 64
    else:
        r["cut"] = 0.9
    with pytest.raises(SystemExit):
        rule.decide(p, q, r)


def test_records_list_every_pair_a_candidate_answers_otherwise(rule: ModuleType) -> None:
    def pair(variant: str, outcome: str, answered: str | None) -> dict[str, Any]:
        return {"variant": variant, "set": "heldout64", "id": "p1", "label": 1,
                "kind": "reworded", "a": "cached", "b": "query", "outcome": outcome,
                "answered": answered}

    rows = [pair("0.5:5", "top_k", None), pair("0.5:5:m", "partner", "cached"),
            pair("0.46:5:m", "top_k", None)]
    got = rule.records(good(rule)[0], rows)
    assert got["differ_counts"] == {"M2": 1, "M1": 0}
    assert got["differ"]["M2"][0]["shipped"] == ["top_k", None]
    assert got["differ"]["M2"][0]["M2"] == ["partner", "cached"]
    assert got["per_variant"]["0.5:5"]["by_set"]["heldout64"]["own"] == 200


def test_main_writes_the_result_and_the_verdict(rule: ModuleType, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for name, got in zip("pqr", good(rule), strict=True):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(got))
    out, verdict = tmp_path / "out.json", tmp_path / "verdict.txt"
    monkeypatch.setattr(sys, "argv", ["map_rule.py", "--shared", str(paths[0]), "--rows",
                                      str(paths[1]), "--quora", str(paths[2]), "--out",
                                      str(out), "--verdict", str(verdict)])
    assert rule.main() == 0
    written = json.loads(out.read_text())
    assert written["winner"] == "M1" and written["rule"] == rule.RULE
    assert written["q_check"] == {"pairs": 300, "agree": 300}
    assert verdict.read_text() == "rule M: M1 ships: the map at floor 0.46\n"
