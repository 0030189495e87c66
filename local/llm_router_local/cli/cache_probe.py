"""``llm-router cache-probe``: would the semantic cache answer this query, offline.

In, one JSON object per line: ``{"cached": str, "query": str}``. For each line a fresh
cache holding only ``cached`` is asked for ``query``, through the router's whole lookup:
the index (with the catalog's ``cache.retrieval_map``, the router's), the similarity floor,
the amount check and the pair verifier (or threshold and guards with ``--no-verifier``).
Out, per line and in order: ``{"hit": bool, "similarity": float}`` (the cosine the index
floors by: of the two texts' embeddings, mapped by the retrieval map where one is set;
``--no-retrieval-map``: the raw embeddings'). ``--explain``
adds ``refused_by``, the verifier's ``probability`` and, on a hit of the same question
in another spelling (``llm_router.cache.spelling``), the ``respelling`` used.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import numpy as np

from llm_router.cache.policy import MatchPolicy, verified_policy
from llm_router.cache.probe import probe
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map
from llm_router.catalog import load_catalog
from llm_router.embedding.base import Embedder, Matrix
from llm_router.heap import M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_THRESHOLD, set_malloc
from llm_router_local.cli import CommandError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "cache-probe",
        help="semantic cache hit or miss for (cached, query) pairs (JSON Lines)",
        description=__doc__,
    )
    parser.add_argument("--config", help="catalog YAML whose cache: section to use (default: "
                        "LLM_ROUTER_CONFIG_PATH, else the shipped catalog)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="similarity threshold; with the verifier, its candidate floor "
                             "(default: the catalog's)")
    parser.add_argument("--min-probability", type=float, default=None,
                        help="verifier operating point (default: the catalog's, else the "
                             "artefact's)")
    parser.add_argument("--no-verifier", action="store_true",
                        help="similarity threshold and lexical guards, no pair verifier")
    parser.add_argument("--verifier-model", choices=("cross", "nets"), default=None,
                        help="the pair verifier: cross-encoder or alignment nets (default: "
                             "the catalog's, else cross where its artefact is shipped)")
    parser.add_argument("--no-guards", action="store_true",
                        help="no near-miss guards (with the verifier: no amount check)")
    parser.add_argument("--no-spelling", action="store_true",
                        help="with the verifier: no same-question-respelled check first")
    parser.add_argument("--no-retrieval-map", action="store_true",
                        help="rank and floor by the raw cosine, not the catalog's "
                             "cache.retrieval_map")
    parser.add_argument("--explain", action="store_true",
                        help="add refused_by (threshold, a guard, numbers, one_word, verifier, "
                             "narrowing or extra_ask), the verifier's probability and the "
                             "respelling of a hit")
    parser.set_defaults(run=run)


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse. By default it hands each large numpy
    temporary of a forward pass (over 128 KB: most of them) back to the kernel and
    faults fresh pages in for the next: 1.5 s of system time in 7.5 s for 300 pairs.
    With mmap only above 32 MB and the heap trimmed only above 256 MB: 0.2-0.3 s. A
    batch command's choice (``serve`` bounds its heaps instead: ``heap.bound_heap``).
    False where there is no glibc ``mallopt``."""
    return set_malloc([(M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 256 << 20),
                       (M_TOP_PAD, 64 << 20)])


def run(args: argparse.Namespace) -> int:
    from llm_router.embedding.minilm import shared_embedder
    from llm_router.settings import RouterSettings

    keep_freed_memory()

    # As every other command: --config, else LLM_ROUTER_CONFIG_PATH, else the shipped one.
    config = load_catalog(args.config or RouterSettings().config_path).cache
    verifier = config.verifier and not args.no_verifier
    default = config.verifier_floor if verifier else config.similarity_threshold
    threshold = default if args.threshold is None else args.threshold
    if not 0 < threshold <= 1:
        raise CommandError("--threshold must be in (0, 1]")
    if args.min_probability is not None and not 0 <= args.min_probability <= 1:
        raise CommandError("--min-probability must be in [0, 1]")
    guards = config.guards and not args.no_guards
    policy = MatchPolicy(threshold, guards)
    if verifier:
        from llm_router.cache.verifier import shared_verifier

        shared = shared_verifier(args.verifier_model or config.verifier_model,
                                 config.verifier_order_band)
        minimum = next(p for p in (args.min_probability, config.verifier_threshold,
                                   shared.threshold) if p is not None)
        spelling = config.spelling and not args.no_spelling
        policy = verified_policy(config, threshold, shared, minimum, guards=guards,
                                 spelling=spelling)
    retrieval_map = (None if config.retrieval_map is None or args.no_retrieval_map
                     else shared_retrieval_map(config.retrieval_map))
    return probe_lines(shared_embedder(), policy, sys.stdin, sys.stdout,
                       explain=args.explain, retrieval_map=retrieval_map)


def probe_lines(embedder: Embedder, policy: MatchPolicy, lines: TextIO, out: TextIO, *,
                explain: bool = False, retrieval_map: RetrievalMap | None = None) -> int:
    """Answer each line in order. Lines that have already arrived are embedded together
    (one batched forward pass is cheaper per text), but the command never waits for more
    input while it holds a complete line, so a client that sends one line and waits for
    its answer is served at once."""
    number = 0
    for batch in line_batches(lines):
        pairs: list[tuple[str, str]] = []
        error: CommandError | None = None
        for line in batch:
            number += 1
            if not line.strip():
                continue
            try:
                pairs.append(parse_pair(line, number))
            except CommandError as exc:
                error = exc  # answer the lines before it first
                break
        vectors = embed_pairs(embedder, policy, pairs) if pairs else None
        for i, (cached, query) in enumerate(pairs):
            assert vectors is not None
            result = probe(cached, vectors[2 * i], query, vectors[2 * i + 1], policy,
                           retrieval_map)
            body: dict[str, Any] = {"hit": result.hit,
                                    "similarity": round(result.similarity, 4)}
            if explain:
                body["refused_by"] = result.refused_by
                if result.probability is not None:
                    body["probability"] = round(result.probability, 4)
                if result.respelling is not None:
                    body["respelling"] = list(result.respelling)
            out.write(json.dumps(body) + "\n")
        out.flush()
        if error is not None:
            raise error
    return 0


def embed_pairs(embedder: Embedder, policy: MatchPolicy, pairs: list[tuple[str, str]]
                ) -> Matrix:
    """Both texts of every pair in one batched pass; with the nets (alone, or under the
    cross-encoder stacked on them), the same pass gives the token states they read (as
    on the request path); with the cross-encoder, the pairs over the floor are then
    scored in batched passes."""
    from llm_router.cache.verifier import PairVerifier, nets_of

    texts = list(dict.fromkeys(t for pair in pairs for t in pair))  # each text once
    verifier = policy.verifier
    nets = None if verifier is None else nets_of(verifier)
    if nets is None or embedder is not nets.embedder:
        vectors = embedder.embed(texts)
    else:
        from llm_router.cache.context import MAX_TOKENS

        vectors, states = nets.embedder.embed_with_states(texts, MAX_TOKENS,
                                                         nets.state_layers)
        for text, rows in zip(texts, states, strict=True):
            if rows is not None:
                nets.prepare(text, rows)
    row = {text: i for i, text in enumerate(texts)}
    paired = vectors[[row[t] for pair in pairs for t in pair]]
    if verifier is not None and not isinstance(verifier, PairVerifier):
        similarity = np.einsum("ij,ij->i", paired[0::2], paired[1::2])
        policy.before_judging([(query, cached) for (cached, query), s
                               in zip(pairs, similarity.tolist(), strict=True)
                               if s >= policy.threshold])
    return paired


# Lines embedded together. A file's texts are sorted by length across the whole batch, so
# little of each forward pass is padding (300 held-out pairs: 12.9k padded tokens in
# batches of 64 lines, 10.0k in one of 512; 9.4k real). 1,024 questions' prepared views
# and token states (~25 KB each) stay within the verifier's bound (``PREPARED_BYTES``);
# past it a text is prepared again when its pair is judged: slower, never different.
BATCH = 512


def line_batches(stream: TextIO) -> Iterator[list[str]]:
    """Lines in arrival batches of at most ``BATCH``: from a pipe or file, whatever has
    arrived when a complete line is in hand; from an in-memory stream, fixed chunks."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        lines = list(stream)
        for start in range(0, len(lines), BATCH):
            yield lines[start : start + BATCH]
        return
    pending, eof = b"", False
    while pending or not eof:
        while b"\n" not in pending and not eof:  # block only without a whole line
            chunk = os.read(fd, 1 << 16)
            eof, pending = not chunk, pending + chunk
        while not eof and select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 1 << 16)
            eof, pending = not chunk, pending + chunk
        *complete, pending = pending.split(b"\n")
        if eof and pending:
            complete, pending = [*complete, pending], b""
        texts = [line.decode("utf-8", errors="replace") for line in complete]
        for start in range(0, len(texts), BATCH):
            yield texts[start : start + BATCH]


def parse_pair(line: str, number: int) -> tuple[str, str]:
    try:
        body = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"line {number}: not JSON: {exc.msg}") from exc
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("cached", "query")
    ):
        raise CommandError(f'line {number}: expected an object with strings "cached" and "query"')
    return body["cached"], body["query"]
