"""all-MiniLM-L6-v2 as a numpy forward pass: BERT embeddings, six encoder layers, mean
pooling over real tokens, L2 normalisation -- what sentence-transformers computes, with
no torch. Weights are stored as float16 and widened to float32 once at load; the
vocabulary table stays float16 and only the rows a query uses are widened."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from llm_router.embedding.artefact import DEFAULT_DIR, WEIGHTS, ModelFiles, load_model_files
from llm_router.embedding.base import Matrix, normalise_rows
from llm_router.embedding.widen import widen

F32 = npt.NDArray[np.float32]
# sentence-transformers' sentence_bert_config.json for this model (the tokenizer.json
# itself says 128; sentence-transformers overrides it).
MAX_SEQ_LENGTH = 256
BATCH_SIZE = 32
_SQRT_HALF = np.float32(np.sqrt(0.5))


@dataclass(frozen=True)
class EncoderLayer:
    """One encoder layer's float32 weights, the four matrices transposed from torch's
    (out, in) to (in, out), C-contiguous (``pack_layer``): the forward runs on token
    states as rows (``encoder_layer``), ``x @ W``."""

    w_qkv: F32  # (hidden, 3 * hidden): query, key and value projections side by side
    b_qkv: F32
    w_out: F32
    b_out: F32
    ln1_w: F32
    ln1_b: F32
    w_up: F32
    b_up: F32
    w_down: F32
    b_down: F32
    ln2_w: F32
    ln2_b: F32


_ERF_COEFFS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


# GELU works through its input this many elements at a time (768 KB of float32): its
# dozen elementwise passes then read a block from a core's L2 cache instead of streaming
# a batch's whole (tokens, 1536) array from memory each time. Elementwise, so the values
# are the same (bit-identical embeddings of cache-probe's 600 texts); a 32-text batch's
# GELU 6.9 -> 2.4 ms, the 600 texts' forward pass 3.5-3.9 -> 3.3-3.5 s CPU (under load).
GELU_BLOCK = 128 * 1536


def gelu(x: F32, block: Callable[[F32], F32] | None = None) -> F32:
    """Exact (erf) GELU, as BERT's ``hidden_act: gelu``: 0.5 x (1 + erf(x / sqrt 2)), the
    erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 noise here), in
    blocks of ``GELU_BLOCK`` elements, each by ``block`` (default ``_gelu``; the cache
    cross-encoder's pass: ``gelu_max_form``)."""
    block = block or _gelu
    if x.size <= GELU_BLOCK:
        return block(x)
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    out = np.empty_like(flat)
    for start in range(0, flat.size, GELU_BLOCK):
        out[start : start + GELU_BLOCK] = block(flat[start : start + GELU_BLOCK])
    return out.reshape(x.shape)


# gelu_max_form's constants: A&S 7.1.26's p over sqrt 2 (its argument is |x|, not
# |x| / sqrt 2) and its coefficients halved (the 0.5 of 0.5 |x| (1 - erf)).
_P_OVER_SQRT2 = np.float32(0.3275911 / np.sqrt(2.0))
_HALF_COEFFS = tuple(np.float32(0.5 * c) for c in _ERF_COEFFS)


def gelu_max_form(x: F32) -> F32:
    """``_gelu``'s GELU (the same A&S erf) written as max(x, 0) - 0.5 |x| (1 - erf(|x| /
    sqrt 2)): for x >= 0 that is 0.5 x (1 + erf), for x < 0 it is 0.5 x (1 - erf(|x| /
    sqrt 2)) = 0.5 x (1 + erf(x / sqrt 2)). No ``np.sign`` (numpy has no vectorised loop for
    it: 8 instructions an element, a sixth of ``_gelu``'s) and no multiplications by the
    sign, by 1 / sqrt 2 or by 0.5: 18 array passes where ``_gelu`` makes 24, 0.87 against
    1.19 M instructions for a (24, 1536) block (session 33). The values differ from
    ``_gelu``'s in float32 rounding only (at most 4.8e-7 on a (24, 1536) block of N(0, 3)
    inputs; against the exact GELU at most 3.3e-7 over [-10, 10], ``_gelu`` 4.6e-7). The
    cache cross-encoder runs it (``CrossEncoder.hidden``); the embedder keeps ``_gelu``,
    so every embedding and tier label stays as it was."""
    a = np.abs(x)
    t = a * _P_OVER_SQRT2
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    q = t * _HALF_COEFFS[0]
    for coeff in _HALF_COEFFS[1:]:  # Horner's rule, as ``_gelu``
        q += coeff
        q *= t
    e = np.square(x)
    e *= np.float32(-0.5)
    np.exp(e, out=e)  # exp(-x^2 / 2)
    q *= e
    q *= a  # 0.5 |x| (1 - erf(|x| / sqrt 2))
    out = np.maximum(x, np.float32(0.0))
    out -= q
    return out


def _gelu(x: F32) -> F32:
    """GELU of one block, computed in one scratch array, in place: the same float32
    operations as the plain expression, a quarter of the time (the plain one spent a
    third of a forward pass on temporaries)."""
    z = x * _SQRT_HALF
    sign = np.sign(z)
    np.abs(z, out=z)
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(_ERF_COEFFS[0])
    for coeff in _ERF_COEFFS[1:]:  # Horner's rule; array ops, not a loop over tokens
        poly += np.float32(coeff)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    z *= poly  # 1 - erf(|x| / sqrt 2)
    np.subtract(np.float32(1.0), z, out=z)
    z *= sign
    z += np.float32(1.0)
    z *= x
    z *= np.float32(0.5)
    return z.astype(np.float32, copy=False)


def word_prefix(text: str, chars: int) -> str:
    """``text`` cut at its last space before ``chars`` characters, so it holds whole words
    only; the text itself when it is no longer, or has no such space. Tokenising this
    prefix instead of a long text gives the same first pieces when they fill the window
    (the embedder's and the cache cross-encoder's tokenising of long messages)."""
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[:cut] if cut > 0 else text


def attention_weights(scores: F32, head_dim: int, key_bias: F32 | None = None) -> F32:
    """Scaled dot-product scores -> attention weights, in place (no copies of the
    (batch, heads, length, length) array): scale by 1/sqrt(head_dim), add the padding
    mask's bias (``key_bias``: 0 or a large negative per key), softmax over the keys.
    Every pass (``encoder_layer``) runs these float32 operations in this order."""
    scores *= np.float32(1.0 / np.sqrt(head_dim))
    if key_bias is not None:
        scores += key_bias
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


def layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    """LayerNorm over the last axis. ``x.mean`` divides the same float32 sum by the same
    count, but through numpy's Python-level ``_mean`` (a few microseconds a call, twice
    a norm, 20 norms a lookup's passes); the reductions here are the same operations,
    in place where the plain expression made copies: bit-identical values."""
    count = np.float32(x.shape[-1])
    mean = np.add.reduce(x, axis=-1, keepdims=True)
    mean /= count
    centred = x - mean
    var = np.add.reduce(centred * centred, axis=-1, keepdims=True)
    var /= count
    var += np.float32(eps)
    centred /= np.sqrt(var, out=var)
    centred *= weight
    centred += bias
    return centred


class MiniLMEmbedder:
    """Local default ``Embedder``: 384-dimensional, unit-norm sentence vectors."""

    def __init__(self, files: ModelFiles, *, max_seq_length: int = MAX_SEQ_LENGTH):
        config = files.manifest["config"]
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._dim = int(config["hidden_size"])
        self._model_id = files.model_id
        self._weights_sha256 = str(files.manifest["files"][WEIGHTS])
        # No truncation here (``_window`` cuts the ids): the cache verifier shares it.
        self._tokenizer = Tokenizer.from_str(files.tokenizer_json)
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._max_seq_length = max_seq_length
        self._prefix_chars = max_seq_length * 16  # plenty of words for the window
        w = files.weights
        # Read in place from the mapped file: only the rows a query uses are ever read.
        self._word = w["embeddings.word_embeddings.weight"]
        layers = int(config["num_hidden_layers"])
        groups = [[w["embeddings.position_embeddings.weight"][:max_seq_length]],
                  [w["embeddings.token_type_embeddings.weight"][0]],
                  [w["embeddings.LayerNorm.weight"]], [w["embeddings.LayerNorm.bias"]]]
        for i in range(layers):
            groups += layer_groups(w, f"encoder.layer.{i}.")
        wide = widen(groups)
        self._pos, self._type0, self._ln_w, self._ln_b = wide[:4]
        per_layer = len(wide[4:]) // layers
        self._layers = [pack_layer(wide[4 + i * per_layer : 4 + (i + 1) * per_layer])
                        for i in range(layers)]
        files.release()

    @classmethod
    def load(cls, directory: Path | None = None) -> MiniLMEmbedder:
        """Load the hash-verified export in ``directory`` (default: the layer's data dir)."""
        return cls(load_model_files(directory))

    @property
    def word_table(self) -> npt.NDArray[np.float16]:
        """The float16 word embeddings (read-only use: the cache verifier's word view)."""
        return self._word

    @property
    def tokenizer(self) -> Tokenizer:
        """The word-piece tokenizer, without padding or truncation (read-only use: the
        cache verifier's word view shares it instead of building a second, which cost
        its first request about 0.03 s; changing its settings would change both)."""
        return self._tokenizer

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def heads(self) -> int:
        return self._heads

    @property
    def layer_norm_eps(self) -> float:
        return self._eps

    @property
    def weights_sha256(self) -> str:
        """The sha256 of the float16 weights file (its manifest's): what a model trained
        on top of these weights (the cache verifier's cross-encoder) names."""
        return self._weights_sha256

    @property
    def model_id(self) -> str:
        return self._model_id

    def embed_one(self, text: str) -> Matrix:
        ids = np.asarray([self._token_ids(text)], dtype=np.int64)
        return self._forward(ids, np.ones(ids.shape, dtype=np.float32))[0]

    def _token_ids(self, text: str) -> list[int]:
        """The text's first ``max_seq_length`` tokens, without tokenizing all of a long
        text: a prefix cut at a space holds only whole words, so when it alone fills the
        window its tokens are the full text's (a 1 MB message took seconds otherwise).
        A prefix that does not fill it falls back to the whole text. ``encode_batch``
        releases the GIL while the Rust tokenizer runs (``encode`` does not)."""
        prefix = word_prefix(text, self._prefix_chars)
        if len(prefix) < len(text):
            ids: list[int] = self._tokenizer.encode_batch([prefix])[0].ids
            if len(ids) >= self._max_seq_length:
                return self._window(ids)
        return self._window(self._tokenizer.encode_batch([text])[0].ids)

    def _window(self, ids: list[int]) -> list[int]:
        """The first ``max_seq_length`` of "[CLS] text [SEP]"'s ids, the closing [SEP]
        kept: what the tokenizer's own truncation gives (a test compares)."""
        if len(ids) <= self._max_seq_length:
            return ids
        return ids[: self._max_seq_length - 1] + ids[-1:]

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Embed many texts; batches group similar lengths so padding stays small."""
        return self._embed(texts, None)[0]

    def embed_with_states(self, texts: Sequence[str], max_tokens: int,
                          layers: int | None = None) -> tuple[Matrix, list[F32 | None]]:
        """``embed`` plus, from the same forward pass, each text's last-layer token states
        ("[CLS] text [SEP]", one row per token) when the text has at most ``max_tokens``
        tokens, with its states after the first ``layers`` encoder layers before them on
        each row when ``layers`` is given ((tokens, 2 * dim)): then they are what
        ``token_states(text, None, max_tokens, layers)`` computes, without a second pass.
        Longer texts get None."""
        return self._embed(texts, max_tokens, layers)

    def _embed(self, texts: Sequence[str], max_tokens: int | None, layers: int | None = None
               ) -> tuple[Matrix, list[F32 | None]]:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        states: list[F32 | None] = [None] * len(texts)
        if not texts:
            return out, states
        encodings = ([self._token_ids(texts[0])] if len(texts) == 1
                     else [self._window(e.ids)
                           for e in self._tokenizer.encode_batch(list(texts))])
        order = np.argsort([len(ids) for ids in encodings], kind="stable")
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start : start + BATCH_SIZE]
            ids, mask = _pad([encodings[i] for i in chunk])
            kept: list[F32] = []
            hidden = self._hidden(ids, mask, layers, kept)
            out[chunk] = _pool(hidden, mask)
            both = np.concatenate([kept[0], hidden], axis=2) if kept else hidden
            for row, i in enumerate(chunk):
                if max_tokens is not None and len(encodings[i]) <= max_tokens:
                    states[i] = both[row, : len(encodings[i])].copy()
        return out, states

    def token_states(self, text: str, layers: int | None, max_tokens: int,
                     also_after: int | None = None) -> F32:
        """The hidden states of "[CLS] text [SEP]" (cut to ``max_tokens``) after the first
        ``layers`` encoder layers (None: all), one row per token: what the cache
        verifier reads; with ``also_after``, each row starts with the states after that
        many layers ((tokens, 2 * dim)). The sentence embedding is not touched."""
        ids = self._token_ids(text)
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + ids[-1:]  # keep the closing [SEP]
        length = len(ids)
        x = self._word[np.asarray(ids)].astype(np.float32) + self._pos[:length] + self._type0
        x = layer_norm(x, self._ln_w, self._ln_b, self._eps)
        inner = x
        for n, layer in enumerate(self._layers[:layers]):
            if n == also_after:
                inner = x
            x = encoder_layer(x, layer, self._heads, self._eps, 1, length, None)
        return x if also_after is None else np.concatenate([inner, x], axis=1)

    def _forward(self, ids: npt.NDArray[np.int64], mask: F32) -> Matrix:
        return _pool(self._hidden(ids, mask), mask)

    def _hidden(self, ids: npt.NDArray[np.int64], mask: F32, keep_after: int | None = None,
                kept: list[F32] | None = None) -> F32:
        """Last-layer states, (batch, length, dim); the states after the first
        ``keep_after`` layers (when not all) are appended to ``kept``."""
        batch, length = ids.shape
        x = self._word[ids].astype(np.float32) + self._pos[:length] + self._type0
        x = layer_norm(x, self._ln_w, self._ln_b, self._eps).reshape(batch * length, self._dim)
        key_bias = padding_bias(mask)
        for n, layer in enumerate(self._layers):
            if n == keep_after and kept is not None:
                kept.append(x.reshape(batch, length, self._dim))
            x = encoder_layer(x, layer, self._heads, self._eps, batch, length, key_bias)
        return x.reshape(batch, length, self._dim)


def padding_bias(mask: F32) -> F32 | None:
    """What ``encoder_layer`` adds to every attention score, from a (batch, length) mask
    of real tokens (1) and padding (0): a large negative for a padding key, so softmax
    gives it no weight; None when nothing is padded (a lone text or pair: adding zeros
    would change no value)."""
    if mask.all():
        return None
    return ((mask - 1.0) * np.float32(1e9))[:, None, None, :]


def encoder_layer(x: F32, p: EncoderLayer, heads: int, eps: float, batch: int,
                  length: int, key_bias: F32 | None,
                  gelu_block: Callable[[F32], F32] | None = None) -> F32:
    """One BERT encoder layer over ``x``, the token states as rows ((batch * length,
    dim)), ``x @ W`` with the weights stored (in, out) (``pack_layer``); the next
    layer's states come back the same way. ``key_bias`` ((batch, 1, 1, length), from
    ``padding_bias``) is added to every attention score; None: no padding. The
    embedder's passes, the nets' ``token_states`` and the cache cross-encoder's pair
    pass all run it. Rows, the weights (in, out): at a lookup's sizes the cheapest
    layout with either OpenBLAS kernel set this machine offers (docs/cache-history.md
    "Session 12" and "Session 14": a 12-token layer's four products 0.77 -> 0.59 ms of
    CPU against ``W @ x`` over torch's (out, in) with the states as columns, which the
    embedder ran until session 14; the layer norms and bias adds run along contiguous
    rows). ``x @ W.T`` over torch's arrays, the same product, cost twice as much with
    the SkylakeX kernels. The values differ between layouts in float32 rounding only
    (the order BLAS sums in). ``gelu_block``: ``gelu``'s block function (None: ``_gelu``)."""
    tokens, dim = x.shape
    head_dim = dim // heads
    qkv = x @ p.w_qkv
    qkv += p.b_qkv
    qkv = qkv.reshape(batch, length, 3, heads, head_dim)
    q = qkv[:, :, 0].transpose(0, 2, 1, 3)  # (batch, heads, length, head_dim)
    k = qkv[:, :, 1].transpose(0, 2, 3, 1)  # (batch, heads, head_dim, length)
    v = qkv[:, :, 2].transpose(0, 2, 1, 3)
    # In place where the plain expression made copies: the same float32 operations.
    scores = attention_weights(q @ k, head_dim, key_bias)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(tokens, dim)
    h = context @ p.w_out
    h += x
    h += p.b_out
    x = layer_norm(h, p.ln1_w, p.ln1_b, eps)
    up = x @ p.w_up
    up += p.b_up
    h = gelu(up, gelu_block) @ p.w_down
    h += x
    h += p.b_down
    return layer_norm(h, p.ln2_w, p.ln2_b, eps)


def _pool(hidden: F32, mask: F32) -> Matrix:
    """Mean of the unmasked token states, unit norm: the sentence embedding."""
    summed = np.einsum("btd,bt->bd", hidden, mask)
    return normalise_rows(summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9))


def layer_groups(w: dict[str, npt.NDArray[np.float16]], prefix: str
                 ) -> list[list[npt.NDArray[np.float16]]]:
    """One encoder layer's arrays to widen, in ``EncoderLayer``'s order. torch's Linear stores
    (out, in): the weights are widened in their stored order (a straight pass), then
    ``pack_layer`` transposes each in place; query, key and value are stacked along
    ``out`` into one projection."""
    att = prefix + "attention."
    qkv = [att + f"self.{n}" for n in ("query", "key", "value")]
    names = [[n + ".weight" for n in qkv], [n + ".bias" for n in qkv],
             [att + "output.dense.weight"], [att + "output.dense.bias"],
             [att + "output.LayerNorm.weight"], [att + "output.LayerNorm.bias"],
             [prefix + "intermediate.dense.weight"], [prefix + "intermediate.dense.bias"],
             [prefix + "output.dense.weight"], [prefix + "output.dense.bias"],
             [prefix + "output.LayerNorm.weight"], [prefix + "output.LayerNorm.bias"]]
    return [[w[name] for name in group] for group in names]


def pack_layer(wide: list[F32]) -> EncoderLayer:
    """``EncoderLayer`` from ``layer_groups``' arrays widened: each weight matrix transposed
    in its own memory (``widen``'s block, which the other arrays keep alive: a copy
    would hold both layouts)."""
    return EncoderLayer(*(_transposed_in_place(w) if w.ndim == 2 else w for w in wide))


def _transposed_in_place(w: F32) -> F32:
    """``w.T`` C-contiguous, written over ``w`` (C-contiguous): ``w``'s memory, new shape."""
    if not w.flags.c_contiguous:
        raise ValueError("a weight matrix to transpose in place must be C-contiguous")
    flat = w.reshape(-1)
    flat[:] = w.T.reshape(-1)  # the right side is a copy (w.T is not contiguous)
    return flat.reshape(w.shape[::-1])


def _pad(encodings: list[list[int]]) -> tuple[npt.NDArray[np.int64], F32]:
    length = max(len(ids) for ids in encodings)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    mask = np.zeros((len(encodings), length), dtype=np.float32)
    for row, tokens in enumerate(encodings):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1.0
    return ids, mask


_SHARED_LOCK = threading.Lock()
_SHARED: dict[Path, MiniLMEmbedder] = {}


def shared_embedder(directory: Path | None = None) -> MiniLMEmbedder:
    """One embedder per export directory and process: the tier picker, the cache verifier
    and the CLI share its weights (about 65 MB) instead of each widening its own copy."""
    key = (directory or DEFAULT_DIR).resolve()
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = MiniLMEmbedder.load(key)
        return _SHARED[key]
