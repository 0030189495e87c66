"""What the learnt retrieval map (``cache.retrieval_map``, session 27) costs: its file and
memory, its load, one text's mapping, and a 10,000-entry index's adds and searches with
and without it (one core; medians).

    OMP_NUM_THREADS=1 .venv/bin/python bench/retrieval_map_cost.py \\
        --map .cache/cache_retrieval/full-mnr.npz \\
        --out bench/results/retrieval-map-cost-session27.json
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
from run_record import run_record  # noqa: E402

from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import TenantIndex  # noqa: E402
from llm_router.cache.retrieval_map import RetrievalMap  # noqa: E402

ENTRIES = 10_000
FOREVER = 2**62


def median_us(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time_ns()
        fn()  # type: ignore[operator]
        times.append((time.process_time_ns() - started) / 1000)
    return round(statistics.median(times), 2)


def filled(rows: np.ndarray, rmap: RetrievalMap | None) -> tuple[TenantIndex, float]:
    """An index of ``rows`` and the CPU seconds its adds took."""
    index = TenantIndex(dim=rows.shape[1], capacity=len(rows), retrieval_map=rmap)
    started = time.process_time()
    for i, row in enumerate(rows):
        index.add(IndexRecord(f"e{i}", "ctx", f"text {i}", row, FOREVER, ""))
    return index, time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    loads = []
    for _ in range(20):
        started = time.process_time()
        rmap = RetrievalMap.load(args.map)
        loads.append(time.process_time() - started)
    rng = np.random.default_rng(27)
    rows = rng.normal(size=(ENTRIES, rmap.dim)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    query = rows[0].copy()
    raw_index, raw_add = filled(rows, None)
    mapped_index, mapped_add = filled(rows, rmap)
    result = {
        "map": {"path": str(args.map), "file_bytes": args.map.stat().st_size,
                "weight_bytes": int(rmap.weight.nbytes), "weight_sha256": rmap.sha256},
        "load_ms_median": round(statistics.median(loads) * 1000, 3),
        "apply_one_text_us_median": median_us(lambda: rmap.apply(query), 2000),
        "index": {"entries": ENTRIES,
                  "add_all_s": {"raw": round(raw_add, 3), "mapped": round(mapped_add, 3)},
                  # one row an entry since session 29: the mapped row alone with a map
                  "matrix_bytes": {"raw": int(raw_index._vectors.nbytes),
                                   "mapped": int(mapped_index._vectors.nbytes)},
                  "nearest_us_median": {
                      "raw": median_us(lambda: raw_index.nearest(query, "ctx", 0), 200),
                      "mapped": median_us(lambda: mapped_index.nearest(query, "ctx", 0),
                                          200)}},
        "run": run_record(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "run"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
