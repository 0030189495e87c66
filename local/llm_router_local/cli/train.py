"""``llm-router train``: rebuild the complexity classifier artefact from labelled data.

Cross-validates every candidate model on the training split, folds grouped by source
(the held-out split is never read), picks the most accurate, calibrates its confidence,
chooses the decision's default under-routing cost and writes ``classifier.npz`` +
``classifier.json`` (version, training-data sha256, embedder id, CV metrics,
temperature, under-routing cost) into the layer's data directory. Heavy: run it niced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from llm_router.classifier.dataset import DEFAULT_DATA, data_sha256, load_examples
from llm_router.classifier.runtime import DEFAULT_DIR
from llm_router.classifier.train import train, write_artefact
from llm_router.embedding.base import Embedder
from llm_router.embedding.memo import MemoEmbedder
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router_local.cli import CommandError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "train", help="train the complexity classifier artefact", description=__doc__
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"labelled JSON Lines (default {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR,
                        help="artefact directory (default: the layer's data/classifier/)")
    parser.add_argument("--folds", type=int, default=5,
                        help="cross-validation folds (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="fold assignment seed (default 0)")
    parser.add_argument(
        "--embedding-cache",
        type=Path,
        default=None,
        help="reuse query embeddings stored in this .npz between runs (dev speed-up; "
        "e.g. .cache/embeddings.npz)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        examples = load_examples(args.data)
    except OSError as exc:
        raise CommandError(f"cannot read {args.data}: {exc.strerror}") from exc
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.folds < 2:
        raise CommandError("--folds must be at least 2")

    def progress(message: str) -> None:
        print(f"train: {message}", file=sys.stderr, flush=True)

    embedder: Embedder = MiniLMEmbedder.load()
    if args.embedding_cache is not None:
        embedder = MemoEmbedder(embedder, args.embedding_cache)
    artefact = train(
        examples,
        embedder,
        data_sha256=data_sha256(args.data),
        folds=args.folds,
        seed=args.seed,
        progress=progress,
    )
    path = write_artefact(artefact, args.out)
    print(f"wrote {path} (version {artefact.metadata['version']})")
    return 0
