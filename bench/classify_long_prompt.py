"""What classifying one long prompt costs after its embedding: the structural features,
the hashed n-grams and the model, for prompts of 1 KB to 1 MB (the embedding itself reads
at most 256 tokens and is timed by ``embedding_bench.py``).

    .venv/bin/python bench/classify_long_prompt.py [--repeat 5] [--out FILE]

The prompt is a support-style paragraph (words, numbers, money, question marks, line
breaks) repeated to each size; each size is classified ``--repeat`` times and the fastest
run is kept (CPU time of this thread, so other load on the machine inflates it little).
Run it at an older commit for a before/after: it uses only ``load_classifier`` and
``classify``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from llm_router.classifier.runtime import load_classifier

SIZES = (1_000, 10_000, 100_000, 1_000_000)
VOCABULARY = ("the my order refund please why how much account charged twice invoice 42 "
              "$19.99 should I tried again 15% cancel plan vs which")
WORDS = VOCABULARY.split()


def prompt(chars: int) -> str:
    rng = random.Random(0)
    paragraph = " ".join(rng.choice(WORDS) for _ in range(120)) + "?\n"
    return (paragraph * (chars // len(paragraph) + 1))[:chars]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    classifier = load_classifier()
    embedding = np.full(384, 1 / np.sqrt(384), dtype=np.float32)
    result = {}
    for size in SIZES:
        text = prompt(size)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.thread_time()
            classifier.classify(text, embedding)
            best = min(best, time.thread_time() - start)
        result[str(size)] = round(best * 1000, 2)
        print(f"{size:>9,} chars: {best * 1000:8.2f} ms CPU", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"cpu_ms_by_chars": result}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
