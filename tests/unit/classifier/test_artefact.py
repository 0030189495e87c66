"""The committed artefact: verified at load, tied to its data and embedder, and good
enough on the held-out split to catch a broken build (the real number is in the bench)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from llm_router.classifier.dataset import data_sha256, load_examples, split
from llm_router.classifier.evaluate import evaluate
from llm_router.classifier.runtime import (
    ARRAYS,
    DEFAULT_DIR,
    Classification,
    ComplexityClassifier,
    load_classifier,
    route,
)
from llm_router.classifier.tiers import TIERS, tier_index
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.errors import ConfigError

DATA = Path(__file__).resolve().parents[3] / "data" / "classifier" / "queries.jsonl"



@pytest.fixture(scope="module")
def classifier(minilm: MiniLMEmbedder) -> ComplexityClassifier:
    return load_classifier(embedder_id=minilm.model_id)


def test_metadata_names_the_data_it_was_trained_on(classifier: ComplexityClassifier) -> None:
    meta = classifier.metadata
    assert meta["training_data"]["sha256"] == data_sha256(DATA), "run `llm-router train`"
    assert meta["labels"] == list(TIERS)
    assert meta["version"].startswith(f"{meta['format_version']}.{data_sha256(DATA)[:8]}")
    assert 1.0 <= classifier.under_cost <= 12.0
    assert meta["model"] == "mlp_lexical"
    assert meta["features"]["lexical_dim"] == 4096


def test_heldout_accuracy_has_a_sane_floor(
    minilm: MiniLMEmbedder, classifier: ComplexityClassifier, record_property
) -> None:
    heldout = split(load_examples(DATA), "heldout")
    texts = [e.query for e in heldout]
    probs = classifier.probabilities(texts, minilm.embed(texts))
    report = evaluate(np.array([tier_index(e.label) for e in heldout]), probs.argmax(axis=1))
    record_property("heldout_accuracy", report.accuracy)
    print(f"held-out accuracy {report.accuracy:.3f} on {report.n} queries")
    assert report.accuracy > 0.70


def test_classify_returns_calibrated_probabilities(
    minilm: MiniLMEmbedder, classifier: ComplexityClassifier
) -> None:
    text = "What time does the pharmacy open on Sunday?"
    result = classifier.classify(text, minilm.embed_one(text))
    assert result.label in TIERS
    assert abs(sum(result.probabilities) - 1.0) < 1e-5
    assert result.confidence == max(result.probabilities)
    batch = classifier.classify_many([text, text], minilm.embed([text, text]))
    assert batch[0].label == result.label


def test_route_goes_up_only_when_unsure_enough_for_the_cost() -> None:
    unsure = Classification("moderate", 0.55, (0.05, 0.55, 0.35, 0.05))
    sure = Classification("moderate", 0.9, (0.05, 0.9, 0.03, 0.02))
    top = Classification("reasoning", 0.4, (0.2, 0.2, 0.2, 0.4))
    assert route(unsure, 1.0) == "moderate"  # equal costs: the median tier
    assert route(unsure, 6.0) == "complex"  # expected cost 2.75 at moderate, 0.95 at complex
    assert route(sure, 6.0) == "moderate"
    assert route(top, 6.0) == "reasoning"


def test_tampered_arrays_are_refused(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_DIR, tmp_path, dirs_exist_ok=True)
    with (tmp_path / ARRAYS).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ConfigError, match="hash"):
        load_classifier(tmp_path)


def test_another_embedder_is_refused() -> None:
    with pytest.raises(ConfigError, match="trained on"):
        load_classifier(embedder_id="some-other-model@1")
