"""Rule S10 (``bench/s10_rule.py``, session 34): c10 is the lowest cut at which S10 keeps S5's
pooled false hits on P (heldout80-85, 88-89, at 0.916959) and S5's Quora false hits; the screen
asks S10's pooled P recall at c10 to be S5's + 1.0 point; step 2 checks (a) to (e) on D
(heldout86-87, 90-91) only when the screen passed."""

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

P = tuple(f"heldout{n}" for n in (80, 81, 82, 83, 84, 85, 88, 89))
D = ("heldout86", "heldout87", "heldout90", "heldout91")
S5_SHA = "cffa0c35"
S10_SHA = "abcd1234"


@pytest.fixture(scope="module")
def s10(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s10_rule")


def rows(sets: tuple[str, ...], positives: list[float] | dict[str, list[float]],
         negatives: list[float] | dict[str, list[float]]) -> list[dict[str, Any]]:
    return set_rows(sets, positives, negatives)[1:]  # no row of another set


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase, the negatives ``passed`` and then 0.1 up to 40, and a
    row of another Quora group (a record, never a bound)."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)]
            + [row("pairs:hand", 0, 0, 0.99)])


# Step 1. S5 at 0.916959: one paraphrase of three a set (0.95), one false hit a set (0.92): F = 8.
# S10: two of three (0.97, 0.94), its negatives at 0.9, so P alone allows any cut over 0.1. Quora:
# S5 passes one negative (0.95; Q = 1), S10 two (0.96, 0.93): Quora binds, c10 = 0.930001, where
# S10 finds 16 of 24 (S5 8): +33.3 points, the screen passes.
S5_P = rows(P, [0.95, 0.9, 0.3], [0.92, 0.1])
S10_P = rows(P, [0.97, 0.94, 0.3], [0.9, 0.1])
Q_S5 = quora([0.95])
Q_S10 = quora([0.96, 0.93])
# Step 2 on D: S5 finds one of four a set (4 of 16) with one false hit a set (4); S10 at c10 two
# of four (8 of 16: +25 points) with one false hit a set (0.935: 4).
S5_D = rows(D, [0.95, 0.9, 0.3, 0.2], [0.92, 0.1])
S10_D = rows(D, [0.97, 0.94, 0.3, 0.2], [0.935, 0.1])


def shared(sha: str, cut: float, pair: tuple[str, str], another: int, own: int = 60
           ) -> dict[str, Any]:
    run = shared_run(sha, cut, pair, {"0.5:5:m": another})
    run["by_variant"]["0.5:5:m"]["all"]["positives"]["own"] = own
    return run


def runs(another: int = 3, own: int = 60) -> dict[str, list[dict[str, Any]]]:
    """S5's two runs (3 negatives answered by another entry each, 4 answered in all) and S10's
    (``another`` each, ``another`` + 1 answered), paraphrases answered by their own entry 60 a
    run (S10's ``own``)."""
    pairs = (D[:2], D[2:])
    return {"S5": [shared(S5_SHA, 0.916959, p, 3) for p in pairs],
            "S10": [shared(S10_SHA, 0.930001, p, another, own) for p in pairs]}


SHAS = {"S5": S5_SHA, "S10": S10_SHA}


def test_the_rule_is_quoted_whole(s10: ModuleType) -> None:
    assert s10.RULE.startswith("S10 = S2 (cross.npz 2a9b446e) continued by S5's recipe")
    assert s10.RULE.endswith("nothing is retuned after reading D.")
    assert "(e) Quora (pairs:qqp) false-hit rate at c10 <= 3.0 %." in s10.RULE
    assert s10.P == P and s10.D == D


def test_c10_is_the_lowest_cut_keeping_both_bounds_and_the_screen(s10: ModuleType) -> None:
    got = s10.step1(S5_P, S10_P, Q_S5, Q_S10)
    assert (got["F_P_false_hits"], got["Q_qqp_false_hits"]) == (8, 1)
    assert got["c10"] == 0.930001
    assert (got["S5"]["hits"], got["S10"]["hits"], got["S10"]["positives"]) == (8, 16, 24)
    assert got["S10"]["false_hits"] == 0 and got["S10"]["qqp_false_hits"] == 1
    assert got["points"] == pytest.approx(100 / 3, abs=1e-3) and got["screen_passes"]
    cuts = got["records"]["at_cuts"]
    assert set(cuts) == {"S5 at S5_cut", "S10 at S5_cut", "S10 at c10"}
    assert len(cuts["S10 at c10"]["by_writer_pair"]) == 4  # 80-81, 82-83, 84-85, 88-89
    # S10 finding no more than S5 at c10: +0 points, the screen fails
    same = rows(P, [0.95, 0.9, 0.3], [0.9, 0.1])
    failed = s10.step1(S5_P, same, Q_S5, Q_S10)
    assert failed["points"] == 0 and not failed["screen_passes"]


def test_step1_reads_only_p_and_the_same_pairs(s10: ModuleType,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def without(rs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rs if r["set"] != "heldout89"]

    with pytest.raises(SystemExit, match="not heldout80"):
        s10.step1(without(S5_P), without(S10_P), Q_S5, Q_S10)
    reserved = rows(("heldout86",), [0.9], [0.1])
    # pair_sets.RESERVED as it stood until step 2 read D (empty since)
    monkeypatch.setattr(s10, "RESERVED", frozenset(D))
    with pytest.raises(SystemExit, match="reserved"):
        s10.step1(S5_P + reserved, S10_P + reserved, Q_S5, Q_S10)
    with pytest.raises(SystemExit, match="different pairs"):
        s10.step1(S5_P, S10_P[:-1], Q_S5, Q_S10)


def test_step2_passes_when_every_check_holds(s10: ModuleType) -> None:
    got = s10.step2(0.930001, {"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10}, runs(),
                    SHAS)
    assert got["a"]["points"] == 25.0 and got["a"]["pass"]
    assert (got["b"]["S5_false_hits"], got["b"]["S10_false_hits"], got["b"]["pass"]) == (
        4, 4, True)
    assert got["c"]["pass"] and set(got["c"]["by_writer_pair"]) == {
        "heldout86+heldout87", "heldout90+heldout91"}
    assert got["d"]["negatives_answered"] == {"S5": 8, "S10": 8} and got["d"]["pass"]
    assert got["e"]["S10_qqp_false_hits"] == 1 and got["e"]["pass"]  # 1 of 40: 2.5 %
    assert s10.verdict(got) is True
    assert [r["p"] for r in got["false_hits"]["S10"]] == [0.935] * 4
    pending = s10.step2(0.930001, {"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10},
                        None, SHAS)
    assert pending["d"]["pass"] is None and s10.verdict(pending) is None


@pytest.mark.parametrize("which", ["a", "b", "c", "d-answered", "d-own", "e"])
def test_step2_fails_on_each_check(s10: ModuleType, which: str) -> None:
    cand, q10, shared_runs = S10_D, Q_S10, runs()
    if which == "a":  # S10 finds one of four a set, as S5: +0 points (needs +1.5)
        cand = rows(D, [0.97, 0.3, 0.3, 0.2], [0.935, 0.1])
    elif which == "b":  # 7 false hits against S5's 4 + 2
        cand = rows(D, {s: [0.97, 0.94, 0.3, 0.2] for s in D},
                    {**{s: [0.935, 0.1] for s in D}, "heldout90": [0.935, 0.97],
                     "heldout91": [0.935, 0.97], "heldout87": [0.935, 0.99]})
    elif which == "c":  # 86+87 gain a lot, 90+91 lose a paraphrase each
        cand = rows(D, {"heldout86": [0.97, 0.94, 0.94, 0.94],
                        "heldout87": [0.97, 0.94, 0.94, 0.94],
                        "heldout90": [0.3, 0.3, 0.3, 0.2], "heldout91": [0.3, 0.3, 0.3, 0.2]},
                    [0.935, 0.1])
    elif which == "d-answered":  # 12 answered against S5's 8 + 2
        shared_runs = runs(another=5)
    elif which == "d-own":  # one paraphrase fewer answered by its own entry
        shared_runs = runs(own=59)
    else:  # two of forty Quora negatives at c10: 5 %
        q10 = quora([0.96, 0.95])
    got = s10.step2(0.930001, {"S5": S5_D, "S10": cand}, {"S5": Q_S5, "S10": q10},
                    shared_runs, SHAS)
    failed = {k for k in "abcde" if got[k]["pass"] is False}
    assert failed == {which[0]}
    assert s10.verdict(got) is False


def test_step2_checks_the_cache_shared_runs(s10: ModuleType) -> None:
    wrong_cut = runs()
    wrong_cut["S10"][0]["verifier"]["min_probability"] = 0.855177
    with pytest.raises(SystemExit, match="judges at"):
        s10.step2(0.930001, {"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10},
                  wrong_cut, SHAS)
    swapped = runs()
    swapped["S5"].reverse()
    with pytest.raises(SystemExit, match="not cffa0c35"):
        s10.step2(0.930001, {"S5": S5_D, "S10": S10_D}, {"S5": Q_S5, "S10": Q_S10},
                  swapped, SHAS)


def toy_main(tmp_path: Path, threshold: float
             ) -> tuple[Callable[[str, Any], str], Path, Path, list[str]]:
    """A file writer, a toy S10 export whose cross.json is at ``threshold``, the results file
    and the arguments both steps take (the Quora rows, the export, the results file)."""
    put = file_writer(tmp_path)
    export = tmp_path / "S10"
    export.mkdir()
    (export / "cross.npz").write_bytes(b"toy weights")
    (export / "cross.json").write_text(json.dumps({"threshold": threshold}))
    out = tmp_path / "out.json"
    common = ["--s5-quora", put("q5.jsonl", Q_S5), "--s10-quora", put("q10.jsonl", Q_S10),
              "--s10-dir", str(export), "--out", str(out)]
    return put, export, out, common


def test_main_step1_then_step2(s10: ModuleType, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    put, export, out, common = toy_main(tmp_path, 0.855177)
    sha = hashlib.sha256(b"toy weights").hexdigest()
    cut = tmp_path / "c10.txt"
    monkeypatch.setattr(sys, "argv", [
        "s10_rule.py", "step1", "--s5", put("s5p.jsonl", S5_P), "--s10", put("s10p.jsonl", S10_P),
        *common, "--cut-out", str(cut), "--record", f"fit={put('fit.json', {'steps': 5})}"])
    assert s10.main() == 0
    first = json.loads(out.read_text())
    assert first["step1"]["c10"] == 0.930001 and first["S10_adopted"] is None
    assert first["rule"] == s10.RULE and first["fit"] == {"steps": 5}
    assert cut.read_text() == "0.930001\n"
    pairs = (D[:2], D[2:])
    shared_files = {
        m: [put(f"{m}-{n}.json", shared(sha if m == "S10" else S5_SHA,
                                         0.930001 if m == "S10" else 0.916959, p, 3))
            for n, p in enumerate(pairs)] for m in ("S5", "S10")}
    two = ["s10_rule.py", "step2", "--s5", put("s5d.jsonl", S5_D),
           "--s10", put("s10d.jsonl", S10_D), *common,
           "--shared-s5", *shared_files["S5"], "--shared-s10", *shared_files["S10"]]
    monkeypatch.setattr(sys, "argv", two)
    with pytest.raises(SystemExit, match="not c10"):  # the export still at the start's cut
        s10.main()
    (export / "cross.json").write_text(json.dumps({"threshold": 0.930001}))
    assert s10.main() == 0
    result = json.loads(out.read_text())
    assert result["S10_adopted"] is True and result["step1"] == first["step1"]
    assert set(result["run"]) == {"step1", "step2"}


def test_step2_refuses_after_a_failed_screen(s10: ModuleType, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    put, _, out, common = toy_main(tmp_path, 0.930001)
    same = rows(P, [0.95, 0.9, 0.3], [0.9, 0.1])
    monkeypatch.setattr(sys, "argv", ["s10_rule.py", "step1", "--s5", put("s5p.jsonl", S5_P),
                                      "--s10", put("s10p.jsonl", same), *common])
    assert s10.main() == 0
    assert json.loads(out.read_text())["S10_adopted"] is False
    monkeypatch.setattr(sys, "argv", ["s10_rule.py", "step2", "--s5", put("d5.jsonl", S5_D),
                                      "--s10", put("d10.jsonl", S10_D), *common])
    with pytest.raises(SystemExit, match="screen failed"):
        s10.main()
