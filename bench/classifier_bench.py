"""Complexity classifier benchmark: every approach, cross-validated on the training
split and then scored once on the held-out split, with escalation and routing cost.

    .venv/bin/python bench/classifier_bench.py       # table on stdout, JSON to bench/results/

Per family (keyword heuristic, nearest centroid, logistic regression, kNN): the best
configuration by 5-fold CV on the training split, temperature-calibrated on its
out-of-fold predictions, escalation threshold chosen on those same predictions (the
rule ``llm-router train`` uses), refitted on the whole training split, then evaluated on
the held-out split, which nothing else reads. Routing cost per request is the cheapest
catalog model serving the routed tier, for 400 prompt + 250 completion tokens.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from llm_router.catalog import load_catalog
from llm_router.classifier.calibration import expected_calibration_error, fit_temperature
from llm_router.classifier.dataset import DEFAULT_DATA, load_examples, split
from llm_router.classifier.evaluate import escalated_predictions, evaluate
from llm_router.classifier.features import text_features
from llm_router.classifier.models import softmax
from llm_router.classifier.runtime import load_classifier
from llm_router.classifier.selection import (
    Data,
    best_per_family,
    candidates,
    fit,
    out_of_fold_scores,
    stratified_folds,
)
from llm_router.classifier.tiers import TIERS, tier_index
from llm_router.classifier.train import UNDER_ROUTING_TARGET, choose_min_confidence
from llm_router.embedding.minilm import MiniLMEmbedder

RESULTS = Path(__file__).resolve().parent / "results" / "classifier.json"
PROMPT_TOKENS, COMPLETION_TOKENS = 400, 250


def tier_costs() -> list[Decimal]:
    catalog = load_catalog()
    costs = []
    for tier in TIERS:
        prices = [
            (m.input_per_mtok * PROMPT_TOKENS + m.output_per_mtok * COMPLETION_TOKENS) / 10**6
            for m in catalog.models.values()
            if tier in m.tiers
        ]
        costs.append(min(prices))
    return costs


def routing_cost(routed: np.ndarray, costs: list[Decimal]) -> Decimal:
    return sum((costs[int(t)] for t in routed), Decimal(0))


def dataset(examples: list[Any], embedder: MiniLMEmbedder) -> Data:
    texts = [e.query for e in examples]
    labels = np.array([tier_index(e.label) for e in examples], dtype=np.int64)
    return Data(texts, embedder.embed(texts), text_features(texts), labels)


def main() -> int:
    examples = load_examples(DEFAULT_DATA)
    embedder = MiniLMEmbedder.load()
    train, heldout = (
        dataset(split(examples, "train"), embedder),
        dataset(split(examples, "heldout"), embedder),
    )
    costs = tier_costs()
    strongest = routing_cost(np.full(len(heldout.labels), 3), costs)
    baselines = {
        "always_strongest": strongest,
        "always_cheapest": routing_cost(np.zeros(len(heldout.labels)), costs),
        "oracle_labels": routing_cost(heldout.labels, costs),
    }
    folds = stratified_folds(train.labels, 5, 0)
    rows, oof = [], {}
    for candidate in candidates():
        scores = out_of_fold_scores(candidate, train, folds)
        pred = scores.argmax(axis=1)
        rows.append(
            (candidate, float(np.mean(pred == train.labels)), float(np.mean(pred < train.labels)))
        )
        oof[candidate.key] = scores
    approaches = {}
    for candidate in best_per_family(rows):
        scores = oof[candidate.key]
        temperature = fit_temperature(scores, train.labels)
        cv_probs = softmax(scores / np.float32(temperature))
        threshold = choose_min_confidence(cv_probs, train.labels, UNDER_ROUTING_TARGET)
        probs = softmax(fit(candidate, train).scores(heldout) / np.float32(temperature))
        routed = escalated_predictions(probs, threshold)
        approaches[candidate.family] = {
            "config": candidate.key,
            "cv": evaluate(train.labels, scores.argmax(axis=1)).to_dict(),
            "temperature": round(temperature, 4),
            "heldout": evaluate(heldout.labels, probs.argmax(axis=1)).to_dict(),
            "heldout_ece": round(expected_calibration_error(probs, heldout.labels), 4),
            "escalation": {
                "min_confidence": threshold,
                "escalated_share": float(np.mean(probs.max(axis=1) < threshold)),
                "after": evaluate(heldout.labels, routed).to_dict(),
                "cost_usd": str(routing_cost(routed, costs)),
                "cost_vs_always_strongest": float(routing_cost(routed, costs) / strongest),
                "cost_without_escalation_vs_always_strongest": float(
                    routing_cost(probs.argmax(axis=1), costs) / strongest
                ),
            },
        }
    shipped = load_classifier(embedder_id=embedder.model_id)
    shipped_probs = shipped.probabilities(heldout.texts, heldout.embeddings)
    result = {
        "command": "python bench/classifier_bench.py",
        "data": {"train": len(train.labels), "heldout": len(heldout.labels)},
        "tier_cost_usd_per_request": dict(zip(TIERS, map(str, costs), strict=True)),
        "baselines_cost_usd": {k: str(v) for k, v in baselines.items()},
        "approaches": approaches,
        "shipped_artefact": {
            "version": shipped.metadata["version"],
            "heldout_accuracy": evaluate(heldout.labels, shipped_probs.argmax(axis=1)).accuracy,
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{'approach':<22}{'cv acc':>8}{'ho acc':>8}{'ho under':>10}{'esc':>7}"
        f"{'under+esc':>11}{'cost/strongest':>16}"
    )
    for name, a in approaches.items():
        print(
            f"{name:<22}{a['cv']['accuracy']:>8.3f}{a['heldout']['accuracy']:>8.3f}"
            f"{a['heldout']['under_routing']:>10.3f}{a['escalation']['escalated_share']:>7.3f}"
            f"{a['escalation']['after']['under_routing']:>11.3f}"
            f"{a['escalation']['cost_vs_always_strongest']:>16.3f}"
        )
    print("baselines:", {k: float(v / strongest) for k, v in baselines.items()})
    print("shipped:", result["shipped_artefact"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
