"""Rule FN (``bench/fn_rule.py``, session 36): step 1 takes f, of the F of G whose ten populated
caches answer, summed, at most the shipped lookup's negative queries + 10, the one with the most
own-entry answers (a tie: the higher F); the screen asks at f (i) 20 own-entry answers over the
shipped lookup's and (ii) on the seen rows per pair, +1.0 point of recall at floor f with at most
5 false hits more; step 2 reads one set of D rows at floors 0.5 and f, the D cache's two
variants and the Quora rows; ``nearest_check`` holds F1's answers to the nearest entry under the
floor."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.unit.toy_rows import file_writer, judged, losses_result, row, shared_run

SHA = "a38f6f80"
MAP = {"retrieval_map": "b5af082d"}


@pytest.fixture(scope="module")
def fn(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("fn_rule")


def runs(fn: ModuleType, another: dict[float, int] | None = None,
         own: dict[float, int] | None = None, sha: str = SHA,
         margin: float = 3.0) -> list[dict[str, Any]]:
    """Ten caches: the shipped lookup answers 4 negative queries (1 own, 3 by another entry)
    and 60 paraphrases by their own entry in each, 40 and 600 summed; F1 at F answers
    ``another`` + 1 negatives and ``own`` paraphrases by their own entry in each."""
    another = another or {0.35: 5, 0.40: 4, 0.45: 3}  # 60, 50, 40 answered summed
    own = own or {0.35: 64, 0.40: 63, 0.45: 61}  # 640, 630, 610
    out = []
    for k, pair in enumerate(fn.CACHES):
        run = shared_run(sha, 0.93, pair, {"0.5:5:m": 3, **{
            f"0.5:5:m:n{f}": another[f] for f in fn.G}})
        judged(run, "0.5:5:m", margin=margin)
        for f in fn.G:
            judged(run, f"0.5:5:m:n{f}", margin=margin, own=own[f])
        run["timings"] = {"wall_s": 100.0 + k}
        out.append(run)
    return out


def seen(fn: ModuleType, extra_found: int = 3, extra_passed: int = 1) -> list[dict[str, Any]]:
    """Per seen set 10 paraphrases (5 found at 0.5), and ``extra_found`` of them, in the first
    set only, at mapped cosine 0.42 and p 0.95 (found at 0.40 and 0.35, not at 0.45); 10
    negatives, ``extra_passed`` of the first set's likewise at 0.42."""
    rows = []
    for k, where in enumerate(fn.SEEN):
        for n in range(10):
            low = k == 0 and 5 <= n < 5 + extra_found
            rows.append(row(where, n, 1, 0.95 if n < 5 or low else 0.5,
                            similarity=0.42 if low else 0.7, **MAP))
        for n in range(10):
            low = k == 0 and n < extra_passed
            rows.append(row(where, 10 + n, 0, 0.95 if low else 0.2, "entity_swap",
                            similarity=0.42 if low else 0.7, **MAP))
    return rows


def test_the_rule_is_quoted_whole(fn: ModuleType) -> None:
    assert fn.RULE.startswith("FN: the shipped lookup (S10, cross.npz a38f6f80, at 0.93;")
    assert fn.RULE.endswith("nothing is retuned\nafter reading D.")
    assert "G = (0.35, 0.40, 0.45)" in " ".join(fn.RULE.split())
    assert fn.G == (0.35, 0.40, 0.45)
    assert fn.SEEN[0] == "heldout80" and fn.SEEN[-1] == "heldout99" and len(fn.SEEN) == 20
    assert fn.D == ("heldout102", "heldout103")


def test_f_is_the_admissible_floor_with_the_most_own_answers(fn: ModuleType) -> None:
    got = fn.step1(runs(fn), seen(fn))
    assert got["shipped"]["negatives_answered"] == 40 and got["shipped"]["positives_own"] == 600
    assert [t["FN"]["negatives_answered"] for t in got["table"]] == [60, 50, 40]
    assert [t["admissible"] for t in got["table"]] == [False, True, True]  # limit 50
    assert got["f"] == 0.40 and got["answered_limit"] == 50
    one = got["screen"]["i_own_entry"]
    assert one == {"shipped": 600, "FN": 630, "needs": 620, "pass": True}
    two = got["screen"]["ii_per_pair"]
    assert (two["shipped_hits"], two["FN_hits"], two["positives"]) == (100, 103, 200)
    assert two["points"] == 1.5 and two["recall_pass"]
    assert (two["shipped_false_hits"], two["FN_false_hits"], two["false_hit_limit"]) == (0, 1, 5)
    assert got["screen"]["F1_adds"]["by_kind"] == {"entity_swap": {"passed": 1},
                                                   "reworded": {"found": 3}}
    assert got["screen_passes"] is True
    assert got["wall_s"]["heldout98+heldout99"] == 109.0


def test_a_tie_takes_the_higher_floor(fn: ModuleType) -> None:
    got = fn.step1(runs(fn, own={0.35: 64, 0.40: 63, 0.45: 63}), seen(fn))
    assert got["f"] == 0.45
    assert got["screen"]["ii_per_pair"]["FN_hits"] == 100  # 0.42 is under 0.45
    assert got["screen_passes"] is False


def test_none_admissible(fn: ModuleType) -> None:
    got = fn.step1(runs(fn, another={0.35: 5, 0.40: 5, 0.45: 5}), seen(fn))
    assert not any(t["admissible"] for t in got["table"])
    kept = got["per_pair_by_F"]  # a record at every F, judged by nothing
    assert [kept[f]["FN_hits"] for f in ("0.35", "0.40", "0.45")] == [103, 103, 100]
    assert got["f"] is None and got["screen"] is None and got["screen_passes"] is False


@pytest.mark.parametrize("which", ["own", "recall", "false_hits"])
def test_the_screen_fails_on_each_part(fn: ModuleType, which: str) -> None:
    if which == "own":  # 620 own answers at 0.40 pass (600 + 20); one fewer fails
        every = runs(fn, own={0.35: 64, 0.40: 62, 0.45: 61})
        assert fn.step1(every, seen(fn))["screen"]["i_own_entry"] == {
            "shipped": 600, "FN": 620, "needs": 620, "pass": True}
        every[4]["by_variant"]["0.5:5:m:n0.4"]["all"]["positives"]["own"] = 61
        one = fn.step1(every, seen(fn))
        assert one["f"] == 0.40 and one["screen"]["i_own_entry"]["FN"] == 619
        assert one["screen"]["i_own_entry"]["pass"] is False
        assert one["screen"]["ii_per_pair"]["pass"] is True
        assert one["screen_passes"] is False
        return
    rows = seen(fn, extra_found=1) if which == "recall" else seen(fn, extra_passed=6)
    got = fn.step1(runs(fn), rows)
    two = got["screen"]["ii_per_pair"]
    if which == "recall":  # +0.5 points
        assert two["points"] == 0.5 and not two["recall_pass"] and two["false_hit_pass"]
    else:  # 6 false hits against the shipped 0 + 5
        assert two["FN_false_hits"] == 6 and not two["false_hit_pass"] and two["recall_pass"]
    assert got["screen"]["i_own_entry"]["pass"] and got["screen_passes"] is False


def test_step1_checks_its_inputs(fn: ModuleType) -> None:
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup with F1 at 0.35"):
        every = runs(fn)
        every[2]["by_variant"]["0.5:5:m:n0.35"]["judging"]["min_probability"] = 0.92
        fn.step1(every, seen(fn))
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup at"):
        fn.step1(runs(fn, margin=0.0), seen(fn))
    with pytest.raises(SystemExit, match="not a38f6f80"):
        fn.step1(runs(fn, sha="cffa0c35"), seen(fn))
    with pytest.raises(SystemExit, match="10 caches"):
        fn.step1(runs(fn)[:9], seen(fn))
    with pytest.raises(SystemExit, match=r"\['heldout91'\] differ"):
        fn.step1(runs(fn), [r for r in seen(fn) if r["set"] != "heldout91"])
    with pytest.raises(SystemExit, match="not heldout80"):  # another set in the rows
        fn.step1(runs(fn), [*seen(fn), row("heldout79", 0, 1, 0.9, **MAP)])
    with pytest.raises(SystemExit, match="mapped cosine"):
        rows = seen(fn)
        del rows[7]["retrieval_map"]
        fn.step1(runs(fn), rows)


def d_rows(fn: ModuleType, low: list[float] | None = None) -> list[dict[str, Any]]:
    """Each D set: 10 paraphrases, 5 found at 0.5, one more at mapped cosine 0.42 (+10
    points pooled at 0.40); 10 negatives, ``low`` more at 0.42 (passed at 0.40) by their p."""
    rows = []
    for where in fn.D:
        rows += [row(where, n, 1, 0.95 if n < 6 else 0.5,
                     similarity=0.42 if n == 5 else 0.7, **MAP) for n in range(10)]
        rows += [row(where, 10 + n, 0, 0.2, "entity_swap", **MAP) for n in range(10)]
        rows += [row(where, 20 + n, 0, p, "entity_swap", similarity=0.42, **MAP)
                 for n, p in enumerate(low if low is not None else [0.95, 0.5])]
    return rows


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and forty negatives at mapped cosine 0.42, ``passed``
    first, then 0.1."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.95, **MAP)]
            + [row("pairs:qqp", 1 + i, 0, p, similarity=0.42, **MAP)
               for i, p in enumerate(negatives)])


def d_cache(fn: ModuleType, own: int = 60, f: float = 0.4) -> dict[str, Any]:
    """heldout102+103: the shipped lookup answers 4 negatives, FN at ``f`` 6 (the limit),
    each 60 paraphrases by their own entry unless ``own`` says FN's."""
    run = shared_run(SHA, 0.93, fn.D, {"0.5:5:m": 3, f"0.5:5:m:n{f}": 5})
    judged(run, "0.5:5:m")
    judged(run, f"0.5:5:m:n{f}", own=own)
    return run


def test_step2_checks(fn: ModuleType) -> None:
    two = fn.step2(0.4, d_rows(fn), quora([0.95]), d_cache(fn))
    assert (two["a"]["shipped_hits"], two["a"]["FN_hits"], two["a"]["points"]) == (10, 12, 10.0)
    assert (two["b"]["shipped_false_hits"], two["b"]["FN_false_hits"], two["b"]["limit"]) == (
        0, 2, 2)
    assert two["c"]["negatives_answered"] == {"shipped": 4, "FN": 6}
    assert two["c"]["paraphrases_own"] == {"shipped": 60, "FN": 60}
    assert two["d"]["FN_qqp_false_hits"] == 1 and two["d"]["shipped_qqp_false_hits"] == 0
    assert fn.verdict(two) is True
    assert two["records"]["F1_adds"]["by_kind"] == {"entity_swap": {"passed": 2},
                                                    "reworded": {"found": 2}}
    assert len(two["records"]["FN_false_hits"]) == 2


@pytest.mark.parametrize("which", ["a", "b", "c", "d"])
def test_step2_fails_when_one_check_fails(fn: ModuleType, which: str) -> None:
    rows, q, cache, f = d_rows(fn), quora([0.95]), d_cache(fn), 0.4
    if which == "a":  # at 0.45 the paraphrases at 0.42 stay under the floor: +0 points
        f, cache, rows = 0.45, d_cache(fn, f=0.45), d_rows(fn, [])
    elif which == "b":  # 4 false hits at 0.40 against the shipped 0
        rows = d_rows(fn, [0.95, 0.96])
    elif which == "c":  # 59 own answers against the shipped 60
        cache = d_cache(fn, own=59)
    else:  # 2 of 40 at 0.42 over 0.93 on Quora: 5 %
        q = quora([0.95, 0.94])
    two = fn.step2(f, rows, q, cache)
    assert {k for k in "abcd" if not two[k]["pass"]} == {which}
    assert fn.verdict(two) is False


def test_step2_checks_its_inputs(fn: ModuleType) -> None:
    with pytest.raises(SystemExit, match="not heldout102"):
        fn.step2(0.4, [row("heldout98", 0, 1, 0.9, **MAP)], quora([]), d_cache(fn))
    with pytest.raises(SystemExit, match="no pairs:qqp rows"):
        fn.step2(0.4, d_rows(fn), [], d_cache(fn))
    with pytest.raises(SystemExit, match="0 variants of the shipped lookup with F1 at 0.35"):
        fn.step2(0.35, d_rows(fn), quora([]), d_cache(fn))


def test_nearest_check(fn: ModuleType) -> None:
    """Three entries, the first three axes; each query leans on one of them and on a fourth
    axis: q1 nearest e0 at 0.45 (none at 0.5), q2 e1 at 0.8 (the shipped lookup answers it),
    q3 nearest e2 at 0.30 (under F 0.4)."""
    def lean(axis: int, cos: float) -> np.ndarray:
        v = np.zeros(4, np.float32)
        v[axis], v[3] = cos, np.sqrt(1 - cos * cos)
        return v

    texts = ["e0", "e1", "e2"]
    entries = np.eye(3, 4, dtype=np.float32)
    queries = {"q1": lean(0, 0.45), "q2": lean(1, 0.8), "q3": lean(2, 0.30)}
    shipped = {"q1": None, "q2": "e1", "q3": None}
    good = {"0.5:5:m": shipped, "0.5:5:m:n0.4": {**shipped, "q1": "e0"}}
    got = fn.nearest_check(good, "0.5:5:m", "0.5:5:m:n0.4", 0.4, texts, entries, queries)
    assert (got["F1_answers"], got["F1_answers_checked"], got["agrees"]) == (1, 1, True)
    bad = {"0.5:5:m": shipped, "0.5:5:m:n0.4": {"q1": "e1", "q2": "e0", "q3": "e2"}}
    got = fn.nearest_check(bad, "0.5:5:m", "0.5:5:m:n0.4", 0.4, texts, entries, queries)
    assert got["F1_answers"] == 3 and not got["agrees"]
    why = {f["query"]: f["why"] for f in got["failures"]}
    assert why == {"q1": ["not the nearest entry"],
                   "q2": ["the shipped lookup answered", "an entry reaches the floor",
                          "not the nearest entry"],
                   "q3": ["under F"]}


def test_by_query(fn: ModuleType) -> None:
    rows = [{"variant": "v", "b": "q", "answered": "e"}, {"variant": "v", "b": "q",
                                                          "answered": "e"}]
    assert fn.by_query(rows) == {"v": {"q": "e"}}
    with pytest.raises(SystemExit, match="two ways"):
        fn.by_query([*rows, {"variant": "v", "b": "q", "answered": None}])


def test_main_runs_step1_then_step2(fn: ModuleType, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    out = tmp_path / "out.json"
    shared = [put(f"sh-{k}.json", r) for k, r in enumerate(runs(fn))]
    monkeypatch.setattr(sys, "argv", [
        "fn_rule.py", "step1", "--shared", *shared, "--rows", put("s.jsonl", seen(fn)),
        "--rows-result", put("s.json", losses_result(list(fn.SEEN), SHA)), "--out", str(out)])
    assert fn.main() == 0
    result = json.loads(out.read_text())
    assert result["rule"] == fn.RULE and result["FN_adopted"] is None
    assert result["step1"]["f"] == 0.4
    step2 = ["fn_rule.py", "step2", "--rows", put("d.jsonl", d_rows(fn)),
             "--quora", put("q.jsonl", quora([0.95])),
             "--quora-result", put("q.json", losses_result(["pairs"], SHA)),
             "--shared", put("d-sh.json", d_cache(fn)), "--out", str(out), "--rows-result"]
    bad = losses_result(list(fn.D), "cffa0c35")
    monkeypatch.setattr(sys, "argv", [*step2, put("bad.json", bad)])
    with pytest.raises(SystemExit, match="not a38f6f80"):
        fn.main()
    monkeypatch.setattr(sys, "argv", [*step2, put("d.json", losses_result(list(fn.D), SHA))])
    assert fn.main() == 0
    result = json.loads(out.read_text())
    assert result["step2"]["f"] == 0.4 and result["FN_adopted"] is True
    assert set(result["inputs"]) == {"step1", "step2"}


def test_step2_refuses_a_failed_screen(fn: ModuleType, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"step1": {"screen_passes": False, "f": 0.4}}))
    put = file_writer(tmp_path)
    monkeypatch.setattr(sys, "argv", [
        "fn_rule.py", "step2", "--rows", put("d.jsonl", []), "--rows-result", put("a.json", {}),
        "--quora", put("q.jsonl", []), "--quora-result", put("b.json", {}),
        "--shared", put("c.json", {}), "--out", str(out)])
    with pytest.raises(SystemExit, match="heldout102-103 stay unread"):
        fn.main()
