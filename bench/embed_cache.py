"""MiniLM vectors of the evaluation texts, cached by text in bench/results/local/
(gitignored), saved every chunk: on a shared 2-core machine embedding the pair sets is
the slow step, and a rerun or an interrupted run should not pay it again.

    .venv/bin/python bench/embed_cache.py       # fill the cache for every pair set
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from llm_router.embedding.minilm import MiniLMEmbedder

CACHE = Path(__file__).resolve().parent / "results" / "local" / "embeddings"
CHUNK = 500


def cached_rows(embed: Callable[[list[str]], npt.NDArray[np.float32]], tag: str,
                texts: Sequence[str], dim: int, cache: Path = CACHE,
                label: str = "", chunk_size: int = CHUNK) -> npt.NDArray[np.float32]:
    """Rows of ``embed`` for ``texts`` in order; new texts are embedded and saved in chunks
    under ``cache`` as ``{tag}-*.npz`` (an interrupted run keeps what it did). ``tag`` names
    the model (its id's or its weights' hash), ``label`` prefixes the progress lines."""
    cache.mkdir(parents=True, exist_ok=True)
    known: dict[str, npt.NDArray[np.float32]] = {}
    for part in sorted(cache.glob(f"{tag}-*.npz")):
        with np.load(part, allow_pickle=False) as npz:
            known.update(zip(npz["texts"].tolist(), npz["vectors"], strict=True))
    todo = sorted(set(texts) - set(known))
    started = time.monotonic()
    for i in range(0, len(todo), chunk_size):
        chunk = todo[i: i + chunk_size]
        vectors = embed(chunk)
        known.update(zip(chunk, vectors, strict=True))
        name = hashlib.sha256("\n".join(chunk).encode()).hexdigest()[:16]
        np.savez(cache / f"{tag}-{name}.npz", texts=np.asarray(chunk), vectors=vectors)
        print(f"  {label}embedded {i + len(chunk)}/{len(todo)} new texts "
              f"({time.monotonic() - started:.0f} s)", flush=True)
    return np.stack([known[t] for t in texts]) if texts else np.zeros((0, dim), np.float32)


def embed_cached(embedder: MiniLMEmbedder, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """MiniLM's rows for ``texts`` in order, cached by text (``cached_rows``)."""
    tag = hashlib.sha256(embedder.model_id.encode()).hexdigest()[:12]
    return cached_rows(embedder.embed, tag, texts, embedder.dim)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
    from train.cache_verifier.pairs import read_jsonl

    here = Path(__file__).resolve().parent / "cache_pairs"
    wanted: list[str] = []
    for name in ("pairs.jsonl", "tune.jsonl", "heldout.jsonl"):
        for p in read_jsonl(here / name):
            wanted += [p["a"], p["b"]] if "a" in p else [p["cached"], p["query"]]
    embed_cached(MiniLMEmbedder.load(), wanted)
