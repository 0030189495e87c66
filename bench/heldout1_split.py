"""The cache verifier on data/heldout/cache_pairs.jsonl, split as training split it.

That set was the first independent held-out set; it was scored once and is now seen: the
verifier trains on its banking, saas, ecommerce, gaming and general pairs and tunes on
the rest (train/cache_verifier/build.py). This prints recall and false hits through the
router's lookup (``probe``: floor, amounts check, verifier; not the synonym form nor the
checks after the verifier, which ``bench/cache_losses.py`` adds) for each half, swept and at
the operating point, and hits per kind. The tune half was never trained on, but the
operating point was chosen with it: neither half is a held-out figure.

    .venv/bin/python bench/heldout1_split.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from embed_cache import embed_cached

from llm_router.cache.policy import MatchPolicy
from llm_router.cache.probe import probe
from llm_router.cache.verifier import load_verifier
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

PAIRS = Path(__file__).resolve().parents[1] / "data" / "heldout" / "cache_pairs.jsonl"
TRAIN_DOMAINS = frozenset({"banking", "saas", "ecommerce", "gaming", "general"})


def main() -> None:
    pairs = read_jsonl(PAIRS)
    embedder = MiniLMEmbedder.load()
    verifier = load_verifier()
    floor = CacheConfig().verifier_floor
    policy = MatchPolicy(floor, True, verifier, 0.0)
    cached = embed_cached(embedder, [p["a"] for p in pairs])
    queries = embed_cached(embedder, [p["b"] for p in pairs])
    scored = []
    for p, c, q in zip(pairs, cached, queries, strict=True):
        r = probe(p["a"], c, p["b"], q, policy)
        scored.append((p, r.probability if r.hit and r.probability is not None else -1.0))
    cuts = (0.5, 0.7, 0.8, 0.9, verifier.threshold)
    for half in ("train domains (trained on)", "tune domains (not trained on)"):
        trained = half.startswith("train")
        rows = [(p, s) for p, s in scored if (p["domain"] in TRAIN_DOMAINS) == trained]
        print(f"\n{half}: {sum(p['label'] for p, _ in rows)} positives, "
              f"{sum(1 - p['label'] for p, _ in rows)} negatives")
        for cut in cuts:
            pos = [s >= cut for p, s in rows if p["label"]]
            neg = [s >= cut for p, s in rows if not p["label"]]
            mark = " (operating point)" if cut == verifier.threshold else ""
            print(f"  p >= {cut:.3f}: recall {sum(pos) / len(pos):.1%}, "
                  f"false hits {sum(neg) / len(neg):.1%} ({sum(neg)}/{len(neg)}){mark}")
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for p, s in rows:
            kinds[p["kind"]][0] += s >= verifier.threshold
            kinds[p["kind"]][1] += 1
        print("  hits per kind at the operating point: "
              + ", ".join(f"{k} {h}/{n}" for k, (h, n) in sorted(kinds.items())))


if __name__ == "__main__":
    main()
