"""Rule FC (``bench/fc_rule.py``, session 37): step 1 takes (f, k), of the (F, K) whose ten
populated caches answer, summed, at most the shipped lookup's negative queries + 10, the one with
the most own-entry answers (a tie: the higher K, then the higher F); the screen asks at (f, k)
(i) 20 own-entry answers over the shipped lookup's and (ii) on the seen rows per pair (a row
under the floor 0.5 judged at floor f and cut k), +1.0 point of recall with at most 5 false hits
more; step 2 reads one set of D rows, the D cache's two variants and the Quora rows, and refuses
a failed screen."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import file_writer, judged, losses_result, row, shared_run

SHA = "a38f6f80"
MAP = {"retrieval_map": "b5af082d"}


@pytest.fixture(scope="module")
def fc(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("fc_rule")


def name(f: float, k: float) -> str:
    return f"0.5:5:m:n{f}:N{k}"


def fc_judged(run: dict[str, Any], f: float, k: float, own: int, margin: float = 3.0) -> None:
    judged(run, name(f, k), margin=margin, own=own)
    run["by_variant"][name(f, k)]["judging"].update(nearest_floor=f, nearest_cut=k)


def runs(fc: ModuleType, another: dict[tuple[float, float], int] | None = None,
         own: dict[tuple[float, float], int] | None = None,
         sha: str = SHA) -> list[dict[str, Any]]:
    """Ten caches: the shipped lookup answers 4 negative queries (1 own, 3 by another entry)
    and 60 paraphrases by their own entry in each, 40 and 600 summed; FC at (F, K) answers
    ``another`` + 1 negatives and ``own`` paraphrases by their own entry in each. By default
    the cuts 0.95 and 0.96 answer 50 negatives summed at F 0.40 (the limit: admissible) and 60
    at 0.45; 0.97 and 0.98 answer 40; F 0.40 answers 630 own at 0.95-0.97, 620 at 0.98."""
    another = another or {(f, k): (5 if f == 0.45 else 4) if k < 0.965 else 3
                          for f, k in fc.G}
    own = own or {(f, k): 62 + (1 if f == 0.40 else 0) - (1 if k > 0.975 else 0)
                  for f, k in fc.G}
    out = []
    for n, pair in enumerate(fc.CACHES):
        run = shared_run(sha, 0.93, pair, {"0.5:5:m": 3, **{
            name(f, k): another[(f, k)] for f, k in fc.G}})
        judged(run, "0.5:5:m")
        for f, k in fc.G:
            fc_judged(run, f, k, own[(f, k)])
        run["timings"] = {"wall_s": 100.0 + n}
        out.append(run)
    return out


def seen(fc: ModuleType, found: int = 3, passed: int = 1, p: float = 0.975
         ) -> list[dict[str, Any]]:
    """Per seen set 10 paraphrases (5 found at 0.5), and ``found`` more of the first set's at
    mapped cosine 0.42 and probability ``p``; 10 negatives, ``passed`` of the first set's
    likewise at 0.42 and ``p``; one more negative at 0.7 and p 0.955, passed by both lookups
    (over the floor the cut is 0.93: k reads under the floor only)."""
    rows = []
    for n_set, where in enumerate(fc.SEEN):
        for n in range(10):
            low = n_set == 0 and 5 <= n < 5 + found
            rows.append(row(where, n, 1, p if low else 0.95 if n < 5 else 0.5,
                            similarity=0.42 if low else 0.7, **MAP))
        for n in range(10):
            low = n_set == 0 and n < passed
            rows.append(row(where, 10 + n, 0, p if low else 0.2, "entity_swap",
                            similarity=0.42 if low else 0.7, **MAP))
    rows.append(row(fc.SEEN[1], 30, 0, 0.955, "entity_swap", **MAP))
    return rows


def test_the_rule_is_quoted_whole(fc: ModuleType) -> None:
    assert fc.RULE.startswith("FC: the shipped lookup (S10, cross.npz a38f6f80, at 0.93;")
    assert fc.RULE.endswith("nothing is retuned after reading D.")
    assert "K in (0.95, 0.96, 0.97, 0.98)" in " ".join(fc.RULE.split())
    assert len(fc.G) == 8 and fc.G[0] == (0.40, 0.95) and fc.G[-1] == (0.45, 0.98)
    assert fc.SEEN[0] == "heldout80" and fc.SEEN[-1] == "heldout101" and len(fc.SEEN) == 22
    assert fc.D == ("heldout102", "heldout103")


def test_fc_stage_judges_under_the_floor_at_k(fc: ModuleType) -> None:
    under = row("heldout80", 0, 1, 0.965, similarity=0.42)
    assert fc.fc_stage(under, 0.40, 0.96) == ("verifier", True)
    assert fc.fc_stage(under, 0.40, 0.97) == ("verifier", False)
    assert fc.fc_stage(under, 0.45, 0.96) == ("floor", False)  # under F
    over = row("heldout80", 1, 1, 0.94, similarity=0.7)
    assert fc.fc_stage(over, 0.40, 0.98) == ("verifier", True)  # over the floor: 0.93
    spelled = row("heldout80", 2, 1, 0.1, similarity=0.2, respelling=["typo"])
    assert fc.fc_stage(spelled, 0.40, 0.98) == ("respelling", True)


def test_fk_is_the_admissible_pair_with_the_most_own_answers(fc: ModuleType) -> None:
    got = fc.step1(runs(fc), seen(fc))
    assert got["shipped"]["negatives_answered"] == 40 and got["shipped"]["positives_own"] == 600
    assert got["answered_limit"] == 50
    table = {(t["F"], t["K"]): t for t in got["table"]}
    assert table[(0.40, 0.95)]["FC"]["negatives_answered"] == 50
    assert [table[(0.45, k)]["admissible"] for k in fc.KS] == [False, False, True, True]
    assert all(table[(0.40, k)]["admissible"] for k in fc.KS)
    # F 0.40 at 0.95, 0.96, 0.97 answer 630 own: the tie goes to the higher K
    assert (got["f"], got["k"], got["fk"]) == (0.40, 0.97, [0.40, 0.97])
    assert got["screen"]["i_own_entry"] == {"shipped": 600, "FC": 630, "needs": 620,
                                            "pass": True}
    two = got["screen"]["ii_per_pair"]
    assert (two["shipped_hits"], two["FC_hits"], two["positives"]) == (110, 113, 220)
    assert two["points"] == pytest.approx(1.3636, abs=1e-4) and two["recall_pass"]
    # the negative at 0.7 and p 0.955 is the shipped lookup's false hit, and FC's
    assert (two["shipped_false_hits"], two["FC_false_hits"], two["false_hit_limit"]) == (1, 2, 6)
    assert got["screen"]["FC_adds"]["by_kind"] == {"entity_swap": {"passed": 1},
                                                   "reworded": {"found": 3}}
    assert got["screen_passes"] is True
    assert got["per_pair_by_FK"]["0.40/0.98"]["FC_hits"] == 110  # p 0.975 under 0.98
    assert got["wall_s"]["heldout98+heldout99"] == 109.0


def test_a_tie_then_takes_the_higher_f(fc: ModuleType) -> None:
    own = {(f, k): 63 for f, k in fc.G}
    got = fc.step1(runs(fc, own=own), seen(fc))
    assert (got["f"], got["k"]) == (0.45, 0.98)


def test_none_admissible(fc: ModuleType) -> None:
    got = fc.step1(runs(fc, another={fk: 5 for fk in fc.G}), seen(fc))
    assert not any(t["admissible"] for t in got["table"])
    assert got["f"] is None and got["fk"] is None and got["screen"] is None
    assert got["screen_passes"] is False
    assert len(got["per_pair_by_FK"]) == 8  # a record, judged by nothing


@pytest.mark.parametrize("which", ["own", "recall", "false_hits"])
def test_the_screen_fails_on_each_part(fc: ModuleType, which: str) -> None:
    if which == "own":  # 619 own answers at (0.40, 0.97): one short of 600 + 20
        own = {(f, k): 61 for f, k in fc.G}
        every = runs(fc, own={**own, (0.40, 0.97): 62})
        every[4]["by_variant"][name(0.40, 0.97)]["all"]["positives"]["own"] = 61
        got = fc.step1(every, seen(fc))
        assert (got["f"], got["k"]) == (0.40, 0.97)
        assert got["screen"]["i_own_entry"]["FC"] == 619
        assert not got["screen"]["i_own_entry"]["pass"]
        assert got["screen"]["ii_per_pair"]["pass"] and got["screen_passes"] is False
        return
    rows = seen(fc, found=1) if which == "recall" else seen(fc, passed=6)
    got = fc.step1(runs(fc), rows)
    two = got["screen"]["ii_per_pair"]
    if which == "recall":
        assert not two["recall_pass"] and two["false_hit_pass"]
    else:  # 7 false hits against the shipped 1 + 5
        assert two["FC_false_hits"] == 7 and not two["false_hit_pass"] and two["recall_pass"]
    assert got["screen"]["i_own_entry"]["pass"] and got["screen_passes"] is False


def test_step1_checks_its_inputs(fc: ModuleType) -> None:
    with pytest.raises(SystemExit, match="judging record is not FC"):
        every = runs(fc)
        every[2]["by_variant"][name(0.45, 0.96)]["judging"]["nearest_cut"] = 0.93
        fc.step1(every, seen(fc))
    with pytest.raises(SystemExit, match="0 variants"):
        every = runs(fc)
        del every[3]["by_variant"][name(0.40, 0.98)]
        fc.step1(every, seen(fc))
    with pytest.raises(SystemExit, match="not a38f6f80"):
        fc.step1(runs(fc, sha="cffa0c35"), seen(fc))
    with pytest.raises(SystemExit, match="10 caches"):
        fc.step1(runs(fc)[:9], seen(fc))
    with pytest.raises(SystemExit, match=r"\['heldout101'\] differ"):
        fc.step1(runs(fc), [r for r in seen(fc) if r["set"] != "heldout101"])
    with pytest.raises(SystemExit, match="mapped cosine"):
        rows = seen(fc)
        del rows[7]["retrieval_map"]
        fc.step1(runs(fc), rows)


def d_rows(fc: ModuleType, low: list[float] | None = None) -> list[dict[str, Any]]:
    """Each D set: 10 paraphrases, 5 found at 0.5, one more at mapped cosine 0.42 and p 0.975
    (+10 points pooled at (0.40, 0.97)); 10 negatives, ``low`` more at 0.42 by their p."""
    rows = []
    for where in fc.D:
        rows += [row(where, n, 1, 0.975 if n == 5 else 0.95 if n < 5 else 0.5,
                     similarity=0.42 if n == 5 else 0.7, **MAP) for n in range(10)]
        rows += [row(where, 10 + n, 0, 0.2, "entity_swap", **MAP) for n in range(10)]
        rows += [row(where, 20 + n, 0, p, "entity_swap", similarity=0.42, **MAP)
                 for n, p in enumerate(low if low is not None else [0.975, 0.95])]
    return rows


def quora(passed: list[float]) -> list[dict[str, Any]]:
    """pairs:qqp rows: one paraphrase and forty negatives at mapped cosine 0.42, ``passed``
    first, then 0.1."""
    negatives = passed + [0.1] * (40 - len(passed))
    return ([row("pairs:qqp", 0, 1, 0.99, **MAP)]
            + [row("pairs:qqp", 1 + i, 0, p, similarity=0.42, **MAP)
               for i, p in enumerate(negatives)])


def d_cache(fc: ModuleType, own: int = 60, f: float = 0.4, k: float = 0.97) -> dict[str, Any]:
    """heldout102+103: the shipped lookup answers 4 negatives, FC 6 (the limit), each 60
    paraphrases by their own entry unless ``own`` says FC's."""
    run = shared_run(SHA, 0.93, fc.D, {"0.5:5:m": 3, name(f, k): 5})
    judged(run, "0.5:5:m")
    fc_judged(run, f, k, own)
    return run


def test_step2_checks(fc: ModuleType) -> None:
    two = fc.step2([0.4, 0.97], d_rows(fc), quora([0.975, 0.95]), d_cache(fc))
    assert (two["a"]["shipped_hits"], two["a"]["FC_hits"], two["a"]["points"]) == (10, 12, 10.0)
    assert (two["b"]["shipped_false_hits"], two["b"]["FC_false_hits"], two["b"]["limit"]) == (
        0, 2, 2)  # 0.95 under the floor is refused at 0.97
    assert two["c"]["negatives_answered"] == {"shipped": 4, "FC": 6}
    assert two["d"]["FC_qqp_false_hits"] == 1 and two["d"]["shipped_qqp_false_hits"] == 0
    assert fc.verdict(two) is True
    assert len(two["records"]["FC_false_hits"]) == 2


@pytest.mark.parametrize("which", ["a", "b", "c", "d"])
def test_step2_fails_when_one_check_fails(fc: ModuleType, which: str) -> None:
    rows, q, cache, fk = d_rows(fc), quora([0.975]), d_cache(fc), [0.4, 0.97]
    if which == "a":  # at 0.98 the paraphrases at p 0.975 stay refused: +0 points
        fk, cache, rows = [0.4, 0.98], d_cache(fc, k=0.98), d_rows(fc, [])
    elif which == "b":  # 4 false hits against the shipped 0
        rows = d_rows(fc, [0.975, 0.98])
    elif which == "c":
        cache = d_cache(fc, own=59)
    else:  # 2 of 40 on Quora: 5 %
        q = quora([0.975, 0.99])
    two = fc.step2(fk, rows, q, cache)
    assert {x for x in "abcd" if not two[x]["pass"]} == {which}
    assert fc.verdict(two) is False


def test_main_runs_step1_then_step2(fc: ModuleType, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    out = tmp_path / "out.json"
    shared = [put(f"sh-{n}.json", r) for n, r in enumerate(runs(fc))]
    monkeypatch.setattr(sys, "argv", [
        "fc_rule.py", "step1", "--shared", *shared, "--rows", put("s.jsonl", seen(fc)),
        "--rows-result", put("s.json", losses_result(list(fc.SEEN), SHA)), "--out", str(out)])
    assert fc.main() == 0
    result = json.loads(out.read_text())
    assert result["rule"] == fc.RULE and result["FC_adopted"] is None
    assert result["step1"]["fk"] == [0.4, 0.97]
    monkeypatch.setattr(sys, "argv", [
        "fc_rule.py", "step2", "--rows", put("d.jsonl", d_rows(fc)),
        "--rows-result", put("d.json", losses_result(list(fc.D), SHA)),
        "--quora", put("q.jsonl", quora([0.975])),
        "--quora-result", put("q.json", losses_result(["pairs"], SHA)),
        "--shared", put("d-sh.json", d_cache(fc)), "--out", str(out)])
    assert fc.main() == 0
    result = json.loads(out.read_text())
    assert result["step2"]["f"] == 0.4 and result["step2"]["k"] == 0.97
    assert result["FC_adopted"] is True and set(result["inputs"]) == {"step1", "step2"}


def test_step2_refuses_a_failed_screen(fc: ModuleType, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"step1": {"screen_passes": False, "fk": [0.4, 0.97]}}))
    put = file_writer(tmp_path)
    monkeypatch.setattr(sys, "argv", [
        "fc_rule.py", "step2", "--rows", put("d.jsonl", []), "--rows-result", put("a.json", {}),
        "--quora", put("q.jsonl", []), "--quora-result", put("b.json", {}),
        "--shared", put("c.json", {}), "--out", str(out)])
    with pytest.raises(SystemExit, match="heldout102-103 stay unread"):
        fc.main()


def shared_rows(variant: str, answered: dict[str, str | None],
                p: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """cache_shared ``--pairs-out`` rows: each query's answer under ``variant`` (its
    probability from ``p``; none without)."""
    return [{"variant": variant, "b": q, "answered": a, **({} if p is None else {"p": p.get(q)})}
            for q, a in answered.items()]


def test_fn_check(fc: ModuleType) -> None:
    """q1: F1's candidate e1 at p 0.975; q2: e2 at 0.955; q3: FN's e3, which no FC variant
    answers (under every K); q4: the shipped lookup's e4."""
    shipped = {"q1": None, "q2": None, "q3": None, "q4": "e4"}
    fn = {"q1": "e1", "q2": "e2", "q3": "e3", "q4": "e4"}
    fn_rows = shared_rows("0.5:5:m", shipped) + shared_rows("0.5:5:m:n0.4", fn)
    probabilities = {"q1": 0.975, "q2": 0.955, "q4": 0.99}

    def fc_rows(at: dict[float, dict[str, str | None]]) -> list[dict[str, Any]]:
        rows = shared_rows("0.5:5:m", shipped, probabilities)
        for k, got in at.items():
            rows += shared_rows(f"0.5:5:m:n0.4:N{k}", got, probabilities)
        return rows

    good = fc_rows({0.95: {**shipped, "q1": "e1", "q2": "e2"}, 0.97: {**shipped, "q1": "e1"}})
    got = fc.fn_check(good, fn_rows, 0.4, 0.97)
    assert (got["FC_answers_otherwise"], got["FN_answers_otherwise"]) == (1, 3)
    assert got["FN_only_unread"] == 1 and got["agrees"]
    assert fc.fn_check(good, fn_rows, 0.4, 0.95)["agrees"]
    # at 0.97 q2 (p 0.955) answered: wrong; q1 (p 0.975) refused: wrong
    bad = fc_rows({0.95: {**shipped, "q1": "e1", "q2": "e2"}, 0.97: {**shipped, "q2": "e2"}})
    why = {x["query"]: x["why"] for x in fc.fn_check(bad, fn_rows, 0.4, 0.97)["failures"]}
    assert why == {"q1": "refused at k", "q2": "FC's own"}
    other = fc_rows({0.97: {**shipped, "q1": "e9"}})  # not FN's entry
    assert not fc.fn_check(other, fn_rows, 0.4, 0.97)["agrees"]
    # the FN run's shipped lookup answered q4 otherwise: listed; FC must answer as this run's
    changed = [r if r["b"] != "q4" else {**r, "answered": "e5"} for r in fn_rows]
    got = fc.fn_check(good, changed, 0.4, 0.97)
    assert got["agrees"] and [d["query"] for d in got["shipped_differ"]] == ["q4"]
    wrong = fc_rows({0.95: {**shipped, "q1": "e1", "q2": "e2"}, 0.97: {**shipped, "q1": "e1",
                                                                          "q4": "e5"}})
    assert not fc.fn_check(wrong, changed, 0.4, 0.97)["agrees"]


def shared_row(variant: str, label: int, outcome: str) -> dict[str, Any]:
    return {"variant": variant, "label": label, "outcome": outcome}


def test_the_amendment_counts_answers_by_another_entry_and_stops_past_ten(fc: ModuleType) -> None:
    """The lead's amendment: other-entry answers (negatives and paraphrases) of a variant, summed
    over the caches, may be at most the shipped lookup's + 10; none within stops FC at step 1."""
    shipped = [shared_row("0.5:5:m", 1, "partner"), shared_row("0.5:5:m", 1, "other"),
               shared_row("0.5:5:m", 0, "other_same"), shared_row("0.5:5:m", 0, "refused")]
    near = [shared_row(name(0.45, 0.98), 1, "partner")] * 3 + [
        shared_row(name(0.45, 0.98), 1, "other")] * 6 + [
        shared_row(name(0.45, 0.98), 0, "other_negative")] * 6
    far = [shared_row(name(0.4, 0.95), 1, "other")] * 13
    tally = fc.other_answers(shipped + near)
    assert tally["0.5:5:m"] == {"other": 2, "other_negatives": 1, "other_paraphrases": 1,
                                "own": 1}
    assert tally[name(0.45, 0.98)] == {"other": 12, "other_negatives": 6,
                                       "other_paraphrases": 6, "own": 3}
    result = fc.amend([shipped + near, far])
    assert result["limit"] == 12
    assert result["admissible"] == [name(0.45, 0.98)] and not result["stops"]
    over = fc.amend([shipped + near + [shared_row(name(0.45, 0.98), 1, "other_same")], far])
    assert over["admissible"] == [] and over["stops"]


def test_step2_refuses_when_the_amendment_stopped_fc(fc: ModuleType, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "fc.json"
    out.write_text(json.dumps({"amendment": {"stops": True}}))
    monkeypatch.setattr(sys, "argv", ["fc_rule.py", "step2", "--rows", "x", "--rows-result", "x",
                                      "--quora", "x", "--quora-result", "x", "--shared", "x",
                                      "--out", str(out)])
    with pytest.raises(SystemExit, match="as amended stopped"):
        fc.main()
