"""bench/s6d_rule.py (session 27): rule S6d, S6 at a cut fixed on the four seen writers P4
less the heldout56-57 pairs S6's bundle holds a text of (step 0), against the shipped S5,
then tested once on heldout58-59; read through rule S5c's steps from toy rows
(cache_losses.py --pairs-out), toy cache_shared results and their --pairs-out rows, a toy
bundle and a toy stack_cost output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import cost_text, file_writer, row, set_rows, shared_run, traffic

P4 = ("heldout54", "heldout55", "heldout56", "heldout57")
PAIRS4 = (("heldout54", "heldout55"), ("heldout56", "heldout57"))
D58 = ("heldout58", "heldout59")
CUTS = ("0.855177", "0.870000", "0.880000", "0.890000", "0.900000", "0.910000", "0.916959",
        "0.920000", "0.930000", "0.940000")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s6d_rule")


def shared_pairs(sets: tuple[str, ...], variants: dict[str, int]) -> list[dict[str, Any]]:
    """A run's --pairs-out rows: per variant, its negatives answered by another entry, the
    first heldout56's pair 3 (step 0's) where the run is on heldout56-57."""
    out = []
    for name, n in variants.items():
        ids = ([("heldout56", "p0003")] if "heldout56" in sets else []) + [
            (sets[0], f"p{100 + k:04d}") for k in range(n)]
        out += [{"variant": name, "set": s, "id": i, "label": 0, "kind": "entity_swap",
                 "outcome": "other", "a": "x", "b": "y", "answered": "z"} for s, i in ids[:n]]
        out.append({"variant": name, "set": sets[0], "id": "p0000", "label": 1,
                    "kind": "reworded", "outcome": "other", "a": "x", "b": "y", "answered": "z"})
    return out


# Step 0: the bundle holds heldout56's pair 3's query (a negative) and heldout54's pair 4's
# (a guarded set: kept), and heldout57's pair 0's cached text spelt otherwise.
BUNDLE = [{"cached": "Query heldout56 3!", "query": "something else"},
          {"cached": "query  heldout54 4", "query": "x"},
          {"cached": "y", "query": "CACHED heldout57 0"}]
# Step 1. S5 at 0.916959 finds 2 of 3 a set and passes the 0.92 negative of each set but
# heldout56 (F4 = 3); Quora 10 false hits (Q5); its two caches answer 5 + 7 negatives from
# another entry, one of them heldout56's pair 3 (A4 = 11 less step 0's). S6 passes heldout56's
# pair 3 at every cut (step 0 leaves it out: without it (i) fails everywhere) and the others'
# 0.95 (3 <= F4); its 11 Quora negatives at 0.875 break (ii) up to 0.87; its caches answer 13
# less 1 at 0.88 and 12 less 1 at 0.89: c6 = 0.89.
S5_P4 = set_rows(P4, [0.95, 0.93, 0.3], {s: [0.1 if s == "heldout56" else 0.92, 0.1] for s in P4})
S6_P4 = set_rows(P4, [0.99, 0.95, 0.9], {s: [0.97 if s == "heldout56" else 0.95, 0.1]
                                         for s in P4})
QUORA_S5 = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, 0.93 if i < 10 else 0.1)
                                             for i in range(49)]
QUORA_S6 = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, 0.875 if i < 11 else 0.1)
                                             for i in range(49)]
ANOTHER_S6 = {"0.855177": (7, 9), "0.870000": (6, 8), "0.880000": (5, 8), "0.890000": (5, 7),
              "0.900000": (5, 6), "0.910000": (4, 6), "0.916959": (4, 5), "0.920000": (4, 5),
              "0.930000": (3, 5), "0.940000": (3, 4)}
STEP1_S5 = [shared_run("cffa0c35", 0.916959, p, {"0.5:5": n})
            for p, n in zip(PAIRS4, (5, 7), strict=True)]
STEP1_S6 = [shared_run("3ad8d6ae", 0.855177, p,
                       {f"0.5:5:3:{c}": v[k] for c, v in ANOTHER_S6.items()})
            for k, p in enumerate(PAIRS4)]
TRAFFIC = traffic((*P4, *D58))
# Step 2 at c6 = 0.89: S5 at 0.916959 finds 2 of 4 a set at one false hit a set; S6 3 of 4
# at one a set.
S5_D58 = set_rows(D58, [0.95, 0.93, 0.3, 0.2], [0.92, 0.1])
S6_D58 = set_rows(D58, [0.99, 0.97, 0.95, 0.6], [0.91, 0.5])
COST = cost_text("S6", "S5")
IDENTITY = {"pairs": 12, "cut": 0.89, "verdicts_differ": 0, "max_abs_dp": 1e-6,
            "sets": list(D58)}


def test_the_rule_is_quoted_unchanged(rule: ModuleType) -> None:
    assert rule.RULE.startswith("S6d: S6 (cross.npz 3ad8d6ae, /work/base/s6: S2 continued on "
                                "heldout30-53; fitted in session 26, decided by nothing)")
    assert ("C = (0.855177, 0.87, 0.88, 0.89, 0.90, 0.91, 0.916959, 0.92, 0.93, 0.94)"
            in rule.RULE)
    assert "negative queries answered by another entry with S6 <= S5's + 4;" in rule.RULE
    assert rule.RULE.endswith("would flatter S6's false hits at a low cut.")
    assert [f"{c:.6f}" for c in rule.CUTS] == list(CUTS) and rule.P4 == P4
    assert rule.S6D.models == ("S5", "S6") and rule.S6D.shipped_cut == 0.916959
    assert rule.S6D.examples is None  # every pair the two disagree on, with both texts


def test_step0_leaves_out_the_unguarded_pairs_the_bundle_holds(
        rule: ModuleType, bench_module: Callable[[str], ModuleType],
        monkeypatch: pytest.MonkeyPatch) -> None:
    s5c = bench_module("s5c_rule")
    with pytest.raises(SystemExit, match="holds 3 pairs, not 69,663"):
        rule.bundle_texts(BUNDLE)
    monkeypatch.setattr(rule, "BUNDLE_PAIRS", 3)
    zero = rule.step0(s5c.only(S5_P4, P4), rule.bundle_texts(BUNDLE))
    assert zero["by_set"] == {"heldout56": 1, "heldout57": 1} and zero["left_out"] == 2
    assert zero["by_set_label"]["heldout57"] == {"positives": 1, "negatives": 0}
    assert [(p["set"], p["id"], p["a_in_bundle"], p["b_in_bundle"]) for p in zero["pairs"]] == [
        ("heldout56", "p0003", False, True), ("heldout57", "p0000", True, False)]


def test_left_out_another_reads_the_pairs_and_checks_the_run(rule: ModuleType) -> None:
    leave = frozenset({("heldout56", "p0003")})
    variants = {"0.5:5": 7}
    assert rule.left_out_another(shared_run("cffa0c35", 0.916959, PAIRS4[1], variants),
                                 shared_pairs(PAIRS4[1], variants), leave) == {"0.5:5": 1}
    assert rule.left_out_another(shared_run("cffa0c35", 0.916959, PAIRS4[0], variants),
                                 shared_pairs(PAIRS4[0], variants), leave) == {"0.5:5": 0}
    with pytest.raises(SystemExit, match="count 6 negatives answered by another entry at 0.5:5"):
        rule.left_out_another(shared_run("cffa0c35", 0.916959, PAIRS4[1], variants),
                              shared_pairs(PAIRS4[1], {"0.5:5": 6}), leave)


def step1_argv(put: Callable[[str, Any], str], cut: Path, out: Path) -> list[str]:
    pairs = {"S5": [shared_pairs(p, {"0.5:5": n}) for p, n in zip(PAIRS4, (5, 7), strict=True)],
             "S6": [shared_pairs(p, {f"0.5:5:3:{c}": v[k] for c, v in ANOTHER_S6.items()})
                    for k, p in enumerate(PAIRS4)]}
    return ["s6d_rule.py", "step1",
            "--shared-s5", *(put(f"one-s5-{k}.json", r) for k, r in enumerate(STEP1_S5)),
            "--shared-s6", *(put(f"one-s6-{k}.json", r) for k, r in enumerate(STEP1_S6)),
            "--shared-pairs-s5", *(put(f"one-s5-{k}.jsonl", r) for k, r in enumerate(pairs["S5"])),
            "--shared-pairs-s6", *(put(f"one-s6-{k}.jsonl", r) for k, r in enumerate(pairs["S6"])),
            "--bundle", put("bundle.jsonl", BUNDLE[:1]),
            "--s5", put("p4-s5.jsonl", S5_P4), "--s6", put("p4-s6.jsonl", S6_P4),
            "--s5-quora", put("q-s5.jsonl", QUORA_S5), "--s6-quora", put("q-s6.jsonl", QUORA_S6),
            "--cut-out", str(cut), "--out", str(out)]


def test_main_runs_step0_step1_and_step2(
        rule: ModuleType, bench_module: Callable[[str], ModuleType], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    monkeypatch.setattr(bench_module("s5c_rule"), "traffic_of", lambda names: TRAFFIC)
    monkeypatch.setattr(rule, "BUNDLE_PAIRS", 1)
    out, cut = tmp_path / "s6d.json", tmp_path / "cut.txt"
    monkeypatch.setattr(sys, "argv", step1_argv(put, cut, out))
    assert rule.main() == 0
    assert cut.read_text(encoding="utf-8") == "0.890000\n"
    first = json.loads(out.read_text(encoding="utf-8"))
    assert first["rule"] == rule.RULE and first["S5_cut"] == 0.916959
    assert first["S6_replaces_S5"] is None and first["ships"] is None
    assert first["step0"]["by_set"] == {"heldout56": 1, "heldout57": 0}
    assert first["step0"]["another_left_out"]["S5"] == [{"0.5:5": 0}, {"0.5:5": 1}]
    one = first["step1"]
    assert (one["F4"], one["A4"], one["Q5"], one["c6"]) == (3, 11, 10, 0.89)
    assert "Q_check" not in one and one["S5"]["another_in_run"] == [5, 7]
    assert one["S5"]["P4_false_hits"] == 3 and one["S5"]["P4_hits"] == 8
    table = {f"{x['cut']:.6f}": x for x in one["table"]}
    assert [table[c]["i"] for c in CUTS] == [True] * 10
    assert [table[c]["ii"] for c in CUTS] == [False] * 2 + [True] * 8
    assert [table[c]["iii"] for c in CUTS] == [False] * 3 + [True] * 7
    assert table["0.880000"]["another"] == 12 and table["0.880000"]["another_in_run"] == [5, 8]
    assert table["0.880000"]["another_by_pair"] == [5, 7]
    assert table["0.890000"]["P4_false_hits"] == 3 and table["0.890000"]["P4_hits"] == 12
    assert [x["false_hits_at_most"] for x in first["P4_curve"]] == [0, 0, 0, 0]
    assert first["P4_curve"][0]["S6"]["false_hits"] == 0
    # Step 2 on D58 at c6.
    monkeypatch.setattr(sys, "argv", [
        "s6d_rule.py", "step2", "--s5", put("d58-s5.jsonl", S5_D58),
        "--s6", put("d58-s6.jsonl", S6_D58),
        "--s5-quora", put("q-s5.jsonl", QUORA_S5), "--s6-quora", put("q-s6.jsonl", QUORA_S6),
        "--shared-s5", put("two-s5.json", shared_run("cffa0c35", 0.916959, D58, {"0.5:5": 10})),
        "--shared-s6", put("two-s6.json", shared_run("3ad8d6ae", 0.855177, D58,
                                                 {"0.5:5:3:0.890000": 14})),
        "--shared-pairs", put("p5.jsonl", shared_pairs(D58, {"0.5:5": 1})),
        put("p6.jsonl", shared_pairs(D58, {"0.5:5:3:0.890000": 1})),
        "--cost", put("cost.txt", COST), "--identity", put("identity.json", IDENTITY),
        "--cut-file", str(cut), "--out", str(out)])
    assert rule.main() == 0
    two = json.loads(out.read_text(encoding="utf-8"))
    r = two["step2"]
    assert r["a"]["S6_hits"] == 6 and r["a"]["S5_hits"] == 4 and r["a"]["points"] == 25.0
    assert r["b"] == {"S5_false_hits": 2, "floor_1pct_of_negatives": 0, "negatives": 4,
                      "limit": 2, "S6_false_hits": 2, "pass": True}
    assert (r["d"]["S5"], r["d"]["S6"], r["d"]["limit"], r["d"]["pass"]) == (10, 14, 14, True)
    assert r["e"]["S6_over_S5"] == pytest.approx(0.0208, abs=1e-4) and r["e"]["pass"]
    assert r["d"]["other_answers"]["negatives"]["both"]["n"] == 1
    assert r["at"]["S6"]["c6"]["d58"]["all"]["hits"] == 6 and "matched" in r["at"]["S6"]
    assert r["disagreements_at_c6"]["found_by_S6_only"]["n"] == 2
    assert two["S6_replaces_S5"] is True and two["ships"] == {"verifier": "S6", "cut": 0.89}
    assert two["step0"]["left_out"] == 1 and set(two["run"]) == {"step1", "step2"}


def test_step1_refuses_the_wrong_runs_and_ends_without_a_cut(
        rule: ModuleType, bench_module: Callable[[str], ModuleType], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    s5c = bench_module("s5c_rule")
    rows = {"S5": s5c.only(S5_P4, P4), "S6": s5c.only(S6_P4, P4)}
    quora = {"S5": QUORA_S5, "S6": QUORA_S6}
    at_s2_cut = [shared_run("cffa0c35", 0.855177, PAIRS4[0], {"0.5:5": 5}), STEP1_S5[1]]
    with pytest.raises(SystemExit, match="the S5 cache_shared run judges at 0.855177"):
        s5c.step1(rows, quora, {"S5": at_s2_cut, "S6": STEP1_S6}, TRAFFIC, rule.S6D)
    with pytest.raises(SystemExit, match="not 3ad8d6ae"):
        s5c.step1(rows, quora, {"S5": STEP1_S5, "S6": STEP1_S5}, TRAFFIC, rule.S6D)
    # Without step 0, heldout56's pair 3 breaks (i) at every cut: no c6.
    none = s5c.step1(rows, quora, {"S5": STEP1_S5, "S6": STEP1_S6}, TRAFFIC, rule.S6D)
    assert none["F4"] == 3 and none["c6"] is None
    assert s5c.cut_text(None, rule.S6D) == "none: no cut in C meets (i)-(iii); S6d ends, S5 stays\n"
    out = tmp_path / "s6d.json"
    out.write_text(json.dumps({"step1": {"c6": None}}), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["s6d_rule.py", "step2", "--out", str(out)])
    with pytest.raises(SystemExit, match="step 1 found no cut: S6d ended there"):
        rule.main()
