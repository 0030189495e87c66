"""Temperature scaling: one scalar T so that softmax(scores / T) is calibrated on
out-of-fold predictions. It never changes which tier wins, only how sure it says it is,
which is what the cost-aware decision relies on."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from llm_router.classifier.models import softmax

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


def negative_log_likelihood(scores: F32, y: Labels, temperature: float) -> float:
    probs = softmax(scores / np.float32(temperature))
    return float(-np.mean(np.log(np.maximum(probs[np.arange(len(y)), y], 1e-12))))


def fit_temperature(scores: F32, y: Labels) -> float:
    """Minimise NLL over T on a log grid, then refine around the best point."""
    grid = np.exp(np.linspace(np.log(0.01), np.log(100.0), 121))
    best = min(grid, key=lambda t: negative_log_likelihood(scores, y, float(t)))
    fine = best * np.exp(np.linspace(-0.06, 0.06, 25))
    return float(min(fine, key=lambda t: negative_log_likelihood(scores, y, float(t))))


def expected_calibration_error(probs: F32, y: Labels, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by size."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(total)


def fit_vector_scaling(scores: F32, y: Labels, iterations: int = 3000) -> tuple[float, F32]:
    """Temperature and one additive bias per tier (``softmax(scores / T + bias)``),
    minimising the NLL. The logits are linear in (1/T, bias), so the loss is convex and
    plain gradient descent with a fixed step converges; the biases sum to zero. The bias
    moves where the boundary between two tiers falls, which a temperature cannot: fitted
    on one writer's scores by models that never saw that writer, it learns how far our
    own batches' sense of a boundary sits from an outsider's."""
    s = np.asarray(scores, dtype=np.float64)
    onehot = np.eye(s.shape[1])[y]
    inv_t = 1.0 / fit_temperature(scores, y)
    bias = np.zeros(s.shape[1])
    # Step: the softmax Hessian is at most 1/2; scale by the mean squared score for 1/T.
    step_t = 1.0 / max(float(np.mean(np.sum(s * s, axis=1))), 1e-6)
    for _ in range(iterations):
        z = inv_t * s + bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / len(y)
        inv_t -= step_t * float(np.sum(g * s))
        bias -= 1.0 * g.sum(axis=0)
        bias -= bias.mean()
    return float(1.0 / inv_t), bias.astype(np.float32)
