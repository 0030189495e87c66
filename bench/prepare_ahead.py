"""What preparing learnt entries ahead (``cache.prepare_ahead``, ``cache/preparer.py``)
costs and where: the request that loads a tenant's snapshot, the background thread, the
memory kept, the lookups that run while it works, and whether any verdict moves.

    .venv/bin/python bench/prepare_ahead.py                      # all four parts
    .venv/bin/python bench/prepare_ahead.py --parts load memory --entries 100000
    .venv/bin/python bench/prepare_ahead.py --parts verdicts --sets heldout9 heldout10

- ``load``: a ``ResponseCache`` whose tenant snapshot holds ``--entries`` entries (texts of
  the decision sets, cycled; random unit vectors), its first exact lookup (which loads
  the snapshot and offers the newest ``--ahead`` texts) timed on the request's thread
  (CPU and wall), without a preparer and with one; then the background thread's CPU a
  text and the wall until it is done;
- ``memory``: RSS before and after the preparer kept ``--ahead`` texts, a text;
- ``contention``: ``--lookups`` lookups (the query's embedding pass and the search, whose
  candidates are entries the verifier has not prepared) while the preparer works
  through ``--ahead`` other learnt texts, then the same lookups once it is idle (every
  kept text and score dropped between), wall and CPU of the request's thread;
- ``verdicts``: every pair of ``--sets`` judged with its cached text prepared alone at the
  lookup (as without the preparer) and prepared ahead in the preparer's batches: the
  stacked probabilities' largest difference and the verdicts at the shipped cut.

CPU is ``time.thread_time`` of the thread named; load on a shared machine inflates wall
most. Texts: data/heldout9-17's (seen sets; only their words and lengths matter here,
except for ``verdicts``).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from llm_router.cache.context import MAX_TOKENS  # noqa: E402
from llm_router.cache.cross import CrossVerifier  # noqa: E402
from llm_router.cache.entry import CachedAnswer, IndexRecord  # noqa: E402
from llm_router.cache.keys import context_key  # noqa: E402
from llm_router.cache.preparer import BATCH, Preparer  # noqa: E402
from llm_router.cache.service import ResponseCache  # noqa: E402
from llm_router.cache.verifier import PairVerifier, nets_of, shared_verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import shared_embedder  # noqa: E402
from llm_router.schema import ChatRequest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SETS = ("heldout9", "heldout10", "heldout11", "heldout14", "heldout15", "heldout16",
        "heldout17")
PARTS = ("load", "memory", "contention", "verdicts")
BATCHES = [BATCH]  # ``--batch``


def pairs_of(sets: list[str]) -> list[dict[str, str]]:
    return [p for name in sets for p in read_jsonl(REPO / "data" / name / "cache_pairs.jsonl")]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


class Snapshot:
    def __init__(self, records: list[IndexRecord]):
        self.records = records

    def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
        return self.records, self.records[-1].journal_sk


class NoJournal:
    def journal_since(self, tenant_id: str, after: str,
                      newest: int | None = None,
                      newest_bytes: int | None = None) -> list[IndexRecord]:
        return []

    def journal_keys(self, tenant_id: str, after: str, through: str) -> list[str]:
        return []

    def answer(self, tenant_id: str, key: str) -> CachedAnswer | None:
        return None


def records(texts: list[str], n: int, context: str = "ctx") -> list[IndexRecord]:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # Each text once per cycle, suffixed after the first: distinct texts, as entries are.
    return [IndexRecord(f"k{i}", context, texts[i % len(texts)] + ("" if i < len(texts)
                        else f" ({i // len(texts)})"), vectors[i], 2**62, f"J#{i:09d}")
            for i in range(n)]


def nets() -> PairVerifier:
    found = nets_of(shared_verifier("cross"))
    assert found is not None
    return found


def part_load(texts: list[str], entries: int, ahead: int) -> None:
    request = ChatRequest.model_validate({"model": "auto",
                                          "messages": [{"role": "user", "content": "hi"}]})
    snapshot = records(texts, entries)
    runs = [("no preparer", False), (f"prepare_ahead {ahead}", True)] * 2  # alternated
    for label, ahead_on in runs:
        nets().forget()
        preparer = Preparer(nets, ahead, BATCHES[0]) if ahead_on else None
        cache = ResponseCache(CacheConfig(refresh_seconds=3600), NoJournal(),  # type: ignore[arg-type]
                              snapshots=Snapshot(snapshot), preparer=preparer)
        gc.collect()
        cpu, wall = time.thread_time(), time.perf_counter()
        cache.find_exact("t", request)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        print(f"load {entries} entries, {label}: the loading request's thread "
              f"{cpu * 1000:.1f} ms CPU, {wall * 1000:.1f} ms wall", flush=True)
        if preparer is not None:
            started = time.perf_counter()
            assert preparer.drain(3600)
            took = time.perf_counter() - started
            print(f"  background: {preparer.prepared} texts, {preparer.cpu_seconds:.2f} s CPU "
                  f"({preparer.cpu_seconds * 1000 / max(preparer.prepared, 1):.2f} ms a text, "
                  f"batches of {BATCHES[0]}), {took:.2f} s wall after the request returned",
                  flush=True)
        del cache


def part_memory(texts: list[str], ahead: int) -> None:
    verifier = nets()
    verifier.forget()
    gc.collect()
    before = rss_mb()
    preparer = Preparer(nets, ahead, BATCHES[0])
    preparer.offer(texts[:ahead])
    assert preparer.drain(3600)
    gc.collect()
    after = rss_mb()
    kept = len(verifier._prepared)
    print(f"memory: {kept} texts kept, accounted {verifier._prepared.held / 2**20:.1f} MB "
          f"({verifier._prepared.held / kept / 1024:.1f} KB a text), RSS +{after - before:.1f} MB "
          f"({(after - before) * 1024 / kept:.1f} KB a text); the LRU's bound "
          f"{verifier._prepared.budget / 2**20:.0f} MB", flush=True)


def lookups(cache: ResponseCache, queries: list[str], request: ChatRequest
            ) -> tuple[list[float], list[float]]:
    embedder = shared_embedder()
    walls, cpus = [], []
    for query in queries:
        cpu, wall = time.thread_time(), time.perf_counter()
        embedding = cache.embed_query(embedder, query)
        cache.find_semantic("t", request, embedding, query)
        cpus.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return walls, cpus


def part_contention(pairs: list[dict[str, str]], ahead: int, lookups_n: int) -> None:
    """Lookups whose 5 candidates are entries of the snapshot, while the preparer works
    through ``ahead`` other learnt texts, then the same kind of lookups once it is idle."""
    embedder = shared_embedder()
    request = ChatRequest.model_validate({"model": "auto",
                                          "messages": [{"role": "user", "content": "hi"}]})
    context = context_key("t", request)
    chosen = pairs[:: max(len(pairs) // lookups_n, 1)][:lookups_n]
    cached = list(dict.fromkeys(p["a"] for p in chosen))
    queries = [p["b"] for p in chosen]
    vectors = embedder.embed(cached)
    near = [IndexRecord(f"n{i}", context, text, vectors[i], 2**62, f"J#0{i:08d}")
            for i, text in enumerate(cached)]
    rest = [t for t in dict.fromkeys(p["a"] for p in pairs) if t not in set(cached)]
    # Newer than the candidates: the preparer takes the newest ``ahead``, these.
    others = [IndexRecord(r.key, r.context, r.text, r.embedding, r.expires_at, f"J#1{i:08d}")
              for i, r in enumerate(records(rest, ahead, context))]
    whole = shared_verifier("cross")
    for rounds in range(2):
        whole.forget()
        preparer = Preparer(nets, ahead, BATCHES[0])
        cache = ResponseCache(CacheConfig(refresh_seconds=3600), NoJournal(),  # type: ignore[arg-type]
                              snapshots=Snapshot(near + others), preparer=preparer)
        busy = lookups(cache, queries, request)  # the first one's load offers the texts
        working = preparer.prepared
        assert preparer.drain(3600)
        whole.forget()
        idle = lookups(cache, queries, request)
        for label, (walls, cpus) in (("while preparing", busy), ("idle", idle)):
            print(f"contention round {rounds + 1}, lookups {label}: wall p50 "
                  f"{statistics.median(walls):.1f} / max {max(walls):.1f} ms, CPU p50 "
                  f"{statistics.median(cpus):.1f} ms", flush=True)
        print(f"  (the preparer had prepared {working} of {preparer.prepared} texts when "
              f"the busy lookups ended)", flush=True)


def part_verdicts(pairs: list[dict[str, str]]) -> None:
    verifier = shared_verifier("cross")
    assert isinstance(verifier, CrossVerifier)
    the_nets = nets()
    embedder = shared_embedder()
    cut = verifier.threshold
    texts = [t for p in pairs for t in (p["a"], p["b"])]
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    result: dict[str, list[float]] = {}
    for mode in ("alone", "ahead"):
        verifier.forget()
        if mode == "ahead":  # every cached text kept: the LRU's bound is not measured here
            the_nets._prepared.budget = 2**40
            cached = list(dict.fromkeys(p["a"] for p in pairs))
            for start in range(0, len(cached), BATCHES[0]):
                the_nets.prepare_many(cached[start: start + BATCHES[0]], lone=True)
        probabilities = []
        for p in pairs:
            query, text = p["b"], p["a"]
            if mode == "alone":
                the_nets.forget()
            _, states = embedder.embed_with_states([query], MAX_TOKENS, the_nets.state_layers)
            if query not in the_nets._prepared:
                the_nets.prepare(query, states[0])
            cosine = float(vectors[query] @ vectors[text])
            verifier.score_pairs([(query, text)])
            probabilities.append(verifier.probability(text, query, cosine))
        result[mode] = probabilities
    alone, ahead = np.asarray(result["alone"]), np.asarray(result["ahead"])
    flips = int(np.sum((alone >= cut) != (ahead >= cut)))
    print(f"verdicts: {len(pairs)} pairs, max |dp| {np.max(np.abs(alone - ahead)):.2e}, "
          f"verdicts that differ at the cut {cut}: {flips}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--ahead", type=int, default=CacheConfig().prepare_ahead)
    parser.add_argument("--lookups", type=int, default=40)
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--batch", type=int, default=BATCH, help="texts a preparer pass")
    args = parser.parse_args()
    BATCHES[0] = args.batch
    pairs = pairs_of(args.sets)
    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    nets()  # loaded out of the timing
    print(f"{len(pairs)} pairs, {len(texts)} texts of {', '.join(args.sets)}; "
          f"threads {threading.active_count()}", flush=True)
    if "load" in args.parts:
        part_load(texts, args.entries, args.ahead)
    if "memory" in args.parts:
        part_memory(texts, args.ahead)
    if "contention" in args.parts:
        part_contention(pairs, args.ahead, args.lookups)
    if "verdicts" in args.parts:
        part_verdicts(pairs)


if __name__ == "__main__":
    main()
