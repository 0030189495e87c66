"""bench/label_audit.py (session 27): the blind label audit's sampler and join, on toy rows
(cache_losses.py --pairs-out) and toy reader labels, with the strata made small."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row

SMALL = {"R": 2, "A": 2, "F": None, "H": 1, "N": 1}


@pytest.fixture()
def audit(bench_module: Callable[[str], ModuleType],
          monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = bench_module("label_audit")
    monkeypatch.setattr(module, "SIZES", SMALL)
    monkeypatch.setattr(module, "BOOTSTRAP", 200)
    return module


def toy() -> list[dict[str, Any]]:
    """Four positives S5 finds (A) and four it refuses (R: two at the verifier, one at the
    floor, one at the amounts check); one negative it passes (F), two it refuses at p >= 0.5
    (H) and two far ones (N: p 0.1 and the amounts check)."""
    return ([row("heldout54", n, 1, 0.95) for n in range(4)]
            + [row("heldout54", 4, 1, 0.3), row("heldout54", 5, 1, 0.6),
               row("heldout58", 6, 1, 0.99, similarity=0.4), row("heldout58", 7, 1, None)]
            + [row("heldout58", 8, 0, 0.95, "entity_swap"),
               row("heldout58", 9, 0, 0.7, "negation"), row("heldout59", 10, 0, 0.5, "negation"),
               row("heldout59", 11, 0, 0.1, "near_topic"), row("heldout59", 12, 0, None,
                                                              "number_swap")])


def test_strata_follow_the_writer_label_and_s5s_verdict(audit: ModuleType) -> None:
    assert [audit.stratum(r) for r in toy()] == list("AAAARRRRFHHNN")
    assert audit.stage_group("floor") == "floor" and audit.stage_group("numbers") == "other"


def test_the_draw_is_fixed_by_the_seed_and_the_blind_file_shows_only_texts(
        audit: ModuleType) -> None:
    key = audit.draw(toy())
    assert key == audit.draw(toy())
    assert Counter(k["stratum"] for k in key) == {"A": 2, "R": 2, "F": 1, "H": 1, "N": 1}
    assert [k["id"] for k in key] == [f"{n:04d}" for n in range(1, 8)]
    assert {k["stage"] for k in key if k["stratum"] == "F"} == {"verifier"}
    assert any(audit.draw(toy(), seed) != key for seed in range(3))
    text = audit.blind_text(key)
    assert text.startswith(f"### 0001\nA: {key[0]['a']}\nB: {key[0]['b']}\n\n")
    assert text.count("###") == 7
    for word in ("heldout", "swap", "reworded", "0.95", "verifier", "label"):
        assert word not in text.replace("cached heldout", "").replace("query heldout", "")


def test_labels_are_read_strictly(audit: ModuleType) -> None:
    got = audit.read_labels("# a note\n0001 same\n\n2 Different: Tuesday, not Monday\n"
                            "0003 unsure\n")
    assert got == {"0001": {"reader": "same", "reason": ""},
                   "0002": {"reader": "different", "reason": "Tuesday, not Monday"},
                   "0003": {"reader": "unsure", "reason": ""}}
    with pytest.raises(ValueError, match="twice"):
        audit.read_labels("0001 same\n1 different x\n")
    with pytest.raises(ValueError, match="unreadable"):
        audit.read_labels("0001 maybe\n")


def said(key: list[dict[str, Any]], by_stratum: dict[str, list[str]]) -> dict[str, Any]:
    """Labels: stratum s's sampled pairs, in id order, get ``by_stratum[s]``'s labels."""
    left = {s: list(v) for s, v in by_stratum.items()}
    return {k["id"]: {"reader": left[k["stratum"]].pop(0), "reason": "toy"} for k in key}


def test_join_weights_each_stratum_back_to_its_population(audit: ModuleType) -> None:
    rows = toy()
    key = audit.draw(rows)
    # A: both agree (4 of 4 found); R: one of two (2 of 4 lost); F agrees (1); H says same
    # (0 of 2 near negatives agree); N agrees (2 of 2).
    labels = said(key, {"A": ["same", "same"], "R": ["same", "different"], "F": ["different"],
                        "H": ["same"], "N": ["different"]})
    got = audit.join(rows, key, labels)
    assert got["labelled"] == 7 and got["missing"] == [] and got["unknown"] == []
    strata = got["strata"]
    assert strata["R"]["agree"] == 1 and strata["R"]["disagree"] == 1
    assert strata["H"] == {"n": 1, "same": 1, "different": 0, "unsure": 0, "agree": 0,
                           "disagree": 1, "by_kind": strata["H"]["by_kind"]}
    assert sum(c["n"] for c in strata["R"]["by_stage"].values()) == 2
    rec = got["recomputed"]
    assert rec["populations"] == {"R": 4, "A": 4, "F": 1, "H": 2, "N": 2}
    assert rec["every_pair"]["recall"] == 0.5 and rec["every_pair"]["false_hit_rate"] == 0.2
    lo, hi = rec["every_pair"]["recall_95"]
    assert lo < 0.5 < hi
    weighted = rec["weighted"]
    assert weighted["agreed_recall"] == pytest.approx(4 / 6, abs=1e-6)
    assert weighted["agreed_false_hit_rate"] == pytest.approx(1 / 3, abs=1e-6)
    # The reader as the truth: same = A's 4 + R's 2 + H's 2, of which found 4; different =
    # F's 1 + R's 2 + N's 2, of which passed 1.
    assert weighted["reader_recall"] == pytest.approx(0.5, abs=1e-6)
    assert weighted["reader_false_hit_rate"] == pytest.approx(0.2, abs=1e-6)
    lo, hi = rec["weighted_95"]["agreed_recall"]
    assert lo <= weighted["agreed_recall"] <= hi
    assert rec["weighted_wilson_95"]["agreed_recall"] == audit.wilson(4, 6)
    ex = got["examples"]
    assert len(ex["writer_same_reader_different"]) == 1
    assert ex["writer_different_reader_same"][0]["stratum"] == "H"
    assert "a" not in got["key"][0] and got["key"][0]["reader"] in ("same", "different")


def test_join_refuses_a_key_the_rows_do_not_give_and_reports_gaps(audit: ModuleType) -> None:
    rows = toy()
    key = audit.draw(rows)
    with pytest.raises(ValueError, match="not the draw"):
        audit.join(rows, key[1:], {})
    labels = said(key, {"A": ["same", "same"], "R": ["unsure", "same"], "F": ["same"],
                        "H": ["different"], "N": ["different"]})
    del labels["0003"]
    labels["0099"] = {"reader": "same", "reason": ""}
    got = audit.join(rows, key, labels)
    assert got["missing"] == ["0003"] and got["unknown"] == ["0099"] and got["labelled"] == 6


def test_the_command_line_samples_then_joins(audit: ModuleType, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in toy()), encoding="utf-8")
    common = ["label_audit.py", "--rows", str(rows), "--out-dir", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [common[0], "sample", *common[1:]])
    assert audit.main() == 0
    key = [json.loads(x) for x in (tmp_path / "key.jsonl").read_text().splitlines()]
    (tmp_path / "labels.txt").write_text(
        "".join(f"{k['id']} {'same' if k['label'] else 'different'}\n" for k in key))
    out = tmp_path / "out.json"
    monkeypatch.setattr(sys, "argv", [common[0], "join", *common[1:], "--out", str(out)])
    assert audit.main() == 0
    result = json.loads(out.read_text())
    assert result["recomputed"]["weighted"]["agreed_recall"] == 0.5
    assert len(result["blind_sha256"]) == len(result["labels_sha256"]) == 64
    assert result["seed"] == 27
    assert "every_pair" in capsys.readouterr().out
