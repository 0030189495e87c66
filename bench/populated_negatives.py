"""Populated-cache negatives (session 37, rule S11's new source): the entry a populated cache
answers a paraphrase query with by mistake, as a training negative.

    .venv/bin/python bench/populated_negatives.py --shared L/i30-mine-80-81.jsonl ... \\
        --variant 0.5:5:m:3:0.7 --out .cache/cross-s11/popneg.jsonl \\
        --record bench/results/s11-mining-session37.json

Reads ``bench/cache_shared.py --pairs-out`` rows (one file a populated cache, 10,000 entries,
run with the shipped verifier S10 at a loose cut, the variant's last field). Each paraphrase
query q (a label-1 row's ``b``) of a cached entry e (its ``a``) that another entry e' answered
(``outcome`` ``other``, ``other_same`` or ``other_negative``: ``answered`` is e', ``p`` S10's
probability for it, the lookup's order) is a candidate negative (q, e'). The rule's label
test keeps it when

- e' is not labelled a paraphrase of q in any set: ``pair_sets.PairGroups`` over every
  readable set (``label_sets``: data/heldout1-101 and every other data/ folder's
  cache_pairs.jsonl, data/cache_verifier's training sets, bench/cache_pairs' two files; never
  ``pair_sets.RESERVED`` nor heldout102 and later) does not put e' and q in one group
  (``relation`` ``right``: a label-1 chain, or texts equal by ``same_text``); and
- S10's p(e, e') < ``SAME`` (0.5) for every cached entry e whose paraphrase q is (e and e' are
  not the same question), read both ways (e as the query, then e' as the query; the larger
  counts): a stricter reading of "p(e, e') < 0.5" than one order.

A kept pair is written once per (q, e') as a bundle pair: ``a`` e' (the cached text), ``b`` q
(the query), label 0, ``source`` ``popneg``, with the cache it came from, q's set, the answer's
p and the largest p(e, e'). The record holds the counts per cache and per set (candidates,
dropped by each test, kept), the inputs' and the output's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

from pair_sets import RESERVED, PairGroups, load  # noqa: E402
from run_record import run_record  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAME = 0.5  # S10's p(e, e') at or over this: e and e' read as the same question, no negative
OTHER = ("other", "other_same", "other_negative")  # another entry answered the query
LAST_SEEN = 101  # heldout102 and later: never read here (RESERVED, and the unseen sets)

Scorer = Callable[[Sequence[tuple[str, str]]], Sequence[float]]  # (query, cached) -> p


def label_files(data: Path = REPO / "data", bench: Path = HERE) -> list[Path]:
    """Every readable set's pairs file: data/<folder>/cache_pairs.jsonl and
    data/cache_verifier/<folder>/cache_pairs.jsonl, heldout102 and later and RESERVED left
    out (never opened), and bench/cache_pairs' tune and heldout files."""
    def readable(folder: Path) -> bool:
        name = folder.name
        if name in RESERVED:
            return False
        if name.startswith("heldout") and name[7:].isdigit():
            return int(name[7:]) <= LAST_SEEN
        return True

    files = [f / "cache_pairs.jsonl" for root in (data, data / "cache_verifier")
             if root.is_dir() for f in sorted(root.iterdir())
             if f.is_dir() and readable(f) and (f / "cache_pairs.jsonl").is_file()]
    return files + [p for p in (bench / "cache_pairs" / "tune.jsonl",
                                bench / "cache_pairs" / "heldout.jsonl") if p.is_file()]


def candidates(rows: list[dict[str, Any]], variant: str) -> list[dict[str, Any]]:
    """The rows of ``variant`` where another entry answered a paraphrase query."""
    return [r for r in rows if r["variant"] == variant and r["label"] == 1
            and r["outcome"] in OTHER and r.get("answered") not in (None, r["a"])]


def mine(caches: dict[str, list[dict[str, Any]]], variant: str, groups: PairGroups,
         score: Scorer) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The negatives (q, e') of every cache's rows (``caches``: name -> rows) by the label
    test, once per (q, e') (the first cache's), and the counts per cache and per set."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    entries: dict[tuple[str, str], set[str]] = defaultdict(set)  # (q, e') -> the e of q
    counts: dict[str, Counter[str]] = {}
    by_set: dict[str, Counter[str]] = defaultdict(Counter)
    for name, rows in caches.items():
        c: Counter[str] = Counter()
        for r in candidates(rows, variant):
            q, e, other = r["b"], r["a"], r["answered"]
            c["candidate_rows"] += 1
            by_set[r["set"]]["candidate_rows"] += 1
            key = (q, other)
            entries[key].add(e)
            if key not in found:
                found[key] = {"a": other, "b": q, "label": 0, "kind": "populated",
                              "source": "popneg", "cache": name, "set": r["set"],
                              "p_answer": r.get("p"), "outcome": r["outcome"]}
        counts[name] = c
    labelled = {k for k in found if groups.relation(k[1], k[0]) == "right"}
    pairs = sorted({(e, k[1]) for k, es in entries.items() if k not in labelled for e in es})
    both = pairs + [(other, e) for e, other in pairs]  # (query, cached), both ways
    ps = list(score(both)) if both else []
    same: dict[tuple[str, str], float] = {}
    for n, (e, other) in enumerate(pairs):
        same[(e, other)] = max(float(ps[n]), float(ps[n + len(pairs)]))
    kept = []
    for key, row in found.items():
        c, s = counts[row["cache"]], by_set[row["set"]]
        for counter in (c, s):
            counter["distinct"] += 1
        if key in labelled:
            for counter in (c, s):
                counter["dropped_labelled_paraphrase"] += 1
            continue
        worst = max(same[(e, key[1])] for e in entries[key])
        if worst >= SAME:
            for counter in (c, s):
                counter["dropped_same_question"] += 1
            continue
        for counter in (c, s):
            counter["kept"] += 1
        kept.append(dict(row, p_entries=round(worst, 6)))
    record = {"by_cache": {k: dict(v) for k, v in counts.items()},
              "by_set": {k: dict(v) for k, v in sorted(by_set.items())},
              "candidate_rows": sum(v["candidate_rows"] for v in counts.values()),
              "distinct": len(found), "dropped_labelled_paraphrase": len(labelled),
              "dropped_same_question": len(found) - len(labelled) - len(kept),
              "kept": len(kept)}
    return kept, record


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layer_scorer(directory: Path | None) -> tuple[Scorer, str]:
    """S10's (or ``directory``'s) cross-encoder, each (query, cached) pair scored as the lookup
    reads it; and its cross.npz sha256."""
    from llm_router.cache.cross import load_cross
    from llm_router.embedding.minilm import MiniLMEmbedder

    encoder, meta = load_cross(MiniLMEmbedder.load(), directory)

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        out: list[float] = []
        for start in range(0, len(pairs), 256):
            out += encoder.probabilities(list(pairs[start:start + 256])).tolist()
        return out

    return score, meta["sha256"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, nargs="+", required=True,
                        help="bench/cache_shared.py --pairs-out files, one a populated cache")
    parser.add_argument("--variant", required=True, help="the loose-cut variant's name")
    parser.add_argument("--cross-dir", type=Path, default=None,
                        help="the verifier for p(e, e') (default: the layer's, S10)")
    parser.add_argument("--out", type=Path, required=True, help="the negatives (jsonl)")
    parser.add_argument("--record", type=Path, required=True, help="counts and sha256s (json)")
    parser.add_argument("--sample", type=int, default=30,
                        help="pairs drawn (seed 37) into the record for reading by eye")
    args = parser.parse_args(argv)
    caches = {p.stem: load_rows(p) for p in args.shared}
    files = label_files()
    labels = [pair for f in files for pair in load(f)]
    score, sha = layer_scorer(args.cross_dir)
    kept, record = mine(caches, args.variant, PairGroups(labels), score)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept),
                        encoding="utf-8")
    import random

    sample = random.Random(37).sample(kept, min(args.sample, len(kept)))
    record = {"variant": args.variant, "same_question_p": SAME, "verifier_sha256": sha,
              "label_files": [str(f.relative_to(REPO)) for f in files],
              "label_pairs": len(labels), **record,
              "inputs": {str(p): sha256(p) for p in args.shared},
              "out": str(args.out), "out_sha256": sha256(args.out),
              "sample": [{k: r[k] for k in ("b", "a", "p_answer", "p_entries", "set")}
                         for r in sample], "run": run_record()}
    args.record.parent.mkdir(parents=True, exist_ok=True)
    args.record.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print(json.dumps({k: record[k] for k in ("candidate_rows", "distinct",
                                             "dropped_labelled_paraphrase",
                                             "dropped_same_question", "kept")}))
    for name, c in record["by_cache"].items():
        print(f"  {name}: {dict(c)}")
    print(f"wrote {args.out} (sha256 {record['out_sha256'][:16]}) and {args.record}")
    return 0


def load_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


if __name__ == "__main__":
    raise SystemExit(main())
