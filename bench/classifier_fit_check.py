"""One quick fit of the shipped model family on the training split, scored on a labelled
set it never saw: does a change of training data generalise? (No cross-validation, no
calibration fit: minutes, not the quarter hour `llm-router train` takes.)

    .venv/bin/python bench/classifier_fit_check.py [--data data/heldout2]
        [--without SOURCE,...] [--also DIR ...] [--temperature T]

``--without`` drops training sources; ``--also`` trains on a labelled set too (e.g.
``data/self-instruct``: what would training on it do?). Sets are folders in the format of
``data/heldout2/`` (``classifier_queries.jsonl``: ``text``, ``tier``, ``traffic``).
Embeddings are memoised in ``.cache/embeddings.npz``. Prints accuracy and under-routing
of the most likely tier, overall and per traffic kind, and of the decision at several
under-routing costs (probabilities at the given temperature; the shipped artefact's when
not given).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from llm_router.classifier.dataset import DEFAULT_DATA, load_examples
from llm_router.classifier.decision import decide
from llm_router.classifier.features import text_features
from llm_router.classifier.models import softmax
from llm_router.classifier.runtime import DEFAULT_DIR, METADATA
from llm_router.classifier.selection import Data, candidates, fit
from llm_router.classifier.tiers import TIERS
from llm_router.embedding.memo import MemoEmbedder
from llm_router.embedding.minilm import MiniLMEmbedder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = json.loads((DEFAULT_DIR / METADATA).read_text())


def _names(text: str) -> set[str]:
    return {name for name in text.split(",") if name}


def _labelled(folder: Path) -> list[dict[str, str]]:
    return read_jsonl(folder / "classifier_queries.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "heldout2")
    parser.add_argument("--without", type=_names, default=set())
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="a labelled set to train on as well (repeatable)")
    parser.add_argument("--temperature", type=float, default=SHIPPED["temperature"])
    args = parser.parse_args()
    rows = [(e.query, e.label, e.source) for e in load_examples(ROOT / DEFAULT_DATA)
            if e.split == "train" and e.source not in args.without]
    for folder in args.also:
        rows += [(r["text"], r["tier"], str(folder)) for r in _labelled(folder)]
    scored = _labelled(args.data)
    embedder = MemoEmbedder(MiniLMEmbedder.load(), ROOT / ".cache" / "embeddings.npz")
    texts, other = [text for text, _, _ in rows], [r["text"] for r in scored]
    labels = np.array([TIERS.index(label) for _, label, _ in rows])
    truth = np.array([TIERS.index(r["tier"]) for r in scored])
    family = SHIPPED["model"]
    candidate = next(c for c in candidates() if c.family == family)
    print(f"fitting {candidate.key} on {len(rows)} queries", flush=True)
    fitted = fit(candidate, Data(texts, embedder.embed(texts), text_features(texts), labels,
                                 [source for _, _, source in rows]))
    scores = fitted.scores(Data(other, embedder.embed(other), text_features(other), truth,
                                ["scored"] * len(other)))
    probs = softmax(scores / np.float32(args.temperature))
    kinds = np.array([r.get("traffic", "all") for r in scored])

    def line(name: str, pred: np.ndarray) -> str:
        parts = [f"{name:<12}"]
        for kind in ["all", *sorted(set(kinds.tolist()) - {"all"})]:
            m = np.ones(len(pred), bool) if kind == "all" else kinds == kind
            parts.append(f"{kind} {np.mean(pred[m] == truth[m]):.3f} / "
                         f"{np.mean(pred[m] < truth[m]):.3f} under")
        return "  ".join(parts)

    print(f"scored {len(scored)} queries of {args.data}")
    print(line("most likely", probs.argmax(axis=1)))
    for cost in (1.0, 1.5, 2.0, 3.0):
        print(line(f"u = {cost:g}", decide(probs, cost)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
