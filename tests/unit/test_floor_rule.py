"""bench/floor_rule.py (session 22): the lead's floor rule read from the rows and the
benches' outputs; how it reads them, on made-up figures."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
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


# Session 24: F1, the nearest candidate under the floor (``--nearest``).

F1_KEYS = ("0.5:5", "0.5:5:n0.45", "0.5:5:n0.4")


def shared_f1(neg: dict[str, int], pos: dict[str, int],
              scored: dict[str, float]) -> dict[str, Any]:
    def view(k: str) -> dict[str, Any]:
        return {"negatives": {"another": neg[k], "another_right": 0,
                              "another_wrong": 0, "another_unknown": neg[k],
                              "answered": neg[k], "known_wrong": 0},
                "positives": {"own": 10, "another": pos[k], "another_right": 0,
                              "another_wrong": 0, "another_unknown": pos[k]}}

    return {"verifier": {"min_probability": 0.855177},
            "by_variant": {k: {"all": view(k), "scored_per_lookup": scored[k],
                               "verified_per_lookup": scored[k], "cpu_ms_per_lookup": 9.0}
                           for k in neg}}


def ds_rows() -> list[dict[str, Any]]:
    """100 DS paraphrases: 96 found at 0.50, one more at 0.47 and at 0.42 each; a negative
    at 0.42 that S2 passes (0.40 fails (a)); a D31 set's pair at 0.46 (not DS)."""
    return ([row(1, 0.9, 0.99, where="heldout42") for _ in range(96)]
            + [row(1, 0.47, 0.9, where="heldout42"), row(1, 0.48, 0.9, where="heldout43"),
               row(1, 0.42, 0.9, "short_long", "heldout43"),
               row(1, 0.3, 0.99, where="heldout43")]
            + [row(0, 0.42, 0.95, "near_topic", "heldout43"), row(0, 0.6, 0.5, where="heldout42")]
            + [row(1, 0.46, 0.9, where="heldout35")])


def test_f1_reads_the_rule_and_the_paraphrase_part_of_d(rule: ModuleType) -> None:
    """0.45 adds 2 points and passes (a)-(e); 0.40 passes a negative. Then (d)'s paraphrase
    part alone (3 more paraphrase queries answered by another entry) turns 0.45 down, and
    (e) at 1.15 x: 2.31 scored against 2.0 fails."""
    quora = [row(0, 0.6, 0.5, where="pairs:qqp")]
    scored = dict(zip(F1_KEYS, (2.0, 2.1, 2.2), strict=True))
    out = rule.decide(ds_rows(), quora, shared_f1(dict.fromkeys(F1_KEYS, 5),
                                                  dict.fromkeys(F1_KEYS, 4), scored),
                      None, rule.F1)
    floors = out["floors"]
    assert list(floors) == ["0.50", "0.45", "0.40"]
    assert floors["0.50"]["df"]["hits"] == 96 and floors["0.45"]["df"]["hits"] == 98
    assert floors["0.45"]["passes"] and not floors["0.40"]["checks"]["a"]["pass"]
    assert out["adopted"] == 0.45
    assert "cpu_ms_per_lookup_implied" not in floors["0.45"]["shared"]
    assert floors["0.45"]["added"]["paraphrases"][0]["b"] == "b"  # with its texts
    d = floors["0.45"]["checks"]["d"]
    assert d["paraphrases_answered_by_another"] == 4 and d["paraphrases_limit"] == 6
    worse = rule.decide(ds_rows(), quora, shared_f1(
        dict.fromkeys(F1_KEYS, 5), dict(zip(F1_KEYS, (4, 7, 7), strict=True)),
        dict(zip(F1_KEYS, (2.0, 2.31, 2.2), strict=True))), None, rule.F1)
    low = worse["floors"]["0.45"]["checks"]
    assert low["a"]["pass"] and low["b"]["pass"] and low["c"]["pass"]
    assert not low["d"]["pass"] and not low["e"]["pass"] and worse["adopted"] == 0.50


def answer(variant: str, pair: str, answered: str | None, outcome: str, label: int = 1,
           alone: bool = False) -> dict[str, Any]:
    return {"variant": variant, "set": "heldout42", "id": pair, "label": label,
            "kind": "reworded", "a": f"cached {pair}", "b": f"query {pair}",
            "outcome": outcome, "answered": answered, "relation": None if outcome in (
                "partner", "top_k", "refused") else "unknown", "filler": False,
            "alone": alone}


def test_f1s_added_answers_are_read_from_cache_shareds_rows(rule: ModuleType) -> None:
    """p1: a miss F1 answers with its own entry; p2: a negative F1 answers with another's;
    p3: answered alike; p4: an answer that changed is counted (none by design)."""
    rows = []
    for k in F1_KEYS:
        f1 = k != "0.5:5"
        rows += [answer(k, "p1", "cached p1" if f1 else None, "partner" if f1 else "top_k"),
                 answer(k, "p2", "other" if f1 else None, "other" if f1 else "refused", 0),
                 answer(k, "p3", "cached p3", "partner"),
                 answer(k, "p4", "x" if k.endswith("0.4") else "cached p4",
                        "other" if k.endswith("0.4") else "partner")]
    out = rule.shared_added(rows)
    at45 = out["0.45"]
    assert at45["own_added"]["paraphrases"] == 1 and at45["answers_changed"] == 0
    assert at45["another_added"]["negative_queries"] == 1
    assert at45["another_added"]["pairs"][0]["query"] == "query p2"
    assert at45["another_added"]["pairs"][0]["answered"] == "other"
    assert out["0.40"]["answers_changed"] == 1


def test_f1s_one_entry_probes_are_checked_against_the_rows(rule: ModuleType) -> None:
    base = [{**row(1, 0.47, 0.9, where="heldout42"), "id": "p1"}]
    same = [answer("0.5:5", "p1", None, "top_k", alone=False),
            answer("0.5:5:n0.45", "p1", None, "top_k", alone=True),
            answer("0.5:5:n0.4", "p1", None, "top_k", alone=False)]  # differs from stage
    out = rule.alone_check(base, same)
    assert out["0.5:5"]["differ"] == 0 and out["0.5:5:n0.45"]["differ"] == 0
    assert out["0.5:5:n0.4"] == {"pairs": 1, "differ": 1, "which": [["heldout42", "p1"]]}


def test_f1_records_d31s_untrained_sets_per_pair(rule: ModuleType) -> None:
    records = rule.per_pair_records(ds_rows())  # only heldout35's pair is of heldout30-41
    assert records["0.50"]["all"]["positives"] == 1 and records["0.50"]["all"]["hits"] == 0
    assert records["0.45"]["all"]["hits"] == 1
    assert records["0.45"]["by_set"]["heldout35"]["hits"] == 1


def test_the_f1_rule_is_quoted_whole(rule: ModuleType) -> None:
    text = " ".join(rule.RULE_F1.split())
    assert text.startswith("F1: where no candidate of a lookup reaches cache.verifier_floor")
    assert text.endswith("If no f passes, F1 stays off.")
    assert rule.F1.cut == 0.855177 and rule.F1.floors == (0.45, 0.40)
    assert [rule.nearest_key(f) for f in (0.5, 0.45, 0.40)] == list(F1_KEYS)


def test_f1_runs_from_toy_files(rule: ModuleType, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """``--nearest`` end to end on toy files: the decision JSON holds the rule, the checks,
    the added answers, the probes' check and the D31 records."""
    def write(name: str, rows: list[dict[str, Any]]) -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return str(path)

    scored = dict(zip(F1_KEYS, (2.0, 2.1, 2.2), strict=True))
    shared_json = tmp_path / "S.json"
    shared_json.write_text(json.dumps(shared_f1(dict.fromkeys(F1_KEYS, 5),
                                                dict.fromkeys(F1_KEYS, 4), scored)))
    out = tmp_path / "decision.json"
    monkeypatch.setattr(sys, "argv", [
        "floor_rule.py", "--nearest", "--rows", write("rows.jsonl", ds_rows()),
        "--records", write("d31.jsonl", ds_rows()),
        "--quora", write("q.jsonl", [row(0, 0.6, 0.5, where="pairs:qqp")]),
        "--shared", str(shared_json),
        "--shared-pairs", write("S.jsonl", [answer(k, "p1", None, "top_k") for k in F1_KEYS]),
        "--out", str(out)])
    assert rule.main() == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["rule"] == " ".join(rule.RULE_F1.split()) and got["adopted"] == 0.45
    assert got["floors"]["0.45"]["passes"] and got["shared_added"]["0.45"]["answers_changed"] == 0
    assert got["records_d31_untrained"]["0.45"]["all"]["hits"] == 1
    assert got["alone_check"]["0.5:5"]["pairs"] == 0  # p1 is no pair of the rows
