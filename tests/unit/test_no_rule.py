"""Rule NO (``bench/no_rule.py``, session 36): step 1 takes c1, the lowest C1 of G at which the
lookup answering from its nearest candidate alone (``RankCut``, later cut 1.01) answers, summed
over ten populated caches, at most the shipped lookup's negative queries; the screen asks at c1
at least the shipped lookup's own-entry answers; step 2 reads one set of D rows at 0.93 and at
c1, the D cache's two variants and the Quora rows."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, judged, losses_result, row, set_rows, shared_run

SHA = "a38f6f80"


@pytest.fixture(scope="module")
def no(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("no_rule")


def name(cut: float) -> str:
    return f"0.5:5:m:3:{cut}:l1.01"


def runs(no: ModuleType, own: int = 61, sha: str = SHA, margin: float = 3.0,
         later: float | None = 1.01) -> list[dict[str, Any]]:
    """Ten caches: the shipped lookup answers 4 negative queries (1 own, 3 by another entry)
    and 60 paraphrases by their own entry in each, 40 and 600 summed; NO at the i-th C1 of G
    answers 6 - i (1 own), except at 0.91 the first cache answers 6 and the second 2 (40
    summed, the shipped lookup's: 0.91 is c1 though one cache answers more there); ``own``
    paraphrases by their own entry at every C1."""
    out = []
    for k, pair in enumerate(no.CACHES):
        another = {name(c): 5 - i for i, c in enumerate(no.G)}
        if k < 2:
            another[name(0.91)] = 5 if k == 0 else 1
        run = shared_run(sha, 0.93, pair, {"0.5:5:m": 3, **another})
        judged(run, "0.5:5:m", 0.93, margin=margin)
        for c in no.G:
            judged(run, name(c), c, later, margin, own)
        run["timings"] = {"wall_s": 100.0 + k}
        out.append(run)
    return out


def test_the_rule_is_quoted_whole(no: ModuleType) -> None:
    assert no.RULE.startswith("NO: the shipped lookup (S10, cross.npz a38f6f80, at 0.93;")
    assert no.RULE.endswith("nothing is retuned after reading D.")
    assert "for C1 in G = (0.90, 0.905, 0.91, 0.915, 0.92)" in " ".join(no.RULE.split())
    assert no.G == (0.90, 0.905, 0.91, 0.915, 0.92) and no.LATER_CUT == 1.01
    assert no.CACHES[0] == ("heldout80", "heldout81") and no.CACHES[-1] == (
        "heldout98", "heldout99") and len(no.CACHES) == 10
    assert no.D == ("heldout102", "heldout103")


def test_c1_is_the_lowest_cut_whose_caches_hold_the_shipped_answers(no: ModuleType) -> None:
    got = no.step1(runs(no))
    assert got["shipped"]["negatives_answered"] == 40 and got["shipped"]["positives_own"] == 600
    assert [t["NO"]["negatives_answered"] for t in got["table"]] == [60, 50, 40, 30, 20]
    assert [t["holds"] for t in got["table"]] == [False, False, True, True, True]
    assert got["c1"] == 0.91
    at_c1 = got["table"][2]
    assert at_c1["by_cache"]["heldout80+heldout81"]["negatives_answered"] == 6  # over 4
    assert at_c1["by_cache"]["heldout82+heldout83"]["negatives_answered"] == 2
    assert at_c1["NO"]["negatives_own"] == 10 and at_c1["variant"] == name(0.91)
    assert got["screen"] == {"own_entry": {"shipped": 600, "NO": 610, "pass": True}}
    assert got["screen_passes"] is True
    assert got["wall_s"]["heldout98+heldout99"] == 109.0


def test_no_cut_holds(no: ModuleType) -> None:
    """Every C1 of G answers more than the shipped lookup's 40 summed: no c1, no screen."""
    every = runs(no)
    for run in every:
        for n, v in run["by_variant"].items():
            if n != "0.5:5:m":
                v["all"]["negatives"]["answered"] = 5
    got = no.step1(every)
    assert got["c1"] is None and got["screen"] is None and got["screen_passes"] is False


def test_the_screen_fails_on_fewer_own_answers(no: ModuleType) -> None:
    got = no.step1(runs(no, own=59))
    assert got["c1"] == 0.91
    assert got["screen"]["own_entry"] == {"shipped": 600, "NO": 590, "pass": False}
    assert got["screen_passes"] is False


def test_step1_checks_its_inputs(no: ModuleType) -> None:
    with pytest.raises(SystemExit, match="no judging record"):
        every = runs(no)
        del every[3]["by_variant"][name(0.92)]["judging"]
        no.step1(every)
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup"):
        no.step1(runs(no, margin=0.0))
    with pytest.raises(SystemExit, match=r"0 variants of NO \(later cut 1.01\) at 0.9 "):
        no.step1(runs(no, later=None))  # one cut for every rank is not NO
    with pytest.raises(SystemExit, match="0 variants of NO"):
        no.step1(runs(no, later=0.97))
    with pytest.raises(SystemExit, match="not a38f6f80"):
        no.step1(runs(no, sha="cffa0c35"))
    with pytest.raises(SystemExit, match="entries"):
        every = runs(no)
        every[5]["entries"] = 5000
        no.step1(every)
    with pytest.raises(SystemExit, match="judges at"):  # the run's own cut is the layer's
        every = runs(no)
        every[0]["verifier"]["min_probability"] = 0.916959
        no.step1(every)
    with pytest.raises(SystemExit, match="10 caches"):
        no.step1(runs(no)[:9])
    with pytest.raises(SystemExit, match="not a38f6f80 on heldout80, heldout81"):  # order
        every = runs(no)
        every[0], every[1] = every[1], every[0]
        no.step1(every)


def d_rows(no: ModuleType) -> list[dict[str, Any]]:
    """Each set: one of four paraphrases found at 0.93, two at 0.91 (+25 points); one
    negative passed at 0.91, none at 0.93 (2 false hits pooled: the shipped 0 + 2)."""
    return set_rows(no.D, [0.95, 0.92, 0.3, 0.2], [0.915, 0.1, 0.1])[1:]


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and forty negatives, ``passed`` first, then 0.1."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)])


def d_cache(no: ModuleType, own: int = 60) -> dict[str, Any]:
    """heldout102+103: the shipped lookup answers 4 negatives, NO at 0.91 answers 6 (the
    limit), each 60 paraphrases by their own entry unless ``own`` says NO's."""
    run = shared_run(SHA, 0.93, no.D, {"0.5:5:m": 3, name(0.91): 5})
    judged(run, "0.5:5:m", 0.93)
    judged(run, name(0.91), 0.91, 1.01, own=own)
    return run


def test_step2_checks(no: ModuleType) -> None:
    two = no.step2(0.91, d_rows(no), quora([0.95]), d_cache(no))
    assert (two["a"]["shipped_hits"], two["a"]["NO_hits"], two["a"]["points"]) == (2, 4, 25.0)
    assert (two["b"]["shipped_false_hits"], two["b"]["NO_false_hits"], two["b"]["limit"]) == (
        0, 2, 2)
    assert two["c"]["negatives_answered"] == {"shipped": 4, "NO": 6}
    assert two["c"]["paraphrases_own"] == {"shipped": 60, "NO": 60}
    assert two["d"]["NO_qqp_false_hits"] == 1 and two["d"]["qqp_negatives"] == 40
    assert no.verdict(two) is True
    assert [r["id"] for r in two["records"]["NO_only_found"]] == ["p0001", "p0001"]
    assert len(two["records"]["NO_only_passed"]) == 2
    assert two["records"]["at_cuts"]["shipped"]["pool"]["hits"] == 2


@pytest.mark.parametrize("which", ["a", "b", "c", "d"])
def test_step2_fails_when_one_check_fails(no: ModuleType, which: str) -> None:
    rows, q, cache = d_rows(no), quora([0.95]), d_cache(no)
    if which == "a":  # NO finds what the shipped cut finds: +0 points
        rows = set_rows(no.D, [0.95, 0.9, 0.3, 0.2], [0.915, 0.1, 0.1])[1:]
    elif which == "b":  # 4 false hits at 0.91 against the shipped 0
        rows = set_rows(no.D, [0.95, 0.92, 0.3, 0.2], [0.915, 0.912, 0.1])[1:]
    elif which == "c":  # 59 own answers against the shipped 60
        cache = d_cache(no, own=59)
    else:  # 2 of 40 over 0.91 on Quora: 5 %
        q = quora([0.95, 0.92])
    two = no.step2(0.91, rows, q, cache)
    assert {k for k in "abcd" if not two[k]["pass"]} == {which}
    assert no.verdict(two) is False


def test_step2_checks_its_inputs(no: ModuleType) -> None:
    with pytest.raises(SystemExit, match="not heldout102"):
        no.step2(0.91, set_rows(("heldout98", "heldout99"), [0.9], [0.1])[1:], quora([]),
                 d_cache(no))
    with pytest.raises(SystemExit, match="no pairs:qqp rows"):
        no.step2(0.91, d_rows(no), [], d_cache(no))
    with pytest.raises(SystemExit, match="0 variants of NO"):  # the D cache at another c1
        no.step2(0.905, d_rows(no), quora([]), d_cache(no))


def test_main_runs_step1_then_step2(no: ModuleType, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    out = tmp_path / "out.json"
    shared = [put(f"sh-{k}.json", r) for k, r in enumerate(runs(no))]
    monkeypatch.setattr(sys, "argv", ["no_rule.py", "step1", "--shared", *shared,
                                      "--out", str(out)])
    assert no.main() == 0
    result = json.loads(out.read_text())
    assert result["rule"] == no.RULE and result["NO_adopted"] is None
    assert result["step1"]["c1"] == 0.91
    step2 = ["no_rule.py", "step2", "--rows", put("d.jsonl", d_rows(no)),
             "--quora", put("q.jsonl", quora([0.95])),
             "--quora-result", put("q.json", losses_result(["pairs"], SHA)),
             "--shared", put("d-sh.json", d_cache(no)), "--out", str(out), "--rows-result"]
    bad = losses_result(list(no.D), "cffa0c35")
    monkeypatch.setattr(sys, "argv", [*step2, put("bad.json", bad)])
    with pytest.raises(SystemExit, match="not a38f6f80"):
        no.main()
    monkeypatch.setattr(sys, "argv", [*step2, put("d.json", losses_result(list(no.D), SHA))])
    assert no.main() == 0
    result = json.loads(out.read_text())
    assert result["step2"]["c1"] == 0.91 and result["NO_adopted"] is True
    assert set(result["inputs"]) == {"step1", "step2"} and set(result["run"]) == {
        "step1", "step2"}


def test_step2_refuses_a_failed_screen(no: ModuleType, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"step1": {"screen_passes": False, "c1": 0.91}}))
    put = file_writer(tmp_path)
    monkeypatch.setattr(sys, "argv", [
        "no_rule.py", "step2", "--rows", put("d.jsonl", []), "--rows-result", put("a.json", {}),
        "--quora", put("q.jsonl", []), "--quora-result", put("b.json", {}),
        "--shared", put("c.json", {}), "--out", str(out)])
    with pytest.raises(SystemExit, match="heldout102-103 stay unread"):
        no.main()
