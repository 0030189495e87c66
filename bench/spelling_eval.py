"""The respelling check alone (``llm_router.cache.spelling.same_spelling``, no floor, no
verifier) over every seen pair set: how many negatives it would pass (each one listed:
any is a rule bug or a mislabelled pair) and how many positives, by kind; CPU per pair
with both texts new and with both read before.

    .venv/bin/python bench/spelling_eval.py            # prints; --kinds for per-kind rows
    .venv/bin/python bench/spelling_eval.py --also other/cache_pairs.jsonl  # another seen set
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from llm_router.cache.spelling import reading, same_spelling
from llm_router.cache.verifier import load_vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SETS = [ROOT / "bench" / "cache_pairs" / f"{name}.jsonl" for name in ("pairs", "tune", "heldout")]
SETS += [ROOT / "data" / name / "cache_pairs.jsonl"
         for name in ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6",
                      "heldout7")]


def load(path: Path) -> list[dict]:
    return [r if "a" in r else {**r, "a": r["cached"], "b": r["query"],
                                "label": int(r["kind"] == "paraphrase")} for r in read_jsonl(path)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", action="store_true", help="positives passed per kind")
    parser.add_argument("--also", type=Path, nargs="*", default=[],
                        help="more seen pair sets (JSONL, the same fields)")
    args = parser.parse_args()
    vocab = load_vocabulary(np.ones(30522, np.float32))  # IDF unused: pieces only
    every: list[tuple[str, str]] = []
    for path in SETS + args.also:
        rows = load(path)
        cells: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        used: Counter[str] = Counter()
        for r in rows:
            found = same_spelling(r["a"], r["b"], vocab.pieces)
            cell = cells[(r["label"], r.get("kind", "?"))]
            cell[1] += 1
            if found is None:
                continue
            cell[0] += 1
            if r["label"] == 0:
                print(f"  NEGATIVE passed ({r.get('kind')}, {'+'.join(found)}): "
                      f"{r['a']!r} / {r['b']!r}")
            else:
                used.update(found)
        every += [(r["a"], r["b"]) for r in rows]
        pos = [v for (label, _), v in cells.items() if label == 1]
        neg = [v for (label, _), v in cells.items() if label == 0]
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{name}: negatives passed {sum(v[0] for v in neg)}/"
              f"{sum(v[1] for v in neg)}, positives {sum(v[0] for v in pos)}/"
              f"{sum(v[1] for v in pos)} ({dict(used)})")
        if args.kinds:
            print("   ", {k: f"{v[0]}/{v[1]}" for (label, k), v in sorted(cells.items())
                         if label == 1})
    sample = every[-754:]
    reading.cache_clear()
    start = time.process_time()
    for a, b in sample:
        same_spelling(a, b, vocab.pieces)
    new = time.process_time() - start
    start = time.process_time()
    for a, b in sample:
        same_spelling(a, b, vocab.pieces)
    kept = time.process_time() - start
    print(f"CPU per pair over {len(sample)} pairs: {1e6 * new / len(sample):.0f} us with both "
          f"texts new, {1e6 * kept / len(sample):.0f} us with both read before")


if __name__ == "__main__":
    main()
