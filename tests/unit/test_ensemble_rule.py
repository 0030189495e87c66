"""bench/ensemble_rule.py (session 24): rule E's stage 1, S2, S3, S4 and their ensembles on
heldout38-41, read from toy rows files as the lookup's rows hold them
(cache_losses.py --pairs-out)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import set_rows

R4 = ("heldout38", "heldout39", "heldout40", "heldout41")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("ensemble_rule")


# S2 at 0.855177: one false hit a set (0.86): F = 4. Each model misses a different
# paraphrase (0.2) that the other two score high: the mean of the logits finds all three.
S2 = set_rows(R4, [0.95, 0.2, 0.97, 0.97], [0.86, 0.8], refused=True)
S3 = set_rows(R4, [0.95, 0.97, 0.2, 0.97], [0.87, 0.8], refused=True)
S4 = set_rows(R4, [0.95, 0.97, 0.97, 0.2], [0.88, 0.8], refused=True)


def test_f_the_cuts_and_stage_two(rule: ModuleType) -> None:
    r = rule.decide({"S2": rule.r4_rows(S2), "S3": rule.r4_rows(S3), "S4": rule.r4_rows(S4)})
    assert r["F"] == 4
    # each single model: the lowest cut keeping 4 false hits is just above the 0.8
    # negatives; recall 3 of 4 a set
    assert r["cut"]["S2"] == 0.800001 and r["R"]["S2"] == pytest.approx(0.75)
    assert r["R"]["S3"] == r["R"]["S4"] == pytest.approx(0.75)
    # E3: the paraphrase one model misses reads sigmoid((2 logit 0.97 + logit 0.2) / 3)
    z = (2 * math.log(0.97 / 0.03) + math.log(0.2 / 0.8)) / 3
    assert 1 / (1 + math.exp(-z)) > 0.86
    assert r["R"]["E3"] == 1.0 and r["best_ensemble"] == "E3"
    assert r["points_best_ensemble_minus_best_single"] == 25.0
    assert r["stage2_runs"] and r["winner"] == "E3"
    # E2 (S2, S3): S4's miss is found; S2's and S3's read sigmoid of the mean of the
    # logits of 0.2 and 0.97, 0.74, under E2's cut
    assert r["R"]["E2"] == pytest.approx(0.5) and r["cut"]["E2"] == 0.800001
    assert r["at"]["S2"]["F-5"]["false_hit_bound"] == 0
    assert r["at"]["S2"]["F-5"]["all"]["false_hits"] == 0
    assert r["at"]["S2"]["F+5"]["all"]["false_hits"] <= 9
    assert r["S2_at_present_cut"]["all"]["false_hits"] == 4
    assert r["curve"]["E3"]["17"]["all"]["recall"] == 1.0
    two = r["by_pair_of_sets"]["heldout38+heldout39"]
    assert two["F"] == 2 and two["E3"]["all"]["recall"] == 1.0
    assert two["S4"]["all"]["recall"] == pytest.approx(0.75)
    d = r["disagreements_at_F"]
    assert d["pairs"] == 4 * 7 and d["pairs_with_p"] == 4 * 6
    assert d["verdict_differs"]["positives"] == 12  # the three 0.2 paraphrases, each set
    assert d["side_of_cut_differs"]["positives:asked_differs"] == 12
    assert d["side_of_cut_differs"]["negatives:asked"] == 8  # the amounts check's left out
    assert d["odd_one_out"]["positives"] == {"S2_only_misses": 4, "S3_only_misses": 4,
                                             "S4_only_misses": 4}
    assert "negatives" not in d["verdict_differs"]


def test_no_stage_two_where_the_ensemble_gains_under_two_points(rule: ModuleType) -> None:
    same = set_rows(R4, [0.95, 0.2, 0.97, 0.97], [0.86, 0.8], refused=True)
    r = rule.decide({"S2": rule.r4_rows(same), "S3": rule.r4_rows(same),
                     "S4": rule.r4_rows(same)})
    assert r["points_best_ensemble_minus_best_single"] == 0.0
    assert not r["stage2_runs"] and r["winner"] is None
    assert r["disagreements_at_F"]["verdict_differs"] == {"positives:n": 16, "negatives:n": 12}


def test_rows_that_differ_beyond_p_are_refused(rule: ModuleType) -> None:
    other = [dict(r, more=True) if (r["set"], r["id"]) == ("heldout40", "p0000") else r
             for r in S4]
    with pytest.raises(SystemExit, match="S4:more"):
        rule.decide({"S2": rule.r4_rows(S2), "S3": rule.r4_rows(S3),
                     "S4": rule.r4_rows(other)})
    with pytest.raises(SystemExit, match="no rows for heldout41"):
        rule.r4_rows([r for r in S2 if r["set"] != "heldout41"])


def test_main_writes_the_rule_and_the_verdict(rule: ModuleType, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = {}
    for name, data in (("s2", S2), ("s3", S3), ("s4", S4)):
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    out = tmp_path / "e.json"
    monkeypatch.setattr(sys, "argv", ["ensemble_rule.py", "--s2", str(paths["s2"]), "--s3",
                                      str(paths["s3"]), "--s4", str(paths["s4"]), "--out",
                                      str(out)])
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["rule"].startswith("E, stage 1 (a record that decides only whether")
    assert written["rule"].endswith("The student ships at c. Otherwise S2 stays.")
    assert written["decision_sets"] == list(R4) and written["stage2_runs"]
