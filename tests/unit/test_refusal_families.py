"""bench/refusal_families.py (session 27): a pair's shape, a row's outcome and the run's
tables, families and examples, on toy rows, a toy bundle and a toy set's sources."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import row


@pytest.fixture()
def fam(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("refusal_families")


def test_shape(fam: ModuleType) -> None:
    s = fam.shape("is the gondola running today?", "is the cable car running today?", 0.93)
    assert s["cosine"] == ">=0.9" and s["swap"] == "3-5"  # gondola | cable, car
    assert s["overlap"] == "0.4-0.6" and s["_overlap"] == 0.4  # running, today of 5 words
    assert s["ratio"] == "<1.5" and s["longer"] == "<8"
    assert not (s["numbers"] or s["names"] or s["codes"])
    s = fam.shape("pls confirm booking ref FC-00981", "Please confirm the Janet booking 2", None)
    assert s["numbers"] and s["codes"] and s["names"] and s["cosine"] is None
    assert not fam.has_name("Where is it? I think. Paris")  # each sentence's first word
    assert fam.has_name("where is Paris")
    assert fam.band(0.5, (0.5, 0.6)) == "0.5-0.6" and fam.band(0.49, (0.5,)) == "<0.5"


def test_outcome(fam: ModuleType) -> None:
    assert fam.outcome(row("h", 0, 1, 0.95)) == "found"
    assert fam.outcome(row("h", 0, 1, 0.6)) == "refused:verifier"
    assert fam.outcome(row("h", 0, 1, 0.99, similarity=0.4)) == "refused:floor"
    assert fam.outcome(row("h", 0, 1, None)) == "refused:numbers"
    assert fam.outcome(row("h", 0, 0, 0.95)) == "false_hit"
    assert fam.outcome(row("h", 0, 0, 0.5)) == "near"
    assert fam.outcome(row("h", 0, 0, 0.3)) is None


def test_run(fam: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "heldout54" / "src"
    src.mkdir(parents=True)
    (tmp_path / "heldout58" / "src").mkdir(parents=True)
    rows = [row("heldout54", 0, 1, 0.95), row("heldout54", 1, 1, 0.3),
            row("heldout54", 2, 1, 0.4), row("heldout54", 3, 0, 0.6, "entity_swap"),
            row("heldout58", 4, 1, 0.99, similarity=0.45)]
    (src / "p_s_x.txt").write_text("".join(f"{r['label']} {r['kind']} d || {r['a']} || {r['b']}\n"
                                           for r in rows[:2]))
    (tmp_path / "heldout58" / "src" / "p_s_z.txt").write_text(
        "".join(f"{r['label']} {r['kind']} d || {r['a']} || {r['b']}\n" for r in rows[4:]))
    (src / "p_g_y.txt").write_text("".join(f"{r['label']} {r['kind']} d || {r['a']} || {r['b']}\n"
                                           for r in rows[2:4]))
    monkeypatch.setattr(fam, "HELDOUT", tmp_path)
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    bundle = [{"a": "x y", "b": "x z", "label": 1, "source": "heldout9", "kind": "reworded"},
              {"a": "x y", "b": "q z", "label": 0, "source": "mined", "kind": None}]
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(b) + "\n" for b in bundle))
    (tmp_path / "c.jsonl").write_text(json.dumps({"i": 0, "cosine": 0.75}) + "\n")
    args = argparse.Namespace(rows=[tmp_path / "rows.jsonl"], bundle=tmp_path / "b.jsonl",
                              bundle_cosine=tmp_path / "c.jsonl", families=5, examples=20)
    out = fam.run(args)
    assert (out["positives"], out["found"], out["refused"], out["near"]) == (4, 1, 3, 1)
    assert out["refused_by_stage"] == {"refused:verifier": 2, "refused:floor": 1}
    assert out["verifier_refused_by_p"]["0.1-0.5"] == 2
    floors = {(f["sets"], f["floor"]): f for f in out["floors"]}
    assert floors[("all", 0.5)]["found"] == 1 and floors[("all", 0.45)]["found"] == 2
    assert floors[("heldout54-59", 0.4)]["false_hits"] == 0
    kinds = {t["kind"]: t for t in out["tables"]["kind"]}
    assert kinds["reworded"]["refusal_rate"] == 0.75
    assert kinds["entity_swap"]["near"] == 1
    traffic = {t["traffic"]: t for t in out["tables"]["traffic"]}
    assert traffic["support"]["refused"] == 2 and traffic["general"]["refused"] == 1
    assert out["traffic_unknown"] == 0
    assert out["bundle_cosine_sample"] == 1 and out["bundle_pairs"] == 2
    assert out["bundle_tables"]["cosine"] == {"0.7-0.8": {"pos": 2, "neg": 0, "pos_share": 1.0}}
    assert out["families"][1]["refused_floor"] == 1
    top = out["families"][0]
    assert top["refused"] == 2 and top["refused_verifier"] == 2 and top["bundle_kind_pos"] == 1
    assert out["examples_pool"] == 2 and len(out["examples"]) == 2
    assert out["examples_verifier_family"] == top["family"]
