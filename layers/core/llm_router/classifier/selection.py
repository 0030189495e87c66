"""Candidate configurations and cross-validation over them, grouped by source (a source
is never on both sides of a fold), so CV scores measure transfer to a source the model
has not seen. Only ever given the training split: the held-out split is for the
benchmark alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.classifier.features import design_matrix
from llm_router.classifier.heuristic import keyword_scores
from llm_router.classifier.lexical import hashed_ngrams
from llm_router.classifier.models import (
    LexicalBlend,
    MLPEnsemble,
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

    def lexical(self, texts: Sequence[str]) -> F32 | None:
        """The hashed n-gram block, for a model that reads one."""
        dim = int(self.hyper.get("lexical_dim", 0))
        return hashed_ngrams(texts, dim) if dim else None

    def build(self) -> Model:
        if self.family == NearestCentroid.name:
            return NearestCentroid()
        if self.family == SoftmaxRegression.name:
            return SoftmaxRegression(**self.hyper)
        if self.family == NearestNeighbours.name:
            return NearestNeighbours(**self.hyper)
        if self.family == MLPEnsemble.name:
            return MLPEnsemble(**self.hyper)
        if self.family == LexicalBlend.name:
            return LexicalBlend(**self.hyper)
        raise ValueError(f"{self.family} has no trainable model")


def candidates() -> list[Candidate]:
    """The baselines (keyword heuristic, nearest centroid, kNN, logistic regression, at
    the settings that won the first data set's grid) and the MLP ensemble; feature weight
    0 would be the embedding alone."""
    return [
        Candidate(HEURISTIC),
        Candidate(NearestCentroid.name, feature_weight=0.15),
        Candidate(NearestNeighbours.name, {"k": 15}, 0.15),
        Candidate(SoftmaxRegression.name, {"l2": 1e-4}, 1.0),
        Candidate(
            MLPEnsemble.name, {"hidden": 256, "members": 5, "epochs": 30, "dropout": 0.3}, 1.0
        ),
        shipped_candidate(),
    ]


def shipped_candidate() -> Candidate:
    """The configuration the artefact ships (``bench/classifier_loio.py`` compares
    others against it, leaving one independent set out at a time)."""
    return Candidate(
        LexicalBlend.name,
        {"hidden": 256, "members": 5, "epochs": 30, "dropout": 0.3,
         "lexical_dim": 4096, "lexical_weight": 0.3},
        1.0,
    )


@dataclass(frozen=True)
class Data:
    """Aligned training rows: texts, embeddings, raw cheap features, labels."""

    texts: list[str]
    embeddings: F32
    features: F32
    labels: Labels
    groups: list[str]  # the CV group of each row (its source)

    def take(self, index: npt.NDArray[np.intp]) -> Data:
        return Data(
            [self.texts[i] for i in index],
            self.embeddings[index],
            self.features[index],
            self.labels[index],
            [self.groups[i] for i in index],
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
        return self.model.scores(self.design(data))

    def design(self, data: Data) -> F32:
        """The model's input columns for ``data``."""
        return design_matrix(
            data.embeddings,
            data.features,
            self.feature_mean,
            self.feature_scale,
            self.candidate.feature_weight,
            self.candidate.lexical(data.texts),
        )


def fit(candidate: Candidate, data: Data) -> Fitted:
    mean = data.features.mean(axis=0)
    scale = np.maximum(data.features.std(axis=0), np.float32(1e-6))
    if candidate.family == HEURISTIC:
        return Fitted(candidate, None, mean, scale)
    model = candidate.build()
    x = design_matrix(data.embeddings, data.features, mean, scale, candidate.feature_weight,
                      candidate.lexical(data.texts))
    model.fit(x, data.labels, len(TIERS))
    return Fitted(candidate, model, mean, scale)


def group_folds(groups: Sequence[str], k: int, seed: int,
                pinned: Sequence[str] = ()) -> npt.NDArray[np.intp]:
    """Fold number per row, whole groups at a time: groups are shuffled and each goes to
    the fold with the fewest rows so far, largest groups first, so folds stay similar
    in size. The ``pinned`` groups (present ones, in the order given) go first, one to
    each fold in turn, so no two of them share a fold while there are folds enough."""
    names, sizes = np.unique(np.asarray(groups), return_counts=True)
    order = np.random.default_rng(seed).permutation(len(names))
    order = order[np.argsort(-sizes[order], kind="stable")]
    load, fold_of = np.zeros(k, dtype=np.intp), {}
    index = {str(name): i for i, name in enumerate(names)}
    for n, name in enumerate(g for g in pinned if g in index):
        fold_of[name] = n % k
        load[n % k] += sizes[index[name]]
    for i in order:
        if str(names[i]) in fold_of:
            continue
        fold = int(np.argmin(load))
        fold_of[str(names[i])] = fold
        load[fold] += sizes[i]
    return np.array([fold_of[g] for g in groups], dtype=np.intp)


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
