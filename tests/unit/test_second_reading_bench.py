"""bench/second_reading.py: recall at a matched false-hit budget from toy rows as
cache_losses.py --pairs-out writes them, the band's reading, and the logistic fitted with
each writer pair held out."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.unit.toy_rows import row

SCORES = ("s5", "both", "band:1", "band:2", "band:3", "lr", "lr+cf", "lr-near")


@pytest.fixture(scope="module")
def bench(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("second_reading")


def scored(rows: list[dict[str, Any]], values: list[float]
           ) -> dict[tuple[str, str], dict[str, float]]:
    """Every score of every row at its value."""
    return {(r["set"], r["id"]): dict.fromkeys(SCORES, v)
            for r, v in zip(rows, values, strict=True)}


def test_the_budget_is_a_count_of_the_negatives(bench: ModuleType) -> None:
    """200 negatives: 1 % is two false hits; the threshold passes no more, and the
    positives over it are the hits."""
    negs = [row("heldout54", i, 0, 0.5) for i in range(200)]
    poss = [row("heldout54", 200 + i, 1, 0.5) for i in range(10)]
    values = [5.0, 4.0, 3.0, *([0.0] * 197), *[float(v) for v in range(10)]]
    pool = bench.Pool(negs + poss, scored(negs + poss, values))
    got = pool.recall(["heldout54"], "s5", 1.0)
    assert (got["false_hits"], got["threshold"]) == (2, 3.0)
    assert got["hits"] == 6  # 4 .. 9 are over 3
    assert pool.recall(["heldout54"], "s5", 0.5)["false_hits"] == 1


def test_a_respelled_negative_spends_the_budget_and_refused_rows_stay_refused(
        bench: ModuleType) -> None:
    negs = [row("heldout54", i, 0, 0.5) for i in range(100)]
    negs[0]["respelling"] = ["case"]  # a hit whatever the verifier says
    poss = [row("heldout54", 100, 1, 0.5), row("heldout54", 101, 1, None),
            row("heldout54", 102, 1, 0.5, similarity=0.4), row("heldout54", 103, 1, 0.5)]
    poss[3]["more"] = True  # extra_ask refuses it after the verifier
    rows = negs + poss
    judged = [r for r in rows if bench.reaches(r) and not bench.refused_after(r)]
    assert len(judged) == 100  # 99 negatives, one positive
    pool = bench.Pool(rows, scored(judged, [*[float(v) for v in range(99)], 97.5]))
    got = pool.recall(["heldout54"], "s5", 1.0)  # one false hit allowed: the respelled one
    assert (got["hits"], got["false_hits"], got["positives"]) == (0, 1, 4)
    got = pool.recall(["heldout54"], "s5", 2.0)  # and one negative candidate: 98
    assert (got["hits"], got["false_hits"], got["threshold"]) == (1, 2, 97.0)


def test_resampled_sets_count_again(bench: ModuleType) -> None:
    rows = [row("heldout54", 0, 1, 0.9), row("heldout54", 1, 0, 0.1),
            row("heldout55", 0, 1, 0.9), row("heldout55", 1, 0, 0.1)]
    pool = bench.Pool(rows, scored(rows, [1.0, -1.0, -2.0, -1.5]))
    twice = pool.at(["heldout54", "heldout54"], "s5", 0.0)
    assert (twice["hits"], twice["positives"], twice["negatives"]) == (2, 2, 2)


def test_the_band_reads_both_orders_only_near_the_cut(bench: ModuleType) -> None:
    c = bench.CUT_LOGIT
    qf = np.asarray([c - 2.5, c - 0.5, c + 1.5, c + 1.9, 9.0])
    got = bench.band_score(qf, qf - 4.0, 2.0)
    assert got.tolist() == pytest.approx([c - 2.5, c - 2.5, c - 0.5, c - 0.1, 9.0])


def test_each_writer_pairs_scores_come_from_a_fit_that_never_read_them(
        bench: ModuleType) -> None:
    rng = np.random.default_rng(0)
    sets = ["heldout54", "heldout55", "heldout56", "heldout57", "heldout58", "heldout59"]
    rows = [row(s, i, int(i % 2), 0.9) for s in sets for i in range(60)]
    x = rng.normal(size=(len(rows), 3))
    y = np.asarray([float(r["label"]) for r in rows])
    x[:, 1] += 2 * y  # the second feature carries the label
    every = np.ones(len(rows), bool)
    first = bench.out_of_fold(rows, x, y, every)
    flipped = y.copy()
    held = np.asarray([bench.writer_pair(r["set"]) == "heldout56-57" for r in rows])
    flipped[held] = 1 - flipped[held]
    second = bench.out_of_fold(rows, x, flipped, every)
    assert np.allclose(first[held], second[held])  # its own labels never read
    assert not np.allclose(first[~held], second[~held])  # the others' fits read them
    assert np.mean(first[y == 1]) > np.mean(first[y == 0]) + 1.0


def test_writer_pairs_are_even_odd(bench: ModuleType) -> None:
    assert bench.writer_pair("heldout54") == bench.writer_pair("heldout55") == "heldout54-55"
    assert bench.writer_pair("heldout81") == "heldout80-81"


def test_one_writer_pair_gets_the_unfitted_scores_only(bench: ModuleType,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh decision set of one writer pair has no other pair to fit the logistic on:
    ``curve`` asks for the unfitted scores, and no fit runs."""
    def no_fit(*args: Any) -> None:
        raise AssertionError("a fit ran")

    monkeypatch.setattr(bench, "out_of_fold", no_fit)
    rows = [row("heldout82", i, int(i % 2), 0.9) for i in range(6)]
    qf = np.linspace(-3.0, 5.0, 6)
    got = bench.decision_scores(rows, qf, qf + 1.0, fits=False)
    assert tuple(got) == bench.UNFITTED == ("s5", "both", "band:1", "band:2", "band:3")
    pool = bench.Pool(rows, {(r["set"], r["id"]): {n: float(got[n][i]) for n in got}
                             for i, r in enumerate(rows)}, bench.UNFITTED)
    assert pool.at(["heldout82"], "band:2", bench.CUT_LOGIT)["negatives"] == 3
