"""Proofs that bench/cache_losses.py's rows with the retrieval map (the default since session
28) are the shipped lookup's, and that its rows without it are the rows of before.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/losses_map_check.py \\
        --before /work/base/base-D64-1e7df14-S5-pairs.jsonl \\
        --raw .cache/s28b/raw-D64-pairs.jsonl --mapped .cache/s28b/map-D64-pairs.jsonl \\
        --out bench/results/losses-map-check-session28.json

``--before``: rows made by cache_losses.py before this change (raw cosine); ``--raw``: the
same sets' rows made with ``--no-retrieval-map`` after it; ``--mapped``: the same sets' rows
made with the default (the catalog's map). Checks, each stopping the run when it fails:

1. ``--raw`` is byte for byte ``--before``.
2. Restaged as train/cache_retrieval/measure.py restages (``--before``'s rows, ``similarity``
   replaced by the cosine of the mapped MiniLM rows, ``measure.unit`` with the map's float64
   weight), every pair's ``cache_losses.stage(row, 0.5, cut)`` is the ``--mapped`` row's, and
   every field of a ``--mapped`` row but the cosines and the map's name is ``--before``'s.
3. ``--sample`` pairs drawn at random (seed 27) through ``llm-router cache-probe`` (the
   catalog's lookup, the map included: the command ``bench/heldout_eval.py`` runs) hit
   exactly where the ``--mapped`` rows' stage says.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # train.cache_retrieval
from cache_losses import counts, stage  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.retrieval_map import resolve  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402

CLI = [sys.executable, "-m", "llm_router_local.cli"]
MAPPED_ONLY = ("similarity", "raw_similarity", "retrieval_map")


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def restaged(before: list[dict[str, Any]], weight: np.ndarray) -> list[dict[str, Any]]:
    """measure.py's restaging: each row with the mapped MiniLM cosine as its similarity
    (its own functions, imported by name: train/ is outside ``make typecheck``)."""
    vectors_of = importlib.import_module("train.cache_retrieval.fit").vectors_of
    unit = importlib.import_module("train.cache_retrieval.measure").unit
    texts = list(dict.fromkeys(t for r in before for t in (r["a"], r["b"])))
    vec = dict(zip(texts, vectors_of(texts), strict=True))
    a = unit(np.stack([vec[r["a"]] for r in before]), weight)
    b = unit(np.stack([vec[r["b"]] for r in before]), weight)
    sims = np.sum(a * b, axis=1)
    return [dict(r, similarity=float(s)) for r, s in zip(before, sims, strict=True)]


def probed(rows: list[dict[str, Any]]) -> list[bool]:
    """``llm-router cache-probe`` (the shipped catalog's cache section) on these pairs."""
    text = "".join(json.dumps({"cached": r["a"], "query": r["b"]}) + "\n" for r in rows)
    env = {k: v for k, v in os.environ.items() if k != "LLM_ROUTER_CONFIG_PATH"}
    done = subprocess.run([*CLI, "cache-probe"], input=text, capture_output=True, text=True,
                          check=True, env=env)
    out = [json.loads(line)["hit"] for line in done.stdout.splitlines() if line.strip()]
    if len(out) != len(rows):
        raise SystemExit(f"cache-probe: {len(out)} answers for {len(rows)} pairs")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--mapped", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    config = CacheConfig()
    floor, cut = config.verifier_floor, config.verifier_threshold or 0.916959
    if args.raw.read_bytes() != args.before.read_bytes():
        raise SystemExit(f"{args.raw} is not {args.before} byte for byte")
    before, mapped = read(args.before), read(args.mapped)
    if len(before) != len(mapped):
        raise SystemExit("the mapped rows are not the same pairs")
    assert config.retrieval_map is not None
    with np.load(resolve(config.retrieval_map)) as npz:
        weight = npz["weight"].astype(np.float64)
    shas = {r.get("retrieval_map") for r in mapped}
    again = restaged(before, weight)
    drift = 0.0
    for old, re, new in zip(before, again, mapped, strict=True):
        if {k: v for k, v in new.items() if k not in MAPPED_ONLY} != {
                k: v for k, v in old.items() if k != "similarity"}:
            raise SystemExit(f"the mapped row differs from the raw one beyond its cosine: {new}")
        if stage(re, floor, cut) != stage(new, floor, cut):
            raise SystemExit(f"restaged {stage(re, floor, cut)} but the row says "
                             f"{stage(new, floor, cut)}: {new}")
        drift = max(drift, abs(re["similarity"] - new["similarity"]),
                    abs(new["raw_similarity"] - old["similarity"]))
    sample = random.Random(27).sample(mapped, min(args.sample, len(mapped)))
    hits = probed(sample)
    differ = [r for r, hit in zip(sample, hits, strict=True) if stage(r, floor, cut)[1] != hit]
    if differ:
        raise SystemExit(f"cache-probe and the mapped rows disagree on {len(differ)}: "
                         f"{differ[:3]}")
    result = {
        "before": str(args.before), "raw": str(args.raw), "mapped": str(args.mapped),
        "rows": len(before), "floor": floor, "cut": cut,
        "retrieval_map": sorted(str(s) for s in shas),
        "raw_byte_identical": True,
        "restaged_agree": len(before), "max_abs_cosine_difference": drift,
        "probe": {"pairs": len(sample), "agree": len(sample), "hits": sum(hits)},
        "raw_counts": counts(before, floor, cut), "mapped_counts": counts(mapped, floor, cut),
        "by_set": {name: {"raw": counts([r for r in before if r["set"] == name], floor, cut),
                          "mapped": counts([r for r in mapped if r["set"] == name], floor,
                                           cut)}
                   for name in dict.fromkeys(r["set"] for r in before)},
        "run": run_record(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "run"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
