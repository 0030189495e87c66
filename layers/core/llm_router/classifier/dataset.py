"""The labelled queries (``data/classifier/queries.jsonl``, built from ``raw/`` by
``data/classifier/build.py``) and their fingerprint. ``source`` names where a query
came from; ``split`` is decided per source, so held-out queries share no source with
training ones."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from llm_router.classifier.tiers import TIERS

DEFAULT_DATA = Path("data/classifier/queries.jsonl")
SPLITS = ("train", "heldout")


@dataclass(frozen=True)
class Example:
    id: str
    query: str
    label: str
    domain: str
    source: str  # provenance, see data/classifier/SOURCES.md
    split: str  # train | heldout, the same for every query of a source


def data_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_examples(path: Path) -> list[Example]:
    """Parse and validate every line; the error names the line, for a one-line CLI error."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            example = Example(**{k: str(row[k]) for k in Example.__dataclass_fields__})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled query ({exc})") from exc
        if example.label not in TIERS or example.split not in SPLITS:
            raise ValueError(f"{path}:{number}: bad label or source in {example.id}")
        examples.append(example)
    return examples


def split(examples: list[Example], name: str) -> list[Example]:
    return [e for e in examples if e.split == name]
