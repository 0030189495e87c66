"""bench/m2b_rule.py (session 28): the lead's rule M2b read from the benches' outputs, (a)-(f)
as rule M's for M2 and (g) pooled with rule M's committed P; on made-up figures for D62."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

POOL = Path(__file__).resolve().parents[2] / "bench" / "results" / (
    "cache-shared-heldout64-65-map-rule-session27.json")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("m2b_rule")


@pytest.fixture(scope="module")
def pool() -> dict[str, Any]:
    """Rule M's P as committed: what (g) pools with."""
    return json.loads(POOL.read_text())


def view(own: int, another: int, answered: int, n: int = 800) -> dict[str, Any]:
    return {"positives": {"n": n, "own": own, "another": another},
            "negatives": {"n": 780, "answered": answered, "another": answered,
                          "known_wrong": 0}}


def shared(rule: ModuleType, m2: tuple[int, int, int, float] = (509, 30, 20, 2.5),
           ship: tuple[int, int, int, float] = (500, 30, 20, 3.0)) -> dict[str, Any]:
    """P on D62: per arm (own, another, negatives answered, scored per lookup), 800
    paraphrase queries."""
    figures = {"0.5:5": ship, "0.5:5:m": m2}
    return {"sets": ["heldout62", "heldout63"], "entries": 10_000,
            "verifier": {"model": "cross", "sha256": rule.map_rule.S5_SHA256,
                         "min_probability": rule.map_rule.CUT},
            "retrieval_map": {"weight_sha256": rule.map_rule.MAP_SHA256},
            "by_variant": {k: {"all": view(*v[:3]), "scored_per_lookup": v[3],
                               "verified_per_lookup": v[3], "cpu_ms_per_lookup": 20.0,
                               "by_set": {"heldout62": view(*v[:3], n=400)}}
                           for k, v in figures.items()}}


def counts(hits: int, false_hits: int, positives: int = 800) -> dict[str, Any]:
    return {"hits": hits, "positives": positives, "recall": hits / positives,
            "false_hits": false_hits, "negatives": 780}


def measured(rule: ModuleType, raw: tuple[int, int], m50: tuple[int, int],
             quora: bool = False) -> dict[str, Any]:
    """Q (or R with ``quora``): (hits, false hits) raw and with the map, both at 0.50."""
    def per_pair(at: dict[str, tuple[int, int]]) -> dict[str, Any]:
        if quora:
            return {"by_set": {f: {"pairs:qqp": counts(*v)} for f, v in at.items()}}
        return {"at": {f: counts(*v) for f, v in at.items()}}

    return {"cut": rule.map_rule.CUT, "maps": {
        "raw": {"per_pair": per_pair({"0.50": raw})},
        "full-mnr": {"weight_sha256": rule.map_rule.MAP_SHA256,
                     "per_pair": per_pair({"0.50": m50})}},
        "check": {"pairs": 300, "agree": 300}}


def qr(rule: ModuleType) -> tuple[dict[str, Any], dict[str, Any]]:
    return (measured(rule, (600, 8), (595, 8)),
            measured(rule, (200, 29), (200, 29), quora=True))


def test_the_rule_is_quoted_whole(rule: ModuleType) -> None:
    text = rule.RULE
    assert text.startswith("M2b: the learnt retrieval map (i11's full-mnr")
    assert text.endswith("the second look is no easier than a single test on the union.")
    assert "  " not in text and rule.map_rule.MAP_SHA256 in text
    assert ("(shipped 470, M2 477 own-entry answers of 773 paraphrase queries; negatives "
            "answered 25 / 23)") in text


def test_the_committed_pool_is_rule_ms_p_with_the_figures_the_rule_states(
        rule: ModuleType, pool: dict[str, Any]) -> None:
    rule.check_pool(pool)
    assert rule.figures(pool, "0.5:5") == (470, 773, 25)
    assert rule.figures(pool, "0.5:5:m") == (477, 773, 23)


def test_m2_passing_everything_ships(rule: ModuleType, pool: dict[str, Any]) -> None:
    result = rule.decide(shared(rule), *qr(rule), pool)
    checks = result["candidates"]["M2"]["checks"]
    assert set(checks) == {"a", "b", "c", "d", "e_false_hits", "e_recall", "f", "g_own",
                           "g_negatives"}
    assert all(c["pass"] for c in checks.values())
    assert result["winner"] == "M2" and result["verdict"] == "M2 ships: the map at floor 0.5"
    assert result["pooled"]["shipped"] == {"own": 970, "paraphrase_queries": 1573,
                                           "negatives_answered": 45}
    assert result["pooled"]["M2"]["own"] == 986
    assert "D62's paraphrase queries" in checks["a"]["what"]


def test_g_pools_the_two_runs_and_can_refuse_what_a_alone_passes(
        rule: ModuleType, pool: dict[str, Any]) -> None:
    # 800 + 773 paraphrase queries: (a) asks 500 + 8 = 508 here; (g) asks
    # 970 + 15.73 over both runs, so 508 + 477 = 985 is short by one and 509 passes.
    result = rule.decide(shared(rule, m2=(508, 30, 20, 2.5)), *qr(rule), pool)
    checks = result["candidates"]["M2"]["checks"]
    assert checks["a"]["pass"] and not checks["g_own"]["pass"]
    assert checks["g_own"]["figure"] == 985 and checks["g_own"]["bar"] == 985.73
    assert result["winner"] is None and "nothing ships" in result["verdict"]


def test_g_negatives_allow_two_more_over_both_runs(rule: ModuleType,
                                                   pool: dict[str, Any]) -> None:
    # shipped answered 20 + 25 negatives, M2 22 + 23 = 45: passes; at 24 + 23 = 47 too, but
    # (b) on D62 alone (<= 22) refuses that; (g) cannot relax (b).
    result = rule.decide(shared(rule, m2=(509, 30, 22, 2.5)), *qr(rule), pool)
    assert result["winner"] == "M2"
    result = rule.decide(shared(rule, m2=(509, 30, 24, 2.5)), *qr(rule), pool)
    checks = result["candidates"]["M2"]["checks"]
    assert checks["g_negatives"]["pass"] and not checks["b"]["pass"]
    assert result["winner"] is None
    # the pool's figures are the committed run's, never others: a changed one is refused
    spoilt = copy.deepcopy(pool)
    spoilt["by_variant"]["0.5:5:m"]["all"]["negatives"]["answered"] = 28
    with pytest.raises(SystemExit):
        rule.decide(shared(rule), *qr(rule), spoilt)


def test_a_to_f_are_rule_ms_bars_for_m2(rule: ModuleType, pool: dict[str, Any]) -> None:
    q, r = qr(rule)
    for m2, key in (((509, 33, 20, 2.5), "c"), ((509, 30, 20, 3.001), "d")):
        checks = rule.decide(shared(rule, m2=m2), q, r, pool)["candidates"]["M2"]["checks"]
        assert not checks[key]["pass"]
    # 800 paraphrases: one point is 8 hits, 592 passes and 591 fails; one false hit more fails
    for m50, key, ok in (((592, 8), "e_recall", True), ((591, 8), "e_recall", False),
                         ((600, 9), "e_false_hits", False)):
        got = rule.decide(shared(rule), measured(rule, (600, 8), m50), r, pool)
        assert got["candidates"]["M2"]["checks"][key]["pass"] is ok
    r = measured(rule, (200, 29), (200, 30), quora=True)
    assert not rule.decide(shared(rule), q, r, pool)["candidates"]["M2"]["checks"]["f"]["pass"]


@pytest.mark.parametrize("spoil", ["sets", "entries", "map", "variant", "pool_sets",
                                   "pool_map", "pool_figures"])
def test_inputs_not_the_rules_are_refused(rule: ModuleType, pool: dict[str, Any],
                                          spoil: str) -> None:
    p, (q, r), pl = shared(rule), qr(rule), copy.deepcopy(pool)
    if spoil == "sets":
        p["sets"] = ["heldout64", "heldout65"]
    elif spoil == "entries":
        p["entries"] = 5_000
    elif spoil == "map":
        p["retrieval_map"]["weight_sha256"] = "0" * 64
    elif spoil == "variant":
        del p["by_variant"]["0.5:5:m"]
    elif spoil == "pool_sets":
        pl["sets"] = ["heldout62", "heldout63"]
    elif spoil == "pool_map":
        pl["retrieval_map"]["weight_sha256"] = "0" * 64
    else:
        pl["by_variant"]["0.5:5"]["all"]["positives"]["own"] = 469
    with pytest.raises(SystemExit):
        rule.decide(p, q, r, pl)


def test_main_writes_the_result_the_records_and_the_verdict(
        rule: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for name, got in zip("pqr", (shared(rule), *qr(rule)), strict=True):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(got))
    rows = tmp_path / "pairs.jsonl"
    rows.write_text("".join(json.dumps(
        {"variant": v, "set": "heldout62", "id": "p1", "label": 1, "kind": "reworded",
         "a": "cached", "b": "query", "outcome": o, "answered": a}) + "\n"
        for v, o, a in (("0.5:5", "top_k", None), ("0.5:5:m", "partner", "cached"))))
    out, verdict = tmp_path / "out.json", tmp_path / "verdict.txt"
    monkeypatch.setattr(sys, "argv", ["m2b_rule.py", "--shared", str(paths[0]), "--rows",
                                      str(paths[1]), "--quora", str(paths[2]), "--pairs-out",
                                      str(rows), "--out", str(out), "--verdict", str(verdict)])
    assert rule.main() == 0
    written = json.loads(out.read_text())
    assert written["winner"] == "M2" and written["rule"] == rule.RULE
    assert written["inputs"]["pool"] == str(rule.POOL)
    assert written["records"]["differ_counts"] == {"M2": 1}
    assert written["q_check"] == {"pairs": 300, "agree": 300}
    assert verdict.read_text().startswith("rule M2b: M2 ships: the map at floor 0.5\n(a) pass")
