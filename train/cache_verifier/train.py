"""Train the cache verifier and write its artefact (``make verifier``).

    .venv/bin/python -m train.cache_verifier.train

Reads .cache/cache_verifier/train.jsonl and bench/cache_pairs/tune.jsonl (``build``),
embeds every text once with the project's MiniLM (cached in bench/results/local/),
computes word-piece IDF on the Quora training questions, the pair features and the
context features (MiniLM's last-layer token states, batched in JAX: ``context_states``),
trains a small MLP (scikit-learn, dev-only) on the training pairs, picks the model and
the operating point on the tune set only (after the amounts-and-ids check, as in the
lookup), and writes the artefact to
layers/core/llm_router/data/cache_verifier/. The held-out set is never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.context import CONTEXT_FEATURES, MAX_TOKENS, context_features
from llm_router.cache.pair_features import FEATURES, pair_features, quantity_conflict
from llm_router.cache.verifier import (
    ARTEFACT_DIR,
    META,
    WEIGHTS,
    Mlp,
    MlpEnsemble,
    PairModel,
    load_vocabulary,
)
from llm_router.embedding.artefact import npz_bytes
from train.cache_verifier.build import CACHE, LATER_SETS, RUN, TRAIN_FILE, TUNE_FILE
from train.cache_verifier.pairs import (
    DATA,
    QQP_ARCHIVE,
    REPO,
    Pair,
    file_sha256,
    load_qqp,
    read_jsonl,
    split_qqp,
)

TUNE = TUNE_FILE
F32 = npt.NDArray[np.float32]
# Operating point: the highest recall on the tune set while false hits stay at or under
# these rates on the negatives of each group of sources (the targets: support-style
# 1 %, public corpora 3 %). The hand-written support-style pairs (our two tuning files' 30 %
# and every seen independent set's tune half, ``build.SEEN_SETS`` and ``LATER_SETS``) are
# one group. Negatives generated from support texts (168) are held to 3 %,
# as generated Quora negatives are: their labels are the generators', unchecked, and at
# 1 % (one allowed) a mislabelled one ("delete account" / "removed account", a near-topic
# swap that drew a synonym) set the cut at p 0.998.
HAND_WRITTEN = ("support", "support_weak", "heldout1", "heldout2", "heldout3", *LATER_SETS)
MAX_FALSE_HITS: dict[tuple[str, ...], float] = {
    HAND_WRITTEN: 0.01, ("support+generated",): 0.03, ("qqp",): 0.03, ("qqp+generated",): 0.03}
# The cut rules a run may ship with (``align --cut-rule``). "all": the groups above.
# "hand" (session 9's alternative, named before any decision number): only hand-written
# negatives set the cut, the support-style pool at 1 % and Quora's own pairs at 3 %; the
# generated negatives (rule-made, labels unchecked: in session 8 the 3 % rule on 168 of
# them set the cut, and some of the highest are paraphrases, "delete account" / "removed
# account") are still scored and reported, never binding.
CUT_RULES: dict[str, dict[tuple[str, ...], float]] = {
    "all": MAX_FALSE_HITS,
    "hand": {g: r for g, r in MAX_FALSE_HITS.items()
             if not any(s.endswith("+generated") for s in g)},
}


def word_piece_idf(texts: Sequence[str]) -> F32:
    vocab = load_vocabulary(np.zeros(0, np.float32))
    tokenizer = vocab._tokenizer
    df = np.zeros(tokenizer.get_vocab_size(), np.float64)
    for enc in tokenizer.encode_batch([t.lower() for t in texts], add_special_tokens=False):
        df[list(set(enc.ids))] += 1
    return np.log((len(texts) + 1) / (df + 1)).astype(np.float32) + np.float32(1.0)


def features(pairs: list[Pair], idf: F32) -> F32:
    from bench.embed_cache import embed_cached
    from llm_router.embedding.minilm import MiniLMEmbedder

    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    vectors = dict(zip(texts, embed_cached(MiniLMEmbedder.load(), texts), strict=True))
    vocab = load_vocabulary(idf)
    views: dict[str, Any] = {}
    rows = []
    started = time.monotonic()
    for n, p in enumerate(pairs):
        for t in (p["a"], p["b"]):
            if t not in views:
                views[t] = vocab.view(t)
        cosine = float(vectors[p["a"]] @ vectors[p["b"]])
        rows.append(pair_features(views[p["a"]], views[p["b"]], cosine))
        if n % 10000 == 9999:
            print(f"  features {n + 1}/{len(pairs)} ({time.monotonic() - started:.0f} s)",
                  flush=True)
    return np.stack(rows).astype(np.float32)


def cached_features(train_pairs: list[Pair], tune_pairs: list[Pair], idf: F32
                    ) -> tuple[F32, F32]:
    """Features of both sets; a pair's are reused while the feature code and the IDF are
    unchanged (kept per pair, so a set that grows pays for its new pairs only)."""
    import llm_router.cache.pair_features as code

    key = hashlib.sha256(Path(code.__file__).read_bytes() + idf.tobytes()).hexdigest()[:16]
    path = CACHE / f"pair-features-{key}.npz"
    known: dict[tuple[str, str], F32] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as npz:
            known = dict(zip(zip(npz["a"].tolist(), npz["b"].tolist(), strict=True),
                             npz["x"], strict=True))
    todo = list(dict.fromkeys((p["a"], p["b"]) for p in train_pairs + tune_pairs
                              if (p["a"], p["b"]) not in known))
    print(f"  features: {len(todo)} new pairs", flush=True)
    if todo:
        rows = features([{"a": a, "b": b} for a, b in todo], idf)
        known.update(zip(todo, rows, strict=True))
        pairs = list(known)
        np.savez(path, a=np.asarray([a for a, _ in pairs]), b=np.asarray([b for _, b in pairs]),
                 x=np.stack([known[k] for k in pairs]))
    return (np.stack([known[(p["a"], p["b"])] for p in train_pairs]),
            np.stack([known[(p["a"], p["b"])] for p in tune_pairs]))


def with_context(pairs: list[Pair], x: F32, states: dict[str, F32]) -> F32:
    """``x`` with the context features of each pair appended."""
    extra = np.stack([context_features(states[p["a"]], states[p["b"]]) for p in pairs])
    return np.hstack([x, extra]).astype(np.float32)


def training_data(support_weight: float) -> dict[str, Any]:
    """Both sets' pairs, features (hand and context), labels, the tune set's amounts-and-ids
    refusals and sources, training weights, the IDF and every text's token states."""
    from train.cache_verifier.context_states import context_states

    train_pairs = read_jsonl(TRAIN_FILE)
    tune_pairs = read_jsonl(TUNE)
    print(f"train {len(train_pairs)} pairs, tune {len(tune_pairs)} pairs")
    qqp_train = split_qqp(load_qqp())["train"]
    idf = word_piece_idf([t for a, b, _ in qqp_train for t in (a, b)])
    x_train, x_tune = cached_features(train_pairs, tune_pairs, idf)
    texts = sorted({t for p in train_pairs + tune_pairs for t in (p["a"], p["b"])})
    states = context_states(texts, CACHE)
    # Support pairs are few: weigh them up so the domain the cache serves counts.
    ours = ("support", "project", "heldout", "train9", "train10", "seen")
    return {
        "train_pairs": train_pairs, "tune_pairs": tune_pairs, "idf": idf, "texts": texts,
        "states": states,
        "x_train": with_context(train_pairs, x_train, states),
        "x_tune": with_context(tune_pairs, x_tune, states),
        "y_train": np.asarray([p["label"] for p in train_pairs], np.int64),
        "y_tune": np.asarray([p["label"] for p in tune_pairs], np.int64),
        "refused": conflicts(tune_pairs),
        "sources": [p["source"] for p in tune_pairs],
        "w_train": np.asarray([support_weight if p["source"].startswith(ours) else 1.0
                               for p in train_pairs]),
    }


def conflicts(pairs: list[Pair]) -> npt.NDArray[np.bool_]:
    """The lookup's hard amounts-and-ids check, which runs before the verifier."""
    vocab = load_vocabulary(np.zeros(0, np.float32))
    return np.asarray([quantity_conflict(vocab.view(p["a"]), vocab.view(p["b"]))
                       for p in pairs])


def operating_point(prob: F32, labels: npt.NDArray[np.int64], sources: list[str],
                    limits: dict[tuple[str, ...], float] = MAX_FALSE_HITS) -> float:
    """Lowest threshold whose false-hit rate on each source group's negatives is at most
    that group's limit (``MAX_FALSE_HITS``, or another of ``CUT_RULES``)."""
    base = np.asarray(sources)
    threshold = 0.0
    for group, max_false in limits.items():
        neg = np.sort(prob[(labels == 0) & np.isin(base, group)])[::-1]
        allowed = int(np.floor(max_false * len(neg)))
        if allowed < len(neg):
            threshold = max(threshold, float(neg[allowed]) + 1e-6)
    return threshold


def rates(prob: F32, labels: npt.NDArray[np.int64], threshold: float) -> dict[str, float]:
    hit = prob >= threshold
    return {"recall": round(float(hit[labels == 1].mean()), 4),
            "false_hits": round(float(hit[labels == 0].mean()), 4)}


def train(args: argparse.Namespace) -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    data = training_data(args.support_weight)
    x_train, x_tune, y_train, y_tune = (data[k] for k in ("x_train", "x_tune", "y_train",
                                                          "y_tune"))
    refused, sources, weight = data["refused"], data["sources"], data["w_train"]
    train_pairs, tune_pairs, idf = data["train_pairs"], data["tune_pairs"], data["idf"]
    mean = x_train.mean(axis=0)
    scale = np.maximum(x_train.std(axis=0), 1e-6)
    best: tuple[float, MlpEnsemble, Any] | None = None
    for hidden in args.hidden:
        layers = tuple(int(h) for h in hidden.split(","))
        started = time.monotonic()
        members = []
        for seed in range(args.seeds):  # averaged: one MLP's operating point is brittle
            rng = np.random.default_rng(seed)
            idx = rng.choice(len(x_train), len(x_train), p=weight / weight.sum())
            clf = MLPClassifier(hidden_layer_sizes=layers, alpha=args.alpha,
                                max_iter=args.epochs, early_stopping=True, random_state=seed,
                                batch_size=256)
            clf.fit((x_train[idx] - mean) / scale, y_train[idx])
            mlp = Mlp(mean.astype(np.float32), scale.astype(np.float32),
                      tuple(np.asarray(w, np.float32) for w in clf.coefs_),
                      tuple(np.asarray(b, np.float32) for b in clf.intercepts_))
            ref = clf.predict_proba((x_tune - mean) / scale)[:, 1]
            assert np.allclose(mlp.probability(x_tune), ref, atol=1e-4), \
                "numpy inference differs from sklearn"
            members.append(mlp)
        ensemble = MlpEnsemble(tuple(members))
        prob = ensemble.probability(x_tune)
        auc = float(roc_auc_score(y_tune, prob))
        prob = np.where(refused, np.float32(0.0), prob)
        threshold = operating_point(prob, y_tune, sources)
        r = rates(prob, y_tune, threshold)
        print(f"  {args.seeds} MLPs {layers}: tune AUC {auc:.4f}, at the operating point "
              f"({threshold:.3f}) recall {r['recall']:.1%} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
        if best is None or r["recall"] > best[0]:
            best = (r["recall"], ensemble, {"hidden": layers, "members": args.seeds,
                                            "tune_auc": round(auc, 4)})
    assert best is not None
    _, ensemble, info = best
    prob = np.where(refused, np.float32(0.0), ensemble.probability(x_tune))
    threshold = operating_point(prob, y_tune, sources)
    write_artefact(ensemble, idf, threshold, info, prob, tune_pairs, len(train_pairs))


def write_artefact(model: PairModel, idf: F32, threshold: float, info: dict[str, Any],
                   prob: F32, tune_pairs: list[Pair], n_train: int,
                   limits: dict[tuple[str, ...], float] = MAX_FALSE_HITS) -> None:
    """The artefact into the layer (into ``build.RUN`` for a run beside the shipped one)."""
    arrays = {"idf": idf.astype(np.float16), **model.arrays()}
    raw = npz_bytes(arrays)
    out = RUN or ARTEFACT_DIR
    out.mkdir(parents=True, exist_ok=True)
    (out / WEIGHTS).write_bytes(raw)
    labels = np.asarray([p["label"] for p in tune_pairs])
    used = {p["source"] for p in read_jsonl(TRAIN_FILE) + tune_pairs}
    by_source: dict[str, dict[str, float]] = {}
    for source in sorted({p["source"] for p in tune_pairs}):
        mask = np.asarray([p["source"] == source for p in tune_pairs])
        by_source[source] = rates(prob[mask], labels[mask], threshold)
    meta = {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "features": list(FEATURES + CONTEXT_FEATURES),
        "context": {"max_tokens": MAX_TOKENS, "states": "MiniLM last layer, per text"},
        "model": {"kind": "mlp ensemble (mean probability)", **info},  # info may name another
        "threshold": round(threshold, 6),
        "operating_point": "lowest probability with tune false hits (after the amounts "
                           "and ids check) at most "
                           + ", ".join(f"{v:.0%} on {' and '.join(k)}"
                                     for k, v in limits.items()),
        "trained_on": {"pairs": n_train, "file": ".cache/cache_verifier/train.jsonl",
                       "left_out": sorted(set(LATER_SETS) - used)},
        "tune_scores": {"all": rates(prob, labels, threshold), **by_source},
        "sources": {
            "qqp": {"file": str(QQP_ARCHIVE.name), "sha256": file_sha256(QQP_ARCHIVE),
                    "licence": "Quora Question Pairs: Quora's terms, non-commercial use"},
            "support_tune": {"file": "data/cache_verifier/support_tune.txt",
                             "sha256": file_sha256(DATA / "support_tune.txt"),
                             "licence": "written for this project (Apache-2.0)"},
            "support_weak": {"file": "data/cache_verifier/support_weak.txt",
                             "sha256": file_sha256(DATA / "support_weak.txt"),
                             "licence": "written for this project (Apache-2.0)"},
            "styles": {"file": "train/cache_verifier/styles.py",
                       "licence": "restyled pairs generated from the texts above"},
            "heldout1": {"file": "data/heldout/cache_pairs.jsonl",
                         "sha256": file_sha256(REPO / "data" / "heldout" / "cache_pairs.jsonl"),
                         "licence": "written for this project (Apache-2.0); seen, split by "
                                    "domain into train and tune"},
            "heldout2": {"file": "data/heldout2/cache_pairs.jsonl",
                         "sha256": file_sha256(REPO / "data" / "heldout2" / "cache_pairs.jsonl"),
                         "licence": "written for this project (Apache-2.0); seen, split by "
                                    "domain into train and tune"},
            "heldout3": {"file": "data/heldout3/cache_pairs.jsonl",
                         "sha256": file_sha256(REPO / "data" / "heldout3" / "cache_pairs.jsonl"),
                         "licence": "written for this project (Apache-2.0); seen, split by "
                                    "domain into train and tune"},
            **{source: {"file": str(path.relative_to(REPO)), "sha256": file_sha256(path),
                        "licence": "written for this project (Apache-2.0); seen, split by "
                                   "domain into train and tune (build.tune_domain)"}
               for source, path in LATER_SETS.items() if source in used},
            "project": {"file": "bench/cache_pairs/pairs.jsonl",
                        "sha256": file_sha256(REPO / "bench" / "cache_pairs" / "pairs.jsonl"),
                        "licence": "written for this project (Apache-2.0)"},
        },
        "word_vectors": "MiniLM input embeddings from the layer's embedding export",
    }
    (out / META).write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {out}/{WEIGHTS} ({len(raw)} bytes), "
          f"threshold {threshold:.4f}, tune {meta['tune_scores']['all']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hidden", nargs="+", default=["64,32", "32"])
    parser.add_argument("--alpha", type=float, default=1e-4)
    parser.add_argument("--seeds", type=int, default=5, help="MLPs averaged")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--support-weight", type=float, default=3.0)
    train(parser.parse_args())


if __name__ == "__main__":
    main()
