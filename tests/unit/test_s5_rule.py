"""bench/s5_rule.py (session 25): rule S5, S2 continued on heldout30-47 against S2 on
heldout48-49, read from toy rows (cache_losses.py --pairs-out), toy cache_shared results and
a toy stack_cost output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, row, set_rows

D48 = ("heldout48", "heldout49")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s5_rule")


# S2 at 0.855177: 2 of 4 found a set, one false hit a set (F = 2). S5: 4 of 4 in heldout48,
# 3 of 4 in heldout49, its negatives 0.91 (heldout48) and 0.5; Quora: S2 passes 1 (Q = 1),
# S5 two, at 0.95 and 0.92, so c is just above 0.92 where D48 alone would allow 0.100001.
S2 = set_rows(D48, {s: [0.95, 0.9, 0.3, 0.2] for s in D48}, {s: [0.86, 0.1] for s in D48})
S5 = set_rows(D48,
              {"heldout48": [0.99, 0.97, 0.96, 0.94], "heldout49": [0.99, 0.97, 0.95, 0.6]},
              {"heldout48": [0.91, 0.1], "heldout49": [0.5, 0.1]})
QUORA_S2 = [row("pairs:qqp", 0, 1, 0.9)] + [row("pairs:qqp", 1 + i, 0, p)
                                            for i, p in enumerate((0.86, 0.1, 0.1))]
QUORA_S5 = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, p)
                                             for i, p in enumerate((0.95, 0.92, 0.1))]
TRAFFIC = {(s, f"p{n:04d}"): "support" if n < 2 else "general" for s in D48 for n in range(9)}
COST = """## S5 cost, round 1, load 2.1 2.0 1.9
CPU ms per candidate, median / mean / p99 over the lookups
cross               request  1 candidate : 9.43 / 8.77 / 11.54 (load average 3.1)
cross               request  5 candidates: 5.98 / 5.86 / 8.84 (load average 3.1)
## S2 cost, round 1, load 2.1 2.0 1.9
cross               request  1 candidate : 8.82 / 8.47 / 11.47 (load average 3.2)
## S5 cost, round 2, load 2.1 2.0 1.9
cross               request  1 candidate : 8.72 / 8.28 / 11.00 (load average 3.1)
## S2 cost, round 2, load 2.1 2.0 1.9
cross               request  1 candidate : 8.96 / 8.47 / 11.32
"""


def part(neg_another: int) -> dict[str, Any]:
    return {"negatives": {"another": neg_another, "own": 1, "answered": neg_another + 1}}


def shared(sha: str, cut: float, variants: dict[str, int], entries: int = 10_000
           ) -> dict[str, Any]:
    return {"sets": list(D48), "entries": entries,
            "verifier": {"sha256": sha + "0" * 56, "min_probability": cut},
            "by_variant": {name: {"all": part(n)} for name, n in variants.items()}}


def decide(rule: ModuleType, s5: list[dict[str, Any]] = S5) -> dict[str, Any]:
    return rule.decide({"S2": rule.only(S2, D48), "S5": rule.only(s5, D48)},
                       {"S2": QUORA_S2, "S5": QUORA_S5}, TRAFFIC)


def test_the_rule_is_session_25s_in_cross_continue(rule: ModuleType) -> None:
    from train.cache_verifier.cross_continue import RULES

    assert RULES["session25"].text == rule.RULE
    assert rule.RULE.startswith("S5: S2 (cross.npz 2a9b446e) continued on heldout30-47")


def test_f_q_c_and_checks_a_b(rule: ModuleType) -> None:
    r = decide(rule)
    assert (r["F"], r["Q"], r["c"]) == (2, 1, 0.920001)
    assert r["S5_quora_false_hits_at_c"] == 1
    assert r["a"]["S2_hits"] == 4 and r["a"]["S5_hits"] == 7 and r["a"]["S5_false_hits"] == 0
    assert r["a"]["points"] == 37.5 and r["a"]["pass"]
    assert r["b"]["by_set"]["heldout49"] == {"S2_hits": 2, "S5_hits": 3, "positives": 4,
                                             "points": 25.0}
    assert r["b"]["pass"]
    assert r["at"]["S5"]["c"]["d48"]["by_traffic"]["support"]["hits"] == 4
    assert r["at"]["S2"]["S2_cut"]["pairs"]["pairs:qqp"]["false_hits"] == 1
    assert r["disagreements_at_c"]["found_by_S5_only"]["n"] == 3
    assert r["disagreements_at_c"]["passed_by_S2_only"]["n"] == 2
    # (b): heldout49 no better than S2 (its third paraphrase under c) fails, (a) still holds
    flat = [dict(x, p=0.6) if (x["set"], x["id"]) == ("heldout49", "p0002") else x for x in S5]
    r = decide(rule, flat)
    assert r["a"]["pass"] and r["b"]["by_set"]["heldout49"]["points"] == 0.0
    assert not r["b"]["pass"] and rule.verdict({**r, "c_check": {"pass": True},
                                                "e": {"pass": True}}) is False


def test_the_curve_at_matched_false_hits(rule: ModuleType) -> None:
    r = rule.curve({"S2": rule.only(S2, D48), "S5": rule.only(S5, D48)}, (0.25, 0.5))
    # four negatives: at most 1, then 2 passed
    assert [x["false_hits_at_most"] for x in r] == [1, 2]
    assert r[0]["S2"]["cut"] == 0.860001 and r[0]["S2"]["hits"] == 4
    assert r[0]["S5"]["cut"] == 0.500001 and r[0]["S5"]["hits"] == 8
    assert r[0]["points"] == 50.0
    assert r[1]["S2"]["cut"] == r[1]["S5"]["cut"] == 0.100001
    assert r[1]["S2"]["false_hits"] == r[1]["S5"]["false_hits"] == 2


def test_c_and_e(rule: ModuleType) -> None:
    runs = (shared("2a9b446e", 0.855177, {"0.5:5": 10}),
            shared("abcdef12", 0.855177, {"0.5:5:3:0.920001": 12}))
    c = rule.check_c(0.920001, *runs)
    assert (c["S2"], c["S5"], c["limit"], c["pass"]) == (10, 12, 12, True)
    assert rule.check_c(0.920001, None, runs[1])["pass"] is None
    assert not rule.check_c(0.920001, runs[0], shared("abcdef12", 0.9,
                                                      {"0.5:5:3:0.920001": 13}))["pass"]
    with pytest.raises(SystemExit, match="is S2"):
        rule.check_c(0.920001, runs[0], runs[0])
    with pytest.raises(SystemExit, match="10,000 entries"):
        rule.check_c(0.920001, shared("2a9b446e", 0.855177, {"0.5:5": 1}, 5000), runs[1])
    with pytest.raises(SystemExit, match="judges at"):
        rule.check_c(0.920001, shared("2a9b446e", 0.9, {"0.5:5": 1}), runs[1])
    rounds = rule.cost_rounds(COST)
    assert [x["median_ms"] for x in rounds["S5"]] == [9.43, 8.72]
    assert rounds["S2"][1] == {"median_ms": 8.96, "mean_ms": 8.47, "p99_ms": 11.32,
                               "load": None}
    same = {"pairs": 9, "cut": 0.920001, "verdicts_differ": 0, "max_abs_dp": 1e-6}
    e = rule.check_e(COST, same, 0.920001)
    assert e["pass"] and e["S5_median_ms"] == pytest.approx(9.075)
    assert rule.check_e(COST, None, 0.920001)["pass"] is None
    assert rule.check_e(COST, dict(same, verdicts_differ=1), 0.920001)["pass"] is False
    assert rule.check_e(COST.replace("9.43 /", "10.43 /"), same, 0.920001)["pass"] is False
    with pytest.raises(SystemExit, match="not c"):
        rule.check_e(COST, same, 0.93)


def test_main_writes_the_verdict(rule: ModuleType, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)

    monkeypatch.setattr(rule, "traffic_of", lambda names: TRAFFIC)
    out = tmp_path / "s5.json"
    pairs = [{"set": "heldout48", "id": "p0000", "label": 0, "kind": "near_topic", "a": "x",
              "b": "y", "outcome": "other", "answered": "z"}]
    args = ["s5_rule.py", "verdict", "--s2", put("s2.jsonl", S2), "--s5", put("s5.jsonl", S5),
            "--s2-quora", put("q2.jsonl", QUORA_S2), "--s5-quora", put("q5.jsonl", QUORA_S5),
            "--decision", put("decision.json", {"cut": 0.920001, "a": {"pass": True},
                                                "b": {"pass": True}}),
            "--out", str(out)]
    monkeypatch.setattr(sys, "argv", args)
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["S5_replaces_S2"] is None and written["decide_agrees"] is True
    monkeypatch.setattr(sys, "argv", [
        *args, "--shared-s2", put("sh2.json", shared("2a9b446e", 0.855177, {"0.5:5": 10})),
        "--shared-s5", put("sh5.json", shared("abcdef12", 0.920001,
                                              {"0.5:5:3:0.920001": 11})),
        "--shared-pairs", put("p2.jsonl", pairs), put("p5.jsonl", pairs),
        "--cost", put("cost.txt", COST), "--identity",
        put("id.json", {"pairs": 9, "cut": 0.920001, "verdicts_differ": 0, "max_abs_dp": 0.0}),
        "--bundle", put("bundle.json", {"train_pairs": 9, "dropped_as_decision_pairs": [],
                                        "dropped_sharing_a_text": [{}]}),
        "--fit", put("fit.json", {"steps": 3, "loss_log": [1]})])
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["S5_replaces_S2"] is True
    assert written["ships"] == {"verifier": "S5", "cut": 0.920001}
    assert written["c_check"]["other_answers"]["negatives"]["both"]["n"] == 1
    assert written["bundle"]["dropped_sharing_a_text"] == 1 and written["fit"] == {"steps": 3}
    monkeypatch.setattr(sys, "argv", [*args[:-4], "--decision", put(
        "other.json", {"cut": 0.93, "a": {"pass": True}, "b": {"pass": True}}),
        "--out", str(out)])
    with pytest.raises(SystemExit, match="differ from this reading"):
        rule.main()


# Rule S5b: the same S5 on D52, both read at the same false hits. 203 negatives (200 far
# ones in heldout52), so floor(1 %) = 2 binds F where S2 passes one at 0.855177; S2 read at
# F (R2's cut) just above 0.3, S5's c just above 0.2 (Q = 48 binds only given 49 Quora ones).
D52 = ("heldout52", "heldout53")
FAR = [0.05] * 200


S2_B = set_rows(D52, {s: [0.95, 0.9, 0.3, 0.2] for s in D52},
                {"heldout52": [0.86, 0.3, *FAR], "heldout53": [0.7]}, other="heldout48")
S5_B = set_rows(D52,
                {"heldout52": [0.99, 0.97, 0.96, 0.94], "heldout53": [0.99, 0.97, 0.95, 0.15]},
                {"heldout52": [0.91, 0.2, *FAR], "heldout53": [0.5]}, other="heldout48")


def decide_b(rule: ModuleType, s5: list[dict[str, Any]] = S5_B) -> dict[str, Any]:
    return rule.decide({"S2": rule.only(S2_B, D52), "S5": rule.only(s5, D52)},
                       {"S2": QUORA_S2, "S5": QUORA_S5}, None, "S5b")


def test_s5b_is_the_leads_rule(rule: ModuleType) -> None:
    assert rule.RULE_B.startswith("S5b: S5 (cross.npz cffa0c35, /work/base/s5")
    assert rule.RULE_B.endswith("Otherwise S2 stays at 0.855177.")
    assert rule.SPECS["S5"].rule == rule.RULE and rule.SPECS["S5b"].sets == D52


def test_s5b_f_with_the_floor_r2_at_matched_false_hits(rule: ModuleType) -> None:
    r = decide_b(rule)
    assert r["F_parts"] == {"S2_false_hits_at_S2_cut": 1, "floor_1pct_of_negatives": 2,
                            "negatives": 203}
    assert (r["F"], r["Q"], r["R2_cut"], r["c"]) == (2, 48, 0.300001, 0.200001)
    assert r["Q_check"] == {"S2_quora_false_hits_at_S2_cut": 1, "agrees": False}
    a = r["a"]
    assert (a["S2_cut"], a["S2_hits"], a["S2_false_hits"]) == (0.300001, 4, 2)
    assert (a["S5_hits"], a["S5_false_hits"], a["points"], a["needs"]) == (7, 2, 37.5, 2.0)
    assert a["pass"] and r["b"]["pass"] and r["b"]["needs"] == 0.0
    assert r["b"]["by_set"]["heldout53"] == {"S2_hits": 2, "S5_hits": 3, "positives": 4,
                                             "points": 25.0}
    assert set(r["at"]["S2"]) == {"S2_cut", "c", "R2_cut"}
    assert r["disagreements_at_c"]["found_by_S5_only"]["n"] == 3
    # (b): heldout53 under S2 at R2's cut fails though (a) holds
    flat = [dict(x, p=0.15) if x["set"] == "heldout53" and x["label"] and x["p"] == 0.97
            else x for x in S5_B]
    flat = [dict(x, p=0.15) if x["set"] == "heldout53" and x["label"] and x["p"] == 0.95
            else x for x in flat]
    r = decide_b(rule, flat)
    assert r["a"]["points"] == 12.5 and r["a"]["pass"]
    assert r["b"]["by_set"]["heldout53"]["points"] == -25.0 and not r["b"]["pass"]
    # Q = 48 binds c given 49 of S5's Quora negatives at 0.9
    many = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, 0.9) for i in range(49)]
    r = rule.decide({"S2": rule.only(S2_B, D52), "S5": rule.only(S5_B, D52)},
                    {"S2": [dict(x, p=0.1) for x in many], "S5": many}, None, "S5b")
    assert r["c"] == 0.900001 and r["S5_quora_false_hits_at_c"] == 0


def test_s5b_d_reads_the_cpu_against_s2s(rule: ModuleType) -> None:
    same = {"pairs": 9, "cut": 0.920001, "verdicts_differ": 0, "max_abs_dp": 1e-6}
    d = rule.check_e(COST, same, 0.920001, "S5b")
    # S5's medians 9.43, 8.72 (9.075) against S2's 8.82, 8.96 (8.89): 2.08 % over
    assert d["pass"] and d["S5_over_S2"] == pytest.approx(0.0208, abs=1e-4)
    assert d["limit_ms"] == pytest.approx(9.3345)
    slow = COST.replace("8.72 /", "9.40 /")  # S5 9.415, 5.9 % over
    assert rule.check_e(slow, same, 0.920001, "S5b")["pass"] is False
    assert rule.check_e(slow.replace("9.43 /", "10.43 /"), same, 0.920001, "S5")["pass"] is False
    fast = COST.replace("9.43 /", "7.00 /").replace("8.72 /", "7.00 /")
    assert rule.check_e(fast, same, 0.920001, "S5b")["pass"] is True
    assert rule.check_e(COST, dict(same, verdicts_differ=1), 0.920001, "S5b")["pass"] is False
    assert rule.verdict({"a": {"pass": True}, "b": {"pass": True}, "c_check": {"pass": True},
                         "d": {"pass": True}}) is True


def test_s5b_main_wants_s2s_d52_rows(rule: ModuleType, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def put(name: str, data: list[dict[str, Any]]) -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
        return str(path)

    monkeypatch.setattr(rule, "traffic_of", lambda names: None)
    base = ["s5_rule.py", "verdict", "--rule", "S5b", "--s5", put("s5.jsonl", S5_B),
            "--s2-quora", put("q2.jsonl", QUORA_S2), "--s5-quora", put("q5.jsonl", QUORA_S5)]
    monkeypatch.setattr(sys, "argv", base)
    with pytest.raises(SystemExit, match="give --s2"):
        rule.main()
    out = tmp_path / "s5b.json"
    monkeypatch.setattr(sys, "argv", [*base, "--s2", put("s2.jsonl", S2_B), "--out", str(out)])
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["rule"] == rule.RULE_B and written["decision_sets"] == list(D52)
    assert written["S5_replaces_S2"] is None and written["d"]["pass"] is None
    assert written["inputs"]["rule"] == "S5b"
