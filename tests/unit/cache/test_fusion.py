"""The mid-fusion verifier model (``llm_router.cache.fusion``): its numpy layers are
MiniLM's (run with MiniLM's own top-layer weights over one text's bottom states they give
that text's last-layer states), the lookup's embedding pass hands it the bottom states,
its artefact is hash-checked, and the shipped model tells the issue's pairs apart."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache.context import MAX_TOKENS
from llm_router.cache.fusion import LAYER_PARAMS, FusionModel, load_fusion
from llm_router.cache.verifier import load_verifier
from llm_router.embedding.artefact import load_model_files
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.errors import ConfigError

TEXT = "Do you ship to the United States?"
# Trained by train/cache_verifier/fusion.py; outside the layer while the nets alone do
# better at the operating point (docs/semantic-cache.md).
FUSION = Path(__file__).resolve().parents[3] / "data" / "cache_verifier" / "fusion.npz"


def _minilm_top(lower: int) -> FusionModel:
    """MiniLM's own layers from ``lower`` on, in the fusion model's layout, a zero head."""
    w = load_model_files().weights
    arrays: dict[str, np.ndarray] = {}
    for i, layer in enumerate(range(lower, 6)):
        prefix, att = f"encoder.layer.{layer}.", f"encoder.layer.{layer}.attention."
        names = {"q": att + "self.query", "k": att + "self.key", "v": att + "self.value",
                 "o": att + "output.dense", "up": prefix + "intermediate.dense",
                 "down": prefix + "output.dense"}
        for short, name in names.items():
            arrays[f"l{i}.{short}_w"] = np.asarray(w[name + ".weight"], np.float32).T
            arrays[f"l{i}.{short}_b"] = np.asarray(w[name + ".bias"], np.float32)
        for short, name in (("ln1", att + "output.LayerNorm"),
                            ("ln2", prefix + "output.LayerNorm")):
            arrays[f"l{i}.{short}_w"] = np.asarray(w[name + ".weight"], np.float32)
            arrays[f"l{i}.{short}_b"] = np.asarray(w[name + ".bias"], np.float32)
    assert {k.split(".")[1] for k in arrays} == set(LAYER_PARAMS)
    arrays.update(head_w=np.zeros((768, 4), np.float32), head_b=np.zeros(4, np.float32),
                  out_w=np.zeros((4, 1), np.float32), out_b=np.zeros(1, np.float32))
    return FusionModel.from_arrays(arrays, lower)


def test_numpy_layers_are_minilms(minilm: MiniLMEmbedder) -> None:
    model = _minilm_top(4)
    bottom = minilm.token_states(TEXT, 4, MAX_TOKENS)
    x = bottom
    for layer in model.layers:
        x = layer(x)
    assert np.allclose(x, minilm.token_states(TEXT, None, MAX_TOKENS), atol=1e-4)
    assert model.probability(bottom, bottom) == pytest.approx(0.5)  # zero head


def test_the_embedding_pass_gives_the_bottom_states(minilm: MiniLMEmbedder) -> None:
    texts = [TEXT, "Where is my order?"]
    vectors, states = minilm.embed_with_states(texts, MAX_TOKENS, 4)
    assert np.allclose(vectors, minilm.embed(texts), atol=1e-6)  # the embedding unchanged
    for text, rows in zip(texts, states, strict=True):
        assert rows is not None and rows.shape[1] == 2 * 384
        assert np.allclose(rows[:, :384], minilm.token_states(text, 4, MAX_TOKENS), atol=1e-5)
        assert np.allclose(rows[:, 384:], minilm.token_states(text, None, MAX_TOKENS),
                           atol=1e-5)
        assert np.allclose(rows, minilm.token_states(text, None, MAX_TOKENS, 4), atol=1e-5)


def test_a_tampered_fusion_artefact_is_refused(tmp_path: Path) -> None:
    raw = bytearray(FUSION.read_bytes())
    raw[-1] ^= 1
    path = tmp_path / FUSION.name
    path.write_bytes(bytes(raw))
    shutil.copy(FUSION.with_suffix(".json"), tmp_path / "fusion.json")
    with pytest.raises(ConfigError, match="sha256"):
        load_fusion(path)
    with pytest.raises(ConfigError, match="missing"):
        load_fusion(tmp_path / "absent.npz")


def test_the_shipped_model_records_its_sources_and_operating_point() -> None:
    model, meta = load_fusion(FUSION)
    assert model.lower == meta["lower_layers"] and len(model.layers) == 6 - model.lower
    assert 0 < meta["threshold"] < 1
    assert {"heldout4", "heldout5", "heldout6"} <= set(meta["extra_sources"])
    # Trained on heldout4 and heldout5, scored on heldout6 left out.
    assert meta["stack"]["left_out"] == "heldout6" == meta["report"]["args"]["holdout"]
    assert "heldout5" in meta["trained_on"]["file"]
    assert "heldout6" not in meta["trained_on"]["file"]
    assert meta["numpy_vs_jax_max_diff"] < 1e-3
    assert {"nets", "fusion", "bias", "threshold"} <= set(meta["stack"])


def test_the_stacked_verifier_reads_both_kinds_of_states() -> None:
    from llm_router.cache.context import unit_rows

    verifier = load_verifier(model_kind="stacked", fusion_path=FUSION)
    assert verifier.stacked is not None
    assert verifier.state_layers == verifier.stacked.fusion.lower
    prepared = verifier.prepare(TEXT)
    embedder = verifier.embedder
    assert prepared.lower is not None
    assert np.allclose(prepared.lower, embedder.token_states(TEXT, 4, MAX_TOKENS), atol=1e-5)
    assert np.allclose(prepared.states, unit_rows(embedder.token_states(TEXT, None, MAX_TOKENS)),
                       atol=1e-5)
    p = verifier.probability(TEXT, "Do you deliver to the US?", 0.8)
    q = verifier.probability(TEXT, "Do you ship to Canada?", 0.8)
    assert 0 <= q < p <= 1
    nets = load_verifier(model_kind="nets")
    assert nets.stacked is None and nets.state_layers is None
    with pytest.raises(ConfigError, match="unknown"):
        load_verifier(model_kind="other")
