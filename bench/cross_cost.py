"""CPU time of the cross-encoder verifier per candidate, one core: a lookup's query
scored against 1 and against 5 candidates in one pass (``CrossVerifier.score_pairs``,
nothing kept between lookups), and many pairs at once as cache-probe scores them.

    .venv/bin/python bench/cross_cost.py                 # the shipped cross.npz
    .venv/bin/python bench/cross_cost.py --layers 4 3 6  # untrained, MiniLM's first layers

Without a shipped ``data/cache_verifier/cross.npz`` (or with ``--layers``) it times an
untrained artefact of the same format built from MiniLM's own first layers
(``train.cache_verifier.cross_export``): the weights' values do not change the cost.
Texts: data/heldout5's pairs (seen; only their lengths matter here). CPU time
(``time.process_time``) rather than wall time: on a shared machine it is what load
inflates least. Target (issue 13): <= 10 ms per candidate on one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # train.cache_verifier: cross_export (for --layers), pairs

from llm_router.cache.cross import (  # noqa: E402
    ARTEFACT_DIR,
    WEIGHTS,
    CrossVerifier,
    load_cross_verifier,
)
from llm_router.embedding.minilm import shared_embedder  # noqa: E402
from train.cache_verifier.cross_export import from_minilm, write_cross  # noqa: E402
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

PAIRS = REPO / "data" / "heldout5" / "cache_pairs.jsonl"


def lookup_cost(verifier: CrossVerifier, pairs: list[dict[str, str]], candidates: int
                ) -> tuple[float, float]:
    """(median, mean) CPU ms per candidate of one lookup's pass over ``candidates``
    cached texts (the next pairs' texts)."""
    per: list[float] = []
    for i in range(len(pairs) - candidates):
        query = pairs[i]["b"]
        batch = [(query, pairs[i + j]["a"]) for j in range(candidates)]
        verifier.forget()
        start = time.process_time()
        verifier.score_pairs(batch)
        per.append((time.process_time() - start) * 1000 / candidates)
    per.sort()
    return per[len(per) // 2], sum(per) / len(per)


def many_cost(verifier: CrossVerifier, pairs: list[dict[str, str]]) -> float:
    """CPU ms per pair when all ``pairs`` are scored together (cache-probe's batches)."""
    verifier.forget()
    start = time.process_time()
    verifier.score_pairs([(p["b"], p["a"]) for p in pairs])
    return (time.process_time() - start) * 1000 / len(pairs)


def run(label: str, verifier: CrossVerifier, pairs: list[dict[str, str]]) -> None:
    encoder = verifier.encoder
    tokens = [len(encoder.pair_ids(*encoder.side_ids([p["b"], p["a"]]))[0]) for p in pairs]
    verifier.score_pairs([(pairs[0]["b"], pairs[0]["a"])])  # warm: first-call costs
    one = lookup_cost(verifier, pairs, 1)
    five = lookup_cost(verifier, pairs, 5)
    many = many_cost(verifier, pairs)
    print(f"{label}: {len(encoder.layers)} layers, pairs of {sum(tokens) / len(tokens):.1f} "
          f"tokens on average; CPU ms per candidate, median / mean: 1 candidate "
          f"{one[0]:.2f} / {one[1]:.2f}, 5 candidates {five[0]:.2f} / {five[1]:.2f}; "
          f"{len(pairs)} pairs together {many:.2f} "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, nargs="*", default=None,
                        help="untrained artefacts of these many layers (default: the "
                             "shipped cross.npz, else 4)")
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    pairs = read_jsonl(PAIRS)[: args.pairs]
    embedder = shared_embedder()
    shipped = (ARTEFACT_DIR / WEIGHTS).exists()
    if args.layers is None and shipped:
        run("shipped cross.npz", load_cross_verifier(embedder), pairs)
        return
    for layers in args.layers or [4]:
        with tempfile.TemporaryDirectory() as directory:
            write_cross(Path(directory), *from_minilm(layers))
            run("untrained", load_cross_verifier(embedder, Path(directory)), pairs)


if __name__ == "__main__":
    main()
