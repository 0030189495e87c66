"""Rule S10c (``bench/s10c_rule.py``, session 35): step 1 takes c_pop, the lowest cut of G at which
S10's negative queries answered in eight populated caches, summed, are at most S5's; the screen
asks of the pooled heldout80-95 rows +1.0 point of recall and no more false hits than S5's, and
of the caches at least S5's own-entry answers; step 2 is rule S10w's checks on heldout98-99 at
c_pop."""

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

S5_SHA = "cffa0c35"
S10_SHA = "abcd1234"
SHAS = {"S5": S5_SHA, "S10": S10_SHA}
S2_CUT = 0.855177  # the S10 export's own threshold: the step 1 runs' cut is the variant's


@pytest.fixture(scope="module")
def s10c(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s10c_rule")


def name(cut: float) -> str:
    return f"0.5:5:m:3:{cut}"


def s5_runs(s10c: ModuleType) -> list[dict[str, Any]]:
    """S5's eight caches: each answers 4 negative queries (1 own, 3 by another entry) and 60
    paraphrases by their own entry: 32 and 480 summed."""
    return [shared_run(S5_SHA, 0.916959, pair, {"0.5:5:m": 3}) for pair in s10c.CACHES]


def s10_runs(s10c: ModuleType, sha: str = S10_SHA, own: int = 61,
             margin: float | None = None) -> list[dict[str, Any]]:
    """S10's eight caches, every cut of G a variant with its judging record: at the i-th cut
    each answers 6 - i negative queries (1 own), except that at 0.92 the first answers 6 and
    the second 2 (the sum, 32, is S5's: 0.92 is c_pop though one cache answers more than
    S5's there); ``own`` paraphrases by their own entry at every cut."""
    margin = s10c.rank_margin() if margin is None else margin
    out = []
    for k, pair in enumerate(s10c.CACHES):
        another = {name(c): max(5 - i, 0) for i, c in enumerate(s10c.G)}
        if k < 2:
            another[name(0.92)] = 5 if k == 0 else 1
        run = shared_run(sha, S2_CUT, pair, another)
        for c in s10c.G:
            v = run["by_variant"][name(c)]
            v["judging"] = {"floor": 0.5, "widen_to": 5, "rank_margin": margin,
                            "min_probability": c}
            v["all"]["positives"]["own"] = own
        out.append(run)
    return out


def seen(positives: list[float], negatives: list[float], sets: tuple[str, ...]
         ) -> list[dict[str, Any]]:
    return set_rows(sets, positives, negatives)[1:]  # no row of another set


# S5 at 0.916959 finds one of four a set with one false hit of three; S10 at 0.92 (c_pop) two
# of four (+25 points) and no false hit (0.915 is under 0.92; it passes at 0.909847).
def s5_rows(s10c: ModuleType) -> list[dict[str, Any]]:
    return seen([0.95, 0.9, 0.3, 0.2], [0.92, 0.1, 0.1], s10c.SEEN)


def s10_rows(s10c: ModuleType) -> list[dict[str, Any]]:
    return seen([0.97, 0.93, 0.3, 0.2], [0.915, 0.1, 0.1], s10c.SEEN)


def test_the_rule_is_quoted_whole(s10c: ModuleType) -> None:
    assert s10c.RULE.startswith("S10c: S10 (data/cache_verifier/s10/cross.npz, sha256 a38f6f80)")
    assert s10c.RULE.endswith("nothing is retuned after reading D''.")
    assert "G = (0.909847, 0.915, 0.92, 0.925, 0.93, 0.935, 0.94, 0.945, 0.95, 0.96)" in (
        " ".join(s10c.RULE.split()))
    assert s10c.G == (0.909847, 0.915, 0.92, 0.925, 0.93, 0.935, 0.94, 0.945, 0.95, 0.96)
    assert s10c.CACHES[0] == ("heldout80", "heldout81") and s10c.CACHES[-1] == (
        "heldout94", "heldout95") and len(s10c.SEEN) == 16


def test_c_pop_is_the_lowest_cut_whose_caches_hold_s5s_answers_summed(s10c: ModuleType) -> None:
    got = s10c.step1(s5_runs(s10c), s10_runs(s10c), s5_rows(s10c), s10_rows(s10c), SHAS)
    assert got["S5"]["negatives_answered"] == 32 and got["S5"]["positives_own"] == 480
    answered = [t["S10"]["negatives_answered"] for t in got["table"]]
    assert answered[:4] == [48, 40, 32, 24] and [t["holds"] for t in got["table"]][:3] == [
        False, False, True]
    assert got["c_pop"] == 0.92
    at_c = got["table"][2]
    assert at_c["by_cache"]["heldout80+heldout81"]["negatives_answered"] == 6  # over S5's 4
    assert at_c["by_cache"]["heldout82+heldout83"]["negatives_answered"] == 2
    assert at_c["rows"] == {"recall": 0.5, "hits": 32, "false_hits": 0}
    assert got["table"][0]["rows"]["false_hits"] == 16  # 0.915 passes at 0.909847
    screen = got["screen"]
    assert screen["recall"]["points"] == 25.0 and screen["recall"]["pass"]
    assert (screen["false_hits"]["S5"], screen["false_hits"]["S10"]) == (16, 0)
    assert screen["own_entry"] == {"S5": 480, "S10": 488, "pass": True}
    assert got["screen_passes"] is True
    records = got["records"]
    assert records["S10 at 0.92"]["pool"]["hits"] == 32 and len(
        records["S5 at 0.916959"]["by_set"]) == 16
    assert records["disagree"]["counts"]["S10_only_found"] == 16


def test_no_cut_holds(s10c: ModuleType) -> None:
    """Every cut of G answers more than S5's 32 summed: c_pop is none, no screen."""
    runs = s10_runs(s10c)
    for run in runs:
        for v in run["by_variant"].values():
            v["all"]["negatives"]["answered"] = 5
    got = s10c.step1(s5_runs(s10c), runs, s5_rows(s10c), s10_rows(s10c), SHAS)
    assert got["c_pop"] is None and got["screen"] is None and got["screen_passes"] is False


@pytest.mark.parametrize("which", ["recall", "false_hits", "own_entry"])
def test_the_screen_fails_when_one_check_fails(s10c: ModuleType, which: str) -> None:
    cand, runs = s10_rows(s10c), s10_runs(s10c)
    if which == "recall":  # one of four, as S5: +0 points
        cand = seen([0.97, 0.9, 0.3, 0.2], [0.915, 0.1, 0.1], s10c.SEEN)
    elif which == "false_hits":  # 17 at 0.92 against S5's 16
        cand = seen([0.97, 0.93, 0.3, 0.2], [0.915, 0.93, 0.1], s10c.SEEN)
        cand[-1]["p"] = 0.95
    else:  # 472 own-entry answers against S5's 480
        runs = s10_runs(s10c, own=59)
    got = s10c.step1(s5_runs(s10c), runs, s5_rows(s10c), cand, SHAS)
    assert got["c_pop"] == 0.92
    assert {k for k, v in got["screen"].items() if not v["pass"]} == {which}
    assert got["screen_passes"] is False


def test_step1_checks_its_inputs(s10c: ModuleType) -> None:
    s5, s10 = s5_rows(s10c), s10_rows(s10c)
    with pytest.raises(SystemExit, match="no judging record"):
        runs = s10_runs(s10c)
        del runs[3]["by_variant"][name(0.93)]["judging"]
        s10c.step1(s5_runs(s10c), runs, s5, s10, SHAS)
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup"):
        s10c.step1(s5_runs(s10c), s10_runs(s10c, margin=0.0), s5, s10, SHAS)
    with pytest.raises(SystemExit, match="not abcd1234"):
        s10c.step1(s5_runs(s10c), s10_runs(s10c, sha="ffff0000"), s5, s10, SHAS)
    with pytest.raises(SystemExit, match="entries"):
        runs = s10_runs(s10c)
        runs[5]["entries"] = 5000
        s10c.step1(s5_runs(s10c), runs, s5, s10, SHAS)
    with pytest.raises(SystemExit, match="judges at"):  # S5's run must be at 0.916959
        s5_wrong = s5_runs(s10c)
        s5_wrong[0]["verifier"]["min_probability"] = 0.9
        s10c.step1(s5_wrong, s10_runs(s10c), s5, s10, SHAS)
    with pytest.raises(SystemExit, match="eight|8 caches"):
        s10c.step1(s5_runs(s10c)[:7], s10_runs(s10c), s5, s10, SHAS)
    with pytest.raises(SystemExit, match="not heldout80"):  # a set missing from the rows
        s10c.step1(s5_runs(s10c), s10_runs(s10c), s5[12:], s10[12:], SHAS)
    with pytest.raises(SystemExit, match="different pairs"):
        s10c.step1(s5_runs(s10c), s10_runs(s10c), s5, s10[:-1], SHAS)


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and forty negatives, ``passed`` first, then 0.1."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)])


def test_main_runs_step1_then_step2(s10c: ModuleType, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """step1 writes c_pop and the export at it; step2 reads the D'' figures into the same
    JSON and refuses an export at another cut."""
    put = file_writer(tmp_path)
    source = tmp_path / "S10"
    source.mkdir()
    (source / "cross.npz").write_bytes(b"toy weights")
    (source / "cross.json").write_text(json.dumps({"threshold": S2_CUT, "layers": 4}))
    sha = hashlib.sha256(b"toy weights").hexdigest()
    monkeypatch.setattr(s10c, "S10_SHA", sha[:8])
    out, cut, target = tmp_path / "out.json", tmp_path / "cut.txt", tmp_path / "S10c"
    s5 = [put(f"sh5-{k}.json", r) for k, r in enumerate(s5_runs(s10c))]
    s10 = [put(f"sh10-{k}.json", r) for k, r in enumerate(s10_runs(s10c, sha))]
    monkeypatch.setattr(sys, "argv", [
        "s10c_rule.py", "step1", "--s5", put("s5.jsonl", s5_rows(s10c)),
        "--s10", put("s10.jsonl", s10_rows(s10c)), "--shared-s5", *s5, "--shared-s10", *s10,
        "--s10-dir", str(source), "--out", str(out), "--cut-out", str(cut),
        "--export", str(target)])
    assert s10c.main() == 0
    result = json.loads(out.read_text())
    assert result["rule"] == s10c.RULE and result["S10_adopted"] is None
    assert result["step1"]["c_pop"] == 0.92 and cut.read_text() == "0.920000\n"
    assert json.loads((target / "cross.json").read_text()) == {"threshold": 0.92, "layers": 4}
    assert (target / "cross.npz").read_bytes() == b"toy weights"
    d5 = seen([0.95, 0.9, 0.3, 0.2], [0.92, 0.1, 0.1], s10c.D2)
    d10 = seen([0.97, 0.93, 0.3, 0.2], [0.915, 0.1, 0.1], s10c.D2)
    step2 = [
        "s10c_rule.py", "step2", "--s5", put("d5.jsonl", d5), "--s10", put("d10.jsonl", d10),
        "--s5-quora", put("q5.jsonl", quora([0.95])),
        "--s10-quora", put("q10.jsonl", quora([0.96])),
        "--shared-s5", put("d-sh5.json", shared_run(S5_SHA, 0.916959, s10c.D2, {"0.5:5:m": 3})),
        "--shared-s10", put("d-sh10.json", shared_run(sha, 0.92, s10c.D2, {"0.5:5:m": 3})),
        "--out", str(out), "--s10-dir"]
    monkeypatch.setattr(sys, "argv", [*step2, str(source)])  # the export at 0.855177
    with pytest.raises(SystemExit, match="not c_pop"):
        s10c.main()
    monkeypatch.setattr(sys, "argv", [*step2, str(target)])
    assert s10c.main() == 0
    result = json.loads(out.read_text())
    two = result["step2"]
    assert two["c_pop"] == 0.92 and two["sets"] == ["heldout98", "heldout99"]
    assert (two["a"]["S5_hits"], two["a"]["S10_hits"], two["a"]["points"]) == (2, 4, 25.0)
    assert two["b"]["S10_false_hits"] == 0 and two["d"]["S10_qqp_false_hits"] == 1
    assert result["S10_adopted"] is True and set(result["inputs"]) == {"step1", "step2"}


def test_step2_refuses_a_failed_screen(s10c: ModuleType, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"step1": {"screen_passes": False, "c_pop": 0.92}}))
    source = tmp_path / "S10"
    source.mkdir()
    (source / "cross.npz").write_bytes(b"toy weights")
    monkeypatch.setattr(s10c, "S10_SHA", hashlib.sha256(b"toy weights").hexdigest()[:8])
    put = file_writer(tmp_path)
    monkeypatch.setattr(sys, "argv", [
        "s10c_rule.py", "step2", "--s5", put("d5.jsonl", []), "--s10", put("d10.jsonl", []),
        "--s5-quora", put("q5.jsonl", []), "--s10-quora", put("q10.jsonl", []),
        "--shared-s5", put("a.json", {}), "--shared-s10", put("b.json", {}),
        "--s10-dir", str(source), "--out", str(out)])
    with pytest.raises(SystemExit, match="D'' stays unread"):
        s10c.main()
