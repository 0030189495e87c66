"""CPU time of one verification per candidate, the nets alone against the stacked verifier
(nets + the mid-fusion model), on the request path: the cached text kept, the query's
token states from its own embedding pass (untimed), its view and the verdict timed.

    .venv/bin/python bench/verifier_cost.py nets stacked nets stacked   # alternate runs

CPU time (``time.process_time``) rather than wall time: on a shared, loaded machine it
is what the load inflates least. ``OMP_NUM_THREADS=1``: one core, as the target is set.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from cache_eval import request_path_cost  # noqa: E402

from llm_router.cache.verifier import load_verifier  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "data" / "heldout5" / "cache_pairs.jsonl"
FUSION = REPO / "data" / "cache_verifier" / "fusion.npz"


def main(kinds: list[str], n: int = 100) -> None:
    pairs = read_jsonl(PAIRS)[:n]
    for kind in kinds:
        verifier = load_verifier(model_kind=kind, fusion_path=FUSION)
        cpu, kept = request_path_cost(verifier, verifier.embedder, pairs, time.process_time)
        print(f"{kind}: request path {cpu:.2f} ms CPU a candidate, both texts "
              f"kept {kept:.2f} ms (load average {os.getloadavg()[0]:.1f})",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["nets", "stacked"])
