"""bench/pair_sets.py: naming the sets the cache benchmarks read, and what the sets'
labels say about one entry answering another's query (the populated-cache proxy)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pair_sets", BENCH / "pair_sets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pair_sets = _module()


def pair(a: str, b: str, label: int) -> dict[str, object]:
    return {"a": a, "b": b, "label": label, "kind": "k"}


def test_paraphrases_chain_into_one_question_and_a_negative_reaches_the_group() -> None:
    groups = pair_sets.PairGroups([
        pair("How do I reset my password?", "how can I reset my password", 1),
        pair("Reset my password please", "how can I reset my password", 1),
        pair("How do I reset my password?", "How do I delete my account?", 0),
        pair("What time is it in Paris?", "what is the time in Paris", 1),
    ])
    # Joined through the shared query: the same question.
    assert groups.relation("Reset my password please", "How do I reset my password?") == "right"
    # Labelled 0 against a member of the group: wrong for every member.
    assert groups.relation("Reset my password please", "How do I delete my account?") == "wrong"
    assert groups.relation("How do I delete my account?", "how can I reset my password") == "wrong"
    # No label joins these two groups, and a text no set holds: unknown.
    assert groups.relation("What time is it in Paris?", "How do I delete my account?") == "unknown"
    assert groups.relation("an unlabelled filler question", "what is the time in Paris") == \
        "unknown"
    assert groups.label("How do I reset my password?", "How do I delete my account?") == 0
    assert groups.label("How do I delete my account?", "How do I reset my password?") is None
    assert groups.contradictions == 0
    assert "Reset my password please" in groups and "an unlabelled filler question" not in groups


def test_texts_equal_but_for_case_spaces_and_final_punctuation_are_one_question() -> None:
    groups = pair_sets.PairGroups([
        pair("How do I parse JSON in JS?", "how do I read JSON in JavaScript", 1),
        pair("how do i  parse json in js", "how do I parse XML in JS", 0),
        pair("I want to withdraw £300", "I want to withdraw $300", 0),
    ])
    assert groups.relation("How do I parse JSON in JS?", "how do i  parse json in js") == "right"
    assert groups.relation("How do I parse JSON in JS?", "how do I parse XML in JS") == "wrong"
    # Symbols are kept: a currency swap stays two questions.
    assert pair_sets.same_text("I want to withdraw £300") != \
        pair_sets.same_text("I want to withdraw $300")
    assert groups.relation("I want to withdraw £300", "I want to withdraw $300") == "wrong"


def test_labels_that_contradict_through_a_chain_are_counted() -> None:
    groups = pair_sets.PairGroups([pair("A b c", "a b c?", 0)])
    assert groups.contradictions == 1
    assert groups.relation("A b c", "a b c?") == "right"


def test_sets_are_named_by_default_folder_path_or_root(tmp_path: Path) -> None:
    data = BENCH.parent / "data"
    assert pair_sets.set_file("heldout1") == data / "heldout" / "cache_pairs.jsonl"
    assert pair_sets.set_file("heldout9") == data / "heldout9" / "cache_pairs.jsonl"
    assert pair_sets.set_file("pairs") == BENCH / "cache_pairs" / "heldout.jsonl"
    folder = tmp_path / "mine"
    folder.mkdir()
    rows = [pair("a one", "b one", 1), {**pair("a two", "b two", 0), "source": "x"}]
    (folder / "cache_pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert pair_sets.set_file("mine", tmp_path) == folder / "cache_pairs.jsonl"
    assert pair_sets.set_file(str(folder)) == folder / "cache_pairs.jsonl"
    loaded = pair_sets.load_sets(["mine"], tmp_path)
    assert [p["set"] for p in loaded] == ["mine", "mine"]
    assert pair_sets.load_sets([str(folder / "cache_pairs.jsonl")])[0]["set"] == "cache_pairs"
    with pytest.raises(SystemExit, match="not found"):
        pair_sets.set_file("absent", tmp_path)
    (folder / "cache_pairs.jsonl").write_text(json.dumps({"a": "x", "label": 1}) + "\n")
    with pytest.raises(SystemExit, match="cache_pairs.jsonl:1: a pair needs"):
        pair_sets.load_sets(["mine"], tmp_path)
