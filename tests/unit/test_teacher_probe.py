"""bench/teacher_probe.py's measures (session 38), on toy arrays: the AUC with ties, the
recall at matched false hits (its cut never passes more negatives than asked, ties
included), the writer-pair grouping and the leave-one-pair-out logistic (a pair is never
scored by a fit that saw it)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="module")
def tp(bench_module: Callable[[str], ModuleType]) -> Any:
    return bench_module("teacher_probe")


def test_auc_counts_ties_half(tp: Any) -> None:
    assert tp.auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert tp.auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert tp.auc([1, 2, 3], [0, 1, 1]) == pytest.approx(1.0)
    assert np.isnan(tp.auc([1, 2], [1, 1]))


def test_recall_at_fh_never_passes_more_negatives_than_asked(tp: Any) -> None:
    neg = list(np.linspace(0, 1, 200))  # 200 negatives: 1 % is 2 of them
    pos = [0.999, 0.995, 0.99, 0.5, 0.2]
    m = tp.recall_at_fh(neg + pos, [0] * 200 + [1] * 5, 0.01)
    assert m["passed"] == 2
    assert m["hits"] == 3  # over the third-highest negative (1 - 2/199 = 0.98995)
    assert m["recall"] == pytest.approx(0.6)
    tied = tp.recall_at_fh([0.9] * 10 + [0.9, 0.1], [0] * 10 + [1, 1], 0.5)
    assert tied["passed"] == 0 and tied["hits"] == 0  # a tie at the cut passes nothing


def test_writer_pair(tp: Any) -> None:
    assert tp.writer_pair("heldout80") == tp.writer_pair("heldout81") == "80+81"
    assert tp.writer_pair("heldout105") == "104+105"
    assert tp.writer_pair("heldout100") != tp.writer_pair("heldout99")


def test_logistic_learns_the_informative_column(tp: Any) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    x = np.column_stack([y + rng.normal(0, 0.5, 400), rng.normal(0, 1, 400)])
    score = tp.fit_logistic(x, y)(x)
    assert tp.auc(score, y) > 0.9
    assert tp.auc(tp.logit(np.clip(x[:, 1], 0, 1)), y) < 0.65


def test_leave_pair_out_never_scores_a_pair_it_fitted(tp: Any) -> None:
    # In group "g2" the label follows the column the other way round: a fit that saw g2's
    # rows would be pulled towards it; scored out of fold, g2 ranks upside down while the
    # other three, each scored by a fit on two like it and g2, rank right.
    x = np.array([[0.0], [1.0], [0.0], [1.0], [1.0], [0.0], [0.0], [1.0]] * 10)
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1] * 10)
    groups = ["g0", "g0", "g1", "g1", "g2", "g2", "g3", "g3"] * 10
    out = tp.leave_pair_out(x, y, groups)
    g2 = np.array(groups) == "g2"
    assert tp.auc(out[g2], y[g2]) == pytest.approx(0.0)
    assert tp.auc(out[~g2], y[~g2]) == pytest.approx(1.0)


def test_logit_is_clipped(tp: Any) -> None:
    out = tp.logit([0.0, 0.5, 1.0])
    assert np.isfinite(out).all() and out[1] == pytest.approx(0.0) and out[0] < -13


def test_as_lookup_keeps_the_other_stages_verdicts(tp: Any) -> None:
    rows = [{"fixed": True}, {"fixed": False}, {"fixed": None}, {"fixed": None}]
    out = tp.as_lookup(rows, np.array([-5.0, 5.0, 0.25, -0.5]))
    assert out[0] == np.inf and out[1] == -np.inf and list(out[2:]) == [0.25, -0.5]


def test_leave_pair_out_fits_only_the_marked_rows(tp: Any) -> None:
    # Unmarked rows carry the opposite relation; a fit on the marked rows alone ignores them.
    x = np.array([[0.0], [1.0], [1.0], [0.0]] * 30)
    y = np.array([0, 1, 0, 1] * 30)
    marked = np.array([True, True, False, False] * 30)
    groups = [f"g{i % 3}" for i in range(120)]
    out = tp.leave_pair_out(x, y, groups, marked)
    assert tp.auc(out[marked], y[marked]) == pytest.approx(1.0)


def test_bootstrap_gain_of_a_score_against_itself_is_zero(tp: Any) -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 600)
    s = y + rng.normal(0, 1, 600)
    sets = [f"s{i % 6}" for i in range(600)]
    same = tp.bootstrap_gain({"a": s, "b": s}, y, sets, "a", "b", n=50)
    assert same["p2.5"] == same["p97.5"] == 0.0
    better = tp.bootstrap_gain({"a": y * 10.0, "b": s}, y, sets, "a", "b", n=50)
    assert better["p2.5"] > 0
