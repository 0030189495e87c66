"""Embedding and classification speed on one core: per-query latency, batch throughput,
cold load, peak memory.

    .venv/bin/python bench/embedding_bench.py        # JSON on stdout and to bench/results/
    .venv/bin/python bench/embedding_bench.py --queries 0   # every query (minutes)
    .venv/bin/python bench/embedding_bench.py --out bench/results/embedding-sessionN.json

One core: the script pins itself to CPU 0 (``os.sched_setaffinity``, like ``taskset -c
0``) and sets OPENBLAS/OMP/MKL threads to 1 before numpy loads (OPENBLAS_CORETYPE, if
set, is left alone). Queries: ``--queries`` of data/classifier/queries.jsonl (default
1,000), spread evenly over the file (every k-th, in file order), each embedded and
classified alone, then all of them embedded in one batch. The file held 759 queries when
this bench was written and holds over 23,000 since the held-out sets' queries joined
training, so timing every one (twice: one at a time and in the batch) ran past 5 minutes
(session 24); a spread sample gives the same percentiles of the same per-query latency.
Per query both wall time (``perf_counter``: the latency) and CPU time (``process_time``:
what load on a shared machine inflates least), over all and per token-length band
(``by_tokens``, since session 26: the pass grows with a query's tokens, so a p50 over all
moves with the file's mix; docs/classifier.md). Cold load runs in a fresh interpreter
(warm page cache): import + hash-verify + load.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {0})

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.classifier.dataset import DEFAULT_DATA, load_examples  # noqa: E402
from llm_router.classifier.runtime import load_classifier  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "embedding.json"
QUERIES = 1000
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


# Token-length bands ("[CLS] text [SEP]" pieces) of the per-length rows: the forward pass
# grows with a query's tokens (about 0.3 ms of CPU a token on top of about 6 ms at one
# core, session 26), so a p50 over all queries moves with the file's length mix.
BANDS = ((1, 16), (17, 32), (33, 64), (65, 256))


def by_length(lengths: list[int], columns: dict[str, list[float]]) -> list[dict[str, Any]]:
    """p50 and p95 of each column per token band, with the band's share of the queries."""
    rows = []
    for low, high in BANDS:
        picked = [i for i, n in enumerate(lengths) if low <= n <= high]
        if not picked:
            continue
        row: dict[str, Any] = {"tokens": f"{low}-{high}", "queries": len(picked),
                               "share": round(len(picked) / len(lengths), 3)}
        for name, values in columns.items():
            row[name] = percentiles([values[i] for i in picked])
        rows.append(row)
    return rows


def cold_loads(runs: int) -> dict[str, Any]:
    env = dict(os.environ)
    rows = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True, env=env
        )
        rows.append(json.loads(out.stdout))
    return {k: round(float(np.median([r[k] for r in rows])), 1) for k in rows[0]} | {"runs": runs}


def spread(texts: list[str], n: int) -> list[str]:
    """``n`` of ``texts`` spread evenly over them (every k-th, in order); all for 0 or
    more than there are."""
    if n <= 0 or n >= len(texts):
        return texts
    step = len(texts) / n
    return [texts[int(i * step)] for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=QUERIES,
                        help=f"queries timed, spread over the file (default {QUERIES}; 0: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    every = [e.query for e in load_examples(DEFAULT_DATA)]
    texts = spread(every, args.queries)
    embedder = MiniLMEmbedder.load()
    classifier = load_classifier(embedder_id=embedder.model_id)
    tokenizer = embedder._tokenizer  # token counts only, for the report
    lengths = [len(enc.ids) for enc in tokenizer.encode_batch(texts)]
    for text in texts[:20]:  # warm-up
        classifier.classify(text, embedder.embed_one(text))
    embed_ms, total_ms, total_cpu_ms = [], [], []
    for text in texts:
        c0, t0 = time.process_time(), time.perf_counter()
        vector = embedder.embed_one(text)
        t1 = time.perf_counter()
        classifier.classify(text, vector)
        t2, c2 = time.perf_counter(), time.process_time()
        embed_ms.append((t1 - t0) * 1e3)
        total_ms.append((t2 - t0) * 1e3)
        total_cpu_ms.append((c2 - c0) * 1e3)
    t0 = time.perf_counter()
    embedder.embed(texts)
    batch_s = time.perf_counter() - t0
    result = {
        "command": "python bench/embedding_bench.py",
        "run": run_record(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "threads": 1,
            "cores_pinned": [0],
        },
        "queries": len(texts),
        "queries_in_file": len(every),
        "tokens_per_query": {
            "p50": float(np.median(lengths)),
            "p95": float(np.percentile(lengths, 95)),
            "max": int(max(lengths)),
        },
        "embed_one_ms": percentiles(embed_ms),
        "embed_and_classify_ms": percentiles(total_ms),
        "embed_and_classify_cpu_ms": percentiles(total_cpu_ms),
        "by_tokens": by_length(lengths, {"embed_and_classify_ms": total_ms,
                                         "embed_and_classify_cpu_ms": total_cpu_ms}),
        "batch_throughput_qps": round(len(texts) / batch_s, 1),
        "peak_rss_mb_after_bench": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "cold_load": cold_loads(5),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
