"""A long prompt's features come from its two ends (plus exact length, line and question
counts), so the classifier's work is bounded whatever the prompt's size; a short one is
read whole."""

from __future__ import annotations

import numpy as np
import pytest

from llm_router.classifier.features import FEATURE_NAMES, text_features
from llm_router.classifier.view import EDGE, bounded_view

HEAD = "Hi, my order #4411 was charged twice ($19.99 each). Why? "
TAIL = " Should I cancel the card or wait for the refund?"


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURE_NAMES.index(name)]


def huge(middle_unit: str, chars: int = 1_000_000) -> str:
    """HEAD and TAIL, each padded with the same filler to beyond the view, around
    ``middle_unit`` repeated: only the middle differs between two such prompts."""
    pad = "the same filler " * (EDGE // 16 + 1)
    fill = chars - 2 * len(pad) - len(HEAD) - len(TAIL)
    body = (middle_unit * (fill // len(middle_unit) + 1))[:fill]
    return HEAD + pad + body + pad + TAIL


def test_a_short_text_is_read_whole() -> None:
    text = "x" * (2 * EDGE)
    assert bounded_view(text) is text


def test_a_long_text_is_read_at_its_two_ends() -> None:
    text = huge("lorem ipsum ")
    view = bounded_view(text)
    assert view.startswith(HEAD) and view.endswith(TAIL)
    assert len(view) == 2 * EDGE + 1


def test_the_middle_of_a_huge_prompt_is_not_scanned() -> None:
    # Same ends, length, lines and question marks; the middles differ in every scanned
    # feature (numbers, money, code, words) and only they do.
    quiet = huge("plain words here\n")
    loud = huge("£12 = 3*4; f()\n  ")
    assert len(quiet) == len(loud) and quiet.count("\n") == loud.count("\n")
    rows = text_features([quiet, loud])
    assert np.array_equal(rows[0], rows[1])
    # ... while the ends are read: a different head changes the row.
    other = text_features(["Please explain the plan options. " + quiet[33:]])
    assert not np.array_equal(rows[0], other[0])


def test_counts_scale_from_the_view_to_the_whole_text() -> None:
    unit = "Refund 2 orders of $5 now!\n"
    once = text_features([unit])
    repeated = unit * 40_000  # about 1 MB, read through a view of 4,000 characters
    rows = text_features([repeated])
    times = len(repeated) / len(unit)
    for name in ("numbers", "money_or_percent", "log_words", "urgency"):
        expected = np.log1p(np.expm1(column(once, name)) * times)
        assert column(rows, name) == pytest.approx(expected, rel=0.01)
    # Exact over the whole text, not estimated: length, lines, question marks.
    assert column(rows, "log_chars")[0] == pytest.approx(np.log1p(len(repeated)))
    assert column(rows, "lines")[0] == pytest.approx(np.log1p(40_000))
    assert column(text_features([repeated + "?"]), "questions")[0] == 1.0
