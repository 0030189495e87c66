"""Leave one writer out: the estimate of the classifier on a new writer.

Every independent set training reads (``data/heldout`` .. ``data/heldout95``, training
sources ``independent-v1`` .. ``-v95``; ``DECISION_SOURCES``) was written by another hand
from the rubric alone. For each set N a model is fitted on every training row except
``independent-vN`` and scores the whole of ``data/heldoutN`` (its file as written,
duplicates of other sources included). The report applies training's rule for the
decision's under-routing cost (``choose_under_cost``: the lowest cost that holds the 3 %
budget pooled and on the worst quartile of writers) to every set's left-out scores, and,
for the estimate a new writer sees, routes each set with the temperature and cost the
rule chooses on the other sets only.

Caveat: some own batches were written after reading a set's
errors (own-outsider-style* after heldout, the last rows of own-general-varied after
heldout2, own-boundary-* after heldout4), so those sets' numbers flatter the model.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier_loio.py            # shipped config
    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier_loio.py --config lexical_weight=0.5
    .venv/bin/python bench/classifier_loio.py --report [--json FILE]       # every run so far
    .venv/bin/python bench/classifier_loio.py --report --lexical-weight 0.5  # blend reweighted

Scores are kept under ``--work`` (default /tmp/llm-router-loio) after every set, so a
stopped run resumes and configurations can be compared without refitting; query
embeddings are cached there too. One fit is about a minute of CPU (12,000 rows).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from llm_router.classifier.calibration import F32, Labels, fit_temperature, fit_vector_scaling
from llm_router.classifier.dataset import DEFAULT_DATA, load_examples, split
from llm_router.classifier.decision import decide
from llm_router.classifier.features import text_features
from llm_router.classifier.models import LexicalBlend, softmax
from llm_router.classifier.selection import Candidate, Data, fit, shipped_candidate
from llm_router.classifier.tiers import TIERS, tier_index
from llm_router.classifier.train import (
    DECISION_SOURCES,
    UNDER_COST_GRID,
    UNDER_ROUTING_BUDGET,
    choose_under_cost,
    under_routing_of_writers,
)
from llm_router.embedding.memo import MemoEmbedder
from llm_router.embedding.minilm import MiniLMEmbedder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Every independent set training reads (independent-vN is data/heldoutN, heldout for N = 1).
SETS = {n: ROOT / "data" / ("heldout" if n == 1 else f"heldout{n}")
        for n in (int(s.removeprefix("independent-v")) for s in DECISION_SOURCES)}


def source_of(n: int) -> str:
    return f"independent-v{n}"


def read_set(n: int) -> tuple[list[str], np.ndarray]:
    rows = read_jsonl(SETS[n] / "classifier_queries.jsonl")
    return [r["text"] for r in rows], np.array([tier_index(r["tier"]) for r in rows])


def parse_config(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key] = json.loads(value)
    return out


def candidate_for(overrides: dict[str, Any]) -> Candidate:
    base = shipped_candidate()
    hyper = dict(base.hyper)
    weight = base.feature_weight
    for key, value in overrides.items():
        if key == "features":
            weight = float(value)
        elif key != "family":
            hyper[key] = value
    return Candidate(overrides.get("family", base.family), hyper, weight)


def run(args: argparse.Namespace) -> None:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    embedder = MemoEmbedder(MiniLMEmbedder.load(), work / "embeddings.npz")
    rows = split(load_examples(args.data), "train")
    texts = [e.query for e in rows]
    labels = np.array([tier_index(e.label) for e in rows], dtype=np.int64)
    sources = np.array([e.source for e in rows])
    every_set = {n: read_set(n) for n in args.sets or SETS}
    t0 = time.monotonic()
    embeddings = embedder.embed(texts)
    set_vectors = {n: embedder.embed(t) for n, (t, _) in every_set.items()}
    print(f"embedded in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    features = text_features(texts)
    data = Data(texts, embeddings, features, labels, [str(s) for s in sources])
    overrides = parse_config(args.config)
    candidate = candidate_for(overrides)
    name = args.name or (",".join(args.config) or "shipped")
    if args.drop:
        name += " drop=" + ",".join(args.drop)
    if args.repeat_independent > 1:
        name += f" independent x{args.repeat_independent}"
    path = work / f"loio-{hashlib.sha256(name.encode()).hexdigest()[:8]}.json"
    # Kept after every set, so a run that is stopped resumes where it was.
    out: dict[str, Any] = (json.loads(path.read_text()) if path.exists() else
                           {"name": name, "candidate": candidate.key, "sets": {}})
    for n, (set_texts, set_labels) in every_set.items():
        if str(n) in out["sets"]:
            continue
        started = time.process_time()
        keep = np.flatnonzero((sources != source_of(n)) & ~np.isin(sources, args.drop))
        if args.repeat_independent > 1:
            extra = keep[np.char.startswith(sources[keep].astype(str), "independent-")]
            keep = np.concatenate([keep] + [extra] * (args.repeat_independent - 1))
        fitted = fit(candidate, data.take(keep))
        held = Data(set_texts, set_vectors[n], text_features(set_texts), set_labels,
                    ["x"] * len(set_texts))
        scores = fitted.scores(held)
        out["sets"][str(n)] = {"scores": scores.tolist(), "labels": set_labels.tolist()}
        if isinstance(fitted.model, LexicalBlend):  # kept for --lexical-weight
            mlp, lexical = fitted.model.parts(fitted.design(held))
            out["sets"][str(n)]["parts"] = [mlp.tolist(), lexical.tolist()]
        path.write_text(json.dumps(out))
        top = scores.argmax(axis=1)
        print(f"{name} heldout{n}: most likely {np.mean(top == set_labels):.3f} "
              f"under {np.mean(top < set_labels):.3f} "
              f"(fit on {len(keep)} rows, {time.process_time() - started:.0f} s CPU)",
              file=sys.stderr, flush=True)
    print(summary(out)[0])


def routed(scores: np.ndarray, labels: np.ndarray, temperature: float, cost: float,
           bias: np.ndarray | None = None) -> tuple[float, float]:
    z = scores / np.float32(temperature) + (0 if bias is None else bias)
    decided = decide(softmax(z.astype(np.float32)), cost)
    return float(np.mean(decided == labels)), float(np.mean(decided < labels))


Sets = dict[int, tuple[F32, Labels]]  # each set's left-out scores and labels


def pooled(sets: Sets, which: list[int]) -> tuple[F32, Labels, list[str]]:
    """The scores, labels and writer of every row of the ``which`` sets, stacked."""
    return (np.vstack([sets[n][0] for n in which]),
            np.concatenate([sets[n][1] for n in which]),
            [str(n) for n in which for _ in sets[n][1]])


def rule(sets: Sets, budget: float) -> dict[str, Any]:
    """Training's rule on the left-out scores of every set: one temperature fitted on
    them pooled, then at each cost of the grid the accuracy and under-routing pooled,
    of the worst quartile of writers, and of each set; ``chosen`` is the rule's cost."""
    scores, labels, writers = pooled(sets, sorted(sets))
    temperature = fit_temperature(scores, labels)
    probs = softmax(scores / np.float32(temperature))
    by_cost = {}
    for cost in UNDER_COST_GRID:
        decided = decide(probs, cost)
        under, worst = under_routing_of_writers(decided, labels, writers)
        by_cost[f"{cost:g}"] = {
            "accuracy": float(np.mean(decided == labels)), "under_routing": under,
            "under_routing_worst_quartile": worst,
            "by_set": {w: routed(*sets[int(w)], temperature, cost) for w in sorted(
                set(writers), key=int)},
        }
    return {"temperature": temperature, "by_cost": by_cost,
            "chosen": choose_under_cost(probs, labels, writers, budget)}


def nested(sets: Sets, budget: float) -> dict[str, Any]:
    """The rule's estimate for a new writer: each set routed with the temperature and
    the cost the rule chooses on the other sets (never on it); beside it, the same with a
    per-tier bias (vector scaling) fitted on the other sets."""
    by_set: dict[str, Any] = {}
    for n, (scores, labels) in sorted(sets.items()):
        other_scores, other_labels, writers = pooled(sets, [m for m in sets if m != n])
        temperature = fit_temperature(other_scores, other_labels)
        cost = choose_under_cost(softmax(other_scores / np.float32(temperature)),
                                 other_labels, writers, budget)
        t_b, bias = fit_vector_scaling(other_scores, other_labels)
        cost_b = choose_under_cost(softmax(other_scores / np.float32(t_b) + bias),
                                   other_labels, writers, budget)
        top = scores.argmax(axis=1)
        by_set[str(n)] = {
            "n": len(labels), "temperature": temperature, "cost": cost,
            "most_likely": (float(np.mean(top == labels)), float(np.mean(top < labels))),
            "routed": routed(scores, labels, temperature, cost),
            "bias": bias.tolist(), "cost_with_bias": cost_b,
            "routed_with_bias": routed(scores, labels, t_b, cost_b, bias),
        }
    out: dict[str, Any] = {"by_set": by_set}
    for key in ("most_likely", "routed", "routed_with_bias"):
        sizes = np.array([v["n"] for v in by_set.values()])
        acc, under = (np.array([v[key][i] for v in by_set.values()]) for i in (0, 1))
        worst = np.argsort(-under)[:-(-len(sizes) // 4)]
        out[key] = {"accuracy": float(acc @ sizes / sizes.sum()),
                    "under_routing": float(under @ sizes / sizes.sum()),
                    "under_routing_worst_quartile": float(under[worst] @ sizes[worst]
                                                          / sizes[worst].sum())}
    return out


def summary(result: dict[str, Any], budget: float = UNDER_ROUTING_BUDGET
            ) -> tuple[str, dict[str, Any]]:
    """The rule on every set's left-out scores, and its nested estimate per set; as
    text and as the dict ``--json`` keeps."""
    sets = {int(n): (np.array(v["scores"], np.float32), np.array(v["labels"]))
            for n, v in result["sets"].items()}
    chosen, estimate = rule(sets, budget), nested(sets, budget)
    lines = [f"== {result['name']}  ({result['candidate']}), {len(sets)} sets, "
             f"budget {100 * budget:g} %",
             f"-- the rule on every set's left-out scores (T {chosen['temperature']:.3f}):"
             " u: accuracy / under pooled, under on the worst quartile of writers"]
    for cost, row in chosen["by_cost"].items():
        lines.append(f"u {cost:>3}: {pct(row['accuracy'], row['under_routing'])}, worst "
                     f"quartile {100 * row['under_routing_worst_quartile']:4.1f}")
    lines += [f"chosen u {chosen['chosen']:g}",
              "-- for a new writer: T and u chosen by the rule on the other sets",
              "set    n | most likely | routed (T, u) | routed, T + bias (u)"]
    for n, row in estimate["by_set"].items():
        lines.append(f"{n:>3} {row['n']:4d} | {pct(*row['most_likely'])} | "
                     f"{pct(*row['routed'])} ({row['temperature']:.2f}, {row['cost']:g}) | "
                     f"{pct(*row['routed_with_bias'])} ({row['cost_with_bias']:g})")
    lines.append("pooled   | " + " | ".join(
        pct(estimate[k]["accuracy"], estimate[k]["under_routing"])
        for k in ("most_likely", "routed", "routed_with_bias")))
    lines.append("worst quartile, under | " + " | ".join(
        f"{100 * estimate[k]['under_routing_worst_quartile']:4.1f}"
        for k in ("most_likely", "routed", "routed_with_bias")))
    return "\n".join(lines), {"name": result["name"], "candidate": result["candidate"],
                              "budget": budget, "rule": chosen, "new_writer": estimate}


def reweighted(result: dict[str, Any], weight: float) -> dict[str, Any]:
    """A run of the n-gram blend as it scores with blend weight ``weight``."""
    sets = {n: {"labels": v["labels"],
                "scores": (np.array(v["parts"][0]) + weight * np.array(v["parts"][1])).tolist()}
            for n, v in result["sets"].items()}
    return result | {"name": f"{result['name']} lexical_weight={weight:g}", "sets": sets}


def pct(accuracy: float, under: float) -> str:
    return f"{100 * accuracy:5.1f} / {100 * under:4.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/llm-router-loio"))
    parser.add_argument("--config", nargs="*", default=[],
                        help="overrides of the shipped candidate, key=json (features=0.5, "
                        "lexical_weight=0.5, hidden=512, ...)")
    parser.add_argument("--name", default="")
    parser.add_argument("--sets", nargs="*", type=int, default=[],
                        help="leave out only these sets, in this order (default: every one)")
    parser.add_argument("--drop", nargs="*", default=[], help="training sources left out")
    parser.add_argument("--repeat-independent", type=int, default=1,
                        help="repeat the (other) independent sets' rows this many times")
    parser.add_argument("--report", action="store_true",
                        help="print the summary of every run kept under --work")
    parser.add_argument("--budget", type=float, default=UNDER_ROUTING_BUDGET)
    parser.add_argument("--json", type=Path,
                        help="with --report: also write the summaries to this file")
    parser.add_argument("--lexical-weight", type=float,
                        help="with --report: the runs of the n-gram blend rescored with "
                        "this blend weight (exact without refitting: neither part depends "
                        "on it)")
    args = parser.parse_args()
    if args.report:
        runs = [json.loads(path.read_text()) for path in sorted(args.work.glob("loio-*.json"))]
        if args.lexical_weight is not None:
            runs = [reweighted(r, args.lexical_weight) for r in runs
                    if all("parts" in v for v in r["sets"].values())]
        kept = [summary(r, args.budget) for r in runs]
        print("\n".join(text for text, _ in kept))
        if args.json:
            args.json.write_text(json.dumps([d for _, d in kept], indent=1) + "\n")
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    assert TIERS
    raise SystemExit(main())
