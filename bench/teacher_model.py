"""A public sentence model read as a teacher beside the cache verifier (dev-only, session 38;
``bench/teacher_probe.py``): all-mpnet-base-v2 as a numpy forward pass (no torch, none is
in the venv), read from a folder holding the sentence-transformers files
(``model.safetensors``, ``tokenizer.json``, ``config.json``, ``1_Pooling/config.json``),
and its vectors cached by text under ``.cache/teachers/embeddings/`` (gitignored).

MPNet is BERT's encoder with three differences, all followed here as
``transformers``' ``modeling_mpnet.py`` has them: no token-type embeddings; positions
counted from ``padding_idx + 1`` over real tokens; and a learnt relative-position bias
(32 buckets, per head) added to every layer's attention scores. The model card
prescribes mean pooling over real tokens, then L2 normalisation (``modules.json``:
Transformer, Pooling (mean), Normalize).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from embed_cache import cached_rows
from tokenizers import Tokenizer

from llm_router.embedding.minilm import EncoderLayer, gelu, layer_norm

F32 = npt.NDArray[np.float32]
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "teachers" / "embeddings"
BATCH = 32
CHUNK = 1000  # texts embedded between two saves of the cache
_DTYPES = {"F32": np.float32, "I64": np.int64, "F16": np.float16}


def read_safetensors(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    """Every tensor of a ``.safetensors`` file (an 8-byte little-endian header length, a
    JSON header of dtype, shape and byte offsets, then the raw data), read in place."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    size = int(raw[:8].view("<u8")[0])
    header = json.loads(bytes(raw[8:8 + size]).decode("utf-8"))
    start = 8 + size
    out: dict[str, npt.NDArray[np.generic]] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        lo, hi = meta["data_offsets"]
        out[name] = raw[start + lo:start + hi].view(_DTYPES[meta["dtype"]]).reshape(
            meta["shape"])
    return out


def relative_buckets(length: int, num_buckets: int = 32, max_distance: int = 128
                     ) -> npt.NDArray[np.int64]:
    """(length, length) bucket of each (query, key) offset: MPNet's
    ``relative_position_bucket`` (T5's, bidirectional): half the buckets per direction,
    exact up to a quarter of them, logarithmic beyond, capped."""
    position = np.arange(length)
    n = -(position[None, :] - position[:, None])  # -(key - query)
    half = num_buckets // 2
    ret = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact)
                         * (half - exact)).astype(np.int64)
    large = np.minimum(large, half - 1)
    return ret + np.where(n < exact, n, large)


class MPNetTeacher:
    """all-mpnet-base-v2's sentence vectors (768, unit norm), float32 numpy."""

    name = "all-mpnet-base-v2"

    def __init__(self, folder: Path, max_seq_length: int = 384):
        config = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if config.get("model_type") != "mpnet" or not pooling.get("pooling_mode_mean_tokens"):
            raise SystemExit(f"{folder}: not an MPNet model with mean pooling")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.pad = int(config["pad_token_id"])
        self.buckets = int(config["relative_attention_num_buckets"])
        self.max_seq_length = max_seq_length
        self.weights_file = folder / "model.safetensors"
        self.sha256 = hashlib.sha256(self.weights_file.read_bytes()).hexdigest()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_seq_length)
        w = read_safetensors(self.weights_file)

        def f32(name: str, transpose: bool = False) -> F32:
            a = np.asarray(w[name], dtype=np.float32)
            return np.ascontiguousarray(a.T if transpose else a)

        self.word = f32("embeddings.word_embeddings.weight")
        self.position = f32("embeddings.position_embeddings.weight")
        self.ln_w = f32("embeddings.LayerNorm.weight")
        self.ln_b = f32("embeddings.LayerNorm.bias")
        self.rel_bias = f32("encoder.relative_attention_bias.weight")  # (buckets, heads)
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.attn.{x}" for x in "qkv"]
            self.layers.append(EncoderLayer(
                w_qkv=np.ascontiguousarray(np.concatenate(
                    [f32(f"{n}.weight", True) for n in qkv], axis=1)),
                b_qkv=np.concatenate([f32(f"{n}.bias") for n in qkv]),
                w_out=f32(f"{p}attention.attn.o.weight", True),
                b_out=f32(f"{p}attention.attn.o.bias"),
                ln1_w=f32(f"{p}attention.LayerNorm.weight"),
                ln1_b=f32(f"{p}attention.LayerNorm.bias"),
                w_up=f32(f"{p}intermediate.dense.weight", True),
                b_up=f32(f"{p}intermediate.dense.bias"),
                w_down=f32(f"{p}output.dense.weight", True), b_down=f32(f"{p}output.dense.bias"),
                ln2_w=f32(f"{p}output.LayerNorm.weight"), ln2_b=f32(f"{p}output.LayerNorm.bias")))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def forward(self, batch: list[list[int]]) -> F32:
        """Unit-norm mean-pooled vectors of token-id lists (padded here to the longest)."""
        n, length = len(batch), max(len(b) for b in batch)
        ids = np.full((n, length), self.pad, np.int64)
        mask = np.zeros((n, length), np.float32)
        for i, b in enumerate(batch):
            ids[i, :len(b)] = b
            mask[i, :len(b)] = 1.0
        positions = (np.cumsum(mask, axis=1) * mask).astype(np.int64) + self.pad
        x = layer_norm(self.word[ids] + self.position[positions], self.ln_w, self.ln_b,
                       self.eps)
        hidden = x.shape[-1]
        d = hidden // self.heads
        bias = self.rel_bias[relative_buckets(length, self.buckets)].transpose(2, 0, 1)
        bias = bias[None] + ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        bias = bias.astype(np.float32)
        for layer in self.layers:
            qkv = x @ layer.w_qkv + layer.b_qkv
            q, k, v = (qkv[..., j * hidden:(j + 1) * hidden].reshape(n, length, self.heads, d)
                       .transpose(0, 2, 1, 3) for j in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1.0 / math.sqrt(d))
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
            x = layer_norm(context @ layer.w_out + layer.b_out + x, layer.ln1_w, layer.ln1_b,
                           self.eps)
            up = gelu(np.ascontiguousarray(x @ layer.w_up + layer.b_up))
            x = layer_norm(up @ layer.w_down + layer.b_down + x, layer.ln2_w, layer.ln2_b,
                           self.eps)
        pooled = (x * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> F32:
        """Vectors of ``texts`` in order, batched by token length (less padding)."""
        tokens = self.ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        out = np.zeros((len(texts), self.word.shape[1]), np.float32)
        for s in range(0, len(order), BATCH):
            chunk = order[s:s + BATCH]
            out[chunk] = self.forward([tokens[i] for i in chunk])
        return out


def embed_cached(teacher: MPNetTeacher, texts: Sequence[str], cache: Path = CACHE) -> F32:
    """``teacher``'s rows for ``texts`` in order; new texts embedded and saved by chunk
    (an interrupted run keeps what it did), keyed by the weights' sha256
    (``embed_cache.cached_rows``)."""
    return cached_rows(teacher.embed, teacher.sha256[:12], texts, teacher.word.shape[1],
                       cache, f"{teacher.name}: ", CHUNK)
