"""MiniLM's last-layer token states of every training and tuning text, batched in JAX.

The verifier's context features (``llm_router.cache.context``) read each text's token
states; at run time the numpy embedder computes them one text at a time
(``MiniLMEmbedder.token_states``), which would take ~30 minutes for the ~35,000 texts
``train`` needs on this machine. Here the same layers run batched under XLA: the
first ``LOWER`` layers once per text set (cached in .cache/cache_verifier/ as float16),
the rest on top. Dev-only: jax (requirements/train.txt).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

F32 = npt.NDArray[np.float32]
D, HEADS = 384, 12


def _padded(rows: list[Any], dtype: Any) -> tuple[npt.NDArray[Any], F32]:
    """Rows of unequal length (token ids, or token states), zero-padded to one length
    rounded up to a multiple of 8 (so XLA compiles few shapes), with their mask."""
    arrays = [np.asarray(r, dtype) for r in rows]
    length = int(np.ceil(max(len(a) for a in arrays) / 8) * 8)
    out = np.zeros((len(arrays), length, *arrays[0].shape[1:]), dtype)
    mask = np.zeros((len(arrays), length), np.float32)
    for r, a in enumerate(arrays):
        out[r, :len(a)] = a
        mask[r, :len(a)] = 1
    return out, mask


def _layer_params(w: dict[str, Any], prefix: str) -> dict[str, F32]:
    """One MiniLM layer in x @ W layout (torch stores W transposed)."""
    def t(name: str) -> F32:
        return np.asarray(w[prefix + name + ".weight"], np.float32).T.copy()

    def b(name: str) -> F32:
        return np.asarray(w[prefix + name + ".bias"], np.float32)

    att = "attention."
    return {
        "q_w": t(att + "self.query"), "q_b": b(att + "self.query"),
        "k_w": t(att + "self.key"), "k_b": b(att + "self.key"),
        "v_w": t(att + "self.value"), "v_b": b(att + "self.value"),
        "o_w": t(att + "output.dense"), "o_b": b(att + "output.dense"),
        "ln1_w": np.asarray(w[prefix + att + "output.LayerNorm.weight"], np.float32),
        "ln1_b": np.asarray(w[prefix + att + "output.LayerNorm.bias"], np.float32),
        "up_w": t("intermediate.dense"), "up_b": b("intermediate.dense"),
        "down_w": t("output.dense"), "down_b": b("output.dense"),
        "ln2_w": np.asarray(w[prefix + "output.LayerNorm.weight"], np.float32),
        "ln2_b": np.asarray(w[prefix + "output.LayerNorm.bias"], np.float32),
    }


LOWER = 4  # layers whose states are cached on disk (the slow half)


def frozen_lower(w: dict[str, Any]) -> dict[str, Any]:
    """MiniLM's embeddings and bottom ``LOWER`` layers, the frozen half both trainers run."""
    return {
        "word": np.asarray(w["embeddings.word_embeddings.weight"], np.float32),
        "pos": np.asarray(w["embeddings.position_embeddings.weight"], np.float32),
        "type0": np.asarray(w["embeddings.token_type_embeddings.weight"][0], np.float32),
        "ln_w": np.asarray(w["embeddings.LayerNorm.weight"], np.float32),
        "ln_b": np.asarray(w["embeddings.LayerNorm.bias"], np.float32),
        "layers": [_layer_params(w, f"encoder.layer.{i}.") for i in range(LOWER)],
    }


def make_model(eps: float) -> Any:
    import jax
    import jax.numpy as jnp

    def ln(x: Any, w: Any, b: Any) -> Any:
        mean = x.mean(-1, keepdims=True)
        c = x - mean
        return c / jnp.sqrt((c * c).mean(-1, keepdims=True) + eps) * w + b

    def layer(p: dict[str, Any], x: Any, key_bias: Any) -> Any:
        bsz, length, _ = x.shape
        hd = D // HEADS

        def heads(y: Any) -> Any:
            return y.reshape(bsz, length, HEADS, hd).transpose(0, 2, 1, 3)

        q, k, v = (heads(x @ p[n + "_w"] + p[n + "_b"]) for n in ("q", "k", "v"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + key_bias
        a = jax.nn.softmax(s, axis=-1)
        ctx = (a @ v).transpose(0, 2, 1, 3).reshape(bsz, length, D)
        x = ln(x + ctx @ p["o_w"] + p["o_b"], p["ln1_w"], p["ln1_b"])
        up = jax.nn.gelu(x @ p["up_w"] + p["up_b"], approximate=False)
        return ln(x + up @ p["down_w"] + p["down_b"], p["ln2_w"], p["ln2_b"])

    def lower(frozen: dict[str, Any], ids: Any, mask: Any) -> Any:
        length = ids.shape[1]
        x = frozen["word"][ids] + frozen["pos"][:length] + frozen["type0"]
        x = ln(x, frozen["ln_w"], frozen["ln_b"])
        key_bias = ((mask - 1.0) * 1e9)[:, None, None, :]
        for p in frozen["layers"]:
            x = layer(p, x, key_bias)
        return x

    def upper(params: list[dict[str, Any]], x: Any, mask: Any) -> Any:
        key_bias = ((mask - 1.0) * 1e9)[:, None, None, :]
        for p in params:
            x = layer(p, x, key_bias)
        return x

    return jax.jit(lower), jax.jit(upper)


def text_states(texts: list[str], lower_fn: Any, frozen: Any, tokenizer: Any,
                max_tokens: int, cache: Path) -> dict[str, npt.NDArray[np.float16]]:
    """States after the lower layers per text, float16, cached on disk by text set."""
    key = hashlib.sha256(("\n".join(sorted(texts)) + f"|{len(frozen['layers'])}|{max_tokens}")
                         .encode()).hexdigest()[:16]
    path = cache / f"states-{key}.npz"
    if path.exists():
        return _read_states(path)
    # Texts an earlier set already had (same layers and length) are not run again.
    out: dict[str, npt.NDArray[np.float16]] = {}
    wanted = set(texts)
    # Newest first; an older file is read only while texts are still missing.
    for older in sorted(cache.glob("states-*.npz"), key=lambda p: p.stat().st_mtime,
                        reverse=True):
        if len(out) == len(wanted):
            break
        out.update((t, v) for t, v in _read_states(older).items()
                   if t in wanted and t not in out)
    print(f"  MiniLM states: {len(out)} of {len(texts)} texts from {cache}", flush=True)
    texts = [t for t in texts if t not in out]
    encodings = []
    for enc in tokenizer.encode_batch(texts):
        ids = enc.ids
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + ids[-1:]
        encodings.append(ids)
    order = np.argsort([len(e) for e in encodings], kind="stable")
    started = time.monotonic()
    batch = 64
    for n, start in enumerate(range(0, len(order), batch)):
        chunk = order[start:start + batch]
        ids, mask = _padded([encodings[i] for i in chunk], np.int32)
        states = np.asarray(lower_fn(frozen, ids, mask))
        for r, i in enumerate(chunk):
            out[texts[i]] = states[r, :len(encodings[i])].astype(np.float16)
        if n % 50 == 49:
            print(f"  MiniLM states {start + len(chunk)}/{len(texts)} texts "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
    order_texts = list(out)
    offsets = np.cumsum([0] + [len(out[t]) for t in order_texts])
    np.savez(path, flat=np.concatenate([out[t] for t in order_texts]), offsets=offsets,
             texts=np.asarray(order_texts))
    return out


def _read_states(path: Path) -> dict[str, npt.NDArray[np.float16]]:
    with np.load(path, allow_pickle=False) as npz:
        flat, offsets = npz["flat"], npz["offsets"]
        order = npz["texts"].tolist()
    return {t: flat[offsets[i]:offsets[i + 1]] for i, t in enumerate(order)}


def bottom_states(texts: list[str], cache: Path, files: Any = None
                  ) -> dict[str, npt.NDArray[np.float16]]:
    """Each text's states after MiniLM's bottom ``LOWER`` layers ([CLS] and [SEP] kept,
    ``MAX_TOKENS`` per text), computed in JAX once per text and kept under ``cache``.
    ``files``: MiniLM's loaded artefact, when the caller has it already."""
    import jax
    from tokenizers import Tokenizer

    from llm_router.cache.context import MAX_TOKENS
    from llm_router.embedding.artefact import load_model_files

    jax.config.update("jax_platforms", "cpu")
    if files is None:
        files = load_model_files()
    tokenizer = Tokenizer.from_str(files.tokenizer_json)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    lower_fn, _ = make_model(float(files.manifest["config"]["layer_norm_eps"]))
    return text_states(texts, lower_fn, frozen_lower(files.weights), tokenizer, MAX_TOKENS,
                       cache)


def context_states(texts: list[str], cache: Path) -> dict[str, F32]:
    """Each text's ``unit_rows`` of MiniLM's last-layer states, as the router computes
    them (``MAX_TOKENS`` per text)."""
    from llm_router.cache.context import unit_rows
    from llm_router.embedding.artefact import load_model_files

    files = load_model_files()
    w = files.weights
    lower = bottom_states(texts, cache, files)
    n_layers = int(files.manifest["config"]["num_hidden_layers"])
    upper_params = [_layer_params(w, f"encoder.layer.{i}.") for i in range(LOWER, n_layers)]
    _, upper_fn = make_model(float(files.manifest["config"]["layer_norm_eps"]))
    order = sorted(texts, key=lambda t: len(lower[t]))
    out: dict[str, F32] = {}
    for start in range(0, len(order), 128):
        chunk = order[start:start + 128]
        x, mask = _padded([lower[t] for t in chunk], np.float32)
        y = np.asarray(upper_fn(upper_params, x, mask))
        for r, t in enumerate(chunk):
            out[t] = unit_rows(y[r, :len(lower[t])])
    return out
