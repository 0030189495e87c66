"""bench/verifier_rule.py (session 23): rule V, S2 or S3 on heldout36-39, read from toy
rows files as the lookup's rows hold them (cache_losses.py --pairs-out)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row

D4 = ("heldout36", "heldout37", "heldout38", "heldout39")


@pytest.fixture(scope="module")
def rule(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("verifier_rule")


def d4(positives: dict[str, list[float]], negatives: list[float]) -> list[dict[str, Any]]:
    """Per set: its positives' probabilities, then the same negatives in each."""
    out = []
    for where in D4:
        ps = positives[where]
        out += [row(where, i, 1, p) for i, p in enumerate(ps)]
        out += [row(where, len(ps) + i, 0, p, "entity_swap") for i, p in enumerate(negatives)]
    return out


def quora(positive: float, negatives: list[float]) -> list[dict[str, Any]]:
    return [row("pairs:qqp", 0, 1, positive),
            *(row("pairs:qqp", 1 + i, 0, p) for i, p in enumerate(negatives)),
            row("pairs:support_heldout", 0, 1, 0.99)]


# S3 at 0.861295: one false hit a set (0.90), Quora one (0.87): F and Q0 come from S2's 0.
S3 = d4({s: [0.95, 0.87, 0.80] for s in D4}, [0.90, 0.5])
S3_QUORA = quora(0.9, [0.87, 0.2])
S2_QUORA = quora(0.9, [0.85, 0.3])


def s2(weak: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """S2 with no false hit; its recall 3 of 3 a set, none in the ``weak`` sets."""
    return d4({s: [0.5, 0.4, 0.3] if s in weak else [0.95, 0.93, 0.90] for s in D4},
              [0.5, 0.4])


def test_the_cuts_are_the_lowest_under_both_bounds_and_s2_replaces(rule: ModuleType) -> None:
    r = rule.decide({"S3": S3, "S2": s2()}, {"S3": S3_QUORA, "S2": S2_QUORA})
    assert (r["F"], r["F_from"]) == (0, {"S3": 4, "S2": 0})
    assert (r["Q0"], r["Q0_from"]) == (0, {"S3": 1, "S2": 0})
    # S3: above its 0.90 negatives; S2: above its Quora negative 0.85 (D4's sit lower)
    assert r["c_v"] == {"S3": 0.900001, "S2": 0.850001}
    assert r["R_v"] == {"S3": pytest.approx(4 / 12), "S2": 1.0}
    assert r["S2_replaces_S3"] and r["kept"] == "S2" and r["kept_c_v"] == 0.850001
    assert r["sets_where_S2_at_least_S3"] == list(D4)
    assert r["at"]["S3"]["0.861295"]["d4"]["all"]["false_hits"] == 4
    assert r["at"]["S2"]["c_v"]["pairs"]["pairs:qqp"]["recall"] == 1.0
    assert r["at"]["S3"]["c_v"]["pairs"]["pairs:support_heldout"]["hits"] == 1
    found = r["disagreements_at_c_v"]["found_by_S2_only"]
    assert found["n"] == 8 and found["by_kind"] == {"reworded": 8}
    assert found["examples"]["reworded"][0]["p_S3"] == 0.87
    assert "passed_by_S3_only" not in r["disagreements_at_c_v"]  # both pass none at c_v


def test_s3_stays_where_s2_gains_on_fewer_than_three_sets(rule: ModuleType) -> None:
    r = rule.decide({"S3": S3, "S2": s2(weak=("heldout38", "heldout39"))},
                    {"S3": S3_QUORA, "S2": S2_QUORA})
    assert r["recall_points_S2_minus_S3"] > 1.0  # the recall bar alone would pass
    assert r["sets_where_S2_at_least_S3"] == ["heldout36", "heldout37"]
    assert not r["S2_replaces_S3"] and r["kept"] == "S3" and r["kept_c_v"] == 0.900001


def test_the_recall_bar_is_one_point(rule: ModuleType) -> None:
    same = rule.decide({"S3": S3, "S2": S3}, {"S3": S3_QUORA, "S2": S3_QUORA})
    assert same["recall_points_S2_minus_S3"] == 0.0 and not same["S2_replaces_S3"]


def test_c_reads_the_kept_variant_against_mains(rule: ModuleType) -> None:
    def shared(name: str, another: int) -> dict[str, Any]:
        return {"by_variant": {name: {"all": {"negatives": {"another": another}}}}}

    name = rule.variant_name("S2", 0.850001)
    assert name == "0.5:5:3:0.850001" and rule.variant_name("S3", 0.861295) == "0.5:5"
    main = shared("0.5:5", 10)
    assert rule.check_c("S2", 0.850001, main, shared(name, 12))["pass"]
    assert not rule.check_c("S2", 0.850001, main, shared(name, 13))["pass"]
    assert rule.check_c("S2", 0.850001, None, None)["pass"] is None
    assert rule.check_c("S3", 0.861295, None, None)["pass"]  # main's lookup itself
    with pytest.raises(SystemExit):
        rule.check_c("S2", 0.850001, main, shared("0.5:5", 12))


def test_main_writes_the_verdict_from_rows_files(rule: ModuleType, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = {}
    for name, rows in (("s3", S3), ("s2", s2()), ("s3q", S3_QUORA), ("s2q", S2_QUORA)):
        files[name] = tmp_path / f"{name}.jsonl"
        files[name].write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shared = tmp_path / "main.json"
    shared.write_text(json.dumps({"by_variant": {"0.5:5": {"all": {"negatives": {
        "another": 5}}}}}), encoding="utf-8")
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps({"by_variant": {"0.5:5:3:0.850001": {"all": {"negatives": {
        "another": 8}}}}}), encoding="utf-8")
    out = tmp_path / "v.json"
    monkeypatch.setattr(sys, "argv", [
        "verifier_rule.py", "--s3", str(files["s3"]), "--s2", str(files["s2"]),
        "--s3-quora", str(files["s3q"]), "--s2-quora", str(files["s2q"]),
        "--shared-main", str(shared), "--shared-kept", str(kept), "--out", str(out)])
    assert rule.main() == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["rule"].startswith("V: which cross-encoder the lookup runs")
    assert result["rule"].endswith("the kept verifier ships at its present cut.")
    # (c) fails (8 > 5 + 2): S2 is kept, at its present cut
    assert result["c"] == {"main": 5, "kept": 8, "limit": 7, "pass": False,
                           "kept_variant": "0.5:5:3:0.850001"}
    assert result["ships"] == {"verifier": "S2", "cut": 0.858085}
