"""Complexity classifier benchmark: the shipped artefact and the baselines on the
held-out split (sources no model was trained, selected or calibrated on), overall and
per source, plus classification latency and cold load.

    nice -n 10 .venv/bin/python bench/classifier_bench.py  # stdout table; JSON in bench/results
    .venv/bin/python bench/classifier_bench.py --latency-only  # the speed table alone

Reports, for the shipped classifier and for each baseline refitted on the training split:
accuracy, per-tier precision and recall, the confusion matrix, under- and over-routing
of the top label and of the cost-aware decision the router uses, expected calibration
error, and routing cost (cheapest catalog model of the routed tier, 400 prompt + 250
completion tokens) against always sending to the strongest tier. Latency: the
classifier alone (features + model + decision, after the embedding) and embed +
classify, one query at a time as the router does, pinned to one core.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: one core, as Lambda
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from llm_router.catalog import load_catalog  # noqa: E402
from llm_router.classifier.calibration import (  # noqa: E402
    expected_calibration_error,
    fit_temperature,
)
from llm_router.classifier.dataset import DEFAULT_DATA, load_examples, split  # noqa: E402
from llm_router.classifier.decision import decide  # noqa: E402
from llm_router.classifier.evaluate import evaluate  # noqa: E402
from llm_router.classifier.models import softmax  # noqa: E402
from llm_router.classifier.runtime import ComplexityClassifier, load_classifier  # noqa: E402
from llm_router.classifier.selection import (  # noqa: E402
    HEURISTIC,
    Data,
    candidates,
    fit,
    group_folds,
    out_of_fold_scores,
)
from llm_router.classifier.tiers import TIERS  # noqa: E402
from llm_router.classifier.train import (  # noqa: E402
    decision_rows,
    labelled_data,
    scores_by_source,
)
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "classifier.json"
PROMPT_TOKENS, COMPLETION_TOKENS = 400, 250
BASELINES = (HEURISTIC, "nearest_centroid", "knn", "logistic_regression", "mlp_ensemble")


def tier_costs() -> list[Decimal]:
    catalog = load_catalog()
    return [
        min(
            (m.input_per_mtok * PROMPT_TOKENS + m.output_per_mtok * COMPLETION_TOKENS) / 10**6
            for m in catalog.models.values()
            if tier in m.tiers
        )
        for tier in TIERS
    ]


def scorecard(probs: np.ndarray, labels: np.ndarray, under_cost: float,
              costs: list[Decimal]) -> dict[str, Any]:
    routed = decide(probs, under_cost)
    strongest = costs[-1] * len(labels)
    return {
        "top_label": evaluate(labels, probs.argmax(axis=1)).to_dict(),
        "decision": evaluate(labels, routed).to_dict(),
        "routed_up_share": float(np.mean(routed > probs.argmax(axis=1))),
        "ece": expected_calibration_error(probs, labels),
        "cost_vs_always_strongest": float(sum(costs[int(t)] for t in routed) / strongest),
    }


def baselines(train: Data, decision_on: np.ndarray, heldout: Data, costs: list[Decimal]
              ) -> dict[str, Any]:
    """Each baseline: temperature and under-cost from its own out-of-fold scores on the
    ``decision_on`` rows (the rule ``llm-router train`` uses: folds that give each
    independent set its own), refitted on the training split, scored once."""
    from llm_router.classifier.train import DECISION_SOURCES, choose_under_cost

    folds = group_folds(train.groups, 5, 0, pinned=DECISION_SOURCES)
    out = {}
    for candidate in candidates():
        if candidate.family not in BASELINES:
            continue
        oof = out_of_fold_scores(candidate, train, folds)
        temperature = fit_temperature(oof[decision_on], train.labels[decision_on])
        calibrated = softmax(oof / np.float32(temperature))
        # Each independent set is one CV group: the groups are their writers.
        under_cost = choose_under_cost(calibrated[decision_on], train.labels[decision_on],
                                       np.asarray(train.groups)[decision_on].tolist())
        probs = softmax(fit(candidate, train).scores(heldout) / np.float32(temperature))
        out[candidate.family] = {
            "config": candidate.key,
            "cv_accuracy": float(np.mean(oof.argmax(axis=1) == train.labels)),
            "under_cost": under_cost,
            "heldout": scorecard(probs, heldout.labels, under_cost, costs),
        }
        print(f"baseline {candidate.key} done", file=sys.stderr, flush=True)
    return out


def percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {"p50": statistics.median(ms), "p95": pick(0.95), "p99": pick(0.99),
            "max": ms[-1]}


def latency(embedder: MiniLMEmbedder, classifier: ComplexityClassifier, under_cost: float,
            texts: list[str]) -> dict[str, Any]:
    """Wall-clock times, and the classifier's CPU time (thread time: what it costs
    when the machine is shared and the wall clock also counts other processes)."""
    classify_ms, classify_cpu_ms, total_ms = [], [], []
    for text in texts:
        started = time.perf_counter()
        embedding = embedder.embed_one(text)
        embedded, cpu = time.perf_counter(), time.thread_time()
        decide(np.asarray(classifier.classify(text, embedding).probabilities), under_cost)
        done = time.perf_counter()
        classify_cpu_ms.append((time.thread_time() - cpu) * 1000)
        classify_ms.append((done - embedded) * 1000)
        total_ms.append((done - started) * 1000)
    return {"queries": len(texts), "classify_after_embedding_ms": percentiles(classify_ms),
            "classify_after_embedding_cpu_ms": percentiles(classify_cpu_ms),
            "embed_and_classify_ms": percentiles(total_ms)}


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    examples = load_examples(DEFAULT_DATA)
    started = time.perf_counter()
    embedder = MiniLMEmbedder.load()
    loaded = time.perf_counter()
    shipped = load_classifier(embedder_id=embedder.model_id)
    cold_classifier_ms = (time.perf_counter() - loaded) * 1000
    train_rows, heldout_rows = split(examples, "train"), split(examples, "heldout")
    if "--latency-only" in sys.argv[1:]:
        # Minutes, not the half hour of refitting every baseline: the speed table alone.
        lat = latency(embedder, shipped, shipped.under_cost, [e.query for e in heldout_rows])
        lat["cold_load_ms"] = {"embedder": (loaded - started) * 1000,
                               "classifier": cold_classifier_ms}
        print(f"{shipped.metadata['version']}, {lat['queries']} held-out queries, one at a time")
        print_latency(lat)
        return 0
    print(f"embedding {len(train_rows)} training and {len(heldout_rows)} held-out queries",
          file=sys.stderr, flush=True)
    train, heldout = labelled_data(train_rows, embedder), labelled_data(heldout_rows, embedder)
    costs = tier_costs()
    probs = shipped.probabilities(heldout.texts, heldout.embeddings)
    result = {
        "command": "nice -n 10 .venv/bin/python bench/classifier_bench.py",
        "data": {"train": len(train_rows), "heldout": len(heldout_rows),
                 "heldout_sources": sorted({e.source for e in heldout_rows})},
        "tier_cost_usd_per_request": dict(zip(TIERS, map(str, costs), strict=True)),
        "oracle_cost_vs_always_strongest": float(
            sum(costs[int(t)] for t in heldout.labels) / (costs[-1] * len(heldout.labels))
        ),
        "shipped": {
            "version": shipped.metadata["version"],
            "model": shipped.metadata["model"],
            "under_cost": shipped.under_cost,
            "cv": shipped.metadata["cv"]["best_per_family"].get(shipped.metadata["model"]),
            "heldout": scorecard(probs, heldout.labels, shipped.under_cost, costs),
            "heldout_by_under_cost": {
                str(c): evaluate(heldout.labels, decide(probs, c)).to_dict()
                for c in (1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
            },
            # Validation by source, from training: each training source scored
            # out-of-fold by models that never saw it (independent-v1 is the seen first
            # independent set; the decision's default u is chosen on it).
            "validation_by_source": shipped.metadata["cv"].get("by_source", {}),
            "validation_decision_by_under_cost": shipped.metadata["cv"].get(
                "decision_by_under_cost_on_decision_sources", {}),
            "per_source": scores_by_source(heldout_rows, probs, heldout.labels, shipped.under_cost),
        },
        "latency": latency(embedder, shipped, shipped.under_cost, heldout.texts) | {
            "cold_load_ms": {"embedder": (loaded - started) * 1000,
                             "classifier": cold_classifier_ms},
        },
        "baselines": baselines(train, decision_rows(train_rows), heldout, costs),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_summary(result)
    return 0


def print_summary(result: dict[str, Any]) -> None:
    rows = {f"shipped ({result['shipped']['model']})": result["shipped"]["heldout"]}
    rows |= {name: b["heldout"] for name, b in result["baselines"].items()}
    print(f"{'held-out':<28}{'acc':>7}{'under':>7}{'over':>7}{'ECE':>7}"
          f"{'dec acc':>9}{'dec under':>10}{'up':>6}{'cost':>7}")
    for name, r in rows.items():
        print(f"{name:<28}{r['top_label']['accuracy']:>7.3f}{r['top_label']['under_routing']:>7.3f}"
              f"{r['top_label']['over_routing']:>7.3f}{r['ece']:>7.3f}"
              f"{r['decision']['accuracy']:>9.3f}{r['decision']['under_routing']:>10.3f}"
              f"{r['routed_up_share']:>6.2f}{r['cost_vs_always_strongest']:>7.2f}")
    print("confusion (rows = label, columns = decision):", TIERS)
    for tier, row in zip(TIERS, result["shipped"]["heldout"]["decision"]["confusion"],
                         strict=True):
        print(f"  {tier:<10}", *(f"{v:>4}" for v in row))
    for source, s in result["shipped"]["per_source"].items():
        print(f"  {source:<24} n={s['n']:<4} acc {s['accuracy']:.3f} under "
              f"{s['under_routing']:.3f} | decision acc {s['decision_accuracy']:.3f} "
              f"under {s['decision_under_routing']:.3f}")
    print("validation (out-of-fold, by training source): acc, under | decision acc, under")
    for source, s in result["shipped"]["validation_by_source"].items():
        print(f"  {source:<24} n={s['n']:<4} {s['accuracy']:.3f} {s['under_routing']:.3f} | "
              f"{s['decision_accuracy']:.3f} {s['decision_under_routing']:.3f}")
    print_latency(result["latency"])


def print_latency(lat: dict[str, Any]) -> None:
    print("classify after embedding ms:", {k: round(v, 3) for k, v in
                                           lat["classify_after_embedding_ms"].items()})
    print("  its CPU time ms:", {k: round(v, 3) for k, v in
                                 lat["classify_after_embedding_cpu_ms"].items()})
    print("embed + classify ms:", {k: round(v, 1) for k, v in
                                   lat["embed_and_classify_ms"].items()})
    print("cold load ms:", {k: round(v, 1) for k, v in lat["cold_load_ms"].items()})


if __name__ == "__main__":
    raise SystemExit(main())
