"""CPU of a tenant index's scan (``TenantIndex.nearest``: the product, the masks, the
amounts-and-ids filter and the top-k) at N synthetic entries with the catalog's retrieval
map, no model: what a lookup costs besides judging its candidates.

    OMP_NUM_THREADS=1 .venv/bin/python bench/index_scan.py --entries 100000 [--out FILE]

Unit random rows; every entry's text names one of 97 amounts ("how do i do thing 5
today"). Per query kind, the median CPU ms of 60 scans: ``plain`` (a query that names no
amount: nothing for the filter to refuse), ``digits`` (one that names an amount 96 of 97
entries differ from: the filter reads rows on first need, ~30 us a text, and walks past
the refused), ``digits_again`` (the same queries again, every row they need read before),
and ``product_alone`` (the matrix-vector product, what no scan can cut). Run it against
another checkout with ``PYTHONPATH=DIR/layers/core`` (the API it reads is session 28's
too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402
from entry_bytes import vector_matrices  # noqa: E402

from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import TenantIndex  # noqa: E402
from llm_router.cache.pair_features import number_codes  # noqa: E402
from llm_router.cache.retrieval_map import shared_retrieval_map  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402

DIM = 384
SCANS = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    n = args.entries
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(n, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    name = CacheConfig().retrieval_map
    index = TenantIndex(capacity=n, retrieval_map=None if name is None
                        else shared_retrieval_map(name))
    index.add_many([IndexRecord(f"k{i}", "ctx", f"how do i do thing {i % 97} today", rows[i],
                                2**62, "") for i in range(n)])
    queries = []
    for r in range(SCANS):
        q = rows[r] + 0.1 * rng.normal(size=DIM).astype(np.float32)
        queries.append(q / np.linalg.norm(q))
    result: dict[str, object] = {"entries": n, "scans": SCANS,
                                 # every float32 row matrix (two at a1ee7c5: raw and mapped)
                                 "index_mb": round(index._vectors[:n].nbytes
                                                   * vector_matrices(index) / 2**20, 1)}
    for kind, text in (("plain", "how do i do this thing today"),
                       ("digits", "how do i do thing 5 today"),
                       ("digits_again", "how do i do thing 5 today")):
        numbers = number_codes(text)
        times = []
        for q in queries:
            started = time.process_time()
            index.nearest(q, "ctx", 0, 5, numbers)
            times.append((time.process_time() - started) * 1000)
        result[f"{kind}_cpu_ms_median"] = round(statistics.median(times), 3)
    started = time.process_time()
    for q in queries:
        index._vectors[:n] @ q
    result["product_alone_cpu_ms"] = round((time.process_time() - started) * 1000 / SCANS, 3)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
