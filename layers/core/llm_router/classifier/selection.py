"""Candidate configurations and stratified cross-validation over them. Only ever
given the training split: the held-out split is for the benchmark alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.classifier.features import design_matrix
from llm_router.classifier.heuristic import keyword_scores
from llm_router.classifier.models import (
    Model,
    NearestCentroid,
    NearestNeighbours,
    SoftmaxRegression,
)
from llm_router.classifier.tiers import TIERS

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
HEURISTIC = "keyword_heuristic"


@dataclass(frozen=True)
class Candidate:
    family: str
    hyper: dict[str, Any] = field(default_factory=dict)
    feature_weight: float = 0.0

    @property
    def key(self) -> str:
        params = ",".join(f"{k}={v}" for k, v in sorted(self.hyper.items()))
        return f"{self.family}[{params}{',' if params else ''}features={self.feature_weight}]"

    def build(self) -> Model:
        if self.family == NearestCentroid.name:
            return NearestCentroid()
        if self.family == SoftmaxRegression.name:
            return SoftmaxRegression(**self.hyper)
        if self.family == NearestNeighbours.name:
            return NearestNeighbours(**self.hyper)
        raise ValueError(f"{self.family} has no trainable model")


def candidates() -> list[Candidate]:
    """A small grid per family; feature weight 0 is the embedding alone."""
    grid = [Candidate(HEURISTIC)]
    grid += [Candidate(NearestCentroid.name, feature_weight=w) for w in (0.0, 0.15, 0.5)]
    grid += [
        Candidate(SoftmaxRegression.name, {"l2": l2}, w)
        for l2 in (1e-4, 1e-3, 1e-2)
        for w in (0.0, 0.5, 1.0)
    ]
    grid += [Candidate(NearestNeighbours.name, {"k": k}, w) for k in (5, 15) for w in (0.0, 0.15)]
    return grid


@dataclass(frozen=True)
class Data:
    """Aligned training rows: texts, embeddings, raw cheap features, labels."""

    texts: list[str]
    embeddings: F32
    features: F32
    labels: Labels

    def take(self, index: npt.NDArray[np.intp]) -> Data:
        return Data(
            [self.texts[i] for i in index],
            self.embeddings[index],
            self.features[index],
            self.labels[index],
        )


@dataclass(frozen=True)
class Fitted:
    candidate: Candidate
    model: Model | None  # None for the heuristic, which has nothing to fit
    feature_mean: F32
    feature_scale: F32

    def scores(self, data: Data) -> F32:
        if self.model is None:
            return keyword_scores(data.texts)
        x = design_matrix(
            data.embeddings,
            data.features,
            self.feature_mean,
            self.feature_scale,
            self.candidate.feature_weight,
        )
        return self.model.scores(x)


def fit(candidate: Candidate, data: Data) -> Fitted:
    mean = data.features.mean(axis=0)
    scale = np.maximum(data.features.std(axis=0), np.float32(1e-6))
    if candidate.family == HEURISTIC:
        return Fitted(candidate, None, mean, scale)
    model = candidate.build()
    x = design_matrix(data.embeddings, data.features, mean, scale, candidate.feature_weight)
    model.fit(x, data.labels, len(TIERS))
    return Fitted(candidate, model, mean, scale)


def stratified_folds(labels: Labels, k: int, seed: int) -> npt.NDArray[np.intp]:
    """Fold number per row; each label is spread round-robin over shuffled folds."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=np.intp)
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        folds[rows] = (np.arange(len(rows)) + rng.integers(k)) % k
    return folds


def out_of_fold_scores(candidate: Candidate, data: Data, folds: npt.NDArray[np.intp]) -> F32:
    scores = np.zeros((len(data.labels), len(TIERS)), dtype=np.float32)
    for fold in np.unique(folds):
        train_rows, test_rows = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        scores[test_rows] = fit(candidate, data.take(train_rows)).scores(data.take(test_rows))
    return scores


def best_per_family(results: Sequence[tuple[Candidate, float, float]]) -> list[Candidate]:
    """From (candidate, accuracy, under_routing) rows, the best config of each family."""
    best: dict[str, tuple[Candidate, float, float]] = {}
    for row in results:
        held = best.get(row[0].family)
        if held is None or (row[1], -row[2]) > (held[1], -held[2]):
            best[row[0].family] = row
    return [row[0] for row in best.values()]
