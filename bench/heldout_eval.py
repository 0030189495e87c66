"""Score the shipped classifier and semantic cache on the independent held-out set.

``data/heldout/`` was written by an agent that read neither the training data nor the
models (see its README), after the models were trained; nothing was tuned on it. This
script runs the public commands (``llm-router classify`` and ``llm-router cache-probe``)
over it, exactly as a user would, and writes ``bench/results/heldout.json``.
``--data`` points at another set with the same two files (``data/heldout2/`` was written
later the same way, after ``data/heldout/`` had been seen and tuned on). Since 2026-12-03
the classifier trains on ``data/heldout/`` (source ``independent-v1``), so a rerun on it
measures fit, not generalisation: its one honest score is the one recorded in the README;
its out-of-fold score is in the artefact and ``make classifier-bench``.

    .venv/bin/python bench/heldout_eval.py
    .venv/bin/python bench/heldout_eval.py --data data/heldout2 --out bench/results/heldout2.json
    .venv/bin/python bench/heldout_eval.py --data data/heldout3 --out bench/results/heldout3.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

DATA = ROOT / "data" / "heldout"
TIERS = ["simple", "moderate", "complex", "reasoning"]
CLI = [sys.executable, "-m", "llm_router_local.cli"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(args: list[str], lines: list[dict]) -> list[dict]:
    text = "".join(json.dumps(line) + "\n" for line in lines)
    # The shipped catalog's cache: section, whatever this shell points the router at
    # (cache-probe reads LLM_ROUTER_CONFIG_PATH since session 13).
    env = {k: v for k, v in os.environ.items() if k != "LLM_ROUTER_CONFIG_PATH"}
    done = subprocess.run(CLI + args, input=text, capture_output=True, text=True, check=True,
                          env=env)
    out = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(out) != len(lines):
        raise SystemExit(f"{args[0]}: {len(out)} answers for {len(lines)} inputs")
    return out


def _tier_scores(rows: list[dict], labels: list[str]) -> dict:
    def rank(tier: str) -> int:
        return TIERS.index(tier)

    def score(idx: list[int]) -> dict:
        n = len(idx)
        return {
            "n": n,
            "accuracy": round(sum(labels[i] == rows[i]["tier"] for i in idx) / n, 4),
            "under_routed": round(sum(rank(labels[i]) < rank(rows[i]["tier"]) for i in idx) / n, 4),
            "over_routed": round(sum(rank(labels[i]) > rank(rows[i]["tier"]) for i in idx) / n, 4),
        }

    every = list(range(len(rows)))
    result = score(every)
    result["recall_by_tier"] = {
        t: round(sum(labels[i] == t for i in every if rows[i]["tier"] == t)
                 / max(1, sum(rows[i]["tier"] == t for i in every)), 4)
        for t in TIERS
    }
    result["by_traffic"] = {
        kind: score([i for i in every if rows[i]["traffic"] == kind])
        for kind in ("support", "general")
    }
    result["confusion"] = {
        t: {p: sum(1 for i in every if rows[i]["tier"] == t and labels[i] == p) for p in TIERS}
        for t in TIERS
    }
    return result


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def classifier(data: Path) -> dict:
    path = data / "classifier_queries.jsonl"
    rows = read_jsonl(path)
    queries = [{"query": row["text"]} for row in rows]
    print(f"classifier: {len(rows)} queries", file=sys.stderr)
    top = [a["label"] for a in _run(["classify"], queries)]
    routed = [a["label"] for a in _run(["classify", "--routed"], queries)]
    return {
        "file": _shown(path),
        "sha256": _sha256(path),
        "most_likely_tier": _tier_scores(rows, top),
        "routed_tier": _tier_scores(rows, routed),
    }


def _pair_scores(rows: list[dict], hits: list[bool]) -> dict:
    pos = [i for i, r in enumerate(rows) if r["label"] == 1]
    neg = [i for i, r in enumerate(rows) if r["label"] == 0]
    kinds: dict[str, list[bool]] = defaultdict(list)
    for row, hit in zip(rows, hits, strict=True):
        kinds[row["kind"]].append(hit)
    return {
        "recall": round(sum(hits[i] for i in pos) / len(pos), 4),
        "false_hits": round(sum(hits[i] for i in neg) / len(neg), 4),
        "positives": len(pos),
        "negatives": len(neg),
        "hits_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())},
    }


def cache(data: Path, min_probability: float | None = None,
          verifier_model: str | None = None) -> dict:
    path = data / "cache_pairs.jsonl"
    rows = read_jsonl(path)
    pairs = [{"cached": row["a"], "query": row["b"]} for row in rows]
    print(f"cache: {len(rows)} pairs", file=sys.stderr)
    cut = [] if min_probability is None else ["--min-probability", str(min_probability)]
    if verifier_model is not None:
        cut += ["--verifier-model", verifier_model]
    with_verifier = [a["hit"] for a in _run(["cache-probe", *cut], pairs)]
    no_spelling = [a["hit"] for a in _run(["cache-probe", "--no-spelling", *cut], pairs)]
    without = [a["hit"] for a in _run(["cache-probe", "--no-verifier"], pairs)]
    return {
        "file": _shown(path),
        "sha256": _sha256(path),
        "min_probability": min_probability,  # None: the artefact's operating point
        "verifier_model": verifier_model,  # None: the router's default
        "verifier": _pair_scores(rows, with_verifier),
        # The verifier alone: no same-question-respelled check before it (cache/spelling.py).
        "verifier_no_spelling": _pair_scores(rows, no_spelling),
        "no_verifier": _pair_scores(rows, without),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "heldout.json")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="folder holding classifier_queries.jsonl and cache_pairs.jsonl")
    parser.add_argument("--cache-only", action="store_true", help="skip the classifier")
    parser.add_argument("--min-probability", type=float, default=None,
                        help="the verifier's operating point (cache-probe's option; default: "
                             "the artefact's)")
    parser.add_argument("--verifier-model", choices=("cross", "nets"), default=None,
                        help="cache-probe's option (default: the router's: cross where its "
                             "artefact is shipped, else nets)")
    args = parser.parse_args()
    data = args.data.resolve()
    for name in ("classifier_queries.jsonl", "cache_pairs.jsonl"):
        if not (data / name).is_file():
            parser.error(f"{data / name} not found")
    result = {"cache": cache(data, args.min_probability, args.verifier_model)}
    if not args.cache_only:
        result = {"classifier": classifier(data), **result}
        c = result["classifier"]
        print(f"classifier most likely: accuracy {c['most_likely_tier']['accuracy']:.1%}, "
              f"under-routed {c['most_likely_tier']['under_routed']:.1%}")
        print(f"classifier routed:      accuracy {c['routed_tier']['accuracy']:.1%}, "
              f"under-routed {c['routed_tier']['under_routed']:.1%}")
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    k = result["cache"]
    print(f"cache with verifier:    recall {k['verifier']['recall']:.1%}, "
          f"false hits {k['verifier']['false_hits']:.1%}")
    print(f"  without spelling:     recall {k['verifier_no_spelling']['recall']:.1%}, "
          f"false hits {k['verifier_no_spelling']['false_hits']:.1%}")
    print(f"cache without verifier: recall {k['no_verifier']['recall']:.1%}, "
          f"false hits {k['no_verifier']['false_hits']:.1%}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
