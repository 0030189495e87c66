"""Rule S11 (``bench/s11_rule.py``, session 37): step 1 takes c11, the lowest cut of G at which
S11's negative queries answered in three populated caches (heldout96-101), summed, are at most
S10's at 0.93 and S11's pairs:qqp false hits at most 37 of 1,252; the screen asks of the pooled
heldout96-101 rows +1.0 point of recall and no more false hits than S10's, and of the caches at
least S10's own-entry answers; step 2 checks (a) to (d) on heldout102-103 at c11 (toy rows)."""

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

S10_SHA = "a38f6f80"
S11_SHA = "abcd1234"
SHAS = {"S10": S10_SHA, "S11": S11_SHA}


@pytest.fixture(scope="module")
def s11(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("s11_rule")


def name(cut: float) -> str:
    return f"0.5:5:m:3:{cut}"


def s10_runs(s11: ModuleType, cut: float = 0.93) -> list[dict[str, Any]]:
    """S10's three caches: each answers 4 negative queries (1 own, 3 another) and 60
    paraphrases by their own entry: 12 and 180 summed."""
    return [shared_run(S10_SHA, cut, pair, {"0.5:5:m": 3}) for pair in s11.CACHES]


def s11_runs(s11: ModuleType, sha: str = S11_SHA, own: int = 61,
             margin: float | None = None) -> list[dict[str, Any]]:
    """S11's three caches, every cut of G a variant with its judging record: at the i-th cut
    each answers max(5 - i, 0) + 1 negative queries (18, 15, 12, ... summed: 0.9 is the first
    to hold S10's 12), ``own`` paraphrases by their own entry at every cut."""
    margin = s11.rank_margin() if margin is None else margin
    out = []
    for pair in s11.CACHES:
        run = shared_run(sha, 0.93, pair, {name(c): max(5 - i, 0) for i, c in enumerate(s11.G)})
        for c in s11.G:
            v = run["by_variant"][name(c)]
            v["judging"] = {"floor": 0.5, "widen_to": 5, "rank_margin": margin,
                            "min_probability": c}
            v["all"]["positives"]["own"] = own
        out.append(run)
    return out


def rows(positives: list[float], negatives: list[float], sets: tuple[str, ...]
         ) -> list[dict[str, Any]]:
    return set_rows(sets, positives, negatives)[1:]  # no row of another set


# S10 at 0.93 finds one of four a set and passes none of three; S11 at 0.91 two of four
# (+25 points) and none.
def s10_rows(s11: ModuleType, sets: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    return rows([0.95, 0.9, 0.3, 0.2], [0.92, 0.1, 0.1], sets or s11.P)


def s11_rows(s11: ModuleType, sets: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    return rows([0.97, 0.915, 0.3, 0.2], [0.905, 0.1, 0.1], sets or s11.P)


def quora(passed: list[float], negatives: int = 1252) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and ``negatives`` negatives, ``passed`` first, then 0.1."""
    ps = passed + [0.1] * (negatives - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95)]
            + [row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(ps)])


# S11 passes 37 Quora negatives at 0.95 and one at 0.905: 38 at 0.9 (over the bound), 37 at 0.91.
Q11 = [0.95] * 37 + [0.905]


def test_the_rule_is_quoted_whole(s11: ModuleType) -> None:
    assert s11.RULE.startswith("S11: S10 (the layer's cross.npz a38f6f80) continued by")
    assert s11.RULE.endswith("nothing is retuned after reading D.")
    flat = " ".join(s11.RULE.split())
    assert "G = (0.85, 0.875, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95)" in flat
    assert "at most 37 of 1,252 (3.0 %)" in flat
    assert s11.G == (0.85, 0.875, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95)
    assert s11.CACHES == (("heldout96", "heldout97"), ("heldout98", "heldout99"),
                          ("heldout100", "heldout101"))
    assert s11.D == ("heldout102", "heldout103") and s11.S10_CUT == 0.93


def test_c11_needs_the_caches_and_quora_both(s11: ModuleType) -> None:
    got = s11.step1(s10_runs(s11), s11_runs(s11), s10_rows(s11), s11_rows(s11),
                    quora([]), quora(Q11), SHAS)
    assert got["S10"]["negatives_answered"] == 12 and got["S10"]["positives_own"] == 180
    table = got["table"]
    assert [t["S11"]["negatives_answered"] for t in table][:4] == [18, 15, 12, 9]
    assert [t["answered_holds"] for t in table][:3] == [False, False, True]
    assert [t["qqp_false_hits"] for t in table][:4] == [38, 38, 38, 37]
    assert table[2]["holds"] is False and table[3]["holds"] is True
    assert got["c11"] == 0.91
    screen = got["screen"]
    assert screen["recall"]["points"] == 25.0 and screen["recall"]["pass"]
    assert (screen["false_hits"]["S10"], screen["false_hits"]["S11"]) == (0, 0)
    assert screen["own_entry"] == {"S10": 180, "S11": 183, "pass": True}
    assert got["screen_passes"] is True
    records = got["records"]
    assert records["S11 at 0.91"]["pool"]["hits"] == 12
    assert records["disagree"]["counts"]["S11_only_found"] == 6


def test_no_cut_holds(s11: ModuleType) -> None:
    """Quora's false hits over 37 at every cut: no c11, no screen."""
    got = s11.step1(s10_runs(s11), s11_runs(s11), s10_rows(s11), s11_rows(s11),
                    quora([]), quora([0.99] * 38), SHAS)
    assert got["c11"] is None and got["screen"] is None and got["screen_passes"] is False
    assert [c["rate"] for c in got["curve"]] == list(s11.RATES)  # a record, at matched false hits


@pytest.mark.parametrize("which", ["recall", "false_hits", "own_entry"])
def test_the_screen_fails_when_one_check_fails(s11: ModuleType, which: str) -> None:
    cand, runs = s11_rows(s11), s11_runs(s11)
    if which == "recall":  # one of four, as S10: +0 points
        cand = rows([0.97, 0.9, 0.3, 0.2], [0.905, 0.1, 0.1], s11.P)
    elif which == "false_hits":  # one a set at 0.91 against S10's none
        cand = rows([0.97, 0.915, 0.3, 0.2], [0.92, 0.1, 0.1], s11.P)
    else:  # 177 own-entry answers against S10's 180
        runs = s11_runs(s11, own=59)
    got = s11.step1(s10_runs(s11), runs, s10_rows(s11), cand, quora([]), quora(Q11), SHAS)
    assert got["c11"] == 0.91
    assert {k for k, v in got["screen"].items() if not v["pass"]} == {which}
    assert got["screen_passes"] is False


def test_step1_checks_its_inputs(s11: ModuleType) -> None:
    a, b, qa, qb = s10_rows(s11), s11_rows(s11), quora([]), quora(Q11)
    with pytest.raises(SystemExit, match="judges at"):  # S10's runs must be at 0.93
        s11.step1(s10_runs(s11, 0.916959), s11_runs(s11), a, b, qa, qb, SHAS)
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup"):
        s11.step1(s10_runs(s11), s11_runs(s11, margin=0.0), a, b, qa, qb, SHAS)
    with pytest.raises(SystemExit, match="not abcd1234"):
        s11.step1(s10_runs(s11), s11_runs(s11, sha="ffff0000"), a, b, qa, qb, SHAS)
    with pytest.raises(SystemExit, match="three|3 caches"):
        s11.step1(s10_runs(s11)[:2], s11_runs(s11), a, b, qa, qb, SHAS)
    with pytest.raises(SystemExit, match="not heldout96"):  # a set missing from the rows
        s11.step1(s10_runs(s11), s11_runs(s11), a[7:], b[7:], qa, qb, SHAS)
    with pytest.raises(SystemExit, match="different pairs"):
        s11.step1(s10_runs(s11), s11_runs(s11), a, b[:-1], qa, qb, SHAS)
    with pytest.raises(SystemExit, match="1,252"):
        s11.step1(s10_runs(s11), s11_runs(s11), a, b, quora([], 40), quora(Q11, 40), SHAS)
    with pytest.raises(SystemExit, match="reserved"):  # heldout102 is no step 1 set
        s11.step1(s10_runs(s11), s11_runs(s11), a + rows([0.9], [], ("heldout102",)),
                  b + rows([0.9], [], ("heldout102",)), qa, qb, SHAS)


def d_runs(s11: ModuleType, c11: float, answered11: int, own11: int) -> dict[str, Any]:
    """The two step 2 caches (heldout102+103): S10 answers 4 negatives, 60 own; S11 at c11
    ``answered11`` and ``own11``."""
    s10 = shared_run(S10_SHA, 0.93, s11.D, {"0.5:5:m": 3})
    s11_run = shared_run(S11_SHA, c11, s11.D, {"0.5:5:m": answered11 - 1})
    s11_run["by_variant"]["0.5:5:m"]["all"]["positives"]["own"] = own11
    return {"S10": s10, "S11": s11_run}


@pytest.mark.parametrize(("case", "fails"), [
    ("adopt", set()), ("recall", {"a"}), ("false_hits", {"b"}), ("answered", {"c"}),
    ("own", {"c"}), ("quora", {"d"})])
def test_step2_checks_a_to_d(s11: ModuleType, case: str, fails: set[str]) -> None:
    d10 = s10_rows(s11, s11.D)
    d11 = s11_rows(s11, s11.D)  # +25 points, no false hit
    if case == "recall":
        d11 = rows([0.97, 0.9, 0.3, 0.2], [0.905, 0.1, 0.1], s11.D)
    elif case == "false_hits":  # 3 against S10's 0 (+2 allowed)
        d11 = rows([0.97, 0.915, 0.3, 0.2], [0.95, 0.95, 0.1], s11.D)
    answered, own = {"answered": (7, 60), "own": (6, 59)}.get(case, (6, 60))
    shared = d_runs(s11, 0.91, answered, own)
    q11 = quora([0.95] * (38 if case == "quora" else 37))
    got = s11.step2(0.91, {"S10": d10, "S11": d11}, {"S10": quora([]), "S11": q11}, shared,
                    SHAS)
    assert {k for k in "abcd" if not got[k]["pass"]} == fails
    assert s11.verdict(got) is (not fails)
    assert got["c"]["negatives_answered"] == {"S10": 4, "S11": answered}
    with pytest.raises(SystemExit, match="judges at"):  # S11's cache at another cut
        s11.step2(0.92, {"S10": d10, "S11": d11}, {"S10": quora([]), "S11": q11}, shared, SHAS)


def test_main_runs_step1_then_step2(s11: ModuleType, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """step1 writes c11 and the export at it; step2 reads the D figures into the same JSON and
    refuses an export at another cut."""
    put = file_writer(tmp_path)
    folders = {}
    for who, weights, cut in (("S10", b"s10 weights", 0.93), ("S11", b"s11 weights", 0.93)):
        folders[who] = tmp_path / who
        folders[who].mkdir()
        (folders[who] / "cross.npz").write_bytes(weights)
        (folders[who] / "cross.json").write_text(json.dumps({"threshold": cut, "layers": 4}))
    sha10 = hashlib.sha256(b"s10 weights").hexdigest()
    sha11 = hashlib.sha256(b"s11 weights").hexdigest()
    monkeypatch.setattr(s11, "S10_SHA", sha10[:8])
    out, cut, target = tmp_path / "out.json", tmp_path / "cut.txt", tmp_path / "S11c"
    sh10 = [put(f"sh10-{k}.json", r) for k, r in enumerate(
        [shared_run(sha10, 0.93, pair, {"0.5:5:m": 3}) for pair in s11.CACHES])]
    sh11 = [put(f"sh11-{k}.json", r) for k, r in enumerate(s11_runs(s11, sha11))]
    q10, q11 = put("q10.jsonl", quora([])), put("q11.jsonl", quora(Q11))
    monkeypatch.setattr(sys, "argv", [
        "s11_rule.py", "step1", "--s10", put("p10.jsonl", s10_rows(s11)),
        "--s11", put("p11.jsonl", s11_rows(s11)), "--s10-quora", q10, "--s11-quora", q11,
        "--shared-s10", *sh10, "--shared-s11", *sh11, "--s10-dir", str(folders["S10"]),
        "--s11-dir", str(folders["S11"]), "--out", str(out), "--cut-out", str(cut),
        "--export", str(target)])
    assert s11.main() == 0
    result = json.loads(out.read_text())
    assert result["rule"] == s11.RULE and result["S11_adopted"] is None
    assert result["step1"]["c11"] == 0.91 and cut.read_text() == "0.910000\n"
    assert json.loads((target / "cross.json").read_text()) == {"threshold": 0.91, "layers": 4}
    assert (target / "cross.npz").read_bytes() == b"s11 weights"
    shared = d_runs(s11, 0.91, 6, 60)
    shared["S10"]["verifier"]["sha256"] = sha10
    shared["S11"]["verifier"]["sha256"] = sha11
    step2 = ["s11_rule.py", "step2", "--s10", put("d10.jsonl", s10_rows(s11, s11.D)),
             "--s11", put("d11.jsonl", s11_rows(s11, s11.D)), "--s10-quora", q10,
             "--s11-quora", q11, "--shared-s10", put("d10.json", shared["S10"]),
             "--shared-s11", put("d11.json", shared["S11"]), "--s10-dir", str(folders["S10"]),
             "--out", str(out)]
    monkeypatch.setattr(sys, "argv", [*step2, "--s11-dir", str(folders["S11"])])
    with pytest.raises(SystemExit, match="not c11"):  # the step 1 folder is at 0.93
        s11.main()
    monkeypatch.setattr(sys, "argv", [*step2, "--s11-dir", str(target)])
    assert s11.main() == 0
    result = json.loads(out.read_text())
    assert result["S11_adopted"] is True and result["step2"]["a"]["points"] == 25.0
    assert set(result["inputs"]) == {"step1", "step2"}
