"""A file-backed memo around an embedder, for offline jobs that embed the same texts
again and again (training, benchmarks): vectors are keyed by the embedder id and the
text's sha256, so a changed text or model is simply a miss. Never used on the request
path."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from llm_router.embedding.artefact import npz_bytes
from llm_router.embedding.base import Embedder, Matrix


class MemoEmbedder:
    def __init__(self, inner: Embedder, path: Path):
        self.inner, self.path = inner, path
        self._memo: dict[str, Matrix] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as stored:
                self._memo = {key: stored[key] for key in stored.files}

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> Matrix:
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in self._memo}.items(), key=lambda kv: len(kv[1]))
        if missing:
            vectors = self.inner.embed([t for _, t in missing])
            self._memo.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(npz_bytes(self._memo))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[k] for k in keys]).astype(np.float32)

    def embed_one(self, text: str) -> Matrix:
        return self.embed([text])[0]
