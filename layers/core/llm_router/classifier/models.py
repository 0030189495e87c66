"""The candidate models, small enough to read: each maps a design matrix to per-tier
scores (log-probabilities up to a constant); ``calibration`` turns scores into
probabilities. Parameters are plain arrays so the artefact is a ``.npz``."""

from __future__ import annotations

from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
Params = dict[str, npt.NDArray[np.generic]]
A = TypeVar("A")


class Model(Protocol):
    name: str

    def fit(self, x: F32, y: Labels, n_classes: int) -> None: ...

    def scores(self, x: F32) -> F32: ...

    def params(self) -> Params: ...


class NearestCentroid:
    """Score = minus half the squared distance to each class mean."""

    name = "nearest_centroid"

    def __init__(self, centroids: F32 | None = None):
        self.centroids = centroids

    def fit(self, x: F32, y: Labels, n_classes: int) -> None:
        self.centroids = np.stack([x[y == c].mean(axis=0) for c in range(n_classes)])

    def scores(self, x: F32) -> F32:
        c = _fitted(self.centroids)
        return (x @ c.T - 0.5 * np.sum(c * c, axis=1)).astype(np.float32)

    def params(self) -> Params:
        return {"centroids": _fitted(self.centroids)}


class SoftmaxRegression:
    """Multinomial logistic regression with an L2 penalty on the weights (not the
    bias), fitted by Nesterov-accelerated full-batch gradient descent: the loss is
    convex and smooth, so a fixed 1/L step converges without line searches."""

    name = "logistic_regression"

    def __init__(self, l2: float = 1e-3, iterations: int = 1500):
        self.l2 = l2
        self.iterations = iterations
        self.weights: F32 | None = None
        self.bias: F32 | None = None

    def fit(self, x: F32, y: Labels, n_classes: int) -> None:
        n, d = x.shape
        onehot = np.eye(n_classes, dtype=np.float32)[y]
        # Lipschitz constant of the gradient: ||[x 1]||_2^2 / n bounds the softmax Hessian.
        xb = np.hstack([x, np.ones((n, 1), np.float32)])
        step = 1.0 / (0.5 * np.linalg.norm(xb, 2) ** 2 / n + self.l2)
        theta = np.zeros((d + 1, n_classes), np.float32)
        previous = theta.copy()
        for t in range(1, self.iterations + 1):
            look = (theta + ((t - 1) / (t + 2)) * (theta - previous)).astype(np.float32)
            grad = xb.T @ (_softmax(xb @ look) - onehot) / n
            grad[:-1] += self.l2 * look[:-1]
            previous, theta = theta, (look - step * grad).astype(np.float32)
        self.weights, self.bias = theta[:-1], theta[-1]

    def scores(self, x: F32) -> F32:
        return (x @ _fitted(self.weights) + _fitted(self.bias)).astype(np.float32)

    def params(self) -> Params:
        return {"weights": _fitted(self.weights), "bias": _fitted(self.bias)}


class NearestNeighbours:
    """k most similar training rows (dot product: cosine on the embedding part),
    votes weighted by exp(similarity / tau), add-alpha smoothed, as log-probabilities."""

    name = "knn"

    def __init__(self, k: int = 10, tau: float = 0.05, alpha: float = 0.1):
        self.k, self.tau, self.alpha = k, tau, alpha
        self.bank: F32 | None = None
        self.labels: Labels | None = None
        self.n_classes = 0

    def fit(self, x: F32, y: Labels, n_classes: int) -> None:
        self.bank, self.labels, self.n_classes = x.copy(), y.copy(), n_classes

    def scores(self, x: F32) -> F32:
        bank, labels = _fitted(self.bank), _fitted(self.labels)
        sims = x @ bank.T
        k = min(self.k, len(labels))
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        weights = np.exp((top_sims - top_sims.max(axis=1, keepdims=True)) / self.tau)
        votes = np.full((len(x), self.n_classes), self.alpha, dtype=np.float64)
        for c in range(self.n_classes):
            votes[:, c] += np.sum(weights * (labels[top] == c), axis=1)
        return np.log(votes / votes.sum(axis=1, keepdims=True)).astype(np.float32)

    def params(self) -> Params:
        return {"bank": _fitted(self.bank), "labels": _fitted(self.labels)}


def _softmax(z: F32) -> F32:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def softmax(z: F32) -> F32:
    return _softmax(np.atleast_2d(z))


def _fitted(value: A | None) -> A:
    if value is None:
        raise RuntimeError("model is not fitted")
    return value
