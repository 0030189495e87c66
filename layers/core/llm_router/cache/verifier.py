"""The learned pair verifier: does a cached question ask what the query asks?

A small model reads two kinds of features of the pair: ``pair_features`` (alignment of
the two texts' words through MiniLM's static word-piece vectors, agreement of amounts,
ids, names, negation, intent and question word, the sentence cosine) and
``context_features`` (the same alignment over MiniLM's last-layer token states, where a
token's vector carries its context); the alignment model (``align.py``) also reads the
token states themselves, an MLP ensemble only the features. A candidate the index found
above the loose similarity floor answers only when its probability reaches the
operating point. Numpy only: the weights live in ``data/cache_verifier/verifier.npz``
(trained by ``make verifier``; its sources, hash and scores in ``verifier.json`` beside
it); the word vectors and the token states come from the MiniLM export already in the
layer. Loaded once per process, on first use.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import members_npz, npz_arrays, npz_members, read_verified
from llm_router.cache.align import AlignEnsemble
from llm_router.cache.context import CONTEXT_FEATURES, MAX_TOKENS, context_features, unit_rows
from llm_router.cache.cross import WEIGHTS as CROSS_WEIGHTS
from llm_router.cache.cross import CrossVerifier, load_cross_verifier
from llm_router.cache.fusion import FusionModel, load_fusion
from llm_router.cache.kept import KeptInBytes
from llm_router.cache.pair_features import FEATURES, TextView, Vocabulary, pair_features
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder
from llm_router.errors import ConfigError

F32 = npt.NDArray[np.float32]
ARTEFACT_DIR = Path(__file__).resolve().parent.parent / "data" / "cache_verifier"
WEIGHTS = "verifier.npz"
META = "verifier.json"
FUSION_WEIGHTS = "fusion.npz"  # its sha256, threshold and scores in fusion.json
# The model that decides: "stacked" (the nets and ``fusion.py``'s model, MiniLM's top
# layers over both texts, together) or "nets" (``verifier.npz`` alone).
MODEL_KIND = "nets"
# A prepared text besides its view and states: the object, the states' array header, the
# LRU's slot.
PREPARED_OVERHEAD_BYTES = 300
PREPARED_BYTES = 48 * 2**20  # views and token states a verifier keeps (~1,800 questions)


@dataclass(frozen=True)
class Mlp:
    """Standardise, then ReLU layers, then a logistic output."""

    mean: F32
    scale: F32
    weights: tuple[F32, ...]
    biases: tuple[F32, ...]

    def probability(self, x: F32) -> F32:
        h = (np.atleast_2d(x) - self.mean) / self.scale
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0.0)
        logit = (h @ self.weights[-1] + self.biases[-1]).reshape(-1)
        return (1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)

    def arrays(self) -> dict[str, F32]:
        out = {"mean": self.mean, "scale": self.scale}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"w{i}"], out[f"b{i}"] = w, b
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> Mlp:
        layers = sum(1 for k in arrays if k.startswith("w"))
        f = [np.asarray(arrays[f"w{i}"], np.float32) for i in range(layers)]
        b = [np.asarray(arrays[f"b{i}"], np.float32) for i in range(layers)]
        return cls(np.asarray(arrays["mean"], np.float32),
                   np.asarray(arrays["scale"], np.float32), tuple(f), tuple(b))


@dataclass(frozen=True)
class MlpEnsemble:
    """MLPs trained on resamples; the probability is their mean."""

    members: tuple[Mlp, ...]

    def probability(self, x: F32) -> F32:
        return np.mean([m.probability(x) for m in self.members], axis=0).astype(np.float32)

    def score(self, a: F32, b: F32, features: F32) -> float:
        """One pair's probability (the token states are not read)."""
        return float(self.probability(features)[0])

    def arrays(self) -> dict[str, Any]:
        return members_npz([m.arrays() for m in self.members], "m")

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> MlpEnsemble:
        return cls(tuple(Mlp.from_arrays(m) for m in npz_members(arrays, "m")))


PairModel = MlpEnsemble | AlignEnsemble  # ``score(a_states, b_states, features)``


@dataclass(frozen=True)
class Stacked:
    """The fusion model beside the nets: the pair's probability is a logistic of the
    two models' logits, weighted as fitted on the tune set (``fusion.json``)."""

    fusion: FusionModel
    bias: float
    w_nets: float
    w_fusion: float

    def combine(self, p_nets: float, p_fusion: float) -> float:
        def logit(p: float) -> float:
            p = min(max(p, 1e-6), 1 - 1e-6)
            return float(np.log(p / (1 - p)))

        z = self.bias + self.w_nets * logit(p_nets) + self.w_fusion * logit(p_fusion)
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


@dataclass(frozen=True)
class Prepared:
    """What the verifier reads of one text, whatever it is paired with."""

    view: TextView
    states: F32  # ``unit_rows`` of MiniLM's last-layer token states
    # With the fusion model: the states after MiniLM's bottom layers, [CLS] and [SEP] kept.
    lower: F32 | None = None

    @property
    def nbytes(self) -> int:
        """What it holds in memory: the view (``TextView.nbytes``), the states and
        ``PREPARED_OVERHEAD_BYTES``. Session 14 counted the arrays alone, ~17 % under a
        question's (tests/unit/cache/test_verifier.py holds the count to tracemalloc's)."""
        lower = 0 if self.lower is None else self.lower.nbytes
        return int(self.view.nbytes + self.states.nbytes + lower) + PREPARED_OVERHEAD_BYTES


def _held_bytes(text: str, prepared: Prepared) -> int:
    """A kept text's bytes: what it is prepared into, and the text (the key: ~20 KB of a
    20,000-character message, which session 16's count left out)."""
    return sys.getsizeof(text) + prepared.nbytes


class PairVerifier:
    def __init__(self, vocabulary: Vocabulary, model: PairModel, threshold: float,
                 meta: dict[str, Any], embedder: MiniLMEmbedder,
                 keep_bytes: int = PREPARED_BYTES, stacked: Stacked | None = None):
        self.vocabulary = vocabulary
        self.stacked = stacked
        self.model = model
        self.threshold = threshold
        self.meta = meta
        self.embedder = embedder
        # With the fusion model, ``prepare`` takes each token's states after this many
        # MiniLM layers and after the last, side by side (``embed_with_states``).
        self.state_layers: int | None = None if stacked is None else stacked.fusion.lower
        # Recent texts, prepared: a query's for each of its candidates and for the entry
        # it becomes, a popular cached text's across queries. Bounded in bytes: a
        # question takes ~25 KB, a 20,000-character message megabytes (a vector a word).
        self._prepared: KeptInBytes[str, Prepared] = KeptInBytes(keep_bytes, _held_bytes)
        # Where a text's view may be built already (the cross-encoder stacked on these
        # nets keeps one per text it checked: ``CrossVerifier.stack_on``); None: none.
        self.views_from: Callable[[str], TextView | None] | None = None

    def prepare(self, text: str, states: F32 | None = None) -> Prepared:
        """The text's view and token states, kept. ``states``: its last-layer states
        (after those of ``state_layers`` layers, with the fusion model) from a pass that
        already ran (``MiniLMEmbedder.embed_with_states(..., state_layers)``), so the
        request's one MiniLM pass serves the verifier too; else one pass here."""
        found = self._prepared.get(text)
        if found is not None:
            return found
        if states is None:
            states = self.embedder.token_states(text, None, MAX_TOKENS, self.state_layers)
        view = self.views_from(text) if self.views_from is not None else None
        if view is None:
            view = self.vocabulary.view(text)
        if self.state_layers is None:
            prepared = Prepared(view, unit_rows(states))
        else:
            dim = states.shape[1] // 2
            prepared = Prepared(view, unit_rows(states[:, dim:]),
                                np.ascontiguousarray(states[:, :dim], np.float32))
        return self._prepared.put(text, prepared)

    def prepare_many(self, texts: Sequence[str], lone: bool = False) -> int:
        """Prepare the texts not kept yet in one batched MiniLM pass: a lookup's
        candidates over the floor, which are all judged unless one hits. One pass over
        five questions reads MiniLM's 42 MB of weights once; five single passes read them
        five times (42 vs 106 ms of CPU under load). A text over ``MAX_TOKENS`` is left
        to ``prepare``, which cuts it, as is a lone text; ``lone``: prepare those too,
        each with its own pass (``preparer.Preparer``, off the request path). Returns
        how many texts were prepared here."""
        cold = [t for t in dict.fromkeys(texts) if t not in self._prepared]
        if not cold or (len(cold) < 2 and not lone):  # one text: its own pass when judged
            return 0
        _, states = self.embedder.embed_with_states(cold, MAX_TOKENS, self.state_layers)
        done = 0
        for text, rows in zip(cold, states, strict=True):
            if rows is not None or lone:
                self.prepare(text, rows)
                done += 1
        return done

    def forget(self) -> None:
        """Drop every prepared text (benchmarks time the cold path with it)."""
        self._prepared.clear()

    def view(self, text: str) -> TextView:
        return self.prepare(text).view

    def kept_view(self, text: str) -> TextView | None:
        """The text's view if it is kept prepared; never prepares it."""
        found = self._prepared.peek(text)
        return None if found is None else found.view

    def states(self, text: str) -> F32:
        return self.prepare(text).states

    def probability(self, cached: str, query: str, cosine: float) -> float:
        a, b = self.prepare(cached), self.prepare(query)
        row = np.concatenate([pair_features(a.view, b.view, cosine),
                              context_features(a.states, b.states)])
        p = self.model.score(a.states, b.states, row)
        if self.stacked is None or a.lower is None or b.lower is None:
            return p
        return self.stacked.combine(p, self.stacked.fusion.probability(a.lower, b.lower))


def load_vocabulary(idf: F32, embedding_dir: Path | None = None) -> Vocabulary:
    """The word view over the process's shared MiniLM: its float16 word table and its
    tokenizer (no truncation), no second read of the export nor second tokenizer."""
    embedder = shared_embedder(embedding_dir)
    return Vocabulary(embedder.tokenizer, embedder.word_table, idf)


def load_verifier(directory: Path | None = None, embedding_dir: Path | None = None,
                  model_kind: str | None = None, fusion_path: Path | None = None
                  ) -> PairVerifier:
    """Read and hash-check the artefact (``verifier.json`` names the npz's sha256).
    ``model_kind``: "stacked" (the nets of ``verifier.npz`` and the fusion model of
    ``fusion.npz`` together, with fusion.json's weights and operating point) or "nets"
    (the nets alone); None: ``MODEL_KIND``. ``fusion_path``: the fusion model's npz
    (default: ``fusion.npz`` beside the nets' artefact)."""
    directory = directory or ARTEFACT_DIR
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cache verifier artefact missing in {directory}: {exc}") from exc
    raw = read_verified(directory / WEIGHTS, str(meta.get("sha256")), what="cache verifier")
    if tuple(meta.get("features", ())) != FEATURES + CONTEXT_FEATURES:
        raise ConfigError(f"{META} was trained on other features; run `make verifier`")
    arrays = npz_arrays(raw)
    vocabulary = load_vocabulary(np.asarray(arrays.pop("idf"), np.float32), embedding_dir)
    # An alignment model's arrays are "a<i>.<name>", an MLP ensemble's "m<i>.<name>".
    model: PairModel = (AlignEnsemble.from_arrays(arrays) if "a0.proj" in arrays
                        else MlpEnsemble.from_arrays(arrays))
    threshold = float(meta["threshold"])
    stacked = None
    kind = model_kind or MODEL_KIND
    if kind == "stacked":
        fusion, fusion_meta = load_fusion(fusion_path or directory / FUSION_WEIGHTS)
        weights = fusion_meta["stack"]
        stacked = Stacked(fusion, float(weights["bias"]), float(weights["nets"]),
                          float(weights["fusion"]))
        meta = {**meta, "fusion": fusion_meta}
        threshold = float(weights["threshold"])
    elif kind != "nets":
        raise ConfigError(f"unknown cache verifier model {model_kind!r}")
    # The router's embedder: one copy of MiniLM per process.
    return PairVerifier(vocabulary, model, threshold, meta, shared_embedder(embedding_dir),
                        stacked=stacked)


Verifier = PairVerifier | CrossVerifier
# The catalog's ``cache.verifier_model``: the cross-encoder (``cross.py``) or the nets.
VERIFIER_MODELS = ("cross", "nets")


def default_model(directory: Path | None = None) -> str:
    """"cross" where the cross-encoder's artefact is shipped, else "nets"."""
    return "cross" if ((directory or ARTEFACT_DIR) / CROSS_WEIGHTS).exists() else "nets"


@functools.cache
def _shipped_default() -> str:
    """``default_model`` of the layer's artefacts, read once (every lookup asks)."""
    return default_model()


def nets_of(verifier: Verifier) -> PairVerifier | None:
    """The nets a verifier runs, which read each text's MiniLM token states: the nets
    themselves, or those a cross-encoder is stacked on (None: the cross-encoder alone,
    which reads no per-text states)."""
    nets = verifier if isinstance(verifier, PairVerifier) else verifier.nets
    return nets if isinstance(nets, PairVerifier) else None


_LOCK = threading.Lock()
_SHARED: dict[str, Verifier] = {}


def shared_verifier(model: str | None = None, order_band: float | None = None) -> Verifier:
    """The process-wide verifier of ``model`` ("cross" or "nets"; None: ``default_model``),
    loaded on first use, over the process's shared MiniLM; with ``order_band``
    (``cache.verifier_order_band``, the cross-encoder only) the one that reads a pair near
    its operating point both ways (``load_cross_verifier``), kept apart: its scores differ."""
    kind = model or _shipped_default()
    if kind not in VERIFIER_MODELS:
        raise ConfigError(f"unknown cache verifier model {kind!r}: one of {VERIFIER_MODELS}")
    if order_band is not None and kind != "cross":
        raise ConfigError("cache.verifier_order_band needs the cross-encoder "
                          f"(verifier_model {kind!r})")
    name = kind if order_band is None else f"{kind} band {order_band!r}"
    with _LOCK:
        found = _SHARED.get(name)
        if found is None:
            if kind == "cross":
                cross = load_cross_verifier(shared_embedder(), order_band=order_band)
                if cross.combines_nets:  # stacked on the nets: the process's one copy
                    nets = _SHARED.get("nets")
                    _SHARED["nets"] = nets = nets or load_verifier()
                    cross.stack_on(nets)
                found = _SHARED[name] = cross
            else:
                found = _SHARED[name] = load_verifier()
        return found
