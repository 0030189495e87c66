from __future__ import annotations

import numpy as np

from llm_router.classifier.calibration import (
    expected_calibration_error,
    fit_temperature,
    fit_vector_scaling,
)
from llm_router.classifier.models import softmax


def _sampled(temperature: float, n: int = 4000, seed: int = 0):
    rng = np.random.default_rng(seed)
    scores = (rng.standard_normal((n, 4)) * 3).astype(np.float32)
    probs = softmax(scores / np.float32(temperature))
    labels = np.array([rng.choice(4, p=p / p.sum()) for p in probs], dtype=np.int64)
    return scores, labels


def test_temperature_is_recovered_from_labels_drawn_at_that_temperature() -> None:
    scores, labels = _sampled(2.0)
    assert abs(fit_temperature(scores, labels) - 2.0) < 0.25


def test_calibrated_probabilities_have_small_ece_and_overconfident_ones_do_not() -> None:
    scores, labels = _sampled(2.0)
    calibrated = softmax(scores / np.float32(2.0))
    overconfident = softmax(scores / np.float32(0.3))
    assert expected_calibration_error(calibrated, labels) < 0.03
    assert expected_calibration_error(overconfident, labels) > 0.1


def test_vector_scaling_recovers_a_tier_bias_that_a_temperature_cannot() -> None:
    rng = np.random.default_rng(1)
    scores = (rng.standard_normal((6000, 4)) * 3).astype(np.float32)
    shift = np.array([0.0, 1.0, -0.5, -0.5], dtype=np.float32)  # moderate drawn more often
    probs = softmax(scores / np.float32(2.0) + shift)
    labels = np.array([rng.choice(4, p=p / p.sum()) for p in probs], dtype=np.int64)
    temperature, bias = fit_vector_scaling(scores, labels)
    assert abs(temperature - 2.0) < 0.3
    assert abs(float(bias.sum())) < 1e-4  # only differences between tiers matter
    assert np.allclose(bias, shift - shift.mean(), atol=0.15)
