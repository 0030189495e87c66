"""The command-line contract, through the installed ``llm-router`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llm_router.classifier.dataset import load_examples
from llm_router.classifier.runtime import load_classifier
from llm_router.classifier.tiers import TIERS

DATA = Path(__file__).resolve().parents[3] / "data" / "classifier" / "queries.jsonl"
CLI = [sys.executable, "-m", "llm_router_local.cli"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_classify_answers_each_line_in_order() -> None:
    queries = [
        "What are your opening hours?",
        "",  # blank lines are skipped, not answered
        "Three plans: $10 for 5GB, $25 for 20GB, $40 unlimited. I use 12GB. Cheapest?",
        "Bonjour, où est mon colis ?",
    ]
    stdin = "\n".join(json.dumps({"query": q}) if q else "" for q in queries) + "\n"
    result = run("classify", stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"label", "confidence"}
        assert row["label"] in TIERS and 0.0 < row["confidence"] <= 1.0
    assert rows[0]["label"] == "simple" and rows[1]["label"] == "reasoning"


@pytest.mark.parametrize("line", ["not json", '{"text": "hi"}', '{"query": 3}', '["query"]'])
def test_classify_bad_input_is_a_one_line_error(line: str) -> None:
    result = run("classify", stdin=line + "\n")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "line 1" in result.stderr


def test_train_writes_a_loadable_artefact_for_its_data(tmp_path: Path) -> None:
    rows = [e for e in load_examples(DATA) if e.split == "train"]
    small = [
        next(e for e in rows if e.label == t and e.id.endswith(d))
        for t in TIERS
        for d in "0123456789"
    ]
    data = tmp_path / "small.jsonl"
    data.write_text("".join(json.dumps(e.__dict__) + "\n" for e in small), encoding="utf-8")
    result = run("train", "--data", str(data), "--out", str(tmp_path / "out"), "--folds", "2")
    assert result.returncode == 0, result.stderr
    assert "train: chosen" in result.stderr
    loaded = load_classifier(tmp_path / "out")
    assert loaded.metadata["training_data"]["train_rows"] == 40


def test_train_with_bad_data_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{}\n", encoding="utf-8")
    result = run("train", "--data", str(tmp_path / "bad.jsonl"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and ":1:" in result.stderr


def test_classify_routed_never_goes_below_the_top_label_when_under_routing_costs_more() -> None:
    queries = ["What are your opening hours?", "my order never came and i was charged twice",
               "Compare the two plans for me: $10 for 5GB or $25 for 20GB, I use 12GB."]
    stdin = "".join(json.dumps({"query": q}) + "\n" for q in queries)
    top = [json.loads(x) for x in run("classify", stdin=stdin).stdout.splitlines()]
    routed = run("classify", "--routed", "--under-cost", "50", stdin=stdin)
    assert routed.returncode == 0, routed.stderr
    for plain, up in zip(top, map(json.loads, routed.stdout.splitlines()), strict=True):
        assert TIERS.index(up["label"]) >= TIERS.index(plain["label"])
    assert run("classify", "--routed", "--under-cost", "-1", stdin=stdin).returncode != 0
