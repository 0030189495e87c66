"""Fit the narrowing check (``cache/narrowing.py``) on training pairs and choose its cut on
the decision sets (issue 13, session 13: docs/cache-history.md "Session 13").

    # each pair's verdict inputs (p, cosine, stage) from the shipped lookup, once per file:
    .venv/bin/python bench/cache_losses.py --sets data/cache_verifier/train9a ... \\
        --pairs-out bench/results/local/narrowing-train.jsonl --out /tmp/train-losses.json
    .venv/bin/python bench/cache_losses.py --sets heldout9 heldout10 heldout11 heldout14 \\
        heldout15 heldout16 heldout17 --pairs-out bench/results/local/narrowing-decide.jsonl \\
        --out /tmp/decide-losses.json
    .venv/bin/python -m train.cache_verifier.narrowing \\
        --train bench/results/local/narrowing-train.jsonl \\
        --decide bench/results/local/narrowing-decide.jsonl [--write]

Weights: a class-balanced, L2-regularised logistic regression over ``FEATURES``, fitted on
the training rows whose longer side adds at least ``GATE`` content words (every such row,
whatever the verifier made of it: the verifier's logit is a feature), less every training
row that shares a text with a decision row (case, punctuation and spacing aside: session
13's writers reused short questions of heldout16-17 and other common ones). The cut: on the
decision rows the shipped lookup answers through the verifier (not respelled), the cut that
refuses the most false hits while costing at most ``RECALL_ALL`` points of recall over all
decision sets and ``RECALL_SET`` on any one (the session-13 rule's budget). Prints the
weights, the chosen point and the rule's first test (at least 40 % of the lookup's false
hits refused); ``--write`` stores them, with the sweep's summary, in the layer's
``narrowing.json``. Rows scored with a candidate verifier (``cache_losses.py --cross-dir``)
need its cut: ``--verifier-cut``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.narrowing import ARTEFACT, FEATURES, added_content, narrowing_features
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

F64 = npt.NDArray[np.float64]
GATE = 2
L2 = 1e-2
STEPS = 4000
RECALL_ALL = 1.0  # points of recall over all decision sets
RECALL_SET = 1.5  # points of recall on any one decision set
REFUSED_SHARE = 0.4  # of the lookup's false hits on the decision sets


def same_text(text: str) -> str:
    """A text with case, punctuation and spacing aside."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def features(rows: list[dict[str, Any]]) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Each row's ``FEATURES`` (the verifier's p: 0.5 where the hard check refused it) and
    whether its longer side passes the gate."""
    # the lookup's vocabulary (the nets' IDF); each text's view built once
    view = functools.cache(shared_verifier().vocabulary.view)

    out, gated = [], []
    for r in rows:
        a, b = view(r["a"]), view(r["b"])
        p = r["p"] if r["p"] is not None else 0.5
        out.append(narrowing_features(a, b, r["a"], r["b"], p, r["similarity"]))
        gated.append(added_content(a, b) >= GATE)
    return np.asarray(out, np.float64), np.asarray(gated, bool)


def fit(x: F64, y: F64) -> tuple[F64, F64, F64, float]:
    """(mean, scale, weights, bias): gradient descent on the balanced logistic loss."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    share = float(y.mean())
    balance = np.where(y == 1, 0.5 / share, 0.5 / (1 - share))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(STEPS):
        q = 1 / (1 + np.exp(-(z @ w + b)))
        g = balance * (q - y)
        w -= 0.5 * (z.T @ g / len(y) + L2 * w)
        b -= 0.5 * float(g.mean())
    return mean, scale, w, b


def answered(row: dict[str, Any], floor: float, cut: float) -> tuple[bool, bool]:
    """(the lookup answers it, through the verifier) at the shipped floor and cut."""
    if row["numbers"]:
        return False, False
    if row["respelling"] is not None:
        return True, False
    hit = row["similarity"] >= floor and row["p"] >= cut
    return hit, hit


def decide(rows: list[dict[str, Any]], scores: F64, gated: npt.NDArray[np.bool_],
           cut: float) -> dict[str, Any]:
    """The cut refusing the most false hits within the recall budget, and the sweep;
    ``cut``: the verifier's operating point the rows were scored for."""
    config = CacheConfig()
    hits = [answered(r, config.verifier_floor, cut) for r in rows]
    label = np.asarray([r["label"] for r in rows], bool)
    names = list(dict.fromkeys(r["set"] for r in rows))
    where = np.asarray([names.index(r["set"]) for r in rows])
    hit = np.asarray([h for h, _ in hits], bool)
    judged = np.asarray([v for _, v in hits], bool) & gated
    positives = [int((label & (where == i)).sum()) for i in range(len(names))]
    false_hits = int((hit & ~label).sum())
    best: dict[str, Any] = {"cut": 0.0, "refused": 0, "lost": 0,
                            "lost_by_set": dict.fromkeys(names, 0)}
    sweep = []
    for t in sorted(set(np.round(scores[judged], 4).tolist())):
        refused = judged & (scores < t)
        lost = refused & label
        by_set = {n: int((lost & (where == i)).sum()) for i, n in enumerate(names)}
        point = {"cut": t, "refused": int((refused & ~label).sum()), "lost": int(lost.sum()),
                 "lost_by_set": by_set}
        within = (point["lost"] <= RECALL_ALL / 100 * label.sum() and all(
            by_set[n] <= RECALL_SET / 100 * positives[i] for i, n in enumerate(names)))
        sweep.append({**point, "within": within})
        if within and point["refused"] > best["refused"]:
            best = point
    return {"false_hits": false_hits, "positives": int(label.sum()),
            "hits": int((hit & label).sum()), "chosen": best,
            "refuses_enough": best["refused"] >= REFUSED_SHARE * false_hits,
            "by_kind_refused": dict(Counter(
                rows[i]["kind"] for i in np.flatnonzero(judged & (scores < best["cut"])))),
            "sweep": sweep}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", required=True,
                        help="cache_losses --pairs-out files of training sets")
    parser.add_argument("--decide", type=Path, required=True,
                        help="cache_losses --pairs-out file of the decision sets")
    parser.add_argument("--verifier-cut", type=float, default=None,
                        help="the verifier's operating point the rows were scored for "
                             "(default: the shipped one; a --cross-dir candidate's own)")
    parser.add_argument("--write", action="store_true",
                        help=f"store weights and cut in {ARTEFACT.name}")
    args = parser.parse_args()
    rows = read_jsonl(args.decide)
    held = {same_text(r[side]) for r in rows for side in ("a", "b")}
    read = [r for path in args.train for r in read_jsonl(path)]
    train = [r for r in read if same_text(r["a"]) not in held and same_text(r["b"]) not in held]
    x, gated = features(train)
    y = np.asarray([r["label"] for r in train], np.float64)
    mean, scale, w, b = fit(x[gated], y[gated])
    xd, gated_d = features(rows)
    scores = 1 / (1 + np.exp(-(((xd - mean) / scale) @ w + b)))
    cut = args.verifier_cut or CacheConfig().verifier_threshold or shared_verifier().threshold
    decision = decide(rows, scores, gated_d, cut)
    chosen = decision["chosen"]
    print("weights (standardised):")
    for name, weight in zip(FEATURES, w, strict=True):
        print(f"  {name:20s} {weight:+.3f}")
    print(f"fitted on {int(gated.sum())} gated training pairs "
          f"({int(y[gated].sum())} paraphrases) of {len(train)} ({len(read) - len(train)} "
          "left out: a text of a decision pair)")
    print(f"decision sets: {decision['hits']}/{decision['positives']} hits, "
          f"{decision['false_hits']} false hits; chosen cut {chosen['cut']}: refuses "
          f"{chosen['refused']} false hits, loses {chosen['lost']} hits "
          f"{chosen['lost_by_set']}; refuses >= {REFUSED_SHARE:.0%}: "
          f"{decision['refuses_enough']}")
    if args.write:
        ARTEFACT.write_text(json.dumps({
            "features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
            "weights": w.tolist(), "bias": b, "cut": chosen["cut"], "gate": GATE,
            "fitted_on": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                          for p in args.train},
            "fitted_sets": sorted({r["set"] for r in train}),
            "left_out_sharing_a_decision_text": len(read) - len(train),
            "decided_on": sorted({r["set"] for r in rows}),
            "verifier_cut": cut,
            "decision": {k: v for k, v in decision.items() if k != "sweep"},
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {ARTEFACT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
