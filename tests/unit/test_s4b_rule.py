"""bench/s4b_rule.py (session 24): rule S4b, S2 or S4 on heldout42-43 (and pooled over
heldout38-43), read from toy rows files as the lookup's rows hold them
(cache_losses.py --pairs-out) and toy cache_shared results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row, set_rows

DS = ("heldout42", "heldout43")
R4 = ("heldout38", "heldout39", "heldout40", "heldout41")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s4b_rule")


def quora(positive: float, negatives: list[float]) -> list[dict[str, Any]]:
    return ([row("pairs:qqp", 0, 1, positive)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)]
            + [row("pairs:support_heldout", 9, 1, 0.9)])


# DS: S2 at 0.855177 finds 3 of 4 a set and passes one negative a set (F' = 2); S4 finds
# all 4 and scores its negatives 0.9 and 0.6. Quora: S2 passes one (Q' = 1); S4's 0.65
# negative binds c to 0.650001 (0.600001 would pass two).
S2_DS = set_rows(DS, [0.95, 0.9, 0.2, 0.86], [0.86, 0.8], refused=True)
S4_DS = set_rows(DS, [0.95, 0.9, 0.7, 0.75], [0.9, 0.6], refused=True)
S2_Q = quora(0.9, [0.86, 0.5])
S4_Q = quora(0.9, [0.95, 0.65])
# R4: S2 finds 1 of 2 a set at one false hit a set (F6 = 4 + 2); S4 finds both.
S2_R4 = set_rows(R4, [0.95, 0.3], [0.86, 0.4], refused=True)
S4_R4 = set_rows(R4, [0.95, 0.8], [0.9, 0.5], refused=True)
TRAFFIC = {(s, f"p{n:04d}"): "support" if n < 2 else "general" for s in DS for n in range(100)}


def decide(rule: ModuleType, s4_ds: list[dict[str, Any]] = S4_DS) -> dict[str, Any]:
    ds = {"S2": rule.only(S2_DS, DS), "S4": rule.only(s4_ds, DS)}
    r6 = {"S2": rule.only(S2_R4, R4) + ds["S2"], "S4": rule.only(S4_R4, R4) + ds["S4"]}
    return rule.decide(ds, {"S2": S2_Q, "S4": S4_Q}, r6, TRAFFIC)


def shared(sha: str, cut: float, variant: str, another: int) -> dict[str, Any]:
    return {"sets": list(DS), "entries": 10_000,
            "verifier": {"sha256": sha + "0" * 56, "min_probability": cut},
            "by_variant": {variant: {"all": {"negatives": {"another": another}}}}}


def test_f_q_c_and_the_checks(rule: ModuleType) -> None:
    r = decide(rule)
    assert r["F_prime"] == 2 and r["Q_prime"] == 1
    assert r["c"] == 0.650001  # Quora's bound, not DS's (0.600001)
    assert r["a"]["S2_recall"] == pytest.approx(0.75) and r["a"]["S4_recall"] == 1.0
    assert r["a"]["points"] == 25.0 and r["a"]["pass"]
    assert r["b"]["pass"] and r["b"]["by_set"]["heldout42"] == {
        "S2_hits": 3, "S4_hits": 4, "positives": 4, "points": 25.0}
    d = r["d"]
    assert d["F6"] == 6 and d["cut"] == 0.600001 and d["S4_false_hits"] == 6
    assert d["S2_recall"] == pytest.approx(10 / 16) and d["S4_recall"] == 1.0
    assert d["points"] == 37.5 and d["pass"]
    # the records: both at both cuts, per set, kind and traffic; the Quora file's parts
    s4_at_s2_cut = r["at"]["S4"]["S2_cut"]["ds"]
    assert s4_at_s2_cut["cut"] == 0.855177 and s4_at_s2_cut["all"]["hits"] == 4
    assert r["at"]["S2"]["c"]["ds"]["all"]["false_hits"] == 4  # 0.86 and 0.8 a set
    assert r["at"]["S2"]["S2_cut"]["ds"]["by_kind"]["number_swap"]["false_hits"] == 0
    assert r["at"]["S2"]["S2_cut"]["ds"]["by_traffic"]["support"]["hits"] == 4
    assert r["at"]["S4"]["c"]["ds"]["by_set_traffic"]["heldout43:general"]["false_hits"] == 1
    assert r["at"]["S4"]["c"]["pairs"]["pairs:qqp"]["false_hits"] == 1
    assert r["at"]["S4"]["c"]["pairs"]["pairs:support_heldout"]["recall"] == 1.0
    dis = r["disagreements_at_c"]
    assert dis["found_by_S4_only"]["n"] == 2  # the 0.2 paraphrase, each set
    assert dis["found_by_S4_only"]["examples"]["reworded"][0]["p_S4"] == 0.7
    assert "passed_by_S4_only" not in dis and "found_by_S2_only" not in dis


def test_c_and_the_verdict(rule: ModuleType) -> None:
    r = decide(rule)
    s2 = shared("2a9b446e", 0.855177, "0.5:5", 3)
    assert rule.variant_name(r["c"]) == "0.5:5:3:0.650001"
    ok = rule.check_c(r["c"], s2, shared("4cfff74c", 0.94716, "0.5:5:3:0.650001", 5))
    assert ok["pass"] and ok["limit"] == 5 and rule.verdict(r, ok) is True
    bad = rule.check_c(r["c"], s2, shared("4cfff74c", 0.94716, "0.5:5:3:0.650001", 6))
    assert bad["pass"] is False and rule.verdict(r, bad) is False
    pending = rule.check_c(r["c"], s2, None)
    assert pending["pass"] is None and rule.verdict(r, pending) is None
    with pytest.raises(SystemExit, match="no variant 0.5:5:3:0.650001"):
        rule.check_c(r["c"], s2, shared("4cfff74c", 0.94716, "0.5:5", 1))
    with pytest.raises(SystemExit, match="not 2a9b446e"):  # S4's run passed as S2's
        rule.check_c(r["c"], shared("4cfff74c", 0.855177, "0.5:5", 3), s2)
    with pytest.raises(SystemExit, match="judges at 0.858085"):  # S2's old folder
        rule.check_c(r["c"], shared("2a9b446e", 0.858085, "0.5:5", 3),
                     shared("4cfff74c", 0.94716, "0.5:5:3:0.650001", 5))


def test_a_set_where_s4_finds_less_keeps_s2(rule: ModuleType) -> None:
    worse = [dict(r, p=0.3) if (r["set"], r["id"]) in {("heldout43", "p0000"),
                                                       ("heldout43", "p0001")} else r
             for r in S4_DS]
    r = decide(rule, worse)
    assert r["a"]["points"] == 0.0 and not r["a"]["pass"]  # 6 of 8 each
    assert r["b"]["by_set"]["heldout43"]["S4_hits"] == 2 and not r["b"]["pass"]
    assert rule.verdict(r, {"pass": None}) is False  # (c) cannot save it
    with pytest.raises(SystemExit, match="no rows for heldout43"):
        rule.only([x for x in S2_DS if x["set"] != "heldout43"], DS)
    with pytest.raises(SystemExit, match="different pairs"):
        decide(rule, [dict(x, a="other") if x["id"] == "p0000" else x for x in S4_DS])


def test_main_writes_the_rule_and_the_verdict(rule: ModuleType, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = {}
    for name, data in (("s2", S2_DS), ("s4", S4_DS), ("s2-quora", S2_Q), ("s4-quora", S4_Q),
                       ("s2-r4", S2_R4), ("s4-r4", S4_R4)):
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    for name, data in (("shared-s2", shared("2a9b446e", 0.855177, "0.5:5", 3)),
                       ("shared-s4", shared("4cfff74c", 0.94716, "0.5:5:3:0.650001", 4))):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "s4b.json"
    monkeypatch.setattr(rule, "traffic_of", lambda names: TRAFFIC)
    monkeypatch.setattr(sys, "argv", ["s4b_rule.py", *[x for name, p in paths.items()
                                                       for x in (f"--{name}", str(p))],
                                      "--out", str(out)])
    assert rule.main() == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["rule"].startswith("S4b: which cross-encoder the lookup runs, S2 (shipped,")
    assert written["rule"].endswith("+ 2.0 points. Otherwise S2 stays at 0.855177.")
    assert written["decision_sets"] == list(DS) and written["S4_replaces_S2"] is True
    assert written["ships"] == {"verifier": "S4", "cut": 0.650001}
    assert written["c_check"] == {"S2": 3, "S4": 4, "limit": 5, "pass": True,
                                  "S4_variant": "0.5:5:3:0.650001", "entries": [10_000, 10_000]}


def test_the_negatives_another_entry_answered(rule: ModuleType) -> None:
    def out(n: int, label: int, outcome: str, answered: str | None) -> dict[str, Any]:
        return {"set": "heldout42", "id": f"p{n:04d}", "label": label, "kind": "intent_shift",
                "a": f"cached {n}", "b": f"query {n}", "outcome": outcome,
                "answered": answered}

    s2 = [out(0, 0, "refused", None), out(1, 0, "other", "e1"), out(2, 1, "other", "e2"),
          out(3, 0, "other", "e3")]
    s4 = [out(0, 0, "other", "e9"), out(1, 0, "top_k", None), out(2, 1, "other", "e2"),
          out(3, 0, "other", "e3")]
    got = rule.other_answers(s2, s4)
    assert {k: v["n"] for k, v in got.items()} == {"S4_only": 1, "S2_only": 1, "both": 1}
    assert got["S4_only"]["other_outcome"] == {"refused": 1}  # what S2's lookup did
    assert got["S2_only"]["other_outcome"] == {"top_k": 1}
    assert got["S4_only"]["pairs"][0]["answered_S4"] == "e9"
    with pytest.raises(SystemExit, match="pairs differ"):
        rule.other_answers(s2, s4[:3])
