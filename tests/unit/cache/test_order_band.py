"""cache.verifier_order_band (session 32): the cross-encoder read query first, and a pair
whose logit lies within the band around the operating point's read cached first too, in a
second pass, the two logits averaged; off (None), one reading as before."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llm_router.cache import verifier as verifier_module
from llm_router.cache.cross import load_cross_verifier
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder
from llm_router.errors import ConfigError
from train.cache_verifier.cross_export import from_minilm, write_cross

PAIRS = [("How do I cancel my order?", "I want to cancel a purchase I made yesterday"),
         ("refund?", "money back"), ("opening hours on Sunday", "when do you open on Sundays"),
         ("ship to Norway?", "Do you deliver to Oslo?")]


def logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return shared_embedder()


@pytest.fixture(scope="module")
def toy() -> tuple[dict[str, Any], dict[str, Any]]:
    """A toy cross-encoder's arrays and meta, its two orders reading apart (token type 1
    moved)."""
    arrays, meta = from_minilm(2, seed=5)
    types = arrays["embeddings.token_type_embeddings.weight"].copy()
    types[1] = np.random.default_rng(3).normal(0, 0.5, types.shape[1])
    return {**arrays, "embeddings.token_type_embeddings.weight": types}, meta


@pytest.fixture(scope="module")
def artefact(tmp_path_factory: pytest.TempPathFactory,
             toy: tuple[dict[str, Any], dict[str, Any]]) -> Path:
    directory = tmp_path_factory.mktemp("cross")
    write_cross(directory, *toy)
    return directory


def readings(embedder: MiniLMEmbedder, artefact: Path) -> tuple[Any, np.ndarray, np.ndarray]:
    """The unbanded encoder and each pair's query-first and cached-first logits."""
    one = load_cross_verifier(embedder, artefact).encoder
    qf = np.asarray([logit(p) for p in one.probabilities(PAIRS)])
    cf = np.asarray([logit(p) for p in one.probabilities([(c, q) for q, c in PAIRS])])
    return one, qf, cf


def test_off_is_one_reading(embedder: MiniLMEmbedder, artefact: Path) -> None:
    verifier = load_cross_verifier(embedder, artefact)
    assert verifier.encoder.band is None
    assert CacheConfig().verifier_order_band is None


def test_the_band_averages_both_orders_only_near_the_cut(embedder: MiniLMEmbedder,
                                                         artefact: Path) -> None:
    one, qf, cf = readings(embedder, artefact)
    assert not np.allclose(qf, cf, atol=1e-3)  # the orders read apart here
    verifier = load_cross_verifier(embedder, artefact, order_band=0.5)
    centre = logit(verifier.threshold)
    assert verifier.encoder.band == (pytest.approx(centre), 0.5)
    # a centre between the pairs' logits: some in the band, some out
    verifier.encoder.band = (float(np.median(qf)), float(np.ptp(qf)) / 3 + 1e-3)
    width = verifier.encoder.band[1]
    inside = np.abs(qf - np.median(qf)) <= width
    assert 0 < inside.sum() < len(PAIRS)
    got = np.asarray([logit(p) for p in verifier.encoder.probabilities(PAIRS)])
    want = np.where(inside, (qf + cf) / 2, qf)
    assert got == pytest.approx(want, abs=2e-4)


def test_a_band_over_every_pair_is_the_both_reading(
        embedder: MiniLMEmbedder, artefact: Path, tmp_path: Path,
        toy: tuple[dict[str, Any], dict[str, Any]]) -> None:
    banded = load_cross_verifier(embedder, artefact, order_band=1e6).encoder
    arrays, meta = toy
    write_cross(tmp_path, arrays, {**meta, "order": "both"})
    both = load_cross_verifier(embedder, tmp_path).encoder
    assert banded.probabilities(PAIRS) == pytest.approx(both.probabilities(PAIRS), abs=1e-5)


def test_a_band_no_pair_reaches_reads_one_way_and_pays_no_second_pass(
        embedder: MiniLMEmbedder, artefact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, qf, _ = readings(embedder, artefact)
    banded = load_cross_verifier(embedder, artefact, order_band=1e-9).encoder
    banded.band = (float(qf.max()) + 10.0, 1e-9)
    passes: list[int] = []
    real = banded._pass
    monkeypatch.setattr(banded, "_pass", lambda e: passes.append(len(e)) or real(e))
    assert banded.probabilities(PAIRS).tolist() == one.probabilities(PAIRS).tolist()
    assert passes == [len(PAIRS)]


def test_the_band_needs_a_cross_encoder_deciding_alone_query_first(
        embedder: MiniLMEmbedder, tmp_path: Path,
        toy: tuple[dict[str, Any], dict[str, Any]]) -> None:
    arrays, meta = toy
    write_cross(tmp_path, arrays, {**meta, "order": "cached_first"})
    with pytest.raises(ConfigError, match="verifier_order_band"):
        load_cross_verifier(embedder, tmp_path, order_band=2.0)
    with pytest.raises(ConfigError, match="verifier_order_band needs the cross-encoder"):
        shared_verifier("nets", 2.0)


def test_the_shared_banded_verifier_is_kept_apart(embedder: MiniLMEmbedder, artefact: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    plain = load_cross_verifier(embedder, artefact)
    banded = load_cross_verifier(embedder, artefact, order_band=2.0)
    monkeypatch.setitem(verifier_module._SHARED, "cross", plain)
    monkeypatch.setitem(verifier_module._SHARED, "cross band 2.0", banded)
    assert shared_verifier("cross") is plain
    assert shared_verifier("cross", 2.0) is banded


def test_the_setting_is_a_positive_width() -> None:
    assert CacheConfig(verifier_order_band=2.0).verifier_order_band == 2.0
    with pytest.raises(ValueError):
        CacheConfig(verifier_order_band=0.0)
