"""Embedding and classification speed on one core: per-query latency, batch throughput,
cold load, peak memory.

    .venv/bin/python bench/embedding_bench.py        # table on stdout, JSON to bench/results/

One core: the script pins itself to CPU 0 (``os.sched_setaffinity``, like ``taskset -c
0``) and sets OPENBLAS/OMP/MKL threads to 1 before numpy loads (OPENBLAS_CORETYPE, if
set, is left alone). Queries are every query in data/classifier/queries.jsonl.
Cold load runs in a fresh interpreter (warm page cache): import + hash-verify + load.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {0})

import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from llm_router.classifier.dataset import DEFAULT_DATA, load_examples  # noqa: E402
from llm_router.classifier.runtime import load_classifier  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "embedding.json"
COLD = """
import os, resource, time, json
os.sched_setaffinity(0, {0})
t0 = time.perf_counter()
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.classifier.runtime import load_classifier
t1 = time.perf_counter()
e = MiniLMEmbedder.load()
t2 = time.perf_counter()
c = load_classifier(embedder_id=e.model_id)
t3 = time.perf_counter()
c.classify("hi", e.embed_one("hi"))
t4 = time.perf_counter()
print(json.dumps({"import_ms": (t1-t0)*1e3, "embedder_load_ms": (t2-t1)*1e3,
  "classifier_load_ms": (t3-t2)*1e3, "first_query_ms": (t4-t3)*1e3,
  "total_ms": (t4-t0)*1e3, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))
"""


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    a = np.asarray(samples_ms)
    return {
        p: round(float(np.percentile(a, q)), 3) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))
    }


def cold_loads(runs: int) -> dict[str, Any]:
    env = dict(os.environ)
    rows = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True, env=env
        )
        rows.append(json.loads(out.stdout))
    return {k: round(float(np.median([r[k] for r in rows])), 1) for k in rows[0]} | {"runs": runs}


def main() -> int:
    texts = [e.query for e in load_examples(DEFAULT_DATA)]
    embedder = MiniLMEmbedder.load()
    classifier = load_classifier(embedder_id=embedder.model_id)
    tokenizer = embedder._tokenizer  # token counts only, for the report
    lengths = [len(enc.ids) for enc in tokenizer.encode_batch(texts)]
    for text in texts[:20]:  # warm-up
        classifier.classify(text, embedder.embed_one(text))
    embed_ms, total_ms = [], []
    for text in texts:
        t0 = time.perf_counter()
        vector = embedder.embed_one(text)
        t1 = time.perf_counter()
        classifier.classify(text, vector)
        t2 = time.perf_counter()
        embed_ms.append((t1 - t0) * 1e3)
        total_ms.append((t2 - t0) * 1e3)
    t0 = time.perf_counter()
    embedder.embed(texts)
    batch_s = time.perf_counter() - t0
    result = {
        "command": "python bench/embedding_bench.py",
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "threads": 1,
            "cores_pinned": [0],
        },
        "queries": len(texts),
        "tokens_per_query": {
            "p50": float(np.median(lengths)),
            "p95": float(np.percentile(lengths, 95)),
            "max": int(max(lengths)),
        },
        "embed_one_ms": percentiles(embed_ms),
        "embed_and_classify_ms": percentiles(total_ms),
        "batch_throughput_qps": round(len(texts) / batch_s, 1),
        "peak_rss_mb_after_bench": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "cold_load": cold_loads(5),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
