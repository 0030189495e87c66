"""bench/s5c_rule.py (session 26): rule S5c, S5 at a cut fixed on the six seen writers P6
(pairs, Quora and three populated caches), then tested once on heldout54-55, read from toy
rows (cache_losses.py --pairs-out), toy cache_shared results and a toy stack_cost output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import cost_text, file_writer, row, set_rows, shared_run, traffic

P6 = ("heldout48", "heldout49", "heldout50", "heldout51", "heldout52", "heldout53")
PAIRS6 = (("heldout48", "heldout49"), ("heldout50", "heldout51"), ("heldout52", "heldout53"))
D54 = ("heldout54", "heldout55")
CUTS = ("0.851796", "0.860000", "0.870000", "0.880000", "0.890000", "0.900000", "0.910000",
        "0.916959", "0.920000", "0.930000")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s5c_rule")


# Step 1. S2 at 0.855177: 2 of 3 found a set, one false hit a set (F6 = 6); Quora 48 false
# hits; its three populated caches answer 13 + 9 + 25 = 47 negatives from another entry (A6).
# S5 finds 3 of 3 down to 0.88; its P6 false hits are 7 up to 0.86 (heldout48's 0.865),
# (i) holds from 0.87; its 49 Quora negatives at 0.875 break (ii) up to 0.87; its three
# caches answer 50 at 0.88 and 47 at 0.89: c* = 0.89.
S2_P6 = set_rows(P6, [0.95, 0.9, 0.3], [0.86, 0.1])
S5_P6 = set_rows(P6, [0.99, 0.95, 0.885], {s: [0.875, 0.865 if s == "heldout48" else 0.1]
                                           for s in P6})
QUORA_S2 = [row("pairs:qqp", 0, 1, 0.9)] + [row("pairs:qqp", 1 + i, 0, 0.86 if i else 0.1)
                                            for i in range(49)]
QUORA_S5 = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, 0.875)
                                             for i in range(49)]
ANOTHER_S5 = {"0.851796": (20, 14, 30), "0.860000": (20, 13, 29), "0.870000": (19, 12, 28),
              "0.880000": (17, 10, 23), "0.890000": (14, 9, 24), "0.900000": (14, 9, 22),
              "0.910000": (13, 8, 21), "0.916959": (13, 8, 20), "0.920000": (12, 8, 20),
              "0.930000": (11, 7, 19)}
STEP1_S2 = [shared_run("2a9b446e", 0.855177, p, {"0.5:5": n})
            for p, n in zip(PAIRS6, (13, 9, 25), strict=True)]
STEP1_S5 = [shared_run("cffa0c35", 0.916959, p,
                       {f"0.5:5:3:{c}": v[k] for c, v in ANOTHER_S5.items()})
            for k, p in enumerate(PAIRS6)]
TRAFFIC = traffic((*P6, *D54))
# Step 2 at c* = 0.89. S2 at 0.855177 finds 2 of 4 a set at one false hit a set (of 2
# negatives: 1 % of 4 is 0, so (b)'s limit is S2's 2); S5 finds 3 of 4 a set and passes the
# 0.91 negatives (2). S5 at S2's 2 false hits: from 0.500001 (the 0.5s pass under it).
S2_D54 = set_rows(D54, [0.95, 0.9, 0.3, 0.2], [0.86, 0.1])
S5_D54 = set_rows(D54, [0.99, 0.97, 0.95, 0.6], [0.91, 0.5])
COST = cost_text("S5", "S2")
IDENTITY = {"pairs": 16, "cut": 0.89, "verdicts_differ": 0, "max_abs_dp": 1e-6,
            "sets": list(D54)}


def step1(rule: ModuleType, s2: list[dict[str, Any]] | None = None,
          s5: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return rule.step1({"S2": rule.only(S2_P6, P6), "S5": rule.only(S5_P6, P6)},
                      {"S2": QUORA_S2, "S5": QUORA_S5},
                      {"S2": STEP1_S2 if s2 is None else s2, "S5": STEP1_S5 if s5 is None else s5},
                      TRAFFIC)


def test_the_rule_is_quoted_unchanged(rule: ModuleType) -> None:
    assert rule.RULE.startswith("S5c: S5 (cross.npz cffa0c35, /work/base/s5: S2 continued on "
                                "heldout30-47; refused by rules S5 on heldout48-49")
    assert "C = (0.851796, 0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93)" in rule.RULE
    assert "S5 <= S2's + 4;" in rule.RULE
    assert rule.RULE.endswith("S5 may not add false hits above what S2 has or the target allows.")
    assert [f"{c:.6f}" for c in rule.CUTS] == list(CUTS) and rule.P6 == P6


def test_step1_picks_the_lowest_cut_meeting_i_ii_iii(rule: ModuleType) -> None:
    one = step1(rule)
    assert (one["F6"], one["A6"], one["Q"]) == (6, 47, 48)
    assert one["Q_check"] == {"S2_quora_false_hits_at_S2_cut": 48, "agrees": True}
    assert one["c_star"] == 0.89
    table = {f"{x['cut']:.6f}": x for x in one["table"]}
    assert [table[c]["i"] for c in CUTS] == [False, False] + [True] * 8
    assert [table[c]["ii"] for c in CUTS] == [False] * 3 + [True] * 7
    assert [table[c]["iii"] for c in CUTS] == [False] * 4 + [True] * 6
    assert table["0.880000"]["another"] == 50
    assert table["0.880000"]["another_by_pair"] == [17, 10, 23]
    assert table["0.890000"]["P6_hits"] == 12 and table["0.880000"]["P6_hits"] == 18
    assert table["0.860000"]["P6_false_hits"] == 7 and table["0.870000"]["qqp_false_hits"] == 49
    assert table["0.890000"]["P6"]["by_traffic"]["support"]["hits"] == 12
    assert one["S2"]["P6_hits"] == 12 and one["S2"]["another_by_pair"] == [13, 9, 25]
    assert one["S2"]["populated"][2]["all"]["negatives_another"] == 25


def test_step1_none_and_what_it_refuses(rule: ModuleType) -> None:
    loud = [shared_run("cffa0c35", 0.916959, p, {f"0.5:5:3:{c}": 16 for c in CUTS}) for p in PAIRS6]
    assert step1(rule, s5=loud)["c_star"] is None
    with pytest.raises(SystemExit, match="not cffa0c35"):
        step1(rule, s5=[STEP1_S2[0], *STEP1_S5[1:]])
    with pytest.raises(SystemExit, match="not 2a9b446e on heldout48, heldout49"):
        step1(rule, s2=[STEP1_S2[1], STEP1_S2[0], STEP1_S2[2]])
    with pytest.raises(SystemExit, match="holds 5000 entries"):
        step1(rule, s2=[shared_run("2a9b446e", 0.855177, PAIRS6[0], {"0.5:5": 13}, 5000),
                        *STEP1_S2[1:]])
    with pytest.raises(SystemExit, match="judges at 0.9"):
        step1(rule, s2=[shared_run("2a9b446e", 0.9, PAIRS6[0], {"0.5:5": 13}), *STEP1_S2[1:]])
    with pytest.raises(SystemExit, match="no variant 0.5:5:3:0.860000, .*0.930000"):
        step1(rule, s5=[shared_run("cffa0c35", 0.916959, PAIRS6[0], {"0.5:5:3:0.851796": 1}),
                        *STEP1_S5[1:]])


def step2(rule: ModuleType, s5: list[dict[str, Any]] = S5_D54, another: int = 14,
          cost: str | None = COST, ident: dict[str, Any] | None = IDENTITY) -> dict[str, Any]:
    runs = {"S2": shared_run("2a9b446e", 0.855177, D54, {"0.5:5": 10}),
            "S5": shared_run("cffa0c35", 0.916959, D54, {"0.5:5:3:0.890000": another})}
    return rule.step2(0.89, {"S2": rule.only(S2_D54, D54), "S5": rule.only(s5, D54)},
                      {"S2": QUORA_S2, "S5": QUORA_S5}, TRAFFIC, runs, cost, ident)


def test_step2_checks_and_records(rule: ModuleType) -> None:
    r = step2(rule)
    assert r["a"]["points"] == 25.0 and r["a"]["pass"]
    assert r["b"] == {"S2_false_hits": 2, "floor_1pct_of_negatives": 0, "negatives": 4,
                      "limit": 2, "S5_false_hits": 2, "pass": True}
    assert r["c"]["by_set"]["heldout55"] == {"S2_hits": 2, "S5_hits": 3, "positives": 4,
                                             "points": 25.0} and r["c"]["pass"]
    assert (r["d"]["S2"], r["d"]["S5"], r["d"]["limit"], r["d"]["pass"]) == (10, 14, 14, True)
    assert r["e"]["identity_pass"] and r["e"]["cpu_pass"] and r["e"]["pass"]
    assert r["e"]["S5_over_S2"] == pytest.approx(0.0208, abs=1e-4)
    assert rule.verdict(r) is True
    assert r["matched_cut"] == 0.500001
    assert r["at"]["S5"]["matched"]["d54"]["all"]["false_hits"] == 2
    assert r["at"]["S2"]["c_star"]["d54"]["all"]["hits"] == 4
    assert r["at"]["S5"]["c_star"]["d54"]["by_traffic"]["support"]["hits"] == 4
    assert r["at"]["S5"]["S2_cut"]["pairs"]["pairs:qqp"]["false_hits"] == 49
    assert [x["false_hits_at_most"] for x in r["curve"]] == [0, 0, 0, 0]
    assert r["disagreements_at_c_star"]["found_by_S5_only"]["n"] == 2
    pending = step2(rule, cost=None, ident=None)
    assert pending["e"]["pass"] is None and rule.verdict(pending) is None


def test_step2_failures(rule: ModuleType) -> None:
    assert step2(rule, another=15)["d"]["pass"] is False
    assert rule.verdict(step2(rule, another=15)) is False
    worse = [dict(x, p=0.2) if (x["set"], x["id"]) in {("heldout54", "p0001"),
                                                      ("heldout54", "p0002")} else x
             for x in S5_D54]
    r = step2(rule, worse)
    assert r["c"]["by_set"]["heldout54"]["S5_hits"] == 1 and not r["c"]["pass"]
    assert r["a"]["points"] == 0.0 and not r["a"]["pass"] and rule.verdict(r) is False
    # (b)'s 1 % floor: 300 more negatives a model, both under the floor's probability.
    more = {s: [0.91, 0.95] + [0.1] * 150 for s in D54}
    s2_many = set_rows(D54, [0.95, 0.9, 0.3, 0.2], {s: [0.86, 0.1] + [0.1] * 150 for s in D54})
    s5_many = set_rows(D54, [0.99, 0.97, 0.95, 0.6], more)
    b = rule.step2(0.89, {"S2": rule.only(s2_many, D54), "S5": rule.only(s5_many, D54)},
                   {"S2": QUORA_S2, "S5": QUORA_S5}, TRAFFIC, {"S2": None, "S5": None},
                   COST, IDENTITY)["b"]
    assert b == {"S2_false_hits": 2, "floor_1pct_of_negatives": 3, "negatives": 304,
                 "limit": 3, "S5_false_hits": 4, "pass": False}
    s5_three = set_rows(D54, [0.99, 0.97, 0.95, 0.6],
                        {"heldout54": [0.91, 0.95] + [0.1] * 150,
                         "heldout55": [0.91] + [0.1] * 151})
    assert rule.step2(0.89, {"S2": rule.only(s2_many, D54), "S5": rule.only(s5_three, D54)},
                      {"S2": QUORA_S2, "S5": QUORA_S5}, TRAFFIC, {"S2": None, "S5": None},
                      COST, IDENTITY)["b"]["pass"] is True
    slow = COST.replace("8.72 / 8.28", "9.93 / 8.28")
    assert step2(rule, cost=slow)["e"]["cpu_pass"] is False
    assert step2(rule, ident=dict(IDENTITY, verdicts_differ=1))["e"]["pass"] is False
    with pytest.raises(SystemExit, match="not D54"):
        step2(rule, ident=dict(IDENTITY, sets=["heldout52", "heldout53"]))
    with pytest.raises(SystemExit, match="not c = 0.89"):
        step2(rule, ident=dict(IDENTITY, cut=0.9))


def test_main_runs_both_steps(rule: ModuleType, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)

    monkeypatch.setattr(rule, "traffic_of", lambda names: TRAFFIC)
    out, cut = tmp_path / "s5c.json", tmp_path / "cut.txt"
    quora = ["--s2-quora", put("q-s2.jsonl", QUORA_S2), "--s5-quora", put("q-s5.jsonl", QUORA_S5)]
    monkeypatch.setattr(sys, "argv", [
        "s5c_rule.py", "step1", "--shared-s2", *(put(f"one-s2-{k}.json", r)
                                                 for k, r in enumerate(STEP1_S2)),
        "--shared-s5", *(put(f"one-s5-{k}.json", r) for k, r in enumerate(STEP1_S5)),
        "--s2", put("p6-s2.jsonl", S2_P6), "--s5", put("p6-s5.jsonl", S5_P6), *quora,
        "--cut-out", str(cut), "--out", str(out)])
    assert rule.main() == 0
    assert cut.read_text(encoding="utf-8") == "0.890000\n"
    first = json.loads(out.read_text(encoding="utf-8"))
    assert first["S5_replaces_S2"] is None and first["step1"]["c_star"] == 0.89
    pairs = [{"set": "heldout54", "id": "p0000", "label": 1, "kind": "reworded", "a": "x",
              "b": "y", "outcome": "other", "answered": "z"}]
    two = [
        "s5c_rule.py", "step2", "--s2", put("d54-s2.jsonl", S2_D54), "--s5",
        put("d54-s5.jsonl", S5_D54), *quora,
        "--shared-s2", put("two-s2.json", shared_run("2a9b446e", 0.855177, D54, {"0.5:5": 10})),
        "--shared-s5", put("two-s5.json", shared_run("cffa0c35", 0.916959, D54,
                                                 {"0.5:5:3:0.890000": 13})),
        "--shared-pairs", put("p2.jsonl", pairs), put("p5.jsonl", pairs),
        "--cost", put("cost.txt", COST), "--identity", put("identity.json", IDENTITY),
        "--cut-file", str(cut), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", two)
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["rule"] == rule.RULE
    assert written["S5_replaces_S2"] is True and written["ships"] == {"verifier": "S5", "cut": 0.89}
    assert written["step2"]["d"]["other_answers"]["paraphrases"]["both"]["n"] == 1
    assert set(written["run"]) == {"step1", "step2"} and set(written["inputs"]) == {"step1",
                                                                                    "step2"}
    cut.write_text("0.900000\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="does not hold step 1's c"):
        rule.main()


def test_main_stops_where_step1_found_no_cut(rule: ModuleType, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "s5c.json"
    out.write_text(json.dumps({"step1": {"c_star": None}}), encoding="utf-8")
    assert rule.cut_text(None).startswith("none: no cut in C meets (i)-(iii)")
    monkeypatch.setattr(sys, "argv", ["s5c_rule.py", "step2", "--out", str(out)])
    with pytest.raises(SystemExit, match="step 1 found no cut"):
        rule.main()
