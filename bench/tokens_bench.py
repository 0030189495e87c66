"""Token counting benchmark: the chars/4 heuristic's error, tiktoken speed, the Python
counter's speed (short texts before tiktoken's encoder is built), cold load.

    .venv/bin/python bench/tokens_bench.py            # table on stdout, JSON to bench/results/

Corpus: bench/corpus/*.txt, one item per line (``\\n`` and ``\\t`` escapes in code.txt).
Reference: tiktoken o200k_base, the exact tokenizer of gpt-4o / gpt-4.1 / o-series.
Everything runs offline from the BPE files vendored in the layer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tiktoken

from llm_router.schema import UserMessage
from llm_router.tokens import count_chat_tokens, use_vendored_encodings
from llm_router.tokens.encodings import load_counter

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
RESULTS = HERE / "results" / "tokens.json"


def load_corpus() -> dict[str, list[str]]:
    corpus = {}
    for path in sorted(CORPUS.glob("*.txt")):
        lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
        if path.stem == "code":
            lines = [line.replace("\\n", "\n").replace("\\t", "\t") for line in lines]
        corpus[path.stem] = lines
    return corpus


def pct_errors(estimates: Sequence[float], truths: Sequence[int]) -> dict[str, float]:
    errors = sorted(abs(e - t) / t * 100 for e, t in zip(estimates, truths, strict=True))
    signed = [(e - t) / t * 100 for e, t in zip(estimates, truths, strict=True)]
    return {
        "mean_abs_pct": round(statistics.fmean(errors), 1),
        "median_abs_pct": round(statistics.median(errors), 1),
        "p95_abs_pct": round(errors[min(len(errors) - 1, int(0.95 * len(errors)))], 1),
        "mean_signed_pct": round(statistics.fmean(signed), 1),
    }


def heuristic_error(corpus: dict[str, list[str]]) -> dict[str, Any]:
    """chars/4 vs o200k (and o200k vs cl100k: how far two real tokenizers disagree)."""
    o200k, cl100k = tiktoken.get_encoding("o200k_base"), tiktoken.get_encoding("cl100k_base")
    out: dict[str, Any] = {}
    everything: dict[str, list[Any]] = {"h": [], "o": [], "c": []}
    for category, items in [*corpus.items()]:
        truth = [len(o200k.encode_ordinary(t)) for t in items]
        other = [len(cl100k.encode_ordinary(t)) for t in items]
        guess = [len(t) / 4 for t in items]
        everything["h"] += guess
        everything["o"] += truth
        everything["c"] += other
        out[category] = {
            "items": len(items),
            "chars_per_token": round(sum(map(len, items)) / sum(truth), 2),
            "chars4_vs_o200k": pct_errors(guess, truth),
            "cl100k_vs_o200k": pct_errors(other, truth),
        }
    out["all"] = {
        "items": len(everything["o"]),
        "chars4_vs_o200k": pct_errors(everything["h"], everything["o"]),
        "cl100k_vs_o200k": pct_errors(everything["c"], everything["o"]),
    }
    return out


def throughput(corpus: dict[str, list[str]], seconds: float) -> dict[str, Any]:
    """Single-thread encode speed on the whole corpus, and count_chat_tokens calls/s."""
    texts = [t for items in corpus.values() for t in items]
    result: dict[str, Any] = {}
    for name in ("o200k_base", "cl100k_base"):
        enc = tiktoken.get_encoding(name)
        tokens, rounds, start = 0, 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            tokens += sum(len(enc.encode_ordinary(t)) for t in texts)
            rounds += 1
        elapsed = time.perf_counter() - start
        result[name] = {"tokens_per_s": round(tokens / elapsed), "rounds": rounds}
    messages = [[UserMessage(role="user", content=t)] for t in texts]
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for m in messages:
            count_chat_tokens(m, "gpt-4o-mini")
        calls += len(messages)
    elapsed = time.perf_counter() - start
    result["count_chat_tokens_per_s"] = round(calls / elapsed)
    result["count_chat_tokens_us"] = round(elapsed / calls * 1e6, 1)
    return result


def python_counter(corpus: dict[str, list[str]], rounds: int = 20) -> dict[str, Any]:
    """The counter's Python path (what counts short texts until tiktoken's encoder is
    built, ``llm_router.tokens.counter``) against tiktoken's encoder, per category, in
    microseconds per item: the first pass of a fresh counter (no piece remembered yet),
    then the best of ``rounds`` passes (its pieces remembered)."""
    encoding = tiktoken.get_encoding("o200k_base")
    result: dict[str, Any] = {}
    for category, items in corpus.items():
        counter = load_counter("o200k_base")

        def one_pass(count: Any, items: list[str] = items) -> float:
            start = time.perf_counter()
            for text in items:
                count(text)
            return (time.perf_counter() - start) / len(items) * 1e6

        first_us = one_pass(counter.count_python)
        python_us = min(one_pass(counter.count_python) for _ in range(rounds))
        tiktoken_us = min(one_pass(encoding.encode_ordinary) for _ in range(rounds))
        result[category] = {"chars_mean": round(statistics.fmean(map(len, items))),
                            "python_first_us": round(first_us, 1),
                            "python_us": round(python_us, 1),
                            "tiktoken_us": round(tiktoken_us, 1)}
    return result


_COLD = """
import os, time
t0 = time.perf_counter()
import tiktoken
from llm_router.tokens import use_vendored_encodings
use_vendored_encodings(os.environ)
t1 = time.perf_counter()
tiktoken.get_encoding({name!r}).encode_ordinary("warm up")
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def cold_load(runs: int) -> dict[str, Any]:
    """A fresh interpreter per run: import time, then load of one encoding from disk."""
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    result = {}
    for name in ("o200k_base", "cl100k_base"):
        imports, loads = [], []
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", _COLD.format(name=name)],
                                  capture_output=True, text=True, env=env, check=True)
            imp, load = map(float, done.stdout.split())
            imports.append(imp)
            loads.append(load)
        result[name] = {"import_ms_median": round(statistics.median(imports), 1),
                        "load_ms_median": round(statistics.median(loads), 1),
                        "load_ms_max": round(max(loads), 1), "runs": runs}
    return result


def print_table(results: dict[str, Any]) -> None:
    print(f"{'category':<12}{'items':>6}{'chars/tok':>10}"
          f"{'c/4 mean%':>11}{'median%':>9}{'p95%':>7}{'signed%':>9}{'cl100k mean%':>14}")
    for category, row in results["heuristic"].items():
        h, c = row["chars4_vs_o200k"], row["cl100k_vs_o200k"]
        print(f"{category:<12}{row['items']:>6}{row.get('chars_per_token', ''):>10}"
              f"{h['mean_abs_pct']:>11}{h['median_abs_pct']:>9}{h['p95_abs_pct']:>7}"
              f"{h['mean_signed_pct']:>9}{c['mean_abs_pct']:>14}")
    speed = results["throughput"]
    print(f"\nencode, one core: o200k {speed['o200k_base']['tokens_per_s']:,} tok/s, "
          f"cl100k {speed['cl100k_base']['tokens_per_s']:,} tok/s; count_chat_tokens "
          f"{speed['count_chat_tokens_us']} us/call")
    print("\npython counter vs tiktoken's encoder, o200k, us per item "
          "(python: first pass, then best pass):")
    for category, row in results["python_counter"].items():
        print(f"  {category:<12}{row['chars_mean']:>6} chars  python {row['python_first_us']:>7}"
              f" / {row['python_us']:>7}  tiktoken {row['tiktoken_us']:>6}")
    for name, cold in results["cold_load"].items():
        print(f"cold load {name}: {cold['load_ms_median']} ms median "
              f"(max {cold['load_ms_max']}, {cold['runs']} fresh processes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per throughput run")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    use_vendored_encodings(os.environ)
    corpus = load_corpus()
    results = {
        "command": "python bench/tokens_bench.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "cpu": platform.machine(),
                    "tiktoken": tiktoken.__version__},
        "heuristic": heuristic_error(corpus),
        "throughput": throughput(corpus, args.seconds),
        "python_counter": python_counter(corpus),
        "cold_load": cold_load(args.cold_runs),
    }
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
