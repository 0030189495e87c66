"""The candidate models, small enough to read: each maps a design matrix to per-tier
scores (log-probabilities up to a constant); ``calibration`` turns scores into
probabilities. Parameters are plain arrays so the artefact is a ``.npz``."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

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


class MLPEnsemble:
    """``members`` one-hidden-layer ReLU networks, each from its own seed, trained with
    Adam on minibatches, cross-entropy plus L2 and input dropout; the ensemble's score is
    the log of the members' mean probability (averaging makes the probabilities smoother
    and better calibrated than any one member)."""

    name = "mlp_ensemble"

    def __init__(self, hidden: int = 256, members: int = 5, epochs: int = 40,
                 l2: float = 1e-4, lr: float = 2e-3, dropout: float = 0.1,
                 batch: int = 64, seed: int = 0):
        self.hidden, self.members, self.epochs = hidden, members, epochs
        self.l2, self.lr, self.dropout, self.batch, self.seed = l2, lr, dropout, batch, seed
        self.w1: F32 | None = None  # (members, d, hidden)
        self.b1: F32 | None = None  # (members, hidden)
        self.w2: F32 | None = None  # (members, hidden, classes)
        self.b2: F32 | None = None  # (members, classes)

    def fit(self, x: F32, y: Labels, n_classes: int) -> None:
        layers = [self._fit_member(x, y, n_classes, self.seed + m) for m in range(self.members)]
        self.w1, self.b1, self.w2, self.b2 = (
            np.stack([layer[i] for layer in layers]).astype(np.float32) for i in range(4)
        )

    def _fit_member(self, x: F32, y: Labels, n_classes: int, seed: int) -> list[F32]:
        rng = np.random.default_rng(seed)
        n, d = x.shape
        params = [
            (rng.standard_normal((d, self.hidden)) * np.sqrt(2.0 / d)).astype(np.float32),
            np.zeros(self.hidden, np.float32),
            (rng.standard_normal((self.hidden, n_classes)) * np.sqrt(1.0 / self.hidden)
             ).astype(np.float32),
            np.zeros(n_classes, np.float32),
        ]
        moments = [np.zeros_like(p) for p in params]
        squares = [np.zeros_like(p) for p in params]
        onehot = np.eye(n_classes, dtype=np.float32)[y]
        keep = np.float32(1.0 - self.dropout)
        step = 0
        for _ in range(self.epochs):
            for rows in np.array_split(rng.permutation(n), max(1, n // self.batch)):
                xb = x[rows]
                if self.dropout:
                    xb = xb * (rng.random(xb.shape) < keep) / keep
                hidden = np.maximum(xb @ params[0] + params[1], 0.0)
                grad_out = (_softmax(hidden @ params[2] + params[3]) - onehot[rows]) / len(rows)
                grad_hidden = (grad_out @ params[2].T) * (hidden > 0)
                grads = [xb.T @ grad_hidden + self.l2 * params[0], grad_hidden.sum(axis=0),
                         hidden.T @ grad_out + self.l2 * params[2], grad_out.sum(axis=0)]
                step += 1
                for p, g, m, v in zip(params, grads, moments, squares, strict=True):
                    m *= 0.9
                    m += 0.1 * g
                    v *= 0.999
                    v += 0.001 * g * g
                    p -= (self.lr * (m / (1 - 0.9**step))
                          / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)).astype(np.float32)
        return params

    def scores(self, x: F32) -> F32:
        w1, b1, w2, b2 = (_fitted(a) for a in (self.w1, self.b1, self.w2, self.b2))
        hidden = np.maximum(x @ w1 + b1[:, None, :], 0.0)  # (members, n, hidden)
        logits = hidden @ w2 + b2[:, None, :]
        z = logits - logits.max(axis=2, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=2, keepdims=True)
        return np.log(np.maximum(probs.mean(axis=0), 1e-12)).astype(np.float32)

    def params(self) -> Params:
        return {"w1": _fitted(self.w1), "b1": _fitted(self.b1),
                "w2": _fitted(self.w2), "b2": _fitted(self.b2)}


class LexicalBlend:
    """The MLP ensemble over the dense columns (embedding and structural features) plus a
    softmax regression over the last ``lexical_dim`` columns (hashed n-grams,
    ``lexical.py``); the score adds the regression's log-probabilities, times
    ``lexical_weight``, to the ensemble's. Each part is fitted on its own columns."""

    name = "mlp_lexical"

    def __init__(self, lexical_dim: int = 4096, lexical_weight: float = 0.3,
                 lexical_l2: float = 1e-4, lexical_iterations: int = 300, **mlp: Any):
        self.lexical_dim, self.lexical_weight = lexical_dim, lexical_weight
        self.mlp = MLPEnsemble(**mlp)
        self.lexical = SoftmaxRegression(l2=lexical_l2, iterations=lexical_iterations)

    def fit(self, x: F32, y: Labels, n_classes: int) -> None:
        self.mlp.fit(x[:, : -self.lexical_dim], y, n_classes)
        self.lexical.fit(np.ascontiguousarray(x[:, -self.lexical_dim :]), y, n_classes)

    def scores(self, x: F32) -> F32:
        mlp, lexical = self.parts(x)
        return (mlp + np.float32(self.lexical_weight) * lexical).astype(np.float32)

    def parts(self, x: F32) -> tuple[F32, F32]:
        """The ensemble's log-probabilities and the regression's, before the blend (so a
        blend weight can be compared without refitting: neither part depends on it)."""
        return (self.mlp.scores(x[:, : -self.lexical_dim]),
                _log_softmax(self.lexical.scores(x[:, -self.lexical_dim :])))

    def params(self) -> Params:
        return self.mlp.params() | {
            "lexical_weights": _fitted(self.lexical.weights),
            "lexical_bias": _fitted(self.lexical.bias),
        }


def _log_softmax(z: F32) -> F32:
    z = z - z.max(axis=1, keepdims=True)
    return (z - np.log(np.exp(z).sum(axis=1, keepdims=True))).astype(np.float32)


def _softmax(z: F32) -> F32:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def softmax(z: F32) -> F32:
    return _softmax(np.atleast_2d(z))


def _fitted(value: A | None) -> A:
    if value is None:
        raise RuntimeError("model is not fitted")
    return value
