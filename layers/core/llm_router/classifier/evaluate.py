"""Routing metrics: accuracy, per-tier precision and recall, the confusion matrix,
and the two errors that cost differently -- under-routing (a weaker tier than the
label: quality risk) and over-routing (a stronger one: money)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.classifier.tiers import TIERS

Labels = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    under_routing: float
    over_routing: float
    precision: dict[str, float]
    recall: dict[str, float]
    confusion: list[list[int]]  # rows: true tier, columns: predicted tier, in TIERS order

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def confusion_matrix(y_true: Labels, y_pred: Labels, n_classes: int = len(TIERS)) -> Labels:
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def evaluate(y_true: Labels, y_pred: Labels) -> Report:
    matrix = confusion_matrix(y_true, y_pred)
    diag = np.diag(matrix).astype(float)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    n = int(matrix.sum())
    return Report(
        n=n,
        accuracy=float(diag.sum() / max(n, 1)),
        under_routing=float(np.mean(y_pred < y_true)) if n else 0.0,
        over_routing=float(np.mean(y_pred > y_true)) if n else 0.0,
        precision={t: _ratio(diag[i], predicted[i]) for i, t in enumerate(TIERS)},
        recall={t: _ratio(diag[i], actual[i]) for i, t in enumerate(TIERS)},
        confusion=matrix.tolist(),
    )


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0
