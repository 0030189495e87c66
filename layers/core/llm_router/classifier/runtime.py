"""What the router imports: load the shipped artefact once per container, classify one
query from its embedding and text, and pick the tier to route to by expected error cost
(``decision``), which routes an unsure answer up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import npz_arrays, read_verified
from llm_router.classifier.decision import decide, two_asks_up
from llm_router.classifier.features import design_matrix, text_features
from llm_router.classifier.lexical import hashed_ngrams
from llm_router.classifier.models import (
    LexicalBlend,
    MLPEnsemble,
    Model,
    NearestCentroid,
    NearestNeighbours,
    Params,
    SoftmaxRegression,
    softmax,
)
from llm_router.classifier.tiers import TIERS, Tier
from llm_router.errors import ConfigError

F32 = npt.NDArray[np.float32]
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "classifier"
METADATA = "classifier.json"
ARRAYS = "classifier.npz"


@dataclass(frozen=True)
class Classification:
    label: Tier
    confidence: float  # calibrated probability of ``label``
    probabilities: tuple[float, ...]  # one per tier, in ``TIERS`` order


class ComplexityClassifier:
    def __init__(self, model: Model, metadata: dict[str, Any], arrays: Params):
        self.model = model
        self.metadata = metadata
        self.temperature = float(metadata["temperature"])
        self.feature_weight = float(metadata["features"]["weight"])
        self.lexical_dim = int(metadata["features"].get("lexical_dim", 0))
        # The artefact recommends the ratio its calibration supports; config may override.
        self.under_cost = float(metadata["recommended_under_routing_cost"])
        self.embedder_id = str(metadata["embedder"])
        self._mean = np.asarray(arrays["feature_mean"], dtype=np.float32)
        self._scale = np.asarray(arrays["feature_scale"], dtype=np.float32)

    def probabilities(self, texts: list[str], embeddings: F32) -> F32:
        """Calibrated tier probabilities, one row per (text, embedding) pair."""
        x = design_matrix(
            np.atleast_2d(embeddings),
            text_features(texts),
            self._mean,
            self._scale,
            self.feature_weight,
            hashed_ngrams(texts, self.lexical_dim) if self.lexical_dim else None,
        )
        return softmax(self.model.scores(x) / np.float32(self.temperature))

    def classify_many(self, texts: list[str], embeddings: F32) -> list[Classification]:
        return [_classification(row) for row in self.probabilities(texts, embeddings)]

    def classify(self, text: str, embedding: F32) -> Classification:
        """``embedding`` must come from the embedder named in ``embedder_id``."""
        return _classification(self.probabilities([text], embedding)[0])


class Routing(NamedTuple):
    """One query's decision: ``plain`` by expected cost alone, ``tier`` where it goes."""

    plain: Tier
    tier: Tier  # ``plain``, or moderate where the two-asks override moved a simple one

    @property
    def two_asks(self) -> bool:
        """The two-asks override moved it (the only step after the cost decision)."""
        return self.tier != self.plain


def routing(classification: Classification, under_cost: float, text: str | None = None
            ) -> Routing:
    """The tier to route to: the one with the lowest expected error cost when one tier
    of under-routing costs ``under_cost`` times one tier of over-routing. A sure answer
    keeps its label; an unsure one moves up (a weak model on a hard query costs quality,
    a strong model on an easy one only money). With the query's ``text``, the two-asks
    override follows (``decision.two_asks_up``: simple -> moderate); None leaves it off.
    One ``decide`` gives both tiers, so the router can record whether the override moved
    the query without deciding twice."""
    probs = np.asarray(classification.probabilities, dtype=np.float32)
    plain = decide(probs, under_cost)
    routed = plain if text is None else two_asks_up(plain, probs, [text])
    return Routing(TIERS[int(plain[0])], TIERS[int(routed[0])])


def route(classification: Classification, under_cost: float, text: str | None = None
          ) -> Tier:
    """``routing(...).tier``: the tier alone, for callers that do not need the plain one."""
    return routing(classification, under_cost, text).tier


def load_classifier(
    directory: Path | None = None, *, embedder_id: str | None = None
) -> ComplexityClassifier:
    """Load and verify the artefact. Passing ``embedder_id`` refuses an artefact trained
    on another embedder, whose vectors would be meaningless to it."""
    directory = directory or DEFAULT_DIR
    try:
        metadata = json.loads((directory / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"no classifier artefact in {directory}: {exc}") from exc
    if embedder_id is not None and metadata["embedder"] != embedder_id:
        raise ConfigError(
            f"classifier was trained on {metadata['embedder']}, not {embedder_id}; "
            "run `llm-router train`"
        )
    raw = read_verified(directory / ARRAYS, metadata["files"][ARRAYS], what="classifier")
    arrays: Params = npz_arrays(raw)
    model = restore_model(metadata["model"], metadata["hyperparameters"], arrays)
    return ComplexityClassifier(model, metadata, arrays)


def restore_model(name: str, hyper: dict[str, Any], arrays: Params) -> Model:
    if name == NearestCentroid.name:
        return NearestCentroid(np.asarray(arrays["centroids"], dtype=np.float32))
    if name == SoftmaxRegression.name:
        regression = SoftmaxRegression(**hyper)
        regression.weights = np.asarray(arrays["weights"], dtype=np.float32)
        regression.bias = np.asarray(arrays["bias"], dtype=np.float32)
        return regression
    if name == MLPEnsemble.name:
        return _restore_mlp(MLPEnsemble(**hyper), arrays)
    if name == LexicalBlend.name:
        blend = LexicalBlend(**hyper)
        blend.mlp = _restore_mlp(MLPEnsemble(), arrays)
        blend.lexical.weights = np.asarray(arrays["lexical_weights"], dtype=np.float32)
        blend.lexical.bias = np.asarray(arrays["lexical_bias"], dtype=np.float32)
        return blend
    if name == NearestNeighbours.name:
        knn = NearestNeighbours(**hyper)
        knn.bank = np.asarray(arrays["bank"], dtype=np.float32)
        knn.labels = np.asarray(arrays["labels"], dtype=np.int64)
        knn.n_classes = len(TIERS)
        return knn
    raise ConfigError(f"unknown classifier model {name!r}")


def _restore_mlp(mlp: MLPEnsemble, arrays: Params) -> MLPEnsemble:
    mlp.w1, mlp.b1, mlp.w2, mlp.b2 = (
        np.asarray(arrays[key], dtype=np.float32) for key in ("w1", "b1", "w2", "b2")
    )
    return mlp


def _classification(probs: F32) -> Classification:
    best = int(np.argmax(probs))
    return Classification(
        label=TIERS[best],
        confidence=float(probs[best]),
        probabilities=tuple(float(p) for p in probs),
    )
