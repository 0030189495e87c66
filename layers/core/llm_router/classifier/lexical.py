"""Hashed word n-grams: the words themselves, which a mean-pooled sentence embedding
blurs ("how many" vs "how", "vs", "why", "implement", a pasted order number). Each
query becomes a binary bag of lowercased words and word pairs (digits folded to 0),
hashed into ``dim`` buckets by CRC-32 (stable across processes, unlike ``hash``) and
L2-normalised. A linear layer over it is blended with the MLP (``models.LexicalBlend``).

A long text is read through ``view.bounded_view`` (its two ends), which bounds the
per-request work (the bucket loop holds the interpreter lock; the tokenising scan, like
every scan of request text, lets it go)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from llm_router.classifier.view import bounded_view
from llm_router.textscan import compile_like_re

F32 = npt.NDArray[np.float32]
_TOKEN = compile_like_re(r"[a-z0-9']+|[?$%£€#`{}()=<>]")
_DIGITS = compile_like_re(r"\d+")


def ngrams(text: str) -> list[str]:
    """Unigrams and bigrams of the lowercased text, every run of digits as ``0``."""
    text = bounded_view(text)
    words = [_DIGITS.sub("0", w) for w in _TOKEN.findall(text.lower(), concurrent=True)]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def hashed_ngrams(texts: Sequence[str], dim: int) -> F32:
    """One L2-normalised row of ``dim`` hashed n-gram indicators per text."""
    rows = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        buckets = {zlib.crc32(g.encode()) % dim for g in ngrams(text)}
        if buckets:
            rows[i, list(buckets)] = np.float32(1.0 / np.sqrt(len(buckets)))
    return rows
