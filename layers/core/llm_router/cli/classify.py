"""``llm-router classify``: the complexity tier of each query, offline.

In, one JSON object per line: ``{"query": str}``. Out, per line and in the same order:
``{"label": "simple|moderate|complex|reasoning", "confidence": float}`` -- the
calibrated probability of that label. Uses the local embedder and the classifier
artefact shipped in the core layer; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from llm_router.classifier.runtime import ComplexityClassifier, load_classifier
from llm_router.cli import CommandError
from llm_router.embedding.minilm import MiniLMEmbedder


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "classify",
        help="classify query complexity (JSON Lines in, JSON Lines out)",
        description=__doc__,
    )
    parser.add_argument("--model-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    embedder = MiniLMEmbedder.load()
    classifier = load_classifier(args.model_dir, embedder_id=embedder.model_id)
    return classify_lines(embedder, classifier, sys.stdin, sys.stdout)


def classify_lines(
    embedder: MiniLMEmbedder, classifier: ComplexityClassifier, lines: TextIO, out: TextIO
) -> int:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        query = parse_query(line, number)
        result = classifier.classify(query, embedder.embed_one(query))
        out.write(json.dumps({"label": result.label, "confidence": round(result.confidence, 4)}))
        out.write("\n")
        out.flush()
    return 0


def parse_query(line: str, number: int) -> str:
    try:
        body = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"line {number}: not JSON: {exc.msg}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise CommandError(f'line {number}: expected an object with a string "query"')
    return str(body["query"])
