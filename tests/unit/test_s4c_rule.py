"""bench/s4c_rule.py (session 24): rule S4c, S4 at a cut chosen on heldout42-43 so that the
populated cache holds, then tested on heldout46-47, read from toy rows (cache_losses.py
--pairs-out) and toy cache_shared results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, row, set_rows

SEEN = ("heldout42", "heldout43")
D47 = ("heldout46", "heldout47")
CUTS = ("0.892606", "0.900000", "0.910000", "0.920000", "0.930000", "0.940000", "0.950000")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s4c_rule")


def part(neg_another: int, pos_another: int = 5) -> dict[str, Any]:
    return {"negatives": {"another": neg_another, "own": 1, "answered": neg_another + 1},
            "positives": {"another": pos_another, "own": 60, "none": 10},
            "per_pair": {"hits": 70, "passed": 2, "positives": 75, "negatives": 75}}


def shared(sha: str, cut: float, sets: tuple[str, ...], variants: dict[str, int]
           ) -> dict[str, Any]:
    return {"sets": list(sets), "entries": 10_000,
            "verifier": {"sha256": sha + "0" * 56, "min_probability": cut},
            "by_variant": {name: {"all": part(n), "by_set": {s: part(n) for s in sets}}
                           for name, n in variants.items()}}


# Step 1: the populated cache answers 20, 19, 17, ... negatives from another entry: c* = 0.91.
STEP1_S4 = shared("4cfff74c", 0.94716, SEEN, {
    f"0.5:5:3:{c}": n for c, n in zip(CUTS, (20, 19, 17, 16, 12, 10, 9), strict=True)})
STEP1_S2 = shared("2a9b446e", 0.855177, SEEN, {"0.5:5": 15})
SEEN_S2 = set_rows(SEEN, [0.95, 0.9, 0.2], [0.86])
SEEN_S4 = set_rows(SEEN, [0.95, 0.905, 0.7], [0.9])
# Step 2: S2 at 0.855177 finds 2 of 3 a set at one false hit a set; S4 at 0.91 finds all 3
# and passes none (its negatives 0.9, 0.5): matched cut 0.500001 (the 0.9 passes there).
D47_S2 = set_rows(D47, [0.95, 0.9, 0.3], [0.86, 0.2])
D47_S4 = set_rows(D47, [0.95, 0.93, 0.92], [0.9, 0.5])
QUORA_S2 = [row("pairs:qqp", 0, 1, 0.9)] + [row("pairs:qqp", 1 + i, 0, 0.86) for i in range(48)]
QUORA_S4 = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, 0.5 if i else 0.93)
                                             for i in range(48)]
TRAFFIC = {(s, f"p{n:04d}"): "support" if n < 2 else "general" for s in D47 for n in range(9)}


def test_step1_picks_the_lowest_cut_that_holds(rule: ModuleType) -> None:
    one = rule.step1(STEP1_S4, STEP1_S2, rule.only(SEEN_S2, SEEN), rule.only(SEEN_S4, SEEN))
    assert one["limit"] == 17 and one["c_star"] == 0.91
    assert [r["holds"] for r in one["table"]] == [False, False, True, True, True, True, True]
    first = one["table"][0]
    assert first["all"]["negatives_another"] == 20 and first["all"]["positives_own"] == 60
    assert first["rows"]["all"]["hits"] == 4 and first["rows"]["all"]["false_hits"] == 2
    assert one["table"][2]["rows"]["all"]["hits"] == 2  # at 0.91 the 0.905s go
    assert one["S2"]["rows"]["all"]["hits"] == 4
    none = rule.step1(shared("4cfff74c", 0.94716, SEEN, {f"0.5:5:3:{c}": 18 for c in CUTS}),
                      None, rule.only(SEEN_S2, SEEN), rule.only(SEEN_S4, SEEN))
    assert none["c_star"] is None and none["S2"] is None
    with pytest.raises(SystemExit, match="not the rule's 15"):
        rule.step1(STEP1_S4, shared("2a9b446e", 0.855177, SEEN, {"0.5:5": 14}),
                   rule.only(SEEN_S2, SEEN), rule.only(SEEN_S4, SEEN))
    with pytest.raises(SystemExit, match="not 4cfff74c"):
        rule.step1(STEP1_S2, None, rule.only(SEEN_S2, SEEN), rule.only(SEEN_S4, SEEN))


def step2(rule: ModuleType, s4: list[dict[str, Any]] = D47_S4, another: int = 12
          ) -> dict[str, Any]:
    runs = {"S2": shared("2a9b446e", 0.855177, D47, {"0.5:5": 10}),
            "S4": shared("4cfff74c", 0.94716, D47, {"0.5:5:3:0.910000": another})}
    return rule.step2(0.91, {"S2": rule.only(D47_S2, D47), "S4": rule.only(s4, D47)},
                      {"S2": QUORA_S2, "S4": QUORA_S4}, TRAFFIC, runs)


def test_step2_checks_and_records(rule: ModuleType) -> None:
    r = step2(rule)
    assert r["a"]["points"] == pytest.approx(100 / 3, abs=1e-3) and r["a"]["pass"]
    assert r["b"] == {"S2_false_hits": 2, "S4_false_hits": 0, "pass": True}
    assert r["c"]["by_set"]["heldout47"]["S4_hits"] == 3 and r["c"]["pass"]
    assert r["d"]["S2"] == 10 and r["d"]["S4"] == 12 and r["d"]["pass"]
    assert r["e"] == {"S2_false_hits": 48, "S4_false_hits": 1, "limit": 48, "pass": True}
    assert r["matched_cut"] == 0.500001 and rule.verdict(r) is True
    assert r["at"]["S4"]["matched"]["d47"]["all"]["false_hits"] == 2
    assert r["at"]["S2"]["c_star"]["d47"]["by_traffic"]["support"]["hits"] == 2
    assert r["at"]["S4"]["c_star"]["pairs"]["pairs:qqp"]["false_hits"] == 1
    assert r["disagreements_at_c_star"]["found_by_S4_only"]["n"] == 2
    assert rule.step2(0.91, {"S2": rule.only(D47_S2, D47), "S4": rule.only(D47_S4, D47)},
                      {"S2": QUORA_S2, "S4": QUORA_S4}, TRAFFIC,
                      {"S2": None, "S4": None})["d"]["pass"] is None


def test_step2_failures(rule: ModuleType) -> None:
    assert step2(rule, another=13)["d"]["pass"] is False
    assert rule.verdict(step2(rule, another=13)) is False
    worse = [dict(x, p=0.2) if (x["set"], x["id"]) == ("heldout46", "p0002") else x
             for x in D47_S4]
    worse = [dict(x, p=0.2) if (x["set"], x["id"]) == ("heldout46", "p0001") else x
             for x in worse]
    r = step2(rule, worse)
    assert r["c"]["by_set"]["heldout46"] == {"S2_hits": 2, "S4_hits": 1, "positives": 3,
                                             "points": -33.3333}
    assert not r["c"]["pass"] and rule.verdict(r) is False
    loose = [dict(x, p=0.95) if not x["label"] else x for x in D47_S4]
    assert step2(rule, loose)["b"]["pass"] is False
    with pytest.raises(SystemExit, match="not the rule's 48"):
        rule.step2(0.91, {"S2": rule.only(D47_S2, D47), "S4": rule.only(D47_S4, D47)},
                   {"S2": QUORA_S2[:-1], "S4": QUORA_S4[:-1]}, TRAFFIC,
                   {"S2": None, "S4": None})


def test_main_runs_both_steps(rule: ModuleType, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)

    out, cut = tmp_path / "s4c.json", tmp_path / "cut.txt"
    monkeypatch.setattr(sys, "argv", [
        "s4c_rule.py", "step1", "--shared-s4", put("one-s4.json", STEP1_S4), "--shared-s2",
        put("one-s2.json", STEP1_S2), "--s2", put("seen-s2.jsonl", SEEN_S2), "--s4",
        put("seen-s4.jsonl", SEEN_S4), "--cut-out", str(cut), "--out", str(out)])
    assert rule.main() == 0
    assert cut.read_text(encoding="utf-8") == "0.910000\n"
    assert json.loads(out.read_text(encoding="utf-8"))["S4_replaces_S2"] is None
    monkeypatch.setattr(rule, "traffic_of", lambda names: TRAFFIC)
    pairs = [{"set": "heldout46", "id": "p0000", "label": 1, "kind": "reworded", "a": "x",
              "b": "y", "outcome": "other", "answered": "z"}]
    monkeypatch.setattr(sys, "argv", [
        "s4c_rule.py", "step2", "--s2", put("d47-s2.jsonl", D47_S2), "--s4",
        put("d47-s4.jsonl", D47_S4), "--s2-quora", put("q-s2.jsonl", QUORA_S2),
        "--s4-quora", put("q-s4.jsonl", QUORA_S4),
        "--shared-s2", put("two-s2.json", shared("2a9b446e", 0.855177, D47, {"0.5:5": 10})),
        "--shared-s4", put("two-s4.json", shared("4cfff74c", 0.94716, D47,
                                                 {"0.5:5:3:0.910000": 11})),
        "--shared-pairs", put("p2.jsonl", pairs), put("p4.jsonl", pairs), "--out", str(out)])
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["rule"].startswith("S4c: S4 (cross.npz 4cfff74c) at a fixed cut c*")
    assert written["rule"].endswith("(S2's at 0.855177). Otherwise S2 stays.")
    assert written["S4_replaces_S2"] is True
    assert written["ships"] == {"verifier": "S4", "cut": 0.91}
    assert written["step2"]["d"]["other_answers"]["paraphrases"]["both"]["n"] == 1
    assert written["step2"]["d"]["other_answers"]["negatives"] == {}
    assert set(written["run"]) == {"step1", "step2"}
