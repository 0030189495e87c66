"""Train the shipped classifier: cross-validate every candidate on the training split,
pick the most accurate, calibrate its confidence on out-of-fold predictions, choose the
escalation threshold, refit on the whole training split and write the artefact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.classifier.calibration import expected_calibration_error, fit_temperature
from llm_router.classifier.dataset import Example, split
from llm_router.classifier.evaluate import escalated_predictions, evaluate
from llm_router.classifier.features import FEATURE_NAMES, text_features
from llm_router.classifier.models import softmax
from llm_router.classifier.runtime import ARRAYS, METADATA
from llm_router.classifier.selection import (
    HEURISTIC,
    Candidate,
    Data,
    best_per_family,
    candidates,
    fit,
    out_of_fold_scores,
    stratified_folds,
)
from llm_router.classifier.tiers import TIERS, tier_index
from llm_router.embedding.artefact import npz_bytes
from llm_router.embedding.base import Embedder

FORMAT_VERSION = 1
UNDER_ROUTING_TARGET = 0.025  # margin under the 3% budget for held-out noise
F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Artefact:
    metadata: dict[str, Any]
    arrays: dict[str, npt.NDArray[np.generic]]


def training_data(examples: list[Example], embedder: Embedder) -> Data:
    rows = split(examples, "train")
    texts = [e.query for e in rows]
    labels = np.array([tier_index(e.label) for e in rows], dtype=np.int64)
    return Data(texts, embedder.embed(texts), text_features(texts), labels)


def choose_min_confidence(probs: F32, labels: Labels, target: float) -> float:
    """Smallest threshold whose escalated predictions under-route at most ``target``."""
    for threshold in np.round(np.arange(0.0, 1.0, 0.05), 2):
        under = float(np.mean(escalated_predictions(probs, float(threshold)) < labels))
        if under <= target:
            return float(threshold)
    return 0.95


def cv_summary(candidate: Candidate, scores: F32, labels: Labels) -> dict[str, Any]:
    temperature = fit_temperature(scores, labels)
    probs = softmax(scores / np.float32(temperature))
    report = evaluate(labels, scores.argmax(axis=1))
    return {
        "config": candidate.key,
        "temperature": temperature,
        "ece_calibrated": expected_calibration_error(probs, labels),
        **report.to_dict(),
    }


def train(
    examples: list[Example],
    embedder: Embedder,
    *,
    data_sha256: str,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] = lambda _: None,
) -> Artefact:
    progress(f"embedding {len(split(examples, 'train'))} training queries")
    data = training_data(examples, embedder)
    fold_of = stratified_folds(data.labels, folds, seed)
    results, oof = [], {}
    for candidate in candidates():
        scores = out_of_fold_scores(candidate, data, fold_of)
        accuracy = float(np.mean(scores.argmax(axis=1) == data.labels))
        under = float(np.mean(scores.argmax(axis=1) < data.labels))
        results.append((candidate, accuracy, under))
        oof[candidate.key] = scores
        progress(f"cv {candidate.key}: accuracy {accuracy:.3f} under-routing {under:.3f}")
    finalists = best_per_family(results)
    chosen = max(
        (c for c in finalists if c.family != HEURISTIC),
        key=lambda c: next((a, -u) for k, a, u in results if k == c),
    )
    summaries = {c.family: cv_summary(c, oof[c.key], data.labels) for c in finalists}
    temperature = summaries[chosen.family]["temperature"]
    calibrated = softmax(oof[chosen.key] / np.float32(temperature))
    min_confidence = choose_min_confidence(calibrated, data.labels, UNDER_ROUTING_TARGET)
    progress(
        f"chosen {chosen.key}, temperature {temperature:.3f}, "
        f"escalate below confidence {min_confidence:.2f}"
    )
    fitted = fit(chosen, data)
    assert fitted.model is not None
    arrays = dict(fitted.model.params()) | {
        "feature_mean": fitted.feature_mean,
        "feature_scale": fitted.feature_scale,
    }
    metadata = {
        "format_version": FORMAT_VERSION,
        "version": f"{FORMAT_VERSION}.{data_sha256[:8]}.{chosen.family}",
        "labels": list(TIERS),
        "model": chosen.family,
        "hyperparameters": chosen.hyper,
        "embedder": embedder.model_id,
        "features": {"names": list(FEATURE_NAMES), "weight": chosen.feature_weight},
        "temperature": temperature,
        "recommended_min_confidence": min_confidence,
        "training_data": {
            "path": "data/classifier/queries.jsonl",
            "sha256": data_sha256,
            "train_rows": len(data.labels),
            "folds": folds,
            "seed": seed,
        },
        "cv": {"best_per_family": summaries, "all": {c.key: a for c, a, _ in results}},
    }
    return Artefact(metadata, arrays)


def write_artefact(artefact: Artefact, out: Path) -> Path:
    raw = npz_bytes(artefact.arrays)
    metadata = artefact.metadata | {"files": {ARRAYS: hashlib.sha256(raw).hexdigest()}}
    out.mkdir(parents=True, exist_ok=True)
    (out / ARRAYS).write_bytes(raw)
    (out / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return out / METADATA
