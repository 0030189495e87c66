"""The retrieval map into the layer (``make cache-retrieval-map LAYER=1``): the fitted
``.npz`` copied byte for byte to ``layers/core/llm_router/data/cache_retrieval/`` beside a
``.json`` holding the weight's sha256 (what ``RetrievalMap.sha256`` reads; a unit test holds
the shipped file to it), the file's sha256, the recipe, the training data's sources and
licences (from the map's ``meta``) and the rule that decided it.

    .venv/bin/python -m train.cache_retrieval.ship --map .cache/cache_retrieval/full-mnr.npz
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_verifier.pairs import REPO

LAYER_DIR = REPO / "layers" / "core" / "llm_router" / "data" / "cache_retrieval"
RULE = ("rule M2b (session 28), decided on heldout62-63 and pooled with rule M's run on "
        "heldout64-65: docs/cache-history.md \"Session 28: the retrieval map on heldout62-63 "
        "(rule M2b)\"; bench/results/m2b-rule-session28.json (rule M, session 27, had refused "
        "it by one answer: bench/results/map-rule-session27.json)")
LICENCE = ("the weight is the project's (Apache-2.0); it was fitted on the writers' sets "
           "(written for this project, Apache-2.0) and Quora Question Pairs train pairs "
           "(Quora's terms, non-commercial use), as the shipped cross-encoder was: every "
           "source and its licence under \"sources\"")


def manifest(path: Path, rule: str) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as npz:
        weight = np.ascontiguousarray(npz["weight"], dtype=np.float32)
        meta = json.loads(str(npz["meta"]))
    sha = hashlib.sha256(weight.tobytes()).hexdigest()
    if meta.get("weight_sha256", sha) != sha:
        raise SystemExit(f"{path}: the meta's weight sha256 is not the weight's")
    return {"sha256": sha, "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "shape": list(weight.shape), "dtype": "float32", "rule": rule,
            "licence": LICENCE, "recipe": meta["recipe"], "pairs": meta["pairs"],
            "measured_on": meta.get("measured_on"),
            "dropped_sharing_a_measured_text": meta.get("dropped_sharing_a_measured_text"),
            "sources": meta["sources"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, default=LAYER_DIR)
    parser.add_argument("--rule", default=RULE)
    args = parser.parse_args()
    info = manifest(args.map, args.rule)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    target = args.out_dir / args.map.name
    shutil.copyfile(args.map, target)
    target.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {target} (weight sha256 {info['sha256']}) and {target.with_suffix('.json')}")


if __name__ == "__main__":
    main()
