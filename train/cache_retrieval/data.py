"""The pairs a retrieval map is trained and measured on, each with its source and licence.

Trained on what S5 trained on (docs/cache-history.md "Session 25"): the writers' sets
heldout9-11 and 14-47 (``cross_continue.HELD_25``: every part, paraphrases and labelled
negatives) and a sample of Quora train pairs (``pairs.split_qqp``'s train components, the
Quora leak guard of ``cross_continue.quora_leak`` on: no pair of a component
bench/cache_pairs/heldout.jsonl draws from). Measured on heldout48-57 (``EVAL_SETS``: seen,
trained on by neither S5 nor a map): a training pair sharing a text with one of theirs
(``cross_continue._text``: case, spacing and punctuation aside) is dropped, so no measured
text was trained on. The reserved and unseen sets are never opened.

Those are the defaults (the shipped map's, ``full-mnr.npz``): ``train_pairs`` takes other
writers' sets to train on and to measure on (``sets_named``: ``"9-11,14-61"``), for a refit
with more writers (session 30's M3: heldout9-11 and 14-61, measured on heldout62-69 and
72-73). A set in ``pair_sets.RESERVED``, one at or past ``UNSEEN_FROM``, or one named both
to train on and to measure on is refused before any is read.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from train.cache_verifier.cross_continue import (
    HELD_25,
    PUBLIC_HELDOUT,
    _text,
    held_sets,
    quora_leak,
)
from train.cache_verifier.pairs import (
    QQP_ARCHIVE,
    REPO,
    file_sha256,
    load_qqp,
    read_jsonl,
    split_qqp,
)

TRAIN_SETS = held_sets(HELD_25)  # heldout9-11, 14-47: S5's writers' sets
EVAL_SETS = held_sets(tuple(range(48, 58)))  # heldout48-57
QUORA_PAIRS = 8000  # Quora train pairs drawn (duplicates and not, as the file has them)
QUORA_SEED = 27
WRITTEN = "written for this project (Apache-2.0); seen"
QUORA_LICENCE = "Quora Question Pairs: Quora's terms, non-commercial use"
# Writers' sets from here on are unseen (session 39's end: heldout110-111 scored and seen, the next
# writers start at heldout114), and pair_sets.RESERVED's sets (heldout102-103, 106-107 and 112-113,
# unread, passed to session 40's decisions: session 37's rules S11 and FC and session 39's rule D3
# stopped at step 1, session 38 wrote no rule; rule S10c read heldout98-99, rule S10w heldout94-95,
# rule S10 heldout86-87 and 90-91) are never read here.
UNSEEN_FROM = 112


def reserved() -> frozenset[str]:
    """``bench/pair_sets.py``'s RESERVED (the decision sets nothing here may read)."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from pair_sets import RESERVED

    return RESERVED


def sets_named(spec: str) -> dict[str, Path]:
    """heldout sets from numbers and ranges, ``"9-11,14-61"`` (in that order), each with
    its pairs' file; a reserved or unseen set is refused."""
    numbers: list[int] = []
    for part in spec.split(","):
        low, _, high = part.strip().partition("-")
        numbers += range(int(low), int(high or low) + 1)
    sets = held_sets(tuple(dict.fromkeys(numbers)))
    refused = [name for name in sets
               if name in reserved() or int(name.removeprefix("heldout")) >= UNSEEN_FROM]
    if refused:
        raise SystemExit(f"reserved or unseen sets may not be read here: {refused}")
    return sets


def eval_pairs(sets: dict[str, Path] | None = None) -> list[dict[str, Any]]:
    """The measured sets' pairs (default heldout48-57), each with its ``set``."""
    return [dict(p, set=name) for name, path in (sets or EVAL_SETS).items()
            for p in read_jsonl(path)]


def train_pairs(quora: int = QUORA_PAIRS, seed: int = QUORA_SEED,
                train_sets: dict[str, Path] | None = None,
                eval_sets: dict[str, Path] | None = None,
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The training pairs ({a, b, label, source, kind}) and a record of their sources
    (file, sha256, licence, pairs kept) and of what the guards dropped. ``train_sets`` and
    ``eval_sets`` (default ``TRAIN_SETS`` and ``EVAL_SETS``: the shipped map's) name the
    writers' sets trained on and the sets whose texts no training pair may share."""
    train_sets = TRAIN_SETS if train_sets is None else train_sets
    eval_sets = EVAL_SETS if eval_sets is None else eval_sets
    both = sorted(set(train_sets) & set(eval_sets))
    if both:
        raise SystemExit(f"sets named to train on and to measure on: {both}")
    measured = {_text(t) for p in eval_pairs(eval_sets) for t in (p["a"], p["b"])}
    rows: list[dict[str, Any]] = []
    for name, path in train_sets.items():
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
        for name, path in train_sets.items()}
    sources["qqp"] = {"file": QQP_ARCHIVE.name, "sha256": file_sha256(QQP_ARCHIVE),
                      "licence": QUORA_LICENCE, "split": "train components (split_qqp)",
                      "drawn": len(drawn), "seed": seed,
                      "pairs": sum(p["source"] == "qqp" for p in kept)}
    return kept, {"sources": sources, "measured_on": list(eval_sets),
                  "dropped_sharing_a_measured_text": len(rows) - len(kept),
                  "quora_components_checked": True}
