"""train/cache_retrieval/data.py names the sets a retrieval map trains and is measured on
(session 30): numbers and ranges in order, reserved and unseen sets refused before any is
read, a set named both ways refused, and a training pair sharing a measured text dropped.
Toy sets in tmp files; Quora's draw stubbed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from train.cache_retrieval import data


def test_numbers_and_ranges_in_order() -> None:
    sets = data.sets_named("9-11,14-16, 62")
    assert list(sets) == ["heldout9", "heldout10", "heldout11", "heldout14", "heldout15",
                          "heldout16", "heldout62"]
    assert sets["heldout62"].parts[-2:] == ("heldout62", "cache_pairs.jsonl")


@pytest.mark.parametrize("spec", ["88-103", "102", "72-73,103", "106-107", "112-113",
                                  f"{data.UNSEEN_FROM}"])
def test_reserved_and_unseen_sets_are_refused(spec: str) -> None:
    with pytest.raises(SystemExit, match="reserved or unseen"):
        data.sets_named(spec)


def test_the_defaults_are_the_shipped_maps() -> None:
    assert list(data.TRAIN_SETS) == list(data.sets_named("9-11,14-47"))
    assert list(data.EVAL_SETS) == list(data.sets_named("48-57"))


def write(path: Path, pairs: list[tuple[str, str, int]]) -> Path:
    path.write_text("".join(json.dumps({"a": a, "b": b, "label": label, "kind": "k"}) + "\n"
                            for a, b, label in pairs))
    return path


def test_a_set_named_both_ways_is_refused(tmp_path: Path) -> None:
    one = {"heldout9": write(tmp_path / "9.jsonl", [("a", "b", 1)])}
    with pytest.raises(SystemExit, match="train on and to measure on"):
        data.train_pairs(train_sets=one, eval_sets=one)


def test_training_pairs_sharing_a_measured_text_are_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quora = [("What is a quasar?", "What's a quasar", 1), ("Is tea good?", "Why rain?", 0)]
    monkeypatch.setattr(data, "load_qqp", lambda: quora)
    monkeypatch.setattr(data, "split_qqp", lambda rows: {"train": list(rows)})
    monkeypatch.setattr(data, "quora_leak", lambda rows, held: 0)
    monkeypatch.setattr(data, "read_jsonl", lambda path: [
        json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
        if Path(path).suffix == ".jsonl" and Path(path).exists() else [])
    monkeypatch.setattr(data, "file_sha256", lambda path: "0" * 64)
    train = {"heldout9": write(tmp_path / "9.jsonl", [("How tall is K2?", "K2's height?", 1),
                                                      ("Who wrote Emma?", "emma author", 1)]),
             "heldout10": write(tmp_path / "10.jsonl", [("cats or dogs", "Is tea good", 0)])}
    measured = {"heldout62": write(tmp_path / "62.jsonl", [("who wrote EMMA", "x", 1)])}
    rows: list[dict[str, Any]]
    rows, record = data.train_pairs(quora=2, seed=1, train_sets=train, eval_sets=measured)
    assert [(r["a"], r["source"]) for r in rows if r["source"] != "qqp"] == [
        ("How tall is K2?", "heldout9"), ("cats or dogs", "heldout10")]
    assert record["measured_on"] == ["heldout62"]
    assert record["dropped_sharing_a_measured_text"] == 1
    assert list(record["sources"]) == ["heldout9", "heldout10", "qqp"]
    assert record["sources"]["heldout9"]["pairs"] == 1
