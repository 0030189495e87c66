from __future__ import annotations

import numpy as np

from llm_router.classifier.selection import candidates, group_folds


def test_folds_keep_each_group_whole_cover_every_row_and_stay_balanced() -> None:
    groups = [f"g{i}" for i, size in enumerate([120, 90, 60, 50, 40, 30, 30, 20, 10])
              for _ in range(size)]
    folds = group_folds(groups, 5, seed=3)
    for g in set(groups):
        assert len({int(f) for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    sizes = np.bincount(folds, minlength=5)
    assert sizes.min() > 0 and sizes.max() <= 120
    assert np.array_equal(folds, group_folds(groups, 5, seed=3))


def test_candidate_keys_are_unique_and_every_family_is_compared() -> None:
    grid = candidates()
    assert len({c.key for c in grid}) == len(grid)
    assert {c.family for c in grid} == {
        "keyword_heuristic",
        "nearest_centroid",
        "logistic_regression",
        "knn",
        "mlp_ensemble",
        "mlp_lexical",
    }


def test_pinned_groups_each_get_a_fold_of_their_own() -> None:
    groups = ([f"ind{i}" for i in range(1, 6) for _ in range(100)]
              + [f"own{i}" for i in range(12) for _ in range(30)])
    pinned = [f"ind{i}" for i in range(1, 6)]
    folds = group_folds(groups, 5, seed=1, pinned=pinned)
    fold_of = {g: int(f) for f, g in zip(folds, groups, strict=True)}
    assert sorted(fold_of[g] for g in pinned) == [0, 1, 2, 3, 4]
    # The other groups still fill the folds evenly around the pinned ones.
    sizes = np.bincount(folds, minlength=5)
    assert sizes.max() - sizes.min() <= 30
    # A pinned name absent from the data is skipped, not given a fold.
    assert np.array_equal(group_folds(groups, 5, seed=1, pinned=["nope", *pinned]), folds)
