"""Every pair the respelling check answers by its synonym form, and every negative it
answers by any form, on every seen set (``amounts_diff.committed_pairs``: heldout82-83 left
out) and Quora's training pairs: the label, the forms, the two differing spans, and what
the shipped lookup does with the pair when no form answers it (the verifier's probability,
the stage that decides: ``cache_losses.stage``).

    Q=../shared/data/paraphrase-train/qqp_full.tar.gz
    .venv/bin/python bench/respelled_pairs.py --quora $Q --out OLD.json   # the layer's table
    .venv/bin/python bench/respelled_pairs.py --quora $Q --synonym-table DIR --against OLD.json

The scan (``same_spelling`` on every pair, ~150 s for 169,433) reads no model; the pairs it
lists then go through ``cache_losses.trace`` (MiniLM, the verifier, the catalog's map and
checks), which checks each stage against a probe of the shipped lookup. ``--against``:
the pairs listed in either file whose forms differ, with both answers and the stage each
takes now (a pair no form answers goes to the verifier).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from amounts_diff import committed_pairs, quora_pairs
from cache_losses import stage, trace
from run_record import run_record
from verifier_choice import FUSION, load_chosen

from llm_router.cache.policy import verified_policy
from llm_router.cache.retrieval_map import shared_retrieval_map
from llm_router.cache.spelling import common_ends, reading, same_spelling
from llm_router.cache.synonyms import DIRECTORY, TABLE, Synonyms, load
from llm_router.cache.verifier import load_vocabulary
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder

OUT = Path(__file__).resolve().parent / "results" / "respelled-pairs.json"


def spans(a: str, b: str) -> tuple[str, str]:
    """The two texts' differing token spans (the respelling check's tokens), common
    start and end taken off."""
    ta, tb = reading(a).tokens, reading(b).tokens
    prefix, suffix = common_ends(ta, tb)
    return (" ".join(t.text for t in ta[prefix:len(ta) - suffix]),
            " ".join(t.text for t in tb[prefix:len(tb) - suffix]))


def listed(pairs: list[dict[str, Any]], synonyms: Synonyms) -> list[dict[str, Any]]:
    """The pairs answered by the synonym form, and the negatives answered by any form,
    each with its forms and spans."""
    pieces = load_vocabulary(np.ones(30522, np.float32)).pieces  # words only: no vectors
    out = []
    for pair in pairs:
        forms = same_spelling(pair["a"], pair["b"], pieces, synonyms)
        if forms is not None and ("synonym" in forms or not pair["label"]):
            out.append({"set": pair["set"], "id": pair.get("id"),
                        "kind": pair.get("kind", "quora"), "label": pair["label"],
                        "a": pair["a"], "b": pair["b"], "forms": list(forms),
                        "spans": list(spans(pair["a"], pair["b"]))})
    return out


def verdicts(rows: list[dict[str, Any]], synonyms: Synonyms) -> list[dict[str, Any]]:
    """``rows`` with the shipped lookup's similarity, the verifier's ``p`` and ``without``:
    the stage and verdict when no form answers the pair."""
    config = CacheConfig()
    embedder = MiniLMEmbedder.load()
    _, verifier = load_chosen(argparse.Namespace(verifier_model=None, cross_dir=None,
                                                 fusion=FUSION))
    cut = config.verifier_threshold or verifier.threshold
    # The lookup's own policy (every check the catalog turns on), read with this table.
    policy = replace(verified_policy(config, config.verifier_floor, verifier, cut),
                     synonyms=synonyms)
    mapped = (None if config.retrieval_map is None
              else shared_retrieval_map(config.retrieval_map))
    traced = trace(rows, embedder, verifier, policy, mapped)
    out = []
    for row, t in zip(rows, traced, strict=True):
        where, hit = stage({**t, "respelling": None}, config.verifier_floor, cut)
        out.append({**row, "similarity": round(t["similarity"], 4),
                    "p": None if t["p"] is None else round(t["p"], 4),
                    "without": where, "without_hit": hit})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synonym-table", type=Path, default=None,
                        help="the table's folder (train/synonyms.py --out; default the layer's)")
    parser.add_argument("--quora", type=Path, help="qqp_full.tar.gz: also its training pairs")
    parser.add_argument("--against", type=Path, help="a results file of this tool to compare")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    folder = args.synonym_table or DIRECTORY
    synonyms = load(folder)
    pairs = committed_pairs()
    if args.quora:
        pairs += quora_pairs(args.quora, pairs)
    rows = verdicts(listed(pairs, synonyms), synonyms)
    counts = Counter(f"{'+' if r['label'] else '-'} {'/'.join(r['forms'])}: without "
                     f"{'hit' if r['without_hit'] else 'lost'} at {r['without']}" for r in rows)
    result = {"table": str(folder), "sha256": hashlib.sha256(
        (folder / TABLE).read_bytes()).hexdigest(), "pairs_read": len(pairs),
        "counts": dict(sorted(counts.items())), "pairs": rows, "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    for key, n in sorted(counts.items()):
        print(f"{n:6}  {key}")
    if args.against:
        before = {(r["set"], r["a"], r["b"]): r
                  for r in json.loads(args.against.read_text("utf-8"))["pairs"]}
        now = {(r["set"], r["a"], r["b"]): r for r in rows}
        for where in sorted(before.keys() | now.keys()):
            old, new = before.get(where), now.get(where)
            if (old or {}).get("forms") != (new or {}).get("forms"):
                r = old or new
                assert r is not None
                verdict = (f"respelled {new['forms']}" if new is not None else
                           f"{'hit' if r['without_hit'] else 'refused'} at {r['without']}")
                print(f"changed {r['set']} {r['id']} label {r['label']} {r['spans']}: "
                      f"{(old or {}).get('forms')} -> {verdict} (p {r['p']})\n"
                      f"    {r['a']!r}\n    {r['b']!r}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
