"""The candidate models on tiny synthetic data where the right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from llm_router.classifier.models import (
    LexicalBlend,
    MLPEnsemble,
    NearestCentroid,
    NearestNeighbours,
    SoftmaxRegression,
    softmax,
)


def blobs(n_per_class: int = 30, dim: int = 8, spread: float = 0.3, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = np.eye(4, dim, dtype=np.float32) * 3
    x = np.vstack([c + spread * rng.standard_normal((n_per_class, dim)) for c in centres])
    y = np.repeat(np.arange(4), n_per_class).astype(np.int64)
    return x.astype(np.float32), y


@pytest.mark.parametrize(
    "model", [NearestCentroid(), SoftmaxRegression(l2=1e-3, iterations=300), NearestNeighbours(k=5)]
)
def test_separable_blobs_are_learned(model) -> None:
    x, y = blobs()
    model.fit(x, y, 4)
    x_test, y_test = blobs(seed=1)
    assert np.mean(model.scores(x_test).argmax(axis=1) == y_test) == 1.0


def test_nearest_centroid_scores_are_minus_half_squared_distance_up_to_a_constant() -> None:
    x, y = blobs(n_per_class=5)
    model = NearestCentroid()
    model.fit(x, y, 4)
    centroids = model.params()["centroids"]
    np.testing.assert_allclose(centroids[2], x[y == 2].mean(axis=0), rtol=1e-6)
    distance = -0.5 * ((x[:, None, :] - centroids[None]) ** 2).sum(-1)
    shift = distance - model.scores(x)
    np.testing.assert_allclose(shift - shift[:, :1], 0.0, atol=1e-4)


def test_logistic_regression_fits_overlapping_classes_better_than_chance_and_l2_shrinks() -> None:
    x, y = blobs(spread=2.0)
    weak, strong = SoftmaxRegression(l2=1e-4), SoftmaxRegression(l2=1.0)
    weak.fit(x, y, 4)
    strong.fit(x, y, 4)
    assert np.mean(weak.scores(x).argmax(axis=1) == y) > 0.6
    assert np.linalg.norm(strong.params()["weights"]) < np.linalg.norm(weak.params()["weights"])


def test_logistic_regression_reaches_the_optimum_gradient_is_zero() -> None:
    x, y = blobs(spread=1.5, n_per_class=20)
    model = SoftmaxRegression(l2=1e-2, iterations=3000)
    model.fit(x, y, 4)
    probs = softmax(model.scores(x))
    grad_w = x.T @ (probs - np.eye(4)[y]) / len(y) + 1e-2 * model.params()["weights"]
    assert np.abs(grad_w).max() < 1e-3


def test_knn_with_k1_returns_the_training_label() -> None:
    x, y = blobs(spread=2.0)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    model = NearestNeighbours(k=1)
    model.fit(x, y, 4)
    assert np.array_equal(model.scores(x).argmax(axis=1), y)
    np.testing.assert_allclose(np.exp(model.scores(x)).sum(axis=1), 1.0, rtol=1e-5)


def test_unfitted_model_says_so() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        SoftmaxRegression().scores(np.zeros((1, 3), np.float32))


def test_mlp_ensemble_learns_blobs_and_its_probabilities_sum_to_one() -> None:
    x, y = blobs()
    model = MLPEnsemble(hidden=16, members=3, epochs=30, batch=16)
    model.fit(x, y, 4)
    x_test, y_test = blobs(seed=1)
    scores = model.scores(x_test)
    assert np.mean(scores.argmax(axis=1) == y_test) == 1.0
    np.testing.assert_allclose(np.exp(scores).sum(axis=1), 1.0, rtol=1e-4)
    assert model.params()["w1"].shape == (3, 8, 16)


def test_mlp_ensemble_fits_a_non_linear_boundary_a_linear_model_cannot() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (400, 2)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1]) > 0).astype(np.int64)  # XOR quadrants
    mlp, linear = MLPEnsemble(hidden=32, members=2, epochs=80, batch=32), SoftmaxRegression()
    mlp.fit(x, y, 2)
    linear.fit(x, y, 2)
    assert np.mean(mlp.scores(x).argmax(axis=1) == y) > 0.9
    assert np.mean(linear.scores(x).argmax(axis=1) == y) < 0.7


def test_lexical_blend_fits_each_part_on_its_own_columns_and_adds_the_weighted_scores() -> None:
    x, y = blobs()
    lexical = np.zeros((len(y), 6), np.float32)
    lexical[np.arange(len(y)), y] = 1.0  # the lexical block alone gives the label away
    x_all = np.hstack([x, lexical])
    blend = LexicalBlend(lexical_dim=6, lexical_weight=0.5, hidden=16, members=2, epochs=20,
                         batch=16)
    blend.fit(x_all, y, 4)
    assert blend.mlp.params()["w1"].shape == (2, 8, 16)
    assert blend.params()["lexical_weights"].shape == (6, 4)
    mlp_part = blend.mlp.scores(x_all[:, :8])
    lexical_part = blend.lexical.scores(x_all[:, 8:])
    log_probs = np.log(softmax(lexical_part))
    np.testing.assert_allclose(blend.scores(x_all), mlp_part + 0.5 * log_probs, atol=1e-4)
    assert np.mean(blend.scores(x_all).argmax(axis=1) == y) == 1.0
    parts = blend.parts(x_all)  # what bench/classifier_loio.py keeps to reweight the blend
    np.testing.assert_array_equal(parts[0], mlp_part)
    np.testing.assert_allclose(parts[1], log_probs, atol=1e-5)
