from __future__ import annotations

import numpy as np

from llm_router.classifier.selection import candidates, stratified_folds


def test_folds_are_stratified_and_cover_every_row() -> None:
    labels = np.repeat(np.arange(4), [40, 31, 25, 12]).astype(np.int64)
    folds = stratified_folds(labels, 5, seed=3)
    for label in range(4):
        counts = np.bincount(folds[labels == label], minlength=5)
        assert counts.max() - counts.min() <= 1
    assert np.array_equal(folds, stratified_folds(labels, 5, seed=3))


def test_candidate_keys_are_unique_and_every_family_is_compared() -> None:
    grid = candidates()
    assert len({c.key for c in grid}) == len(grid)
    assert {c.family for c in grid} == {
        "keyword_heuristic",
        "nearest_centroid",
        "logistic_regression",
        "knn",
    }
