"""Rule S10w (``bench/s10w_rule.py``, written in session 34, run in session 35): S10 at the fixed
cut c_w 0.909847 against S5 at 0.916959 on heldout94-95 pooled: (a) +1.5 points of recall,
(b) false hits at most S5's + 2, (c) a populated cache answers at most S5's negatives + 2 and
at least S5's own answers, (d) Quora's false-hit rate at c_w at most 3 %."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, row, set_rows, shared_run

D = ("heldout94", "heldout95")
S5_SHA = "cffa0c35"
S10_SHA = "abcd1234"
C_W = 0.909847
SHAS = {"S5": S5_SHA, "S10": S10_SHA}


@pytest.fixture(scope="module")
def s10w(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s10w_rule")


def rows(positives: list[float] | dict[str, list[float]],
         negatives: list[float] | dict[str, list[float]]) -> list[dict[str, Any]]:
    return set_rows(D, positives, negatives)[1:]  # no row of another set


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and forty negatives, ``passed`` first, then 0.1."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)])


# S5 at 0.916959 finds one of four a set (2 of 8) with one false hit of three a set (0.92: 2);
# S10 at c_w finds two of four (4 of 8: +25 points) with one false hit a set (0.912: 2). 0.912
# and 0.915 sit between c_w and S5's cut: S10 at S5's own cut would refuse them.
S5_D = rows([0.95, 0.9, 0.3, 0.2], [0.92, 0.1, 0.1])
S10_D = rows([0.97, 0.915, 0.3, 0.2], [0.912, 0.1, 0.1])
Q_S5 = quora([0.95])
Q_S10 = quora([0.96])


def shared(sha: str, cut: float, another: int, own: int = 60) -> dict[str, Any]:
    run = shared_run(sha, cut, D, {"0.5:5:m": another})
    run["by_variant"]["0.5:5:m"]["all"]["positives"]["own"] = own
    return run


def runs(another: int = 3, own: int = 60) -> dict[str, dict[str, Any]]:
    """S5's run (3 negatives answered by another entry, 4 answered in all) and S10's
    (``another``, ``another`` + 1), paraphrases answered by their own entry 60 (S10's ``own``)."""
    return {"S5": shared(S5_SHA, 0.916959, 3), "S10": shared(S10_SHA, C_W, another, own)}


def test_the_rule_is_quoted_whole(s10w: ModuleType) -> None:
    assert s10w.RULE.startswith("S10w: S10 (data/cache_verifier/s10/cross.npz, sha256 a38f6f80)")
    assert s10w.RULE.endswith("nothing is retuned after reading D'.")
    assert "lowest 6-decimal cut at which S10's false hits on W are at most S5's" in s10w.RULE
    assert f"(30): {C_W}." in s10w.RULE and s10w.C_W == C_W and s10w.D == D


def test_adopted_when_every_check_holds(s10w: ModuleType) -> None:
    got = s10w.decide({"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10}, runs(), SHAS)
    assert (got["a"]["S5_hits"], got["a"]["S10_hits"], got["a"]["positives"]) == (2, 4, 8)
    assert got["a"]["points"] == 25.0 and got["a"]["pass"]
    assert (got["b"]["S5_false_hits"], got["b"]["S10_false_hits"], got["b"]["pass"]) == (
        2, 2, True)
    assert got["c"]["negatives_answered"] == {"S5": 4, "S10": 4} and got["c"]["pass"]
    assert got["d"]["S10_qqp_false_hits"] == 1 and got["d"]["pass"]  # 1 of 40: 2.5 %
    assert s10w.verdict(got) is True
    assert [r["p"] for r in got["false_hits"]["S10"]] == [0.912] * 2
    cuts = got["records"]["at_cuts"]
    assert set(cuts) == {"S5 at S5_cut", "S10 at S5_cut", "S10 at c_w"}
    assert cuts["S10 at S5_cut"]["pool"]["hits"] == 2  # 0.915 is under S5's cut
    assert got["records"]["disagree"]["counts"]["S10_only_found"] == 2


@pytest.mark.parametrize("which", ["a", "b", "c-answered", "c-own", "d"])
def test_not_adopted_when_one_check_fails(s10w: ModuleType, which: str) -> None:
    cand, q10, shared_runs = S10_D, Q_S10, runs()
    if which == "a":  # two of eight, as S5: +0 points
        cand = rows([0.97, 0.3, 0.3, 0.2], [0.912, 0.1, 0.1])
    elif which == "b":  # 5 false hits against S5's 2 + 2
        cand = rows([0.97, 0.915, 0.3, 0.2], {"heldout94": [0.912, 0.95, 0.1],
                                               "heldout95": [0.912, 0.93, 0.94]})
    elif which == "c-answered":  # 7 answered against S5's 4 + 2
        shared_runs = runs(another=6)
    elif which == "c-own":  # one paraphrase fewer answered by its own entry
        shared_runs = runs(own=59)
    else:  # two of forty Quora negatives at c_w: 5 %
        q10 = quora([0.96, 0.95])
    got = s10w.decide({"S5": S5_D, "S10": cand}, {"S5": Q_S5, "S10": q10}, shared_runs, SHAS)
    assert {k for k in "abcd" if not got[k]["pass"]} == {which[0]}
    assert s10w.verdict(got) is False


def test_decide_checks_its_inputs(s10w: ModuleType) -> None:
    wrong_cut = runs()
    wrong_cut["S10"]["verifier"]["min_probability"] = 0.855177
    with pytest.raises(SystemExit, match="judges at"):
        s10w.decide({"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10}, wrong_cut, SHAS)
    swapped = {"S5": runs()["S10"], "S10": runs()["S5"]}
    with pytest.raises(SystemExit, match="not cffa0c35"):
        s10w.decide({"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10}, swapped, SHAS)
    with pytest.raises(SystemExit, match="different pairs"):
        s10w.decide({"S5": S5_D, "S10": S10_D[:-1]}, {"S5": Q_S5, "S10": Q_S10}, runs(), SHAS)
    one_set = [r for r in S5_D if r["set"] == "heldout94"]
    with pytest.raises(SystemExit, match="not heldout94, heldout95"):
        s10w.decide({"S5": one_set, "S10": one_set}, {"S5": Q_S5, "S10": Q_S10}, runs(), SHAS)


def test_main_checks_the_export_and_writes_the_verdict(s10w: ModuleType, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    export = tmp_path / "S10"
    export.mkdir()
    (export / "cross.npz").write_bytes(b"toy weights")
    (export / "cross.json").write_text(json.dumps({"threshold": 0.855177}))
    sha = hashlib.sha256(b"toy weights").hexdigest()
    out = tmp_path / "out.json"
    argv = ["s10w_rule.py", "--s5", put("s5.jsonl", S5_D), "--s10", put("s10.jsonl", S10_D),
            "--s5-quora", put("q5.jsonl", Q_S5), "--s10-quora", put("q10.jsonl", Q_S10),
            "--shared-s5", put("sh5.json", shared(S5_SHA, 0.916959, 3)),
            "--shared-s10", put("sh10.json", shared(sha, C_W, 3)),
            "--s10-dir", str(export), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit, match="not S10's a38f6f80"):
        s10w.main()
    monkeypatch.setattr(s10w, "S10_SHA", sha[:8])
    with pytest.raises(SystemExit, match="not c_w"):  # the export at the start's cut
        s10w.main()
    (export / "cross.json").write_text(json.dumps({"threshold": C_W}))
    assert s10w.main() == 0
    result = json.loads(out.read_text())
    assert result["S10_adopted"] is True and result["rule"] == s10w.RULE
    assert result["S10"] == {"cut": C_W, "sha256": sha}
    assert result["decision"]["a"]["points"] == 25.0
