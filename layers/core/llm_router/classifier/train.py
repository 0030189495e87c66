"""Train the shipped classifier: cross-validate every candidate on the training split
(folds grouped by source), pick the most accurate, calibrate its confidence on the
out-of-fold predictions, choose the decision's default under-routing cost, refit on the
whole training split and write the artefact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.classifier.calibration import expected_calibration_error, fit_temperature
from llm_router.classifier.dataset import Example, split
from llm_router.classifier.decision import decide
from llm_router.classifier.evaluate import evaluate
from llm_router.classifier.features import FEATURE_NAMES, text_features
from llm_router.classifier.models import softmax
from llm_router.classifier.runtime import ARRAYS, METADATA
from llm_router.classifier.selection import (
    HEURISTIC,
    Candidate,
    Data,
    best_per_family,
    candidates,
    fit,
    group_folds,
    out_of_fold_scores,
)
from llm_router.classifier.tiers import TIERS, tier_index
from llm_router.embedding.artefact import npz_bytes
from llm_router.embedding.base import Embedder

FORMAT_VERSION = 2
# The under-routing budget a new writer's queries must meet. Until session 14 the rule was
# "at most 1.5 % pooled"; pooled over writers it met the budget while two new writers
# (heldout18-19) were under-routed 3.4 %, so the rule now also holds the budget on the
# worst quartile of writers (``choose_under_cost``; docs/classifier.md, "Session 14").
UNDER_ROUTING_BUDGET = 0.03
UNDER_COST_GRID = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0, 12.0)
# Sources written by another hand from the rubric alone, each by a different writer: the
# closest thing to the traffic the router meets. Cross-validation keeps each whole in one
# fold (``cv_groups``), spread over the folds by ``group_folds`` in turn: with
# ninety-five sets and five folds, fold k holds v(k+1), v(k+6), ..., v(k+91) (every fifth
# set: nineteen sets a fold; v82 .. v95 joined in session 35). Since session 31 v62 and v63
# are sources too (heldout62-63, rule M2b's decision sets in session 28, whose classifier
# queries no decision read), so every set keeps its writer's number.
# Their out-of-fold rows are scored by a model that never saw that writer (nor the other
# sets in its fold). The calibration and the decision's operating point are fitted on
# those rows only.
DECISION_SOURCES = tuple(f"independent-v{n}" for n in range(1, 96))
GROUP_ROWS = 300  # a source larger than this is split into several CV groups
F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Artefact:
    metadata: dict[str, Any]
    arrays: dict[str, npt.NDArray[np.generic]]


def cv_groups(rows: list[Example], folds: int) -> list[str]:
    """A row's CV group is its source; a large source other than the independent sets
    is cut into parts of about ``GROUP_ROWS`` rows (by a hash of the id, so the cut is
    stable). With fewer parts than folds (a small test file), rows are grouped by that
    hash alone."""
    sizes: dict[str, int] = {}
    for e in rows:
        sizes[e.source] = sizes.get(e.source, 0) + 1
    parts = {source: 1 if source in DECISION_SOURCES else max(1, round(size / GROUP_ROWS))
             for source, size in sizes.items()}
    if sum(parts.values()) < folds:
        return [str(_stable_hash(e.id) % folds) for e in rows]
    return [
        f"{e.source}/{_stable_hash(e.id) % parts[e.source]}" if parts[e.source] > 1 else e.source
        for e in rows
    ]


def _stable_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def labelled_data(rows: list[Example], embedder: Embedder, folds: int = 5) -> Data:
    texts = [e.query for e in rows]
    labels = np.array([tier_index(e.label) for e in rows], dtype=np.int64)
    return Data(texts, embedder.embed(texts), text_features(texts), labels,
                cv_groups(rows, folds))


def under_routing_of_writers(routed: Labels, labels: Labels, writers: Sequence[str]
                             ) -> tuple[float, float]:
    """Under-routing pooled over every row, and pooled over the rows of the worst quartile
    of writers (the quarter of them, rounded up, that are under-routed most)."""
    under = routed < labels
    names = np.asarray(writers)
    rates = sorted(((float(np.mean(under[names == w])), w) for w in set(names.tolist())),
                   reverse=True)
    worst = [w for _, w in rates[:-(-len(rates) // 4)]]
    return float(np.mean(under)), float(np.mean(under[np.isin(names, worst)]))


def choose_under_cost(probs: F32, labels: Labels, writers: Sequence[str],
                      budget: float = UNDER_ROUTING_BUDGET) -> float:
    """The lowest cost whose decisions under-route at most ``budget`` of the rows pooled
    and of the worst quartile of writers' rows pooled; the largest cost of the grid when
    none does. Lowest, because every step up over-routes more of the queries it did not
    need to move."""
    for cost in UNDER_COST_GRID:
        if max(under_routing_of_writers(decide(probs, cost), labels, writers)) <= budget:
            return cost
    return UNDER_COST_GRID[-1]


def decision_rows(rows: list[Example]) -> npt.NDArray[np.bool_]:
    """The rows the operating point is chosen on: ``DECISION_SOURCES``, or every row
    when the data has none of them (a small test file)."""
    mask = np.array([e.source in DECISION_SOURCES for e in rows], dtype=bool)
    return mask if mask.any() else np.ones(len(rows), dtype=bool)


def cv_summary(candidate: Candidate, scores: F32, labels: Labels,
               calibrate_on: npt.NDArray[np.bool_]) -> dict[str, Any]:
    """Out-of-fold scores of every row; the temperature is fitted on the
    ``calibrate_on`` rows (the independent sets), and the accuracy on them is reported
    beside the accuracy over every row."""
    temperature = fit_temperature(scores[calibrate_on], labels[calibrate_on])
    probs = softmax(scores / np.float32(temperature))
    report = evaluate(labels, scores.argmax(axis=1))
    on = evaluate(labels[calibrate_on], scores[calibrate_on].argmax(axis=1))
    return {
        "config": candidate.key,
        "temperature": temperature,
        "ece_calibrated": expected_calibration_error(probs[calibrate_on],
                                                     labels[calibrate_on]),
        "accuracy_on_decision_sources": on.accuracy,
        "under_routing_on_decision_sources": on.under_routing,
        **report.to_dict(),
    }


def decision_curve(probs: F32, labels: Labels, writers: Sequence[str] | None = None
                   ) -> dict[str, dict[str, float]]:
    """Out-of-fold accuracy and under/over-routing of the decision at each cost; given
    the rows' writers, also the under-routing of the worst quartile of them."""
    curve = {}
    for cost in UNDER_COST_GRID:
        routed = decide(probs, cost)
        report = evaluate(labels, routed)
        curve[str(cost)] = {
            "accuracy": report.accuracy,
            "under_routing": report.under_routing,
            "over_routing": report.over_routing,
        }
        if writers is not None:
            curve[str(cost)]["under_routing_worst_quartile"] = under_routing_of_writers(
                routed, labels, writers)[1]
    return curve


def scores_by_source(rows: Sequence[Example], probs: F32, labels: Labels, under_cost: float
                     ) -> dict[str, dict[str, Any]]:
    """Most likely tier and routed decision, per source. Given out-of-fold
    probabilities, this is validation by source (each row scored by models that never
    saw its source); the benchmark gives it the held-out split's."""
    sources = np.array([e.source for e in rows])
    out = {}
    for source in sorted(set(sources.tolist())):
        mask = sources == source
        top = evaluate(labels[mask], probs[mask].argmax(axis=1))
        routed = evaluate(labels[mask], decide(probs[mask], under_cost))
        out[source] = {
            "n": top.n,
            "accuracy": top.accuracy,
            "under_routing": top.under_routing,
            "decision_accuracy": routed.accuracy,
            "decision_under_routing": routed.under_routing,
            "recall": top.recall,
        }
    return out


def train(
    examples: list[Example],
    embedder: Embedder,
    *,
    data_sha256: str,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] = lambda _: None,
) -> Artefact:
    rows = split(examples, "train")
    progress(f"embedding {len(rows)} training queries")
    data = labelled_data(rows, embedder, folds)
    fold_of = group_folds(data.groups, folds, seed, pinned=DECISION_SOURCES)
    chosen_on = decision_rows(rows)
    results, oof = [], {}
    for candidate in candidates():
        scores = out_of_fold_scores(candidate, data, fold_of)
        # Ranked on the independent sets' rows: each scored by a model without its writer.
        top, truth = scores[chosen_on].argmax(axis=1), data.labels[chosen_on]
        accuracy = float(np.mean(top == truth))
        under = float(np.mean(top < truth))
        results.append((candidate, accuracy, under))
        oof[candidate.key] = scores
        progress(f"cv {candidate.key}: accuracy {accuracy:.3f} under-routing {under:.3f} "
                 "on the independent sets")
    finalists = best_per_family(results)
    chosen = max(
        (c for c in finalists if c.family != HEURISTIC),
        key=lambda c: next((a, -u) for k, a, u in results if k == c),
    )
    summaries = {c.family: cv_summary(c, oof[c.key], data.labels, chosen_on)
                 for c in finalists}
    temperature = summaries[chosen.family]["temperature"]
    calibrated = softmax(oof[chosen.key] / np.float32(temperature))
    writers = np.array([e.source for e in rows])[chosen_on].tolist()
    under_cost = choose_under_cost(calibrated[chosen_on], data.labels[chosen_on], writers)
    progress(
        f"chosen {chosen.key}, temperature {temperature:.3f}, "
        f"under-routing cost {under_cost:g}x over-routing"
    )
    progress(f"refitting on all {len(rows)} training queries")
    fitted = fit(chosen, data)
    assert fitted.model is not None
    arrays = dict(fitted.model.params()) | {
        "feature_mean": fitted.feature_mean,
        "feature_scale": fitted.feature_scale,
    }
    metadata = {
        "format_version": FORMAT_VERSION,
        "version": f"{FORMAT_VERSION}.{data_sha256[:8]}.{chosen.family}",
        "labels": list(TIERS),
        "model": chosen.family,
        "hyperparameters": chosen.hyper,
        "embedder": embedder.model_id,
        "features": {
            "names": list(FEATURE_NAMES),
            "weight": chosen.feature_weight,
            "lexical_dim": int(chosen.hyper.get("lexical_dim", 0)),
        },
        "temperature": temperature,
        "recommended_under_routing_cost": under_cost,
        "training_data": {
            "path": "data/classifier/queries.jsonl",
            "sha256": data_sha256,
            "train_rows": len(data.labels),
            "sources": sorted({e.source for e in rows}),
            "folds": folds,
            "fold_groups": "source",
            "seed": seed,
        },
        "cv": {
            "best_per_family": summaries,
            "all": {c.key: a for c, a, _ in results},
            "decision_by_under_cost": decision_curve(calibrated, data.labels),
            "decision_sources": sorted(set(writers)),
            "decision_by_under_cost_on_decision_sources": decision_curve(
                calibrated[chosen_on], data.labels[chosen_on], writers),
            "by_source": scores_by_source(rows, calibrated, data.labels, under_cost),
        },
    }
    return Artefact(metadata, arrays)


def write_artefact(artefact: Artefact, out: Path) -> Path:
    raw = npz_bytes(artefact.arrays)
    metadata = artefact.metadata | {"files": {ARRAYS: hashlib.sha256(raw).hexdigest()}}
    out.mkdir(parents=True, exist_ok=True)
    (out / ARRAYS).write_bytes(raw)
    (out / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return out / METADATA
