"""The cross-encoder pair verifier: MiniLM's first layers reading both texts at once (numpy).

"[CLS] query [SEP] cached [SEP]" (each side's first ``max_side_tokens`` word pieces,
token type 0 up to the first [SEP], 1 after) runs through the first ``L`` encoder
layers of the shipped MiniLM, fine-tuned on labelled pairs read that way, so every
token of one text attends to every token of the other: what alignment nets over each
text's own states cannot learn ("cancel my purchase" / "cancel my order"). A linear
head reads the [CLS] state and the mean state; its logistic is the probability that the
cached answer answers the query. The weights live in ``data/cache_verifier/cross.npz``
(float16, widened once at load; its sha256, layer count, side length, operating point,
training sources and scores in ``cross.json``), except the word-piece table, frozen
while training: the one the MiniLM embedder already holds is read in place (so the
artefact names the embedding export it was trained against, and a mismatch is refused).
A lookup scores all its candidates in one batched pass (``CrossVerifier.score_pairs``).

Stacked on the nets (``cross.json`` ``"combine": "nets"``, as shipped since session 10):
the verdict's probability is sigmoid(logit p_cross + logit p_nets), each clipped to
[1e-6, 1 - 1e-6], no fitted weights; the operating point is that sum's
(docs/cache-history.md "Session 10"). ``"combine": "fitted"``: a logistic regression of
both logits and a few cheap pair features instead, with its own operating point
(``fitted_stack``; cross.json ``"stack"``). The nets then prepare the candidates' texts too
(``PairVerifier.prepare_many``), and the query's token states come from its embedding
pass (``ResponseCache.embed_query``).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.artefacts import npz_arrays, read_verified
from llm_router.cache.fitted_stack import FittedStack, logit, pair_row, word_jaccard
from llm_router.cache.kept import KeptInBytes
from llm_router.cache.pair_features import TextView, Vocabulary
from llm_router.embedding.minilm import (
    MiniLMEmbedder,
    encoder_layer,
    gelu_max_form,
    layer_groups,
    layer_norm,
    pack_layer,
    padding_bias,
    word_prefix,
)
from llm_router.embedding.widen import widen
from llm_router.errors import ConfigError

F32 = npt.NDArray[np.float32]
ARTEFACT_DIR = Path(__file__).resolve().parent.parent / "data" / "cache_verifier"
WEIGHTS = "cross.npz"
META = "cross.json"
POSITIONS = 80  # position rows shipped: 2 * 38 word pieces + [CLS] and two [SEP]
# Pairs per forward pass when many are scored at once (cache-probe, benchmarks): sorted
# by length first, so a pass pads little. A lookup's candidates are one pass.
PASS_PAIRS = 32
# Probabilities kept (``score_pairs`` fills them ahead of the verdicts), bounded by the
# bytes they hold: their texts (a lookup's query may be a 20,000-character message) and
# PAIR_BYTES a pair (its key and value tuples, the float, the LRU's slot: tracemalloc's
# ~240). Session 14 counted 4,000,000 characters of text alone: ~20 MB held for short
# questions (docs/cache-history.md "Session 15").
KEPT_BYTES = 4 * 2**20
PAIR_BYTES = 250
# Texts a ``side_ids`` call tokenises one by one (``CrossEncoder._encoded``); more go in
# one ``encode_batch``.
ONE_BY_ONE = 8
# cross.json "order": the rows a pair is read as (``probabilities``, ``pair_logit``).
ORDERS = ("query_first", "cached_first", "both")
# Word views kept for the amounts-and-ids check: each view's ``TextView.nbytes`` and its
# text, the key (~20 KB of a 20,000-character message; uncounted before session 18).
VIEW_BYTES = 16 * 2**20


class CrossEncoder:
    """The forward pass: pairs of texts in, probabilities out."""

    def __init__(self, arrays: dict[str, npt.NDArray[Any]], embedder: MiniLMEmbedder,
                 max_side_tokens: int):
        layers = sum(1 for k in arrays if k.endswith(".attention.self.query.weight"))
        pos = arrays["embeddings.position_embeddings.weight"]
        if layers == 0 or pos.shape[0] < 2 * max_side_tokens + 3:
            raise ConfigError(f"cache verifier {WEIGHTS}: {layers} encoder layers, "
                              f"{pos.shape[0]} positions for sides of {max_side_tokens}")
        groups = [[pos], [arrays["embeddings.token_type_embeddings.weight"]],
                  [arrays["embeddings.LayerNorm.weight"]], [arrays["embeddings.LayerNorm.bias"]]]
        for i in range(layers):
            groups += layer_groups(arrays, f"encoder.layer.{i}.")
        wide = widen(groups)
        self._pos, self._types, self._ln_w, self._ln_b = wide[:4]
        per = len(wide[4:]) // layers
        self.layers = [pack_layer(wide[4 + i * per : 4 + (i + 1) * per])
                       for i in range(layers)]
        self._head_w = np.array(arrays["head.weight"], np.float32).reshape(-1)
        self._head_b = np.float32(np.asarray(arrays["head.bias"]).reshape(-1)[0])
        if self._head_w.size != 2 * embedder.dim:
            raise ConfigError(f"cache verifier {WEIGHTS}: head of {self._head_w.size} weights")
        self._embedder = embedder
        self._word = embedder.word_table  # shared, read in place: frozen in training
        self._tokenizer = embedder.tokenizer
        cls, sep = (self._tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]"))
        if cls is None or sep is None:
            raise ConfigError("the embedding's tokenizer has no [CLS] or [SEP] token")
        self._cls, self._sep = cls, sep
        self.max_side_tokens = max_side_tokens
        # "shared": digit runs in both texts stood in for first (``shared_numbers``), as
        # the artefact was trained (cross.json "numbers"); "raw": the texts as they are.
        self.numbers = "raw"
        # "query_first": "[CLS] query [SEP] cached [SEP]"; "cached_first": "[CLS] cached
        # [SEP] query [SEP]"; "both": the two, logits averaged (cross.json "order").
        self.order = "query_first"
        # (centre, half-width) in logits: read "query_first", a pair whose logit is within
        # the half-width of the centre (the operating point's logit) is read cached first
        # too, in a second pass, and the two logits averaged (``cache.verifier_order_band``,
        # docs/cache-history.md "Session 32: beyond S5's one reading"). None: one reading.
        self.band: tuple[float, float] | None = None
        self._prefix_chars = max_side_tokens * 16  # plenty of words for a side

    @property
    def word_table(self) -> npt.NDArray[np.float16]:
        return self._word

    def side_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's first ``max_side_tokens`` word pieces, no special tokens. A long
        text is cut at a space first (``word_prefix``, as the embedder's ``_token_ids``):
        a prefix of whole words whose pieces fill the side has the whole text's first
        pieces; one that does not fill it is tokenised whole."""
        n = self.max_side_tokens
        cut = [word_prefix(t, self._prefix_chars) for t in texts]
        out = [ids[:n] for ids in self._encoded(cut)]
        short = [i for i, (t, c) in enumerate(zip(texts, cut, strict=True))
                 if len(c) < len(t) and len(out[i]) < n]
        if short:
            for i, ids in zip(short, self._encoded([texts[i] for i in short]), strict=True):
                out[i] = ids[:n]
        return out

    def _encoded(self, texts: list[str]) -> list[list[int]]:
        """Each text's word-piece ids, no special tokens: up to ``ONE_BY_ONE`` texts (a
        lookup's) by ``encode`` one at a time, more by ``encode_batch`` (the same ids;
        its thread pool costs a lookup's two texts 49 us of CPU against 33 one by one)."""
        if len(texts) <= ONE_BY_ONE:
            return [self._tokenizer.encode(t, add_special_tokens=False).ids for t in texts]
        return [e.ids for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    def pair_ids(self, query: list[int], cached: list[int]) -> tuple[list[int], list[int]]:
        """Ids and token types of "[CLS] query [SEP] cached [SEP]"."""
        ids = [self._cls, *query, self._sep, *cached, self._sep]
        return ids, [0] * (len(query) + 2) + [1] * (len(cached) + 1)

    def hidden(self, ids: npt.NDArray[np.int64], types: npt.NDArray[np.int64],
               mask: F32) -> F32:
        """The last layer's states, (pairs, length, dim); padding rows of ``mask`` 0."""
        batch, length = ids.shape
        e = self._embedder
        x = self._word[ids].astype(np.float32) + self._pos[:length] + self._types[types]
        x = layer_norm(x, self._ln_w, self._ln_b, e.layer_norm_eps).reshape(batch * length,
                                                                            e.dim)
        key_bias = padding_bias(mask)
        for layer in self.layers:
            x = encoder_layer(x, layer, e.heads, e.layer_norm_eps, batch, length, key_bias,
                              gelu_max_form)
        return x.reshape(batch, length, e.dim)

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> F32:
        """p for each (query, cached) pair: one pass for up to ``PASS_PAIRS`` rows, padded
        to the longest; more go by length, ``PASS_PAIRS`` at a time. Read as ``order``
        says: query first, cached first, or both (two rows of one length, mostly in one
        pass, their logits averaged: ``pair_logit``)."""
        return self._scored(pairs)[0]

    def scored(self, pairs: Sequence[tuple[str, str]]) -> tuple[F32, list[tuple[int, int]]]:
        """``probabilities`` and the word pieces read of each pair's (cached, query): what
        the verifier keeps (the fitted stack reads both)."""
        return self._scored(pairs)

    def _scored(self, pairs: Sequence[tuple[str, str]]) -> tuple[F32, list[tuple[int, int]]]:
        if not pairs:
            return np.empty(0, np.float32), []
        if self.numbers == "shared":
            pairs = [shared_numbers(query, cached) for query, cached in pairs]
        texts = list(dict.fromkeys(t for pair in pairs for t in pair))
        side = dict(zip(texts, self.side_ids(texts), strict=True))
        encoded = []
        if self.order != "cached_first":
            encoded += [self.pair_ids(side[q], side[c]) for q, c in pairs]
        if self.order != "query_first":
            encoded += [self.pair_ids(side[c], side[q]) for q, c in pairs]
        logit = pair_logit(self.logits(encoded), len(pairs))
        if self.band is not None and self.order == "query_first":
            logit = self._banded(logit, pairs, side)
        return ((1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32),
                [(len(side[c]), len(side[q])) for q, c in pairs])

    def _banded(self, logit: F32, pairs: Sequence[tuple[str, str]],
                side: dict[str, list[int]]) -> F32:
        """``logit`` with each pair in the band read cached first too, the two averaged."""
        assert self.band is not None
        centre, width = self.band
        near = np.flatnonzero(np.abs(logit - centre) <= width).tolist()
        if not near:
            return logit
        other = self.logits([self.pair_ids(side[pairs[i][1]], side[pairs[i][0]]) for i in near])
        out = logit.copy()
        out[near] = (logit[near] + other) / 2
        return out

    def logits(self, encoded: Sequence[tuple[list[int], list[int]]]) -> F32:
        """The head's logit for each (ids, types) row, ``PASS_PAIRS`` rows a pass, by
        length."""
        out = np.empty(len(encoded), np.float32)
        order = np.argsort([len(ids) for ids, _ in encoded], kind="stable")
        for start in range(0, len(order), PASS_PAIRS):
            chunk = order[start : start + PASS_PAIRS]
            out[chunk] = self._pass([encoded[i] for i in chunk])
        return out

    def _pass(self, encoded: list[tuple[list[int], list[int]]]) -> F32:
        """The logits of one padded batch."""
        length = max(len(ids) for ids, _ in encoded)
        ids = np.zeros((len(encoded), length), np.int64)
        types = np.zeros((len(encoded), length), np.int64)
        mask = np.zeros((len(encoded), length), np.float32)
        for row, (i, t) in enumerate(encoded):
            ids[row, : len(i)], types[row, : len(t)], mask[row, : len(i)] = i, t, 1.0
        h = self.hidden(ids, types, mask)
        mean = np.einsum("btd,bt->bd", h, mask) / mask.sum(axis=1, keepdims=True)
        logit = np.concatenate([h[:, 0], mean], axis=1) @ self._head_w + self._head_b
        return logit.astype(np.float32)


def pair_logit(logits: F32, pairs: int) -> F32:
    """Each pair's logit from its rows' (``CrossEncoder.probabilities``): one row a pair
    (``order`` "query_first" or "cached_first"), or two, the pairs read query first and
    then cached first, whose logits are averaged (``order`` "both"). The model was trained
    on pairs in either order (``train.cache_verifier.cross.assemble`` swaps them at
    random), so each order is a look at the same pair; which one an artefact's operating
    point was chosen for is its ``cross.json`` "order" (docs/cache-history.md
    "Session 11")."""
    if len(logits) == pairs:
        return logits
    return ((logits[:pairs] + logits[pairs:]) / 2).astype(np.float32)


class CrossVerifier:
    """The lookup's verifier with the cross-encoder: the policy asks ``view`` (the
    amounts-and-ids check) and ``probability``; a lookup first has all its candidates
    over the floor scored in one pass (``score_pairs``) and the verdicts read them."""

    def __init__(self, encoder: CrossEncoder, vocabulary: Vocabulary, threshold: float,
                 meta: dict[str, Any], embedder: MiniLMEmbedder):
        self.encoder = encoder
        self.vocabulary = vocabulary
        self.threshold = threshold
        self.meta = meta
        self.embedder = embedder
        # (query, cached) -> (p, word pieces read of the cached text, of the query)
        self._scores: KeptInBytes[tuple[str, str], tuple[float, int, int]] = KeptInBytes(
            KEPT_BYTES, lambda pair, _: _pair_bytes(pair))
        self._views: KeptInBytes[str, TextView] = KeptInBytes(
            VIEW_BYTES, lambda text, view: sys.getsizeof(text) + view.nbytes)
        # The nets this model is stacked on (``meta["combine"] == "nets"``), set by
        # ``stack_on``; None: the cross-encoder's probability alone.
        self.nets: Any = None
        # The fitted combination (``"combine": "fitted"``); None: the unfitted sum.
        self.fitted: FittedStack | None = None

    @property
    def combines_nets(self) -> bool:
        return self.meta.get("combine") in ("nets", "fitted")

    def stack_on(self, nets: Any) -> None:
        """Stack this model on ``nets`` (a ``PairVerifier``): the verdict's probability
        is both models' (``stack``). The two read one word view per text: the views are
        built with the nets' vocabulary (its IDF, which the amounts check never reads),
        a text the nets hold prepared lends them its view, and the nets prepare a text
        with the view this verifier keeps (a lookup built each new text's view twice,
        ~0.2 ms of CPU each, and kept both)."""
        self.nets = nets
        self.vocabulary = nets.vocabulary
        nets.views_from = self.kept_view

    def kept_view(self, text: str) -> TextView | None:
        """The text's view if kept here; never builds one."""
        return self._views.peek(text)

    def view(self, text: str) -> TextView:
        """The text's word view (amounts, ids, units), kept while ``VIEW_BYTES`` allows."""
        found = self._views.get(text)
        if found is not None:
            return found
        if self.nets is not None:
            lent = self.nets.kept_view(text)
            if lent is not None:
                return lent
        return self._views.put(text, self.vocabulary.view(text))

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Score the (query, cached) pairs not scored yet, batched, and keep their
        probabilities for ``probability`` (the latest, up to ``KEPT_BYTES``; one
        evicted before it is judged is scored again alone: slower, never different)."""
        if self.nets is not None:
            self.nets.prepare_many([text for pair in pairs for text in pair])
        cold = [p for p in dict.fromkeys(pairs) if p not in self._scores]
        if not cold:
            return
        probabilities, pieces = self.encoder.scored(cold)
        for pair, p, (nc, nq) in zip(cold, probabilities.tolist(), pieces, strict=True):
            self._scores.put(pair, (p, nc, nq))

    def probability(self, cached: str, query: str, cosine: float) -> float:
        """The probability that ``cached``'s answer answers ``query``: the cross-encoder's
        (it reads the texts, not the cosine), stacked on the nets' when it is."""
        if self.nets is None and self.combines_nets:
            raise ConfigError("this cross-encoder's operating point is for its sum with the "
                              "nets (cross.json combine: nets or fitted); attach them "
                              "(verifier.shared_verifier does) or use the nets alone")
        found = self._scores.peek((query, cached))
        if found is None:
            alone, pieces = self.encoder.scored([(query, cached)])
            found = (float(alone[0]), *pieces[0])
        p, pieces_cached, pieces_query = found
        if self.nets is None:
            return p
        p_nets = self.nets.probability(cached, query, cosine)
        if self.fitted is None:
            return stack(p, p_nets)
        return self.fitted.probability(pair_row(
            p, p_nets, cosine, pieces_cached, pieces_query, self.encoder.max_side_tokens,
            word_jaccard(cached, query)))

    def forget(self) -> None:
        """Drop every kept score and view (benchmarks time the cold path with it)."""
        if self.nets is not None:
            self.nets.forget()
        self._scores.clear()
        self._views.clear()


_DIGITS = re.compile(r"\d+")


def shared_numbers(query: str, cached: str) -> tuple[str, str]:
    """Both texts with each run of digits that occurs in both replaced by a short
    stand-in ("1", "2", ... by the runs' length, then value: the same for either order).
    The amounts-and-ids check compares numbers; the model reads whether the rest asks the
    same, and a 7-digit id it rarely saw in training no longer sways it ("Benchmark request
    1400096: please say hello." / "...: say hello." read p 0.04 raw)."""
    common = set(_DIGITS.findall(query)) & set(_DIGITS.findall(cached))
    if not common:
        return query, cached
    names = {run: str(n) for n, run in enumerate(sorted(common, key=lambda r: (len(r), r)), 1)}

    def rename(text: str) -> str:
        return _DIGITS.sub(lambda m: names.get(m.group(0), m.group(0)), text)

    return rename(query), rename(cached)


def stack(p_cross: float, p_nets: float) -> float:
    """sigmoid(logit p_cross + logit p_nets), each clipped to [1e-6, 1 - 1e-6]: what the
    trainer's decision scored (``train.cache_verifier.cross.decide``)."""
    return float(1.0 / (1.0 + np.exp(-(logit(p_cross) + logit(p_nets)))))


def _pair_bytes(pair: tuple[str, str]) -> int:
    """What a kept score holds: its texts (counted even where the index shares them:
    they outlive its entries here) and the rest (``PAIR_BYTES``)."""
    return PAIR_BYTES + sys.getsizeof(pair[0]) + sys.getsizeof(pair[1])


def load_cross(embedder: MiniLMEmbedder, directory: Path | None = None
               ) -> tuple[CrossEncoder, dict[str, Any]]:
    """Read and hash-check ``cross.npz`` (``cross.json`` names its sha256, its layers,
    its side length and the embedding export it was trained against)."""
    directory = directory or ARTEFACT_DIR
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cache verifier cross-encoder missing in {directory}: {exc}") from exc
    raw = read_verified(directory / WEIGHTS, str(meta.get("sha256")),
                        what="cache verifier cross-encoder")
    trained_on = str(meta.get("embedding"))
    if trained_on not in (embedder.model_id, embedder.weights_sha256):
        raise ConfigError(
            f"cache verifier cross-encoder {directory / WEIGHTS} was trained against "
            f"embedding {trained_on!r}, but the loaded embedding is {embedder.model_id} "
            f"(sha256 {embedder.weights_sha256}): retrain it on this export")
    arrays = npz_arrays(raw, copy_misaligned=False)
    encoder = CrossEncoder(arrays, embedder, int(meta.get("max_side_tokens", 38)))
    encoder.numbers = str(meta.get("numbers", "raw"))
    if encoder.numbers not in ("raw", "shared"):
        raise ConfigError(f"{META}: numbers {encoder.numbers!r} is not 'raw' or 'shared'")
    encoder.order = str(meta.get("order", "query_first"))
    if encoder.order not in ORDERS:
        raise ConfigError(f"{META}: order {encoder.order!r} is not one of {', '.join(ORDERS)}")
    if int(meta.get("layers", -1)) != len(encoder.layers):
        raise ConfigError(f"{META} says {meta.get('layers')} layers, {WEIGHTS} holds "
                          f"{len(encoder.layers)}")
    return encoder, meta


def judged_by(meta: dict[str, Any]) -> tuple[FittedStack | None, float]:
    """What ``cross.json`` (``meta``) has the verifier judge by: its fitted stack (None
    unless ``"combine": "fitted"``) and the cut, the stack's or the file's ``threshold``."""
    fitted = FittedStack.from_meta(meta.get("stack")) if meta.get("combine") == "fitted" else None
    return fitted, fitted.threshold if fitted is not None else float(meta["threshold"])


def load_cross_verifier(embedder: MiniLMEmbedder, directory: Path | None = None,
                        order_band: float | None = None) -> CrossVerifier:
    """The verifier over the process's MiniLM (its word table, its tokenizer). The word
    view needs no IDF here: only the amounts-and-ids check reads it. ``order_band``
    (``cache.verifier_order_band``): the half-width, in logits, of the band around the
    artefact's operating point where a pair is read both ways (``CrossEncoder.band``);
    None: one reading, as the artefact says."""
    encoder, meta = load_cross(embedder, directory)
    vocabulary = Vocabulary(embedder.tokenizer, embedder.word_table, np.zeros(0, np.float32))
    combine = meta.get("combine")
    if combine not in (None, "nets", "fitted"):
        raise ConfigError(f"{META}: combine {combine!r} is not 'nets' or 'fitted'")
    fitted, threshold = judged_by(meta)
    verifier = CrossVerifier(encoder, vocabulary, threshold, meta, embedder)
    verifier.fitted = fitted
    if order_band is not None:
        if encoder.order != "query_first" or combine is not None:
            raise ConfigError("cache.verifier_order_band reads a cross-encoder that decides "
                              f"alone, query first ({META}: order {encoder.order!r}, "
                              f"combine {combine!r})")
        encoder.band = (logit(threshold), float(order_band))
    return verifier
