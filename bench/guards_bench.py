"""Guard costs: PII detector time per KB, stream-guard time per chunk and its effect on
time to first token, input-guard time per MB of prompt.

    nice .venv/bin/python bench/guards_bench.py       # writes bench/results/guards.json

Texts: 1,000 generated PII-bearing support answers and 1,000 ordinary ones
(``llm_router.guards.samples``, fixed seed), plus bench/corpus/*.txt (support text,
code, six other languages). Streams are those answers cut into real tokens (tiktoken
o200k_base, one token per chunk, as OpenAI streams them), fed through
``StreamGuard("redact")``. Time to first token grows by the guard's compute on the chunks
up to the first released text plus, when the first token ends mid-word, the wait for the
next token (the hold-back): reported as compute in ms and as a count of tokens waited.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from llm_router.guards import StreamGuard, samples
from llm_router.guards.pii import find_pii
from llm_router.tokens import use_vendored_encodings

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "guards.json"


def texts(seed: int, n: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    kinds = sorted(samples.KINDS)
    corpus = [p.read_text("utf-8") for p in sorted((HERE / "corpus").glob("*.txt"))]
    return {
        "pii_answers": [samples.pii_answer(rng, kinds[i % len(kinds)])[0] for i in range(n)],
        "ordinary_answers": [samples.ordinary_answer(rng) for _ in range(n)],
        "bench_corpus": corpus,
    }


def detector_cost(items: list[str], repeats: int) -> dict[str, float]:
    """Microseconds per KB of UTF-8 text (each text's fastest of ``repeats`` runs): over
    the whole set, and per text (p50/p95)."""
    per_kb: list[float] = []
    total_s = 0.0
    total_kb = 0.0
    for text in items:
        kb = len(text.encode("utf-8")) / 1024
        took = float("inf")
        for _ in range(repeats):  # the fastest run: the machine's noise is not the detector's
            started = time.perf_counter()
            find_pii(text)
            took = min(took, time.perf_counter() - started)
        total_s += took
        total_kb += kb
        per_kb.append(took * 1e6 / kb)
    per_kb.sort()
    return {"texts": len(items), "kb": round(total_kb, 1),
            "us_per_kb_overall": round(total_s * 1e6 / total_kb, 1),
            "us_per_kb_p50": round(statistics.median(per_kb), 1),
            "us_per_kb_p95": round(per_kb[int(0.95 * (len(per_kb) - 1))], 1)}


def input_cost(corpus: list[str], repeats: int) -> dict[str, float]:
    """Milliseconds per MB for the input guard's two scans over a ~1 MB prompt (the
    bench corpus repeated), fastest of ``repeats`` runs each."""
    from llm_router.guards.injection import injection_signals
    from llm_router.guards.sanitize import sanitize

    text = "\n".join(corpus)
    text = text * max(1, (1 << 20) // len(text.encode("utf-8")))
    mb = len(text.encode("utf-8")) / (1 << 20)
    out = {"mb": round(mb, 2)}
    for name, scan in (("sanitize_ms_per_mb", sanitize), ("injection_ms_per_mb",
                                                            injection_signals)):
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            scan(text)
            best = min(best, time.perf_counter() - started)
        out[name] = round(best * 1000 / mb, 1)
    return out


def _chunk(text: str) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [{"index": 0, "delta": {"content": text}, "logprobs": None,
                         "finish_reason": None}]}


def stream_cost(answers: list[str]) -> dict[str, Any]:
    import tiktoken

    enc = tiktoken.get_encoding("o200k_base")
    per_chunk_us: list[float] = []
    first_us: list[float] = []
    waited: list[int] = []
    for text in answers:
        tokens = [enc.decode([t]) for t in enc.encode(text)]
        guard = StreamGuard("redact")
        compute = 0.0
        released_at: int | None = None
        for i, token in enumerate(tokens):
            started = time.perf_counter()
            out = guard.apply(_chunk(token))
            took = time.perf_counter() - started
            per_chunk_us.append(took * 1e6)
            if released_at is None:
                compute += took
                if any(c["choices"][0]["delta"].get("content") for c in out):
                    released_at = i
        first_us.append(compute * 1e6)
        waited.append(released_at if released_at is not None else len(tokens))
    per_chunk_us.sort()
    first_us.sort()
    return {
        "streams": len(answers), "chunks": len(per_chunk_us),
        "per_chunk_us": {"p50": round(statistics.median(per_chunk_us), 1),
                         "p99": round(per_chunk_us[int(0.99 * (len(per_chunk_us) - 1))], 1)},
        "first_token_compute_ms": {"p50": round(statistics.median(first_us) / 1000, 3),
                                   "p99": round(first_us[int(0.99 * (len(first_us) - 1))]
                                                / 1000, 3)},
        "first_token_tokens_waited": {
            "mean": round(statistics.fmean(waited), 2),
            "share_0": round(sum(w == 0 for w in waited) / len(waited), 3),
            "share_1": round(sum(w == 1 for w in waited) / len(waited), 3),
            "max": max(waited)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000, help="answers per generated set")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per text")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import os

    use_vendored_encodings(os.environ)
    sets = texts(args.seed, args.texts)
    print(f"detector on {sum(len(v) for v in sets.values())} texts ...", flush=True)
    detector = {name: detector_cost(items, args.repeats) for name, items in sets.items()}
    print("input guard on a 1 MB prompt ...", flush=True)
    prompt = input_cost(sets["bench_corpus"], args.repeats)
    print("stream guard on tokenised answers ...", flush=True)
    stream = {name: stream_cost(sets[name]) for name in ("pii_answers", "ordinary_answers")}
    report = {
        "what": "PII detector cost per KB and stream-guard (redact) cost per chunk and to "
                "the first released token; one token per chunk (o200k_base)",
        "command": f"python bench/guards_bench.py --texts {args.texts} --repeats "
                   f"{args.repeats} --seed {args.seed}",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "detector": detector,
        "stream_guard": stream,
        "input_guard": prompt,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
