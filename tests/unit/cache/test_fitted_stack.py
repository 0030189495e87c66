"""The fitted combination of the verifier's scores (``cache.fitted_stack``): the verdict
computed from known logits and features, a malformed ``"stack"`` refused, and the
cross-encoder's verifier reading it when ``cross.json`` says ``"combine": "fitted"``."""

import json
import math
from pathlib import Path
from typing import Any

import pytest

from llm_router.cache.cross import META, load_cross_verifier, stack
from llm_router.cache.fitted_stack import (
    FEATURES,
    FittedStack,
    logit,
    pair_row,
    word_jaccard,
)
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder
from llm_router.errors import ConfigError
from train.cache_verifier.cross_export import from_minilm, write_cross

QUERY = "How do I cancel my order?"
CACHED = "I want to cancel a purchase I made yesterday"
GOOD = {"features": list(FEATURES), "weights": [0.5, 0.25, 2.0, 0.1, -0.2, 1.0, 3.0, -3.0, -2.0],
        "bias": -0.75, "threshold": 0.9}


def test_the_verdict_is_the_logistic_of_the_weighted_row() -> None:
    fitted = FittedStack.from_meta(GOOD)
    row = pair_row(0.8, 0.9, 0.7, 8, 38, 38, 0.25)
    la, lb = math.log(9), math.log(39)
    assert row == pytest.approx((math.log(4), math.log(9), 0.7, la, lb, lb - la, 0, 1, 0.25))
    z = (-0.75 + 0.5 * math.log(4) + 0.25 * math.log(9) + 2.0 * 0.7 + 0.1 * la - 0.2 * lb
         + 1.0 * (lb - la) - 3.0 - 2.0 * 0.25)
    assert fitted.probability(row) == pytest.approx(1 / (1 + math.exp(-z)))
    assert fitted.threshold == 0.9


def test_unit_weights_on_the_logits_alone_are_the_unfitted_sum() -> None:
    fitted = FittedStack.from_meta({**GOOD, "weights": [1, 1, 0, 0, 0, 0, 0, 0, 0], "bias": 0})
    for p_cross, p_nets in ((0.5, 0.8), (0.9, 0.1), (0.0, 1.0), (0.999, 0.97)):
        row = pair_row(p_cross, p_nets, 0.6, 10, 12, 38, 0.5)
        assert fitted.probability(row) == pytest.approx(stack(p_cross, p_nets))
    assert logit(0.0) == pytest.approx(math.log(1e-6 / (1 - 1e-6)))


def test_word_overlap_is_shared_words_over_all_words() -> None:
    assert word_jaccard("Cancel my ORDER", "cancel my purchase") == pytest.approx(2 / 4)
    assert word_jaccard("", "?!") == 0.0
    assert word_jaccard("a b", "b a") == 1.0


@pytest.mark.parametrize(("change", "says"), [
    ({"features": list(FEATURES[:-1])}, "features"),
    ({"features": list(reversed(FEATURES))}, "features"),
    ({"weights": [1.0] * 8}, "weights"),
    ({"weights": [1.0] * 8 + ["x"]}, "weights"),
    ({"weights": [1.0] * 8 + [True]}, "weights"),
    ({"weights": [1.0] * 8 + [float("nan")]}, "weights"),
    ({"bias": None}, "bias"),
    ({"threshold": 1.0}, "threshold"),
    ({"threshold": "0.9"}, "threshold"),
])
def test_a_malformed_stack_is_refused(change: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigError, match=f"stack.{says}"):
        FittedStack.from_meta({**GOOD, **change})
    missing = {k: v for k, v in GOOD.items() if k != says}
    with pytest.raises(ConfigError, match=f"stack.{says}"):
        FittedStack.from_meta(missing)
    with pytest.raises(ConfigError, match="needs a 'stack' object"):
        FittedStack.from_meta(None)


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return shared_embedder()


@pytest.fixture(scope="module")
def untrained() -> tuple[dict[str, Any], dict[str, Any]]:
    return from_minilm(2, seed=11)


def test_a_fitted_artefact_is_read_and_judges_by_its_stack(
        tmp_path: Path, embedder: MiniLMEmbedder,
        untrained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    from llm_router.cache.verifier import load_verifier

    arrays, meta = untrained
    write_cross(tmp_path, arrays, {**meta, "combine": "fitted", "stack": GOOD})
    verifier = load_cross_verifier(embedder, tmp_path)
    assert verifier.threshold == 0.9 and verifier.fitted == FittedStack.from_meta(GOOD)
    with pytest.raises(ConfigError, match="combine: nets or fitted"):
        verifier.probability(CACHED, QUERY, 0.7)  # no nets attached: no verdict
    nets = load_verifier(model_kind="nets")
    verifier.stack_on(nets)
    verifier.score_pairs([(QUERY, CACHED)])
    (p_cross,), ((pieces_cached, pieces_query),) = verifier.encoder.scored([(QUERY, CACHED)])
    ids = embedder.tokenizer.encode
    assert pieces_cached == len(ids(CACHED, add_special_tokens=False).ids)
    assert pieces_query == len(ids(QUERY, add_special_tokens=False).ids)
    row = pair_row(float(p_cross), nets.probability(CACHED, QUERY, 0.7), 0.7, pieces_cached,
                   pieces_query, 38, word_jaccard(CACHED, QUERY))
    assert verifier.probability(CACHED, QUERY, 0.7) == pytest.approx(
        FittedStack.from_meta(GOOD).probability(row), abs=1e-6)
    # The unfitted sum stays selectable: "combine": "nets", cross.json's own threshold.
    write_cross(tmp_path, arrays, {**meta, "combine": "nets", "stack": GOOD})
    summed = load_cross_verifier(embedder, tmp_path)
    summed.stack_on(nets)
    assert summed.fitted is None and summed.threshold == meta["threshold"]
    assert summed.probability(CACHED, QUERY, 0.7) == pytest.approx(
        stack(float(p_cross), nets.probability(CACHED, QUERY, 0.7)), abs=1e-6)


def test_a_fitted_artefact_with_a_malformed_stack_is_refused(
        tmp_path: Path, embedder: MiniLMEmbedder,
        untrained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    arrays, meta = untrained
    write_cross(tmp_path, arrays, {**meta, "combine": "fitted"})
    with pytest.raises(ConfigError, match="needs a 'stack' object"):
        load_cross_verifier(embedder, tmp_path)
    write_cross(tmp_path, arrays, {**meta, "combine": "fitted",
                                   "stack": {**GOOD, "weights": [1.0, 2.0]}})
    with pytest.raises(ConfigError, match="stack.weights"):
        load_cross_verifier(embedder, tmp_path)
    write_cross(tmp_path, arrays, {**meta, "combine": "weighted"})
    with pytest.raises(ConfigError, match="combine 'weighted'"):
        load_cross_verifier(embedder, tmp_path)
    assert json.loads((tmp_path / META).read_text())["combine"] == "weighted"
