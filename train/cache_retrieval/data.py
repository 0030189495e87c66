"""The pairs a retrieval map is trained and measured on, each with its source and licence.

Trained on what S5 trained on (docs/cache-history.md "Session 25"): the writers' sets
heldout9-11 and 14-47 (``cross_continue.HELD_25``: every part, paraphrases and labelled
negatives) and a sample of Quora train pairs (``pairs.split_qqp``'s train components, the
Quora leak guard of ``cross_continue.quora_leak`` on: no pair of a component
bench/cache_pairs/heldout.jsonl draws from). Measured on heldout48-57 (``EVAL_SETS``: seen,
trained on by neither S5 nor a map): a training pair sharing a text with one of theirs
(``cross_continue._text``: case, spacing and punctuation aside) is dropped, so no measured
text was trained on. The reserved and unseen sets are never opened.
"""

from __future__ import annotations

import random
from typing import Any

from train.cache_verifier.cross_continue import (
    HELD_25,
    PUBLIC_HELDOUT,
    _text,
    held_sets,
    quora_leak,
)
from train.cache_verifier.pairs import QQP_ARCHIVE, file_sha256, load_qqp, read_jsonl, split_qqp

TRAIN_SETS = held_sets(HELD_25)  # heldout9-11, 14-47: S5's writers' sets
EVAL_SETS = held_sets(tuple(range(48, 58)))  # heldout48-57
QUORA_PAIRS = 8000  # Quora train pairs drawn (duplicates and not, as the file has them)
QUORA_SEED = 27
WRITTEN = "written for this project (Apache-2.0); seen"
QUORA_LICENCE = "Quora Question Pairs: Quora's terms, non-commercial use"


def eval_pairs() -> list[dict[str, Any]]:
    """heldout48-57's pairs, each with its ``set``."""
    return [dict(p, set=name) for name, path in EVAL_SETS.items() for p in read_jsonl(path)]


def train_pairs(quora: int = QUORA_PAIRS, seed: int = QUORA_SEED
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The training pairs ({a, b, label, source, kind}) and a record of their sources
    (file, sha256, licence, pairs kept) and of what the guards dropped."""
    measured = {_text(t) for p in eval_pairs() for t in (p["a"], p["b"])}
    rows: list[dict[str, Any]] = []
    for name, path in TRAIN_SETS.items():
        rows += [{"a": p["a"], "b": p["b"], "label": int(p["label"]), "source": name,
                  "kind": p["kind"]} for p in read_jsonl(path)]
    split = split_qqp(load_qqp())["train"]
    drawn = random.Random(seed).sample(split, min(quora, len(split)))
    rows += [{"a": a, "b": b, "label": label, "source": "qqp",
              "kind": "paraphrase" if label else "public_negative"} for a, b, label in drawn]
    kept = [p for p in rows if _text(p["a"]) not in measured and _text(p["b"]) not in measured]
    leaks = quora_leak(kept, read_jsonl(PUBLIC_HELDOUT))
    if leaks:
        raise SystemExit(f"{leaks} Quora pairs of bench/cache_pairs/heldout.jsonl's "
                         "components would be trained on")
    sources: dict[str, Any] = {
        name: {"file": str(path.relative_to(path.parents[2])), "sha256": file_sha256(path),
               "licence": WRITTEN, "pairs": sum(p["source"] == name for p in kept)}
        for name, path in TRAIN_SETS.items()}
    sources["qqp"] = {"file": QQP_ARCHIVE.name, "sha256": file_sha256(QQP_ARCHIVE),
                      "licence": QUORA_LICENCE, "split": "train components (split_qqp)",
                      "drawn": len(drawn), "seed": seed,
                      "pairs": sum(p["source"] == "qqp" for p in kept)}
    return kept, {"sources": sources, "measured_on": list(EVAL_SETS),
                  "dropped_sharing_a_measured_text": len(rows) - len(kept),
                  "quora_components_checked": True}
