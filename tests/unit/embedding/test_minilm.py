"""The numpy forward pass against vectors computed by sentence-transformers itself."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from llm_router.embedding import Embedder
from llm_router.embedding.minilm import MiniLMEmbedder, _gelu, gelu, gelu_max_form

HERE = Path(__file__).resolve().parent


def _reference() -> tuple[list[str], np.ndarray]:
    meta = json.loads((HERE / "reference_vectors.json").read_text(encoding="utf-8"))
    vectors = np.load(HERE / "reference_vectors.npz")["vectors"]
    return meta["sentences"], vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_batch_matches_sentence_transformers(minilm: MiniLMEmbedder) -> None:
    sentences, reference = _reference()
    cosines = np.sum(minilm.embed(sentences) * reference, axis=1)
    assert cosines.min() >= 0.9999, dict(zip(sentences, cosines.round(6), strict=True))


@pytest.mark.parametrize("index", range(20))
def test_single_matches_sentence_transformers(minilm: MiniLMEmbedder, index: int) -> None:
    sentences, reference = _reference()
    assert float(minilm.embed_one(sentences[index]) @ reference[index]) >= 0.9999


def test_rows_are_unit_float32_and_in_input_order(minilm: MiniLMEmbedder) -> None:
    texts = ["a much longer sentence about a delayed parcel and a refund", "hi", "ok then"]
    batch = minilm.embed(texts)
    assert minilm.dim == 384
    assert batch.dtype == np.float32 and batch.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    singles = np.stack([minilm.embed_one(t) for t in texts])
    np.testing.assert_allclose(batch, singles, atol=1e-5)


def test_empty_batch(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed([]).shape == (0, 384)


def test_is_an_embedder_with_a_versioned_id(minilm: MiniLMEmbedder) -> None:
    assert isinstance(minilm, Embedder)
    assert minilm.model_id.startswith("sentence-transformers/all-MiniLM-L6-v2@f16:")


def test_gelu_is_the_exact_erf_form() -> None:
    x = np.linspace(-6, 6, 2001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.abs(gelu(x) - exact).max() < 1e-6


def test_gelu_max_form_is_the_same_gelu_up_to_rounding() -> None:
    """The cross-encoder's GELU (max(x, 0) - 0.5 |x| (1 - erf)): the same A&S erf as
    ``_gelu``, within float32 rounding of it and of the exact form, both signs, 0 and the
    tails (where one side is 0 or x)."""
    x = np.linspace(-10, 10, 20001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    fast = gelu_max_form(x)
    assert fast.dtype == np.float32 and fast.shape == x.shape
    assert np.abs(fast - exact).max() < 5e-7
    assert np.abs(fast - _gelu(x)).max() < 1e-6
    assert gelu_max_form(np.zeros(3, np.float32)).tolist() == [0.0, 0.0, 0.0]
    low, high = gelu_max_form(np.float32([-12.0, 12.0])).tolist()
    assert abs(low) < 1e-30 and high == 12.0
    rows = np.random.default_rng(5).normal(0, 3, (24, 1536)).astype(np.float32)
    assert np.abs(gelu(rows, gelu_max_form) - gelu(rows)).max() < 1e-6


def test_token_states_after_every_layer_pool_to_the_embedding(minilm: MiniLMEmbedder) -> None:
    """The pair encoder's per-text path is the embedder's forward pass, stopped early."""
    text = "How do I transfer money from savings to checking?"
    states = minilm.token_states(text, 6, 256)
    pooled = states.mean(axis=0)
    assert np.allclose(pooled / np.linalg.norm(pooled), minilm.embed_one(text), atol=1e-5)
    assert minilm.token_states(text, 4, 8).shape == (8, minilm.dim)  # cut, [SEP] kept


def test_embed_with_states_is_one_pass_for_both(minilm: MiniLMEmbedder) -> None:
    """The request's one pass: the embedding ``embed`` gives and, for a text within
    ``max_tokens``, the last-layer states ``token_states`` gives; None for longer."""
    short = "How do I transfer money from savings to checking?"
    long = " ".join(["word"] * 60)
    for texts in ([short], [short, long]):
        vectors, states = minilm.embed_with_states(texts, 40)
        assert np.allclose(vectors, minilm.embed(texts), atol=1e-6)
        assert states[0] is not None
        assert np.allclose(states[0], minilm.token_states(short, None, 40), atol=1e-4)
    assert states[1] is None
    assert minilm.embed_with_states([], 40)[0].shape == (0, minilm.dim)


def test_gelu_in_blocks_is_gelu_of_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """GELU runs block by block (cache locality); block edges inside a row, and a short
    last block, must not change a value."""
    import llm_router.embedding.minilm as minilm_module

    x = np.random.default_rng(3).normal(0, 3, (37, 50)).astype(np.float32)
    monkeypatch.setattr(minilm_module, "GELU_BLOCK", 10**9)
    whole = gelu(x)
    whole_max_form = gelu(x, gelu_max_form)
    monkeypatch.setattr(minilm_module, "GELU_BLOCK", 97)
    blocked = gelu(x)
    assert blocked.shape == x.shape and blocked.dtype == np.float32
    assert np.array_equal(blocked, whole)
    assert np.array_equal(gelu(x, gelu_max_form), whole_max_form)


def _plain_layer(x: np.ndarray, w: dict[str, np.ndarray], heads: int, eps: float,
                 mask: np.ndarray) -> np.ndarray:
    """One BERT encoder layer as torch defines it, in float64 over torch's (out, in)
    weights, one text at a time: the reference the packed float32 layer must match."""
    def norm(h: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        c = h - h.mean(axis=-1, keepdims=True)
        return c / np.sqrt((c * c).mean(axis=-1, keepdims=True) + eps) * g + b

    def linear(h: np.ndarray, name: str) -> np.ndarray:
        return h @ w[name + ".weight"].T + w[name + ".bias"]

    out = np.empty_like(x)
    for row in range(x.shape[0]):
        h, keys = x[row], mask[row] > 0
        dim = h.shape[-1]
        split = [linear(h, f"attention.self.{n}").reshape(-1, heads, dim // heads)
                 .transpose(1, 0, 2) for n in ("query", "key", "value")]
        scores = split[0] @ split[1].transpose(0, 2, 1) / math.sqrt(dim // heads)
        scores = np.where(keys, scores, -np.inf)
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ split[2]).transpose(1, 0, 2).reshape(-1, dim)
        h = norm(linear(context, "attention.output.dense") + h,
                 w["attention.output.LayerNorm.weight"], w["attention.output.LayerNorm.bias"])
        up = linear(h, "intermediate.dense")
        up = 0.5 * up * (1 + np.vectorize(math.erf)(up / math.sqrt(2)))
        out[row] = norm(linear(up, "output.dense") + h, w["output.LayerNorm.weight"],
                        w["output.LayerNorm.bias"])
    return out


@pytest.mark.parametrize("padded", [False, True])
def test_the_packed_layer_is_berts_layer(padded: bool) -> None:
    """``encoder_layer`` over a layer packed by ``pack_layer`` (every pass's: the
    embedder's, the nets' and the cross-encoder's) gives a plain float64 BERT layer's
    states within float32 rounding, padding or none (``padding_bias``); the packing
    transposes each weight matrix in its own memory."""
    from llm_router.embedding.artefact import load_model_files
    from llm_router.embedding.minilm import (
        encoder_layer,
        layer_groups,
        pack_layer,
        padding_bias,
    )
    from llm_router.embedding.widen import widen

    files = load_model_files()
    prefix = "encoder.layer.2."
    torch_layout = {k.removeprefix(prefix): np.asarray(v, np.float64)
                    for k, v in files.weights.items() if k.startswith(prefix)}
    wide = widen(layer_groups(files.weights, prefix))
    layer = pack_layer(wide)
    dim, heads = 384, int(files.manifest["config"]["num_attention_heads"])
    eps = float(files.manifest["config"]["layer_norm_eps"])
    assert layer.w_qkv.shape == (dim, 3 * dim) and layer.w_down.shape == (4 * dim, dim)
    assert layer.w_qkv.flags.c_contiguous and np.shares_memory(layer.w_qkv, wide[0].base)
    batch, length = 2, 9
    x = np.random.default_rng(5).normal(0, 1, (batch, length, dim)).astype(np.float32)
    mask = np.ones((batch, length), np.float32)
    if padded:
        mask[1, 6:] = 0.0
    key_bias = padding_bias(mask)
    assert (key_bias is None) == (not padded)
    fast = encoder_layer(x.reshape(-1, dim), layer, heads, eps, batch, length, key_bias)
    reference = _plain_layer(x.astype(np.float64), torch_layout, heads, eps, mask)
    real = mask.reshape(-1) > 0
    np.testing.assert_allclose(fast[real], reference.reshape(-1, dim)[real], atol=2e-5)
