"""``llm-router classify``: the complexity tier of each query, offline.

In, one JSON object per line: ``{"query": str}``. Out, per line and in the same order:
``{"label": "simple|moderate|complex|reasoning", "confidence": float}``: the most likely
tier and its calibrated probability. With ``--routed``, ``label`` is instead the tier
``model: auto`` sends the query to -- the one with the lowest expected error cost, up
from the most likely one when the classifier is unsure (``--under-cost`` sets the price
of under-routing; default: the artefact's, as the router uses) -- and ``confidence`` its
calibrated probability. Uses the local embedder and
the classifier artefact shipped in the core layer; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from llm_router.classifier.runtime import ComplexityClassifier, load_classifier, route
from llm_router.classifier.tiers import TIERS
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router_local.cli import CommandError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "classify",
        help="classify query complexity (JSON Lines in, JSON Lines out)",
        description=__doc__,
    )
    parser.add_argument("--model-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--routed", action="store_true", help="print the tier the router sends the query to"
    )
    parser.add_argument(
        "--under-cost",
        type=float,
        default=None,
        help="with --routed: cost of one tier of under-routing in units of one tier of "
        "over-routing (default: the classifier artefact's recommendation)",
    )
    parser.add_argument(
        "--no-two-asks",
        action="store_true",
        help="with --routed: leave out the two-asks override (routing.two_asks_override: "
        "false)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.under_cost is not None and not 0 < args.under_cost <= 100:
        raise CommandError("--under-cost must be in (0, 100]")
    embedder = MiniLMEmbedder.load()
    classifier = load_classifier(args.model_dir, embedder_id=embedder.model_id)
    under_cost = (args.under_cost or classifier.under_cost) if args.routed else None
    return classify_lines(embedder, classifier, sys.stdin, sys.stdout, under_cost,
                          two_asks=not args.no_two_asks)


def classify_lines(
    embedder: MiniLMEmbedder,
    classifier: ComplexityClassifier,
    lines: TextIO,
    out: TextIO,
    under_cost: float | None = None,
    *,
    two_asks: bool = True,
) -> int:
    """``under_cost`` None prints the most likely tier; else the routed one (with the
    two-asks override unless ``two_asks`` is false, as the router routes)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        query = parse_query(line, number)
        result = classifier.classify(query, embedder.embed_one(query))
        label = result.label if under_cost is None else route(
            result, under_cost, query if two_asks else None)
        confidence = result.probabilities[TIERS.index(label)]
        out.write(json.dumps({"label": label, "confidence": round(confidence, 4)}))
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
