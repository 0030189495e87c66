"""Stack the fusion model with the alignment nets, and compare them (after ``fusion``).

    .venv/bin/python -m train.cache_verifier.stack [--holdout heldout5]

The fusion model alone (one or two epochs on 2 shared cores) ranks pairs worse than the
nets (tune AUC 0.83 vs 0.95) but differently: it reads abbreviations and terse asks the
nets refuse. Here both models' probabilities of the tune pairs (the nets' as the router
computes them, over MiniLM's last-layer states and the hand features; the fusion model's
over the bottom states) give a logistic stack of their two logits, fitted on tune, and
its operating point by ``train.operating_point`` (tune only). Writes the weights into
``fusion.json`` (``stack``) and prints nets, fusion and stack side by side on tune and
on the held-out set (the lookup's floor and amounts check applied, as in the router).
Last-layer states come from the cached bottom states and MiniLM's top layers in JAX.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
import numpy.typing as npt

from train.cache_verifier.fusion import ARTEFACT, EXTRA_SETS, META, lower_states
from train.cache_verifier.pairs import Pair, read_jsonl

F32 = npt.NDArray[np.float32]
FLOOR = 0.5  # ``CacheConfig.verifier_floor``


def last_layer(texts: list[str], lower: dict[str, Any]) -> tuple[dict[str, F32],
                                                                 dict[str, F32]]:
    """Each text's sentence embedding and ``unit_rows`` of its last-layer states."""
    from llm_router.cache.context import unit_rows
    from llm_router.embedding.artefact import load_model_files
    from train.cache_verifier.context_states import LOWER, _layer_params, _padded, make_model

    files = load_model_files()
    n_layers = int(files.manifest["config"]["num_hidden_layers"])
    params = [_layer_params(files.weights, f"encoder.layer.{i}.")
              for i in range(LOWER, n_layers)]
    _, upper = make_model(float(files.manifest["config"]["layer_norm_eps"]))
    vectors, units = {}, {}
    order = sorted(texts, key=lambda t: len(lower[t]))
    for start in range(0, len(order), 128):
        chunk = order[start:start + 128]
        x, mask = _padded([lower[t] for t in chunk], np.float32)
        y = np.asarray(upper(params, x, mask))
        for r, t in enumerate(chunk):
            full = y[r, :len(lower[t])]
            mean = full.mean(axis=0)
            vectors[t] = mean / np.linalg.norm(mean)
            units[t] = unit_rows(full)
    return vectors, units


def probabilities(pairs: list[Pair], lower: dict[str, Any], vectors: dict[str, F32],
                  units: dict[str, F32]) -> dict[str, Any]:
    from llm_router.cache.context import context_features
    from llm_router.cache.fusion import load_fusion
    from llm_router.cache.pair_features import pair_features, quantity_conflict
    from llm_router.cache.verifier import load_verifier

    nets = load_verifier(model_kind="nets")
    fusion, _ = load_fusion(ARTEFACT)
    out: dict[str, list[float]] = {"nets": [], "fusion": [], "gate": []}
    for p in pairs:
        a, b = p["a"], p["b"]
        cosine = float(vectors[a] @ vectors[b])
        va, vb = nets.vocabulary.view(a), nets.vocabulary.view(b)
        features = np.concatenate([pair_features(va, vb, cosine),
                                   context_features(units[a], units[b])])
        out["nets"].append(nets.model.score(units[a], units[b], features))
        out["fusion"].append(fusion.probability(np.asarray(lower[a], np.float32),
                                                np.asarray(lower[b], np.float32)))
        out["gate"].append(float(cosine >= FLOOR and not quantity_conflict(va, vb)))
    return {k: np.asarray(v) for k, v in out.items()}


def logit(p: Any) -> Any:
    p = np.clip(np.asarray(p, np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holdout", choices=sorted(EXTRA_SETS), default="heldout5")
    args = parser.parse_args()
    import jax
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    # One XLA thread: set by this import, before jax computes anything.
    import train.cache_verifier.context_states  # noqa: F401
    from train.cache_verifier.train import TUNE, operating_point

    jax.config.update("jax_platforms", "cpu")
    sets = {"tune": read_jsonl(TUNE), args.holdout: read_jsonl(EXTRA_SETS[args.holdout])}
    texts = sorted({t for ps in sets.values() for p in ps for t in (p["a"], p["b"])})
    lower = lower_states(texts)
    vectors, units = last_layer(texts, lower)
    probs = {name: probabilities(pairs, lower, vectors, units) for name, pairs in sets.items()}
    tune = sets["tune"]
    y = np.asarray([p["label"] for p in tune])
    t = probs["tune"]
    stack = LogisticRegression(C=1.0).fit(np.stack([logit(t["nets"]), logit(t["fusion"])], 1), y)
    w_nets, w_fusion = (float(w) for w in stack.coef_[0])
    bias = float(stack.intercept_[0])

    def model(name: str, p: dict[str, Any]) -> Any:
        if name == "stack":
            z = bias + w_nets * logit(p["nets"]) + w_fusion * logit(p["fusion"])
            return 1 / (1 + np.exp(-z))
        return p[name]

    report: dict[str, Any] = {}
    for name in ("nets", "fusion", "stack"):
        gated = np.where(t["gate"] > 0, model(name, t), 0.0)
        cut = operating_point(gated, y, [p["source"] for p in tune])
        row: dict[str, Any] = {"threshold": round(cut, 6),
                               "tune_auc": round(float(roc_auc_score(y, model(name, t))), 4),
                               "tune": {"recall": round(float(np.mean(gated[y == 1] >= cut)), 4),
                                        "false_hits": round(float(np.mean(gated[y == 0] >= cut)),
                                                            4)}}
        held = sets[args.holdout]
        yh = np.asarray([p["label"] for p in held])
        ph = np.where(probs[args.holdout]["gate"] > 0, model(name, probs[args.holdout]), 0.0)
        hit = ph >= cut
        row[args.holdout] = {
            "auc": round(float(roc_auc_score(yh, model(name, probs[args.holdout]))), 4),
            "recall": round(float(hit[yh == 1].mean()), 4),
            "false_hits": round(float(hit[yh == 0].mean()), 4),
            "kinds": {k: f"{int(hit[[p['kind'] == k for p in held]].sum())}/"
                         f"{sum(p['kind'] == k for p in held)}"
                      for k in sorted({p["kind"] for p in held})}}
        report[name] = row
        print(f"{name}: {json.dumps(row)}", flush=True)
    meta = json.loads(META.read_text())
    meta["stack"] = {"bias": round(bias, 6), "nets": round(w_nets, 6),
                     "fusion": round(w_fusion, 6), "threshold": report["stack"]["threshold"],
                     "fitted_on": "bench/cache_pairs/tune.jsonl (logistic regression of the "
                                  "two models' logits; operating point by the nets' rule)",
                     "comparison": report}
    META.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote the stack into {META}")


if __name__ == "__main__":
    main()
