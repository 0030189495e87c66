"""Where `serve`'s memory goes with the cache on: the models, each bounded cache (what its
budget counts against what it holds), the index at its cap, and what RSS holds beyond
what Python and numpy allocated (no server: the cache's own classes, in this process).

    .venv/bin/python bench/rss_account.py [--requests 15000] [--threads 8] [--query-chars N]

Loads what ``serve`` loads with the default config (the shared MiniLM, the tier
classifier, the default verifier), measuring each step's RSS (anonymous and file-backed,
from /proc) and the bytes ``tracemalloc`` traces (Python objects and numpy arrays),
and lists the arrays each model holds by dtype. Then drives a ``ResponseCache`` of the
default config (its preparer too) through ``--requests`` requests shaped as
``bench/soak.py --cache``'s (8 of 10 new prompts stored, 1 exact repeat, 1 reworded),
from ``--threads`` threads as the server's worker threads run them, the store a dict.
Each bounded cache is then measured by emptying it: the traced bytes that go are what
it held; beside them, what its budget counted. Last, RSS against the traced total,
before and after ``malloc_trim`` (freed memory the allocator had kept).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# ``--allocators``: no tracing (it hides pymalloc's statistics), the allocators' figures.
ALLOCATORS = "--allocators" in sys.argv
if not ALLOCATORS:
    tracemalloc.start()

import numpy as np  # noqa: E402
from peer.upstream import completion as upstream_completion  # noqa: E402
from soak import mixed, padding  # noqa: E402

from llm_router.cache.cross import CrossVerifier  # noqa: E402
from llm_router.cache.entry import CachedAnswer, IndexRecord  # noqa: E402
from llm_router.cache.preparer import Preparer, shared_nets  # noqa: E402
from llm_router.cache.quantities import _FORMS  # noqa: E402
from llm_router.cache.service import ResponseCache, Stored  # noqa: E402
from llm_router.cache.verifier import PairVerifier, nets_of, shared_verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.complexity import TierPicker  # noqa: E402
from llm_router.embedding.minilm import shared_embedder  # noqa: E402
from llm_router.schema import ChatCompletion, ChatRequest  # noqa: E402

MB = 2**20
TENANT = "dev"


def rss() -> tuple[float, float]:
    """(anonymous, file-backed) RSS of this process, MB."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["RssAnon"], fields["RssFile"]


def traced() -> float:
    """What tracemalloc traces, MB, less its own traces' memory (part of RSS: counted
    out of the anonymous column's figures where it is printed)."""
    return tracemalloc.get_traced_memory()[0] / MB


def tracing() -> float:
    return tracemalloc.get_tracemalloc_memory() / MB


class Step:
    """Prints what a step added: anonymous RSS, file RSS, traced bytes (MB)."""

    def __init__(self) -> None:
        self.anon, self.file = rss()
        self.anon -= tracing()
        self.traced = traced()
        print(f"{'step':<44} {'anon RSS':>9} {'file RSS':>9} {'traced':>8}  (MB, added; "
              "anonymous RSS less tracemalloc's own memory)")
        print(f"{'start (imports)':<44} {self.anon:9.1f} {self.file:9.1f} {self.traced:8.1f}")

    def __call__(self, name: str) -> None:
        gc.collect()
        anon, file = rss()
        anon -= tracing()
        now = traced()
        print(f"{name:<44} {anon - self.anon:+9.1f} {file - self.file:+9.1f} "
              f"{now - self.traced:+8.1f}")
        self.anon, self.file, self.traced = anon, file, now


def arrays_of(root: Any, skip: set[int]) -> dict[str, float]:
    """MB of the distinct array buffers reachable from ``root``'s attributes, by dtype
    (a view counted once, with its base; ``skip``: buffers counted already)."""
    out: dict[str, float] = {}
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            base = obj
            while isinstance(base.base, np.ndarray):
                base = base.base
            owner = base.base  # bytes or a mapping the array reads in place, if any
            key = id(owner) if owner is not None else id(base)
            if key not in skip:
                skip.add(key)
                kind = str(base.dtype) + (" (in place)" if owner is not None else "")
                size = len(owner) if isinstance(owner, bytes | bytearray) else base.nbytes
                out[kind] = out.get(kind, 0.0) + size / MB
            continue
        if isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple):
            stack.extend(obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack.extend(vars(obj).values())
        elif hasattr(obj, "__slots__"):
            stack.extend(getattr(obj, s) for s in obj.__slots__ if hasattr(obj, s))
    return out


class DictStore:
    """The entry store as a dict: the journal read adds nothing (this is the only
    instance, and its own entries are in its index already)."""

    def __init__(self) -> None:
        self.answers: dict[str, CachedAnswer] = {}

    def entry_items(self, tenant_id: str, record: IndexRecord,
                    answer: CachedAnswer) -> list[dict[str, Any]]:
        self.answers[answer.key] = answer
        return [{}]

    def put(self, tenant_id: str, record: IndexRecord, answer: CachedAnswer) -> bool:
        return True

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        return self.answers.get(key)

    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        return []

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        return []


def completion() -> ChatCompletion:
    """The loopback upstream's answer (bench/peer/upstream.py), parsed."""
    return ChatCompletion.model_validate_json(upstream_completion("up-model"))


def serve_one(cache: ResponseCache, picker: TierPicker, i: int, pad: str = "") -> str:
    """One request of the soak's mix through the cache's stages, as the request path
    calls them: exact, embedding, tier, semantic, then the entry remembered; ``pad``
    after each prompt (``soak.padding``)."""
    number, wording = mixed(i)
    prompt = (f"Benchmark request {number}: please say hello." if wording == "paraphrase"
              else f"Benchmark request {number}: say hello.") + pad
    request = ChatRequest.model_validate({"model": "auto", "messages": [
        {"role": "user", "content": prompt}]})
    if cache.find_exact(TENANT, request).hit is not None:
        return "exact"
    embedding = cache.embed_query(picker.embedder, prompt)
    picker.pick(request, embedding, text=prompt)
    if cache.find_semantic(TENANT, request, embedding, prompt).hit is not None:
        return "semantic"
    pending = cache.entry_for(TENANT, request, embedding, prompt, completion(),
                              Stored("up-model", "testup", Decimal("0.00001")),
                              f"req-{i}")
    if pending is not None:
        cache.remember(TENANT, pending)
    return "miss"


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def allocators() -> str:
    """What the two allocators hold: Python's object allocator (its arenas, the blocks in
    use in them) and glibc's malloc (in use, free inside its heaps, mapped apart)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        stats = {line.split("=")[0].strip("# ").strip(): int(line.split("=")[1].replace(",", ""))
                 for line in out if line.startswith("# ") and "=" in line}
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return (f"pymalloc arenas {stats['arenas allocated current'] * 2**20 / MB:.1f} MB, "
            f"blocks in use {stats['bytes in allocated blocks'] / MB:.1f}; malloc in use "
            f"{info.uordblks / MB:.1f} MB, free in its heaps {info.fordblks / MB:.1f}, "
            f"mapped apart {info.hblkhd / MB:.1f}")


def emptied(name: str, counted: float, clear: Callable[[], None],
            rows: list[tuple[str, float, float]]) -> None:
    gc.collect()
    before = traced()
    clear()
    gc.collect()
    rows.append((name, counted, before - traced()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=15_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--allocators", action="store_true",
                        help="no tracing: what pymalloc and malloc hold at the end instead")
    parser.add_argument("--query-chars", type=int, default=0,
                        help="each prompt followed by filler to about this many characters "
                             "(bench/soak.py --query-chars)")
    args = parser.parse_args()
    pad = padding(args.query_chars)
    step = Step()
    counted: set[int] = set()
    embedder = shared_embedder()
    step("MiniLM (shared_embedder)")
    print("   arrays:", arrays_of(embedder, counted))
    picker = TierPicker.load()
    step("tier classifier")
    print("   arrays:", arrays_of(picker.classifier, counted))
    config = CacheConfig()
    verifier = shared_verifier(config.verifier_model)
    step(f"verifier ({type(verifier).__name__})")
    print("   arrays:", arrays_of(verifier, counted))
    nets = nets_of(verifier)
    cross = verifier if isinstance(verifier, CrossVerifier) else None
    preparer = Preparer(lambda: shared_nets(config.verifier_model), config.prepare_ahead)
    cache = ResponseCache(config, DictStore(), preparer=preparer)
    kinds: dict[str, int] = {}
    lock = threading.Lock()

    def one(i: int) -> None:
        kind = serve_one(cache, picker, i, pad)
        with lock:
            kinds[kind] = kinds.get(kind, 0) + 1

    marks = sorted({args.requests // 4, args.requests // 2, args.requests})
    done = 0
    cpu = os.times()
    with ThreadPoolExecutor(args.threads) as pool:
        for mark in marks:
            list(pool.map(one, range(done, mark)))
            done = mark
            preparer.drain(60)
            step(f"after {mark:,} requests ({len(cache._answers):,} answers kept)")
    spent = os.times()
    print(f"   answered: {kinds}; entries {cache.entries(TENANT):,}; CPU a request "
          f"{(spent.user - cpu.user) * 1000 / args.requests:.2f} ms user, "
          f"{(spent.system - cpu.system) * 1000 / args.requests:.2f} ms system")
    anon, _ = rss()
    if args.allocators:
        print(f"anonymous RSS {anon:.1f} MB; {allocators()}")
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        print(f"malloc_trim(0) handed back {anon - rss()[0]:.1f} MB")
        return
    print(f"anonymous RSS {anon:.1f} MB (tracemalloc's own {tracing():.1f}), traced "
          f"{traced():.1f} MB")
    rows: list[tuple[str, float, float]] = []
    if cross is not None:
        emptied("cross-encoder's kept scores (KEPT_BYTES)",
                cross._scores.held / MB, lambda: (cross._scores.clear()), rows)
        emptied("cross-encoder's word views (VIEW_BYTES)", cross._views.held / MB,
                lambda: cross._views.clear(), rows)
    if isinstance(nets, PairVerifier):
        emptied("nets' prepared texts (PREPARED_BYTES)", nets._prepared.held / MB,
                lambda: nets._prepared.clear(), rows)
    cache._store.answers.clear()  # type: ignore[attr-defined]  # the store's, not serve's
    emptied("kept answers (AnswerMemo)", cache._answers.held_bytes / MB,
            cache._answers.clear, rows)
    emptied(f"the amounts' readings (FORMS_BYTES, {len(_FORMS)} texts)", _FORMS.held / MB,
            _FORMS.clear, rows)
    entries = cache.entries(TENANT)
    emptied(f"the tenant's index ({entries:,} entries; max_entries, max_index_bytes)",
            cache._tenants[TENANT].index.nbytes / MB, lambda: cache._tenants.clear(), rows)
    print("\n| cache | its budget counted (MB) | held, traced (MB) |\n|---|---|---|")
    for name, budget, held in rows:
        print(f"| {name} | {budget:.1f} | {held:.1f} |")
    print(f"index bytes an entry: {rows[-1][2] * MB / max(entries, 1):,.0f}")


if __name__ == "__main__":
    main()
