"""The labelled data is an asset with rules (DESIGN.md rubric, the issue's minimums)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from llm_router.classifier.dataset import load_examples
from llm_router.classifier.tiers import TIERS

DATA = Path(__file__).resolve().parents[3] / "data" / "classifier" / "queries.jsonl"
GENERAL = {"code", "writing", "math", "facts"}


@pytest.fixture(scope="module")
def examples():
    return load_examples(DATA)


def test_size_and_balance(examples) -> None:
    assert len(examples) >= 600
    per_tier = Counter(e.label for e in examples)
    assert all(per_tier[t] >= 150 for t in TIERS), per_tier


def test_heldout_is_about_a_fifth_of_every_tier(examples) -> None:
    for tier in TIERS:
        rows = [e for e in examples if e.label == tier]
        share = sum(e.source == "heldout" for e in rows) / len(rows)
        assert 0.17 <= share <= 0.23, (tier, share)


def test_ids_and_queries_are_unique(examples) -> None:
    assert len({e.id for e in examples}) == len(examples)
    assert len({e.query.strip().lower() for e in examples}) == len(examples)


def test_mostly_support_with_a_general_assistant_share(examples) -> None:
    general = sum(e.domain in GENERAL for e in examples) / len(examples)
    assert 0.2 <= general <= 0.4
    assert len({e.domain for e in examples} - GENERAL) >= 15


def test_a_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "query": "q", "label": "simple", "domain": "d", "source": "train"}\n'
        '{"id": "b", "query": "q", "label": "hard", "domain": "d", "source": "train"}\n'
    )
    with pytest.raises(ValueError, match=":2:"):
        load_examples(path)
