"""Train the verifier's mid-fusion model in JAX (``make verifier``, after ``build``).

    .venv/bin/python -m train.cache_verifier.fusion [--holdout heldout6]

The alignment nets (``align``) read each text's MiniLM states computed apart, so nothing
lets one text's words look at the other's inside the encoder: they cannot learn that
"US" is "United States" or that a terse ask is its long form. Here MiniLM's bottom
``LOWER`` layers run per text, frozen (the lookup already has the query's from its
embedding pass and keeps the candidate's), and its top layers, initialised from MiniLM's
own and fine-tuned, run over the two texts together: "[CLS] a [SEP] b [SEP]" (b's own
[CLS] dropped; no segment embedding: each text's positions restart at 0, which the top
layers see as two sequences), then a small head on the [CLS] state and the mean state.
Training backpropagates only through the top layers and the head, over bottom states
computed once per text (float16, ``context_states.text_states``, cached in
.cache/cache_verifier/).

Data: ``build``'s training pairs plus every seen independent set not held out (data/
heldout4 to data/heldout6, all pairs); ``--holdout`` leaves one set out entirely
(leave-one-independent-set-out), scored only with ``--score-held-out`` (``stack``
scores it after choosing a model on tune). Model and operating point are chosen on
the tune set (``train.operating_point``, after the amounts-and-ids check). numpy
inference: ``llm_router.cache.fusion``; ``--check`` compares it with this forward pass.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from train.cache_verifier.build import CACHE
from train.cache_verifier.pairs import REPO, Pair, file_sha256, read_jsonl

F32 = npt.NDArray[np.float32]
# The independent sets ``build`` left out when this model was trained (session 7, not
# shipped): since session 8 ``build`` splits them into train and tune too, so rerunning
# this recipe needs ``build --leave-out heldout4 heldout5 heldout6 heldout7 heldout8
# train9a train9b train9c`` first (``make verifier`` trains the nets only).
EXTRA_SETS: dict[str, Path] = {
    "heldout4": REPO / "data" / "heldout4" / "cache_pairs.jsonl",
    "heldout5": REPO / "data" / "heldout5" / "cache_pairs.jsonl",
    "heldout6": REPO / "data" / "heldout6" / "cache_pairs.jsonl",
}
OURS = ("support", "project", "heldout", "seen")  # weighted up, as ``align``


def pair_sets(holdout: str | None) -> tuple[list[Pair], list[Pair], list[Pair]]:
    """Training pairs (``build``'s and the extra sets but ``holdout``), tune pairs, and the
    held-out set's pairs (empty when none)."""
    from train.cache_verifier.train import TUNE

    train = read_jsonl(CACHE / "train.jsonl")
    held: list[Pair] = []
    for name, path in EXTRA_SETS.items():
        rows = [{"a": p["a"], "b": p["b"], "label": int(p["label"]), "source": name,
                 "kind": p["kind"]} for p in read_jsonl(path)]
        if name == holdout:
            held = rows
        else:
            train += rows
    return train, read_jsonl(TUNE), held


def lower_states(texts: list[str]) -> dict[str, npt.NDArray[np.float16]]:
    """Every text's states after MiniLM's bottom ``LOWER`` layers ([CLS] and [SEP] kept),
    kept under ``CACHE``."""
    from train.cache_verifier.context_states import bottom_states

    CACHE.mkdir(parents=True, exist_ok=True)
    return bottom_states(texts, CACHE)


def init_params(seed: int, head: int) -> dict[str, Any]:
    """MiniLM's top layers (x @ W layout) and a fresh head."""
    from llm_router.embedding.artefact import load_model_files
    from train.cache_verifier.context_states import LOWER, _layer_params

    files = load_model_files()
    n_layers = int(files.manifest["config"]["num_hidden_layers"])
    layers = [_layer_params(files.weights, f"encoder.layer.{i}.")
              for i in range(LOWER, n_layers)]
    rng = np.random.default_rng(seed)
    return {"layers": layers,
            "head_w": rng.normal(0, np.sqrt(1.0 / 768), (768, head)).astype(np.float32),
            "head_b": np.zeros(head, np.float32),
            "out_w": rng.normal(0, np.sqrt(1.0 / head), (head, 1)).astype(np.float32),
            "out_b": np.zeros(1, np.float32)}


def make_forward(eps: float) -> Any:
    import jax.numpy as jnp

    from train.cache_verifier.context_states import make_model

    # ``make_model``'s ``upper`` is MiniLM's layer stack over given states and mask.
    _, upper = make_model(eps)

    def forward(p: Any, x: Any, mask: Any) -> Any:
        h = upper(p["layers"], x, mask)
        m = mask[..., None]
        mean = (h * m).sum(axis=1) / jnp.maximum(m.sum(axis=1), 1.0)
        pooled = jnp.concatenate([h[:, 0], mean], axis=-1)
        hid = jnp.tanh(pooled @ p["head_w"] + p["head_b"])
        return (hid @ p["out_w"] + p["out_b"])[:, 0]

    return forward


def joined(sa: Any, sb: Any) -> Any:
    """One pair's model input: a's rows, then b's without its [CLS]."""
    return np.concatenate([sa, sb[1:]], axis=0)


def batch_arrays(pairs: list[tuple[Any, Any]]) -> tuple[F32, F32]:
    rows = [joined(a, b) for a, b in pairs]
    length = int(np.ceil(max(len(r) for r in rows) / 8) * 8)
    x = np.zeros((len(rows), length, 384), np.float32)
    mask = np.zeros((len(rows), length), np.float32)
    for i, r in enumerate(rows):
        x[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return x, mask


def fit(train: list[Pair], states: dict[str, Any], args: argparse.Namespace,
        eps: float, tune: list[Pair] | None = None) -> dict[str, Any]:
    """Adam over the top layers and the head; every ``--checkpoint`` steps the weights are
    saved (``fusion-checkpoint.npz`` in the cache, for ``--init``) and the tune loss and AUC
    printed, so a run can be stopped where the tune loss flattens."""
    import jax
    import jax.numpy as jnp

    forward = make_forward(eps)
    start = init_params(args.seed, args.head)
    if args.init:  # continue from an earlier run's weights (``flatten``'s layout)
        with np.load(args.init) as npz:
            flat = {k: npz[k] for k in npz.files}
        start = {"layers": [{name: flat[f"l{i}.{name}"] for name in layer}
                            for i, layer in enumerate(start["layers"])],
                 **{k: flat[k] for k in start if k != "layers"}}
    params = jax.tree_util.tree_map(jnp.asarray, start)

    def loss(p: Any, x: Any, mask: Any, y: Any, w: Any) -> Any:
        logit = forward(p, x, mask)
        return jnp.sum(w * (jnp.logaddexp(0.0, logit) - y * logit)) / jnp.sum(w)

    def update(p: Any, m: Any, s: Any, x: Any, mask: Any, y: Any, w: Any, step: Any,
               lr_layers: Any, lr_head: Any) -> Any:
        value, g = jax.value_and_grad(loss)(p, x, mask, y, w)
        m = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
        s = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, s, g)
        c1, c2 = 1 - 0.9 ** step, 1 - 0.999 ** step

        def adam(lr: Any) -> Any:
            return lambda q, mm, ss: q - lr * (mm / c1) / (jnp.sqrt(ss / c2) + 1e-8)

        p = {k: jax.tree_util.tree_map(adam(lr_layers if k == "layers" else lr_head),
                                       p[k], m[k], s[k]) for k in p}
        return p, m, s, value

    update_jit = jax.jit(update)
    rng = np.random.default_rng(args.seed)
    weight = np.asarray([args.support_weight if p["source"].startswith(OURS) else 1.0
                         for p in train], np.float32)
    y = np.asarray([p["label"] for p in train], np.float32)
    lengths = np.asarray([len(states[p["a"]]) + len(states[p["b"]]) for p in train])
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    s = jax.tree_util.tree_map(jnp.zeros_like, params)
    steps_per_epoch = len(train) // args.batch
    total = int(args.epochs * steps_per_epoch)
    started = time.monotonic()
    step = 0
    while step < total:
        # Batches of similar length (little padding), in random order; a/b swapped at
        # random: the cached text and the query play the same part.
        order = rng.permutation(len(train))
        order = order[np.argsort(lengths[order] // 6, kind="stable")]
        batches = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        rng.shuffle(batches)  # type: ignore[arg-type]
        for idx in batches:
            if step >= total:
                break
            swap = rng.random(len(idx)) < 0.5
            x, mask = batch_arrays([
                (states[train[i]["b"]], states[train[i]["a"]]) if sw
                else (states[train[i]["a"]], states[train[i]["b"]])
                for i, sw in zip(idx, swap, strict=True)])
            step += 1
            warm = step / max(1, total // 10)
            decay = (total - step) / max(1, total - total // 10)
            scale = min(1.0, warm, decay)  # linear warm-up, then linear decay
            params, m, s, value = update_jit(params, m, s, x, mask, y[idx], weight[idx],
                                             float(step), args.lr * scale,
                                             args.lr_head * scale)
            if step % 100 == 0:
                print(f"    step {step}/{total} loss {float(value):.4f} "
                      f"({time.monotonic() - started:.0f} s)", flush=True)
            if args.checkpoint and (step % args.checkpoint == 0 or step == total):
                now = jax.tree_util.tree_map(lambda v: np.asarray(v, np.float32), params)
                np.savez(CACHE / "fusion-checkpoint.npz", **flatten(now))
                if tune:
                    checkpoint_report(now, tune, states, eps, step)
    return jax.tree_util.tree_map(lambda v: np.asarray(v, np.float32), params)


def checkpoint_report(params: dict[str, Any], tune: list[Pair], states: dict[str, Any],
                      eps: float, step: int) -> None:
    from sklearn.metrics import roc_auc_score

    prob = np.clip(predict(params, tune, states, eps), 1e-7, 1 - 1e-7)
    y = np.asarray([p["label"] for p in tune], np.float64)
    loss = float(-np.mean(y * np.log(prob) + (1 - y) * np.log(1 - prob)))
    print(f"    step {step}: tune loss {loss:.4f}, tune AUC {roc_auc_score(y, prob):.4f}",
          flush=True)


def predict(params: dict[str, Any], pairs: list[Pair], states: dict[str, Any],
            eps: float) -> F32:
    import jax

    forward = jax.jit(make_forward(eps))
    order = np.argsort([len(states[p["a"]]) + len(states[p["b"]]) for p in pairs])
    logits = np.zeros(len(pairs), np.float32)
    for start in range(0, len(order), 128):
        idx = order[start:start + 128]
        x, mask = batch_arrays([(states[pairs[i]["a"]], states[pairs[i]["b"]]) for i in idx])
        logits[idx] = np.asarray(forward(params, x, mask))
    return (1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))).astype(np.float32)


def scores(prob: F32, pairs: list[Pair], threshold: float, refused: Any) -> dict[str, Any]:
    """Recall and false hits overall and per kind at ``threshold``, after the amounts check
    (a refused pair is a miss)."""
    hit = (prob >= threshold) & ~np.asarray(refused, bool)
    y = np.asarray([p["label"] for p in pairs])
    out: dict[str, Any] = {"recall": round(float(hit[y == 1].mean()), 4),
                           "false_hits": round(float(hit[y == 0].mean()), 4), "kinds": {}}
    for kind in sorted({p["kind"] for p in pairs}):
        sel = np.asarray([p["kind"] == kind for p in pairs])
        out["kinds"][kind] = f"{int(hit[sel].sum())}/{int(sel.sum())}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holdout", choices=sorted(EXTRA_SETS), default=None,
                        help="leave this independent set out of training; measure on it")
    parser.add_argument("--max-train", type=int, default=0, help="subsample (0: all)")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5, help="top layers")
    parser.add_argument("--lr-head", type=float, default=1e-3)
    parser.add_argument("--head", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--support-weight", type=float, default=3.0)
    parser.add_argument("--init", type=Path, default=None,
                        help="start from these weights (an earlier run's fusion-*.npz)")
    parser.add_argument("--save", type=Path, default=None,
                        help="also save the trained weights here (for a later --init)")
    parser.add_argument("--score-held-out", action="store_true",
                        help="also score the held-out set (after the choice: ``stack``)")
    parser.add_argument("--checkpoint", type=int, default=0,
                        help="save weights and print the tune loss every N steps (0: never)")
    parser.add_argument("--write", action="store_true", help="write the artefact")
    args = parser.parse_args()

    import jax
    from sklearn.metrics import roc_auc_score

    # XLA flags (one thread) are set by this import, before jax computes anything.
    import train.cache_verifier.context_states  # noqa: F401
    from llm_router.embedding.artefact import load_model_files
    from train.cache_verifier.train import conflicts, operating_point, rates

    jax.config.update("jax_platforms", "cpu")
    eps = float(load_model_files().manifest["config"]["layer_norm_eps"])
    train, tune, held = pair_sets(args.holdout)
    if args.max_train and len(train) > args.max_train:
        rng = np.random.default_rng(13)
        train = [train[i] for i in sorted(rng.choice(len(train), args.max_train, replace=False))]
    print(f"train {len(train)} pairs, tune {len(tune)}, held out {len(held)} "
          f"({args.holdout})", flush=True)
    texts = sorted({t for p in train + tune + held for t in (p["a"], p["b"])})
    started = time.monotonic()
    states = lower_states(texts)
    print(f"  bottom states of {len(texts)} texts ({time.monotonic() - started:.0f} s)",
          flush=True)
    started = time.monotonic()
    params = fit(train, states, args, eps, tune)
    print(f"  trained ({time.monotonic() - started:.0f} s)", flush=True)
    key = hashlib.sha256(json.dumps(vars(args), sort_keys=True, default=str).encode()
                         ).hexdigest()[:12]
    flat = flatten(params)
    np.savez(CACHE / f"fusion-{key}.npz", **flat)
    if args.save:
        np.savez(args.save, **flat)

    prob = predict(params, tune, states, eps)
    refused = conflicts(tune)
    auc = float(roc_auc_score([p["label"] for p in tune], prob))
    y_tune = np.asarray([p["label"] for p in tune], np.int64)
    cut_prob = np.where(refused, np.float32(0.0), prob)
    threshold = operating_point(cut_prob, y_tune, [p["source"] for p in tune])
    report: dict[str, Any] = {"args": {k: str(v) if isinstance(v, Path) else v
                                       for k, v in vars(args).items()}, "tune_auc": round(auc, 4),
                              "threshold": round(threshold, 6),
                              "tune": rates(cut_prob, y_tune, threshold)}
    print(f"  tune AUC {auc:.4f}, operating point {threshold:.4f}: {report['tune']}", flush=True)
    if held and args.score_held_out:
        held_prob = predict(params, held, states, eps)
        held_refused = conflicts(held)
        report["held_out"] = {"set": args.holdout,
                              "auc": round(float(roc_auc_score(
                                  [p["label"] for p in held], held_prob)), 4)}
        for cut in (0.5, 0.8, 0.9, threshold):
            report["held_out"][f"p>={cut:.4f}"] = scores(held_prob, held, cut, held_refused)
        print(json.dumps(report["held_out"], indent=1), flush=True)
    (CACHE / f"fusion-{key}.json").write_text(json.dumps(report, indent=1))
    print(f"  {CACHE}/fusion-{key}.npz / .json", flush=True)
    if args.write:
        write_fusion(flat, threshold, report, len(train))
        diff = check_numpy(params, tune, states, eps)
        meta = json.loads(META.read_text())
        META.write_text(json.dumps({**meta, "numpy_vs_jax_max_diff": diff}, indent=2) + "\n")


def check_numpy(params: dict[str, Any], pairs: list[Pair], states: dict[str, Any],
                eps: float, n: int = 16) -> float:
    """The numpy model read back from the artefact against this JAX forward pass with the
    same (float16-rounded) weights, on ``n`` tune pairs: probabilities within 1e-3."""
    import jax

    from llm_router.cache.fusion import load_fusion

    model, _ = load_fusion(ARTEFACT)
    rounded = jax.tree_util.tree_map(
        lambda v: np.asarray(v, np.float16).astype(np.float32), params)
    sample = pairs[:: max(1, len(pairs) // n)][:n]
    ref = predict(rounded, sample, states, eps)
    got = np.asarray([model.probability(np.asarray(states[p["a"]], np.float32),
                                        np.asarray(states[p["b"]], np.float32))
                      for p in sample])
    diff = float(np.abs(ref - got).max())
    print(f"  numpy vs JAX on {len(sample)} tune pairs: max |p difference| {diff:.2e}")
    if diff > 1e-3:
        raise SystemExit("numpy inference differs from the JAX forward pass")
    return round(diff, 8)


def flatten(params: dict[str, Any]) -> dict[str, F32]:
    """Arrays as the numpy model reads them (``llm_router.cache.fusion``)."""
    out = {k: np.asarray(v, np.float32) for k, v in params.items() if k != "layers"}
    for i, layer in enumerate(params["layers"]):
        for name, value in layer.items():
            out[f"l{i}.{name}"] = np.asarray(value, np.float32)
    return out


# Written here, outside the layer: the router's verifier (``llm_router.cache.verifier``)
# uses the nets alone until a fusion model beats them at the operating point; copy both
# files to layers/core/llm_router/data/cache_verifier/ and set ``MODEL_KIND`` to ship one.
ARTEFACT = REPO / "data" / "cache_verifier" / "fusion.npz"
META = ARTEFACT.with_suffix(".json")


def write_fusion(flat: dict[str, F32], threshold: float, report: dict[str, Any],
                 n_train: int) -> None:
    from llm_router.embedding.artefact import npz_bytes

    raw = npz_bytes({k: v.astype(np.float16) for k, v in flat.items()})
    ARTEFACT.write_bytes(raw)
    from train.cache_verifier.context_states import LOWER

    meta = {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "model": "mid-fusion: MiniLM's top layers over [CLS] a [SEP] b [SEP] of the bottom "
                 f"{LOWER} layers' per-text states, fine-tuned, [CLS]+mean head",
        "lower_layers": LOWER, "threshold": round(threshold, 6),
        "operating_point": "train.operating_point on bench/cache_pairs/tune.jsonl "
                           "(after the amounts and ids check)",
        "trained_on": {"pairs": n_train, "file": ".cache/cache_verifier/train.jsonl + "
                       + " + ".join(str(p.relative_to(REPO)) for n, p in EXTRA_SETS.items()
                                    if n != report["args"]["holdout"])},
        "extra_sources": {n: {"file": str(p.relative_to(REPO)), "sha256": file_sha256(p),
                              "licence": "written for this project (Apache-2.0); seen"}
                          for n, p in EXTRA_SETS.items()},
        "report": report,
    }
    META.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {ARTEFACT.relative_to(REPO)} ({len(raw)} bytes), threshold {threshold:.4f}")


if __name__ == "__main__":
    main()
