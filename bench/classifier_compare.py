"""Does a retrained classifier replace the old one? Session 13's written rule
(docs/classifier.md, "Session 13"), applied to two artefacts.

    .venv/bin/python bench/classifier_compare.py --old DIR [--new DIR] [--out FILE]

``--old`` is the previous artefact's folder (``classifier.json`` + ``classifier.npz``; e.g.
``git show d1361f1:layers/core/llm_router/data/classifier/classifier.json`` and the npz
into a scratch folder), ``--new`` the retrained one (default: the shipped folder). Two
comparisons, pooled over rows, as routed (each artefact at its recommended ``u``):

- A: the rows the new training kept of the independent sets the old artefact was not
  trained on, scored by the old artefact (it never saw them) against the new training
  run's out-of-fold rows (``cv.by_source`` of its ``classifier.json``).
- B: the independent sets both were trained on, the old run's out-of-fold rows against
  the new run's (different folds: only the closest match).

The new one replaces the old iff neither comparison is worse by more than 0.3 points of
accuracy or 0.2 points of under-routing. Embeddings are memoised in
``.cache/embeddings.npz`` (as ``make classifier-train`` does).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from llm_router.classifier.dataset import DEFAULT_DATA, load_examples, split
from llm_router.classifier.decision import decide
from llm_router.classifier.runtime import DEFAULT_DIR, load_classifier
from llm_router.classifier.tiers import tier_index
from llm_router.embedding.memo import MemoEmbedder
from llm_router.embedding.minilm import MiniLMEmbedder

ROOT = Path(__file__).resolve().parents[1]
ACCURACY_SLACK, UNDER_SLACK = 0.003, 0.002


def pooled(by_source: dict[str, Any], sources: list[str], top: bool = False) -> dict[str, Any]:
    """Row-weighted accuracy and under-routing of some sources' out-of-fold rows, as routed
    (or most likely, ``top``)."""
    acc, under = ("accuracy", "under_routing") if top else (
        "decision_accuracy", "decision_under_routing")
    n = sum(by_source[s]["n"] for s in sources)
    return {"n": n,
            "accuracy": sum(by_source[s]["n"] * by_source[s][acc] for s in sources) / n,
            "under_routing": sum(by_source[s]["n"] * by_source[s][under] for s in sources) / n}


def no_worse(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return (new["accuracy"] >= old["accuracy"] - ACCURACY_SLACK - 1e-12
            and new["under_routing"] <= old["under_routing"] + UNDER_SLACK + 1e-12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    old_meta = json.loads((args.old / "classifier.json").read_text(encoding="utf-8"))
    new_meta = json.loads((args.new / "classifier.json").read_text(encoding="utf-8"))
    both = sorted(old_meta["cv"]["decision_sources"], key=lambda s: int(s.rsplit("v", 1)[1]))
    unseen = sorted(set(new_meta["cv"]["decision_sources"]) - set(both),
                    key=lambda s: int(s.rsplit("v", 1)[1]))
    rows = [e for e in split(load_examples(DEFAULT_DATA), "train") if e.source in unseen]
    embedder = MemoEmbedder(MiniLMEmbedder.load(), ROOT / ".cache" / "embeddings.npz")
    old = load_classifier(args.old, embedder_id=embedder.model_id)
    texts = [e.query for e in rows]
    probs = old.probabilities(texts, embedder.embed(texts))
    labels = np.array([tier_index(e.label) for e in rows])
    sources = np.array([e.source for e in rows])
    routed, top = decide(probs, old.under_cost), probs.argmax(axis=1)

    def scored(mask: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
        return {"n": int(mask.sum()),
                "accuracy": float(np.mean(pred[mask] == labels[mask])),
                "under_routing": float(np.mean(pred[mask] < labels[mask]))}

    everything = np.ones(len(rows), dtype=bool)
    old_unseen = {s: {"routed": scored(sources == s, routed),
                      "most_likely": scored(sources == s, top)} for s in unseen}
    old_unseen["pooled"] = {"routed": scored(everything, routed),
                            "most_likely": scored(everything, top)}
    new_by, old_by = new_meta["cv"]["by_source"], old_meta["cv"]["by_source"]
    a_old, a_new = old_unseen["pooled"]["routed"], pooled(new_by, unseen)
    b_old, b_new = pooled(old_by, both), pooled(new_by, both)
    result: dict[str, Any] = {
        "command": "bench/classifier_compare.py --old DIR --new DIR",
        "old": {"version": old_meta["version"], "under_cost": old.under_cost},
        "new": {"version": new_meta["version"],
                "under_cost": new_meta["recommended_under_routing_cost"],
                "temperature": new_meta["temperature"]},
        "A_unseen_by_old": {"sources": unseen, "old": a_old, "new_out_of_fold": a_new,
                            "no_worse": no_worse(a_old, a_new)},
        "B_both_out_of_fold": {"sources": both, "old": b_old, "new": b_new,
                               "no_worse": no_worse(b_old, b_new)},
        "old_on_unseen_by_source": old_unseen,
        "new_out_of_fold": {
            "by_source": {s: new_by[s] for s in both + unseen},
            "pooled_routed": pooled(new_by, both + unseen),
            "pooled_most_likely": pooled(new_by, both + unseen, top=True),
            "unseen_most_likely": pooled(new_by, unseen, top=True),
        },
        "old_out_of_fold_most_likely": pooled(old_by, both, top=True),
    }
    result["replace"] = (result["A_unseen_by_old"]["no_worse"]
                         and result["B_both_out_of_fold"]["no_worse"])
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    for name in ("A_unseen_by_old", "B_both_out_of_fold"):
        part = result[name]
        old_row = part["old"]
        new_row = part.get("new_out_of_fold", part.get("new"))
        print(f"{name}: n {old_row['n']}, old {100 * old_row['accuracy']:.2f} % / "
              f"{100 * old_row['under_routing']:.2f} %, new {100 * new_row['accuracy']:.2f} % / "
              f"{100 * new_row['under_routing']:.2f} %: "
              f"{'no worse' if part['no_worse'] else 'WORSE'}")
    print(f"replace: {result['replace']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
