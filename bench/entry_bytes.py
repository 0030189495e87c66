"""What one semantic cache entry costs in memory, piece by piece (no model, no server).

    .venv/bin/python bench/entry_bytes.py [--entries 10000] [--text-chars 40] [--one-long N]
    .venv/bin/python bench/entry_bytes.py --text-chars 60 --retrieval-map --out FILE.json

Entries shaped as the request path makes them (a sha256 key, a context key, a question of
``--text-chars`` characters, a journal sort key, a unit float32 embedding), each piece
measured with ``tracemalloc`` as the bytes it still holds: a ``TenantIndex`` of the entries,
the ``IndexRecord`` copies a journal read makes of them before they are indexed, their
snapshot (``snapshots.encode``) and the ``AnswerMemo`` per answer (the loopback upstream's
answer). Prints bytes an entry for each. ``--one-long N``: the newest entry's text N
characters long instead (one long message among short questions: what the snapshot
holds then, whole). ``--retrieval-map``: the index with the catalog's
``cache.retrieval_map``, as the router's (its vector rows are then the mapped ones; the
index of sessions 28's end held the raw rows beside them). Also how many of such entries a
default cache keeps (``cache.max_entries`` and ``max_index_bytes``, the catalog's: the
first to bind), and ``--out``: all of it as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from llm_router.cache.answers import AnswerMemo
from llm_router.cache.entry import CachedAnswer, IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map
from llm_router.cache.snapshots import encode
from llm_router.cache.store import journal_sk
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatCompletion

DIM = 384
T0 = datetime(2026, 12, 4, tzinfo=UTC)


def records(n: int, chars: int, one_long: int = 0) -> list[IndexRecord]:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    context = hashlib.sha256(b"context").hexdigest()
    out = []
    for i in range(n):
        key = hashlib.sha256(str(i).encode()).hexdigest()
        text = f"Question {i}: " + "w" * max((one_long if one_long and i == n - 1 else chars)
                                             - 14, 0)
        out.append(IndexRecord(key, context, text, vectors[i].copy(), 2**40,
                               journal_sk(T0 + timedelta(microseconds=i), key)))
    return out


def held(build: Callable[[], Any]) -> tuple[Any, int]:
    """What ``build`` returns and the bytes it still holds once built."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    made = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return made, after - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--text-chars", type=int, default=40)
    parser.add_argument("--one-long", type=int, default=0,
                        help="the newest entry's text this many characters long")
    parser.add_argument("--retrieval-map", action="store_true",
                        help="the index ranks by the catalog's cache.retrieval_map")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    n = args.entries
    config = CacheConfig()
    rmap = (shared_retrieval_map(config.retrieval_map)
            if args.retrieval_map and config.retrieval_map else None)
    if rmap is not None:
        rmap.apply(np.ones(DIM, dtype=np.float32))  # its own buffers before any measuring
    made, journal = held(lambda: records(n, args.text_chars, args.one_long))

    def index() -> TenantIndex:  # its own records, dropped once added (as a journal read's)
        built = TenantIndex(DIM, capacity=n, retrieval_map=rmap)
        for record in records(n, args.text_chars, args.one_long):
            built.add(record)
        return built

    built, index_bytes = held(index)
    vectors = built.semantic_rows * DIM * 4 * vector_matrices(built)
    capped, counted = default_cache_keeps(config, rmap, args.text_chars)
    blob, snapshot = held(lambda: encode(made, made[-1].journal_sk, DIM))
    completion = ChatCompletion.model_validate({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "up",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Sure, here is the answer."}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}})

    def memo() -> AnswerMemo:
        kept = AnswerMemo(max_bytes=2**40)
        for r in made[:1000]:
            kept.put("t", CachedAnswer(r.key, completion.model_copy(deep=True), "m", "p",
                                       Decimal("0.0001"), "req", T0, r.expires_at))
        return kept

    _, answers = held(memo)
    long = f" (the newest {args.one_long:,})" if args.one_long else ""
    print(f"{n:,} entries, texts of {args.text_chars} characters{long}: bytes an entry")
    print(f"  index (TenantIndex): {index_bytes / n:,.0f}, of which the float32 vector "
          f"{vectors / n:,.0f} and the rest (key, text, journal key, row maps) "
          f"{(index_bytes - vectors) / n:,.0f}")
    print(f"  journal read (IndexRecord and its embedding, before indexing): {journal / n:,.0f}")
    print(f"  snapshot (encoded .npz): {snapshot / n:,.0f} ({len(blob) / 1e6:,.2f} MB in all)")
    print(f"  kept answer (AnswerMemo, 1,000 answers): {answers / 1000:,.0f}")
    print(f"  a default cache keeps {capped:,} such entries (max_entries "
          f"{config.max_entries:,}, max_index_bytes {config.max_index_bytes:,}; "
          f"counted {counted:,} bytes an entry)")
    if args.out is not None:
        args.out.write_text(json.dumps({
            "entries": n, "text_chars": args.text_chars, "one_long": args.one_long,
            "retrieval_map": None if rmap is None else rmap.sha256,
            "index_bytes_an_entry": round(index_bytes / n),
            "vector_bytes_an_entry": round(vectors / n),
            "vector_matrices": vector_matrices(built),
            "counted_bytes_an_entry": counted,
            "journal_read_bytes_an_entry": round(journal / n),
            "snapshot_bytes_an_entry": round(snapshot / n),
            "default_cache_keeps": capped, "max_entries": config.max_entries,
            "max_index_bytes": config.max_index_bytes}, indent=1) + "\n")


def vector_matrices(index: TenantIndex) -> int:
    """The float32 matrices of ``dim`` columns the index holds (each array once): 1, or 2
    where it keeps mapped rows beside the raw ones (session 28's end)."""
    return len({id(a) for a in vars(index).values() if isinstance(a, np.ndarray)
                and a.ndim == 2 and a.dtype == np.float32})


def default_cache_keeps(config: CacheConfig, rmap: RetrievalMap | None,
                        chars: int) -> tuple[int, int]:
    """How many entries of ``chars``-character questions a tenant's index keeps under the
    catalog's ``max_entries`` and ``max_index_bytes`` (the one that binds first), and the
    bytes it counts an entry (``TenantIndex.nbytes``, what ``max_index_bytes`` bounds)."""
    index = TenantIndex(DIM, max_entries=config.max_entries,
                        max_bytes=config.max_index_bytes, retrieval_map=rmap)
    index.add_many(records(config.max_entries + 5_000, chars))
    return len(index), round(index.nbytes / len(index))


if __name__ == "__main__":
    main()
