"""The labelled data is an asset with rules (DESIGN.md rubric, the issue's minimums)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from llm_router.classifier.dataset import load_examples
from llm_router.classifier.tiers import TIERS

DIR = Path(__file__).resolve().parents[3] / "data" / "classifier"
DATA = DIR / "queries.jsonl"
GENERAL = {"code", "writing", "math", "facts", "general"}


@pytest.fixture(scope="module")
def examples():
    return load_examples(DATA)


def test_size_balance_and_variety(examples) -> None:
    assert len(examples) >= 2000
    per_tier = Counter(e.label for e in examples)
    assert all(per_tier[t] >= 350 for t in TIERS), per_tier
    assert len({e.source for e in examples}) >= 10


def test_split_is_by_source_and_heldout_covers_every_tier(examples) -> None:
    split_of: dict[str, set[str]] = {}
    for e in examples:
        split_of.setdefault(e.source, set()).add(e.split)
    assert all(len(splits) == 1 for splits in split_of.values()), split_of
    heldout = [e for e in examples if e.split == "heldout"]
    # 0.557 % (277 of 49,702 since session 35): the repo's own split stays put while
    # training grows by each session's independent writers (seen; ninety-five sets since
    # session 35, fourteen of them added then), each of them also scored out of fold on its
    # own. It lost two rows in session 32 (279 -> 277: heldout79 and heldout80 repeat
    # "Are you open on bank holidays?" and "Which planet is closest to the sun?", and the
    # build keeps a duplicate across the split on the training side); none in session 35.
    # The lower bound is where the data now is (0.557 %), so the next retrain that adds two
    # writers' ~1,000 rows (277 of ~50,702: 0.546 %) lowers it knowingly, and a split that
    # loses even one of today's 277 rows (276 of 49,701: 0.555 %) fails here.
    assert 0.00557 <= len(heldout) / len(examples) <= 0.25
    assert all(sum(e.label == t for e in heldout) >= 25 for t in TIERS)


def test_ids_and_queries_are_unique(examples) -> None:
    assert len({e.id for e in examples}) == len(examples)
    assert len({e.query.strip().lower() for e in examples}) == len(examples)


def test_mostly_support_with_a_general_assistant_share(examples) -> None:
    general = sum(e.domain in GENERAL for e in examples) / len(examples)
    assert 0.2 <= general <= 0.4
    assert len({e.domain for e in examples} - GENERAL) >= 15


def test_queries_file_is_what_build_makes_from_raw(tmp_path: Path) -> None:
    """queries.jsonl and SOURCES.md are generated: a hand edit or a stale build fails."""
    spec = importlib.util.spec_from_file_location("classifier_build", DIR / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses resolve annotations through it
    spec.loader.exec_module(build)
    rows, counts, dropped = build.build()
    assert [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()] == rows
    assert (DIR / "SOURCES.md").read_text(encoding="utf-8") == build.sources_markdown(
        counts, dropped
    )


def test_a_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    row = {"id": "a", "query": "q", "label": "simple", "domain": "d", "source": "s",
           "split": "train"}
    path.write_text(json.dumps(row) + "\n" + json.dumps(row | {"label": "hard"}) + "\n")
    with pytest.raises(ValueError, match=":2:"):
        load_examples(path)
