"""Session 22's H (``bench/sisters.py``: a noun swapped for a WordNet sister at the same
place), built for session 23, which decides it on D25 + heldout36-39 by a rule the lead
writes first. This session runs ``fire`` on the training sets alone:

    OMP_NUM_THREADS=1 .venv/bin/python bench/sisters_rule.py fire \\
        --wordnet /tmp/wn/usr/share/wordnet --out /tmp/h-fired.jsonl

(a WordNet database folder: this session read WordNet 3.0's from Debian's wordnet-base
package, unpacked, not installed; the layer's synonym table is built from 3.1 and holds no
hypernym). ``fires`` is ``entity_rule.fires`` with H's check in E's place: a pair the
respelling check decides, or the hard check's amounts refuse, is not H's. ``fire`` refuses
the decision and unseen sets (D25, heldout36-39, ``pair_sets.RESERVED``): no choice of H's
may read them before the lead's rule.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from entity_rule import D25, asked_models
from extra_ask_rule import write_fired
from pair_sets import DATA, RESERVED, load_sets, set_label
from run_record import run_record
from sisters import DEPTH, Hypernyms, swapped_sisters

from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

TRAIN = tuple(sorted(str(p) for p in (DATA / "cache_verifier").glob("train*") if p.is_dir()))
FORBIDDEN = frozenset(D25) | RESERVED | {f"heldout{n}" for n in range(36, 40)}


def fires(a: str, b: str, hypernyms: Hypernyms, synonyms: Synonyms, short_forms: bool,
          vocabulary: Any) -> tuple[str, str] | None:
    """The nouns H refuses the pair for where the lookup without it would ask the models,
    or None."""
    return asked_models(a, b, lambda: swapped_sisters(a, b, hypernyms, synonyms),
                        vocabulary.pieces, synonyms, short_forms, vocabulary)


def fire(sets: list[str], wordnet: Path, depth: int, out: Path) -> dict[str, Any]:
    """The pairs of ``sets`` H refuses that the lookup without it lets through to the
    models, each with the two nouns; a summary (by set and label) beside ``out``."""
    if bad := sorted(FORBIDDEN & {set_label(s) for s in sets}):
        raise SystemExit(f"H is not run on decision or unseen sets before its rule: {bad}")
    hypernyms = Hypernyms.read(wordnet, depth=depth)
    vocabulary, synonyms = shared_verifier().vocabulary, shared_synonyms()
    short_forms = CacheConfig().short_forms
    pairs = load_sets(sets)
    started = time.process_time()
    fired = []
    for p in pairs:
        found = fires(p["a"], p["b"], hypernyms, synonyms, short_forms, vocabulary)
        if found is not None:
            fired.append({**p, "nouns": list(found)})
    spent = time.process_time() - started
    summary = write_fired(out, pairs, fired, spent)
    labels = Counter(p["label"] for p in pairs)
    summary |= {
        "depth": depth, "wordnet": str(wordnet),
        "paraphrases": {"read": labels[1], "fired": sum(p["label"] for p in fired)},
        "negatives": {"read": labels[0], "fired": sum(1 - p["label"] for p in fired)},
        "fired_by_set": dict(sorted(Counter(
            f"{p['set']} {'+' if p['label'] else '-'}" for p in fired).items())),
        "nouns_fired": dict(Counter(" / ".join(p["nouns"]) for p in fired).most_common()),
        "run": run_record()}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{len(pairs):,} pairs, H refuses {len(fired):,} more ({spent:.1f} s CPU): "
          f"paraphrases {summary['paraphrases']}, negatives {summary['negatives']}; "
          f"wrote {out}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the training pairs H refuses that the lookup passed on")
    f.add_argument("--sets", nargs="+", default=list(TRAIN),
                   help="default: data/cache_verifier/train*")
    f.add_argument("--wordnet", type=Path, required=True,
                   help="a WordNet database folder (data.noun, index.noun, noun.exc)")
    f.add_argument("--depth", type=int, default=DEPTH,
                   help=f"hypernym steps two nouns may meet within (default {DEPTH}: sisters)")
    f.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    fire(args.sets, args.wordnet, args.depth, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
